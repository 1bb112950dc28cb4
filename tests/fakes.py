"""Test fakes shipped with the project: a moving clock and a ready-made partnership.

The local platform (adapters/local) is the recording platform: it keeps every message sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import select

from adapters.local.runtime import LocalRuntime
from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.models import Person, Programme, ProgrammeRoleKind
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterRow,
    create_programme,
    grant,
    import_roster,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
WORKSPACE = "w1"
ORGANISATIONS = ("Acute Trust", "GP Federation", "Adult Social Care", "Community Health", "Hospice")


def clock(start: datetime = START) -> ManualClock:
    return ManualClock(start)


@dataclass
class World:
    core: Crossties
    runtime: LocalRuntime
    programme: str
    people: list[RosterRow]
    coordinator: str  # local user ids
    lead: str
    member: str

    def person(self, user_id: str) -> Person:
        with self.core.db.session() as session:
            return session.exec(select(Person).where(Person.external_id == user_id)).one()


def roster(sizes: tuple[int, ...] = (4, 3, 2, 2, 1)) -> list[RosterRow]:
    rows: list[RosterRow] = []
    for organisation, size in zip(ORGANISATIONS, sizes, strict=False):
        for _ in range(size):
            n = len(rows) + 1
            rows.append(
                RosterRow(
                    line=n + 1,
                    external_id=f"u{n:02d}",
                    name=f"Person {n:02d}",
                    organisation=organisation,
                    role="Nurse" if n % 2 else "GP",
                    email=f"person{n:02d}@example.org",
                )
            )
    return rows


def build_world(
    core: Crossties,
    *,
    sizes: tuple[int, ...] = (4, 3, 2, 2, 1),
    name: str = "North Partnership",
    workspace: str = WORKSPACE,
) -> World:
    rows = roster(sizes)
    now = core.clock.now()
    with core.db.session() as session:
        programme: Programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name=name, organisations=ORGANISATIONS, workspaces=(("local", workspace),)
            ),
        )
        import_roster(session, now, programme, rows, local_workspace=workspace)
        people = {p.external_id: p for p in session.exec(select(Person)).all()}
        grant(session, now, programme, people["u01"], ProgrammeRoleKind.COORDINATOR)
        grant(session, now, programme, people["u02"], ProgrammeRoleKind.LEAD)
    return World(core, LocalRuntime(core, workspace), name, rows, "u01", "u02", "u03")
