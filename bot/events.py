"""The neutral event model: what comes in from a platform and what goes out.

Adapters translate platform payloads into these frozen objects and render the outgoing
ones natively; no SDK type crosses into `bot/`. Text is plain (never markup): renderers
escape it for their platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

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


InboundEvent = CommandReceived | ActionInvoked | MemberJoined


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
