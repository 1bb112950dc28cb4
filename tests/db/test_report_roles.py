"""Who may see the report in chat, what it looks like, and that asking is audited."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from bot.db.models import AuditLog, Person
from bot.events import Card, Image
from tests.fakes import World


async def test_member_is_told_politely_that_reports_are_for_leads(world: World) -> None:
    reply = await world.runtime.say(world.member, "report")
    [message] = reply.messages
    text = message.plain()
    assert "leads" in text and world.programme in text
    assert not any(isinstance(part, Image) for part in message.parts)
    with world.core.db.session() as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "report")).all() == []


async def test_coordinator_without_lead_role_is_refused_too(world: World) -> None:
    reply = await world.runtime.say(world.coordinator, "report")
    assert "leads" in reply.messages[0].plain()


async def test_lead_gets_a_summary_card_and_a_chart(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    with world.core.db.session() as session:
        hospice = session.exec(select(Person).where(Person.external_id == "u12")).one()
        hospice.name = "Only Hospice Person"
        hospice.name_in_reports = False
        session.add(hospice)
    reply = await world.runtime.say(world.lead, "report")
    [message] = reply.messages
    card, chart = message.parts
    assert isinstance(card, Card) and isinstance(chart, Image)
    assert chart.png.startswith(b"\x89PNG") and chart.alt_text
    text = card.fallback()
    assert world.programme in text
    # Twelve people, six introductions: every count is under 5 or just above; none about
    # a handful of people is printed, and nobody is named.
    assert "fewer than 5" in text
    assert "Only Hospice Person" not in text and "Person 0" not in text
    assert "Round 1" in text
    with world.core.db.session() as session:
        lead = world.person(world.lead)
        logged = session.exec(select(AuditLog).where(AuditLog.action == "report")).all()
    assert [(a.actor, a.programme_id is not None) for a in logged] == [(f"person:{lead.id}", True)]


async def test_staff_see_only_their_own_ties(world: World) -> None:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    with world.core.db.session() as session:
        me = session.exec(select(Person).where(Person.external_id == world.member)).one()
        partners = {
            name
            for (name,) in session.connection()
            .execute(
                text(
                    "SELECT p.name FROM tie t JOIN person p ON p.id = CASE "
                    "WHEN t.person_a_id = :me THEN t.person_b_id ELSE t.person_a_id END "
                    "WHERE t.person_a_id = :me OR t.person_b_id = :me"
                ),
                {"me": me.id},
            )
            .all()
        }
    reply = await world.runtime.say(world.member, "ties")
    shown = reply.messages[0].plain()
    assert partners and all(name in shown for name in partners)
    strangers = {row.name for row in world.people} - partners - {me.name}
    assert not any(name in shown for name in strangers)


async def test_lead_report_before_the_first_round(world: World) -> None:
    reply = await world.runtime.say(world.lead, "report")
    card, chart = reply.messages[0].parts
    assert isinstance(card, Card) and isinstance(chart, Image)
    text_shown = card.fallback()
    assert "No rounds yet" in text_shown
    assert "Not yet linked to anyone" in text_shown
    assert chart.png.startswith(b"\x89PNG")
