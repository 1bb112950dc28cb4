"""What coordinators send: the programme form, a team's member list, a preview page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from bot.events.refs import ConversationRef, UserRef
from bot.ids import CircleTopicId, ProgrammeId


@dataclass(frozen=True)
class ProgrammeForm:
    """What a coordinator fills in; `programme_id` is set when editing."""

    name: str
    organisations: tuple[str, ...]
    cadence: str = "fortnightly"
    group_size: int = 2
    cross_organisation: bool = True
    programme_id: ProgrammeId | None = None
    # When rounds run (the weekday 0 = Monday, the hour on the clock in `timezone`) and how
    # long after an introduction the check-in comes, as a short duration ("7d", "36h", "10m").
    weekday: int = 0
    hour: int = 9
    timezone: str = "Europe/London"
    checkin_delay: str = "7d"
    # Whether members may propose circle topics (each opens once a coordinator approves it);
    # None from a form that did not ask (an older card), which leaves the setting as it is.
    circle_proposals: bool | None = False


def split_organisations(text: str) -> tuple[str, ...]:
    """One organisation per line (commas also separate)."""
    names = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return tuple(name for name in names if name)


@dataclass(frozen=True, slots=True)
class FormOpened:
    """The programme form asked for: blank (`programme` None) or to edit one programme.

    `admin_known` says whether the platform tells who administers the workspace (Slack does,
    Teams does not); `workspace_admin` is what it said."""

    user: UserRef
    programme: ProgrammeId | None = None
    _: KW_ONLY
    workspace_admin: bool | None = False  # None: the platform says only on saving
    admin_known: bool = True
    display_name: str | None = None
    conversation: ConversationRef | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FormSubmitted:
    """A filled-in programme form."""

    user: UserRef
    form: ProgrammeForm
    _: KW_ONLY
    workspace_admin: bool = False
    admin_known: bool = True
    display_name: str | None = None
    conversation: ConversationRef | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListedMember:
    """A member of a chat channel or team, as the platform describes them."""

    user_id: str
    display_name: str | None
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class MembersListed:
    """A coordinator asked to invite everyone in a channel or team to a programme."""

    user: UserRef
    programme: ProgrammeId
    members: tuple[ListedMember, ...]
    _: KW_ONLY
    admin_known: bool = True
    display_name: str | None = None
    conversation: ConversationRef | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PreviewPageAsked:
    """Another page of a round preview (a button on the preview)."""

    user: UserRef
    programme: ProgrammeId
    page: int
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CircleProposalDecided:
    """Approve or Decline on a member's proposed circle topic (a coordinator's card)."""

    user: UserRef
    topic: CircleTopicId
    approve: bool
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    request_key: str | None = field(default=None, compare=False, repr=False)
