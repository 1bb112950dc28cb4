"""Roster import: a CSV of staff checked as a whole before anything is stored.

The file is read into columns and each check runs once per column (or once per distinct
value: organisations, time zones, access words), so a roster of a whole care system reads in
a fraction of a second. Errors are those of a line-by-line reading: the earliest bad line is
named, with the first problem found on it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import available_timezones

from bot.commands import clean_text
from bot.db.models import ProgrammeRoleKind
from bot.events import Platform, UserRef
from bot.usecases.bulk import collector_paused

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


@dataclass(frozen=True)
class _Problem:
    index: int  # record number (0 = first data row)
    order: int  # which check, in the order a line-by-line reading makes them
    text: str


def read_roster(data: bytes, filename: str, allowed_organisations: list[str]) -> list[RosterRow]:
    """Validate a whole roster before anything is stored: all or nothing."""
    with collector_paused():
        return _read_roster(data, filename, allowed_organisations)


def _read_roster(data: bytes, filename: str, allowed_organisations: list[str]) -> list[RosterRow]:
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
    records: list[list[str]] = []
    lines: list[int] = []
    width = len(header)
    broken: tuple[int, str] | None = None
    try:
        for values in reader:
            if not "".join(values).strip():
                continue
            if len(values) != width:
                broken = (
                    reader.line_num,
                    f"has {len(values)} fields, the header has {width}",
                )
                break
            records.append(values)
            lines.append(reader.line_num)
    except csv.Error as exc:
        broken = (reader.line_num, f"unreadable CSV ({exc})")
    # A line-by-line reading stops at the first bad line: the lines before it are checked first.
    columns = {
        name: _clean_column(list(values))
        for name, values in zip(
            header, zip(*records, strict=True) if records else [[]] * width, strict=True
        )
    }
    rows = _checked_rows(filename, lines, columns, allowed_organisations)
    if broken is not None:
        raise RosterError(filename, broken[0], broken[1])
    if not rows:
        raise RosterError(filename, None, "no people in the file")
    return rows


def _clean_column(values: list[str]) -> list[str]:
    """`clean_text` for every value; one pass over the whole column when it is already clean."""
    blob = "\n".join(values)
    if (
        blob.count("\n") == max(len(values) - 1, 0)
        and blob.replace("\n", "").isprintable()
        and "  " not in blob
        and " \n" not in blob
        and "\n " not in blob
        and not blob.startswith(" ")
        and not blob.endswith(" ")
    ):
        return values
    return [clean_text(v) for v in values]


def _checked_rows(
    filename: str,
    lines: list[int],
    columns: dict[str, list[str]],
    allowed_organisations: list[str],
) -> list[RosterRow]:
    count = len(lines)
    problems: list[_Problem] = []

    for order, name in enumerate(ROSTER_REQUIRED):
        column = columns[name]
        if "" in column:
            problems.append(_Problem(column.index(""), 2 * order, f"empty {name}"))
        if count and max(map(len, column)) > 200:
            index = next(i for i, v in enumerate(column) if len(v) > 200)
            problems.append(_Problem(index, 2 * order + 1, f"{name} is longer than 200 characters"))
    allowed = {o.casefold(): o for o in allowed_organisations}
    organisation_column = columns["organisation"]
    resolved = {v: allowed.get(v.casefold()) for v in set(organisation_column)}
    unknown = {v for v, found in resolved.items() if found is None and v}
    if unknown:
        index = min(organisation_column.index(v) for v in unknown)
        problems.append(
            _Problem(
                index,
                10,
                f"organisation {organisation_column[index]!r} is not in "
                f"the programme ({', '.join(sorted(allowed.values()))})",
            )
        )
    empty = [""] * count
    zone_column = columns.get("timezone", empty)
    zones = available_timezones()
    bad_zones = {z for z in set(zone_column) if z and z not in zones}
    if bad_zones:
        index = min(zone_column.index(z) for z in bad_zones)
        problems.append(_Problem(index, 11, f"unknown timezone {zone_column[index]!r}"))
    email_column = columns.get("email", empty)
    for index, email in enumerate(email_column):
        if email and ("@" not in email or len(email) > 320 or " " in email):
            problems.append(_Problem(index, 12, f"email {email!r} does not look like an address"))
            break
    access_column = columns.get("access", empty)
    access_by_value: dict[str, tuple[ProgrammeRoleKind, ...]] = {}
    for value in set(access_column):
        parsed, wrong = _access(value)
        if wrong is None:
            access_by_value[value] = parsed
        else:
            problems.append(
                _Problem(
                    access_column.index(value),
                    13,
                    f"unknown access {wrong!r} (use member, coordinator or lead)",
                )
            )
    ids = columns["id"]
    if len(set(ids)) != count:
        seen: dict[str, int] = {}
        for index, value in enumerate(ids):
            if value in seen:
                problems.append(
                    _Problem(
                        index,
                        14,
                        f"duplicate id {value!r} (first on line {lines[seen[value]]})",
                    )
                )
                break
            seen[value] = index
    accounts = _accounts(columns, count, problems, lines)
    if problems:
        problem = min(problems, key=lambda p: (p.index, p.order))
        raise RosterError(filename, lines[problem.index], problem.text)
    role_column = columns.get("role", empty)
    return [
        RosterRow(
            lines[i],
            ids[i],
            columns["name"][i],
            resolved[organisation_column[i]] or "",
            role_column[i] or None,
            email_column[i] or None,
            zone_column[i] or None,
            accounts[i],
            access_by_value[access_column[i]],
        )
        for i in range(count)
    ]


def _accounts(
    columns: dict[str, list[str]], count: int, problems: list[_Problem], lines: list[int]
) -> list[list[UserRef]]:
    """Each row's chat accounts; an account named on two lines is a problem on the second."""
    empty = [""] * count
    found: list[list[UserRef]] = [[] for _ in range(count)]
    seen: dict[tuple[str, str, str], int] = {}
    places: tuple[tuple[Platform, str, str], ...] = (
        ("slack", "slack_user_id", "slack_team_id"),
        ("teams", "teams_user_id", "teams_tenant_id"),
    )
    for order, (platform, user_column, workspace_column) in enumerate(places):
        users = columns.get(user_column, empty)
        workspaces = columns.get(workspace_column, empty)
        reported = False
        for index, user in enumerate(users):
            if not user:
                continue
            ref = UserRef(platform, workspaces[index], user)
            found[index].append(ref)
            key = (platform, ref.workspace, user)
            if key not in seen:
                seen[key] = index
            elif not reported:  # the first repeat in file order is the one a reader meets first
                problems.append(
                    _Problem(
                        index,
                        15 + order,
                        f"{platform} user {user!r} is also on line {lines[seen[key]]}",
                    )
                )
                reported = True
    return found


def _access(value: str) -> tuple[tuple[ProgrammeRoleKind, ...], str | None]:
    access: list[ProgrammeRoleKind] = []
    for word in value.replace(";", " ").replace(",", " ").split():
        lowered = word.lower()
        if lowered == "member":
            continue
        try:
            access.append(ProgrammeRoleKind(lowered))
        except ValueError:
            return (), word
    return tuple(access), None


def read_roster_file(path: Path, allowed_organisations: list[str]) -> list[RosterRow]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(str(path), None, f"cannot read the file ({exc.strerror})") from exc
    return read_roster(data, path.name, allowed_organisations)
