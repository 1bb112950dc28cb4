"""Roster import: a CSV of staff checked as a whole before anything is stored."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import available_timezones

from sqlmodel import Session, select

from bot.commands import clean_text
from bot.db.models import (
    Membership,
    MembershipStatus,
    Person,
    PlatformAccount,
    Programme,
    ProgrammeRoleKind,
)
from bot.events import UserRef
from bot.usecases.common import UseCaseError, audit, get_or_create_organisation, require_id
from bot.usecases.roles import grant

ROSTER_REQUIRED = ("id", "name", "organisation")
ROSTER_OPTIONAL = (
    "role",
    "email",
    "timezone",
    "slack_user_id",
    "slack_team_id",
    "teams_user_id",
    "teams_tenant_id",
    "access",
)


class RosterError(Exception):
    """A broken roster file; one line naming file, line and problem."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file, self.line, self.problem = file, line, problem
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {problem}")


@dataclass
class RosterRow:
    line: int
    external_id: str
    name: str
    organisation: str
    role: str | None = None
    email: str | None = None
    timezone: str | None = None
    accounts: list[UserRef] = field(default_factory=list)
    access: tuple[ProgrammeRoleKind, ...] = ()


def read_roster(data: bytes, filename: str, allowed_organisations: list[str]) -> list[RosterRow]:
    """Validate a whole roster before anything is stored: all or nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(filename, None, f"not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise RosterError(filename, None, "the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise RosterError(filename, 1, f"unreadable CSV ({exc})") from exc
    missing = [c for c in ROSTER_REQUIRED if c not in header]
    if missing:
        raise RosterError(
            filename,
            1,
            f"missing column {', '.join(repr(m) for m in missing)}"
            f" (needs {','.join(ROSTER_REQUIRED)})",
        )
    allowed = {o.casefold(): o for o in allowed_organisations}
    zones = available_timezones()
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    seen_accounts: dict[tuple[str, str, str], int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise RosterError(
                    filename, line, f"has {len(values)} fields, the header has {len(header)}"
                )
            record = {h: clean_text(v) for h, v in zip(header, values, strict=True)}
            row = _roster_row(filename, line, record, allowed, zones)
            if row.external_id in seen:
                raise RosterError(
                    filename,
                    line,
                    f"duplicate id {row.external_id!r} (first on line {seen[row.external_id]})",
                )
            seen[row.external_id] = line
            for account in row.accounts:
                key = (account.platform, account.workspace, account.id)
                if key in seen_accounts:
                    raise RosterError(
                        filename,
                        line,
                        f"{account.platform} user {account.id!r} "
                        f"is also on line {seen_accounts[key]}",
                    )
                seen_accounts[key] = line
            rows.append(row)
    except csv.Error as exc:
        raise RosterError(filename, reader.line_num, f"unreadable CSV ({exc})") from exc
    if not rows:
        raise RosterError(filename, None, "no people in the file")
    return rows


def _roster_row(
    filename: str, line: int, record: dict[str, str], allowed: dict[str, str], zones: set[str]
) -> RosterRow:
    for column in ROSTER_REQUIRED:
        if not record[column]:
            raise RosterError(filename, line, f"empty {column}")
        if len(record[column]) > 200:
            raise RosterError(filename, line, f"{column} is longer than 200 characters")
    organisation = allowed.get(record["organisation"].casefold())
    if organisation is None:
        raise RosterError(
            filename,
            line,
            f"organisation {record['organisation']!r} is not in "
            f"the programme ({', '.join(sorted(allowed.values()))})",
        )
    timezone = record.get("timezone") or None
    if timezone and timezone not in zones:
        raise RosterError(filename, line, f"unknown timezone {timezone!r}")
    email = record.get("email") or None
    if email and ("@" not in email or len(email) > 320 or " " in email):
        raise RosterError(filename, line, f"email {email!r} does not look like an address")
    accounts: list[UserRef] = []
    if record.get("slack_user_id"):
        accounts.append(
            UserRef("slack", record.get("slack_team_id") or "", record["slack_user_id"])
        )
    if record.get("teams_user_id"):
        accounts.append(
            UserRef("teams", record.get("teams_tenant_id") or "", record["teams_user_id"])
        )
    access: list[ProgrammeRoleKind] = []
    for word in (record.get("access") or "").replace(";", " ").replace(",", " ").split():
        lowered = word.lower()
        if lowered == "member":
            continue
        try:
            access.append(ProgrammeRoleKind(lowered))
        except ValueError:
            raise RosterError(
                filename, line, f"unknown access {word!r} (use member, coordinator or lead)"
            ) from None
    return RosterRow(
        line,
        record["id"],
        record["name"],
        organisation,
        record.get("role") or None,
        email,
        timezone,
        accounts,
        tuple(access),
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    joined: int


def import_roster(
    session: Session,
    now: datetime,
    programme: Programme,
    rows: list[RosterRow],
    *,
    actor: str = "cli",
    local_workspace: str | None = None,
) -> ImportResult:
    """Create or update people by roster id and make them active members.

    `local_workspace` gives everyone an account on the local adapter (demo and terminal chat).
    """
    created = updated = joined = 0
    for row in rows:
        person = session.exec(select(Person).where(Person.external_id == row.external_id)).first()
        if person is None:
            person = Person(external_id=row.external_id, created_at=now)
            created += 1
        else:
            updated += 1
        person.name = row.name
        person.role = row.role or person.role
        person.email = row.email or person.email
        person.timezone = row.timezone or person.timezone
        person.organisation_id = get_or_create_organisation(session, row.organisation, now).id
        session.add(person)
        session.flush()
        accounts = list(row.accounts)
        if local_workspace is not None:
            accounts.append(UserRef("local", local_workspace, row.external_id))
        for account in accounts:
            _attach_account(session, now, person, account)
        membership = session.exec(
            select(Membership).where(
                Membership.programme_id == programme.id, Membership.person_id == person.id
            )
        ).first()
        if membership is None:
            membership = Membership(
                programme_id=require_id(programme.id),
                person_id=require_id(person.id),
                joined_at=now,
            )
            joined += 1
        if membership.status == MembershipStatus.LEFT:
            joined += 1
        membership.status = (
            MembershipStatus.ACTIVE
            if membership.status == MembershipStatus.LEFT
            else membership.status
        )
        session.add(membership)
        for role in row.access:
            grant(session, now, programme, person, role, actor=actor)
    audit(
        session,
        now,
        actor,
        "roster_import",
        programme.id,
        people=len(rows),
        created=created,
        updated=updated,
    )
    return ImportResult(created, updated, joined)


def _attach_account(session: Session, now: datetime, person: Person, user: UserRef) -> None:
    existing = session.exec(
        select(PlatformAccount).where(
            PlatformAccount.platform == user.platform,
            PlatformAccount.workspace == user.workspace,
            PlatformAccount.user_id == user.id,
        )
    ).first()
    if existing is None:
        session.add(
            PlatformAccount(
                person_id=require_id(person.id),
                platform=user.platform,
                workspace=user.workspace,
                user_id=user.id,
                created_at=now,
            )
        )
    elif existing.person_id != person.id:
        raise UseCaseError("error_account_taken", account=str(user))


def read_roster_file(path: Path, allowed_organisations: list[str]) -> list[RosterRow]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(str(path), None, f"cannot read the file ({exc.strerror})") from exc
    return read_roster(data, path.name, allowed_organisations)
