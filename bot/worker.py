"""Background work inside `crossties serve`: drains the outbox, woken when the core queues."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from bot.clock import Clock
from bot.db.session import Database
from bot.delivery import PlatformSender, deliver_due

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, PlatformSender],
        clock: Clock,
        *,
        interval: float = 2.0,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                stats = await deliver_due(self.db, self.senders, self.clock)
                if stats.sent or stats.retried or stats.failed:
                    continue  # more may be due
            except Exception:  # the database may be away for a while; keep going
                log.exception("delivery pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="crossties-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
