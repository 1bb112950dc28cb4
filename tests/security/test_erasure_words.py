"""`forget me` leaves no word written by or about the person: their own tags and notes, their
partners' tags and notes on ties with them, and every copy of those words (the audit log's
details, the outbox) are gone from every table on both backends; the figures reports are made
of stay the same; and a tiny organisation cannot point at the person in the lead's report."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from bot.db.models import AuditLog, Programme, TieEvent
from bot.events import MemberJoined, UserRef
from bot.reports.build import build_report
from bot.reports.load import load_report_input
from bot.reports.model import Report
from bot.reports.privacy import lead_view
from tests.fakes import World
from tests.security.conftest import tables_containing

pytestmark = pytest.mark.db

USER = "uZEPHYR77"
NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.q@example.org"
HER_NOTE = "drafted the falls pathway with Marguerite"
HER_TAGS = ("fallsbundle", "wardnine")
PARTNER_NOTE = "Zephyrine showed me the hospice discharge form"
PARTNER_TAGS = ("askzephyrine", "quillfeatherway")


def report_of(world: World) -> Report:
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        return build_report(load_report_input(session, programme), min_count=5)


async def history(world: World) -> str:
    """Her part in a programme, ending with ties both ways; returns her partner's id."""
    runtime = world.runtime
    me = UserRef("local", runtime.workspace, USER)
    await world.core.handle(MemberJoined(me, display_name=NAME, email=EMAIL))
    assert "Hospice" in (await runtime.say(USER, "join Hospice")).messages[0].plain()
    await runtime.say(USER, "profile role Ward Sister")
    await runtime.say(world.coordinator, "round run")
    await runtime.deliver()
    delivered = next(d for d in runtime.platform.delivered if USER in d.recipients)
    partner = next(r for r in delivered.recipients if r != USER)
    await runtime.say(USER, "met")
    tags = " ".join(f"#{t}" for t in HER_TAGS)
    reply = await runtime.say(USER, f"log @{partner} {HER_NOTE} {tags}")
    assert "went wrong" not in reply.messages[0].plain()
    tags = " ".join(f"#{t}" for t in PARTNER_TAGS)
    reply = await runtime.say(partner, f"log @{EMAIL} {PARTNER_NOTE} {tags}")
    assert "can't find" not in reply.messages[0].plain()
    await runtime.say(partner, "log @u01 weekly huddle #huddles")  # someone else's tie
    await runtime.say(world.lead, "report")
    await runtime.deliver()
    return partner


async def test_no_word_by_or_about_her_is_left(world: World) -> None:
    partner = await history(world)
    needles = [NAME, "Zephyrine", "Quillfeather", EMAIL, USER, HER_NOTE, PARTNER_NOTE]
    needles += [*HER_TAGS, *PARTNER_TAGS, "Ward Sister"]
    held = tables_containing(world.core.db, needles)
    # The history really holds her words, her partner's words about her, and audit copies.
    assert {"person", "tieevent", "auditlog"} <= held.keys()
    assert any("askzephyrine" in row for row in held["auditlog"])
    before = report_of(world)

    warning = (await world.runtime.say(USER, "forget me")).messages[0].plain()
    # it says what goes, partners' words included, and exactly what stays
    assert "partners wrote about you" in warning
    assert "anonymous record with no name: only your organisation" in warning
    reply = await world.runtime.say(USER, "forget me confirm")
    assert "anonymous record with your organisation" in reply.messages[0].plain()
    await world.runtime.deliver()

    assert tables_containing(world.core.db, needles) == {}
    after = report_of(world)
    for figure in ("introductions", "met", "ties_by_stage", "matrix", "cross_org_ties"):
        assert getattr(after, figure) == getattr(before, figure), figure
    with world.core.db.session() as session:
        events = session.exec(select(TieEvent)).all()
        audit = session.exec(select(AuditLog)).all()
    # the partner's other tie keeps its words; only the words on ties with her went
    assert any(e.tags == "huddles" and e.note and "weekly huddle" in e.note for e in events)
    # every action is still on record, with its counts
    assert sum(a.action == "log" for a in audit) == 3
    round_run = next(a for a in audit if a.action == "round_run")
    assert json.loads(round_run.detail or "{}")["people"] == 13
    assert partner not in (None, "")


async def test_a_tiny_organisation_does_not_point_at_the_erased_person(world: World) -> None:
    """Hospice has two people, one of them erased: the lead's view shows nothing about the
    organisation's people below the threshold, so the erased person's round, meeting and
    departure cannot be told apart from "fewer than k"."""
    await history(world)
    await world.runtime.say(USER, "forget me confirm")
    view = lead_view(report_of(world))
    hospice = next(o for o in view.per_organisation if o.name == "Hospice")
    small = [hospice.joined, hospice.active, hospice.left, hospice.paused, hospice.introductions]
    assert all(not isinstance(value, int) or value == 0 for value in small), hospice
    assert hospice.met_rate is None and hospice.ei_index is None
    column = view.organisations.index("Hospice")
    assert all(not isinstance(row[column], int) or row[column] == 0 for row in view.matrix)
    text = json.dumps(view.to_json())
    assert "Zephyrine" not in text and "a former member" not in text
