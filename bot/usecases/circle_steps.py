"""A circle's next small step: after its members meet, the circle may agree one short step;
after the programme's follow-up delay Crossties asks its members "did it happen?".

As for pairs (bot.usecases.next_steps), the step's words go to the circle's members and
nowhere else, expire with the notes' retention period and are blanked when a member is
erased. A circle makes no ties (ties are between two people introduced to each other), so
its step moves none and the report's funnel of tie stages does not count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import true, update
from sqlmodel import Session, col, or_, select

from bot.actions import circle_step_buttons
from bot.commands import clean_text
from bot.db.circle_models import Circle, CircleMember, CircleStep, CircleTopic
from bot.db.models import Answer, Person, Programme
from bot.events import Message
from bot.outbox import queue_to
from bot.templates import Prompts
from bot.usecases.circle_forming import circle_people
from bot.usecases.common import UseCaseError, audit, display_name, require_id
from bot.usecases.next_steps import MAX_STEP_LENGTH, STEP_CHECK, step_check


@dataclass(frozen=True)
class CircleStepView:
    circle_id: int
    note: str | None
    partners: tuple[str, ...]  # the other members, by name
    check_due_at: datetime
    happened: bool | None


def _circle(session: Session, person: Person, circle_id: int) -> tuple[Circle, CircleMember]:
    circle = session.get(Circle, circle_id)
    member = session.get(CircleMember, (circle_id, require_id(person.id)))
    if circle is None or member is None:
        raise UseCaseError("error_not_in_circle")
    return circle, member


def latest_answered_circle(
    session: Session, person: Person, programme: Programme | None = None
) -> CircleMember | None:
    """The circle whose check-in the person answered last (in one programme, if named)."""
    query = (
        select(CircleMember)
        .join(CircleTopic, col(CircleTopic.id) == col(CircleMember.topic_id))
        .where(CircleMember.person_id == person.id, col(CircleMember.answered_at).is_not(None))
    )
    if programme is not None:
        query = query.where(CircleTopic.programme_id == programme.id)
    return session.exec(query.order_by(col(CircleMember.answered_at).desc())).first()


def agree(
    session: Session, now: datetime, person: Person, circle_id: int, text: str
) -> CircleStepView:
    """Record (or reword, until it is asked about) the circle's next step. Only a member who
    said the circle met may add it."""
    circle, member = _circle(session, person, circle_id)
    if member.answer != Answer.MET:
        raise UseCaseError("error_step_before_met")
    note = clean_text(text)
    if not note:
        raise UseCaseError("error_step_usage")
    if len(note) > MAX_STEP_LENGTH:
        raise UseCaseError("error_step_too_long", limit=MAX_STEP_LENGTH)
    topic = session.get(CircleTopic, circle.topic_id)
    programme = session.get(Programme, topic.programme_id) if topic is not None else None
    assert topic is not None and programme is not None
    step = step_of(session, circle_id, lock=True) or CircleStep(
        circle_id=circle_id, programme_id=topic.programme_id, agreed_at=now, check_due_at=now
    )
    step.note = note
    step.agreed_by = person.id
    step.agreed_at = now
    step.check_due_at = now + timedelta(days=programme.checkin_days)  # the follow-up delay
    step.asked_at = None
    step.happened = None
    session.add(step)
    audit(session, now, f"person:{person.id}", "circle_step_agreed", topic.programme_id)
    return _view(session, step, person)


def answer(
    session: Session, now: datetime, person: Person, circle_id: int, happened: bool
) -> CircleStepView:
    """ "Did it happen?" for the circle: either answer is kept, by any member."""
    _circle(session, person, circle_id)
    step = step_of(session, circle_id, lock=True)
    if step is None:
        raise UseCaseError("error_no_step")
    step.happened = happened
    step.answered_by = person.id
    step.answered_at = now
    session.add(step)
    audit(
        session,
        now,
        f"person:{person.id}",
        "circle_step_answered",
        step.programme_id,
        happened=happened,
    )
    return _view(session, step, person)


def step_of(session: Session, circle_id: int, *, lock: bool = False) -> CircleStep | None:
    query = select(CircleStep).where(CircleStep.circle_id == circle_id)
    return session.exec(query.with_for_update() if lock else query).first()


def latest_step(session: Session, person: Person) -> CircleStep | None:
    """The most recent next step of a circle the person is in."""
    return session.exec(
        select(CircleStep)
        .join(CircleMember, col(CircleMember.circle_id) == col(CircleStep.circle_id))
        .where(CircleMember.person_id == person.id)
        .order_by(col(CircleStep.agreed_at).desc())
    ).first()


def _view(session: Session, step: CircleStep, person: Person) -> CircleStepView:
    people = circle_people(session, step.circle_id)
    return CircleStepView(
        step.circle_id,
        step.note,
        tuple(display_name(p) for p in people if p.id != person.id),
        step.check_due_at,
        step.happened,
    )


def queue_circle_step_checks(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> int:
    """Queue "did it happen?" to each member of a circle whose step is due (by `due_by`, to
    send early; in one programme with `programme_id`) who said the circle met. Idempotent."""
    due_by = now if due_by is None else due_by
    in_programme = (
        col(CircleStep.programme_id) == programme_id if programme_id is not None else true()
    )
    due = session.exec(
        select(CircleStep, Circle, CircleTopic)
        .join(Circle, col(Circle.id) == col(CircleStep.circle_id))
        .join(CircleTopic, col(CircleTopic.id) == col(Circle.topic_id))
        .where(
            col(CircleStep.asked_at).is_(None),
            col(CircleStep.happened).is_(None),
            col(CircleStep.check_due_at) <= due_by,
            in_programme,
        )
    ).all()
    queued = 0
    for step, circle, topic in due:
        step.asked_at = now
        session.add(step)
        circle_id = require_id(circle.id)
        met = set(
            session.exec(
                select(CircleMember.person_id).where(
                    CircleMember.circle_id == circle_id, CircleMember.answer == Answer.MET
                )
            ).all()
        )
        people = circle_people(session, circle_id)
        for member in people:
            if member.id not in met or member.erased:
                continue
            names = [display_name(p) for p in people if p.id != member.id]
            queued += bool(
                queue_to(
                    session,
                    now,
                    require_id(member.id),
                    key=f"circle_{STEP_CHECK}:{circle_id}:{member.id}:{step.agreed_at.isoformat()}",
                    kind=STEP_CHECK,
                    message=circle_step_check_message(
                        prompts, circle_id, topic.title, step.note, names
                    ),
                    programme_id=step.programme_id,
                )
            )
    return queued


def circle_step_check_message(
    prompts: Prompts, circle_id: int, title: str, note: str | None, names: list[str]
) -> Message:
    body = prompts.render("circle_step_check_body", title=title, note=note, names=names)
    return step_check(prompts, body, partial(circle_step_buttons, circle_id))


def my_circle_steps(session: Session, person_id: int) -> list[dict[str, object]]:
    """For `my data`: the circle steps they agreed, and the ones whose outcome they told."""
    rows = session.exec(
        select(CircleStep, CircleTopic.title)
        .join(Circle, col(Circle.id) == col(CircleStep.circle_id))
        .join(CircleTopic, col(CircleTopic.id) == col(Circle.topic_id))
        .where(
            or_(col(CircleStep.agreed_by) == person_id, col(CircleStep.answered_by) == person_id)
        )
        .order_by(col(CircleStep.agreed_at))
    ).all()
    return [
        {
            "circle_topic": title,
            "step": s.note,
            "agreed_at": s.agreed_at,
            "agreed_by_you": s.agreed_by == person_id,
            "happened": s.happened,
            "answered_by_you": s.answered_by == person_id,
        }
        for s, title in rows
    ]


def forget_circle_step_words(session: Session, person_id: int) -> None:
    """The words of any step a circle of theirs agreed go (a step may name them); the dated
    fact that a step was agreed, and whether it happened, stays."""
    theirs = select(CircleMember.circle_id).where(CircleMember.person_id == person_id)
    session.execute(
        update(CircleStep).where(col(CircleStep.circle_id).in_(theirs)).values(note=None)
    )


def expire_circle_step_notes(session: Session, now: datetime, retention_days: int) -> int:
    """Blank the words of circle steps agreed longer ago than the notes' retention period."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(CircleStep)
        .where(col(CircleStep.note).is_not(None), col(CircleStep.agreed_at) < cutoff)
        .values(note=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
