"""Everything `crossties serve` runs in the background, wired together.

Every process delivers; one process (the leader) also schedules. On PostgreSQL the leader is
whoever holds the scheduler advisory lock; the others try again every `leader_retry_seconds`
and take over within that time of the leader's death. On SQLite there is one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping

from bot.clock import Clock
from bot.config import Settings
from bot.db.session import Database
from bot.delivery import PlatformSender
from bot.leader import Leadership, Presence, live_processes
from bot.pacing import share_limits_among
from bot.scheduling.service import SchedulerService
from bot.templates import Prompts
from bot.worker import DeliveryWorker

log = logging.getLogger(__name__)


class BackgroundWork:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        prompts: Prompts,
        senders: Mapping[str, PlatformSender],
    ) -> None:
        owner = random.SystemRandom().randrange(1, 2**31 - 1)
        self.presence = Presence(db, owner)
        shared = self.presence.shared
        self.worker = DeliveryWorker(
            db,
            senders,
            clock,
            concurrency=settings.delivery_concurrency,
            owner=owner,
            is_alive=self.presence.is_alive,
            # SQLite has one process: rows of earlier runs are released once, at start.
            orphan_check=10.0 if shared else float("inf"),
        )
        self.scheduler = SchedulerService(
            db, clock, prompts, notify=self.worker.wake, interval=settings.scheduler_interval
        )
        self.leadership = Leadership(
            self.presence,
            self._elected,
            self._deposed,
            retry=settings.leader_retry_seconds,
        )
        self.scheduling = settings.scheduler_enabled
        self._sharing: asyncio.Task[None] | None = None

    async def _share_limits(self) -> None:
        """Keep this process to its share of the platforms' limits, every 10 seconds."""
        while True:
            try:
                share_limits_among(await asyncio.to_thread(live_processes, self.presence.db))
            except Exception:
                log.warning("could not count the delivering processes", exc_info=True)
            await asyncio.sleep(10.0)

    async def _elected(self) -> None:
        self.scheduler.start()

    async def _deposed(self) -> None:
        self.scheduler.stop()

    async def start(self) -> None:
        await self.presence.start()
        if self.presence.shared:
            self._sharing = asyncio.create_task(self._share_limits(), name="crossties-share")
        self.worker.start()
        if self.scheduling:
            self.leadership.start()
        log.info(
            "background work started (delivery owner %d%s)",
            self.worker.owner,
            ", scheduler election on" if self.scheduling else "",
        )

    async def stop(self) -> None:
        if self._sharing is not None:
            self._sharing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sharing
        await self.leadership.stop()
        await self.worker.stop()
        await self.presence.stop()
