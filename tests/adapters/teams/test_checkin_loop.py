"""The check-in loop on Teams, over HTTP with the fake connector: each person has their own
card, so the partner is told in their own chat; an answer redraws the card with every answer
kept (ticked, neutral, at most three buttons); "not yet" is followed up once; a later
"we met" changes the answer; "couldn't meet" offers to keep the pair or move on."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import Answer, CheckIn, Introduction, Outbox, Tie
from bot.delivery import deliver_due
from bot.usecases.checkins import queue_due_checkins
from tests.adapters.teams.conftest import Harness, activity
from tests.adapters.teams.test_http import _round
from tests.adapters.test_payload_limits import elements
from tests.fakes_teams import TENANT

pytestmark = pytest.mark.db


def _click(
    harness: Harness, n: int, verb: str, value: str, reply_to: str | None = None
) -> dict[str, Any]:
    extra = {"replyToId": reply_to} if reply_to else {}
    return activity(
        "invoke_card_action",
        harness.url,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": verb,
                "data": {"action": verb, "value": value},
            }
        },
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": f"a:29:user-{n}"},
        **{
            "from": {
                "id": f"29:user-{n}",
                "name": ("Alex Wilber", "Megan Bowen")[n],
                "aadObjectId": f"aad-{n}",
            }
        },
        **extra,
    )


async def _deliver(harness: Harness) -> None:
    await deliver_due(harness.core.db, {"teams": harness.teams.sender}, harness.core.clock)


def _intro(harness: Harness) -> int:
    with harness.core.db.session() as session:
        return session.exec(select(CheckIn)).first().introduction_id  # type: ignore[union-attr]


def _queue(harness: Harness) -> int:
    with harness.core.db.session() as session:
        return queue_due_checkins(session, harness.core.clock.now(), harness.core.prompts)


def _advance(harness: Harness, delta: timedelta) -> None:
    clock = harness.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(delta)


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action, in the body's action sets (a row of columns holds them too) and under
    the card."""
    rows = [a for e in elements(card["body"]) if e["type"] == "ActionSet" for a in e["actions"]]
    return rows + list(card.get("actions", []))


def _primary(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in _actions(card) if a.get("mode") != "secondary"]


async def test_one_answer_closes_it_and_the_partner_is_told_in_their_own_chat(
    harness: Harness,
) -> None:
    await _round(harness)
    await _deliver(harness)
    intro = _intro(harness)
    status, body = await harness.post(_click(harness, 0, "checkin", f"{intro}:met"))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    before = len(harness.connector.sent())
    await _deliver(harness)
    told = harness.connector.sent()[before:]
    assert [r.conversation for r in told] == ["a:29:user-1"]
    text = json.dumps(told[0].body, ensure_ascii=False)
    assert "Alex Wilber says you met — glad it worked." in text
    _advance(harness, timedelta(days=8))
    assert _queue(harness) == 0  # Megan is not asked: the pair answered


async def test_not_yet_follows_up_once_then_we_met_changes_the_answer(harness: Harness) -> None:
    await _round(harness)
    await _deliver(harness)
    intro = _intro(harness)
    _advance(harness, timedelta(days=7, hours=1))
    assert _queue(harness) == 2
    await _deliver(harness)
    with harness.core.db.session() as session:
        checkin = session.exec(
            select(Outbox).where(Outbox.kind == "checkin", Outbox.recipients.contains("aad-1"))  # type: ignore[attr-defined]
        ).one()
    status, body = await harness.post(
        _click(harness, 1, "checkin", f"{intro}:not_yet", checkin.message_id)
    )
    card = body["value"]
    assert "Did you meet?" in json.dumps(card)  # the check-in itself, redrawn
    assert "You said you haven't met yet. I'll ask again" in json.dumps(card)
    assert _primary(card) == ["We met", "✓ Not yet", "Couldn't meet"]
    assert not [a for a in _actions(card) if "style" in a]

    _advance(harness, timedelta(days=3, hours=1))
    assert _queue(harness) == 2  # one follow-up each, no nudges
    before = len(harness.connector.sent())
    await _deliver(harness)
    sent = harness.connector.sent()[before:]
    told = [r for r in sent if "Megan Bowen says you haven't met yet." in json.dumps(r.body)]
    assert [r.conversation for r in told] == ["a:29:user-0"]  # when she answered
    followups = [r for r in sent if "When I last asked" in json.dumps(r.body)]
    assert sorted(r.conversation for r in followups) == ["a:29:user-0", "a:29:user-1"]
    assert len(sent) == 3
    _advance(harness, timedelta(days=10))
    assert _queue(harness) == 0

    status, body = await harness.post(_click(harness, 0, "checkin", f"{intro}:met"))
    assert status == 200
    assert _primary(body["value"]) == ["✓ We met", "Not yet", "Couldn't meet"]
    with harness.core.db.session() as session:
        introduction = session.get(Introduction, intro)
        assert introduction is not None and introduction.outcome == Answer.MET
        assert {t.stage for t in session.exec(select(Tie)).all()} == {"met"}


async def test_couldnt_meet_offers_the_two_choices_within_three_buttons(harness: Harness) -> None:
    await _round(harness)
    await _deliver(harness)
    intro = _intro(harness)
    status, body = await harness.post(_click(harness, 0, "checkin", f"{intro}:could_not_meet"))
    assert status == 200
    card = body["value"]
    assert _primary(card) == ["Keep the pair", "Move on", "✓ Couldn't meet"]
    secondary = [a["title"] for a in _actions(card) if a.get("mode") == "secondary"]
    assert len(_actions(card)) <= 6  # what Teams draws at most
    assert {"We met", "Not yet"} <= set(secondary)
    assert not [a for a in _actions(card) if "style" in a]
    status, body = await harness.post(_click(harness, 0, "next_round", f"{intro}:keep"))
    assert status == 200
    assert _primary(body["value"]) == ["✓ Keep the pair", "Move on", "✓ Couldn't meet"]
    assert "I'll pair you again next round" in json.dumps(body["value"])
    with harness.core.db.session() as session:
        introduction = session.get(Introduction, intro)
        assert introduction is not None and introduction.next_round == "keep"
