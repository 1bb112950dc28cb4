"""The scheduler's jobs: module-level functions whose data are ids only. The scheduler
(bot.scheduling.service) keeps them in memory and hands each the running process's
`JobContext` as its first argument; nothing is looked up through a global.

The work itself lives in plain functions taking a session and the time (`run_slot`,
`due_work`), which the tests call with an injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from bot.clock import Clock, as_utc
from bot.db.models import Membership, MembershipStatus, Person, Programme, Round
from bot.db.session import Database
from bot.delivery import queue_failure_reports
from bot.observe import UNWATCHED, Observer
from bot.scheduling.cadence import latest_occurrence
from bot.scheduling.circles import form_due_circles
from bot.scheduling.locks import lock_programme
from bot.templates import Prompts
from bot.usecases.circle_steps import expire_circle_step_notes
from bot.usecases.common import UseCaseError
from bot.usecases.due_queue import queue_due
from bot.usecases.next_steps import expire_step_notes
from bot.usecases.retention import expire_notes, prune_handled_requests
from bot.usecases.rounds import MANUAL_RUN_GAP, RoundSummary, run_round

log = logging.getLogger(__name__)

MISFIRE_GRACE = timedelta(hours=6)
CATCH_UP = timedelta(hours=2)  # how late a missed slot is still run by the due-work job


@dataclass
class JobContext:
    db: Database
    clock: Clock
    prompts: Prompts
    notify: Callable[[], Awaitable[None]]
    interval: float | None = None  # testing: every programme runs every N seconds
    # Rebuilds the round jobs from the programme table (the scheduler's, once it runs).
    reschedule: Callable[[], object] | None = None
    actor: str = field(default_factory=lambda: f"scheduler:{os.getpid()}")
    note_retention_days: int | None = None  # free-text notes older than this expire
    observer: Observer = UNWATCHED


def slot_for(programme: Programme, now: datetime, interval: float | None) -> datetime:
    """The scheduled time a run at `now` belongs to (its round's `slot`)."""
    if interval:
        step = float(interval)
        return datetime.fromtimestamp((now.timestamp() // step) * step, UTC)
    return latest_occurrence(
        programme.cadence,
        programme.weekday,
        programme.hour,
        programme.timezone,
        now,
        as_utc(programme.created_at).astimezone(ZoneInfo(programme.timezone)).date(),
    )


def slot_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_slot(
    session: Session,
    now: datetime,
    prompts: Prompts,
    programme_id: int,
    *,
    interval: float | None = None,
    actor: str = "scheduler",
) -> RoundSummary | None:
    """Run the programme's round for the slot `now` falls in, unless it already ran.

    Takes the programme lock first, so two runs at once serialise and the second finds
    the first one's round. None when there is nothing to do (paused, gone, too late).
    """
    lock_programme(session, programme_id)
    programme = session.get(Programme, programme_id)
    if programme is None or programme.paused:
        return None
    slot = slot_for(programme, now, interval)
    if not interval and now - slot > MISFIRE_GRACE:
        log.warning("skipping round of programme %s: its slot %s is long past", programme_id, slot)
        return None
    if not interval:
        latest = session.exec(
            select(Round)
            .where(Round.programme_id == programme_id)
            .order_by(col(Round.created_at).desc())
        ).first()
        if (
            latest is not None
            and latest.slot != slot_key(slot)
            and now - as_utc(latest.created_at) < MANUAL_RUN_GAP
        ):
            log.info("programme %s had a round moments ago; this slot is skipped", programme_id)
            return None
    try:
        return run_round(session, now, programme, prompts, slot=slot_key(slot), actor=actor)
    except UseCaseError as error:
        log.info("scheduled round of programme %s not run: %s", programme_id, error.prompt)
        return None


def resume_paused(session: Session, now: datetime) -> int:
    """Bring back people whose pause ends today in their own timezone."""
    rows = session.exec(
        select(Membership, Person)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            Membership.status == MembershipStatus.PAUSED,
            col(Membership.paused_until).is_not(None),
            col(Membership.paused_until) <= (now + timedelta(days=1)).date(),
        )
    ).all()
    resumed = 0
    for membership, person in rows:
        try:
            zone = ZoneInfo(person.timezone)
        except (KeyError, ValueError):
            zone = ZoneInfo("UTC")
        assert membership.paused_until is not None
        if membership.paused_until <= now.astimezone(zone).date():
            membership.status = MembershipStatus.ACTIVE
            membership.paused_until = None
            session.add(membership)
            resumed += 1
    return resumed


@dataclass(frozen=True)
class DueWork:
    resumed: int
    queued: int


def due_work(
    session: Session, now: datetime, prompts: Prompts, *, note_retention_days: int | None = None
) -> DueWork:
    """Everything derived from due times: pauses ending, check-ins, nudges, failure reports,
    and notes past their retention period."""
    if note_retention_days is not None:
        expire_notes(session, now, note_retention_days)
        expire_step_notes(session, now, note_retention_days)
        expire_circle_step_notes(session, now, note_retention_days)
    prune_handled_requests(session, now)
    resumed = resume_paused(session, now)
    queued = sum(queue_due(session, now, prompts).values())
    queued += queue_failure_reports(session, now, prompts)
    return DueWork(resumed, queued)


def missed_slots(session: Session, now: datetime) -> list[int]:
    """Programmes whose latest slot, less than CATCH_UP ago, has no round.

    The scheduler moves a job to its next time before running it, so a process killed
    during a round (its transaction rolled back) would otherwise skip that slot.
    """
    missed = []
    for programme in session.exec(select(Programme)).all():
        if programme.paused or programme.is_demo or programme.id is None:
            continue
        slot = slot_for(programme, now, None)
        if slot <= as_utc(programme.created_at) or now - slot > CATCH_UP:
            continue
        ran = session.exec(
            select(Round.id).where(Round.programme_id == programme.id, Round.slot == slot_key(slot))
        ).first()
        if ran is None:
            missed.append(programme.id)
    return missed


def catch_up(db: Database, now: datetime, prompts: Prompts, *, actor: str = "scheduler") -> int:
    """Run the rounds of missed slots (each under its programme's lock, so never twice)."""
    with db.session() as session:
        missed = missed_slots(session, now)
    ran = 0
    for programme_id in missed:
        with db.session() as session:
            summary = run_slot(session, now, prompts, programme_id, actor=actor)
            if summary is not None and not summary.already_ran:
                log.warning("ran the missed round of programme %s", programme_id)
                ran += 1
    return ran


# ---------------------------------------------------------------- the scheduled jobs


async def run_programme_round(context: JobContext, programme_id: int) -> None:
    def work() -> RoundSummary | None:
        with context.db.session() as session:
            return run_slot(
                session,
                context.clock.now(),
                context.prompts,
                programme_id,
                interval=context.interval,
                actor=context.actor,
            )

    started = time.perf_counter()
    try:
        summary = await asyncio.to_thread(work)
    except Exception as error:
        context.observer.round_ran("error", time.perf_counter() - started)
        if isinstance(error, SQLAlchemyError):
            context.observer.database_error("scheduler")
        raise
    ran = summary is not None and not summary.already_ran
    context.observer.round_ran("ran" if ran else "skipped", time.perf_counter() - started)
    if ran and summary is not None:
        log.info(
            "round %s of programme %s: %d messages queued",
            summary.plan.number,
            programme_id,
            summary.messages_queued,
        )
        await context.notify()


async def run_due_work(context: JobContext) -> None:
    """The one periodic scan: round jobs rebuilt from the programme table (so a programme
    created, changed or paused by any process is rescheduled within a minute), due work,
    then any missed slot caught up."""
    if context.reschedule is not None:
        await asyncio.to_thread(context.reschedule)

    def work() -> DueWork:
        with context.db.session() as session:
            return due_work(
                session,
                context.clock.now(),
                context.prompts,
                note_retention_days=context.note_retention_days,
            )

    done = await asyncio.to_thread(work)
    formed = await asyncio.to_thread(
        form_due_circles, context.db, context.clock.now(), context.prompts, actor=context.actor
    )
    caught_up = 0
    if not context.interval:
        caught_up = await asyncio.to_thread(
            catch_up, context.db, context.clock.now(), context.prompts, actor=context.actor
        )
    if done.queued or caught_up or formed:
        await context.notify()
