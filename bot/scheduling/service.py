"""The scheduler inside `crossties serve` (APScheduler 3, asyncio, jobs in memory).

The programme table is the one source of truth: the round jobs are built from it when the
scheduler starts, one per active programme, on a trigger that follows the programme's cadence
in its own timezone. One short-interval job does the rest: it rebuilds the round jobs (a
changed cadence replaces the trigger; a paused or deleted programme loses its job), queues due
work (check-ins, nudges, pauses ending, failure reports) and runs any slot that was missed.
Misfires are coalesced into one run within a grace period. Only the leader process runs
this (bot.leader); a new leader rebuilds the jobs and catches up what the old one missed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import select

from bot.clock import Clock, as_utc
from bot.db.models import Programme
from bot.db.session import Database
from bot.observe import UNWATCHED, Observer
from bot.scheduling import jobs
from bot.scheduling.cadence import next_occurrence
from bot.templates import Prompts

log = logging.getLogger(__name__)

ROUND_JOB = "round:{id}"
DUE_JOB = "due-work"


class CadenceTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires at the programme's wall-clock time in its timezone (daylight saving aware)."""

    def __init__(self, cadence: str, weekday: int, hour: int, timezone: str, anchor: date) -> None:
        self.cadence = cadence
        self.weekday = weekday
        self.hour = hour
        self.timezone = timezone
        self.anchor = anchor

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = (
            previous_fire_time
            if previous_fire_time is not None
            else now - timedelta(microseconds=1)
        )
        moment = next_occurrence(
            self.cadence, self.weekday, self.hour, self.timezone, after, self.anchor
        )
        return moment.astimezone(ZoneInfo(self.timezone))

    def __str__(self) -> str:
        return (
            f"cadence[{self.cadence} weekday={self.weekday} hour={self.hour} "
            f"tz={self.timezone} anchor={self.anchor.isoformat()}]"
        )

    def __repr__(self) -> str:
        return f"<CadenceTrigger {self}>"


def programme_trigger(programme: Programme, interval: float | None = None) -> BaseTrigger:
    if interval:
        return IntervalTrigger(
            seconds=interval, start_date=datetime(2020, 1, 1, tzinfo=UTC), timezone=UTC
        )
    anchor = as_utc(programme.created_at).astimezone(ZoneInfo(programme.timezone)).date()
    return CadenceTrigger(
        programme.cadence, programme.weekday, programme.hour, programme.timezone, anchor
    )


@dataclass(frozen=True)
class Reconciled:
    added: int = 0
    replaced: int = 0
    removed: int = 0


class SchedulerService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        prompts: Prompts,
        *,
        notify: Callable[[], Awaitable[None]],
        interval: float | None = None,
        due_every: float = 60.0,
        misfire_grace: timedelta = jobs.MISFIRE_GRACE,
        note_retention_days: int | None = None,
        observer: Observer = UNWATCHED,
    ) -> None:
        self.db = db
        self.clock = clock
        self.prompts = prompts
        self.notify = notify
        self.interval = interval
        self.due_every = due_every if not interval else min(due_every, max(1.0, interval))
        self.misfire_grace = misfire_grace
        self.note_retention_days = note_retention_days
        self.scheduler: AsyncIOScheduler | None = None
        self.context = jobs.JobContext(
            db,
            clock,
            prompts,
            notify,
            interval,
            reschedule=self.reconcile,
            note_retention_days=note_retention_days,
            observer=observer,
        )

    def _new_scheduler(self) -> AsyncIOScheduler:
        return AsyncIOScheduler(
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(self.misfire_grace.total_seconds()),
            },
            timezone=UTC,
        )

    def start(self) -> None:
        """Start scheduling (call from the event loop, in the leader only)."""
        if self.scheduler is not None:
            return
        scheduler = self._new_scheduler()
        scheduler.start()
        self.scheduler = scheduler
        scheduler.add_job(
            jobs.run_due_work,
            IntervalTrigger(seconds=self.due_every, timezone=UTC),
            args=(self.context,),
            id=DUE_JOB,
            name=DUE_JOB,
            replace_existing=True,
        )
        self.reconcile()
        log.info("scheduler started")

    def stop(self) -> None:
        if self.scheduler is not None:
            # Pausing stops all further runs (a job already running finishes). A full
            # shutdown during aiohttp's own shutdown stops the event loop under its feet.
            self.scheduler.pause()
            self.scheduler = None
            log.info("scheduler stopped")

    def reconcile(self) -> Reconciled:
        """Make the round jobs match the programme table."""
        scheduler = self.scheduler
        if scheduler is None:
            return Reconciled()
        with self.db.session() as session:
            programmes = list(session.exec(select(Programme)).all())
        wanted: dict[str, tuple[Programme, BaseTrigger]] = {}
        for programme in programmes:
            if programme.paused or programme.is_demo or programme.id is None:
                continue
            wanted[ROUND_JOB.format(id=programme.id)] = (
                programme,
                programme_trigger(programme, self.interval),
            )
        existing = {job.id: job for job in scheduler.get_jobs() if job.id.startswith("round:")}
        added = replaced = removed = 0
        for job_id in existing:
            if job_id not in wanted:
                scheduler.remove_job(job_id)
                removed += 1
        for job_id, (programme, trigger) in wanted.items():
            job = existing.get(job_id)
            if job is not None and str(job.trigger) == str(trigger):
                continue
            options: dict[str, Any] = {
                "id": job_id,
                "name": f"round of {programme.name}",
                "args": (self.context, programme.id),
                "replace_existing": True,
            }
            scheduler.add_job(jobs.run_programme_round, trigger, **options)
            if job is None:
                added += 1
            else:
                replaced += 1
        if added or replaced or removed:
            log.info("round jobs: %d added, %d replaced, %d removed", added, replaced, removed)
        return Reconciled(added, replaced, removed)

    def next_runs(self) -> dict[str, datetime]:
        """When each programme's next round is due (for status pages and tests)."""
        if self.scheduler is None:
            return {}
        return {
            job.id: job.next_run_time
            for job in self.scheduler.get_jobs()
            if job.next_run_time is not None
        }
