"""Unpacking: the typed event a button press stands for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.actions.pack import (
    ANOTHER_QUESTION,
    APPROVE,
    CHECKIN,
    CIRCLE_ACTIONS,
    CIRCLE_DECIDE,
    CIRCLE_JOIN,
    CIRCLE_STEP,
    COMMAND_BUTTONS,
    DECLINE,
    FORGET,
    FORM_ACTIONS,
    HOME_NEW_FORM,
    KEEP,
    MAX_CHANNEL_ID,
    MAX_PAGE,
    MAX_PAUSE_WEEKS,
    MOVE_ON,
    NEW_PROGRAMME,
    NEXT_ROUND,
    ON_MATCH,
    PAUSE,
    PAUSE_WEEKS,
    PREVIEW_PAGE,
    REPORT_SHARE,
    STEP,
    SUGGEST_TIME,
    TIME_OK,
)
from bot.db.models import Answer
from bot.events import (
    ActionInvoked,
    AnotherQuestionAsked,
    CheckInAnswered,
    CircleCheckInAnswered,
    CircleJoinRequested,
    CircleProposalDecided,
    CircleStepAnswered,
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
        if seconds not in ("", ON_MATCH):
            return None
        return AnotherQuestionAsked(event.user, introduction, on_match=bool(seconds), **common)
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


def _circle_step(event: ActionInvoked) -> CircleStepAnswered | None:
    head, _, answer = event.value.partition(":")
    if not (head.isascii() and head.isdigit() and len(head) <= 12) or answer not in ("yes", "no"):
        return None
    return CircleStepAnswered(event.user, CircleId(int(head)), answer == "yes", **_carried(event))


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
) -> (
    CircleJoinRequested | CircleCheckInAnswered | CircleProposalDecided | CircleStepAnswered | None
):
    if event.action == CIRCLE_DECIDE:
        return _circle_decide(event)
    if event.action == CIRCLE_STEP:
        return _circle_step(event)
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
