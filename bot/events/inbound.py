"""What comes in from anyone: typed words, a button press, a new member, Home opened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from bot.events.refs import ConversationRef, UserRef


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
