"""Rounds that respect pressure: organisations paused for a while, and each person's own pace
and the weekdays that suit them.

Whoever is held back is simply not a candidate for the round, so the matching pairs everyone
else as it would anyway (an odd count gets its one trio) and nobody is left without a partner
because of it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.db.models import (
    Cadence,
    Introduction,
    IntroductionMember,
    Membership,
    MembershipStatus,
    OrganisationPause,
    Person,
    Programme,
    Rhythm,
    Round,
)
from bot.usecases.common import UseCaseError, audit, require_id
from bot.usecases.people import MAX_PAUSE_DAYS, programme_organisation

MONTHLY_GAP_DAYS = 28  # "monthly": at least four weeks since the person's last introduction
_LISTED_AT_MOST = 500  # ids bound into one query at most
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --------------------------------------------------------------------------- organisations


@dataclass(frozen=True)
class OrganisationPaused:
    organisation: str
    until: date
    people: int  # members of the programme from that organisation


def pause_organisation(
    session: Session,
    today: date,
    now: datetime,
    programme: Programme,
    name: str,
    until: date,
    *,
    actor: str,
    by: Person | None = None,
) -> OrganisationPaused:
    """Leave an organisation out of the programme's rounds until `until` (back from that day).
    The caller has checked that the actor coordinates the programme."""
    organisation = programme_organisation(session, programme, name)
    if until <= today:
        raise UseCaseError("error_date_in_past", date=until)
    if (until - today).days > MAX_PAUSE_DAYS:
        raise UseCaseError("error_organisation_pause_too_long")
    programme_id, organisation_id = require_id(programme.id), require_id(organisation.id)
    pause = session.exec(
        select(OrganisationPause).where(
            OrganisationPause.programme_id == programme_id,
            OrganisationPause.organisation_id == organisation_id,
        )
    ).first() or OrganisationPause(
        programme_id=programme_id, organisation_id=organisation_id, until=until, created_at=now
    )
    pause.until = until
    pause.created_by = by.id if by is not None else None
    pause.created_at = now
    session.add(pause)
    audit(session, now, actor, "pause_organisation", programme_id, organisation=organisation_id)
    people = session.exec(
        select(func.count())
        .select_from(Membership)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            Membership.programme_id == programme_id,
            Membership.status != MembershipStatus.LEFT,
            Person.organisation_id == organisation_id,
        )
    ).one()
    return OrganisationPaused(organisation.name, until, int(people))


def resume_organisation(
    session: Session, now: datetime, programme: Programme, name: str, *, actor: str
) -> tuple[str, bool]:
    """Bring an organisation back into rounds now; returns its name and whether it was paused."""
    organisation = programme_organisation(session, programme, name)
    pause = session.exec(
        select(OrganisationPause).where(
            OrganisationPause.programme_id == require_id(programme.id),
            OrganisationPause.organisation_id == require_id(organisation.id),
        )
    ).first()
    if pause is not None:
        session.delete(pause)
    audit(session, now, actor, "resume_organisation", programme.id, organisation=organisation.id)
    return organisation.name, pause is not None


def paused_organisations(session: Session, programme_id: int, today: date) -> dict[int, date]:
    """Organisations of a programme paused on `today`, with the day each comes back."""
    pauses = session.exec(
        select(OrganisationPause).where(
            OrganisationPause.programme_id == programme_id, col(OrganisationPause.until) > today
        )
    ).all()
    return {pause.organisation_id: pause.until for pause in pauses}


# --------------------------------------------------------------------------- each person


def set_cadence(session: Session, now: datetime, person: Person, cadence: Cadence) -> None:
    rhythm = _rhythm(session, person, now)
    rhythm.cadence = cadence
    session.add(rhythm)
    audit(session, now, f"person:{person.id}", "profile", None, field="cadence")


def set_days(session: Session, now: datetime, person: Person, days: Collection[int]) -> None:
    """The weekdays that suit a person (Monday 0); none means any day."""
    if any(not 0 <= d <= 6 for d in days):
        raise UseCaseError("error_days_usage", detail="")
    rhythm = _rhythm(session, person, now)
    rhythm.days = ",".join(str(d) for d in sorted(set(days))) or None
    session.add(rhythm)
    audit(session, now, f"person:{person.id}", "profile", None, field="days")


def _rhythm(session: Session, person: Person, now: datetime) -> Rhythm:
    person_id = require_id(person.id)
    rhythm = session.get(Rhythm, person_id) or Rhythm(person_id=person_id, updated_at=now)
    rhythm.updated_at = now
    return rhythm


def _days(text: str | None) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d.strip().isdigit()) if text else ()


def preferred_days(session: Session, person_id: int) -> tuple[int, ...]:
    """The weekdays (Monday 0) that suit a person, in order; empty when any day will do.
    Meant for suggesting meeting times."""
    rhythm = session.get(Rhythm, person_id)
    return _days(rhythm.days) if rhythm is not None else ()


def preferred_days_of(session: Session, person_ids: Collection[int]) -> dict[int, tuple[int, ...]]:
    """The same for many people at once: only those who chose days appear."""
    if not person_ids:
        return {}
    query = select(Rhythm.person_id, Rhythm.days).where(col(Rhythm.days).is_not(None))
    if len(person_ids) <= _LISTED_AT_MOST:
        query = query.where(col(Rhythm.person_id).in_(list(person_ids)))
    wanted = set(person_ids)  # a long list is filtered here rather than bound in the query
    rows = session.exec(query).all()
    return {p: _days(days) for p, days in rows if p in wanted and _days(days)}


def shared_days(session: Session, person_ids: Collection[int]) -> tuple[int, ...]:
    """Weekdays that suit everyone in a group who chose days (all seven if nobody did); may be
    empty when their days do not overlap."""
    chosen = preferred_days_of(session, person_ids)
    common = set(range(7))
    for days in chosen.values():
        common &= set(days)
    return tuple(sorted(common))


def my_rhythm(session: Session, person_id: int) -> list[dict[str, object]]:
    """For `my data`: how often they take part and the days that suit them, if they said."""
    rhythm = session.get(Rhythm, person_id)
    if rhythm is None:
        return []
    days = [WEEKDAYS[d] for d in _days(rhythm.days)]
    return [{"cadence": Cadence(rhythm.cadence).value, "days": days, "since": rhythm.updated_at}]


def rhythm_of(session: Session, person_id: int) -> tuple[Cadence, tuple[int, ...]]:
    rhythm = session.get(Rhythm, person_id)
    if rhythm is None:
        return Cadence.EVERY_ROUND, ()
    return Cadence(rhythm.cadence), _days(rhythm.days)


# --------------------------------------------------------------------------- the round


def held_back(
    session: Session,
    programme_id: int,
    number: int,
    today: date,
    candidates: Mapping[int, int | None],
) -> set[int]:
    """Who of `candidates` (person id → organisation id) sits this round out: members of a
    paused organisation, and people whose own pace says not this time ("every other round":
    not straight after a round they were in; "monthly": not within four weeks of the last)."""
    paused = paused_organisations(session, programme_id, today)
    out = {p for p, organisation in candidates.items() if organisation in paused}
    paced = {
        person_id: cadence
        for person_id, cadence in session.exec(
            select(Rhythm.person_id, Rhythm.cadence).where(Rhythm.cadence != Cadence.EVERY_ROUND)
        ).all()
        if person_id in candidates
    }
    if not paced:
        return out
    started = dict(
        session.exec(
            select(Round.number, Round.created_at).where(Round.programme_id == programme_id)
        ).all()
    )
    last = session.execute(
        sa_select(col(IntroductionMember.person_id), func.max(col(Round.number)))
        .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
        .join(Round, col(Round.id) == col(Introduction.round_id))
        .where(
            col(Introduction.programme_id) == programme_id,
            col(IntroductionMember.person_id).in_(
                select(Rhythm.person_id).where(Rhythm.cadence != Cadence.EVERY_ROUND)
            ),
        )
        .group_by(col(IntroductionMember.person_id))
    ).all()
    for person_id, last_number in last:
        if person_id not in paced:
            continue
        cadence = Cadence(paced[person_id])
        if cadence == Cadence.EVERY_OTHER_ROUND and last_number >= number - 1:
            out.add(person_id)
        elif cadence == Cadence.MONTHLY:
            last_day = started[last_number].date()
            if last_day + timedelta(days=MONTHLY_GAP_DAYS) > today:
                out.add(person_id)
    return out
