"""Everything `crossties serve` runs in the background, wired together.

Every process delivers; one process (the leader) also schedules. On PostgreSQL the leader is
whoever holds the scheduler advisory lock; the others try again every `leader_retry_seconds`
and take over within that time of the leader's death. On SQLite there is one process.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence

from bot.clock import Clock
from bot.config import Settings
from bot.db.session import Database
from bot.delivery import PlatformSender
from bot.health import Health, PartState
from bot.leader import DatabaseSlots, Leadership, Presence
from bot.observe import UNWATCHED, Observer
from bot.pacing import Pacer
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
        pacers: Sequence[Pacer] = (),
        *,
        health: Health | None = None,
        observer: Observer = UNWATCHED,
    ) -> None:
        self.observer = observer
        self.pacers = tuple(pacers)
        for pacer in self.pacers:
            pacer.observe(observer)
        self.health = health or Health()
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
            observer=observer,
        )
        self.scheduler = SchedulerService(
            db,
            clock,
            prompts,
            notify=self.worker.wake,
            interval=settings.scheduler_interval,
            note_retention_days=settings.note_retention_days,
            observer=observer,
        )
        self.leadership = Leadership(
            self.presence,
            self._elected,
            self._deposed,
            retry=settings.leader_retry_seconds,
        )
        self.scheduling = settings.scheduler_enabled

    async def _elected(self) -> None:
        self.scheduler.start()
        self.health.set("scheduler", PartState.UP)
        self.observer.leading(True)

    async def _deposed(self) -> None:
        self.scheduler.stop()
        self.health.set("scheduler", PartState.STANDBY)
        self.observer.leading(False)

    async def start(self) -> None:
        await self.presence.start()
        if self.presence.shared:  # several servers book their calls in one place
            slots = DatabaseSlots(self.presence.db)
            for pacer in self.pacers:
                pacer.share_through(slots)
        self.worker.start()
        self.health.set("delivery", PartState.UP)
        if self.scheduling:
            self.health.set("scheduler", PartState.STANDBY)
            self.leadership.start()
        else:
            self.health.set("scheduler", PartState.OFF)
        log.info(
            "background work started (delivery owner %d%s)",
            self.worker.owner,
            ", scheduler election on" if self.scheduling else "",
        )

    async def stop(self) -> None:
        for pacer in self.pacers:
            pacer.share_through(None)
        await self.leadership.stop()
        await self.worker.stop()
        await self.presence.stop()
