"""A round preview of 200 groups through the real CloudAdapter and the fake connector: one
card per page within Teams' size limit, the run action always on it, pages by invoke."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft6Validator
from sqlmodel import select

from bot.db.models import Programme, ProgrammeRoleKind
from bot.events import UserRef
from bot.usecases.programmes import RosterRow, grant, import_roster
from tests.adapters.teams.conftest import ORGANISATIONS, Harness, activity
from tests.adapters.test_payload_limits import MAX_PRIMARY_ACTIONS, primary_actions, schema
from tests.fakes_teams import TENANT

pytestmark = pytest.mark.db

PEOPLE = 400
MAX_CARD_BYTES = 28 * 1024


def _roster(harness: Harness) -> None:
    now = harness.core.clock.now()
    rows = [
        RosterRow(
            line=n + 2,
            external_id=f"t{n:03d}",
            name=f"Person {n:03d}",
            organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
            accounts=[UserRef("teams", TENANT, f"aad-{n}")],
        )
        for n in range(1, PEOPLE)  # and the coordinator, who joined in chat
    ]
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        import_roster(session, now, programme, rows)
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        coordinator = harness.person(0)
        assert coordinator is not None
        grant(session, now, programme, coordinator, ProgrammeRoleKind.COORDINATOR)


def _card(harness: Harness, since: int) -> dict[str, Any]:
    (card,) = harness.connector.cards()[since:]
    return card


def _page_action(card: dict[str, Any], title: str) -> dict[str, Any]:
    (action,) = [a for a in card["actions"] if a["title"] == title]
    return action


async def test_two_hundred_groups_page_within_limits_and_keep_the_run_action(
    harness: Harness,
) -> None:
    await harness.say("join Hospice")  # the coordinator takes part too
    _roster(harness)
    await harness.say("round preview")
    card = _card(harness, 0)
    assert len(json.dumps(card).encode()) <= MAX_CARD_BYTES
    assert not list(Draft6Validator(schema()).iter_errors(card))
    assert primary_actions(card) == ["Run this round", "Next page"]
    assert len(primary_actions(card)) <= MAX_PRIMARY_ACTIONS
    text = json.dumps(card["body"])
    assert "Showing groups 1 to 20 of 200" in text and text.count(" + ") == 20

    action = _page_action(card, "Next page")
    click = activity(
        "invoke_card_action",
        harness.url,
        value={
            "action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]}
        },
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": "a:29:user-0"},
        **{"from": {"id": "29:user-0", "name": "Alex Wilber", "aadObjectId": "aad-0"}},
    )
    count = len(harness.connector.cards())
    assert (await harness.post(click))[0] == 200
    second = _card(harness, count)
    assert "Showing groups 21 to 40 of 200" in json.dumps(second)
    assert primary_actions(second) == ["Run this round", "Next page", "Previous page"]
    assert len(json.dumps(second).encode()) <= MAX_CARD_BYTES
