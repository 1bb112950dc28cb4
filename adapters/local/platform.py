"""The local platform: an in-process chat that records everything sent (demo, tests, terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.delivery import PermanentSendError, Sent
from bot.events import Message

WORKSPACE = "local"


@dataclass(frozen=True)
class Delivered:
    workspace: str
    recipients: tuple[str, ...]
    message: Message
    key: str
    channel: str


@dataclass
class LocalPlatform:
    """Implements the core's PlatformSender. Group introductions go to one shared chat."""

    delivered: list[Delivered] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)

    async def send(
        self, workspace: str, recipients: Sequence[str], message: Message, *, key: str
    ) -> Sent:
        gone = [r for r in recipients if r in self.unreachable]
        if gone:
            raise PermanentSendError("user unreachable", unreachable_users=gone)
        channel = "group:" + "+".join(sorted(recipients))
        self.delivered.append(Delivered(workspace, tuple(recipients), message, key, channel))
        return Sent(channel=channel, message_id=str(len(self.delivered)))

    def inbox(self, user_id: str) -> list[Message]:
        return [d.message for d in self.delivered if user_id in d.recipients]
