"""Delivery on every backend: concurrency, retries and backoff, permanent failures, leases,
and taking over the rows of a process that died without sending anything twice."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import Outbox, OutboxState
from bot.db.session import Database
from bot.delivery import (
    MAX_ATTEMPTS,
    Attempt,
    Delivery,
    PermanentSendError,
    Sent,
    TransientSendError,
    deliver_due,
)
from bot.events import Message, Text
from bot.leader import Presence
from bot.outbox import queue
from bot.worker import DeliveryWorker


def add_rows(db: Database, clock: ManualClock, n: int, *, platform: str = "chat") -> None:
    with db.session() as session:
        for i in range(n):
            queue(
                session,
                clock.now(),
                key=f"k{i}",
                platform=platform,
                workspace="W1",
                recipients=[f"U{i:03d}"],
                kind="introduction",
                message=Message((Text(f"hello {i}"),)),
            )


def states(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(row.state for row in session.exec(select(Outbox)).all())


class Chat:
    """A chat platform in memory: channels per recipient set, messages found by key."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []  # (channel, key)
        self.opened: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.gate: asyncio.Event | None = None
        self.fail_next: dict[str, Exception] = {}
        self.fail_after_open: dict[str, Exception] = {}

    async def deliver(self, attempt: Attempt) -> Sent:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if attempt.key in self.fail_next:
                raise self.fail_next.pop(attempt.key)
            channel = attempt.channel
            if channel is None:
                channel = "G-" + "-".join(attempt.recipients)
                self.opened.append(channel)
                await attempt.remember_channel(channel)
            if attempt.key in self.fail_after_open:
                raise self.fail_after_open.pop(attempt.key)
            if attempt.maybe_sent:
                for index, (where, key) in enumerate(self.posted):
                    if where == channel and key == attempt.key:
                        return Sent(channel, str(index), recovered=True)
            self.posted.append((channel, attempt.key))
            return Sent(channel, str(len(self.posted) - 1))
        finally:
            self.in_flight -= 1


class PlainSender:
    """A sender with only the basic protocol (no look-up of earlier posts)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(
        self, workspace: str, recipients: Sequence[str], message: Message, *, key: str
    ) -> Sent:
        self.sent.append(key)
        return Sent("C1", key)


async def test_sends_run_concurrently_up_to_the_bound(db: Database, clock: ManualClock) -> None:
    add_rows(db, clock, 30)
    chat = Chat()
    chat.gate = asyncio.Event()
    delivery = Delivery(db, {"chat": chat}, clock, concurrency=8)
    task = asyncio.create_task(delivery.run_pass(limit=30))
    for _ in range(200):
        if chat.in_flight == 8:
            break
        await asyncio.sleep(0.01)
    assert chat.in_flight == 8  # eight chats at once, not one after another
    chat.gate.set()
    stats = await task
    assert stats.sent == 30 and chat.most_in_flight == 8
    assert states(db) == Counter({"sent": 30})
    assert sorted(k for _, k in chat.posted) == sorted(f"k{i}" for i in range(30))


async def test_retry_after_is_honoured_and_the_opened_chat_reused(
    db: Database, clock: ManualClock
) -> None:
    add_rows(db, clock, 1)
    chat = Chat()
    chat.fail_after_open["k0"] = TransientSendError("ratelimited", retry_after=30)
    senders = {"chat": chat}
    stats = await deliver_due(db, senders, clock)
    assert stats.retried == 1
    with db.session() as session:
        row = session.exec(select(Outbox)).one()
        assert row.state == OutboxState.PENDING and row.channel == "G-U000"
        assert row.next_try_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert (await deliver_due(db, senders, clock)).total == 0  # not before Retry-After
    clock.advance(timedelta(seconds=1))
    assert (await deliver_due(db, senders, clock)).sent == 1
    assert chat.opened == ["G-U000"]  # the chat opened on the first try was reused
    assert chat.posted == [("G-U000", "k0")]


async def test_server_errors_back_off_and_give_up_after_max_attempts(
    db: Database, clock: ManualClock
) -> None:
    add_rows(db, clock, 1)

    class Broken:
        calls = 0

        async def send(
            self, workspace: str, recipients: Sequence[str], message: Message, *, key: str
        ) -> Sent:
            Broken.calls += 1
            raise TransientSendError("500 internal_error")

    waits = []
    for _ in range(MAX_ATTEMPTS):
        await deliver_due(db, {"chat": Broken()}, clock, rng=random.Random(1))
        with db.session() as session:
            row = session.exec(select(Outbox)).one()
        if row.state == OutboxState.FAILED:
            break
        waits.append(row.next_try_at - clock.now())
        clock.set(row.next_try_at)
    assert Broken.calls == MAX_ATTEMPTS and row.state == OutboxState.FAILED
    assert waits == sorted(waits) and waits[0] >= timedelta(seconds=1)  # backing off
    clock.advance(timedelta(days=30))
    assert (await deliver_due(db, {"chat": Broken()}, clock)).total == 0  # never again


async def test_a_permanent_failure_is_not_retried(db: Database, clock: ManualClock) -> None:
    add_rows(db, clock, 2)
    chat = Chat()
    chat.fail_next["k1"] = PermanentSendError("account_inactive", unreachable_users=["U001"])
    stats = await deliver_due(db, {"chat": chat}, clock)
    assert (stats.sent, stats.failed) == (1, 1)
    clock.advance(timedelta(hours=1))
    assert (await deliver_due(db, {"chat": chat}, clock)).total == 0
    with db.session() as session:
        failed = session.exec(select(Outbox).where(Outbox.state == "failed")).one()
        assert failed.last_error == "account_inactive" and failed.attempts == 1


async def test_rows_of_a_dead_process_are_taken_over_and_not_posted_twice(
    db: Database, clock: ManualClock
) -> None:
    add_rows(db, clock, 10)
    chat = Chat()
    dead = Delivery(db, {"chat": chat}, clock, owner=1001)
    claimed = await dead.claim(10)
    for row in claimed[:4]:  # it posted four, then died before recording them
        await chat.deliver(
            Attempt(
                row.workspace,
                row.recipients,
                Message(()),
                row.key,
                None,
                False,
                remember_channel=_no_channel,
            )
        )
    assert states(db) == Counter({"sending": 10})
    survivor = Delivery(db, {"chat": chat}, clock, owner=2002)
    assert (await survivor.run_pass()).total == 0  # leased: not taken while its owner lives
    released = await survivor.release_dead(lambda owner: owner != 1001)
    assert released == 10
    stats = await survivor.run_pass()
    assert stats.sent == 10 and stats.recovered == 4
    assert Counter(k for _, k in chat.posted) == Counter(f"k{i}" for i in range(10))


async def _no_channel(channel: str) -> None:
    return None


async def test_an_expired_lease_is_reclaimed_as_perhaps_sent(
    db: Database, clock: ManualClock
) -> None:
    add_rows(db, clock, 1)
    plain = PlainSender()
    stuck = Delivery(db, {"chat": plain}, clock, owner=7, lease=timedelta(minutes=5))
    await stuck.claim(1)  # claimed and never finished (a hung process)
    clock.advance(timedelta(minutes=4))
    assert (await deliver_due(db, {"chat": plain}, clock)).total == 0
    clock.advance(timedelta(minutes=1))
    assert (await deliver_due(db, {"chat": plain}, clock)).sent == 1
    with db.session() as session:
        row = session.exec(select(Outbox)).one()
        assert row.maybe_sent and row.state == "sent" and row.message_id == "k0"


async def test_worker_drains_the_outbox_with_retries_as_a_pipeline(
    db: Database, clock: ManualClock
) -> None:
    add_rows(db, clock, 40)
    chat = Chat()
    for i in range(0, 40, 10):
        chat.fail_next[f"k{i}"] = TransientSendError("ratelimited", retry_after=0)
    worker = DeliveryWorker(db, {"chat": chat}, clock, interval=0.01, concurrency=6)
    worker.start()
    try:
        for _ in range(500):
            if states(db) == Counter({"sent": 40}):
                break
            await asyncio.sleep(0.01)
    finally:
        await worker.stop()
    assert states(db) == Counter({"sent": 40})
    assert len(chat.posted) == 40 and chat.most_in_flight <= 6


async def test_presence_tells_live_processes_from_dead_ones(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several processes share PostgreSQL only")
    alive = Presence(db, owner=31337)
    watcher = Presence(db, owner=4242)
    await alive.start()
    try:
        assert await asyncio.to_thread(watcher.is_alive, 31337)
        assert await alive.try_lead() is True
        assert await watcher.try_lead() is False  # one scheduler at a time
    finally:
        await alive.stop()
    assert not await asyncio.to_thread(watcher.is_alive, 31337)  # its locks went with it
    assert await watcher.try_lead() is True  # and the other takes over
    await watcher.stop()


def test_recipients_round_trip(db: Database, clock: ManualClock) -> None:
    add_rows(db, clock, 1)
    with db.session() as session:
        assert json.loads(session.exec(select(Outbox)).one().recipients) == ["U000"]


async def test_a_slow_send_keeps_its_row_by_renewing_the_lease(
    db: Database, clock: ManualClock
) -> None:
    add_rows(db, clock, 1)
    plain = PlainSender()
    slow = Delivery(db, {"chat": plain}, clock, owner=11, lease=timedelta(minutes=5))
    assert len(await slow.claim(1)) == 1  # still waiting for its turn at the platform
    clock.advance(timedelta(minutes=4))
    assert await slow.renew_leases() == 1
    clock.advance(timedelta(minutes=4))  # past the first lease, within the renewed one
    other = Delivery(db, {"chat": plain}, clock, owner=12)
    assert await other.claim(1) == []
    clock.advance(timedelta(minutes=2))  # renewed lease over: the row is free again...
    assert await slow.claim(1) == []  # ...but never to the process that still holds it
    assert len(await other.claim(1)) == 1
