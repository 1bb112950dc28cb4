"""The next small step, through the core with the local platform: agreed after meeting, asked
about after the follow-up delay, and ties moving introduced → met → step_agreed → step_taken."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import NextStep, Outbox, Tie, TieEvent, TieStage
from bot.events import Card
from bot.scheduling.jobs import due_work
from tests.fakes import World


def _partner(world: World, user_id: str) -> str:
    delivered = world.runtime.platform.delivered
    group = next(d.recipients for d in delivered if user_id in d.recipients)
    return next(r for r in group if r != user_id)


def _advance(world: World, days: int) -> None:
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=days))


def _stages(world: World) -> set[str]:
    with world.core.db.session() as session:
        return {t.stage for t in session.exec(select(Tie)).all()}


async def _met_pair(world: World) -> tuple[str, str]:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    me = world.member
    partner = _partner(world, me)
    return me, partner


async def test_a_step_agreed_after_meeting_is_asked_about_and_moves_the_tie(world: World) -> None:
    me, partner = await _met_pair(world)
    early = await world.runtime.say(me, "step Share the discharge checklist")
    assert early.refused == "error_step_before_met"
    await world.runtime.say(me, "met")
    reply = await world.runtime.say(me, "step Share the discharge checklist by Friday")
    said = reply.messages[0].plain()
    assert 'Noted: "Share the discharge checklist by Friday"' in said
    assert "I'll ask how it went on Monday 9 March" in said  # a week: the follow-up delay
    assert TieStage.STEP_AGREED in _stages(world)
    with world.core.db.session() as session:
        assert due_work(session, world.core.clock.now(), world.core.prompts).queued == 0
    _advance(world, 7)
    with world.core.db.session() as session:
        work = due_work(session, world.core.clock.now(), world.core.prompts)
    with world.core.db.session() as session:
        asked = session.exec(select(Outbox).where(Outbox.kind == "step_check")).all()
        assert sorted(r.recipients for r in asked) == sorted([f'["{me}"]', f'["{partner}"]'])
    assert work.queued >= 2
    with world.core.db.session() as session:  # asked once only
        assert due_work(session, world.core.clock.now(), world.core.prompts).queued == 0
    world.runtime.platform.delivered.clear()
    await world.runtime.deliver()
    cards = [
        d.message.parts[0]
        for d in world.runtime.platform.delivered
        if partner in d.recipients  # the partner's own check-in is due the same day
    ]
    card = next(c for c in cards if isinstance(c, Card) and c.title == "Did it happen?")
    assert isinstance(card, Card)
    assert "Share the discharge checklist by Friday" in card.sections[0]
    happened = card.buttons[0]
    assert happened.label == "It happened"
    reply = await world.runtime.press(partner, happened.action, happened.value)
    assert "step taken together" in reply.messages[0].plain()
    with world.core.db.session() as session:
        ties = session.exec(select(Tie)).all()
        mine = [t for t in ties if t.stage == TieStage.STEP_TAKEN]
        assert len(mine) == 1 and mine[0].met_at is not None
        kinds = [e.kind for e in session.exec(select(TieEvent)).all()]
        assert kinds.count("step_agreed") == 1 and kinds.count("step_taken") == 1


async def test_step_words_are_for_the_group_only_and_bad_input_changes_nothing(
    world: World,
) -> None:
    me, partner = await _met_pair(world)
    await world.runtime.say(me, "met")
    for text, refused in (
        ("step", None),
        ("step " + "x" * 201, "error_step_too_long"),
        ("step done", "error_no_step"),
    ):
        reply = await world.runtime.say(me, text)
        assert reply.refused == refused, text
        assert "step" in reply.messages[0].plain()
    outsider = next(r.external_id for r in world.people if r.external_id not in (me, partner))
    await world.runtime.say(me, "step Visit the ward together")
    nosy = await world.runtime.press(outsider, "step_check", "1:yes")
    assert nosy.refused in ("error_not_in_group", "error_no_step")
    with world.core.db.session() as session:
        step = session.exec(select(NextStep)).one()
        assert step.note == "Visit the ward together" and step.happened is None
    bad = await world.runtime.press(me, "step_check", "1:maybe")
    assert bad.refused == "error_bad_action"


async def test_step_words_expire_and_go_with_an_erased_member(world: World) -> None:
    me, partner = await _met_pair(world)
    await world.runtime.say(me, "met")
    await world.runtime.say(me, "step Call Ann Lee about the referral form")
    await world.runtime.say(partner, "forget me confirm")
    with world.core.db.session() as session:
        step = session.exec(select(NextStep)).one()
        assert step.note is None
    _advance(world, 400)
    with world.core.db.session() as session:
        due_work(session, world.core.clock.now(), world.core.prompts, note_retention_days=365)
        assert session.exec(select(NextStep)).one().note is None


async def test_step_words_expire_with_the_notes(world: World) -> None:
    me, _ = await _met_pair(world)
    await world.runtime.say(me, "met")
    await world.runtime.say(me, "step Swap rotas for a shadowing day")
    _advance(world, 30)
    with world.core.db.session() as session:
        due_work(session, world.core.clock.now(), world.core.prompts, note_retention_days=31)
    with world.core.db.session() as session:
        assert session.exec(select(NextStep)).one().note is not None
    _advance(world, 2)
    with world.core.db.session() as session:
        due_work(session, world.core.clock.now(), world.core.prompts, note_retention_days=31)
    with world.core.db.session() as session:
        assert session.exec(select(NextStep)).one().note is None
