"""Running a round: its plan (round_plan.py) stored as introductions, and what to send queued."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.db.models import Programme, Round, RoundState
from bot.formatting import zone
from bot.scheduling import times
from bot.scheduling.locks import lock_programme
from bot.starters import FIRST_MEETING_ROUNDS
from bot.templates import Prompts
from bot.usecases.bulk import ProgressCallback, collector_paused, no_progress
from bot.usecases.common import UseCaseError, audit, require_id
from bot.usecases.people import resume_due
from bot.usecases.round_plan import PlannedGroup, RoundPlan, _plan, default_seed, plan_round
from bot.usecases.round_text import CachedPrompts, pick_starter, why_line
from bot.usecases.round_writes import (
    Introduced,
    existing_ties,
    organisation_pair_ties,
    pairs_of,
    record_round,
    stage_pairs,
    starters_by_pair,
)

__all__ = [
    "MANUAL_RUN_GAP",
    "PlannedGroup",
    "RoundPlan",
    "RoundSummary",
    "default_seed",
    "plan_round",
    "run_round",
]

MANUAL_RUN_GAP = timedelta(hours=1)  # a manual run this soon after another round is refused


@dataclass(frozen=True)
class RoundSummary:
    plan: RoundPlan
    round_id: int
    messages_queued: int
    already_ran: bool = False
    unreachable: tuple[str, ...] = field(default=())


@collector_paused()
def run_round(
    session: Session,
    now: datetime,
    programme: Programme,
    prompts: Prompts,
    *,
    seed: int | None = None,
    slot: str | None = None,
    actor: str = "cli",
    progress: ProgressCallback | None = None,
) -> RoundSummary:
    """Match, record introductions, check-ins and ties, and queue the introductions.

    With a `slot` (a scheduled run's key), a second run for the same slot does nothing.
    """
    report = progress or no_progress
    if programme.paused:
        raise UseCaseError("error_programme_paused", programme=programme.name)
    programme_id = require_id(programme.id)
    lock_programme(session, programme_id)  # concurrent runs of one programme take turns
    if slot is None:
        latest = session.exec(
            select(Round)
            .where(Round.programme_id == programme_id)
            .order_by(col(Round.created_at).desc())
        ).first()
        if latest is not None and now - as_utc(latest.created_at) < MANUAL_RUN_GAP:
            raise UseCaseError(
                "error_round_just_ran", programme=programme.name, number=latest.number
            )
    if slot is not None:
        existing = session.exec(
            select(Round).where(Round.programme_id == programme_id, Round.slot == slot)
        ).first()
        if existing is not None:
            plan = RoundPlan(programme.name, existing.number, existing.seed, (), (), 0, 0)
            return RoundSummary(plan, require_id(existing.id), 0, already_ran=True)
    resume_due(session, now.date())
    report("Matching", 0, None)
    planned = _plan(session, now, programme, seed=seed)
    plan, people = planned.plan, planned.people
    report("Matching", 1, 1)
    for old in session.exec(
        select(Round).where(Round.programme_id == programme_id, Round.state != RoundState.CLOSED)
    ).all():
        old.state = RoundState.CLOSED
        old.closed_at = now
        session.add(old)
    round_ = Round(
        programme_id=programme_id,
        number=plan.number,
        slot=slot,
        seed=plan.seed,
        state=RoundState.MATCHED,
        created_at=now,
        matched_at=now,
    )
    session.add(round_)
    session.flush()
    stage_pairs(session, [pair for g in plan.groups for pair in pairs_of(g.members)])
    used_by_pair = starters_by_pair(session)
    pair_ties = organisation_pair_ties(session, programme_id)
    introduced = []
    cached = CachedPrompts(prompts)  # most sentences repeat across a round's groups
    month = now.astimezone(zone(programme.timezone)).month
    for index, group in enumerate(plan.groups):
        starter_key, starter_text = pick_starter(
            cached,
            programme,
            group.members,
            used_by_pair,
            plan.seed,
            index,
            month=month,
            first_meeting=plan.number <= FIRST_MEETING_ROUNDS,
        )
        why = why_line(
            cached,
            group.organisations,
            [people[m].organisation_id for m in group.members],
            pair_ties,
        )
        introduced.append(Introduced(group.members, starter_key, starter_text, why))
    checkin_at = times.checkin_due_at(programme, now)  # at the programme's hour, if in days
    queued = record_round(
        session,
        now,
        programme_id=programme_id,
        programme_name=programme.name,
        round_id=require_id(round_.id),
        checkin_at=checkin_at,
        nudge_at=checkin_at + timedelta(days=programme.nudge_days),
        checkin_days=programme.checkin_days,
        prompts=cached,
        introduced=introduced,
        programme_timezone=programme.timezone,
        people=people,
        organisations=planned.organisations,
        addresses=planned.addresses,
        ties=existing_ties(session),
        report=report,
    )
    round_.state = RoundState.ANNOUNCED
    round_.announced_at = now
    session.add(round_)
    audit(
        session,
        now,
        actor,
        "round_run",
        programme_id,
        round=plan.number,
        groups=len(plan.groups),
        people=plan.people,
    )
    return RoundSummary(plan, require_id(round_.id), queued, unreachable=plan.unplaced)
