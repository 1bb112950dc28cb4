"""Sends queued outbox rows through the platforms and records what happened.

Rows are claimed before sending (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
processes can deliver side by side); a transient failure is retried later with backoff,
a permanent one is marked failed and never retried.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.db.models import IntroductionChat, Outbox, OutboxState, PlatformAccount
from bot.db.session import Database
from bot.events import Message
from bot.outbox import decode_message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class Sent:
    channel: str | None = None
    message_id: str | None = None


class TransientSendError(Exception):
    """Try again later (rate limited, server error, time-out)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """Will never work (user gone, app uninstalled, blocked)."""

    def __init__(self, reason: str, *, unreachable_users: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.unreachable_users = tuple(unreachable_users)


class PlatformSender(Protocol):
    """What the core needs from a platform to deliver a message."""

    async def send(
        self, workspace: str, recipients: Sequence[str], message: Message, *, key: str
    ) -> Sent: ...


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    base = min(600.0, 2.0**attempts)
    return timedelta(seconds=base * (0.5 + rng.random() / 2))


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _claim(session: Session, now: datetime, limit: int) -> list[Outbox]:
    query = (
        select(Outbox)
        .where(
            col(Outbox.state).in_([OutboxState.PENDING, OutboxState.SENDING]),
            col(Outbox.next_try_at) <= now,
        )
        .order_by(col(Outbox.next_try_at), col(Outbox.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.exec(query).all())
    for row in rows:
        row.state = OutboxState.SENDING
        row.next_try_at = now + CLAIM_TIMEOUT  # reclaimed if this process dies mid-send
        session.add(row)
    return rows


async def deliver_due(
    db: Database,
    senders: Mapping[str, PlatformSender],
    clock: Clock,
    *,
    limit: int = 100,
    rng: random.Random | None = None,
) -> DeliveryStats:
    """Deliver what is due now, once. Call repeatedly (or on a wake-up) to drain the outbox."""
    import asyncio

    rng = rng or random.Random()
    stats = DeliveryStats()
    now = clock.now()

    def claim() -> list[Outbox]:
        with db.session() as session:
            return _claim(session, now, limit)

    rows = await asyncio.to_thread(claim)
    for row in rows:
        sender = senders.get(row.platform)
        outcome: tuple[str, object]
        if sender is None:
            outcome = ("retry", TransientSendError(f"no sender for {row.platform}", 60))
        else:
            try:
                sent = await sender.send(
                    row.workspace,
                    json.loads(row.recipients),
                    decode_message(row.payload),
                    key=row.idempotency_key,
                )
                outcome = ("sent", sent)
            except TransientSendError as exc:
                outcome = ("retry", exc)
            except PermanentSendError as exc:
                outcome = ("failed", exc)
            except Exception as exc:  # an unknown fault is treated as transient, but bounded
                log.warning("send failed for outbox row %s: %s", row.id, type(exc).__name__)
                outcome = ("retry", TransientSendError(type(exc).__name__))
        await asyncio.to_thread(_record, db, row.id, outcome, clock.now(), rng, stats)
    return stats


def _record(
    db: Database,
    row_id: int | None,
    outcome: tuple[str, object],
    now: datetime,
    rng: random.Random,
    stats: DeliveryStats,
) -> None:
    with db.session() as session:
        row = session.get(Outbox, row_id)
        if row is None:
            return
        kind, detail = outcome
        row.attempts += 1
        if kind == "sent":
            assert isinstance(detail, Sent)
            row.state = OutboxState.SENT
            row.sent_at = now
            row.last_error = None
            stats.sent += 1
            if row.introduction_id is not None and detail.channel:
                session.add(
                    IntroductionChat(
                        introduction_id=row.introduction_id,
                        platform=row.platform,
                        workspace=row.workspace,
                        channel=detail.channel,
                        message_id=detail.message_id,
                    )
                )
        elif kind == "retry" and row.attempts < MAX_ATTEMPTS:
            assert isinstance(detail, TransientSendError)
            row.state = OutboxState.PENDING
            row.next_try_at = now + backoff(row.attempts, detail.retry_after, rng)
            row.last_error = str(detail)[:500]
            stats.retried += 1
        else:
            row.state = OutboxState.FAILED
            row.last_error = str(detail)[:500]
            stats.failed += 1
            if isinstance(detail, PermanentSendError):
                for user_id in detail.unreachable_users:
                    for account in session.exec(
                        select(PlatformAccount).where(
                            PlatformAccount.platform == row.platform,
                            PlatformAccount.workspace == row.workspace,
                            PlatformAccount.user_id == user_id,
                        )
                    ).all():
                        account.reachable = False
                        session.add(account)
        session.add(row)


def failed_deliveries(session: Session, programme_id: int) -> list[Outbox]:
    """What could not be delivered, for the coordinator."""
    return list(
        session.exec(
            select(Outbox).where(
                Outbox.programme_id == programme_id, Outbox.state == OutboxState.FAILED
            )
        ).all()
    )
