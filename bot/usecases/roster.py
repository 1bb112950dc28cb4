"""Roster import: a checked roster (bot.usecases.roster_csv) stored in bulk, all or nothing.

Everything that could refuse the import (an account that belongs to someone else) is checked
before the first write; then each table gets its rows in one set-based write. The caller's
transaction holds it all, so a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel

from bot import accounts
from bot.accounts import AccountKey
from bot.db.models import (
    Membership,
    MembershipStatus,
    Person,
    Programme,
    ProgrammeRole,
)
from bot.events import UserRef
from bot.scheduling.locks import lock_programme
from bot.usecases.bulk import (
    ProgressCallback,
    collector_paused,
    no_progress,
    reserve_ids,
    select_in,
    write_rows,
)
from bot.usecases.common import UseCaseError, audit, get_or_create_organisation, require_id
from bot.usecases.roster_csv import (
    ROSTER_OPTIONAL,
    ROSTER_REQUIRED,
    RosterError,
    RosterRow,
    read_roster,
    read_roster_file,
)

__all__ = [
    "ROSTER_OPTIONAL",
    "ROSTER_REQUIRED",
    "ImportResult",
    "RosterError",
    "RosterRow",
    "import_roster",
    "read_roster",
    "read_roster_file",
]

DEFAULT_TIMEZONE = "Europe/London"
PERSON_COLUMNS = (
    "id",
    "external_id",
    "name",
    "email",
    "organisation_id",
    "role",
    "timezone",
    "share_email",
    "name_in_reports",
    "erased",
    "created_at",
)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    joined: int


@dataclass
class _Known:
    """A person already stored, as far as an import can change them."""

    id: int
    name: str | None
    role: str | None
    email: str | None
    timezone: str
    organisation_id: int | None


def import_roster(
    session: Session,
    now: datetime,
    programme: Programme,
    rows: list[RosterRow],
    *,
    actor: str = "cli",
    local_workspace: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Create or update people by roster id and make them active members.

    `local_workspace` gives everyone an account on the local adapter (demo and terminal chat).
    """
    with collector_paused():
        return _import(
            session, now, programme, rows, actor, local_workspace, progress or no_progress
        )


def _import(
    session: Session,
    now: datetime,
    programme: Programme,
    rows: list[RosterRow],
    actor: str,
    local_workspace: str | None,
    report: ProgressCallback,
) -> ImportResult:
    programme_id = require_id(programme.id)
    lock_programme(session, programme_id)  # imports of one programme take turns
    rows = _merged(rows)
    total = len(rows)
    report("Checking people", 0, total)
    organisations = {
        name: require_id(get_or_create_organisation(session, name, now).id)
        for name in dict.fromkeys(row.organisation for row in rows)
    }
    known = _known_people(session, [row.external_id for row in rows])
    wanted = _wanted_accounts(rows, local_workspace)
    owners = accounts.owners_of(session, [account for account, _ in wanted])
    _refuse_taken_accounts(wanted, known, owners)
    report("Checking people", total, total)

    new_rows = [row for row in rows if row.external_id not in known]
    ids = reserve_ids(session, Person, len(new_rows))
    write_rows(
        session,
        Person,
        PERSON_COLUMNS,
        [
            (
                person_id,
                row.external_id,
                row.name,
                row.email,
                organisations[row.organisation],
                row.role,
                row.timezone or DEFAULT_TIMEZONE,
                True,
                False,
                False,
                now,
            )
            for person_id, row in zip(ids, new_rows, strict=True)
        ],
    )
    person_ids = {row.external_id: person_id for person_id, row in zip(ids, new_rows, strict=True)}
    person_ids.update({external_id: person.id for external_id, person in known.items()})
    _update_people(session, rows, known, organisations)
    report("Storing people", total, total)

    _store_accounts(session, now, wanted, person_ids, owners)
    report("Storing chat accounts", total, total)
    joined = _store_memberships(session, now, programme_id, rows, person_ids, known)
    report("Storing memberships", total, total)
    _grant_access(session, now, programme_id, rows, person_ids, actor)
    audit(
        session,
        now,
        actor,
        "roster_import",
        programme.id,
        people=len(rows),
        created=len(new_rows),
        updated=len(rows) - len(new_rows),
    )
    _refresh_loaded(session, set(person_ids.values()))
    return ImportResult(len(new_rows), len(rows) - len(new_rows), joined)


def _merged(rows: list[RosterRow]) -> list[RosterRow]:
    """One row per roster id; a later row for the same id updates the earlier one."""
    by_id: dict[str, RosterRow] = {}
    for row in rows:
        earlier = by_id.get(row.external_id)
        if earlier is None:
            by_id[row.external_id] = row
            continue
        by_id[row.external_id] = RosterRow(
            earlier.line,
            row.external_id,
            row.name,
            row.organisation,
            row.role or earlier.role,
            row.email or earlier.email,
            row.timezone or earlier.timezone,
            [*earlier.accounts, *row.accounts],
            tuple(dict.fromkeys((*earlier.access, *row.access))),
        )
    return list(by_id.values()) if len(by_id) != len(rows) else rows


def _known_people(session: Session, external_ids: list[str]) -> dict[str, _Known]:
    found = select_in(
        session,
        "SELECT id, external_id, name, role, email, timezone, organisation_id "
        "FROM person WHERE external_id IN ({values})",
        external_ids,
    )
    return {
        str(external_id): _Known(int(pid), name, role, email, timezone, organisation_id)
        for pid, external_id, name, role, email, timezone, organisation_id in found
    }


def _wanted_accounts(
    rows: list[RosterRow], local_workspace: str | None
) -> list[tuple[UserRef, str]]:
    """Every account the roster names, with the roster id of its owner, in file order."""
    wanted: list[tuple[UserRef, str]] = []
    for row in rows:
        wanted.extend((account, row.external_id) for account in row.accounts)
        if local_workspace is not None:
            wanted.append((UserRef("local", local_workspace, row.external_id), row.external_id))
    return wanted


def _refuse_taken_accounts(
    wanted: list[tuple[UserRef, str]],
    known: dict[str, _Known],
    owners: dict[AccountKey, int],
) -> None:
    """An account already stored for someone else refuses the whole import (first one named)."""
    claimed: dict[AccountKey, str] = {}
    for account, external_id in wanted:
        key = (account.platform, account.workspace, account.id)
        mine = known[external_id].id if external_id in known else None
        owner = owners.get(key)
        if owner is not None and owner != mine:
            raise UseCaseError("error_account_taken", account=str(account))
        if claimed.setdefault(key, external_id) != external_id:
            raise UseCaseError("error_account_taken", account=str(account))


def _update_people(
    session: Session,
    rows: list[RosterRow],
    known: dict[str, _Known],
    organisations: dict[str, int],
) -> None:
    changes: list[tuple[Any, ...]] = []
    for row in rows:
        person = known.get(row.external_id)
        if person is None:
            continue
        after = (
            row.name,
            row.role or person.role,
            row.email or person.email,
            row.timezone or person.timezone,
            organisations[row.organisation],
        )
        before = (person.name, person.role, person.email, person.timezone, person.organisation_id)
        if after != before:
            changes.append((*after, person.id))
    if changes:
        marks = _marks(session, 6)
        session.connection().exec_driver_sql(
            "UPDATE person SET name = {}, role = {}, email = {}, timezone = {}, "
            "organisation_id = {} WHERE id = {}".format(*marks),
            changes,
        )


def _marks(session: Session, count: int) -> list[str]:
    return ["%s" if session.get_bind().dialect.name == "postgresql" else "?"] * count


def _store_accounts(
    session: Session,
    now: datetime,
    wanted: list[tuple[UserRef, str]],
    person_ids: dict[str, int],
    owners: dict[AccountKey, int],
) -> None:
    fresh: dict[AccountKey, int] = {}
    for account, external_id in wanted:
        key = (account.platform, account.workspace, account.id)
        if key not in owners:
            fresh.setdefault(key, person_ids[external_id])
    accounts.add_accounts(session, now, fresh)


def _store_memberships(
    session: Session,
    now: datetime,
    programme_id: int,
    rows: list[RosterRow],
    person_ids: dict[str, int],
    known: dict[str, _Known],
) -> int:
    """New members join as active; members who had left come back. Returns how many joined."""
    found = select_in(
        session,
        "SELECT person_id, status FROM membership "
        "WHERE programme_id = {p} AND person_id IN ({values})",
        [person.id for person in known.values()],
        (programme_id,),
    )
    statuses = {int(pid): str(status) for pid, status in found}
    fresh = [
        person_ids[row.external_id] for row in rows if person_ids[row.external_id] not in statuses
    ]
    back = [pid for pid, status in statuses.items() if status == MembershipStatus.LEFT]
    write_rows(
        session,
        Membership,
        ("programme_id", "person_id", "status", "joined_at"),
        [(programme_id, pid, MembershipStatus.ACTIVE.value, now) for pid in fresh],
    )
    if back:
        session.connection().exec_driver_sql(
            "UPDATE membership SET status = {} WHERE programme_id = {} AND person_id = {}".format(
                *_marks(session, 3)
            ),
            [(MembershipStatus.ACTIVE.value, programme_id, pid) for pid in back],
        )
    return len(fresh) + len(back)


def _grant_access(
    session: Session,
    now: datetime,
    programme_id: int,
    rows: list[RosterRow],
    person_ids: dict[str, int],
    actor: str,
) -> None:
    """Coordinator and lead rights named in the roster (few rows: one audit line each)."""
    for row in rows:
        for role in row.access:
            person_id = person_ids[row.external_id]
            if session.get(ProgrammeRole, (programme_id, person_id, role.value)) is None:
                session.add(
                    ProgrammeRole(programme_id=programme_id, person_id=person_id, role=role)
                )
                audit(session, now, actor, "grant", programme_id, person=person_id, role=role.value)
                session.flush()


def _refresh_loaded(session: Session, person_ids: set[int]) -> None:
    """Objects this session had already loaded see what the set-based writes changed."""
    stale: Sequence[SQLModel] = [
        obj
        for obj in list(session.identity_map.values())
        if (isinstance(obj, Person) and obj.id in person_ids)
        or (isinstance(obj, Membership) and obj.person_id in person_ids)
    ]
    for obj in stale:
        session.refresh(obj)
