"""Staff use cases: who someone is, joining, leaving and pausing (profile: profile.py; what
is held about a person: my_data.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot import accounts
from bot.commands import clean_text
from bot.db.models import (
    Membership,
    MembershipStatus,
    Organisation,
    Person,
    Programme,
    ProgrammeOrganisation,
)
from bot.events import UserRef
from bot.usecases.common import UseCaseError, audit, require_id

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
