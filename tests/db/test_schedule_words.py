"""Time people can see: a round run by hand keeps the programme's check-in hour, and the
"joined" reply, the welcome and Home say when things happen, in words, in the reader's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.commands import CheckinsSend, parse
from bot.db.models import Introduction, Person, Programme
from bot.events import Card, CommandReceived, MemberJoined, Text, UserRef
from bot.usecases import home
from bot.usecases.checkins import queue_due_checkins
from tests.fakes import ORGANISATIONS, WORKSPACE, World


def _set(world: World, **fields: object) -> None:
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        for key, value in fields.items():
            setattr(programme, key, value)
        session.add(programme)


async def test_a_round_run_by_hand_at_night_checks_in_at_the_programmes_hour(
    world: World,
) -> None:
    clock = world.core.clock
    clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]  # Monday 21:00 in London
    await world.runtime.say(world.coordinator, "round run")
    with world.core.db.session() as session:
        due = {i.checkin_due_at for i in session.exec(select(Introduction)).all()}
    assert due == {datetime(2026, 3, 9, 9, tzinfo=UTC)}  # the next Monday at 09:00, not 21:00

    clock.advance(timedelta(days=6, hours=11, minutes=59))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 0
    clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 12


async def test_a_ten_minute_delay_lets_a_coordinator_try_the_loop(world: World) -> None:
    _set(world, checkin_minutes=10, checkin_days=1)
    clock = world.core.clock
    await world.runtime.say(world.coordinator, "round run")
    clock.advance(timedelta(minutes=9))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 0
    clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) == 12


async def test_joined_says_when_the_next_round_is_in_the_readers_zone(world: World) -> None:
    with world.core.db.session() as session:
        person = session.exec(select(Person).where(Person.external_id == world.member)).one()
        person.timezone = "America/New_York"
        session.add(person)
    await world.runtime.say(world.member, "leave")
    reply = await world.runtime.say(world.member, "join Acute Trust")
    text = reply.messages[0].plain()
    # a fortnight after the first slot; New York is on summer time by then, London not yet
    assert "in the next round: Monday 16 March, 05:00." in text, text


async def test_the_welcome_offers_the_organisations_as_one_list(world: World) -> None:
    newcomer = UserRef("local", WORKSPACE, "newcomer")
    reply = await world.core.handle(MemberJoined(newcomer, display_name="Nia Brown"))
    (message,) = reply.messages
    hello, card = message.parts
    assert isinstance(hello, Text) and "Choose your organisation below" in hello.text
    assert isinstance(card, Card) and card.choices is not None
    assert card.choices.submit == "Join"
    assert [b.label for b in card.buttons] == sorted(ORGANISATIONS)
    assert {b.action for b in card.buttons} == {"join"}
    assert (
        "to take part in North Partnership. The next round is Monday 16 March, 09:00"
        in (card.sections[0])
    )

    joined = await world.core.handle(
        MemberJoined(newcomer, display_name="Nia Brown")
    )  # a second hello after joining offers nothing to join
    assert joined.messages
    nothing = await world.runtime.press("newcomer", "join", "")  # Join with nothing picked
    assert "organisation" in nothing.messages[0].plain()
    await world.runtime.press("newcomer", "join", card.buttons[2].value)
    again = await world.core.handle(MemberJoined(newcomer, display_name="Nia Brown"))
    assert not any(isinstance(p, Card) for p in again.messages[0].parts)


async def test_home_says_when_the_next_round_and_the_check_in_are(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    now = world.core.clock.now()
    with world.core.db.session() as session:
        user = UserRef("local", WORKSPACE, world.member)
        view = home.home_view(session, user, world.core.prompts, now=now)
    assert view.checkin_at == datetime(2026, 3, 9, 9, tzinfo=UTC)
    assert view.timezone == "Europe/London" and view.as_of == now
    (programme,) = view.programmes
    assert programme.next_round_at == datetime(2026, 3, 16, 9, tzinfo=UTC)
    _set(world, paused=True)
    with world.core.db.session() as session:
        paused = home.home_view(session, user, world.core.prompts, now=now)
    assert paused.programmes[0].next_round_at is None


async def test_help_carries_the_slash_command_on_slack_only(world: World) -> None:
    local = (await world.runtime.say(world.member, "help")).messages[0].plain()
    assert "• `join <organisation>`" in local and "/crossties" not in local
    slack = UserRef("slack", "T1", "U1")
    reply = await world.core.handle(CommandReceived(slack, "help", display_name="Sam"))
    text = reply.messages[0].plain()
    assert "• `/crossties join <organisation>`" in text
    assert "`/crossties pause --programme North`" in text
    assert "report" not in text  # for leads only


async def test_profile_my_data_and_ties_speak_in_plain_words(world: World) -> None:
    clock = world.core.clock
    await world.runtime.say(world.coordinator, "round run")
    me = world.member
    partner = (await world.runtime.say(me, "match")).messages[0].parts[0].facts[0].label  # type: ignore[union-attr]
    with world.core.db.session() as session:
        other = session.exec(select(Person).where(Person.name == partner)).one()
    clock.advance(timedelta(days=9))  # type: ignore[attr-defined]
    await world.runtime.say(me, f"log @{other.external_id} shared the falls pathway #falls")

    ties = (await world.runtime.say(me, "ties")).messages[0].plain()
    assert "collaborating since 11 March 2026" in ties  # the day of the collaboration
    assert "2 March" not in ties  # not the introduction's

    await world.runtime.say(me, "pause for 2 weeks")
    profile = (await world.runtime.say(me, "profile")).messages[0].plain()
    assert "North Partnership: paused until 25 March 2026" in profile
    assert "Yes: people you are introduced to see it" in profile
    assert "active" not in profile and ": yes" not in profile and "2026-" not in profile

    words = (await world.runtime.say(me, "my data")).messages[0].parts[0].text  # type: ignore[union-attr]
    assert f"• {partner} (" in words and ": collaborating" in words
    assert "with_person" not in words and str(other.id) + "," not in words


async def test_help_shows_checkins_send_to_coordinators_only(world: World) -> None:
    coordinator = (await world.runtime.say(world.coordinator, "help")).messages[0].plain()
    line = next(row for row in coordinator.splitlines() if "checkins send" in row)
    assert line.startswith("• `checkins send` or `checkins send at 2026-12-14 09:00`: "), line
    examples = re.findall(r"`([^`]+)`", line)
    assert examples == ["checkins send", "checkins send at 2026-12-14 09:00"]
    assert all(isinstance(parse(example), CheckinsSend) for example in examples)
    for someone in (world.member, world.lead):
        text = (await world.runtime.say(someone, "help")).messages[0].plain()
        assert "checkins send" not in text

    # on Slack the same line carries the slash command
    slack = world.core.prompts.render(
        "help", command_prefix="/crossties", coordinator=True, lead=False
    )
    assert "• `/crossties checkins send` or `/crossties checkins send at 2026-12-14 09:00`" in slack
    staff = world.core.prompts.render(
        "help", command_prefix="/crossties", coordinator=False, lead=False
    )
    assert "checkins send" not in staff
