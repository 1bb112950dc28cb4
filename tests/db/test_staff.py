"""Staff use cases through the core, on every database backend: answers and stored effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.db.models import Introduction, Membership, Person, Tie, TieEvent
from bot.events import Card, CommandReceived, MemberJoined, UserRef
from tests.fakes import World
from tests.snapshot import fingerprint


def membership(world: World, user_id: str) -> Membership:
    person = world.person(user_id)
    with world.core.db.session() as session:
        return session.exec(select(Membership).where(Membership.person_id == person.id)).one()


async def test_newcomer_joins_with_a_known_organisation(world: World) -> None:
    newcomer = UserRef("local", "w1", "new-1")
    welcome = await world.core.handle(MemberJoined(newcomer, display_name="Robin Ahmed"))
    assert "Hospice" in welcome.messages[0].plain()  # the organisations to join, offered
    reply = await world.core.handle(CommandReceived(newcomer, "join hospice"))
    assert "You're in" in reply.messages[0].plain()
    assert "Hospice" in reply.messages[0].plain()
    with world.core.db.session() as session:
        person = session.exec(select(Person).where(Person.name == "Robin Ahmed")).one()
        assert (
            session.exec(select(Membership).where(Membership.person_id == person.id)).one().status
            == "active"
        )


async def test_unknown_organisation_gets_the_valid_list_and_changes_nothing(world: World) -> None:
    newcomer = UserRef("local", "w1", "new-2")
    await world.core.handle(MemberJoined(newcomer, display_name="Kim"))
    before = fingerprint(world.core.db)
    reply = await world.core.handle(CommandReceived(newcomer, "join Ministry of Magic"))
    text = reply.messages[0].plain()
    assert "Ministry of Magic" in text
    for organisation in ("Acute Trust", "GP Federation", "Hospice"):
        assert organisation in text
    assert fingerprint(world.core.db) == before


async def test_pause_for_weeks_and_resume(world: World) -> None:
    reply = await world.runtime.say("u05", "pause for 2 weeks")
    assert "16 March 2026" in reply.messages[0].plain()
    state = membership(world, "u05")
    assert state.status == "paused"
    assert state.paused_until is not None
    assert state.paused_until.isoformat() == "2026-03-16"
    reply = await world.runtime.say("u05", "resume")
    assert "Welcome back" in reply.messages[0].plain()
    assert membership(world, "u05").status == "active"


async def test_pause_in_the_past_is_refused(world: World) -> None:
    before = fingerprint(world.core.db)
    reply = await world.runtime.say("u05", "pause until 1 January 2020")
    assert "not in the future" in reply.messages[0].plain()
    assert fingerprint(world.core.db) == before


async def test_paused_people_are_skipped_and_come_back_on_the_day(world: World) -> None:
    await world.runtime.say("u05", "pause until 2026-03-09")
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    assert not world.runtime.platform.inbox("u05")
    world.core.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    assert len(world.runtime.platform.inbox("u05")) == 1
    assert membership(world, "u05").status == "active"


async def test_leave_stops_introductions(world: World) -> None:
    reply = await world.runtime.say("u06", "leave")
    assert "left" in reply.messages[0].plain()
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    assert world.runtime.platform.inbox("u06") == []
    reply = await world.runtime.say("u06", "leave")
    assert "not taking part" in reply.messages[0].plain()


async def test_profile_shows_and_updates(world: World) -> None:
    await world.runtime.say("u03", "profile role Discharge coordinator")
    await world.runtime.say("u03", "profile timezone Europe/Dublin")
    reply = await world.runtime.say("u03", "profile")
    text = reply.messages[0].plain()
    assert "Discharge coordinator" in text and "Europe/Dublin" in text
    before = fingerprint(world.core.db)
    reply = await world.runtime.say("u03", "profile timezone Mars/Olympus")
    assert "Mars/Olympus" in reply.messages[0].plain()
    assert fingerprint(world.core.db) == before


async def test_check_in_answers_move_ties_and_only_group_members_answer(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    intro = world.runtime.platform.inbox("u03")[0]
    card = intro.parts[0]
    value = card.buttons[0].value  # type: ignore[union-attr]
    intro_id = value.split(":")[0]
    delivered = next(d for d in world.runtime.platform.delivered if "u03" in d.recipients)
    outsider = next(
        r.external_id for r in world.people if r.external_id not in delivered.recipients
    )
    before = fingerprint(world.core.db)
    refused = await world.runtime.press(outsider, "checkin", f"{intro_id}:met")
    assert "Only the people in that introduction" in refused.messages[0].plain()
    assert fingerprint(world.core.db) == before
    reply = await world.runtime.press("u03", "checkin", f"{intro_id}:met")
    assert "met" in reply.messages[0].plain()
    with world.core.db.session() as session:
        ties = session.exec(select(Tie)).all()
        me = world.person("u03").id
        mine = [t for t in ties if me in (t.person_a_id, t.person_b_id)]
        assert mine and all(t.stage == "met" and t.met_at is not None for t in mine)
        assert session.exec(select(TieEvent).where(TieEvent.kind == "met")).first() is not None


async def test_met_command_answers_the_latest_introduction(world: World) -> None:
    reply = await world.runtime.say("u04", "met")
    assert "no introduction" in reply.messages[0].plain()
    await world.runtime.say(world.coordinator, "round run")
    reply = await world.runtime.say("u04", "met not yet")
    assert "not yet" in reply.messages[0].plain()
    reply = await world.runtime.say("u04", "match")
    assert "haven't met yet" in reply.messages[0].plain()


async def test_another_question_on_the_match_card_answers_with_the_card_and_a_new_starter(
    world: World,
) -> None:
    await world.runtime.say(world.coordinator, "round run")
    card = (await world.runtime.say("u04", "match")).messages[0].parts[0]
    assert isinstance(card, Card)
    labels = [b.label for b in card.buttons]
    assert labels == ["We met", "Not yet", "Couldn't meet", "Another question"]
    another = card.buttons[-1]
    with world.core.db.session() as session:
        intro = session.exec(select(Introduction)).all()
        mine = next(i for i in intro if str(i.id) == another.value.split(":")[0])
        before = mine.starter
    reply = await world.runtime.press("u04", another.action, another.value)
    (message,) = reply.messages
    again = message.parts[0]
    assert message.ephemeral and isinstance(again, Card) and again.title == card.title
    assert again.sections[0] != card.sections[0]  # the starter line, swapped
    assert [b.label for b in again.buttons] == labels
    with world.core.db.session() as session:
        swapped = session.get(Introduction, mine.id)
        assert swapped is not None and swapped.starter != before


async def test_log_collaboration_and_list_ties(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    delivered = next(d for d in world.runtime.platform.delivered if "u03" in d.recipients)
    partner = next(r for r in delivered.recipients if r != "u03")
    reply = await world.runtime.say("u03", f"log @{partner} joint discharge huddle #discharge")
    assert "discharge" in reply.messages[0].plain()
    ties = await world.runtime.say("u03", "ties")
    text = ties.messages[0].plain()
    assert "collaborating" in text and "1 collaboration" in text
    other = await world.runtime.say("u12", "ties")
    assert "Person 03" not in other.messages[0].plain() or "u12" in delivered.recipients


async def test_log_with_unknown_person_changes_nothing(world: World) -> None:
    before = fingerprint(world.core.db)
    reply = await world.runtime.say("u03", "log @nobody-here we had coffee")
    assert "can't find" in reply.messages[0].plain()
    assert fingerprint(world.core.db) == before


async def test_forget_me_erases_personal_data_but_keeps_aggregates(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    delivered = next(d for d in world.runtime.platform.delivered if "u07" in d.recipients)
    partner = next(r for r in delivered.recipients if r != "u07")
    await world.runtime.say("u07", f"log @{partner} shared a referral pathway secret-note-77")
    with world.core.db.session() as session:
        ties_before = len(session.exec(select(Tie)).all())
    confirm = await world.runtime.say("u07", "forget me")
    assert "cannot be undone" in confirm.messages[0].plain()
    reply = await world.runtime.press("u07", "forget", "confirm")
    assert "erased" in reply.messages[0].plain()
    from sqlalchemy import MetaData
    from sqlalchemy import select as sa_select

    metadata = MetaData()
    metadata.reflect(world.core.db.engine)
    needles = ("Person 07", "person07@example.org", "secret-note-77", "'u07'", '"u07"')
    with world.core.db.engine.connect() as connection:
        for table in metadata.tables.values():
            for row in connection.execute(sa_select(table)).all():
                text = repr(tuple(row))
                for needle in needles:
                    assert needle not in text, f"{needle} left in {table.name}"
    with world.core.db.session() as session:
        assert len(session.exec(select(Tie)).all()) == ties_before
    again = await world.runtime.say("u07", "ties")  # a new, empty person now
    assert "no ties" in again.messages[0].plain()


async def test_my_data_returns_what_we_hold(world: World) -> None:
    reply = await world.runtime.say("u03", "my data")
    text = reply.messages[0].plain()
    assert "person03@example.org" in text and "North Partnership" in text


@pytest.mark.parametrize("text", ["round run", "round preview", "exclude @u03 @u04", "report"])
async def test_members_are_politely_refused_coordinator_and_lead_work(
    world: World, text: str
) -> None:
    before = fingerprint(world.core.db)
    reply = await world.runtime.say(world.member, text)
    answer = reply.messages[0].plain()
    assert "coordinators" in answer or "leads" in answer
    assert fingerprint(world.core.db) == before


async def test_lead_gets_an_aggregate_report_with_a_chart(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    reply = await world.runtime.say(world.lead, "report")
    message = reply.messages[0]
    kinds = [type(part).__name__ for part in message.parts]
    assert kinds == ["Card", "Image"]
    assert message.parts[1].png.startswith(b"\x89PNG")  # type: ignore[union-attr]
    assert "Person" not in message.plain()  # no names in a lead report


async def test_coordinator_excludes_a_pair_that_is_then_never_matched(world: World) -> None:
    reply = await world.runtime.say(world.coordinator, "exclude @u03 @u09")
    assert "never be paired" in reply.messages[0].plain()
    for _ in range(6):
        await world.runtime.say(world.coordinator, "round run")
        world.core.clock.advance(timedelta(days=14))  # type: ignore[attr-defined]
    await world.runtime.deliver()
    for delivered in world.runtime.platform.delivered:
        assert not {"u03", "u09"} <= set(delivered.recipients)


async def test_preview_stores_nothing(world: World) -> None:
    before = fingerprint(world.core.db)
    reply = await world.runtime.say(world.coordinator, "round preview")
    assert "preview" in reply.messages[0].plain()
    assert "Person 01" in reply.messages[0].plain()  # coordinators see who meets whom
    assert fingerprint(world.core.db) == before


async def test_other_workspaces_see_no_programme(world: World) -> None:
    stranger = UserRef("local", "elsewhere", "x1")
    reply = await world.core.handle(CommandReceived(stranger, "join Hospice"))
    assert "no programme here" in reply.messages[0].plain()
    reply = await world.core.handle(
        CommandReceived(stranger, "report --programme North Partnership")
    )
    assert "can't find a programme" in reply.messages[0].plain()
