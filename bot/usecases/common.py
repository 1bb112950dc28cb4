"""Helpers shared by the use cases: errors that become polite answers, look-ups, audit."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.accounts import account_for, person_for
from bot.db.models import (
    AuditLog,
    HandledRequest,
    Organisation,
    Person,
    Programme,
    ProgrammeRole,
    ProgrammeRoleKind,
    ProgrammeWorkspace,
)
from bot.events import UserRef

__all__ = ["account_for", "person_for"]  # re-exported: the use cases' shared look-ups


class UseCaseError(Exception):
    """A refusal or a problem with the request; `prompt` names the sentence that explains it."""

    def __init__(self, prompt: str, **context: Any) -> None:
        super().__init__(prompt)
        self.prompt = prompt
        self.context = context


def require_id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("row has no id yet; flush the session first")
    return value


def audit(
    session: Session,
    now: datetime,
    actor: str,
    action: str,
    programme_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action=action,
            programme_id=programme_id,
            detail=json.dumps(detail, default=str, sort_keys=True) if detail else None,
        )
    )


def actor_of(person: Person | None) -> str:
    return f"person:{person.id}" if person is not None else "cli"


def organisation_by_name(session: Session, name: str) -> Organisation | None:
    wanted = " ".join(name.split()).casefold()
    for organisation in session.exec(select(Organisation)).all():
        if organisation.name.casefold() == wanted:
            return organisation
    return None


def get_or_create_organisation(session: Session, name: str, now: datetime) -> Organisation:
    name = " ".join(name.split())
    if not name:
        raise UseCaseError("error_organisation_blank")
    if len(name) > 200:
        raise UseCaseError("error_too_long")
    found = organisation_by_name(session, name)
    if found is not None:
        return found
    organisation = Organisation(name=name, created_at=now)
    session.add(organisation)
    session.flush()
    return organisation


def visible_programmes(session: Session, user: UserRef | None) -> list[Programme]:
    """Programmes a chat user may see (bound to their workspace); all of them for the CLI."""
    query = select(Programme).order_by(col(Programme.name))
    if user is not None:
        query = query.join(
            ProgrammeWorkspace, col(ProgrammeWorkspace.programme_id) == col(Programme.id)
        ).where(
            ProgrammeWorkspace.platform == user.platform,
            ProgrammeWorkspace.workspace == user.workspace,
        )
    return list(session.exec(query).all())


def resolve_programme(session: Session, name: str | None, user: UserRef | None = None) -> Programme:
    """The named programme, or the only one there is; never one from another workspace."""
    candidates = visible_programmes(session, user)
    if name:
        wanted = name.strip().casefold()
        for programme in candidates:
            if programme.name.casefold() == wanted:
                return programme
        raise UseCaseError("error_no_such_programme", name=name, names=[p.name for p in candidates])
    if not candidates:
        raise UseCaseError("error_no_programmes")
    if len(candidates) > 1:
        raise UseCaseError("error_which_programme", names=[p.name for p in candidates])
    return candidates[0]


def has_role(
    session: Session, person: Person | None, programme: Programme, role: ProgrammeRoleKind
) -> bool:
    if person is None or person.id is None:
        return False
    return session.get(ProgrammeRole, (programme.id, person.id, role.value)) is not None


def require_role(
    session: Session,
    person: Person | None,
    programme: Programme,
    role: ProgrammeRoleKind,
    *,
    cli: bool = False,
) -> None:
    """Rights are checked here, in the core, whatever the platform. The CLI is the operator."""
    if cli:
        return
    if not has_role(session, person, programme, role):
        raise UseCaseError(f"denied_{role.value}", programme=programme.name)


def display_name(person: Person) -> str:
    if person.erased:
        return "a former member"
    return person.name or person.external_id or f"member {person.id}"


def first_request(session: Session, key: str, now: datetime) -> bool:
    """Record a platform request as handled in this transaction; False if it already was (by
    any process: a second transaction with the same key waits for the first, then finds it).
    Nothing is recorded if the handling fails and rolls back, so a retry is handled then."""
    table = HandledRequest.__table__  # type: ignore[attr-defined]
    statement: postgresql.Insert | sqlite.Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing()
    inserted = session.execute(
        statement.values(key=key[:64], at=now).returning(table.c.key)
    ).first()
    return inserted is not None
