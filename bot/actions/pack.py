"""Packing: the action names and the values the bot puts on buttons (and the buttons)."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import Answer
from bot.events import (
    Button,
)

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


ON_MATCH = "match"  # "Another question" pressed on the `match` card, not the introduction


def another_question_button(label: str, introduction: int, *, on_match: bool = False) -> Button:
    """`on_match`: the button is on the `match` card, which is answered with that card again."""
    value = f"{introduction}:{ON_MATCH}" if on_match else str(introduction)
    return Button(label, ANOTHER_QUESTION, value)


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


# ---------------------------------------------------------------- problem circles

CIRCLE_JOIN = "circle_join"
CIRCLE_CHECKIN = "circle_checkin"
CIRCLE_DECIDE = "circle_decide"  # a coordinator's answer to a member's proposed topic
CIRCLE_STEP = "circle_step"  # "did it happen?" about a circle's next step
APPROVE, DECLINE = "approve", "decline"
CIRCLE_ACTIONS = frozenset({CIRCLE_JOIN, CIRCLE_CHECKIN, CIRCLE_DECIDE, CIRCLE_STEP})


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


def circle_step_buttons(circle: int, happened: str, not_yet: str) -> tuple[Button, ...]:
    """The two answers to "did it happen?" about a circle's next step, labelled by the caller."""
    return (
        Button(happened, CIRCLE_STEP, f"{circle}:yes", "primary"),
        Button(not_yet, CIRCLE_STEP, f"{circle}:no"),
    )


def circle_decide_buttons(topic: int, approve: str, decline: str) -> tuple[Button, ...]:
    """Approve / Decline on a proposed topic, labelled by the caller."""
    return (
        Button(approve, CIRCLE_DECIDE, f"{topic}:{APPROVE}", "primary"),
        Button(decline, CIRCLE_DECIDE, f"{topic}:{DECLINE}"),
    )
