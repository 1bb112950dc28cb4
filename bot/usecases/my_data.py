"""Everything held about a person, for them to read or keep (the right of access)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot import accounts
from bot.db.models import (
    CheckIn,
    Exclusion,
    Introduction,
    IntroductionMember,
    Organisation,
    Person,
    Programme,
    ProgrammeRole,
    Round,
    Tie,
    TieEvent,
)
from bot.events import UserRef
from bot.usecases.common import display_name as shown_name
from bot.usecases.common import require_id
from bot.usecases.profile import profile


def my_data(session: Session, person: Person) -> str:
    """Everything we hold about a person, as JSON they can keep."""
    return json.dumps(my_data_record(session, person), default=str, indent=2)


def _name_of(session: Session, person_id: int) -> tuple[str, str | None]:
    """A partner's name and organisation, as the person saw them (never a bare id)."""
    other = session.get(Person, person_id)
    if other is None or other.erased:
        return "someone who has left", None
    organisation = (
        session.get(Organisation, other.organisation_id) if other.organisation_id else None
    )
    return shown_name(other), organisation.name if organisation else None


def _tie_record(session: Session, tie: Tie, person_id: int) -> dict[str, Any]:
    other = tie.person_b_id if tie.person_a_id == person_id else tie.person_a_id
    name, organisation = _name_of(session, other)
    return {"with": name, "organisation": organisation, "stage": tie.stage, "since": tie.created_at}


def my_data_record(session: Session, person: Person) -> dict[str, Any]:
    """Everything we hold about a person, with partners by name: the chat's plain words and
    the JSON copy are both drawn from it."""
    view = profile(session, person)
    held = accounts.accounts_of(session, require_id(person.id))
    ties = session.exec(
        select(Tie).where(or_(col(Tie.person_a_id) == person.id, col(Tie.person_b_id) == person.id))
    ).all()
    notes = session.exec(
        select(TieEvent).where(
            TieEvent.by_person_id == person.id,
            or_(col(TieEvent.note).is_not(None), col(TieEvent.tags).is_not(None)),
        )
    ).all()
    data: dict[str, Any] = {
        "name": view.name,
        "email": person.email,
        "organisation": view.organisation,
        "role": view.role,
        "timezone": view.timezone,
        "share_email": view.share_email,
        "name_in_reports": view.name_in_reports,
        "roster_id": person.external_id,
        "accounts": [
            {"platform": a.platform, "workspace": a.workspace, "user_id": a.user_id} for a in held
        ],
        "programmes": [
            {"programme": p, "status": s, "paused_until": u} for p, s, u in view.memberships
        ],
        "ties": [
            dict(
                zip(
                    ("with", "organisation"),
                    _name_of(
                        session, t.person_b_id if t.person_a_id == person.id else t.person_a_id
                    ),
                    strict=True,
                ),
                stage=t.stage,
                since=t.created_at,
            )
            for t in ties
        ],
        "notes": [{"at": n.at, "note": n.note, "tags": n.tags} for n in notes],
        **_my_rounds(session, require_id(person.id)),
        **_my_pace_and_steps(session, require_id(person.id)),
    }
    for apart in data["kept_apart_from"]:
        apart["person"] = _name_of(session, apart["person"])[0]
    return data


def _my_pace_and_steps(session: Session, person_id: int) -> dict[str, object]:
    from bot.usecases.circle_steps import my_circle_steps
    from bot.usecases.next_steps import my_steps
    from bot.usecases.pressure import my_rhythm

    return {
        "rhythm": my_rhythm(session, person_id),
        "next_steps": my_steps(session, person_id),
        "circle_steps": my_circle_steps(session, person_id),
        "circles": _my_circles(session, person_id),
    }


def _my_circles(session: Session, person_id: int) -> list[dict[str, object]]:
    """The circle topics the person signed up to, and the circle they were placed in."""
    from bot.db.circle_models import CircleMember, CircleSignup, CircleTopic

    signups = session.exec(select(CircleSignup).where(CircleSignup.person_id == person_id)).all()
    placed = {
        m.topic_id: m
        for m in session.exec(select(CircleMember).where(CircleMember.person_id == person_id))
    }
    shown: list[dict[str, object]] = []
    for topic_id in sorted({s.topic_id for s in signups} | set(placed)):
        topic = session.get(CircleTopic, topic_id)
        member = placed.get(topic_id)
        shown.append(
            {
                "topic": topic.title if topic else None,
                "in_a_circle": member is not None,
                "answer": member.answer.value if member and member.answer else None,
            }
        )
    return shown


def _my_rounds(session: Session, person_id: int) -> dict[str, object]:
    """Introductions, check-in answers, programme roles and pairings kept apart, for `my_data`."""
    introductions = session.exec(
        select(Introduction, IntroductionMember, Programme.name, Round.number)
        .join(IntroductionMember, col(IntroductionMember.introduction_id) == col(Introduction.id))
        .join(Programme, col(Programme.id) == col(Introduction.programme_id))
        .join(Round, col(Round.id) == col(Introduction.round_id))
        .where(IntroductionMember.person_id == person_id)
        .order_by(col(Introduction.created_at))
    ).all()
    checkins = session.exec(select(CheckIn).where(CheckIn.person_id == person_id)).all()
    roles = session.exec(
        select(Programme.name, ProgrammeRole.role)
        .join(ProgrammeRole, col(ProgrammeRole.programme_id) == col(Programme.id))
        .where(ProgrammeRole.person_id == person_id)
    ).all()
    apart = session.exec(
        select(Exclusion).where(
            or_(col(Exclusion.person_a_id) == person_id, col(Exclusion.person_b_id) == person_id)
        )
    ).all()
    return {
        "introductions": [
            {"id": i.id, "programme": name, "round": number, "at": i.created_at}
            for i, _, name, number in introductions
        ],
        "check_ins": [
            {
                "introduction": c.introduction_id,
                "sent_at": c.sent_at,
                "answer": c.answer,
                "answered_at": c.answered_at,
            }
            for c in checkins
        ],
        "roles": [{"programme": name, "role": role} for name, role in roles],
        "kept_apart_from": [
            {"person": e.person_b_id if e.person_a_id == person_id else e.person_a_id}
            for e in apart
        ],
    }


def accounts_of(session: Session, person: Person) -> tuple[UserRef, ...]:
    """The person's chat accounts, as references."""
    return accounts.refs_of(session, require_id(person.id))
