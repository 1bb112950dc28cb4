"""The neutral event model: what comes in from a platform and what goes out.

Adapters translate platform payloads into these frozen objects and render the outgoing
ones natively; no SDK type crosses into `bot/`. Text is plain (never markup): renderers
escape it for their platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

from bot.db.models import Answer
from bot.ids import CircleId, CircleTopicId, IntroductionId, ProgrammeId

Platform = Literal["slack", "teams", "local"]
PLATFORMS: tuple[Platform, ...] = ("slack", "teams", "local")


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person's account on one platform: (platform, workspace or tenant, user id)."""

    platform: Platform
    workspace: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.workspace}:{self.id}"


@dataclass(frozen=True, slots=True)
class ConversationRef:
    platform: Platform
    workspace: str
    id: str


# A mention inside typed words: the adapter's translate puts this mark where the mention was
# and the mentioned account, in order, in `CommandReceived.mentions`.
MENTION_MARK = "\ufffc"

# ---------------------------------------------------------------- inbound


@dataclass(frozen=True, slots=True)
class CommandReceived:
    """Words typed to the bot (`/crossties ...` in Slack, a message in Teams or the terminal)."""

    user: UserRef
    text: str
    display_name: str | None = None
    email: str | None = None
    conversation: ConversationRef | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    # The adapter's key for the request that carried this event: handled once (bot/core.py)
    request_key: str | None = field(default=None, compare=False, repr=False)
    mentions: tuple[UserRef, ...] = ()  # one per MENTION_MARK in `text`, in order
    dm_channel: str | None = None  # the words came in the bot's own direct chat with the user


@dataclass(frozen=True, slots=True)
class ActionInvoked:
    """A button or card action; `value` is the opaque string the bot put on it."""

    user: UserRef
    action: str
    value: str = ""
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    # The adapter's key for the request that carried this event: handled once (bot/core.py)
    request_key: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MemberJoined:
    """The bot met a person: app installed, joined a channel, roster sync."""

    user: UserRef
    display_name: str | None = None
    email: str | None = None
    conversation: ConversationRef | None = None
    address: str | None = None  # platform's proactive address (e.g. Teams conversation ref JSON)
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    # The adapter's key for the request that carried this event: handled once (bot/core.py)
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


@dataclass(frozen=True)
class ProgrammeForm:
    """What a coordinator fills in; `programme_id` is set when editing."""

    name: str
    organisations: tuple[str, ...]
    cadence: str = "fortnightly"
    group_size: int = 2
    cross_organisation: bool = True
    programme_id: ProgrammeId | None = None


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
class HomeOpened:
    """The person's own overview was opened (`refresh`: redrawn after something changed, which
    reads only and never meets the person again — they may just have been forgotten)."""

    user: UserRef
    _: KW_ONLY
    workspace_admin: bool = False
    refresh: bool = False
    dm_channel: str | None = None
    display_name: str | None = None
    email: str | None = None
    conversation: ConversationRef | None = None
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


# ---------------------------------------------------------------- problem circles


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


InboundEvent = (
    CommandReceived
    | ActionInvoked
    | MemberJoined
    | CheckInAnswered
    | PauseRequested
    | FormOpened
    | FormSubmitted
    | MembersListed
    | HomeOpened
    | ReachChanged
    | CircleJoinRequested
    | CircleCheckInAnswered
)


# ---------------------------------------------------------------- outbound


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str = ""
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Card:
    """A structured message; platforms render it natively, `fallback()` is plain text."""

    title: str
    sections: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, url)

    def fallback(self) -> str:
        lines = [self.title, *self.sections]
        lines += [f"{fact.label}: {fact.value}" for fact in self.facts]
        lines += [f"{label}: {url}" for label, url in self.links]
        if self.buttons:
            lines.append("Options: " + " · ".join(button.label for button in self.buttons))
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Image:
    title: str
    alt_text: str
    png: bytes = field(repr=False)
    filename: str = "chart.png"


Part = Text | Card | Image


@dataclass(frozen=True, slots=True)
class Message:
    parts: tuple[Part, ...]
    ephemeral: bool = False

    @staticmethod
    def text(text: str, *, ephemeral: bool = False) -> Message:
        return Message((Text(text),), ephemeral=ephemeral)

    def plain(self) -> str:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Text):
                out.append(part.text)
            elif isinstance(part, Card):
                out.append(part.fallback())
            else:
                out.append(f"[image: {part.title}]")
        return "\n".join(out)
