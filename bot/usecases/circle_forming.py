"""Forming a topic's circles at its time, their messages, and the check-in per circle.

Forming locks the topic's row and happens once: a second run (another process, the
scheduler and a coordinator at once) finds the topic formed and changes nothing. Past
circle-mates (from any earlier circle) are the engine's history, so people meet new faces.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import true
from sqlmodel import Session, col, select

from bot import accounts
from bot.circle_compose import CircleMate, checkin_message, circle_message
from bot.db.circle_models import (
    Circle,
    CircleMember,
    CircleSignup,
    CircleTopic,
    CircleTopicOrganisation,
    CircleTopicStatus,
)
from bot.db.models import (
    Answer,
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    PlatformAccount,
    Programme,
)
from bot.events import Message
from bot.matching.circles import CircleSignup as Signup
from bot.matching.circles import form_circles
from bot.outbox import queue, queue_to
from bot.templates import Prompts
from bot.usecases.common import UseCaseError, audit, display_name, require_id

CIRCLE_CHECKIN = "circle_checkin"  # the outbox kind of a circle's check-in


@dataclass(frozen=True)
class Formed:
    topic: str
    circles: tuple[tuple[int, ...], ...]  # person ids per circle
    unplaced: tuple[int, ...]
    queued: int
    already: bool = False  # formed before: nothing changed


def due_topics(session: Session, now: datetime) -> list[int]:
    """Open topics whose forming time has come."""
    found = session.exec(
        select(CircleTopic.id)
        .where(CircleTopic.status == CircleTopicStatus.OPEN, col(CircleTopic.forms_at) <= now)
        .order_by(col(CircleTopic.forms_at))
    ).all()
    return [require_id(topic_id) for topic_id in found]


def form_topic(
    session: Session, now: datetime, prompts: Prompts, topic_id: int, *, actor: str = "scheduler"
) -> Formed:
    topic = session.get(CircleTopic, topic_id, with_for_update=True)
    if topic is None:
        raise UseCaseError("error_bad_action")
    if topic.status in (CircleTopicStatus.PROPOSED, CircleTopicStatus.DECLINED):
        raise UseCaseError("error_circle_not_open", title=topic.title, status=topic.status.value)
    if topic.status != CircleTopicStatus.OPEN:
        return Formed(topic.title, _existing(session, topic_id), (), 0, already=True)
    programme = session.get(Programme, topic.programme_id)
    assert programme is not None
    people = _signed_up(session, topic)
    organisations = {
        o.id: o.name for o in session.exec(select(Organisation)).all() if o.id is not None
    }
    affected = session.exec(
        select(CircleTopicOrganisation.organisation_id).where(
            CircleTopicOrganisation.topic_id == topic_id
        )
    ).all()
    mates = past_mates(session, [require_id(p.id) for p in people])
    signups = [
        Signup(
            id=str(p.id),
            organisation=organisations[p.organisation_id or 0],
            role=(p.role or "").strip().casefold() or None,
            past_mates=frozenset(str(m) for m in mates.get(require_id(p.id), ())),
        )
        for p in people
    ]
    result = form_circles(
        signups,
        [organisations[o] for o in affected],
        min_size=topic.min_size,
        max_size=topic.max_size,
        seed=topic_id,
    )
    by_id = {require_id(p.id): p for p in people}
    due = now + timedelta(days=programme.checkin_days)
    queued = 0
    circles = tuple(tuple(int(i) for i in c) for c in result.circles)
    numbered = session.exec(select(Circle.number).where(Circle.topic_id == topic_id)).all()
    for number, members in enumerate(circles, start=max(numbered, default=0) + 1):
        circle = Circle(topic_id=topic_id, number=number, created_at=now, checkin_due_at=due)
        session.add(circle)
        session.flush()
        for person_id in members:
            session.add(
                CircleMember(
                    circle_id=require_id(circle.id),
                    person_id=person_id,
                    topic_id=topic_id,
                    organisation_id=by_id[person_id].organisation_id,
                )
            )
        mates_of = [by_id[i] for i in members]
        queued += _queue_circle(
            session, now, prompts, topic, programme, circle, mates_of, organisations
        )
    unplaced = tuple(int(i) for i in result.unplaced)
    queued += _queue_unplaced(session, now, prompts, topic, unplaced)
    topic.status = CircleTopicStatus.FORMED
    topic.formed_at = now
    session.add(topic)
    audit(
        session,
        now,
        actor,
        "circle_form",
        programme.id,
        topic=topic_id,
        circles=len(circles),
        unplaced=len(unplaced),
        gap=result.gap,
    )
    return Formed(topic.title, circles, unplaced, queued)


def _signed_up(session: Session, topic: CircleTopic) -> list[Person]:
    """Sign-ups still taking part (not left, not erased, with an organisation) and not
    already in one of the topic's circles."""
    placed = select(CircleMember.person_id).where(CircleMember.topic_id == topic.id)
    return list(
        session.exec(
            select(Person)
            .join(CircleSignup, col(CircleSignup.person_id) == col(Person.id))
            .join(
                Membership,
                (col(Membership.person_id) == col(Person.id))
                & (col(Membership.programme_id) == topic.programme_id),
            )
            .where(
                CircleSignup.topic_id == topic.id,
                col(Membership.status) != MembershipStatus.LEFT,
                col(Person.erased).is_(False),
                col(Person.organisation_id).is_not(None),
                col(Person.id).not_in(placed),
            )
            .order_by(col(Person.id))
        ).all()
    )


def past_mates(session: Session, person_ids: list[int]) -> dict[int, set[int]]:
    """Everyone each person has sat in a circle with before."""
    if not person_ids:
        return {}
    theirs = session.exec(
        select(CircleMember.circle_id, CircleMember.person_id).where(
            col(CircleMember.person_id).in_(person_ids)
        )
    ).all()
    circles = {c for c, _ in theirs}
    everyone: dict[int, list[int]] = defaultdict(list)
    for circle_id, person_id in session.exec(
        select(CircleMember.circle_id, CircleMember.person_id).where(
            col(CircleMember.circle_id).in_(circles)
        )
    ).all():
        everyone[circle_id].append(person_id)
    mates: dict[int, set[int]] = defaultdict(set)
    for circle_id, person_id in theirs:
        mates[person_id].update(p for p in everyone[circle_id] if p != person_id)
    return mates


def _existing(session: Session, topic_id: int) -> tuple[tuple[int, ...], ...]:
    rows = session.exec(
        select(Circle.number, CircleMember.person_id)
        .join(CircleMember, col(CircleMember.circle_id) == col(Circle.id))
        .where(Circle.topic_id == topic_id)
        .order_by(col(Circle.number), col(CircleMember.person_id))
    ).all()
    grouped: dict[int, list[int]] = defaultdict(list)
    for number, person_id in rows:
        grouped[number].append(person_id)
    return tuple(tuple(grouped[n]) for n in sorted(grouped))


def _queue_circle(
    session: Session,
    now: datetime,
    prompts: Prompts,
    topic: CircleTopic,
    programme: Programme,
    circle: Circle,
    people: list[Person],
    organisations: dict[int, str],
) -> int:
    """One message per platform and workspace: a group DM on Slack, a card each on Teams."""
    reached: dict[int, PlatformAccount] = {}
    for person in people:
        account = accounts.first_reachable(session, require_id(person.id))
        if account is not None:
            reached[require_id(person.id)] = account
    mates = [
        CircleMate(
            person_id=require_id(p.id),
            name=display_name(p),
            role=p.role,
            organisation=organisations.get(p.organisation_id or 0, "?"),
            platform=reached[p.id].platform if p.id in reached else None,
            email=p.email if p.share_email else None,
        )
        for p in people
    ]
    by_place: dict[tuple[str, str], list[int]] = defaultdict(list)
    for person_id, account in reached.items():
        by_place[(account.platform, account.workspace)].append(person_id)
    queued = 0
    for (platform, workspace), recipients in sorted(by_place.items()):
        first = next(p for p in people if p.id in recipients)
        message = circle_message(
            prompts,
            title=topic.title,
            description=topic.description,
            members=mates,
            recipients=set(recipients),
            platform=platform,
            checkin_days=programme.checkin_days,
            checkin_at=circle.checkin_due_at,
            timezone=first.timezone if len(recipients) == 1 else programme.timezone,
            now=now,
        )
        queued += queue(
            session,
            now,
            key=f"circle:{circle.id}:{platform}:{workspace}",
            platform=platform,
            workspace=workspace,
            recipients=[reached[p].user_id for p in recipients],
            kind="circle",
            message=message,
            programme_id=programme.id,
        )
    return queued


def _queue_unplaced(
    session: Session, now: datetime, prompts: Prompts, topic: CircleTopic, unplaced: tuple[int, ...]
) -> int:
    queued = 0
    for person_id in unplaced:
        text = prompts.render("circle_unplaced", title=topic.title)
        queued += bool(
            queue_to(
                session,
                now,
                person_id,
                key=f"circle_unplaced:{topic.id}:{person_id}",
                kind="circle_unplaced",
                message=Message.text(text),
                programme_id=topic.programme_id,
            )
        )
    return queued


# ---------------------------------------------------------------- check-in per circle


def queue_due_circle_checkins(
    session: Session,
    now: datetime,
    prompts: Prompts,
    *,
    due_by: datetime | None = None,
    programme_id: int | None = None,
) -> int:
    """Ask each member of a circle whose check-in is due (by `due_by`, to send early; in one
    programme with `programme_id`) how it went (once each; not those who already said).
    Idempotent."""
    due_by = now if due_by is None else due_by
    in_programme = (
        col(CircleTopic.programme_id) == programme_id if programme_id is not None else true()
    )
    rows = session.exec(
        select(CircleMember, Circle, CircleTopic)
        .join(Circle, col(Circle.id) == col(CircleMember.circle_id))
        .join(CircleTopic, col(CircleTopic.id) == col(Circle.topic_id))
        .where(
            col(CircleMember.checkin_sent_at).is_(None),
            col(CircleMember.answer).is_(None),
            col(Circle.checkin_due_at) <= due_by,
            in_programme,
        )
    ).all()
    queued = 0
    for member, circle, topic in rows:
        member.checkin_sent_at = now
        session.add(member)
        queued += bool(
            queue_to(
                session,
                now,
                member.person_id,
                key=f"circle_checkin:{circle.id}:{member.person_id}",
                kind=CIRCLE_CHECKIN,
                message=partial(_circle_checkin, session, prompts, circle, topic, member.person_id),
                programme_id=topic.programme_id,
            )
        )
    return queued


def _circle_checkin(
    session: Session, prompts: Prompts, circle: Circle, topic: CircleTopic, person_id: int
) -> Message:
    people = circle_people(session, require_id(circle.id))
    names = [display_name(p) for p in people if p.id != person_id]
    return checkin_message(prompts, circle_id=require_id(circle.id), title=topic.title, names=names)


def circle_people(session: Session, circle_id: int) -> list[Person]:
    return list(
        session.exec(
            select(Person)
            .join(CircleMember, col(CircleMember.person_id) == col(Person.id))
            .where(CircleMember.circle_id == circle_id)
            .order_by(col(Person.id))
        ).all()
    )


def record_circle_answer(
    session: Session, now: datetime, person: Person, circle_id: int, answer: Answer
) -> tuple[tuple[str, str | None], ...]:
    """Only the circle's members answer for it; answering again updates the answer. Returns
    every member's name and answer so far."""
    circle = session.get(Circle, circle_id, with_for_update=True)
    member = session.get(CircleMember, (circle_id, require_id(person.id)))
    if circle is None or member is None:
        raise UseCaseError("error_not_in_circle")
    member.answer = answer
    member.answered_at = now
    session.add(member)
    topic = session.get(CircleTopic, circle.topic_id)
    audit(
        session,
        now,
        f"person:{person.id}",
        "circle_checkin",
        topic.programme_id if topic else None,
        answer=answer.value,
    )
    session.flush()
    rows = session.exec(
        select(Person, CircleMember.answer)
        .join(CircleMember, col(CircleMember.person_id) == col(Person.id))
        .where(CircleMember.circle_id == circle_id)
        .order_by(col(Person.id))
    ).all()
    return tuple((display_name(p), Answer(a).value if a else None) for p, a in rows)
