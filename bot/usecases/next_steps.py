"""The next small step: after meeting, a group may agree one short step; after the programme's
follow-up delay Crossties asks "did it happen?". Ties move introduced → met → step_agreed →
step_taken (→ collaborating, when someone logs working together).

The step's words are for the group only: they go to its members and nowhere else, expire
with the notes' retention period and are blanked when a member is erased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import combinations

from sqlalchemy import true, update
from sqlmodel import Session, col, or_, select

from bot.actions import step_buttons
from bot.commands import clean_text
from bot.db.models import Answer, Introduction, NextStep, Person, Programme, TieStage
from bot.events import Button, Card, Message
from bot.outbox import queue_to
from bot.templates import Prompts
from bot.usecases.checkins import group_members
from bot.usecases.common import UseCaseError, audit, display_name, require_id
from bot.usecases.ties import add_event, advance, get_tie

MAX_STEP_LENGTH = 200  # one short line
STEP_CHECK = "step_check"  # the outbox kind of "did it happen?"


@dataclass(frozen=True)
class StepView:
    introduction_id: int
    note: str | None
    partners: tuple[str, ...]
    check_due_at: datetime
    happened: bool | None


def _group(session: Session, person: Person, introduction_id: int) -> list[Person]:
    members = group_members(session, introduction_id)
    if all(m.id != person.id for m in members):
        raise UseCaseError("error_not_in_group")
    return members


def _move_ties(
    session: Session,
    now: datetime,
    members: list[Person],
    stage: TieStage,
    kind: str,
    by: Person,
    introduction_id: int,
) -> None:
    for a, b in combinations(members, 2):
        tie = get_tie(session, require_id(a.id), require_id(b.id))
        if tie is None:
            continue
        advance(session, now, tie, stage)
        add_event(session, now, tie, kind, by=by, introduction_id=introduction_id)


def agree(
    session: Session, now: datetime, person: Person, introduction_id: int, text: str
) -> StepView:
    """Record (or reword, until it is asked about) the group's next step."""
    introduction = session.get(Introduction, introduction_id, with_for_update=True)
    members = _group(session, person, introduction_id)
    assert introduction is not None
    if introduction.outcome != Answer.MET:
        raise UseCaseError("error_step_before_met")
    note = clean_text(text)
    if not note:
        raise UseCaseError("error_step_usage")
    if len(note) > MAX_STEP_LENGTH:
        raise UseCaseError("error_step_too_long", limit=MAX_STEP_LENGTH)
    programme = session.get(Programme, introduction.programme_id)
    assert programme is not None
    step = session.exec(
        select(NextStep).where(NextStep.introduction_id == introduction_id)
    ).first() or NextStep(
        introduction_id=introduction_id,
        programme_id=introduction.programme_id,
        agreed_at=now,
        check_due_at=now,
    )
    step.note = note
    step.agreed_by = person.id
    step.agreed_at = now
    step.check_due_at = now + timedelta(days=programme.checkin_days)  # the follow-up delay
    step.asked_at = None
    step.happened = None
    session.add(step)
    _move_ties(session, now, members, TieStage.STEP_AGREED, "step_agreed", person, introduction_id)
    audit(session, now, f"person:{person.id}", "step_agreed", introduction.programme_id)
    return _view(step, members, person)


def answer(
    session: Session, now: datetime, person: Person, introduction_id: int, happened: bool
) -> StepView:
    """ "Did it happen?": yes moves the group's ties to step_taken; either answer is kept."""
    members = _group(session, person, introduction_id)
    step = session.exec(
        select(NextStep).where(NextStep.introduction_id == introduction_id).with_for_update()
    ).first()
    if step is None:
        raise UseCaseError("error_no_step")
    step.happened = happened
    step.answered_by = person.id
    step.answered_at = now
    session.add(step)
    if happened:
        _move_ties(
            session, now, members, TieStage.STEP_TAKEN, "step_taken", person, introduction_id
        )
    else:
        _move_ties(
            session, now, members, TieStage.STEP_AGREED, "step_not_yet", person, introduction_id
        )
    audit(
        session, now, f"person:{person.id}", "step_answered", step.programme_id, happened=happened
    )
    return _view(step, members, person)


def step_of(session: Session, introduction_id: int) -> NextStep | None:
    return session.exec(select(NextStep).where(NextStep.introduction_id == introduction_id)).first()


def latest_step(session: Session, person: Person) -> NextStep | None:
    """The most recent next step of a group the person is in."""
    from bot.db.models import IntroductionMember

    return session.exec(
        select(NextStep)
        .join(
            IntroductionMember,
            col(IntroductionMember.introduction_id) == col(NextStep.introduction_id),
        )
        .where(IntroductionMember.person_id == person.id)
        .order_by(col(NextStep.agreed_at).desc())
    ).first()


def _view(step: NextStep, members: list[Person], person: Person) -> StepView:
    return StepView(
        step.introduction_id,
        step.note,
        tuple(display_name(m) for m in members if m.id != person.id),
        step.check_due_at,
        step.happened,
    )


def queue_step_checks(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> int:
    """Queue "did it happen?" to each member of a group whose step is due (by `due_by`, to
    send early; in one programme with `programme_id`). Idempotent."""
    due_by = now if due_by is None else due_by
    in_programme = (
        col(NextStep.programme_id) == programme_id if programme_id is not None else true()
    )
    due = session.exec(
        select(NextStep).where(
            col(NextStep.asked_at).is_(None),
            col(NextStep.happened).is_(None),
            col(NextStep.check_due_at) <= due_by,
            in_programme,
        )
    ).all()
    queued = 0
    for step in due:
        step.asked_at = now
        session.add(step)
        members = group_members(session, step.introduction_id)
        for member in members:
            partners = [display_name(m) for m in members if m.id != member.id]
            message = partial(
                step_check_message, prompts, step.introduction_id, step.note, partners
            )
            queued += bool(
                queue_to(
                    session,
                    now,
                    require_id(member.id),
                    key=f"{STEP_CHECK}:{step.introduction_id}:{member.id}:{step.agreed_at.isoformat()}",
                    kind=STEP_CHECK,
                    message=message,
                    programme_id=step.programme_id,
                    introduction_id=step.introduction_id,
                )
            )
    return queued


def step_check_message(
    prompts: Prompts, introduction_id: int, note: str | None, partners: list[str]
) -> Message:
    body = prompts.render("step_check_body", note=note, partners=partners)
    return step_check(prompts, body, partial(step_buttons, introduction_id))


def step_check(
    prompts: Prompts, body: str, buttons: Callable[[str, str], tuple[Button, ...]]
) -> Message:
    """ "Did it happen?" on a pair's or a circle's step: `buttons` makes It happened / Not yet
    from their labels."""
    card = Card(
        title=prompts.render("step_check_title"),
        sections=(body,),
        buttons=buttons(
            prompts.render("button_step_happened"), prompts.render("button_step_not_yet")
        ),
    )
    return Message((card,))


def my_steps(session: Session, person_id: int) -> list[dict[str, object]]:
    """For `my data`: the next steps they agreed, and the ones whose outcome they told."""
    steps = session.exec(
        select(NextStep)
        .where(or_(col(NextStep.agreed_by) == person_id, col(NextStep.answered_by) == person_id))
        .order_by(col(NextStep.agreed_at))
    ).all()
    return [
        {
            "introduction": s.introduction_id,
            "step": s.note,
            "agreed_at": s.agreed_at,
            "agreed_by_you": s.agreed_by == person_id,
            "happened": s.happened,
            "answered_by_you": s.answered_by == person_id,
        }
        for s in steps
    ]


def expire_step_notes(session: Session, now: datetime, retention_days: int) -> int:
    """Blank the words of next steps agreed longer ago than the notes' retention period."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(NextStep)
        .where(col(NextStep.note).is_not(None), col(NextStep.agreed_at) < cutoff)
        .values(note=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
