"""Slack's replay guard: each request is handled once, by one process, however often it comes.

Slack retries an event it thinks we missed (`X-Slack-Retry-Num`), re-signed but with the same
`event_id`; a slash command or a click carries no id, so a signed request replayed inside the
5-minute signature window is known by its (timestamp, signature) pair. Bolt deduplicates
neither.

Two layers, so that the acknowledgement never waits for the database:

- `seen_here` (before the ack): a bounded in-memory record of this process's recent keys.
  A repeat to the same process is acknowledged and dropped at once.
- `claim` (after the ack, before any work): the key is written to a small table of its own;
  the row's primary key decides which process handles a request sent to several. Claims
  arriving together share one `INSERT … ON CONFLICT DO NOTHING RETURNING`, so under load the
  database sees one statement per batch rather than one transaction per request.

Rows older than a day are pruned as new ones arrive (Slack retries within minutes, and a
signature is refused after five).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.db.session import Database

log = logging.getLogger(__name__)

metadata = MetaData()
seen_events = Table(
    "slack_seen_event",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)
KEEP = timedelta(days=1)
PRUNE_EVERY = 500
REMEMBER_S = 6 * 60.0  # Slack refuses a signature older than 5 minutes
REMEMBER_AT_MOST = 200_000  # keys kept in memory (~40 MB); the table is the authority
BATCH_AT_MOST = 500  # keys in one INSERT


class SeenEvents:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._inserted = 0
        self._recent: OrderedDict[str, float] = OrderedDict()
        self._waiting: list[tuple[str, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        metadata.create_all(db.engine, checkfirst=True)

    def seen_here(self, key: str) -> bool:
        """True if this process already had this key recently; records it otherwise. No I/O:
        this runs before the ack."""
        now = time.monotonic()
        recent = self._recent
        while recent:
            oldest, at = next(iter(recent.items()))
            if now - at < REMEMBER_S and len(recent) < REMEMBER_AT_MOST:
                break
            del recent[oldest]
        if key in recent:
            return True
        recent[key] = now
        return False

    async def claim(self, key: str) -> bool:
        """True if this process is the first, of all sharing the database, to claim the key.
        When the database cannot tell (it is down), the request is handled: the core then
        answers that it cannot act just now, so nothing can be done twice."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((key[:64], future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        """Writes waiting claims in batches until none are left; claims that arrive while a
        batch is being written go in the next one."""
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH_AT_MOST], self._waiting[BATCH_AT_MOST:]
            keys = [key for key, _ in batch]
            try:
                new = await asyncio.to_thread(self.first_times, keys)
            except SQLAlchemyError as error:
                log.warning("could not check for repeated Slack requests: %s", type(error).__name__)
                new = set(keys)
            for key, future in batch:
                if not future.done():
                    future.set_result(key in new)
                new.discard(key)  # the same key twice in one batch: only the first is new

    def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen, in any process sharing the database."""
        return event_id[:64] in self.first_times([event_id])

    def first_times(self, keys: Iterable[str]) -> set[str]:
        """The keys not seen before by any process sharing the database, now recorded."""
        now: datetime = self.clock.now()
        unique = list(dict.fromkeys(key[:64] for key in keys))
        if not unique:
            return set()
        rows = [{"event_id": key, "seen_at": now} for key in unique]
        with self.db.engine.begin() as connection:
            statement: postgresql.Insert | sqlite.Insert
            if connection.dialect.name == "postgresql":
                # A replay guard needs no flush to disk: losing the last few hundred
                # milliseconds of it in a database crash costs nothing.
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
                statement = postgresql.insert(seen_events).on_conflict_do_nothing()
            else:
                statement = sqlite.insert(seen_events).on_conflict_do_nothing()
            new = connection.execute(statement.returning(seen_events.c.event_id), rows)
            fresh = set(new.scalars().all())
        before, self._inserted = self._inserted, self._inserted + len(fresh)
        if before // PRUNE_EVERY != self._inserted // PRUNE_EVERY:
            with self.db.engine.begin() as connection:
                connection.execute(delete(seen_events).where(seen_events.c.seen_at < now - KEEP))
        return fresh
