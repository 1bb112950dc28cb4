"""Sends queued outbox rows through the platforms and records what happened.

Rows are claimed with a lease before sending (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
several processes deliver side by side without taking the same row). Each claim names its
owner, a number that the owning process keeps locked for as long as it lives
(bot.leader.Presence), so the rows of a process that died are taken over at once rather
than when their lease runs out. A transient failure is retried later with backoff (a 429's
Retry-After is honoured); a permanent one is marked failed, never retried, and reported to
the programme's coordinators.

Sends run concurrently, bounded by `concurrency`; the platform's sender paces each method
(bot.pacing), so a round goes out across many chats at once as fast as the limits allow.

Exactly once: a row whose earlier attempt may have reached the platform unrecorded (its
owner died mid-send) is flagged `maybe_sent`; a sender that can look its own messages up
(ResumableSender) checks before sending again. Senders that cannot are at-least-once for
that short window (see docs/scaling.md).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot import accounts
from bot.clock import Clock, SystemClock
from bot.db.session import Database
from bot.delivery import claims, record
from bot.delivery.attempt import (
    Attempt,
    Contacts,
    DeliveryStats,
    PermanentSendError,
    PlatformSender,
    ResumableSender,
    Sent,
    TransientSendError,
)
from bot.delivery.claims import EVERYTHING, LEASE, Claimed, Scope, claim_owners, release_orphans
from bot.delivery.failures import REPORT_KIND, failed_deliveries, queue_failure_reports
from bot.delivery.policy import MAX_ATTEMPTS, RATE_LIMITED_FOR, backoff
from bot.events import Card, Message, UserRef
from bot.intro_view import IntroductionView
from bot.observe import UNWATCHED, Observer
from bot.outbox import decode_payload

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "RATE_LIMITED_FOR",
    "REPORT_KIND",
    "Attempt",
    "Claimed",
    "Delivery",
    "DeliveryStats",
    "PermanentSendError",
    "PlatformSender",
    "ResumableSender",
    "Scope",
    "Sent",
    "TransientSendError",
    "backoff",
    "claim_owners",
    "deliver_due",
    "failed_deliveries",
    "group_chat_people",
    "prepared",
    "queue_failure_reports",
    "release_orphans",
]

log = logging.getLogger(__name__)

RECORD_RETRY_FIRST, RECORD_RETRY_MAX = 0.25, 5.0  # seconds, while the database is unreachable
CLAIM_TIMEOUT = LEASE  # older name, kept for callers
_NO_CLOCK = SystemClock()
DEFAULT_CONCURRENCY = 64


class Delivery:
    """Claims, sends and records outbox rows for one process (`owner`)."""

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, PlatformSender],
        clock: Clock,
        *,
        owner: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        lease: timedelta = LEASE,
        rng: random.Random | None = None,
        scope: Scope = EVERYTHING,
        observer: Observer = UNWATCHED,
    ) -> None:
        self.db = db
        self.observer = observer
        self.scope = scope
        self.senders = senders
        self.clock = clock
        self.rng = rng or random.Random()
        self.owner = owner if owner is not None else self.rng.randrange(1, 2**31 - 1)
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.stats = DeliveryStats()

    async def claim(self, limit: int) -> list[Claimed]:
        now = self.clock.now()

        def work() -> list[Claimed]:
            with self.db.session() as session:
                return claims.claim(session, now, limit, self.owner, self.lease, self.scope)

        return await asyncio.to_thread(work)

    async def renew_leases(self) -> int:
        """Extend the lease on every row this process is still sending."""
        until = self.clock.now() + self.lease

        def work() -> int:
            with self.db.session() as session:
                return claims.renew(session, self.owner, until)

        return await asyncio.to_thread(work)

    async def release_dead(self, is_alive: Callable[[int], bool]) -> int:
        """Release rows of owners that `is_alive` says are gone (never our own)."""
        now = self.clock.now()

        def work() -> int:
            with self.db.session() as session:
                owners = claims.claim_owners(session)
                dead = [o for o in owners if o != self.owner and not is_alive(o)]
                return claims.release_orphans(session, now, dead)

        released = await asyncio.to_thread(work)
        if released:
            log.info("took over %d outbox rows from stopped processes", released)
        return released

    async def send_one(self, row: Claimed) -> DeliveryStats:
        stats = DeliveryStats()
        sender = self.senders.get(row.platform)
        outcome: tuple[str, object]
        if sender is None:
            outcome = ("retry", TransientSendError(f"no sender for {row.platform}", 60))
        else:
            try:
                sent = await self._send(sender, row)
                outcome = ("sent", sent)
            except TransientSendError as exc:
                outcome = ("retry", exc)
            except PermanentSendError as exc:
                outcome = ("failed", exc)
            except Exception as exc:  # an unknown fault is treated as transient, but bounded
                log.warning("send failed for outbox row %s: %s", row.id, type(exc).__name__)
                outcome = ("retry", TransientSendError(type(exc).__name__))
        await self._record_until_done(row.id, outcome, stats)
        self.stats.add(stats)
        for word, n in (("sent", stats.sent), ("retried", stats.retried), ("failed", stats.failed)):
            if n:
                self.observer.delivered(row.platform, word)
        return stats

    async def _record_until_done(
        self, row_id: int, outcome: tuple[str, object], stats: DeliveryStats
    ) -> None:
        """Keep the outcome until the database takes it. Given up, the row would stay ours,
        leased and renewed, and never be sent (or, if it was sent, be sent again)."""
        wait = RECORD_RETRY_FIRST
        while True:
            try:
                await asyncio.to_thread(
                    record.record, self.db, row_id, outcome, self.clock, self.rng, stats
                )
                return
            except SQLAlchemyError as error:
                self.observer.database_error("delivery")
                log.warning(
                    "could not record outbox row %s (%s); trying again in %.1f s",
                    row_id,
                    type(error).__name__,
                    wait,
                )
                await asyncio.sleep(wait)
                wait = min(RECORD_RETRY_MAX, wait * 2)

    async def _send(self, sender: PlatformSender, row: Claimed) -> Sent:
        message, view = decode_payload(row.payload)
        if isinstance(sender, ResumableSender):
            return await sender.deliver(self.attempt(row, message, view))
        return await sender.send(row.workspace, list(row.recipients), message, key=row.key)

    def attempt(
        self, row: Claimed, message: Message, view: IntroductionView | None = None
    ) -> Attempt:
        """The attempt a sender gets: the row, what earlier tries learnt, and what is stored
        about reaching its recipients; what the sender learns is stored through it."""
        db = self.db

        async def remember(channel: str) -> None:
            await asyncio.to_thread(record.remember_channel, db, row.id, channel)

        async def remember_dm(user_id: str, channel: str) -> None:
            user = UserRef(row.platform, row.workspace, user_id)  # type: ignore[arg-type]
            await asyncio.to_thread(record.remember_dm, db, user, channel)

        chatting = group_chat_people(message)

        async def contacts() -> Contacts:
            if row.introduction_id is None and not chatting:
                return {}

            def read() -> Contacts:
                with db.session() as session:
                    if row.introduction_id is None:  # a card's group chat (a circle's)
                        return accounts.contacts_among(
                            session, chatting, row.platform, row.workspace, row.recipients
                        )
                    return accounts.contacts(
                        session,
                        row.introduction_id or 0,
                        row.platform,
                        row.workspace,
                        row.recipients,
                    )

            return await asyncio.to_thread(read)

        return Attempt(
            workspace=row.workspace,
            recipients=row.recipients,
            message=message,
            key=row.key,
            channel=row.channel,
            maybe_sent=row.maybe_sent,
            remember_channel=remember,
            introduction_id=row.introduction_id,
            addresses=row.addresses,
            dm_channels=row.dm_channels,
            remember_dm=remember_dm,
            contacts=contacts,
            view=view,
        )

    async def run_pass(self, limit: int = 100) -> DeliveryStats:
        """Claim what is due now (up to `limit`) and send it, `concurrency` at a time."""
        rows = await self.claim(limit)
        total = DeliveryStats()
        if not rows:
            return total
        gate = asyncio.Semaphore(self.concurrency)

        async def one(row: Claimed) -> None:
            async with gate:
                total.add(await self.send_one(row))

        await asyncio.gather(*(one(row) for row in rows))
        return total


async def deliver_due(
    db: Database,
    senders: Mapping[str, PlatformSender],
    clock: Clock,
    *,
    limit: int = 100,
    rng: random.Random | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DeliveryStats:
    """Deliver what is due now, once. Call repeatedly (or on a wake-up) to drain the outbox."""
    delivery = Delivery(db, senders, clock, rng=rng, concurrency=concurrency)
    return await delivery.run_pass(limit)


def group_chat_people(message: Message) -> tuple[int, ...]:
    """The people a message's group-chat links are with (each reader's link leaves them out)."""
    found: list[int] = []
    for part in message.parts:
        if isinstance(part, Card) and part.chat is not None:
            found += [p for p in part.chat.people if p not in found]
    return tuple(found)


def prepared(
    db: Database,
    platform: str,
    workspace: str,
    recipients: tuple[str, ...],
    message: Message,
    *,
    key: str,
    introduction_id: int | None = None,
    view: IntroductionView | None = None,
) -> Attempt:
    """An attempt at a message that is not in the outbox (answers sent straight away, tests),
    with what is stored about reaching its recipients."""
    with db.session() as session:
        reach = accounts.reach(session, platform, workspace, recipients)
    row = Claimed(
        id=0,
        platform=platform,
        workspace=workspace,
        recipients=recipients,
        payload="",
        key=key,
        channel=None,
        maybe_sent=False,
        introduction_id=introduction_id,
        addresses=reach.addresses,
        dm_channels=reach.dm_channels,
    )
    return Delivery(db, {}, _NO_CLOCK).attempt(row, message, view)
