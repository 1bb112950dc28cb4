"""Programme roles: coordinators run rounds, leads read reports."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.db.models import Person, Programme, ProgrammeRole, ProgrammeRoleKind
from bot.usecases.common import audit, require_id


def grant(
    session: Session,
    now: datetime,
    programme: Programme,
    person: Person,
    role: ProgrammeRoleKind,
    *,
    actor: str = "cli",
) -> None:
    key = (programme.id, person.id, role.value)
    if session.get(ProgrammeRole, key) is None:
        session.add(
            ProgrammeRole(
                programme_id=require_id(programme.id),
                person_id=require_id(person.id),
                role=role,
            )
        )
        audit(session, now, actor, "grant", programme.id, person=person.id, role=role.value)
        session.flush()
