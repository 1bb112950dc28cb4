"""Slack retries an event it thinks we missed (`X-Slack-Retry-Num`); Bolt does not deduplicate.

Each `event_id` is recorded once in a small table of its own in our database, so a retry is
acknowledged and dropped even when another `crossties serve` process took the first delivery.
Rows older than a day are pruned as new ones arrive (Slack retries within minutes).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, insert, text
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.db.session import Database

metadata = MetaData()
seen_events = Table(
    "slack_seen_event",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)
KEEP = timedelta(days=1)
PRUNE_EVERY = 500


class SeenEvents:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._inserted = 0
        metadata.create_all(db.engine, checkfirst=True)

    def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen, in any process sharing the database."""
        now: datetime = self.clock.now()
        try:
            with self.db.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # A replay guard needs no flush to disk: this runs before every ack, and
                    # waiting for the WAL to reach the disk would set the pace of the server.
                    connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
                connection.execute(insert(seen_events).values(event_id=event_id[:64], seen_at=now))
        except IntegrityError:
            return False
        self._inserted += 1
        if self._inserted % PRUNE_EVERY == 0:
            with self.db.engine.begin() as connection:
                connection.execute(delete(seen_events).where(seen_events.c.seen_at < now - KEEP))
        return True
