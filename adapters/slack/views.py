"""App Home and the coordinator modals, built with slack_sdk.models (blocks and views)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from adapters.slack.render import action_id, button, mrkdwn, plain
from adapters.slack.translate import JOIN_BLOCK, PROGRAMME_MODAL
from bot import actions
from bot.compose import checkin_buttons
from bot.events import Button, ProgrammeForm
from bot.templates import Prompts
from bot.views import HomeProgramme, HomeView, ProgrammeFormView, schedule_choices

MAX_HOME_BLOCKS = 100
EDIT_ACTION = actions.HOME_EDIT_FORM
NEW_ACTION = actions.HOME_NEW_FORM


def _text(prompts: Prompts, prompt: str, /, **context: object) -> str:
    return prompts.render(prompt, **context)


def home(view: HomeView, prompts: Prompts) -> View:
    blocks: list[Block] = [
        HeaderBlock(text=plain(_text(prompts, "home_title", name=view.name))),
    ]
    if view.current is not None:
        current = view.current
        blocks.append(
            SectionBlock(
                text=mrkdwn(
                    _text(
                        prompts,
                        "match_title",
                        round=current.round_number,
                        programme=current.programme,
                    )
                )
            )
        )
        for name, organisation, role in current.partners:
            line = _text(prompts, "intro_person", role=role, organisation=organisation)
            blocks.append(SectionBlock(text=mrkdwn(f"{name}\n{line}")))
        blocks.append(
            ContextBlock(
                elements=[mrkdwn(_text(prompts, "match_answer", answer=current.my_answer))]
            )
        )
        blocks += _checkin_due(view, prompts)
        buttons = checkin_buttons(prompts, current.introduction_id)
        blocks.append(
            ActionsBlock(
                block_id="home-checkin", elements=[button(b, i) for i, b in enumerate(buttons)]
            )
        )
    else:
        blocks.append(SectionBlock(text=mrkdwn(_text(prompts, "no_match"))))
    blocks.append(DividerBlock())
    if view.ties:
        blocks.append(SectionBlock(text=mrkdwn(_text(prompts, "ties_title", count=len(view.ties)))))
        for tie in view.ties[:20]:
            line = _text(
                prompts,
                "tie_line",
                organisation=tie.organisation,
                stage=tie.stage,
                since=tie.since,
                collaborations=tie.collaborations,
            )
            blocks.append(SectionBlock(text=mrkdwn(f"{tie.name}: {line}")))
    else:
        blocks.append(SectionBlock(text=mrkdwn(_text(prompts, "no_ties"))))
    for programme in view.programmes:
        blocks += _status(programme, prompts, view)
    if view.coordinates or view.may_create:
        blocks.append(DividerBlock())
        blocks.append(HeaderBlock(text=plain(_text(prompts, "home_coordinating_title"))))
        for programme in view.coordinates:
            blocks += _coordinating(programme, prompts)
        if view.may_create:
            new = Button(_text(prompts, "button_new_programme"), NEW_ACTION, "", "primary")
            blocks.append(ActionsBlock(block_id="home-new", elements=[button(new, 0)]))
    return View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])


def _checkin_due(view: HomeView, prompts: Prompts) -> list[Block]:
    """When the current introduction's check-in comes, while it is still to come."""
    due, now = view.checkin_at, view.as_of
    if due is None or now is None or due <= now or view.current is None:
        return []
    if view.current.my_answer is not None:
        return []
    text = _text(prompts, "home_checkin", checkin_at=due, timezone=view.timezone, now=now)
    return [ContextBlock(elements=[mrkdwn(text)])]


def _status(programme: HomeProgramme, prompts: Prompts, view: HomeView) -> list[Block]:
    text = _text(
        prompts,
        "home_status",
        programme=programme.name,
        status=programme.status,
        until=programme.paused_until,
        next_round_at=programme.next_round_at,
        timezone=view.timezone,
        now=view.as_of,
    )
    section: list[Block] = [DividerBlock(), SectionBlock(text=mrkdwn(text))]
    suffix = actions.programme_suffix(programme.name)
    if programme.status in (None, "left"):
        if len(programme.organisations) <= 5:
            buttons = [
                button(Button(o, actions.JOIN, actions.join_value(o, programme.name)), i)
                for i, o in enumerate(programme.organisations)
            ]
            section.append(ActionsBlock(block_id=f"home-join-{programme.id}", elements=buttons))
        else:
            section.append(join_select(programme.name, programme.organisations, prompts))
    elif programme.status == "paused":
        resume = Button(_text(prompts, "button_resume"), "resume", suffix, "primary")
        section.append(
            ActionsBlock(block_id=f"home-resume-{programme.id}", elements=[button(resume, 0)])
        )
    else:
        pause = actions.pause_button(_text(prompts, "button_pause"), programme.id)
        leave = Button(_text(prompts, "button_leave"), "leave", suffix)
        section.append(
            ActionsBlock(
                block_id=f"home-pause-{programme.id}", elements=[button(pause, 0), button(leave, 1)]
            )
        )
    return section


def join_select(programme: str, organisations: tuple[str, ...], prompts: Prompts) -> ActionsBlock:
    """More organisations than buttons fit: one select; the block id names the programme."""
    options = [Option(text=plain(o, 75), value=o[:150]) for o in organisations[:100]]
    select = StaticSelectElement(
        placeholder=plain(_text(prompts, "home_choose_organisation"), 150),
        action_id=action_id("join", 0),
        options=options,
    )
    return ActionsBlock(block_id=f"{JOIN_BLOCK}|{programme}"[:255], elements=[select])


def _coordinating(programme: HomeProgramme, prompts: Prompts) -> list[Block]:
    text = _text(
        prompts,
        "home_coordinator_line",
        programme=programme.name,
        active=programme.active_members,
        organisations=list(programme.organisations),
        paused=programme.paused,
    )
    suffix = actions.programme_suffix(programme.name)
    buttons = [
        Button(_text(prompts, "button_preview"), "round preview", suffix),
        Button(_text(prompts, "button_run_round"), "round run", suffix, "primary"),
        Button(_text(prompts, "button_edit"), EDIT_ACTION, actions.form_value(programme.id)),
    ]
    confirm = _text(prompts, "confirm_round_run", programme=programme.name)
    elements: list[ButtonElement] = [
        button(b, i, confirm_text=confirm if b.action == "round run" else None)
        for i, b in enumerate(buttons)
    ]
    return [
        SectionBlock(text=mrkdwn(text)),
        ActionsBlock(block_id=f"home-coord-{programme.id}", elements=elements),
    ]


def programme_modal(view: ProgrammeFormView, prompts: Prompts) -> View:
    """Create (blank form) or edit (filled, `private_metadata` = programme id)."""
    form = view.form
    cadences = [Option(text=plain(c.capitalize()), value=c) for c in view.cadences]
    sizes = [Option(text=plain(_text(prompts, "form_size", size=n)), value=str(n)) for n in (2, 3)]
    cross = Option(text=plain(_text(prompts, "form_cross_organisation")), value="cross")
    proposals = Option(
        text=plain(_text(prompts, "form_circle_proposals")), value="circle_proposals"
    )
    chosen = [
        o for o, on in ((cross, form.cross_organisation), (proposals, form.circle_proposals)) if on
    ]
    blocks: list[Block] = [
        InputBlock(
            block_id="name",
            label=plain(_text(prompts, "form_name")),
            element=PlainTextInputElement(
                action_id="name", initial_value=form.name or None, max_length=200
            ),
        ),
        InputBlock(
            block_id="organisations",
            label=plain(_text(prompts, "form_organisations")),
            hint=plain(_text(prompts, "form_organisations_hint")),
            element=PlainTextInputElement(
                action_id="organisations",
                multiline=True,
                initial_value="\n".join(form.organisations) or None,
                max_length=3000,
            ),
        ),
        InputBlock(
            block_id="cadence",
            label=plain(_text(prompts, "form_cadence")),
            element=StaticSelectElement(
                action_id="cadence",
                options=cadences,
                initial_option=next((o for o in cadences if o.value == form.cadence), cadences[1]),
            ),
        ),
        *schedule_inputs(form, prompts),
        InputBlock(
            block_id="group_size",
            label=plain(_text(prompts, "form_group_size")),
            element=StaticSelectElement(
                action_id="group_size",
                options=sizes,
                initial_option=sizes[1] if form.group_size == 3 else sizes[0],
            ),
        ),
        InputBlock(
            block_id="rules",
            optional=True,
            label=plain(_text(prompts, "form_rules")),
            element=CheckboxesElement(
                action_id="rules",
                options=[cross, proposals],
                initial_options=chosen or None,
            ),
        ),
        InputBlock(
            block_id="channel",
            optional=True,
            label=plain(_text(prompts, "form_channel")),
            hint=plain(_text(prompts, "form_channel_hint")),
            element=ConversationSelectElement(
                action_id="channel",
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
    ]
    title = "form_title_edit" if form.programme_id is not None else "form_title_new"
    return View(
        type="modal",
        callback_id=PROGRAMME_MODAL,
        title=plain(_text(prompts, title), 24),
        submit=plain(_text(prompts, "form_save"), 24),
        close=plain(_text(prompts, "form_cancel"), 24),
        private_metadata=str(form.programme_id or ""),
        blocks=blocks,
    )


def _select(block: str, label: str, choices: tuple[tuple[str, str], ...], value: str) -> InputBlock:
    options = [Option(text=plain(text, 75), value=key) for key, text in choices]
    initial = next((o for o in options if o.value == value), options[0])
    return InputBlock(
        block_id=block,
        label=plain(label),
        element=StaticSelectElement(action_id=block, options=options, initial_option=initial),
    )


def schedule_inputs(form: ProgrammeForm, prompts: Prompts) -> list[Block]:
    """When rounds run (weekday, hour, time zone) and the check-in delay ("7d", "36h")."""
    choices = schedule_choices(form)
    return [
        _select("weekday", _text(prompts, "form_weekday"), choices.weekdays, str(form.weekday)),
        _select("hour", _text(prompts, "form_hour"), choices.hours, str(form.hour)),
        _select("timezone", _text(prompts, "form_timezone"), choices.timezones, form.timezone),
        InputBlock(
            block_id="checkin_delay",
            label=plain(_text(prompts, "form_checkin_delay")),
            hint=plain(_text(prompts, "form_checkin_delay_hint")),
            element=PlainTextInputElement(
                action_id="checkin_delay", initial_value=form.checkin_delay, max_length=20
            ),
        ),
    ]
