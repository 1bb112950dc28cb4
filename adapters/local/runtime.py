"""Drives the core with the local platform: send events, drain the outbox, read inboxes."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.local.platform import LocalPlatform
from bot.core import Crossties, Reply
from bot.delivery import DeliveryStats, deliver_due
from bot.events import ActionInvoked, CommandReceived, UserRef


@dataclass
class LocalRuntime:
    core: Crossties
    workspace: str
    platform: LocalPlatform = field(default_factory=LocalPlatform)

    def user(self, user_id: str) -> UserRef:
        return UserRef("local", self.workspace, user_id)

    async def say(self, user_id: str, text: str) -> Reply:
        return await self.core.handle(CommandReceived(self.user(user_id), text))

    async def press(self, user_id: str, action: str, value: str) -> Reply:
        return await self.core.handle(ActionInvoked(self.user(user_id), action, value))

    async def deliver(self) -> DeliveryStats:
        """Send everything due now (repeat until nothing is left that is due)."""
        total = DeliveryStats()
        while True:
            stats = await deliver_due(self.core.db, {"local": self.platform}, self.core.clock)
            total.sent += stats.sent
            total.retried += stats.retried
            total.failed += stats.failed
            if stats.sent + stats.retried + stats.failed == 0:
                return total
