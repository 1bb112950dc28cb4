"""Rounds that respect pressure: a paused organisation, each person's pace and their days,
run through the core's front door on every database backend."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select

from bot.clock import ManualClock
from bot.db.models import (
    AuditLog,
    Introduction,
    IntroductionMember,
    OrganisationPause,
    Rhythm,
    Round,
)
from bot.usecases import pressure
from tests.fakes import World, build_world

GP = ("u05", "u06", "u07")  # the GP Federation in the default world


def _rounds(world: World) -> list[set[str]]:
    """Who was introduced in each round, by roster id."""
    with world.core.db.session() as session:
        people = {p.id: p.external_id for p in _people(world, session)}
        rows = session.exec(
            select(Round.number, IntroductionMember.person_id)
            .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
            .join(Round, col(Round.id) == col(Introduction.round_id))
        ).all()
    found: dict[int, set[str]] = {}
    for number, person_id in rows:
        found.setdefault(number, set()).add(str(people[person_id]))
    return [found.get(n, set()) for n in range(1, max(found, default=0) + 1)]


def _people(world: World, session):  # type: ignore[no-untyped-def]
    from bot.db.models import Person

    return session.exec(select(Person)).all()


async def _run(world: World, days: int = 7) -> None:
    reply = await world.runtime.say(world.coordinator, "round run")
    assert "Round" in reply.messages[0].plain(), reply.messages[0].plain()
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=days))


async def test_an_organisation_paused_mid_programme_is_skipped_and_its_partners_still_matched(
    world: World,
) -> None:
    everyone = {row.external_id for row in world.people}
    await _run(world, days=14)  # round 1 on 2 March: everyone
    reply = await world.runtime.say(
        world.coordinator, "pause organisation gp federation until 30 March 2026"
    )
    said = reply.messages[0].plain()
    assert "GP Federation is paused in North Partnership until 30 March 2026" in said
    assert "3 people get no introductions" in said
    await _run(world, days=14)  # round 2 on 16 March: paused
    await _run(world, days=14)  # round 3 on 30 March: back from that day
    first, second, third = _rounds(world)
    assert first == everyone
    assert second == everyone - set(GP)  # nine people: all placed, one trio
    assert third == everyone
    with world.core.db.session() as session:
        groups = session.exec(
            select(IntroductionMember.introduction_id)
            .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
            .join(Round, col(Round.id) == col(Introduction.round_id))
            .where(Round.number == 2)
        ).all()
        sizes = sorted(groups.count(g) for g in set(groups))
        assert sizes == [2, 2, 2, 3]
        assert session.exec(select(AuditLog).where(AuditLog.action == "pause_organisation")).one()


async def test_a_paused_organisation_can_come_back_sooner(world: World) -> None:
    await world.runtime.say(world.coordinator, "pause organisation Hospice until 1 June 2026")
    reply = await world.runtime.say(world.coordinator, "resume organisation hospice")
    assert "Hospice is back in North Partnership's rounds" in reply.messages[0].plain()
    await _run(world)
    assert "u12" in _rounds(world)[0]


async def test_pausing_an_organisation_is_for_coordinators_and_bad_input_changes_nothing(
    world: World,
) -> None:
    say = world.runtime.say
    member = await say(world.member, "pause organisation Hospice until 1 June 2026")
    assert member.refused
    cases = {
        "pause organisation Hospice": "give its name and the day it comes back",
        "pause organisation Hospice until someday": 'I couldn\'t read "someday" as a date',
        "pause organisation Nowhere until 1 June 2026": 'I don\'t know "Nowhere"',
        "pause organisation Hospice until 1 January 2026": "is not in the future",
        "pause organisation Hospice until 1 January 2029": "",
    }
    for text, expected in cases.items():
        reply = await say(world.coordinator, text)
        said = reply.messages[0].plain()
        assert expected in said, (text, said)
        assert "paused in" not in said, text
    with world.core.db.session() as session:
        assert session.exec(select(OrganisationPause)).all() == []


async def test_every_other_round_takes_part_in_alternate_rounds(world: World) -> None:
    reply = await world.runtime.say("u03", "profile cadence every other round")
    assert "every other round" in reply.messages[0].plain()
    for _ in range(5):
        await _run(world)
    taking_part = [("u03" in names) for names in _rounds(world)]
    assert taking_part == [True, False, True, False, True]
    assert all(
        len(names) == 12 - (not took)
        for names, took in zip(_rounds(world), taking_part, strict=True)
    )


async def test_monthly_takes_part_at_most_once_in_four_weeks(world: World) -> None:
    await world.runtime.say("u03", "profile cadence monthly")
    await world.runtime.say("u04", "profile cadence every round")
    for _ in range(9):
        await _run(world)  # weekly rounds
    rounds = _rounds(world)
    assert [n for n, names in enumerate(rounds, 1) if "u03" in names] == [1, 5, 9]
    assert all("u04" in names for names in rounds)


async def test_days_are_kept_for_suggested_times_and_bad_days_are_refused(world: World) -> None:
    reply = await world.runtime.say("u03", "profile days mon, tue and thursday")
    assert "Monday, Tuesday and Thursday" in reply.messages[0].plain()
    await world.runtime.say("u04", "profile days weekdays")
    u03, u04, u05 = (world.person(u).id for u in ("u03", "u04", "u05"))
    assert u03 is not None and u04 is not None and u05 is not None
    with world.core.db.session() as session:
        assert pressure.preferred_days(session, u03) == (0, 1, 3)
        assert pressure.preferred_days(session, u05) == ()
        assert pressure.shared_days(session, [u03, u04, u05]) == (0, 1, 3)
    for text in ("profile days funday", "profile days", "profile cadence sometimes"):
        reply = await world.runtime.say("u03", text)
        assert "e.g." in reply.messages[0].plain() or "Try" in reply.messages[0].plain(), text
    with world.core.db.session() as session:
        assert pressure.preferred_days(session, u03) == (0, 1, 3)
        rhythm = session.get(Rhythm, u03)
        assert rhythm is not None and rhythm.cadence == "every_round"
    await world.runtime.say("u03", "profile days any")
    with world.core.db.session() as session:
        assert pressure.preferred_days(session, u03) == ()


async def test_forget_me_erases_the_persons_pace_and_days(world: World) -> None:
    await world.runtime.say("u03", "profile days sat sun")
    await world.runtime.say("u03", "profile cadence monthly")
    person_id = world.person("u03").id
    await world.runtime.say("u03", "forget me confirm")
    with world.core.db.session() as session:
        assert session.get(Rhythm, person_id) is None


def test_preview_counts_people_held_back(core) -> None:  # type: ignore[no-untyped-def]
    from bot.usecases.common import resolve_programme
    from bot.usecases.rounds import plan_round

    world = build_world(core)
    now = core.clock.now()
    with core.db.session() as session:
        programme = resolve_programme(session, world.programme)
        pressure.pause_organisation(
            session, now.date(), now, programme, "Acute Trust", date(2026, 4, 1), actor="cli"
        )
    with core.db.session() as session:
        plan = plan_round(session, now, resolve_programme(session, world.programme))
    assert plan.people == 8 and plan.paused == 4
