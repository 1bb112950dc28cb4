"""What leads send: a report shared to the channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from bot.events.refs import ConversationRef, UserRef
from bot.ids import ProgrammeId


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
