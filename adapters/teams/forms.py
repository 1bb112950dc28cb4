"""The programme form as an Adaptive Card (Teams' counterpart of the Slack modal), and what a
submitted form says.

The core's `programmes` card carries neutral `programme_form` buttons; in Teams a click brings
this form, prefilled from the core's `ProgrammeFormView`. Its Save button is an `Action.Execute`
whose data carry the programme (id or "new") and, when the set-up began in a team, that team,
so the saved note can offer to invite the team's members. Inputs arrive merged into the
action's data; anything odd is left for the core's validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.teams.render import CARD_VERSION, escape_markdown
from bot import actions
from bot.events import ProgrammeForm, split_organisations
from bot.templates import Prompts
from bot.views import CADENCES, schedule_choices

FORM_ACTION = actions.PROGRAMME_FORM
SAVE_ACTION = "programme_save"
SYNC_ACTION = "programme_sync"
ACTIONS = frozenset({FORM_ACTION, SAVE_ACTION, SYNC_ACTION})
TEAM_KEY = "team"  # the team a set-up began in, carried from card to card
MAX_NAME = 200
MAX_ORGANISATIONS = 3000


def _scalar(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value) if isinstance(value, (str, int, float, bool)) else ""


def team_in(data: Mapping[str, Any]) -> str | None:
    return _scalar(data, TEAM_KEY) or None


def parse_form(value: str, data: Mapping[str, Any]) -> ProgrammeForm | None:
    """The submitted form; `value` names the programme (None for a forged one)."""
    try:
        target = actions.form_target(value)
    except ValueError:
        return None
    size = _scalar(data, "group_size")
    return ProgrammeForm(
        name=_scalar(data, "name"),
        organisations=split_organisations(_scalar(data, "organisations")),
        cadence=_scalar(data, "cadence") or "fortnightly",
        group_size=int(size) if size.isascii() and size.isdigit() and len(size) < 3 else 0,
        cross_organisation=_scalar(data, "cross_organisation").lower() == "true",
        # a card drawn before the setting was on it leaves the setting as it is
        circle_proposals=(
            _scalar(data, "circle_proposals").lower() == "true"
            if "circle_proposals" in data
            else None
        ),
        programme_id=target,
        **_schedule(data),
    )


def _number(text: str) -> int:
    """A small whole number as sent, or -1 (refused by the core) for anything else."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 3 else -1


def _schedule(data: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in ("weekday", "hour"):
        if _scalar(data, key):
            fields[key] = _number(_scalar(data, key))
    for key in ("timezone", "checkin_delay"):
        if key in data:
            fields[key] = _scalar(data, key)
    return fields


def schedule_inputs(form: ProgrammeForm, prompts: Prompts) -> list[dict[str, Any]]:
    """When rounds run (weekday, hour, time zone: drop-downs) and the check-in delay."""
    r = prompts.render
    choices = schedule_choices(form)

    def pick(key: str, label: str, options: tuple[tuple[str, str], ...], value: str) -> Any:
        return {
            "type": "Input.ChoiceSet",
            "id": key,
            "label": label,
            "style": "compact",
            "value": value,
            "choices": [{"title": text, "value": code} for code, text in options],
        }

    return [
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        pick("weekday", r("form_weekday"), choices.weekdays, str(form.weekday))
                    ],
                },
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [pick("hour", r("form_hour"), choices.hours, str(form.hour))],
                },
            ],
        },
        pick("timezone", r("form_timezone"), choices.timezones, form.timezone),
        {
            "type": "Input.Text",
            "id": "checkin_delay",
            "label": r("form_checkin_delay"),
            "value": form.checkin_delay,
            "maxLength": 20,
            "isRequired": True,
            "errorMessage": r("error_checkin_delay", value=""),
        },
        _line(r("form_checkin_delay_hint"), isSubtle=True, size="Small", spacing="None"),
    ]


def _card(
    body: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": fallback,
    }
    if actions:
        content["actions"] = actions
    return content


def _title(text: str) -> dict[str, Any]:
    return {
        "type": "TextBlock",
        "text": escape_markdown(text),
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
    }


def _line(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": escape_markdown(text), "wrap": True, **extra}


def _data(action: str, value: str, team: str | None) -> dict[str, str]:
    data = {"action": action, "value": value}
    if team:
        data[TEAM_KEY] = team
    return data


def form_card(
    form: ProgrammeForm, prompts: Prompts, *, team: str | None, error: str | None = None
) -> dict[str, Any]:
    """The form, filled with `form`; `error` (a refusal of the last submission) on top."""
    r = prompts.render
    title = r("form_title_edit" if form.programme_id is not None else "form_title_new")
    body: list[dict[str, Any]] = [_title(title)]
    if error:
        body.append(_line(error, color="Attention", weight="Bolder"))
    body += [
        {
            "type": "Input.Text",
            "id": "name",
            "label": r("form_name"),
            "value": form.name,
            "maxLength": MAX_NAME,
            "isRequired": True,
            "errorMessage": r("error_programme_name"),
        },
        {
            "type": "Input.Text",
            "id": "organisations",
            "label": r("form_organisations"),
            "placeholder": r("form_organisations_hint"),
            "isMultiline": True,
            "value": "\n".join(form.organisations),
            "maxLength": MAX_ORGANISATIONS,
            "isRequired": True,
            "errorMessage": r("error_programme_organisations"),
        },
        _line(r("form_organisations_hint"), isSubtle=True, size="Small", spacing="None"),
        {
            "type": "Input.ChoiceSet",
            "id": "cadence",
            "label": r("form_cadence"),
            "style": "compact",
            "value": form.cadence if form.cadence in CADENCES else "fortnightly",
            "choices": [{"title": c.capitalize(), "value": c} for c in CADENCES],
        },
        *schedule_inputs(form, prompts),
        {
            "type": "Input.ChoiceSet",
            "id": "group_size",
            "label": r("form_group_size"),
            "style": "expanded",
            "value": "3" if form.group_size == 3 else "2",
            "choices": [{"title": r("form_size", size=n), "value": str(n)} for n in (2, 3)],
        },
        {
            "type": "Input.Toggle",
            "id": "cross_organisation",
            "label": r("form_rules"),
            "title": r("form_cross_organisation"),
            "value": "true" if form.cross_organisation else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
        {
            "type": "Input.Toggle",
            "id": "circle_proposals",
            "title": r("form_circle_proposals"),
            "wrap": True,
            "value": "true" if form.circle_proposals else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
    ]
    target = actions.form_value(form.programme_id)
    save = {
        "type": "Action.Execute",
        "title": r("form_save"),
        "verb": SAVE_ACTION,
        "data": _data(SAVE_ACTION, target, team),
        "style": "positive",
    }
    return _card(body, [save], title)


def saved_card(
    prompts: Prompts, saved: str, *, programme_id: int, programme: str, team: str | None
) -> dict[str, Any]:
    """The note that replaces a saved form; from a team, it offers to invite the team."""
    body = [_line(saved, weight="Bolder", color="Good")]
    actions: list[dict[str, Any]] = []
    if team:
        body.append(_line(prompts.render("teams_sync_offer", programme=programme)))
        actions.append(
            {
                "type": "Action.Execute",
                "title": prompts.render("button_invite_team"),
                "verb": SYNC_ACTION,
                "data": _data(SYNC_ACTION, str(programme_id), team),
                "style": "positive",
            }
        )
    return _card(body, actions, saved)


def note_card(text: str) -> dict[str, Any]:
    """A card with one sentence (what replaces the sync offer once it has run)."""
    return _card([_line(text)], [], text)
