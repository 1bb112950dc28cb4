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


async def test_sent_early_by_a_later_time_and_kept_to_one_programme(world: World) -> None:
    """What `crossties checkins send --at` asks of the scheduler's own use case."""
    from bot.db.models import OutboxState, Programme
    from bot.delivery import Delivery, Scope
    from bot.usecases.programmes import ProgrammeSettings, create_programme

    clock = world.core.clock
    prompts = world.core.prompts
    with world.core.db.session() as session:
        other = create_programme(
            session,
            clock.now(),
            ProgrammeSettings(name="South", organisations=("Hospice", "GP Federation")),
        )
        other_id = other.id
        north = session.exec(select(Programme).where(Programme.name == world.programme)).one()
        north_id = north.id
    await world.runtime.say(world.coordinator, "round run")
    with world.core.db.session() as session:  # due in seven days: not by now
        assert queue_due_checkins(session, clock.now(), prompts, due_by=clock.now()) == 0
        later = clock.now() + timedelta(days=8)
        assert (
            queue_due_checkins(session, clock.now(), prompts, due_by=later, programme_id=other_id)
            == 0
        )
        assert (
            queue_due_checkins(session, clock.now(), prompts, due_by=later, programme_id=north_id)
            == 12
        )
        assert queue_due_checkins(session, clock.now(), prompts, due_by=later) == 0  # once only
        rows = session.exec(select(Outbox).where(Outbox.kind == "checkin")).all()
        assert {row.next_try_at for row in rows} == {clock.now()}  # deliverable at once

    delivery = Delivery(
        world.core.db,
        {"local": world.runtime.platform},
        clock,
        scope=Scope(("checkin", "nudge"), north_id, ("local",)),
    )
    stats = await delivery.run_pass()
    assert stats.sent == 12  # the check-ins only: the introductions stay for the server
    with world.core.db.session() as session:
        states = {(o.kind, o.state) for o in session.exec(select(Outbox)).all()}
    assert states == {("checkin", OutboxState.SENT), ("introduction", OutboxState.PENDING)}
    assert all(d.key.startswith("checkin:") for d in world.runtime.platform.delivered)
