"""Slack payloads → neutral events, one dispatch table keyed on the payload's type.

The workspace of every event is the Slack team id, so the core scopes programmes, people and
reports to the team the request came from. A mention `<@U123|name>` becomes a mention mark in
the words and a typed account in the event; Slack's own escaping (`&amp;` …) is undone. Button
values are decoded by the core's codec (bot.actions), never here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from adapters.slack.render import parse_action_id
from bot import actions as codec
from bot.events import (
    MENTION_MARK,
    ActionInvoked,
    CommandReceived,
    ConversationRef,
    HomeOpened,
    InboundEvent,
    ProgrammeForm,
    UserRef,
    split_organisations,
)
from bot.ids import ProgrammeId

Body = Mapping[str, Any]

PROGRAMME_MODAL = "ct-programme"
SYNC_MODAL = "ct-sync"
JOIN_BLOCK = "ct-join"

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|[^>]*)?>")


def words_and_mentions(text: str) -> tuple[str, tuple[str, ...]]:
    """Slack's wire format → the plain words, each user mention a mark, and the ids of the
    users mentioned, in order."""
    mentioned: list[str] = []

    def mark(match: re.Match[str]) -> str:
        mentioned.append(match.group(1))
        return MENTION_MARK

    text = text.replace(MENTION_MARK, "")
    text = _USER.sub(mark, text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SUBTEAM.sub(lambda m: m.group(1) or "@group", text)
    text = _LINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text, tuple(mentioned)


def _words(team: str, text: str) -> tuple[str, tuple[UserRef, ...]]:
    words, mentioned = words_and_mentions(text)
    return words, tuple(UserRef("slack", team, user) for user in mentioned)


def _dm(channel: object) -> str | None:
    """The app's own DM with the person (a D… channel), when the payload shows it."""
    return str(channel) if isinstance(channel, str) and channel.startswith("D") else None


def team_of(body: Body) -> str:
    """The workspace (team id) a payload belongs to."""
    team = body.get("team_id") or _map(body.get("team")).get("id")
    if not team:
        user = body.get("user")
        team = user.get("team_id") if isinstance(user, Mapping) else None
    if not team:
        team = _map(body.get("event")).get("team") or _map(body.get("view")).get("team_id")
    return str(team or "")


def _map(value: object) -> Mapping[str, Any]:
    """A part of a payload that should be an object; anything else counts as empty."""
    return value if isinstance(value, Mapping) else {}


def user_id_of(body: Body) -> str:
    user = body.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id", ""))
    return str(body.get("user_id") or _map(body.get("event")).get("user") or "")


def kind_of(body: Body) -> str:
    """The dispatch key: slash_command, block_actions, view_submission or the event type."""
    if "command" in body:
        return "slash_command"
    if body.get("type") == "event_callback":
        return str(_map(body.get("event")).get("type", ""))
    return str(body.get("type", ""))


def _slash(body: Body) -> InboundEvent:
    team = team_of(body)
    words, mentions = _words(team, str(body.get("text") or ""))
    # No note of the channel as a DM: a command typed in a DM between two people has a D…
    # channel too, and the app cannot post there; only events say which DM is the app's own.
    return CommandReceived(
        user=UserRef("slack", team, str(body["user_id"])),
        text=words,
        mentions=mentions,
        conversation=ConversationRef("slack", team, str(body.get("channel_id") or "")),
        raw=body,
    )


def _action_value(action: Mapping[str, Any], block_id: str) -> str:
    if action.get("type") in {"static_select", "radio_buttons"}:
        value = str((action.get("selected_option") or {}).get("value") or "")
    else:
        value = str(action.get("value") or "")
    if block_id.startswith(JOIN_BLOCK + "|") and value:
        value += " --programme " + block_id[len(JOIN_BLOCK) + 1 :]
    return value


def action_of(body: Body) -> str | None:
    """The neutral action of a button press (its action id, without Slack's framing)."""
    pressed = body.get("actions") or []
    if not pressed or not isinstance(pressed[0], Mapping):
        return None
    return parse_action_id(str(pressed[0].get("action_id", "")))


def _block_actions(body: Body) -> InboundEvent | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    name = parse_action_id(str(action.get("action_id", "")))
    if name is None:
        return None
    team = team_of(body)
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    pressed = ActionInvoked(
        user=UserRef("slack", team, user_id_of(body)),
        action=name,
        value=_action_value(action, str(action.get("block_id") or "")),
        conversation=ConversationRef("slack", team, str(channel)) if channel else None,
        message_id=container.get("message_ts") or (body.get("message") or {}).get("ts"),
        raw=body,
    )
    return codec.decode(pressed) or pressed  # an unreadable value: the core says so


def _message(body: Body) -> InboundEvent | None:
    event = body.get("event") or {}
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None
    team = team_of(body)
    words, mentions = _words(team, str(event.get("text") or ""))
    return CommandReceived(
        user=UserRef("slack", team, str(event.get("user") or "")),
        text=words,
        mentions=mentions,
        conversation=ConversationRef("slack", team, str(event.get("channel") or "")),
        dm_channel=_dm(event.get("channel")),
        raw=body,
    )


def _home_opened(body: Body) -> InboundEvent | None:
    event = body.get("event") or {}
    team = team_of(body)
    user = str(event.get("user") or "")
    channel = event.get("channel")
    return HomeOpened(
        user=UserRef("slack", team, user),
        conversation=ConversationRef("slack", team, str(channel)) if channel else None,
        dm_channel=_dm(channel),
        raw=body,
    )


TRANSLATORS: dict[str, Callable[[Body], InboundEvent | None]] = {
    "slash_command": _slash,
    "block_actions": _block_actions,
    "message": _message,
    "app_home_opened": _home_opened,
}


def translate(body: Body) -> InboundEvent | None:
    """The neutral event for a payload, or None when the bot has nothing to do with it."""
    translator = TRANSLATORS.get(kind_of(body))
    if translator is None:
        return None
    try:
        return translator(body)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None  # not a shape Slack sends for this type: nothing for the bot to do


# ---------------------------------------------------------------- modal submissions


def _state(body: Body) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in ((body.get("view") or {}).get("state") or {}).get("values", {}).values():
        for action_id, item in block.items():
            kind = item.get("type")
            if kind in {"static_select", "radio_buttons"}:
                values[action_id] = (item.get("selected_option") or {}).get("value")
            elif kind == "checkboxes":
                values[action_id] = [o.get("value") for o in item.get("selected_options") or []]
            elif kind == "conversations_select":
                values[action_id] = item.get("selected_conversation")
            elif kind == "channels_select":
                values[action_id] = item.get("selected_channel")
            else:
                values[action_id] = item.get("value")
    return values


def programme_form(body: Body) -> ProgrammeForm:
    """The programme modal's answers; odd values are left for the core's validation."""
    state = _state(body)
    metadata = str((body.get("view") or {}).get("private_metadata") or "")
    try:
        size = int(state.get("group_size") or 2)
    except ValueError:
        size = 0
    return ProgrammeForm(
        name=str(state.get("name") or ""),
        organisations=split_organisations(str(state.get("organisations") or "")),
        cadence=str(state.get("cadence") or "fortnightly"),
        group_size=size,
        cross_organisation="cross" in (state.get("rules") or []),
        circle_proposals="circle_proposals" in (state.get("rules") or []),
        programme_id=ProgrammeId(int(metadata)) if metadata.isdigit() else None,
        **schedule_fields(state),
    )


def schedule_fields(state: Mapping[str, Any]) -> dict[str, Any]:
    """Weekday, hour, time zone and check-in delay as typed; a missing one keeps the form's
    default, an odd one (-1, or the words) is left for the core to refuse politely."""
    fields: dict[str, Any] = {}
    for key in ("weekday", "hour"):
        text = str(state.get(key) or "")
        if text:
            fields[key] = int(text) if text.isascii() and text.isdigit() and len(text) < 3 else -1
    for key in ("timezone", "checkin_delay"):
        if state.get(key):
            fields[key] = str(state[key])
    return fields


def sync_channel(body: Body) -> str | None:
    """The channel whose members the coordinator asked to invite, if any."""
    channel = _state(body).get("channel")
    return str(channel) if channel else None


def modal_programme_id(body: Body) -> int | None:
    metadata = str((body.get("view") or {}).get("private_metadata") or "")
    return int(metadata) if metadata.isdigit() else None
