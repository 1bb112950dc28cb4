"""A staff member's click on any coordinator button — new programme, edit programme, preview,
run a round, invite a team — is refused politely before any form opens, on Slack (through the
fake Web API: no `views.open`) and on Teams (through the fake connector: no form card), and
changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.db.models import Programme
from tests.adapters.slack.conftest import Harness as SlackHarness
from tests.adapters.slack.conftest import fixture
from tests.adapters.teams.conftest import Harness as TeamsHarness
from tests.adapters.teams.conftest import harness  # noqa: F401
from tests.adapters.teams.test_programme_form import PEOPLE, TEAM, add_to_team, click
from tests.snapshot import fingerprint

pytestmark = pytest.mark.db

STAFF = "U03"  # a member of the programme, coordinating nothing
POLITE = ("Only coordinators", "Only workspace admins", "crossties programme create")


def slack_click(
    h: SlackHarness, user: str, action: str, value: str, *, home: bool
) -> dict[str, Any]:
    """A click on App Home (home) or on the `programmes` card in a chat."""
    payload = fixture("block_actions_home.json" if home else "block_actions.json")
    if not home:
        payload["response_url"] = h.slack.response_url("staff")
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["actions"][0].update(action_id=f"ct|{action}|0", value=value)
    return payload


def unchanged(before: dict[str, str], after: dict[str, str]) -> bool:
    """Nothing changed but the DM channel the bot keeps when it writes to someone."""
    return {**before, "platformaccount": ""} == {**after, "platformaccount": ""}


def slack_texts(h: SlackHarness, since: int) -> list[str]:
    posted = [c.args.get("text") or "" for c in h.slack.calls[since:] if "post" in c.method.lower()]
    return [str(t) for t in posted] + [str(r.get("text") or "") for r in h.replies("staff")]


async def test_slack_staff_click_on_every_coordinator_button(slack_world: SlackHarness) -> None:
    h = slack_world
    with h.db.session() as session:
        programme = str(session.exec(select(Programme.id)).one())
    buttons = [
        ("programme new", "", True),
        ("programme edit", programme, True),
        ("programme_form", "new", False),
        ("programme_form", programme, False),
        ("round preview", "", True),
        ("round run", "", True),
        ("round preview", "", False),
        ("round run", "", False),
    ]
    before = fingerprint(h.db)
    for action, value, home in buttons:
        since = len(h.slack.calls)
        response = await h.interact(slack_click(h, STAFF, action, value, home=home))
        assert response.status == 200
        texts = slack_texts(h, since)
        assert any(p in t for t in texts for p in POLITE), (action, value, texts)
        assert h.slack.calls_to("views.open") == [], (action, value)
    assert unchanged(before, fingerprint(h.db))


async def test_slack_admin_who_coordinates_nothing_still_gets_the_new_form(
    slack_world: SlackHarness,
) -> None:
    h = slack_world
    h.slack.add_user("U0ADMIN1", "Ada Admin", admin=True)
    await h.interact(slack_click(h, "U0ADMIN1", "programme new", "", home=True))
    assert len(h.slack.calls_to("views.open", ok_only=True)) == 1
    await h.interact(slack_click(h, "U0ADMIN1", "programme edit", "1", home=True))
    assert len(h.slack.calls_to("views.open")) == 1  # editing is for coordinators only


async def test_teams_staff_click_on_every_coordinator_button(harness: TeamsHarness) -> None:  # noqa: F811
    h = harness
    await add_to_team(h)
    await h.say("join Hospice", 1, PEOPLE[1])
    with h.core.db.session() as session:
        programme = str(session.exec(select(Programme.id)).one())
    buttons = [
        {"action": "programme_form", "value": "new"},
        {"action": "programme_form", "value": programme},
        {"action": "programme_sync", "value": programme, "team": TEAM},
        {"action": "round preview", "value": ""},
        {"action": "round run", "value": ""},
    ]
    cards = len(h.connector.cards())
    before = fingerprint(h.core.db)
    for data in buttons:
        sent = len(h.connector.sent())
        status, body = await h.post(click(h, data, 1))
        assert status == 200
        answer = json.dumps(body.get("value")) + json.dumps(
            [r.body for r in h.connector.sent()[sent:]]
        )
        assert any(p in answer for p in POLITE), (data, answer)
        assert len(h.connector.cards()) == cards, data  # no form, no card of any kind
    assert fingerprint(h.core.db) == before
