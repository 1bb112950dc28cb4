"""Check-in and nudge timing from an injected clock."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db.models import Outbox
from bot.usecases.checkins import queue_due_checkins
from tests.fakes import World


def kinds(world: World) -> list[str]:
    with world.core.db.session() as session:
        return sorted(o.kind for o in session.exec(select(Outbox)).all())


async def test_checkin_after_seven_days_and_nudge_only_when_nobody_answered(world: World) -> None:
    clock = world.core.clock
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    intros = list(world.runtime.platform.delivered)
    answered_group = intros[0]
    intro_id = answered_group.message.parts[0].buttons[0].value.split(":")[0]  # type: ignore[union-attr]

    clock.advance(timedelta(days=6, hours=23))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 0

    clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 12
    with world.core.db.session() as session:  # running again queues nothing more
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 0
    await world.runtime.deliver()
    checkins = [d for d in world.runtime.platform.delivered if d.key.startswith("checkin:")]
    assert len(checkins) == 12
    assert "Did you meet?" in checkins[0].message.plain()

    await world.runtime.press(answered_group.recipients[0], "checkin", f"{intro_id}:met")
    clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        nudges = queue_due_checkins(session, clock.now(), world.core.prompts)
    groups = len(intros)
    assert nudges == 12 - len(answered_group.recipients)  # everyone but the answered group
    assert kinds(world).count("nudge") == nudges
    assert groups == 6


async def test_answer_before_the_checkin_means_no_checkin_is_sent(world: World) -> None:
    clock = world.core.clock
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    for delivered in world.runtime.platform.delivered:
        intro_id = delivered.message.parts[0].buttons[0].value.split(":")[0]  # type: ignore[union-attr]
        for user in delivered.recipients:
            await world.runtime.press(user, "checkin", f"{intro_id}:met")
    clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 0
