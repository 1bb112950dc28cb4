"""What members do with an introduction, a check-in or a problem circle: answers,
pauses, another question, times to meet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from typing import Any

from bot.db.models import Answer
from bot.events.refs import ConversationRef, UserRef
from bot.ids import CircleId, CircleTopicId, IntroductionId, ProgrammeId


@dataclass(frozen=True, slots=True)
class StepAnswered:
    """ "Did it happen?" answered for the next step a group agreed (a button on the question)."""

    user: UserRef
    introduction: IntroductionId
    happened: bool
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CheckInAnswered:
    """ "Did you meet?" answered for one introduction (a button on it)."""

    user: UserRef
    introduction: IntroductionId
    answer: Answer
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NextRoundChosen:
    """After "couldn't meet": keep the group for the next round, or move on."""

    user: UserRef
    introduction: IntroductionId
    keep: bool
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PauseRequested:
    """A pause button: `programme` None on older cards that did not name it."""

    user: UserRef
    weeks: int
    programme: ProgrammeId | None = None
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ReachChanged:
    """What the bot learnt about reaching a person: it can (again) or can no longer write to
    them (the app was installed for them or removed), or it found its direct chat with them."""

    user: UserRef
    reachable: bool | None = None
    _: KW_ONLY
    dm_channel: str | None = None
    display_name: str | None = None
    conversation: ConversationRef | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AnotherQuestionAsked:
    """ "Another question" on an introduction (or on the `match` card: `on_match`): swap its
    conversation starter."""

    user: UserRef
    introduction: IntroductionId
    _: KW_ONLY
    on_match: bool = False
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TimesRequested:
    """ "Suggest a time" on an introduction: offer the group a few concrete times."""

    user: UserRef
    introduction: IntroductionId
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TimeChosen:
    """ "Works for me" on one of the suggested times."""

    user: UserRef
    introduction: IntroductionId
    at: datetime
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CircleJoinRequested:
    """The Join button on a circle topic's card."""

    user: UserRef
    topic: CircleTopicId
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CircleStepAnswered:
    """ "Did it happen?" answered for the next step a circle agreed (a button on the question)."""

    user: UserRef
    circle: CircleId
    happened: bool
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CircleCheckInAnswered:
    """ "Did your circle meet?" answered for one circle (a button on its check-in)."""

    user: UserRef
    circle: CircleId
    answer: Answer
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)
