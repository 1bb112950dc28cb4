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


async def test_a_pair_never_gets_the_same_starter_twice(core) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from tests.fakes import build_world

    world = build_world(core, sizes=(1, 1))
    starters = core.prompts.starters()
    for _ in range(len(starters)):
        await world.runtime.say(world.coordinator, "round run")
        core.clock.advance(timedelta(days=14))
    with core.db.session() as session:
        used = [i.starter for i in session.exec(select(Introduction)).all()]
    assert len(used) == len(starters)
    assert len(set(used)) == len(used)


async def test_a_scheduled_slot_runs_once(world: World) -> None:
    from bot.usecases.common import resolve_programme
    from bot.usecases.rounds import run_round

    core = world.core
    with core.db.session() as session:
        programme = resolve_programme(session, world.programme)
        first = run_round(session, core.clock.now(), programme, core.prompts, slot="2026-03-02")
    with core.db.session() as session:
        programme = resolve_programme(session, world.programme)
        second = run_round(session, core.clock.now(), programme, core.prompts, slot="2026-03-02")
    assert not first.already_ran and second.already_ran
    with core.db.session() as session:
        assert len(session.exec(select(Round)).all()) == 1
        assert len(session.exec(select(Introduction)).all()) == 6


async def test_later_rounds_avoid_repeats(world: World) -> None:
    from datetime import timedelta

    for _ in range(3):
        await world.runtime.say(world.coordinator, "round run")
        world.core.clock.advance(timedelta(days=14))  # type: ignore[attr-defined]
    await world.runtime.deliver()
    pairs = [frozenset(d.recipients) for d in world.runtime.platform.delivered]
    assert len(pairs) == 18
    assert len(set(pairs)) == 18  # twelve people have enough partners for three fresh rounds
