"""Staff use cases: who someone is, joining, leaving, pausing, profile, erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from bot import accounts
from bot.commands import clean_text
from bot.db.models import (
    CheckIn,
    Exclusion,
    Introduction,
    IntroductionMember,
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    Programme,
    ProgrammeOrganisation,
    ProgrammeRole,
    Round,
    Tie,
    TieEvent,
)
from bot.events import UserRef
from bot.usecases.common import (
    UseCaseError,
    audit,
    organisation_by_name,
    require_id,
)
from bot.usecases.common import display_name as shown_name
from bot.zones import canonical_timezone

MAX_PAUSE_DAYS = 366


def ensure_person(
    session: Session,
    user: UserRef,
    now: datetime,
    *,
    display_name: str | None = None,
    email: str | None = None,
    address: str | None = None,
) -> Person:
    """The person behind a platform account, created on first contact."""
    account = accounts.account_for(session, user)
    if account is not None:
        person = session.get(Person, account.person_id)
        assert person is not None
        accounts.store_address(session, account, address)
        if display_name and not person.name and not person.erased:
            person.name = clean_text(display_name)[:200]
            session.add(person)
        return person
    person = Person(
        name=clean_text(display_name)[:200] if display_name else None,
        email=email.strip()[:320] if email else None,
        created_at=now,
    )
    session.add(person)
    session.flush()
    accounts.add_account(session, require_id(person.id), user, now, address=address)
    session.flush()
    return person


def programme_organisations(session: Session, programme: Programme) -> list[Organisation]:
    return list(
        session.exec(
            select(Organisation)
            .join(
                ProgrammeOrganisation,
                col(ProgrammeOrganisation.organisation_id) == col(Organisation.id),
            )
            .where(ProgrammeOrganisation.programme_id == programme.id)
            .order_by(col(Organisation.name))
        ).all()
    )


def membership_of(session: Session, person: Person, programme: Programme) -> Membership | None:
    return session.exec(
        select(Membership).where(
            Membership.programme_id == programme.id, Membership.person_id == person.id
        )
    ).first()


def require_membership(session: Session, person: Person, programme: Programme) -> Membership:
    membership = membership_of(session, person, programme)
    if membership is None or membership.status == MembershipStatus.LEFT:
        raise UseCaseError("error_not_member", programme=programme.name)
    return membership


def programme_organisation(session: Session, programme: Programme, name: str) -> Organisation:
    """The programme's organisation of this name, in any case and spacing; refused politely."""
    organisations = programme_organisations(session, programme)
    wanted = " ".join(name.split()).casefold()
    for organisation in organisations:
        if organisation.name.casefold() == wanted:
            return organisation
    raise UseCaseError(
        "error_unknown_organisation",
        name=name,
        organisations=[o.name for o in organisations],
        programme=programme.name,
    )


@dataclass(frozen=True)
class JoinResult:
    programme: str
    organisation: str
    rejoined: bool


def join(
    session: Session,
    now: datetime,
    person: Person,
    programme: Programme,
    organisation_name: str | None,
) -> JoinResult:
    if organisation_name:
        organisation = programme_organisation(session, programme, organisation_name)
    elif person.organisation_id is not None:
        current = session.get(Organisation, person.organisation_id)
        assert current is not None
        organisation = programme_organisation(session, programme, current.name)
    else:
        raise UseCaseError(
            "error_join_needs_organisation",
            programme=programme.name,
            organisations=[o.name for o in programme_organisations(session, programme)],
        )
    person.organisation_id = organisation.id
    session.add(person)
    membership = membership_of(session, person, programme)
    rejoined = membership is not None
    if membership is None:
        membership = Membership(
            programme_id=require_id(programme.id), person_id=require_id(person.id), joined_at=now
        )
    membership.status = MembershipStatus.ACTIVE
    membership.paused_until = None
    membership.left_at = None
    session.add(membership)
    audit(session, now, f"person:{person.id}", "join", programme.id, organisation=organisation.name)
    return JoinResult(programme.name, organisation.name, rejoined)


def leave(session: Session, now: datetime, person: Person, programme: Programme) -> None:
    membership = require_membership(session, person, programme)
    membership.status = MembershipStatus.LEFT
    membership.left_at = now
    membership.paused_until = None
    session.add(membership)
    audit(session, now, f"person:{person.id}", "leave", programme.id)


def pause(
    session: Session,
    today: date,
    now: datetime,
    person: Person,
    programme: Programme,
    *,
    until: date | None = None,
    weeks: int | None = None,
) -> date | None:
    """Pause until a date (back in rounds from that day), for N weeks, or until resumed."""
    membership = require_membership(session, person, programme)
    if weeks is not None:
        until = today + timedelta(weeks=weeks)
    if until is not None:
        if until <= today:
            raise UseCaseError("error_date_in_past", date=until)
        if (until - today).days > MAX_PAUSE_DAYS:
            raise UseCaseError("error_pause_too_long")
    membership.status = MembershipStatus.PAUSED
    membership.paused_until = until
    session.add(membership)
    audit(session, now, f"person:{person.id}", "pause", programme.id, until=until)
    return until


def resume(session: Session, now: datetime, person: Person, programme: Programme) -> bool:
    membership = require_membership(session, person, programme)
    was_paused = membership.status == MembershipStatus.PAUSED
    membership.status = MembershipStatus.ACTIVE
    membership.paused_until = None
    session.add(membership)
    audit(session, now, f"person:{person.id}", "resume", programme.id)
    return was_paused


def resume_due(session: Session, today: date) -> int:
    """Bring back everyone whose pause ends on or before `today`. Safe to run repeatedly."""
    result = session.execute(
        update(Membership)
        .where(
            col(Membership.status) == MembershipStatus.PAUSED,
            col(Membership.paused_until).is_not(None),
            col(Membership.paused_until) <= today,
        )
        .values(status=MembershipStatus.ACTIVE, paused_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class ProfileView:
    name: str | None
    organisation: str | None
    role: str | None
    timezone: str
    share_email: bool
    name_in_reports: bool
    memberships: tuple[tuple[str, str, date | None], ...]  # programme, status, paused until


def _yes_no(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"yes", "y", "on", "true", "share", "show"}:
        return True
    if lowered in {"no", "n", "off", "false", "hide", "private"}:
        return False
    raise UseCaseError("error_yes_no")


def update_profile(
    session: Session,
    now: datetime,
    person: Person,
    field_name: str,
    value: str,
    programme: Programme | None,
) -> None:
    value = clean_text(value)
    if field_name == "organisation":
        if programme is not None:
            organisation = programme_organisation(session, programme, value)
        else:
            found = organisation_by_name(session, value)
            if found is None:
                raise UseCaseError(
                    "error_unknown_organisation", name=value, organisations=[], programme=""
                )
            organisation = found
        person.organisation_id = organisation.id
    elif field_name == "role":
        person.role = value[:200]
    elif field_name == "name":
        person.name = value[:200]
    elif field_name == "timezone":
        zone = canonical_timezone(value)
        if zone is None:
            raise UseCaseError("error_bad_timezone", value=value)
        ZoneInfo(zone)
        person.timezone = zone
    elif field_name == "share_email":
        person.share_email = _yes_no(value)
    elif field_name == "name_in_reports":
        person.name_in_reports = _yes_no(value)
    else:
        raise UseCaseError("error_profile_usage")
    session.add(person)
    audit(session, now, f"person:{person.id}", "profile", None, field=field_name)


def profile(session: Session, person: Person) -> ProfileView:
    organisation = (
        session.get(Organisation, person.organisation_id) if person.organisation_id else None
    )
    rows = session.exec(
        select(col(Programme.name), col(Membership.status), col(Membership.paused_until))
        .join(Membership, col(Membership.programme_id) == col(Programme.id))
        .where(Membership.person_id == person.id)
        .order_by(col(Programme.name))
    ).all()
    return ProfileView(
        name=person.name,
        organisation=organisation.name if organisation else None,
        role=person.role,
        timezone=person.timezone,
        share_email=person.share_email,
        name_in_reports=person.name_in_reports,
        memberships=tuple((name, str(status), until) for name, status, until in rows),
    )


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
    from bot.usecases.next_steps import my_steps
    from bot.usecases.pressure import my_rhythm

    return {
        "rhythm": my_rhythm(session, person_id),
        "next_steps": my_steps(session, person_id),
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
