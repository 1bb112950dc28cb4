"""The check-in loop is the group's: one answer closes it for all, "not yet" follows up once,
answers can be changed (the ties and the met rate follow), "couldn't meet" offers to keep the
pair, and a coordinator can send early from chat. Through the core's front door, with the
local platform recording what is sent."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.local.platform import Delivered
from bot.clock import ManualClock
from bot.db.models import Answer, Introduction, Outbox, OutboxState, Person, Tie, TieStage
from bot.events import ActionInvoked
from bot.outbox import decode_message, encode_message
from bot.usecases.checkins import queue_due_checkins
from bot.usecases.rounds import MANUAL_RUN_GAP
from bot.views import AnsweredCheckIn
from tests.fakes import World


async def _round(world: World) -> list[Delivered]:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    return list(world.runtime.platform.delivered)


def _intro(delivered: Delivered) -> int:
    return int(delivered.message.parts[0].buttons[0].value.split(":")[0])  # type: ignore[union-attr]


def _queue(world: World) -> int:
    with world.core.db.session() as session:
        return queue_due_checkins(session, world.core.clock.now(), world.core.prompts)


def _advance(world: World, delta: timedelta) -> None:
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(delta)


def _name(world: World, user: str) -> str:
    return world.person(user).name or ""


def _sent_to(world: World, user: str, since: int = 0) -> list[Delivered]:
    return [d for d in world.runtime.platform.delivered[since:] if user in d.recipients]


def _group(world: World, intro_id: int) -> tuple[Introduction, list[Tie]]:
    with world.core.db.session() as session:
        introduction = session.get(Introduction, intro_id)
        assert introduction is not None
        members = [
            p.id
            for p in session.exec(select(Person)).all()
            if p.external_id in _members(world, intro_id)
        ]
        ties = [
            t
            for t in session.exec(select(Tie)).all()
            if t.person_a_id in members and t.person_b_id in members
        ]
        session.expunge_all()
    return introduction, ties


def _members(world: World, intro_id: int) -> tuple[str, ...]:
    intro = next(
        d for d in world.runtime.platform.delivered if d.key == f"intro:{intro_id}:local:w1"
    )
    return intro.recipients


async def test_one_we_met_closes_the_question_for_the_whole_group(world: World) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    first, second = group.recipients[0], group.recipients[1]
    before = len(world.runtime.platform.delivered)

    reply = await world.runtime.press(first, "checkin", f"{intro_id}:met")
    assert reply.queued  # the others are told: the delivery worker is woken
    thanks = reply.messages[0].plain()
    assert "noted that you met" in thanks and _name(world, second) in thanks
    await world.runtime.deliver()
    (told,) = _sent_to(world, second, before)
    assert told.message.plain().startswith(f"{_name(world, first)} says you met — glad it worked.")
    assert _sent_to(world, first, before) == []  # the answerer is not told their own answer

    introduction, ties = _group(world, intro_id)
    assert introduction.outcome == Answer.MET and ties and {t.stage for t in ties} == {"met"}

    _advance(world, timedelta(days=7, hours=1))
    queued = _queue(world)
    assert queued == 12 - len(group.recipients)  # everybody else's check-in, not this group's
    _advance(world, timedelta(days=3))
    assert _queue(world) == 12 - len(group.recipients)  # and the nudges likewise
    await world.runtime.deliver()
    asked = [
        d for d in world.runtime.platform.delivered if d.key.startswith(("checkin:", "nudge:"))
    ]
    assert not [d for d in asked if set(d.recipients) & set(group.recipients)]


async def test_an_answer_cancels_the_others_check_ins_already_queued(world: World) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    _advance(world, timedelta(days=7, hours=1))
    assert _queue(world) == 12  # queued, not yet delivered
    await world.runtime.press(group.recipients[1], "checkin", f"{intro_id}:met")
    with world.core.db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.introduction_id == intro_id)).all()
        states = {r.kind: set() for r in rows}
        for r in rows:
            states[r.kind].add(r.state)
    assert states["checkin"] == {OutboxState.CANCELLED}
    await world.runtime.deliver()
    for member in group.recipients:
        keys = [d.key for d in _sent_to(world, member)]
        assert not [k for k in keys if k.startswith("checkin:")]


async def test_not_yet_brings_one_follow_up_to_everyone_a_few_days_later(world: World) -> None:
    intros = await _round(world)
    group = intros[1]
    intro_id = _intro(group)
    _advance(world, timedelta(days=7, hours=1))
    assert _queue(world) == 12
    await world.runtime.deliver()
    reply = await world.runtime.press(group.recipients[0], "checkin", f"{intro_id}:not_yet")
    assert "I'll ask again" in reply.messages[0].plain()
    _advance(world, timedelta(days=2, hours=23))
    nudges = _queue(world)
    assert nudges == 12 - len(group.recipients)  # the group is not nudged: it answered
    _advance(world, timedelta(hours=2))  # three days after "not yet"
    assert _queue(world) == len(group.recipients)  # one follow-up each, everyone in the group
    assert _queue(world) == 0
    await world.runtime.deliver()
    followups = [d for d in world.runtime.platform.delivered if d.key.startswith("followup:")]
    assert sorted(r for d in followups for r in d.recipients) == sorted(group.recipients)
    text = followups[0].message.plain()
    assert "Did you manage to meet?" in text and "hadn't met yet" in text
    assert "10 days ago I introduced you to" in text

    # "not yet" again: never a second follow-up
    await world.runtime.press(group.recipients[1], "checkin", f"{intro_id}:not_yet")
    _advance(world, timedelta(days=30))
    assert _queue(world) == 0


async def test_an_answer_before_the_follow_up_means_it_is_not_sent(world: World) -> None:
    intros = await _round(world)
    group = intros[2]
    intro_id = _intro(group)
    first, second = group.recipients[0], group.recipients[1]
    await world.runtime.press(first, "checkin", f"{intro_id}:not_yet")
    introduction, _ = _group(world, intro_id)
    # "not yet" on the introduction itself: asked again no sooner than the check-in was due
    assert introduction.followup_due_at == introduction.checkin_due_at + timedelta(days=3)
    _advance(world, timedelta(days=8))
    await world.runtime.press(second, "checkin", f"{intro_id}:met")
    _advance(world, timedelta(days=30))
    _queue(world)
    await world.runtime.deliver()
    keys = [d.key for d in world.runtime.platform.delivered]
    assert not [k for k in keys if k.startswith(f"followup:{intro_id}:")]
    introduction, ties = _group(world, intro_id)
    assert introduction.outcome == Answer.MET and introduction.answered_by_id is not None
    assert {t.stage for t in ties} == {"met"}


async def test_a_changed_answer_moves_the_ties_and_the_met_rate_back(world: World) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    first, second = group.recipients[0], group.recipients[1]
    await world.runtime.press(first, "checkin", f"{intro_id}:met")
    # the partner says it isn't so: the group's one answer is now "not yet"
    reply = await world.runtime.press(second, "checkin", f"{intro_id}:not_yet")
    assert _name(world, first) in reply.messages[0].plain()  # told who is told
    introduction, ties = _group(world, intro_id)
    assert introduction.outcome == Answer.NOT_YET
    assert {t.stage for t in ties} == {TieStage.INTRODUCED} and all(t.met_at is None for t in ties)
    with world.core.db.session() as session:
        outcomes = [i.outcome for i in session.exec(select(Introduction)).all()]
    assert outcomes.count(Answer.MET) == 0
    # and back again: a later "we met" after "not yet"
    await world.runtime.press(second, "checkin", f"{intro_id}:met")
    introduction, ties = _group(world, intro_id)
    assert introduction.outcome == Answer.MET and {t.stage for t in ties} == {"met"}
    assert introduction.followup_due_at is None


async def test_the_answered_view_keeps_every_answer_neutral_and_marks_the_groups(
    world: World,
) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    first, second = group.recipients[0], group.recipients[1]
    reply = await world.runtime.press(first, "checkin", f"{intro_id}:could_not_meet")
    view = reply.view
    assert isinstance(view, AnsweredCheckIn) and view.card is not None
    assert [b.label for b in view.buttons] == ["We met", "Not yet", "✓ Couldn't meet"]
    assert {b.style for b in view.buttons} == {"default"}
    assert [b.label for b in view.choices] == ["Keep the pair", "Move on"]
    assert view.own_status.startswith("You said you couldn't meet")
    assert view.status.startswith(f"{_name(world, first)} said you couldn't meet")
    # the partner, on their own card, sees who said it
    other = await world.runtime.press(second, "next_round", f"{intro_id}:keep")
    view = other.view
    assert isinstance(view, AnsweredCheckIn)
    assert view.own_status.startswith(f"{_name(world, first)} said you couldn't meet")
    assert [b.label for b in view.choices] == ["✓ Keep the pair", "Move on"]


async def test_keep_the_pair_is_honoured_by_the_next_round(world: World) -> None:
    intros = await _round(world)
    kept, moved = intros[0], intros[1]
    for group, choice in ((kept, "keep"), (moved, "move_on")):
        intro_id = _intro(group)
        await world.runtime.press(group.recipients[0], "checkin", f"{intro_id}:could_not_meet")
        await world.runtime.press(group.recipients[-1], "next_round", f"{intro_id}:{choice}")
    _advance(world, MANUAL_RUN_GAP + timedelta(days=14))
    before = len(world.runtime.platform.delivered)
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    second = {
        frozenset(d.recipients)
        for d in world.runtime.platform.delivered[before:]
        if d.key.startswith("intro:")
    }
    assert frozenset(kept.recipients) in second
    assert frozenset(moved.recipients) not in second  # moved on: no repeat while avoidable


async def test_a_choice_after_the_answer_changed_is_refused_and_changes_nothing(
    world: World,
) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    await world.runtime.press(group.recipients[0], "checkin", f"{intro_id}:met")
    reply = await world.runtime.press(group.recipients[1], "next_round", f"{intro_id}:keep")
    assert reply.refused == "answer_choice_closed" and reply.view is None
    introduction, _ = _group(world, intro_id)
    assert introduction.next_round is None and introduction.outcome == Answer.MET
    outsider = next(u.external_id for u in world.people if u.external_id not in group.recipients)
    refused = await world.runtime.press(outsider, "next_round", f"{intro_id}:keep")
    assert refused.refused == "error_not_in_group"
    bad = await world.runtime.press(group.recipients[0], "next_round", f"{intro_id}:maybe")
    assert bad.refused == "error_bad_action"


async def test_pressing_on_a_check_in_redraws_that_check_in(world: World) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    _advance(world, timedelta(days=7, hours=1))
    _queue(world)
    await world.runtime.deliver()
    user = group.recipients[0]
    with world.core.db.session() as session:
        row = session.exec(
            select(Outbox).where(Outbox.kind == "checkin", Outbox.introduction_id == intro_id)
        ).first()
        assert row is not None and row.message_id
        message_id = row.message_id
    event = ActionInvoked(
        world.runtime.user(user), "checkin", f"{intro_id}:not_yet", message_id=message_id
    )
    view = (await world.core.handle(event)).view
    assert isinstance(view, AnsweredCheckIn) and view.card is not None
    assert (
        view.card.title == "Did you meet?"
        and "Last Monday I introduced you" in view.card.sections[0]
    )
    assert "✓ Not yet" in [b.label for b in view.card.buttons]


async def test_a_coordinator_sends_early_from_chat_and_others_are_refused(world: World) -> None:
    await _round(world)
    refused = await world.runtime.say(world.member, "checkins send at 2026-03-12")
    assert refused.refused == "denied_coordinator" and not refused.queued
    assert _queue(world) == 0
    reply = await world.runtime.say(world.coordinator, "checkins send at 2026-03-10 09:30")
    text = reply.messages[0].plain()
    assert text.startswith("Sent early for North Partnership: 12 check-ins, 0 nudges and 0")
    assert "Tuesday 10 March, 09:30" in text and reply.queued
    again = await world.runtime.say(
        world.coordinator, "checkins send at 2026-03-14 programme North Partnership"
    )
    assert "0 check-ins, 12 nudges and 0 follow-ups" in again.messages[0].plain()
    bad = await world.runtime.say(world.coordinator, "checkins send at next tuesday")
    assert bad.messages[0].plain().startswith("Try `checkins send`")


async def test_an_answer_on_the_introduction_carries_its_view_and_an_older_card_still_works(
    world: World,
) -> None:
    intros = await _round(world)
    group = intros[0]
    intro_id = _intro(group)
    first = group.recipients[0]
    reply = await world.runtime.press(first, "checkin", f"{intro_id}:met")
    view = reply.view
    assert isinstance(view, AnsweredCheckIn) and view.introduction_view is not None
    drawn = view.introduction_view
    assert drawn.introduction == intro_id and drawn.answer == Answer.MET
    assert {p.name for p in drawn.people} == {_name(world, u) for u in group.recipients}
    # an introduction queued before views held a neutral card: it is redrawn from that card
    with world.core.db.session() as session:
        for row in session.exec(
            select(Outbox).where(Outbox.introduction_id == intro_id, Outbox.kind == "introduction")
        ).all():
            row.payload = encode_message(decode_message(row.payload))
            session.add(row)
        session.commit()
    older = (await world.runtime.press(first, "checkin", f"{intro_id}:not_yet")).view
    assert isinstance(older, AnsweredCheckIn) and older.introduction_view is None
    assert older.card is not None and older.card.title == drawn.copy_for(None).heading
    assert [b.label for b in older.buttons] == ["We met", "✓ Not yet", "Couldn't meet"]
