"""Recording what a send did: sent (and where), to be retried (when), or failed for good."""

from __future__ import annotations

import random

from sqlalchemy import update
from sqlmodel import col

from bot import accounts
from bot.clock import Clock
from bot.db.models import IntroductionChat, Outbox, OutboxState
from bot.db.session import Database
from bot.delivery.attempt import DeliveryStats, PermanentSendError, Sent, TransientSendError
from bot.delivery.policy import MAX_ATTEMPTS, backoff, told_to_wait
from bot.events import UserRef


def remember_channel(db: Database, row_id: int, channel: str) -> None:
    with db.session() as session:
        session.execute(update(Outbox).where(col(Outbox.id) == row_id).values(channel=channel))


def remember_dm(db: Database, user: UserRef, channel: str) -> None:
    with db.session() as session:
        accounts.remember_dm(session, user, channel)


def record(
    db: Database,
    row_id: int,
    outcome: tuple[str, object],
    clock: Clock,
    rng: random.Random,
    stats: DeliveryStats,
) -> None:
    with db.session() as session:
        row = session.get(Outbox, row_id)
        if row is None or row.state == OutboxState.SENT:
            return
        now = clock.now()  # as late as possible: the record is committed right after
        kind, detail = outcome
        waited = kind == "retry" and told_to_wait(detail, row.created_at, now)
        row.attempts += 0 if waited else 1  # waiting as told is not a failed try
        row.claimed_by = None
        if kind == "sent":
            assert isinstance(detail, Sent)
            row.state = OutboxState.SENT
            row.sent_at = now
            row.last_error = None
            row.channel = detail.channel or row.channel
            row.message_id = detail.message_id
            stats.sent += 1
            stats.recovered += int(detail.recovered)
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
        elif kind == "retry" and (waited or row.attempts < MAX_ATTEMPTS):
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
                accounts.mark_unreachable(
                    session, row.platform, row.workspace, detail.unreachable_users
                )
        session.add(row)
