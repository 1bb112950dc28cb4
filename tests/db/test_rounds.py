"""Running rounds end to end through the core, on every database backend."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from bot.db.models import CheckIn, Introduction, IntroductionMember, Outbox, Round, Tie
from bot.events import Card
from tests.fakes import World


async def test_coordinator_runs_a_round_and_everyone_is_introduced_once(world: World) -> None:
    reply = await world.runtime.say(world.coordinator, "round run")
    assert "Round 1" in reply.messages[0].plain()
    assert reply.queued
    await world.runtime.deliver()
    delivered = world.runtime.platform.delivered
    recipients = Counter(r for d in delivered for r in d.recipients)
    assert set(recipients) == {row.external_id for row in world.people}
    assert all(count == 1 for count in recipients.values())
    card = delivered[0].message.parts[0]
    assert isinstance(card, Card)
    assert [b.label for b in card.buttons][:3] == ["We met", "Not yet", "Couldn't meet"]
    with world.core.db.session() as session:
        members = session.exec(select(IntroductionMember)).all()
        assert len(members) == 12
        assert len(session.exec(select(Introduction)).all()) == 6
        assert len(session.exec(select(CheckIn)).all()) == 12
        assert len(session.exec(select(Tie)).all()) == 6
        assert session.exec(select(Round)).one().state == "announced"
        assert {o.state for o in session.exec(select(Outbox)).all()} == {"sent"}
