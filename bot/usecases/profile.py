"""A person's profile: what they see of it and what they may change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.commands import clean_text
from bot.db.models import Membership, Organisation, Person, Programme
from bot.usecases.common import UseCaseError, audit, organisation_by_name
from bot.usecases.people import programme_organisation
from bot.zones import canonical_timezone


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
