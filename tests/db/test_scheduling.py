"""Scheduled work on every backend, with injected time: rounds once per slot, check-ins and
nudges on their day, pauses ending on the right local day, and the scheduler's jobs kept in
line with the programme table."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlmodel import select

from bot.db.models import (
    CheckIn,
    Introduction,
    IntroductionMember,
    Membership,
    Outbox,
    Person,
    Programme,
    Round,
)
from bot.db.session import Database
from bot.scheduling.cadence import next_occurrence
from bot.scheduling.jobs import due_work, run_due_work, run_slot
from bot.scheduling.service import SchedulerService
from bot.templates import Prompts
from tests.fakes import World


def programme_id(world: World) -> int:
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        assert programme.id is not None
        return programme.id


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return (
            len(session.exec(select(Round)).all()),
            len(session.exec(select(Introduction)).all()),
            len(session.exec(select(Outbox).where(Outbox.kind == "introduction")).all()),
        )


def kinds(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(row.kind for row in session.exec(select(Outbox)).all())


async def test_a_round_triggered_twice_at_once_introduces_everyone_once(
    world: World, prompts: Prompts
) -> None:
    db, now, pid = world.core.db, world.core.clock.now(), programme_id(world)
    start = threading.Barrier(2)
    results: list[object] = []

    def trigger() -> None:
        start.wait()
        with db.session() as session:
            summary = run_slot(session, now, prompts, pid, actor="test")
            results.append(summary.already_ran if summary else None)

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    await asyncio.to_thread(lambda: ([t.start() for t in threads], [t.join() for t in threads]))
    assert sorted(results, key=str) == [False, True]  # one ran, the other found its round
    rounds, introductions, outbox = counts(db)
    assert (rounds, introductions, outbox) == (1, 6, 6)
    with db.session() as session:
        people = Counter(m.person_id for m in session.exec(select(IntroductionMember)).all())
    assert len(people) == 12 and set(people.values()) == {1}


async def test_a_retry_of_the_same_slot_later_does_nothing(world: World, prompts: Prompts) -> None:
    db, now, pid = world.core.db, world.core.clock.now(), programme_id(world)
    with db.session() as session:
        first = run_slot(session, now, prompts, pid)
    with db.session() as session:  # the same job again, forty minutes late
        again = run_slot(session, now + timedelta(minutes=40), prompts, pid)
    assert first is not None and not first.already_ran
    assert again is not None and again.already_ran
    assert counts(db) == (1, 6, 6)


async def test_a_manual_run_just_after_a_scheduled_one_is_refused_politely(
    world: World, prompts: Prompts
) -> None:
    db, pid = world.core.db, programme_id(world)
    with db.session() as session:
        run_slot(session, world.core.clock.now(), prompts, pid)
    world.core.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    reply = await world.runtime.say(world.coordinator, "round run")
    text = reply.messages[0].plain()
    assert "less than an hour ago" in text and "Round 1" in text
    assert counts(db) == (1, 6, 6)
    world.core.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    reply = await world.runtime.say(world.coordinator, "round run")
    assert "Round 2" in reply.messages[0].plain()
    assert counts(db)[0] == 2


async def test_a_scheduled_slot_just_after_a_manual_run_is_skipped(
    world: World, prompts: Prompts
) -> None:
    db, pid = world.core.db, programme_id(world)
    await world.runtime.say(world.coordinator, "round run")
    world.core.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    with db.session() as session:
        assert run_slot(session, world.core.clock.now(), prompts, pid) is None
    assert counts(db) == (1, 6, 6)


async def test_check_ins_and_nudges_are_queued_on_their_day(world: World, prompts: Prompts) -> None:
    db, clock = world.core.db, world.core.clock
    start = clock.now()
    await world.runtime.say(world.coordinator, "round run")
    with db.session() as session:
        assert due_work(session, start + timedelta(days=7, seconds=-1), prompts).queued == 0
    with db.session() as session:
        assert due_work(session, start + timedelta(days=7), prompts).queued == 12
    with db.session() as session:  # running again the same day queues nothing twice
        assert due_work(session, start + timedelta(days=7, hours=1), prompts).queued == 0
    # one group answers; the other five get a nudge three days later
    with db.session() as session:
        intro = session.exec(select(Introduction).order_by(Introduction.id)).first()  # type: ignore[arg-type]
        assert intro is not None
        member = session.exec(
            select(Person)
            .join(IntroductionMember)
            .where(IntroductionMember.introduction_id == intro.id)
        ).first()
        assert member is not None and member.external_id is not None
        intro_id = intro.id
    clock.set(start + timedelta(days=8))  # type: ignore[attr-defined]
    await world.runtime.press(member.external_id, "checkin", f"{intro_id}:met")
    with db.session() as session:
        assert due_work(session, start + timedelta(days=10, seconds=-1), prompts).queued == 0
    with db.session() as session:
        assert due_work(session, start + timedelta(days=10), prompts).queued == 10
    assert kinds(db)["nudge"] == 10 and kinds(db)["checkin"] == 12
    with db.session() as session:
        nudged = session.exec(select(Outbox).where(Outbox.kind == "nudge")).all()
        assert all(row.introduction_id != intro_id for row in nudged)
        assert all(c.sent_at is not None for c in session.exec(select(CheckIn)).all())


async def test_a_paused_person_comes_back_on_the_day_in_their_own_timezone(
    world: World, prompts: Prompts
) -> None:
    db = world.core.db
    await world.runtime.say("u05", "pause until 2026-03-09")
    await world.runtime.say("u06", "pause until 2026-03-09")
    await world.runtime.say("u06", "profile timezone Pacific/Auckland")

    def status(user: str) -> str:
        with db.session() as session:
            person = session.exec(select(Person).where(Person.external_id == user)).one()
            return (
                session.exec(select(Membership).where(Membership.person_id == person.id))
                .one()
                .status
            )

    with db.session() as session:  # Sunday 10:59 UTC: still the 8th in Auckland (UTC+13)
        due_work(session, datetime(2026, 3, 8, 10, 59, tzinfo=UTC), prompts)
    assert (status("u05"), status("u06")) == ("paused", "paused")
    with db.session() as session:  # 11:00 UTC is midnight on Monday the 9th in Auckland
        assert due_work(session, datetime(2026, 3, 8, 11, 0, tzinfo=UTC), prompts).resumed == 1
    assert (status("u05"), status("u06")) == ("paused", "active")
    with db.session() as session:  # midnight in London (GMT in early March)
        due_work(session, datetime(2026, 3, 8, 23, 59, tzinfo=UTC), prompts)
    assert status("u05") == "paused"
    with db.session() as session:
        due_work(session, datetime(2026, 3, 9, 0, 0, tzinfo=UTC), prompts)
    assert status("u05") == "active"


async def test_permanent_failures_are_reported_to_coordinators_once(
    world: World, prompts: Prompts
) -> None:
    db = world.core.db
    world.runtime.platform.unreachable.add("u07")
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    with db.session() as session:
        failed = session.exec(select(Outbox).where(Outbox.state == "failed")).all()
        assert len(failed) == 1 and failed[0].attempts == 1  # never retried
    with db.session() as session:
        assert due_work(session, world.core.clock.now(), prompts).queued == 1
    with db.session() as session:
        assert due_work(session, world.core.clock.now(), prompts).queued == 0
    await world.runtime.deliver()
    report = world.runtime.platform.inbox(world.coordinator)[-1].plain()
    assert "could not be delivered" in report and "Person 07" in report


async def test_the_scheduler_keeps_round_jobs_in_line_with_programmes(
    world: World, prompts: Prompts
) -> None:
    db, pid = world.core.db, programme_id(world)
    woken: list[int] = []

    async def notify() -> None:
        woken.append(1)

    service = SchedulerService(db, world.core.clock, prompts, notify=notify)
    service.start()
    try:
        runs = service.next_runs()
        assert set(runs) == {f"round:{pid}", "due-work"}
        with db.session() as session:
            programme = session.get(Programme, pid)
            assert programme is not None
            anchor = programme.created_at.astimezone(UTC).date()
        expected = next_occurrence("fortnightly", 0, 9, "Europe/London", datetime.now(UTC), anchor)
        assert runs[f"round:{pid}"] == expected
        # a coordinator changes the cadence: the trigger is replaced
        with db.session() as session:
            programme = session.get(Programme, pid)
            assert programme is not None
            programme.cadence, programme.weekday, programme.hour = "weekly", 3, 15
            session.add(programme)
        result = service.reconcile()
        assert (result.added, result.replaced, result.removed) == (0, 1, 0)
        assert service.reconcile().replaced == 0  # unchanged now
        when = service.next_runs()[f"round:{pid}"]
        local = when.astimezone(ZoneInfo("Europe/London"))
        assert (local.weekday(), local.hour, local.minute) == (3, 15, 0)
        # paused from anywhere (another process, the CLI): the periodic scan drops its job
        with db.session() as session:
            programme = session.get(Programme, pid)
            assert programme is not None
            programme.paused = True
            session.add(programme)
        await run_due_work(service.context)
        assert service.next_runs().keys() == {"due-work"}
        # resumed: the next scan schedules it again
        with db.session() as session:
            programme = session.get(Programme, pid)
            assert programme is not None
            programme.paused = False
            session.add(programme)
        await run_due_work(service.context)
        assert set(service.next_runs()) == {f"round:{pid}", "due-work"}
    finally:
        service.stop()
    # nothing is saved: a new leader builds its jobs from the programme table at start
    with db.session() as session:
        assert "apscheduler_jobs" not in inspect(session.get_bind()).get_table_names()
    second = SchedulerService(db, world.core.clock, prompts, notify=notify)
    second.start()
    try:
        runs = second.next_runs()
        assert set(runs) == {f"round:{pid}", "due-work"}
        local = runs[f"round:{pid}"].astimezone(ZoneInfo("Europe/London"))
        assert (local.weekday(), local.hour, local.minute) == (3, 15, 0)
    finally:
        second.stop()
    with db.session() as session:
        programme = session.get(Programme, pid)
        assert programme is not None
        programme.paused = True
        session.add(programme)
    third = SchedulerService(db, world.core.clock, prompts, notify=notify)
    third.start()
    try:
        assert third.next_runs().keys() == {"due-work"}
    finally:
        third.stop()


async def test_a_round_lost_with_a_killed_process_is_run_once_by_the_catch_up(
    world: World, prompts: Prompts
) -> None:
    """The scheduler moves a job on before running it; if the process dies mid-round the
    transaction rolls back, and the due-work job runs the missed slot instead."""
    from bot.scheduling.jobs import catch_up

    db, clock = world.core.db, world.core.clock
    created = clock.now()  # Monday 2 March 09:00, the programme's own first slot
    assert catch_up(db, created + timedelta(minutes=30), prompts) == 0  # made after it
    slot = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # fortnightly, Monday 09:00 London
    assert catch_up(db, slot - timedelta(minutes=1), prompts) == 0  # not yet due
    assert catch_up(db, slot + timedelta(minutes=20), prompts) == 1
    assert catch_up(db, slot + timedelta(minutes=21), prompts) == 0  # once
    assert counts(db) == (1, 6, 6)
    with db.session() as session:
        assert session.exec(select(Round)).one().slot == "2026-03-16T09:00:00Z"
    late = datetime(2026, 3, 30, 11, 30, tzinfo=UTC)  # BST now: the slot was 08:00 UTC
    assert catch_up(db, late, prompts) == 0  # too late to catch up (3.5 hours)
    assert catch_up(db, datetime(2026, 3, 30, 9, 59, tzinfo=UTC), prompts) == 1
    assert counts(db)[0] == 2
