"""Claiming outbox rows with a lease, and handing back the rows of processes that died.

Rows are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes deliver
side by side without taking the same row. Each claim names its owner, a number the owning
process keeps locked for as long as it lives (bot.leader.Presence).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from bot import accounts
from bot.db.models import Outbox, OutboxState

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claimed:
    id: int
    platform: str
    workspace: str
    recipients: tuple[str, ...]
    payload: str
    key: str
    channel: str | None
    maybe_sent: bool
    introduction_id: int | None = None
    addresses: dict[str, str] = field(default_factory=dict)
    dm_channels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Which due rows a delivery takes: by default every one (what `crossties serve` does)."""

    kinds: tuple[str, ...] | None = None
    programme_id: int | None = None
    platforms: tuple[str, ...] | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.kinds is not None:
            found.append(col(Outbox.kind).in_(self.kinds))
        if self.programme_id is not None:
            found.append(col(Outbox.programme_id) == self.programme_id)
        if self.platforms is not None:
            found.append(col(Outbox.platform).in_(self.platforms))
        return found


EVERYTHING = Scope()


def claim(
    session: Session,
    now: datetime,
    limit: int,
    owner: int,
    lease: timedelta = LEASE,
    scope: Scope = EVERYTHING,
) -> list[Claimed]:
    query = (
        select(Outbox)
        .where(
            col(Outbox.state).in_([OutboxState.PENDING, OutboxState.SENDING]),
            col(Outbox.next_try_at) <= now,
            # never our own rows still in flight, even if their lease ran out
            or_(col(Outbox.state) == OutboxState.PENDING, col(Outbox.claimed_by) != owner),
            *scope.clauses(),
        )
        .order_by(col(Outbox.next_try_at), col(Outbox.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.exec(query).all()
    wanted: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if row.state == OutboxState.SENDING:  # a lease ran out: that try may have posted
            row.maybe_sent = True
        row.state = OutboxState.SENDING
        row.claimed_by = owner
        row.next_try_at = now + lease
        session.add(row)
        wanted.setdefault((row.platform, row.workspace), set()).update(json.loads(row.recipients))
    reach = {
        place: accounts.reach(session, place[0], place[1], sorted(users))
        for place, users in wanted.items()
    }
    claimed = []
    for row in rows:
        recipients = tuple(json.loads(row.recipients))
        known = reach[(row.platform, row.workspace)]
        claimed.append(
            Claimed(
                id=row.id or 0,
                platform=row.platform,
                workspace=row.workspace,
                recipients=recipients,
                payload=row.payload,
                key=row.idempotency_key,
                channel=row.channel,
                maybe_sent=row.maybe_sent,
                introduction_id=row.introduction_id,
                addresses={u: known.addresses[u] for u in recipients if u in known.addresses},
                dm_channels={u: known.dm_channels[u] for u in recipients if u in known.dm_channels},
            )
        )
    return claimed


def renew(session: Session, owner: int, until: datetime) -> int:
    """Extend the lease on every row `owner` is still sending."""
    result = session.execute(
        update(Outbox)
        .where(col(Outbox.state) == OutboxState.SENDING, col(Outbox.claimed_by) == owner)
        .values(next_try_at=until)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def release_orphans(session: Session, now: datetime, dead_owners: Iterable[int]) -> int:
    """Hand back rows held by processes that died: due now, flagged as perhaps posted."""
    owners = list(dead_owners)
    if not owners:
        return 0
    result = session.execute(
        update(Outbox)
        .where(
            col(Outbox.state) == OutboxState.SENDING,
            col(Outbox.claimed_by).in_(owners),
        )
        .values(state=OutboxState.PENDING, next_try_at=now, maybe_sent=True, claimed_by=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def claim_owners(session: Session) -> set[int]:
    rows = session.exec(
        select(Outbox.claimed_by)
        .where(Outbox.state == OutboxState.SENDING, col(Outbox.claimed_by).is_not(None))
        .distinct()
    ).all()
    return {int(owner) for owner in rows if owner is not None}
