"""Coordinator set-up: programmes, roster import (all or nothing), programme choice."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core import Crossties
from bot.db.models import Membership, Person, Programme
from bot.events import CommandReceived, UserRef
from bot.usecases.common import UseCaseError
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterError,
    create_programme,
    import_roster,
    read_roster,
)
from tests.fakes import World, build_world
from tests.snapshot import fingerprint

ORGS = ["Acute Trust", "GP Federation", "Hospice"]


@pytest.mark.parametrize(
    ("settings", "prompt"),
    [
        (ProgrammeSettings(" ", ("A", "B")), "error_programme_name"),
        (ProgrammeSettings("P", ("A",)), "error_programme_organisations"),
        (ProgrammeSettings("P", ("A", "a ", "A")), "error_programme_organisations"),
        (ProgrammeSettings("P", ("A", "B"), cadence="daily"), "error_cadence"),
        (ProgrammeSettings("P", ("A", "B"), group_size=4), "error_group_size"),
        (ProgrammeSettings("P", ("A", "B"), timezone="Nowhere/Land"), "error_bad_timezone"),
        (ProgrammeSettings("P", ("A", "B"), hour=25), "error_schedule"),
    ],
)
def test_programme_settings_are_validated(
    core: Crossties, settings: ProgrammeSettings, prompt: str
) -> None:
    with pytest.raises(UseCaseError) as error, core.db.session() as session:
        create_programme(session, core.clock.now(), settings)
    assert error.value.prompt == prompt


def test_duplicate_programme_names_are_refused(core: Crossties) -> None:
    with core.db.session() as session:
        create_programme(session, core.clock.now(), ProgrammeSettings("East", ("A", "B")))
    with pytest.raises(UseCaseError) as error, core.db.session() as session:
        create_programme(session, core.clock.now(), ProgrammeSettings("east", ("A", "B")))
    assert error.value.prompt == "error_programme_exists"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "roster.csv: the file is empty"),
        (b"id,name\nu1,Ann\n", "roster.csv, line 1: missing column 'organisation'"),
        (
            b"id,name,organisation\nu1,Ann,Hospice\nu1,Bo,Hospice\n",
            "roster.csv, line 3: duplicate id 'u1' (first on line 2)",
        ),
        (b"id,name,organisation\nu1,Ann,Ministry\n", "roster.csv, line 2: organisation 'Ministry'"),
        (b"id,name,organisation\nu1,,Hospice\n", "roster.csv, line 2: empty name"),
        (b"id,name,organisation\nu1,Ann,Hospice,extra\n", "roster.csv, line 2: has 4 fields"),
        (b"id,name,organisation\n\xff\xfeu1,Ann,Hospice\n", "roster.csv: not UTF-8"),
        (
            b"id,name,organisation,timezone\nu1,Ann,Hospice,Moon/Base\n",
            "roster.csv, line 2: unknown timezone 'Moon/Base'",
        ),
        (
            b"id,name,organisation,email\nu1,Ann,Hospice,not-an-email\n",
            "roster.csv, line 2: email 'not-an-email'",
        ),
        (
            b"id,name,organisation,access\nu1,Ann,Hospice,king\n",
            "roster.csv, line 2: unknown access 'king'",
        ),
        (b"id,name,organisation\n", "roster.csv: no people in the file"),
    ],
)
def test_broken_rosters_get_one_line_naming_file_line_and_problem(
    content: bytes, problem: str
) -> None:
    with pytest.raises(RosterError) as error:
        read_roster(content, "roster.csv", ORGS)
    assert str(error.value).startswith(problem)
    assert "\n" not in str(error.value)


def test_roster_with_bom_and_optional_columns_is_read() -> None:
    data = (
        "\ufeffid,name,organisation,role,email,slack_user_id,slack_team_id,access\n"
        "u1,Ann Lee,acute trust,Ward sister,ann@nhs.example,U1,T1,coordinator;lead\n"
    ).encode()
    [row] = read_roster(data, "r.csv", ORGS)
    assert row.organisation == "Acute Trust"
    assert row.accounts[0].platform == "slack" and row.accounts[0].id == "U1"
    assert [r.value for r in row.access] == ["coordinator", "lead"]


def test_reimport_updates_people_instead_of_duplicating(core: Crossties) -> None:
    now = core.clock.now()
    with core.db.session() as session:
        programme = create_programme(session, now, ProgrammeSettings("P", tuple(ORGS)))
        rows = read_roster(
            b"id,name,organisation\nu1,Ann,Hospice\nu2,Bo,GP Federation\n", "r.csv", ORGS
        )
        first = import_roster(session, now, programme, rows)
        rows = read_roster(b"id,name,organisation,role\nu1,Ann Lee,Hospice,Nurse\n", "r.csv", ORGS)
        second = import_roster(session, now, programme, rows)
    assert (first.created, second.created, second.updated) == (2, 0, 1)
    with core.db.session() as session:
        people = session.exec(select(Person)).all()
        assert sorted(p.name or "" for p in people) == ["Ann Lee", "Bo"]
        assert len(session.exec(select(Membership)).all()) == 2


def test_import_is_all_or_nothing(world: World) -> None:
    """A row that fails while storing (an account that belongs to someone else) undoes the
    rows before it: nothing of the file is kept."""
    world.person("u03")  # u03 has the local account ("local", "w1", "u03")
    rows = read_roster(
        b"id,name,organisation\nz1,Fine Person,Hospice\nz2,Clash Person,Hospice\n",
        "r.csv",
        ORGS,
    )
    rows[1].accounts.append(UserRef("local", "w1", "u03"))
    before = fingerprint(world.core.db)
    with pytest.raises(UseCaseError) as error, world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        import_roster(session, world.core.clock.now(), programme, rows)
    assert error.value.prompt == "error_account_taken"
    assert fingerprint(world.core.db) == before


async def test_two_programmes_need_a_name(core: Crossties) -> None:
    build_world(core, name="North")
    with core.db.session() as session:
        create_programme(
            session,
            core.clock.now(),
            ProgrammeSettings("South", ("Acute Trust", "Hospice"), workspaces=(("local", "w1"),)),
        )
    user = UserRef("local", "w1", "u03")
    reply = await core.handle(CommandReceived(user, "leave"))
    assert "more than one programme" in reply.messages[0].plain()
    reply = await core.handle(CommandReceived(user, "leave --programme North"))
    assert "You have left North" in reply.messages[0].plain()
