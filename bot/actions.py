"""The one codec for button and card values: what the bot puts on a button, and the typed
event a press of it becomes. Renderers carry values as opaque strings; nothing else reads them.

A press arrives as `ActionInvoked(action, value)`; `decode` turns it into `CheckInAnswered`,
`NextRoundChosen`, `PauseRequested`, `FormOpened` or the command the button stands for
(`join …`, `leave`, …).
A value that cannot be read decodes to None, and the core answers "couldn't follow that".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.db.models import Answer
from bot.events import (
    ActionInvoked,
    AnotherQuestionAsked,
    Button,
    CheckInAnswered,
    CircleCheckInAnswered,
    CircleJoinRequested,
    CircleProposalDecided,
    CommandReceived,
    ConversationRef,
    FormOpened,
    InboundEvent,
    NextRoundChosen,
    PauseRequested,
    PreviewPageAsked,
    ReportShared,
    StepAnswered,
    TimeChosen,
    TimesRequested,
)
from bot.ids import CircleId, CircleTopicId, IntroductionId, ProgrammeId

CHECKIN = "checkin"
NEXT_ROUND = "next_round"  # after "couldn't meet": keep the group, or move on
KEEP, MOVE_ON = "keep", "move_on"
PAUSE = "pause"
FORGET = "forget"
JOIN = "join"
PROGRAMME_FORM = "programme_form"
# The form buttons of Slack's App Home (older names of PROGRAMME_FORM, still on drawn homes).
HOME_EDIT_FORM = "programme edit"
HOME_NEW_FORM = "programme new"
REPORT_SHARE = "report_share"
PREVIEW_PAGE = "preview_page"
MAX_PAGE = 10_000
MAX_CHANNEL_ID = 500
FORM_ACTIONS = frozenset({PROGRAMME_FORM, HOME_EDIT_FORM, HOME_NEW_FORM})
NEW_PROGRAMME = "new"
# The introduction's own buttons: another starter, times to meet, one of them chosen.
ANOTHER_QUESTION = "another_question"
SUGGEST_TIME = "suggest_time"
TIME_OK = "time_ok"
PAUSE_WEEKS = 4
MAX_PAUSE_WEEKS = 52
# Buttons that stand for the words of a command: the value is the rest of the command.
COMMAND_BUTTONS = frozenset(
    {
        "join",
        "resume",
        "leave",
        "help",
        "ties",
        "match",
        "report",
        "round preview",
        "round run",
        "profile",
        "step",
    }
)


# ---------------------------------------------------------------- packing


def checkin_value(introduction: int, answer: Answer) -> str:
    return f"{introduction}:{answer.value}"


def pause_value(programme: int | None, weeks: int = PAUSE_WEEKS) -> str:
    """`weeks:programme id`, so the press needs no "which programme?"."""
    return f"{weeks}:{programme}" if programme is not None else str(weeks)


def form_value(programme: int | None) -> str:
    return str(programme) if programme is not None else NEW_PROGRAMME


def programme_suffix(programme: str) -> str:
    """The words that name a programme on a command button."""
    return f"--programme {programme}"


def join_value(organisation: str, programme: str) -> str:
    return f"{organisation} {programme_suffix(programme)}"


def forget_button(label: str) -> Button:
    return Button(label, FORGET, "confirm", "danger")


def pause_button(label: str, programme: int | None) -> Button:
    return Button(label, PAUSE, pause_value(programme))


def form_button(label: str, programme: int | None, style: str = "default") -> Button:
    assert style in ("default", "primary", "danger")
    return Button(label, PROGRAMME_FORM, form_value(programme), style)  # type: ignore[arg-type]


def checkin_buttons(
    introduction: int, met: str, not_yet: str, could_not_meet: str
) -> tuple[Button, ...]:
    """The three answers to "did you meet?", labelled by the caller."""
    return (
        Button(met, CHECKIN, checkin_value(introduction, Answer.MET), "primary"),
        Button(not_yet, CHECKIN, checkin_value(introduction, Answer.NOT_YET)),
        Button(could_not_meet, CHECKIN, checkin_value(introduction, Answer.COULD_NOT_MEET)),
    )


def share_report_button(label: str, programme: int, channel: str) -> Button:
    """ "Share to channel" on a report sent privately: which programme, and where it was asked."""
    return Button(label, REPORT_SHARE, f"{programme}:{channel}", "primary")


def preview_page_button(label: str, programme: int, page: int) -> Button:
    return Button(label, PREVIEW_PAGE, f"{programme}:{page}")


def another_question_button(label: str, introduction: int) -> Button:
    return Button(label, ANOTHER_QUESTION, str(introduction))


def suggest_time_button(label: str, introduction: int) -> Button:
    return Button(label, SUGGEST_TIME, str(introduction))


def time_value(introduction: int, at: datetime) -> str:
    """`introduction:epoch seconds` of a suggested time."""
    return f"{introduction}:{int(at.timestamp())}"


def time_button(label: str, introduction: int, at: datetime) -> Button:
    return Button(label, TIME_OK, time_value(introduction, at))


def next_round_value(introduction: int, keep: bool) -> str:
    return f"{introduction}:{KEEP if keep else MOVE_ON}"


def next_round_buttons(introduction: int, keep: str, move_on: str) -> tuple[Button, ...]:
    """The two choices after "couldn't meet", labelled by the caller."""
    return (
        Button(keep, NEXT_ROUND, next_round_value(introduction, True)),
        Button(move_on, NEXT_ROUND, next_round_value(introduction, False)),
    )


def answer_of(button: Button) -> str | None:
    """The answer or choice a check-in button stands for ("met", "keep", …); None for others."""
    if button.action not in (CHECKIN, NEXT_ROUND):
        return None
    return button.value.partition(":")[2] or None


STEP = "step_check"


def next_step_button(label: str) -> Button:
    """ "We agreed a next step": the press asks for the step's one line."""
    return Button(label, "step", "")


def step_buttons(introduction: int, happened: str, not_yet: str) -> tuple[Button, ...]:
    """The two answers to "did it happen?" about a group's next step, labelled by the caller."""
    return (
        Button(happened, STEP, f"{introduction}:yes", "primary"),
        Button(not_yet, STEP, f"{introduction}:no"),
    )


# ---------------------------------------------------------------- unpacking


def _step(event: ActionInvoked) -> StepAnswered | None:
    head, _, answer = event.value.partition(":")
    if not (head.isascii() and head.isdigit()) or answer not in ("yes", "no"):
        return None
    return StepAnswered(
        event.user,
        IntroductionId(int(head)),
        answer == "yes",
        **_carried(event),
    )


def form_target(value: str) -> ProgrammeId | None:
    """The programme a form value names: an id, or None for a new programme; ValueError for
    anything else."""
    value = value.strip()
    if value in ("", NEW_PROGRAMME):
        return None
    if not value.isdigit():
        raise ValueError(value)
    return ProgrammeId(int(value))


def _checkin(event: ActionInvoked) -> CheckInAnswered | None:
    head, _, answer = event.value.partition(":")
    try:
        introduction = IntroductionId(int(head))
        chosen = Answer(answer)
    except ValueError:
        return None
    return CheckInAnswered(
        event.user,
        introduction,
        chosen,
        **_carried(event),
    )


def _next_round(event: ActionInvoked) -> NextRoundChosen | None:
    head, _, choice = event.value.partition(":")
    if not (head.isascii() and head.isdigit()) or choice not in (KEEP, MOVE_ON):
        return None
    return NextRoundChosen(
        event.user,
        IntroductionId(int(head)),
        choice == KEEP,
        **_carried(event),
    )


def _pause(event: ActionInvoked) -> PauseRequested | None:
    weeks_text, named, programme_text = event.value.partition(":")
    weeks_text = weeks_text or str(PAUSE_WEEKS)
    if not (weeks_text.isascii() and weeks_text.isdigit() and len(weeks_text) <= 2):
        return None
    weeks = max(1, min(MAX_PAUSE_WEEKS, int(weeks_text)))
    programme: ProgrammeId | None = None
    if named:  # "weeks:programme id"; a bare "weeks" from older cards
        if not (programme_text.isascii() and programme_text.isdigit()):
            return None
        programme = ProgrammeId(int(programme_text))
    return PauseRequested(
        event.user,
        weeks,
        programme,
        **_carried(event),
    )


def _form(event: ActionInvoked) -> FormOpened | None:
    try:
        programme = None if event.action == HOME_NEW_FORM else form_target(event.value)
    except ValueError:
        return None
    return FormOpened(
        event.user,
        programme,
        display_name=event.display_name,
        conversation=event.conversation,
        raw=event.raw,
        request_key=event.request_key,
    )


def _introduction_id(text: str) -> IntroductionId | None:
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return None
    return IntroductionId(int(text))


def _introduction(event: ActionInvoked) -> InboundEvent | None:
    """Another question, suggest a time, or a suggested time that works."""
    head, _, seconds = event.value.partition(":")
    introduction = _introduction_id(head)
    if introduction is None:
        return None
    common = _carried(event)
    if event.action == ANOTHER_QUESTION:
        return AnotherQuestionAsked(event.user, introduction, **common)
    if event.action == SUGGEST_TIME:
        return TimesRequested(event.user, introduction, **common)
    if not (seconds.isascii() and seconds.isdigit() and len(seconds) <= 12):
        return None
    at = datetime.fromtimestamp(int(seconds), UTC)
    return TimeChosen(event.user, introduction, at, **common)


def _command(event: ActionInvoked, text: str) -> CommandReceived:
    return CommandReceived(
        event.user,
        text,
        display_name=event.display_name,
        conversation=event.conversation,
        raw=event.raw,
        request_key=event.request_key,
    )


def _share(event: ActionInvoked) -> ReportShared | None:
    head, _, channel = event.value.partition(":")
    if not (head.isascii() and head.isdigit()) or not channel or len(channel) > MAX_CHANNEL_ID:
        return None
    if any(ch.isspace() for ch in channel):
        return None
    user = event.user
    return ReportShared(
        user,
        ProgrammeId(int(head)),
        ConversationRef(user.platform, user.workspace, channel),
        **_carried(event),
    )


def _preview_page(event: ActionInvoked) -> PreviewPageAsked | None:
    head, _, page = event.value.partition(":")
    if not all(part.isascii() and part.isdigit() and len(part) <= 12 for part in (head, page)):
        return None
    return PreviewPageAsked(
        event.user,
        ProgrammeId(int(head)),
        max(1, min(MAX_PAGE, int(page))),
        **_carried(event),
    )


def _carried(event: ActionInvoked) -> dict[str, Any]:
    """What every event decoded from a press keeps of the press: who it was shown as, where it
    happened, the message it was on, and the raw payload and request key."""
    return {
        "display_name": event.display_name,
        "conversation": event.conversation,
        "message_id": event.message_id,
        "raw": event.raw,
        "request_key": event.request_key,
    }


def decode(event: ActionInvoked) -> InboundEvent | None:
    """The typed event a button press stands for; None when its value cannot be read."""
    if event.action == REPORT_SHARE:
        return _share(event)
    if event.action == PREVIEW_PAGE:
        return _preview_page(event)
    if event.action == CHECKIN:
        return _checkin(event)
    if event.action == NEXT_ROUND:
        return _next_round(event)
    if event.action == STEP:
        return _step(event)
    if event.action == PAUSE:
        return _pause(event)
    if event.action in FORM_ACTIONS:
        return _form(event)
    if event.action in (ANOTHER_QUESTION, SUGGEST_TIME, TIME_OK):
        return _introduction(event)
    if event.action == FORGET:
        return _command(event, "forget me confirm") if event.value == "confirm" else None
    if event.action in COMMAND_BUTTONS:
        return _command(event, event.action + (f" {event.value}" if event.value else ""))
    if event.action in CIRCLE_ACTIONS:
        return _circle(event)
    return None


def with_key(event: InboundEvent, key: str | None) -> InboundEvent:
    """The event carrying the adapter's key for its request."""
    return replace(event, request_key=key)


# ---------------------------------------------------------------- problem circles

CIRCLE_JOIN = "circle_join"
CIRCLE_CHECKIN = "circle_checkin"
CIRCLE_DECIDE = "circle_decide"  # a coordinator's answer to a member's proposed topic
APPROVE, DECLINE = "approve", "decline"
CIRCLE_ACTIONS = frozenset({CIRCLE_JOIN, CIRCLE_CHECKIN, CIRCLE_DECIDE})


def circle_join_button(label: str, topic: int) -> Button:
    return Button(label, CIRCLE_JOIN, str(topic), "primary")


def circle_checkin_buttons(
    circle: int, met: str, not_yet: str, could_not_meet: str
) -> tuple[Button, ...]:
    """The three answers to "did your circle meet?", labelled by the caller."""
    return (
        Button(met, CIRCLE_CHECKIN, checkin_value(circle, Answer.MET), "primary"),
        Button(not_yet, CIRCLE_CHECKIN, checkin_value(circle, Answer.NOT_YET)),
        Button(could_not_meet, CIRCLE_CHECKIN, checkin_value(circle, Answer.COULD_NOT_MEET)),
    )


def circle_decide_buttons(topic: int, approve: str, decline: str) -> tuple[Button, ...]:
    """Approve / Decline on a proposed topic, labelled by the caller."""
    return (
        Button(approve, CIRCLE_DECIDE, f"{topic}:{APPROVE}", "primary"),
        Button(decline, CIRCLE_DECIDE, f"{topic}:{DECLINE}"),
    )


def _circle_decide(event: ActionInvoked) -> CircleProposalDecided | None:
    head, _, choice = event.value.partition(":")
    if not (head.isascii() and head.isdigit() and len(head) <= 12) or choice not in (
        APPROVE,
        DECLINE,
    ):
        return None
    return CircleProposalDecided(
        event.user, CircleTopicId(int(head)), choice == APPROVE, **_carried(event)
    )


def _circle(
    event: ActionInvoked,
) -> CircleJoinRequested | CircleCheckInAnswered | CircleProposalDecided | None:
    if event.action == CIRCLE_DECIDE:
        return _circle_decide(event)
    if event.action == CIRCLE_JOIN:
        value = event.value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 12):
            return None
        return CircleJoinRequested(
            event.user,
            CircleTopicId(int(value)),
            **_carried(event),
        )
    head, _, answer = event.value.partition(":")
    if not (head.isascii() and head.isdigit() and len(head) <= 12):
        return None
    try:
        chosen = Answer(answer)
    except ValueError:
        return None
    return CircleCheckInAnswered(
        event.user,
        CircleId(int(head)),
        chosen,
        **_carried(event),
    )
