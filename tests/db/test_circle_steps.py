"""A circle's next step, through the core with the local platform: offered after "We met" on
the circle's check-in, agreed in a line of text seen by the circle only, asked about after
the follow-up delay (sent early with the other due work), kept in `my data`, blanked on
erasure and by the notes' retention; a circle makes no ties, so none move."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import inspect
from sqlmodel import select

from adapters.local.runtime import LocalRuntime
from bot.core import Crossties
from bot.db.circle_models import CircleMember, CircleStep
from bot.db.models import Answer, Outbox, Person, Tie
from bot.db.session import Database, alembic_config, needs_upgrade, upgrade
from bot.events import Card
from bot.usecases import erasure
from bot.usecases.circle_forming import form_topic
from bot.usecases.circle_steps import expire_circle_step_notes
from bot.usecases.due_queue import queue_due
from bot.usecases.my_data import my_data_record
from bot.usecases.next_steps import STEP_CHECK
from tests.db.test_circles import build, open_and_join

STEP = "Ask carers what a good Friday discharge needs"


def _advance(core: Crossties, days: int) -> None:
    core.clock.advance(timedelta(days=days))  # type: ignore[attr-defined]


async def _circle_checked_in(core: Crossties) -> tuple[LocalRuntime, int, list[str]]:
    """Twelve people in two circles, asked how it went; returns the first circle's id and its
    members' user ids."""
    runtime = build(core, per_org=2)
    topic = open_and_join(core, 12)
    with core.db.session() as session:
        form_topic(session, core.clock.now(), core.prompts, topic)
    _advance(core, 7)
    with core.db.session() as session:
        queue_due(session, core.clock.now(), core.prompts)
        first = session.exec(select(CircleMember).order_by(CircleMember.circle_id)).first()
        assert first is not None
        members = session.exec(
            select(Person.external_id)
            .join(CircleMember, CircleMember.person_id == Person.id)  # type: ignore[arg-type]
            .where(CircleMember.circle_id == first.circle_id)
            .order_by(Person.id)  # type: ignore[arg-type]
        ).all()
    await runtime.deliver()
    return runtime, first.circle_id, [m for m in members if m]


async def _answer(runtime: LocalRuntime, user: str, circle: int, answer: Answer) -> Card | None:
    """Press an answer on the circle's check-in; the offer card that came back, if any."""
    reply = await runtime.press(user, "circle_checkin", f"{circle}:{answer.value}")
    cards = [p for m in reply.messages for p in m.parts if isinstance(p, Card)]
    return cards[0] if cards else None


async def test_a_circle_agrees_a_step_and_is_asked_whether_it_happened(core: Crossties) -> None:
    runtime, circle, members = await _circle_checked_in(core)
    first, second, third, *_ = members
    offer = await _answer(runtime, first, circle, Answer.MET)
    assert offer is not None and offer.title == "A next step?"
    assert offer.sections[0].startswith("Did you agree a next step together?")
    assert [(b.label, b.action, b.value) for b in offer.buttons] == [
        ("We agreed a next step", "step", "")
    ]
    assert await _answer(runtime, third, circle, Answer.NOT_YET) is None  # no meeting, no offer
    refused = await runtime.say(third, f"step {STEP}")
    assert refused.refused == "error_step_before_met"
    pressed = await runtime.press(first, offer.buttons[0].action, offer.buttons[0].value)
    assert "What did you agree to do next?" in pressed.messages[0].plain()  # asks for a line

    agreed = (await runtime.say(first, f"step {STEP}")).messages[0].plain()
    assert f'Noted: "{STEP}"' in agreed and "I'll ask how it went on Monday 16 March" in agreed
    # only the circle's other members can see it
    assert "Only Person 03, Person 05, Person 07, Person 10, Person 12 and you can" in agreed
    assert await _answer(runtime, second, circle, Answer.MET) is None  # a step is agreed
    with core.db.session() as session:
        assert session.exec(select(Tie)).all() == []  # a circle makes no ties

    # Sent early with the rest of the due work, to those who said they met, once.
    with core.db.session() as session:
        early = core.clock.now() + timedelta(days=7)
        assert queue_due(session, core.clock.now(), core.prompts)[STEP_CHECK] == 0
        assert queue_due(session, core.clock.now(), core.prompts, due_by=early)[STEP_CHECK] == 2
        assert queue_due(session, core.clock.now(), core.prompts, due_by=early)[STEP_CHECK] == 0
    await runtime.deliver()
    asked = [d for d in runtime.platform.delivered if d.key.startswith(f"circle_{STEP_CHECK}:")]
    assert sorted(d.recipients[0] for d in asked) == sorted([first, second])
    card = asked[0].message.parts[0]
    assert isinstance(card, Card) and card.title == "Did it happen?"
    assert f'you agreed a next step: "{STEP}"' in card.sections[0]
    assert "your circle on Discharge to assess" in card.sections[0]
    happened = card.buttons[0]
    stranger = next(f"u{n:02d}" for n in range(1, 13) if f"u{n:02d}" not in members)
    forged = await runtime.press(stranger, happened.action, happened.value)
    assert "Only members of this circle" in forged.messages[0].plain()
    said = await runtime.press(second, happened.action, happened.value)
    assert "That's a step taken together" in said.messages[0].plain()
    with core.db.session() as session:
        step = session.exec(select(CircleStep)).one()
        assert (step.happened, step.note) == (True, STEP)
    await runtime.say(first, "step not yet")  # the latest step of theirs is the circle's
    with core.db.session() as session:
        assert session.exec(select(CircleStep)).one().happened is False

    with core.db.session() as session:
        me = session.exec(select(Person).where(Person.external_id == first)).one()
        (mine,) = my_data_record(session, me)["circle_steps"]
        assert mine["step"] == STEP and mine["agreed_by_you"] and mine["answered_by_you"]
        other = session.exec(select(Person).where(Person.external_id == second)).one()
        erasure.forget(session, core.clock.now(), other)
    with core.db.session() as session:
        step = session.exec(select(CircleStep)).one()
        assert step.note is None and step.happened is False  # the words go, the fact stays
        outbox = session.exec(select(Outbox).where(Outbox.kind == STEP_CHECK)).all()
        assert all(STEP not in row.payload for row in outbox if second in row.recipients)


async def test_the_words_expire_with_the_notes_retention(core: Crossties) -> None:
    runtime, circle, members = await _circle_checked_in(core)
    await _answer(runtime, members[0], circle, Answer.MET)
    await runtime.say(members[0], f"step {STEP}")
    with core.db.session() as session:
        assert expire_circle_step_notes(session, core.clock.now(), 30) == 0
    _advance(core, 31)
    with core.db.session() as session:
        assert expire_circle_step_notes(session, core.clock.now(), 30) == 1
    with core.db.session() as session:
        assert session.exec(select(CircleStep)).one().note is None


def test_the_circle_step_migration_goes_down_and_up(db: Database) -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    assert "circlestep" not in inspect(db.engine).get_table_names()
    assert "circle" in inspect(db.engine).get_table_names()
    upgrade(db.engine)
    assert "circlestep" in inspect(db.engine).get_table_names()
    assert not needs_upgrade(db.engine)
