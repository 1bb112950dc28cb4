"""Problem circles through the Teams bot (botbuilder's TestAdapter): a topic's Join button,
pressed as an Adaptive Card Action.Execute, signs the person up; the card's action is the
one the core put on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botbuilder.schema import Activity
from sqlmodel import select

from bot.core import Crossties
from bot.db.circle_models import CircleSignup
from bot.db.models import Outbox
from bot.outbox import decode_message
from bot.usecases import circles
from bot.usecases.common import resolve_programme
from tests.adapters.teams.conftest import ORGANISATIONS
from tests.adapters.teams.test_handler import _adapter, _bot, _turn

pytestmark = pytest.mark.db


async def test_the_join_button_on_a_topic_card_signs_up(core: Crossties, programme: str) -> None:
    adapter = _adapter()
    bot = _bot(core, adapter)
    await _turn(adapter, bot, Activity(type="message", text="join Hospice"))
    with core.db.session() as session:
        found = resolve_programme(session, programme)
        _, invited = circles.open_topic(
            session,
            core.clock.now(),
            core.prompts,
            found,
            None,
            title="Weekend discharges",
            description="Why do discharges stall at weekends?",
            organisations=ORGANISATIONS,
            forms_at=core.clock.now() + timedelta(days=7),
            cli=True,
        )
        row = session.exec(select(Outbox).where(Outbox.kind == "circle_invite")).one()
        button = decode_message(row.payload).parts[0].buttons[0]  # type: ignore[union-attr]
    assert invited == 1
    invoke = Activity(
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": button.action,
                "data": {"action": button.action, "value": button.value},
            }
        },
    )
    replies = await _turn(adapter, bot, invoke)
    assert any(r.type == "invokeResponse" and r.value.status == 200 for r in replies)
    said = " ".join(r.text or "" for r in replies if r.type == "message")
    said += " ".join(str(r.value.body) for r in replies if r.type == "invokeResponse")
    assert "signed up for Weekend discharges" in said
    with core.db.session() as session:
        assert len(session.exec(select(CircleSignup)).all()) == 1
