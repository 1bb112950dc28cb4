"""Problem circles on both backends: opening, signing up, forming once, check-ins, and the
chat commands through the core's front door (local platform), with polite refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import func, inspect
from sqlmodel import SQLModel, select

from adapters.local.runtime import LocalRuntime
from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.circle_models import (
    Circle,
    CircleMember,
    CircleSignup,
    CircleTopic,
    CircleTopicStatus,
)
from bot.db.models import Answer, AuditLog, Organisation, Outbox, Person, ProgrammeRoleKind
from bot.db.session import Database, alembic_config, needs_upgrade, upgrade
from bot.scheduling.circles import form_due_circles
from bot.usecases import circle_report, circles, people
from bot.usecases.circle_forming import form_topic, queue_due_circle_checkins
from bot.usecases.common import UseCaseError, resolve_programme
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterRow,
    create_programme,
    grant,
    import_roster,
)

SIX = (
    "Northfield Hospitals NHS Trust",
    "Northfield Adult Social Care",
    "Pennine Community Health",
    "Carers' Centre",
    "Riverside GP Federation",
    "St Aidan's Hospice",
)
PROGRAMME = "Joined-up Care"
ROLES = ("Discharge coordinator", "Social worker", "Community nurse", "Carers' support worker")
FORMS = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)


def build(
    core: Crossties,
    per_org: int = 2,
    organisations: tuple[str, ...] = SIX,
    *,
    roles: bool = True,
) -> LocalRuntime:
    """A programme of the given organisations, `per_org` people each; u01 coordinates."""
    rows = []
    for o, organisation in enumerate(organisations):
        for k in range(per_org):
            n = len(rows) + 1
            rows.append(
                RosterRow(
                    line=n + 1,
                    external_id=f"u{n:02d}",
                    name=f"Person {n:02d}",
                    organisation=organisation,
                    role=ROLES[(o + k) % len(ROLES)] if roles else None,
                )
            )
    now = core.clock.now()
    with core.db.session() as session:
        programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name=PROGRAMME, organisations=organisations, workspaces=(("local", "w1"),)
            ),
        )
        import_roster(session, now, programme, rows, local_workspace="w1")
        first = session.exec(select(Person).where(Person.external_id == "u01")).one()
        grant(session, now, programme, first, ProgrammeRoleKind.COORDINATOR)
        grant(session, now, programme, first, ProgrammeRoleKind.LEAD)
    return LocalRuntime(core, "w1")


def counts(core: Crossties) -> dict[str, int]:
    tables: list[type[SQLModel]] = [
        CircleTopic,
        CircleSignup,
        Circle,
        CircleMember,
        Outbox,
        AuditLog,
    ]
    with core.db.session() as session:
        return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in tables}


def open_and_join(core: Crossties, people: int, **kw: Any) -> int:
    """Open the six-organisation topic as the coordinator and sign up the first `people`."""
    with core.db.session() as session:
        programme = resolve_programme(session, PROGRAMME)
        coordinator = session.exec(select(Person).where(Person.external_id == "u01")).one()
        topic, _ = circles.open_topic(
            session,
            core.clock.now(),
            core.prompts,
            programme,
            coordinator,
            title="Discharge to assess: delays at weekends",
            description="Why do people wait in hospital over the weekend?",
            organisations=kw.get("affected", SIX),
            forms_at=kw.get("forms_at", FORMS),
        )
        everyone = session.exec(select(Person).order_by(Person.id)).all()  # type: ignore[arg-type]
        for person in everyone[:people]:
            circles.join(session, core.clock.now(), person, topic)
        assert topic.id is not None
        return topic.id


def organisations_of(core: Crossties, topic_id: int) -> list[list[str]]:
    with core.db.session() as session:
        rows = session.exec(
            select(Circle.number, Organisation.name)
            .join(CircleMember, CircleMember.circle_id == Circle.id)  # type: ignore[arg-type]
            .join(Organisation, Organisation.id == CircleMember.organisation_id)  # type: ignore[arg-type]
            .where(Circle.topic_id == topic_id)
        ).all()
    grouped: dict[int, list[str]] = {}
    for number, name in rows:
        grouped.setdefault(number, []).append(name)
    return [sorted(grouped[n]) for n in sorted(grouped)]


def test_six_affected_organisations_give_one_of_each_per_circle(core: Crossties) -> None:
    build(core, per_org=2)
    topic_id = open_and_join(core, 12)
    with core.db.session() as session:
        formed = form_topic(session, FORMS, core.prompts, topic_id)
    assert len(formed.circles) == 2 and formed.unplaced == ()
    assert organisations_of(core, topic_id) == [sorted(SIX), sorted(SIX)]
    with core.db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "circle")).all()
        topic = session.get(CircleTopic, topic_id)
        assert topic is not None and topic.status == CircleTopicStatus.FORMED
    assert len(rows) == 2  # one message per circle: everyone is on the one local workspace
    text = rows[0].payload
    assert "speaks once" in text and "one question" in text and "next step" in text


def test_the_circle_message_dates_its_check_in_by_the_core_clock(core: Crossties) -> None:
    """In another year than the wall clock's, the check-in date still reads without a year:
    "this year" is the core clock's."""
    assert isinstance(core.clock, ManualClock)
    forms = datetime(2031, 3, 3, 10, 0, tzinfo=UTC)  # a Monday, years from the wall clock
    core.clock.set(forms - timedelta(days=2))
    build(core, per_org=2)
    open_and_join(core, 12, forms_at=forms)
    core.clock.set(forms)
    assert form_due_circles(core.db, core.clock.now(), core.prompts) == 2
    with core.db.session() as session:
        text = session.exec(select(Outbox.payload).where(Outbox.kind == "circle")).first()
    assert text is not None
    assert re.search(r"in 7 days \(Monday 10 March, \d\d:\d\d\)\.", text), text
    assert "2031" not in text


def test_forming_twice_forms_once(core: Crossties) -> None:
    build(core, per_org=2)
    topic_id = open_and_join(core, 10)
    with core.db.session() as session:
        first = form_topic(session, FORMS, core.prompts, topic_id)
    before = counts(core)
    with core.db.session() as session:
        again = form_topic(session, FORMS + timedelta(minutes=1), core.prompts, topic_id)
    assert again.already and again.circles == first.circles and again.queued == 0
    assert counts(core) == before


def test_nobody_already_in_a_circle_on_the_topic_is_placed_twice(core: Crossties) -> None:
    build(core, per_org=2)
    topic_id = open_and_join(core, 8)
    with core.db.session() as session:
        first = form_topic(session, FORMS, core.prompts, topic_id)
        placed = {p for c in first.circles for p in c}
        # the topic opened again (say, by hand) with four more sign-ups on top of the old ones
        topic = session.get(CircleTopic, topic_id)
        assert topic is not None
        topic.status = CircleTopicStatus.OPEN
        session.add(topic)
        for person in session.exec(select(Person).order_by(Person.id)).all()[8:]:  # type: ignore[arg-type]
            session.add(CircleSignup(topic_id=topic_id, person_id=person.id, signed_up_at=FORMS))
    with core.db.session() as session:
        second = form_topic(session, FORMS, core.prompts, topic_id)
    newly = {p for c in second.circles for p in c}
    assert len(newly) == 4 and not newly & placed
    with core.db.session() as session:
        members = session.exec(select(CircleMember.person_id)).all()
        numbers = session.exec(select(Circle.number).order_by(Circle.number)).all()  # type: ignore[arg-type]
    assert len(members) == len(set(members)) == 12
    assert numbers == [1, 2, 3]


def test_the_scheduler_forms_due_topics_once_and_then_checks_in(core: Crossties) -> None:
    build(core, per_org=2)
    topic_id = open_and_join(core, 12)
    assert form_due_circles(core.db, FORMS - timedelta(minutes=1), core.prompts) == 0
    assert counts(core)["Circle"] == 0
    assert form_due_circles(core.db, FORMS, core.prompts) == 2
    assert form_due_circles(core.db, FORMS + timedelta(minutes=1), core.prompts) == 0
    assert counts(core)["Circle"] == 2
    week = FORMS + timedelta(days=7)
    with core.db.session() as session:
        assert queue_due_circle_checkins(session, week - timedelta(hours=1), core.prompts) == 0
    with core.db.session() as session:
        assert queue_due_circle_checkins(session, week, core.prompts) == 12
    with core.db.session() as session:
        assert queue_due_circle_checkins(session, week, core.prompts) == 0
    assert topic_id


def test_past_circle_mates_are_history(core: Crossties) -> None:
    """Two topics of the same twelve: the second avoids seating last time's pairs together
    where the organisation mix allows (it does here: each circle holds one of each). Nobody
    has a role, so the role tier (which comes first) leaves the choice to history."""
    build(core, per_org=2, roles=False)
    first = open_and_join(core, 12)
    with core.db.session() as session:
        before = form_topic(session, FORMS, core.prompts, first).circles
        programme = resolve_programme(session, PROGRAMME)
        coordinator = session.exec(select(Person).where(Person.external_id == "u01")).one()
        topic, _ = circles.open_topic(
            session,
            FORMS,
            core.prompts,
            programme,
            coordinator,
            title="Shared care records go-live",
            description="What will change on the day?",
            organisations=SIX,
            forms_at=FORMS + timedelta(days=1),
        )
        for person in session.exec(select(Person)).all():
            circles.join(session, FORMS, person, topic)
        assert topic.id is not None
    with core.db.session() as session:
        after = form_topic(session, FORMS + timedelta(days=1), core.prompts, topic.id).circles
    pairs = {frozenset((a, b)) for c in before for a in c for b in c if a != b}
    again = [frozenset((a, b)) for c in after for a in c for b in c if a < b]
    # With one person of each organisation per circle, each organisation either keeps its
    # two people on their old sides or swaps them: three of each gives the fewest repeats,
    # 2 x (3 + 3) = 12 of the 30 pairs (keeping the old circles would repeat all 30).
    assert sum(p in pairs for p in again) == 12


async def test_chat_open_list_join_leave_form_and_check_in(core: Crossties) -> None:
    runtime = build(core, per_org=2)
    core.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    opened = await runtime.say(
        "u01",
        "circle open Discharge to assess: delays at weekends | Why do people wait in hospital "
        f"over the weekend? | {', '.join(SIX)} | 16 March 2026 10:00",
    )
    assert "Opened Discharge to assess" in opened.messages[0].plain()
    assert "I've invited 12 members" in opened.messages[0].plain()
    await runtime.deliver()
    invites = [d for d in runtime.platform.delivered if d.key.startswith("circle_invite:")]
    assert len(invites) == 12
    card = invites[0].message.parts[0]
    button = card.buttons[0]  # type: ignore[union-attr]
    assert button.action == "circle_join"

    listed = (await runtime.say("u05", "circles")).messages[0]
    assert (
        "Monday 16 March, 10:00" in listed.plain() and "nobody has signed up yet" in listed.plain()
    )
    pressed = await runtime.press("u05", button.action, button.value)
    assert "You're signed up for Discharge" in pressed.messages[0].plain()
    again = await runtime.press("u05", button.action, button.value)
    assert "already signed up" in again.messages[0].plain()
    for n in range(1, 13):
        await runtime.say(f"u{n:02d}", "circle join discharge to assess")
    left = await runtime.say("u12", "circle leave Discharge to assess: delays at weekends")
    assert "stepped back" in left.messages[0].plain()
    assert "11 people signed up" in (await runtime.say("u03", "circles")).messages[0].plain()

    formed = await runtime.say("u01", "circle form discharge")
    assert "Formed 2 circles" in formed.messages[0].plain()
    await runtime.deliver()
    made = [d for d in runtime.platform.delivered if d.key.startswith("circle:")]
    assert sorted(len(d.recipients) for d in made) == [5, 6]
    text = made[0].message.plain()
    assert "Person 01" in text and "Northfield Hospitals NHS Trust" in text
    closed = await runtime.say("u12", "circle join discharge")
    assert "already formed" in closed.messages[0].plain()

    core.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    with core.db.session() as session:
        assert queue_due_circle_checkins(session, core.clock.now(), core.prompts) == 11
    await runtime.deliver()
    asked = [d for d in runtime.platform.delivered if d.key.startswith("circle_checkin:")]
    assert len(asked) == 11 and "How did your circle go?" in asked[0].message.plain()
    met = asked[0].message.parts[0].buttons[0]  # type: ignore[union-attr]
    answered = await runtime.press(asked[0].recipients[0], met.action, met.value)
    assert "you met" in answered.messages[0].plain()
    stranger = await runtime.press("u12", met.action, met.value)
    assert "Only members of this circle" in stranger.messages[0].plain()
    with core.db.session() as session:
        answers = session.exec(select(CircleMember.answer)).all()
    assert answers.count(Answer.MET) == 1


async def test_bad_circle_input_is_polite_and_changes_nothing(core: Crossties) -> None:
    runtime = build(core, per_org=2)
    await runtime.say(
        "u01", f"circle open Winter plan | Beds in January | {SIX[0]}, {SIX[1]} | 1 June 2026"
    )
    before = counts(core)
    cases = {
        ("u01", "circle open Winter plan only"): "To open a circle topic",
        ("u01", f"circle open A | B | {SIX[0]} | 1 June 2026"): "at least two",
        ("u01", f"circle open A | B | {SIX[0]}, Mars Council | 1 June 2026"): "Mars Council",
        ("u01", f"circle open A | B | {SIX[0]}, {SIX[1]} | next tuesday-ish"): "as a date",
        ("u01", f"circle open A | B | {SIX[0]}, {SIX[1]} | 1 January 2020"): "not in the future",
        ("u01", f"circle open Winter plan | B | {SIX[0]}, {SIX[1]} | 1 June 2026"): "already",
        ("u02", f"circle open A | B | {SIX[0]}, {SIX[1]} | 1 June 2026"): "coordinator",
        ("u02", "circle form winter"): "coordinator",
        ("u02", "circle join Summer fete"): "can't find a circle topic",
        ("u02", "circle leave winter"): "not signed up",
        ("u02", "circle dance"): "circle join <topic>",
        ("u02", "circle join"): "circle join <topic>",
    }
    for (user, words), expected in cases.items():
        said = (await runtime.say(user, words)).messages[0].plain()
        assert expected in said, (words, said)
    for action, value in (
        ("circle_join", "abc"),
        ("circle_join", "999"),
        ("circle_checkin", "1:x"),
    ):
        said = (await runtime.press("u02", action, value)).messages[0].plain()
        assert "couldn't" in said.lower() or "can't" in said.lower(), said
    assert counts(core) == before


def test_a_member_who_left_the_programme_cannot_sign_up(core: Crossties) -> None:
    build(core, per_org=2)
    topic_id = open_and_join(core, 0)
    with core.db.session() as session:
        person = session.exec(select(Person).where(Person.external_id == "u04")).one()
        programme = resolve_programme(session, PROGRAMME)
        people.leave(session, FORMS, person, programme)
    with core.db.session() as session:
        person = session.exec(select(Person).where(Person.external_id == "u04")).one()
        topic = session.get(CircleTopic, topic_id)
        assert topic is not None
        try:
            circles.join(session, FORMS, person, topic)
        except UseCaseError as error:
            assert error.prompt == "error_not_member"
        else:
            raise AssertionError("a former member signed up")


def test_the_circle_migration_goes_down_and_up(db: Database) -> None:
    tables = {"circletopic", "circletopicorganisation", "circlesignup", "circle", "circlemember"}
    with db.engine.begin() as connection:
        config = alembic_config(db.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    assert not tables & set(inspect(db.engine).get_table_names())
    upgrade(db.engine)
    assert tables <= set(inspect(db.engine).get_table_names())
    assert not needs_upgrade(db.engine)


async def test_the_report_shows_circles_per_topic_with_small_numbers_withheld(
    core: Crossties,
) -> None:
    runtime = build(core, per_org=2)
    formed = open_and_join(core, 12)
    with core.db.session() as session:
        form_topic(session, FORMS, core.prompts, formed)
        programme = resolve_programme(session, PROGRAMME)
        coordinator = session.exec(select(Person).where(Person.external_id == "u01")).one()
        small, _ = circles.open_topic(
            session,
            FORMS,
            core.prompts,
            programme,
            coordinator,
            title="Winter plan",
            description="Beds in January.",
            organisations=SIX[:2],
            forms_at=FORMS + timedelta(days=30),
        )
        for person in session.exec(select(Person).order_by(Person.id)).all()[:3]:  # type: ignore[arg-type]
            circles.join(session, FORMS, person, small)
    said = (await runtime.say("u01", "report")).messages[-1].plain()
    assert "Discharge to assess: delays at weekends: 2 circles of 12 people" in said
    assert "spanning 6 organisations" in said and "Carers' Centre" in said
    assert "Winter plan: open, fewer than 5 signed up" in said
    with core.db.session() as session:
        exact = circle_report.circles_json(session, resolve_programme(session, PROGRAMME))
    assert [t["signed_up"] for t in exact] == [12, 3]
    assert exact[0]["people"] == 12 and exact[0]["circles"] == 2
