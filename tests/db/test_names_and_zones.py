"""Time zones and names as people type them: `europe/london` is Europe/London, and a first
name finds the one person who has it (`crossties chat --as aisha`)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.accounts import local_account_named
from bot.core import Crossties
from bot.db.models import Person
from bot.usecases.common import UseCaseError
from bot.usecases.profile import update_profile
from bot.usecases.programmes import (
    ProgrammeSettings,
    create_programme,
    import_roster,
    read_roster,
)

ORGS = ("Acute Trust", "Hospice")


def test_time_zones_are_matched_whatever_their_case(core: Crossties) -> None:
    now = core.clock.now()
    with core.db.session() as session:
        programme = create_programme(
            session, now, ProgrammeSettings("P", ORGS, timezone="AMERICA/new_york")
        )
        assert programme.timezone == "America/New_York"
        rows = read_roster(b"id,name,organisation\nu1,Ann Lee,Hospice\n", "r.csv", list(ORGS))
        import_roster(session, now, programme, rows, local_workspace="local")
        ann = session.exec(select(Person)).one()
        update_profile(session, now, ann, "timezone", " europe/london ", programme)
        assert ann.timezone == "Europe/London"
        with pytest.raises(UseCaseError) as refused:
            update_profile(session, now, ann, "timezone", "europe/nowhere", programme)
        assert refused.value.prompt == "error_bad_timezone"
        assert ann.timezone == "Europe/London"  # unchanged


def test_a_first_name_finds_the_only_person_who_has_it(core: Crossties) -> None:
    now = core.clock.now()
    with core.db.session() as session:
        programme = create_programme(session, now, ProgrammeSettings("P", ORGS))
        rows = read_roster(
            b"id,name,organisation\n"
            b"u1,Aisha Khan,Hospice\nu2,Ben Okafor,Acute Trust\nu3,Ben Marsh,Hospice\n",
            "r.csv",
            list(ORGS),
        )
        import_roster(session, now, programme, rows, local_workspace="local")
        aisha = local_account_named(session, "AISHA")
        assert aisha is not None and aisha.platform == "local"
        assert local_account_named(session, "aisha khan") == aisha  # the full name still works
        with pytest.raises(LookupError):
            local_account_named(session, "ben")  # two Bens: ask which
        assert local_account_named(session, "Zed") is None
