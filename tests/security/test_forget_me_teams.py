"""`forget me` on Teams: the stored conversation reference, the 1:1 conversation id in
delivered outbox rows and introduction chats, the card answers — nothing of theirs is left."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from adapters.teams.app import build_teams
from bot.core import Crossties
from bot.db.models import CheckIn, Programme, ProgrammeRoleKind
from bot.delivery import deliver_due
from bot.usecases.programmes import grant
from tests.adapters.teams.conftest import (
    Harness,
    TeamsConfiguration,
    _quiet,
    _serve,
    activity,
    services_for,
)
from tests.fakes_teams import TENANT, FakeConnector, member
from tests.security.conftest import tables_containing
from tests.security.test_forget_me import leaks

pytestmark = pytest.mark.db

NAME = "Ottoline Brackenridge"


@pytest.fixture
async def teams(
    core: Crossties, programme: str, connector: FakeConnector
) -> AsyncIterator[Harness]:
    adapter = build_teams(services_for(core), TeamsConfiguration())
    client = await _serve(adapter)
    harness = Harness(core, connector, adapter, client)
    _quiet(adapter, harness.time)
    yield harness
    await client.close()


def click(h: Harness, n: int, name: str, verb: str, value: str) -> dict[str, object]:
    return activity(
        "invoke_card_action",
        h.url,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": verb,
                "data": {"action": verb, "value": value},
            }
        },
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": f"a:29:user-{n}"},
        **{"from": {"id": f"29:user-{n}", "name": name, "aadObjectId": f"aad-{n}"}},
    )


async def test_forget_me_on_teams_leaves_nothing(
    teams: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = teams
    caplog.set_level(logging.DEBUG)
    h.connector.members = [member(0, "Alex Wilber"), member(1, NAME)]
    await h.say("join Hospice", 0, "Alex Wilber")
    await h.say("join Acute Trust", 1, NAME)
    with h.core.db.session() as session:
        alex = h.person(0)
        assert alex is not None
        grant(
            session,
            h.core.clock.now(),
            session.exec(select(Programme)).one(),
            alex,
            ProgrammeRoleKind.COORDINATOR,
        )
    await h.say("round run", 0, "Alex Wilber")
    senders = {"teams": h.teams.sender}
    await deliver_due(h.core.db, senders, h.core.clock)
    with h.core.db.session() as session:
        intro = session.exec(select(CheckIn)).first()
        assert intro is not None
    status, _ = await h.post(click(h, 1, NAME, "checkin", f"{intro.introduction_id}:met"))
    assert status == 200
    await h.say("log <at>Alex</at> Brackenridge shared the frailty pathway #frailty", 1, NAME)
    await h.say("my data", 1, NAME)
    needles = ["Ottoline", "Brackenridge", "ottoline@example.org", "aad-1", "29:user-1"]
    assert tables_containing(h.core.db, needles)
    await h.say("forget me", 1, NAME)
    status, _ = await h.post(click(h, 1, NAME, "forget", "confirm"))
    assert status == 200
    await deliver_due(h.core.db, senders, h.core.clock)
    assert tables_containing(h.core.db, needles) == {}
    assert leaks(caplog.records, needles) == []
