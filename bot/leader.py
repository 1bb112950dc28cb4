"""Which process schedules, and which processes are alive, when several servers share a database.

On PostgreSQL each `crossties serve` keeps one dedicated connection (`Presence`) holding
session advisory locks: one on its own delivery owner number (so others can tell it is
alive), and, for the one leader, the scheduler lock. When a process dies its connection
closes and PostgreSQL drops its locks at once; another process takes the scheduler lock at
its next try (every `retry` seconds) and releases the dead process's outbox rows.

On SQLite there is one process: it is always the leader and the only live owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import Connection, text

from bot.db.session import Database
from bot.scheduling.locks import SCHEDULER_LOCK, WORKER_LOCKS

log = logging.getLogger(__name__)


class Presence:
    """This process's dedicated connection and the locks it holds."""

    def __init__(self, db: Database, owner: int) -> None:
        self.db = db
        self.owner = owner
        self.shared = db.dialect == "postgresql"
        self._connection: Connection | None = None
        self._lock = asyncio.Lock()
        self.leading = False

    def _connect(self) -> None:
        connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(
            text("SELECT pg_advisory_lock(:ns, :id)"), {"ns": WORKER_LOCKS, "id": self.owner}
        )
        self._connection = connection

    def _drop(self) -> None:
        if self._connection is not None:
            # Release the locks before closing: a closed socket frees them only once the
            # server's backend has exited, which a busy server does a moment later.
            with contextlib.suppress(Exception):
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            with contextlib.suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
        self._connection = None
        self.leading = False

    async def start(self) -> None:
        if self.shared:
            async with self._lock:
                await asyncio.to_thread(self._connect)

    async def stop(self) -> None:
        if self.shared:
            async with self._lock:
                await asyncio.to_thread(self._drop)

    async def try_lead(self) -> bool:
        """Take the scheduler lock if nobody holds it; True while this process leads."""
        if not self.shared:
            self.leading = True
            return True

        def attempt() -> bool:
            if self._connection is None:
                self._connect()
            assert self._connection is not None
            if self.leading:  # still holding it? a broken connection raises here
                self._connection.execute(text("SELECT 1"))
                return True
            got = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:ns, :id)"),
                {"ns": SCHEDULER_LOCK[0], "id": SCHEDULER_LOCK[1]},
            ).scalar_one()
            return bool(got)

        async with self._lock:
            try:
                self.leading = await asyncio.to_thread(attempt)
            except Exception as exc:  # the connection broke: every lock it held is gone
                log.warning("lost the database connection holding our locks: %s", exc)
                await asyncio.to_thread(self._drop)
        return self.leading

    def is_alive(self, owner: int) -> bool:
        """Does a process still hold delivery owner `owner`? (Blocking; call off the loop.)"""
        if owner == self.owner:
            return True
        if not self.shared:
            return False  # one process on SQLite: any other owner is a previous run
        with self.db.engine.connect() as connection:
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:ns, :id)"), {"ns": WORKER_LOCKS, "id": owner}
            ).scalar_one()
            if got:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:ns, :id)"), {"ns": WORKER_LOCKS, "id": owner}
                )
            connection.commit()
        return not got


class DatabaseSlots:
    """Shared pacing (bot.pacing.SharedSlots) in PostgreSQL: one row per platform method and
    workspace holding its next free moment, booked atomically by whichever server calls."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def _book(self, key: str, interval: float) -> float:
        now = self.clock()
        with self.db.engine.begin() as connection:
            next_at = connection.execute(
                text(
                    "INSERT INTO pacingslot (key, next_at) VALUES (:key, :first) "
                    "ON CONFLICT (key) DO UPDATE "
                    "SET next_at = GREATEST(pacingslot.next_at, :now) + :interval "
                    "RETURNING next_at"
                ),
                {"key": key, "first": now + interval, "now": now, "interval": interval},
            ).scalar_one()
        return max(0.0, float(next_at) - interval - now)

    def _hold(self, key: str, seconds: float) -> None:
        until = self.clock() + max(0.0, seconds)
        with self.db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO pacingslot (key, next_at) VALUES (:key, :until) "
                    "ON CONFLICT (key) DO UPDATE "
                    "SET next_at = GREATEST(pacingslot.next_at, :until)"
                ),
                {"key": key, "until": until},
            )

    async def reserve(self, key: str, interval: float) -> float:
        return await asyncio.to_thread(self._book, key, interval)

    async def hold(self, key: str, seconds: float) -> None:
        await asyncio.to_thread(self._hold, key, seconds)


class Leadership:
    """Keeps trying to lead; starts the scheduler when elected and stops it when deposed."""

    def __init__(
        self,
        presence: Presence,
        on_elected: Callable[[], Awaitable[None]],
        on_deposed: Callable[[], Awaitable[None]],
        *,
        retry: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.presence = presence
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.retry = retry
        self.sleep = sleep
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def step(self) -> bool:
        """One try; returns whether this process leads afterwards."""
        now_leading = await self.presence.try_lead()
        if now_leading and not self.leading:
            log.info("this process now runs the scheduler")
            self.leading = True
            await self.on_elected()
        elif not now_leading and self.leading:
            log.warning("this process no longer runs the scheduler")
            self.leading = False
            await self.on_deposed()
        return self.leading

    async def run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                log.exception("leader election step failed")
            await self.sleep(self.retry)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="crossties-leader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.leading:
            self.leading = False
            await self.on_deposed()
