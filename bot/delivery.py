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
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.db.models import (
    IntroductionChat,
    Outbox,
    OutboxState,
    PlatformAccount,
    ProgrammeRole,
    ProgrammeRoleKind,
)
from bot.db.session import Database
from bot.events import Message, Text
from bot.outbox import decode_message, queue
from bot.templates import Prompts

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A platform that answers "rate limited, come back in N seconds" is up and says when: such
# answers do not use up the attempts, for as long as the message is younger than this.
RATE_LIMITED_FOR = timedelta(hours=24)
RECORD_RETRY_FIRST, RECORD_RETRY_MAX = 0.25, 5.0  # seconds, while the database is unreachable
LEASE = timedelta(minutes=5)
CLAIM_TIMEOUT = LEASE  # older name, kept for callers
DEFAULT_CONCURRENCY = 64
REPORT_KIND = "delivery_report"


@dataclass(frozen=True)
class Sent:
    channel: str | None = None
    message_id: str | None = None
    recovered: bool = False  # found already posted by an earlier try; not posted again


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


@dataclass(frozen=True)
class Attempt:
    """One try at one outbox row, with what earlier tries learnt."""

    workspace: str
    recipients: tuple[str, ...]
    message: Message
    key: str
    channel: str | None  # the chat an earlier try opened, if any: reuse it
    maybe_sent: bool  # an earlier try may have posted: look before posting again
    remember_channel: Callable[[str], Awaitable[None]]  # store a newly opened chat first


@runtime_checkable
class ResumableSender(Protocol):
    """A sender that keeps the chat it opened and can find a message it already posted."""

    async def deliver(self, attempt: Attempt) -> Sent: ...


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
    recovered: int = 0  # found already posted by an earlier, unrecorded try

    def add(self, other: DeliveryStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.recovered += other.recovered

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


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


def _claim(
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
    claimed = []
    for row in session.exec(query).all():
        if row.state == OutboxState.SENDING:  # a lease ran out: that try may have posted
            row.maybe_sent = True
        row.state = OutboxState.SENDING
        row.claimed_by = owner
        row.next_try_at = now + lease
        session.add(row)
        claimed.append(
            Claimed(
                id=row.id or 0,
                platform=row.platform,
                workspace=row.workspace,
                recipients=tuple(json.loads(row.recipients)),
                payload=row.payload,
                key=row.idempotency_key,
                channel=row.channel,
                maybe_sent=row.maybe_sent,
            )
        )
    return claimed


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
    ) -> None:
        self.db = db
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
                return _claim(session, now, limit, self.owner, self.lease, self.scope)

        return await asyncio.to_thread(work)

    async def renew_leases(self) -> int:
        """Extend the lease on every row this process is still sending."""
        until = self.clock.now() + self.lease

        def work() -> int:
            with self.db.session() as session:
                result = session.execute(
                    update(Outbox)
                    .where(
                        col(Outbox.state) == OutboxState.SENDING,
                        col(Outbox.claimed_by) == self.owner,
                    )
                    .values(next_try_at=until)
                )
                return int(getattr(result, "rowcount", 0) or 0)

        return await asyncio.to_thread(work)

    async def release_dead(self, is_alive: Callable[[int], bool]) -> int:
        """Release rows of owners that `is_alive` says are gone (never our own)."""
        now = self.clock.now()

        def work() -> int:
            with self.db.session() as session:
                dead = [o for o in claim_owners(session) if o != self.owner and not is_alive(o)]
                return release_orphans(session, now, dead)

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
                    _record, self.db, row_id, outcome, self.clock, self.rng, stats
                )
                return
            except SQLAlchemyError as error:
                log.warning(
                    "could not record outbox row %s (%s); trying again in %.1f s",
                    row_id,
                    type(error).__name__,
                    wait,
                )
                await asyncio.sleep(wait)
                wait = min(RECORD_RETRY_MAX, wait * 2)

    async def _send(self, sender: PlatformSender, row: Claimed) -> Sent:
        message = decode_message(row.payload)
        if isinstance(sender, ResumableSender):

            async def remember(channel: str) -> None:
                await asyncio.to_thread(_remember_channel, self.db, row.id, channel)

            return await sender.deliver(
                Attempt(
                    workspace=row.workspace,
                    recipients=row.recipients,
                    message=message,
                    key=row.key,
                    channel=row.channel,
                    maybe_sent=row.maybe_sent,
                    remember_channel=remember,
                )
            )
        return await sender.send(row.workspace, list(row.recipients), message, key=row.key)

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


def _remember_channel(db: Database, row_id: int, channel: str) -> None:
    with db.session() as session:
        session.execute(update(Outbox).where(col(Outbox.id) == row_id).values(channel=channel))


def _told_to_wait(error: object, created_at: datetime, now: datetime) -> bool:
    if not isinstance(error, TransientSendError) or error.retry_after is None:
        return False
    if created_at.tzinfo is None:  # SQLite gives naive UTC back
        created_at = created_at.replace(tzinfo=UTC)
    return now - created_at < RATE_LIMITED_FOR


def _record(
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
        told_to_wait = kind == "retry" and _told_to_wait(detail, row.created_at, now)
        row.attempts += 0 if told_to_wait else 1  # waiting as told is not a failed try
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
        elif kind == "retry" and (told_to_wait or row.attempts < MAX_ATTEMPTS):
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


def _names(session: Session, platform: str, workspace: str, user_ids: list[str]) -> list[str]:
    from bot.db.models import Person
    from bot.usecases.common import display_name

    names = []
    for user_id in user_ids:
        person = session.exec(
            select(Person)
            .join(PlatformAccount, col(PlatformAccount.person_id) == col(Person.id))
            .where(
                PlatformAccount.platform == platform,
                PlatformAccount.workspace == workspace,
                PlatformAccount.user_id == user_id,
            )
        ).first()
        names.append(display_name(person) if person is not None else user_id)
    return names


def queue_failure_reports(session: Session, now: datetime, prompts: Prompts) -> int:
    """Tell each programme's coordinators, once, about messages that could not be delivered."""
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.state == OutboxState.FAILED,
            col(Outbox.reported_at).is_(None),
            Outbox.kind != REPORT_KIND,
            col(Outbox.programme_id).is_not(None),
        )
        .order_by(col(Outbox.id))
    ).all()
    by_programme: dict[int, list[Outbox]] = {}
    for row in rows:
        assert row.programme_id is not None
        by_programme.setdefault(row.programme_id, []).append(row)
    queued = 0
    for programme_id, failed in by_programme.items():
        names = sorted(
            {
                name
                for row in failed
                for name in _names(session, row.platform, row.workspace, json.loads(row.recipients))
            }
        )
        reasons = sorted({(row.last_error or "unknown").split(":")[0][:80] for row in failed})
        text = prompts.render("delivery_failed", count=len(failed), names=names, reasons=reasons)
        coordinators = session.exec(
            select(PlatformAccount)
            .join(ProgrammeRole, col(ProgrammeRole.person_id) == col(PlatformAccount.person_id))
            .where(
                ProgrammeRole.programme_id == programme_id,
                ProgrammeRole.role == ProgrammeRoleKind.COORDINATOR,
                col(PlatformAccount.reachable).is_(True),
            )
            .order_by(col(PlatformAccount.id))
        ).all()
        seen: set[int] = set()
        last = failed[-1].id
        for account in coordinators:
            if account.person_id in seen:
                continue
            seen.add(account.person_id)
            queued += queue(
                session,
                now,
                key=f"{REPORT_KIND}:{programme_id}:{last}:{account.person_id}",
                platform=account.platform,
                workspace=account.workspace,
                recipients=[account.user_id],
                kind=REPORT_KIND,
                message=Message((Text(text),)),
                programme_id=programme_id,
            )
        for row in failed:
            row.reported_at = now
            session.add(row)
    return queued
