"""The neutral event model: what comes in from a platform and what goes out.

Adapters translate platform payloads into these frozen objects and render the outgoing
ones natively; no SDK type crosses into `bot/`. Text is plain (never markup): renderers
escape it for their platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import datetime
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
class ReportShared:
    """A lead's "Share to channel" on a report sent to them alone: post it, for everyone
    there, in the conversation where they asked for it (`channel`, from the button)."""

    user: UserRef
    programme: ProgrammeId
    channel: ConversationRef
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
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
    """ "Another question" on an introduction: swap its conversation starter."""

    user: UserRef
    introduction: IntroductionId
    _: KW_ONLY
    display_name: str | None = None
    conversation: ConversationRef | None = None
    message_id: str | None = None
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
    | StepAnswered
    | PauseRequested
    | NextRoundChosen
    | FormOpened
    | FormSubmitted
    | MembersListed
    | HomeOpened
    | ReachChanged
    | ReportShared
    | PreviewPageAsked
    | AnotherQuestionAsked
    | TimesRequested
    | TimeChosen
    | CircleJoinRequested
    | CircleCheckInAnswered
    | CircleProposalDecided
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
class GroupChat:
    """A link to open a group chat with some of the people a card is about, which the platform
    completes for each reader with the names it keeps for the others (Teams: their sign-in
    names, else an email they share); `people` are person ids, `greeting` is typed in."""

    label: str
    topic: str
    greeting: str
    people: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Card:
    """A structured message; platforms render it natively, `fallback()` is plain text."""

    title: str
    sections: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, url)
    choices: ChoiceList | None = None  # set: the buttons are offered as one list to pick from
    chat: GroupChat | None = None  # drawn only where the platform can open such a chat

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
class ChoiceList:
    """A card's buttons (all one action) offered as one list, e.g. which organisation to
    join: `placeholder` says what to pick, `submit` labels the button that sends the pick
    where a platform needs one."""

    placeholder: str
    submit: str


@dataclass(frozen=True, slots=True)
class Image:
    title: str
    alt_text: str
    png: bytes = field(repr=False)
    filename: str = "chart.png"
    # The same picture for a narrow card, as separate panels each drawn at the size a card
    # shows it (no resampling there); empty when the picture suits every width.
    panels: tuple[Image, ...] = field(default=(), repr=False)


Part = Text | Card | Image


@dataclass(frozen=True, slots=True)
class Share:
    """How the asker may share a private message with the conversation they asked in."""

    button: Button
    note: str  # says that only they see it, and what the button does


@dataclass(frozen=True, slots=True)
class Message:
    """What is said. Where it goes, by intent:
    - `ephemeral`: a passing answer for the asker alone;
    - `private`: for the asker alone, and meant to be kept (a report): in their own direct chat
      with the bot it is an ordinary message; anywhere others could see it, only the asker
      does (Slack: ephemeral, files in their DM; Teams: their 1:1 chat);
    - `post_to`: posted in that conversation for everyone in it, not as an answer (a report a
      lead shared);
    - none of these: answered where the event came from, for all there to see.
    """

    parts: tuple[Part, ...]
    ephemeral: bool = False
    private: bool = False
    post_to: ConversationRef | None = None
    share: Share | None = None  # offered with a private message delivered somewhere shared

    def offering_share(self) -> Message:
        """The message as delivered privately where others are: its first card ends with the
        share note and button (in the asker's own chat there is nobody to share with)."""
        if self.share is None:
            return self
        parts = list(self.parts)
        for index, part in enumerate(parts):
            if isinstance(part, Card):
                parts[index] = replace(
                    part,
                    sections=(*part.sections, self.share.note),
                    buttons=(*part.buttons, self.share.button),
                )
                break
        return replace(self, parts=tuple(parts), share=None)

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
