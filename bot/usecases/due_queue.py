"""Everything the check-in loops send when it falls due, in one step: the pair check-ins,
nudges and follow-ups, each circle's check-in and each next step's "did it happen?" (a pair's
or a circle's).

The scheduler's due-work job runs it with the time now; `checkins send` (chat and CLI) runs it
with a later `due_by`, to send early whatever would be due by then, through the same queue.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session

from bot.templates import Prompts
from bot.usecases.checkin_queue import KINDS, queue_due_work
from bot.usecases.circle_forming import CIRCLE_CHECKIN, queue_due_circle_checkins
from bot.usecases.circle_steps import queue_circle_step_checks
from bot.usecases.next_steps import STEP_CHECK, queue_step_checks

SEND_EARLY_KINDS = (*KINDS, CIRCLE_CHECKIN, STEP_CHECK)  # every outbox kind sent early


def queue_due(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> Counter[str]:
    """Queue what is due by `due_by` (default `now`), in one programme or all; how many
    messages of each outbox kind. Idempotent: each is asked once."""
    queued = queue_due_work(session, now, prompts, due_by=due_by, programme_id=programme_id)
    queued[CIRCLE_CHECKIN] += queue_due_circle_checkins(
        session, now, prompts, due_by=due_by, programme_id=programme_id
    )
    queued[STEP_CHECK] += queue_step_checks(
        session, now, prompts, due_by=due_by, programme_id=programme_id
    )
    queued[STEP_CHECK] += queue_circle_step_checks(  # a circle's step: the same question
        session, now, prompts, due_by=due_by, programme_id=programme_id
    )
    return queued
