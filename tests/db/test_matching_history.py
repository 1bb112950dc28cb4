"""The history a round is matched on: every introduction, marked met only when it happened."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import Person
from bot.usecases.common import resolve_programme
from bot.usecases.round_plan import _history
from tests.fakes import World


async def test_history_marks_only_introductions_that_happened_as_met(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    delivered = list(world.runtime.platform.delivered)
    answered = delivered[0]
    intro_id = answered.message.parts[0].buttons[0].value.split(":")[0]  # type: ignore[union-attr]
    await world.runtime.press(answered.recipients[0], "checkin", f"{intro_id}:met")
    other = delivered[1]
    other_id = other.message.parts[0].buttons[0].value.split(":")[0]  # type: ignore[union-attr]
    await world.runtime.press(other.recipients[0], "checkin", f"{other_id}:could_not_meet")
    with world.core.db.session() as session:
        ids = {
            p.external_id: str(p.id)
            for p in session.exec(select(Person)).all()
            if p.external_id is not None
        }
        programme = resolve_programme(session, world.programme)
        history = _history(session, programme.id or 0)
    assert len(history) == len(delivered)  # pairs only: one history row per introduction
    met = {frozenset((h.a, h.b)) for h in history if h.met}
    assert met == {frozenset(ids[r] for r in answered.recipients)}
    # the introduction that did not happen is still history (a repeat), only not a link
    assert frozenset(ids[r] for r in other.recipients) in {frozenset((h.a, h.b)) for h in history}
