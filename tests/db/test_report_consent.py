"""Names reach a report only with the person's agreement; the chat card follows the lead view."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from bot.db.models import Person, Programme
from bot.events import Card
from bot.reports import build_report, lead_view, load_report_input
from tests.fakes import World


async def two_rounds_met(world: World) -> None:
    for _ in range(2):
        reply = await world.runtime.say(world.coordinator, "round run")
        assert "Round" in reply.messages[0].plain()
        await world.runtime.deliver()
        for row in world.people:
            await world.runtime.say(row.external_id, "met")
        world.core.clock.advance(timedelta(days=14))  # type: ignore[attr-defined]


async def test_only_people_who_agreed_are_named(world: World) -> None:
    await two_rounds_met(world)
    agreed = {"u05", "u06"}
    for user in agreed:
        await world.runtime.say(user, "profile name in reports yes")
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        report = build_report(load_report_input(session, programme))
        reach = {}
        for person in session.exec(select(Person)).all():
            reach[person.external_id] = (person.name, reached(session, person.id))
    assert sum(1 for _, n in reach.values() if n >= 2) > len(agreed)  # others qualify too
    expected = sorted(
        (reach[u] for u in agreed if reach[u][1] >= 2), key=lambda item: (-item[1], item[0])
    )
    assert expected  # at least one who agreed reached two other organisations
    assert report.connectors == expected
    named = {reach[u][0] for u in agreed}
    names = {row.name for row in world.people} - named
    view = lead_view(report)
    assert not names & {name for name, _ in view.connectors}
    # The chat card never names anyone, consenting or not.
    reply = await world.runtime.say(world.lead, "report")
    card = reply.messages[0].parts[0]
    assert isinstance(card, Card)
    assert not any(row.name in card.fallback() for row in world.people)


def reached(session: Session, person_id: int | None) -> int:
    """Other organisations this person has met someone from, counted straight from ties."""
    found = (
        session.connection()
        .execute(
            text(
                "SELECT count(DISTINCT CASE WHEN person_a_id = :me THEN organisation_b_id "
                "ELSE organisation_a_id END) FROM tie "
                "WHERE (person_a_id = :me OR person_b_id = :me) AND stage <> 'introduced' "
                "AND organisation_a_id <> organisation_b_id"
            ),
            {"me": person_id},
        )
        .scalar_one()
    )
    return int(found)


async def test_report_min_count_is_configurable(world: World) -> None:
    await two_rounds_met(world)
    world.core.report_min_count = 2
    reply = await world.runtime.say(world.lead, "report")
    card = reply.messages[0].parts[0]
    assert isinstance(card, Card)
    assert "fewer than 2" in card.fallback() or "fewer than" not in card.fallback()
    world.core.report_min_count = 50
    reply = await world.runtime.say(world.lead, "report")
    card = reply.messages[0].parts[0]
    assert isinstance(card, Card)
    assert "fewer than 50" in card.fallback()
