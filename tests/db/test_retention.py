"""Collaboration notes expire after the retention period; ties and tags stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.db.models import TieEvent
from bot.usecases.retention import expire_notes
from tests.fakes import World


async def test_old_notes_expire_and_recent_ones_stay(world: World) -> None:
    clock = world.core.clock
    await world.runtime.say("u03", "log @u09 shared the falls pathway #falls")
    clock.advance(timedelta(days=200))  # type: ignore[attr-defined]
    await world.runtime.say("u03", "log @u10 joint home visit #frailty")
    clock.advance(timedelta(days=200))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert expire_notes(session, clock.now(), 365) == 1
    with world.core.db.session() as session:
        events = session.exec(
            select(TieEvent).where(TieEvent.kind == "collaborated").order_by(TieEvent.at)
        ).all()
        assert [e.note for e in events] == [None, "joint home visit #frailty"]
        assert [e.tags for e in events] == ["falls", "frailty"]
    with world.core.db.session() as session:
        assert expire_notes(session, clock.now(), 365) == 0


def test_retention_must_be_positive(world: World) -> None:
    with pytest.raises(ValueError), world.core.db.session() as session:
        expire_notes(session, world.core.clock.now(), 0)


async def test_the_periodic_job_expires_old_notes(world: World) -> None:
    from bot.scheduling.jobs import due_work

    clock = world.core.clock
    await world.runtime.say("u03", "log @u09 shared the falls pathway #falls")
    clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        due_work(session, clock.now(), world.core.prompts, note_retention_days=30)
    with world.core.db.session() as session:
        event = session.exec(select(TieEvent).where(TieEvent.kind == "collaborated")).one()
        assert event.note is None and event.tags == "falls"
