"""Background delivery inside `crossties serve`: keeps up to `concurrency` sends in flight,
claiming more as sends finish, woken at once when the core queues something."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.db.session import Database
from bot.delivery import DEFAULT_CONCURRENCY, Delivery, PlatformSender
from bot.observe import UNWATCHED, Observer

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, PlatformSender],
        clock: Clock,
        *,
        interval: float = 2.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        owner: int | None = None,
        is_alive: Callable[[int], bool] | None = None,
        orphan_check: float = 10.0,
        observer: Observer = UNWATCHED,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.interval = interval
        self.observer = observer
        self.delivery = Delivery(
            db, senders, clock, owner=owner, concurrency=concurrency, observer=observer
        )
        self.is_alive = is_alive
        self.orphan_check = orphan_check
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[object]] = set()

    @property
    def owner(self) -> int:
        return self.delivery.owner

    async def wake(self) -> None:
        self._wake.set()

    async def _release_dead(self) -> None:
        if self.is_alive is None:
            return
        is_alive = self.is_alive
        await self.delivery.release_dead(is_alive)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last_orphan_check = float("-inf")
        last_renewal = loop.time()
        renew_every = max(1.0, self.delivery.lease.total_seconds() / 4)
        concurrency = self.delivery.concurrency
        batch = max(1, concurrency // 8)
        while True:
            try:
                if loop.time() - last_orphan_check >= self.orphan_check:
                    last_orphan_check = loop.time()
                    await self._release_dead()
                if self._in_flight and loop.time() - last_renewal >= renew_every:
                    last_renewal = loop.time()
                    await self.delivery.renew_leases()  # long waits (pacing) keep their rows
                free = concurrency - len(self._in_flight)
                if free >= batch or not self._in_flight:
                    rows = await self.delivery.claim(free)
                    for row in rows:
                        task: asyncio.Task[object] = asyncio.create_task(
                            self.delivery.send_one(row)
                        )
                        self._in_flight.add(task)
            except Exception as error:  # the database may be away for a while; keep going
                log.exception("delivery pass failed")
                if isinstance(error, SQLAlchemyError):
                    self.observer.database_error("delivery")
            waker = asyncio.create_task(self._wake.wait())
            done, _ = await asyncio.wait(
                {*self._in_flight, waker},
                timeout=self.interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
            waker.cancel()
            self._wake.clear()
            for task in done:
                if task is waker:
                    continue
                self._in_flight.discard(task)
                if not task.cancelled() and task.exception() is not None:
                    log.error("send task failed: %r", task.exception())

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="crossties-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        self._in_flight.clear()
