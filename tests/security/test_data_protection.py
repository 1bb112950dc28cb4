"""Data protection: `my data` covers every table that refers to a person; notes expire after
the configured retention; every coordinator and lead action is in the audit log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, func
from sqlalchemy import select as sa_select
from sqlmodel import select

from bot.config import Settings
from bot.core import Crossties
from bot.db.models import AuditLog, Person, Programme, TieEvent
from bot.events import ActionInvoked, CommandReceived, UserRef
from bot.usecases import coordination
from bot.usecases.retention import expire_notes
from tests.fakes import World

pytestmark = pytest.mark.db

# Every (table, column) that points at a person, and where `my data` shows those rows.
# A new reference to Person fails the test until it is added here and to `my_data`.
SHOWN = {
    ("membership", "person_id"): "programmes",
    ("platformaccount", "person_id"): "accounts",
    ("tie", "person_a_id"): "ties",
    ("tie", "person_b_id"): "ties",
    ("checkin", "person_id"): "check_ins",
    ("introductionmember", "person_id"): "introductions",
    ("programmerole", "person_id"): "roles",
    ("exclusion", "person_a_id"): "kept_apart_from",
    ("exclusion", "person_b_id"): "kept_apart_from",
    ("rhythm", "person_id"): "rhythm",
    ("nextstep", "agreed_by"): "next_steps",
    ("circlestep", "agreed_by"): "circle_steps",
}
# References that are not the person's data, or are shown through another key.
NOT_THEIRS = {
    ("exclusion", "created_by"): "which coordinator set a pairing apart (the coordinator's act)",
    ("tieevent", "by_person_id"): "events of their ties (shown under ties; notes under notes)",
    ("nextstep", "answered_by"): "who said whether a step happened (shown under next_steps)",
    ("circlestep", "answered_by"): "who said whether a circle's step happened (circle_steps)",
    ("organisationpause", "created_by"): "which coordinator paused an organisation (their act)",
    (
        "introduction",
        "answered_by_id",
    ): "whose answer is the group's (their answer is shown under check-ins)",
    ("circletopic", "opened_by"): "which coordinator opened a circle topic (their act)",
    ("circlesignup", "person_id"): "the circle topics they signed up to (shown under circles)",
    ("circlemember", "person_id"): "the circle they were placed in (shown under circles)",
}


async def ask(world: World, user: str, text: str) -> str:
    reply = await world.core.handle(CommandReceived(UserRef("local", "w1", user), text))
    return "\n".join(m.plain() for m in reply.messages)


async def history(world: World) -> None:
    assert "Round 1" in await ask(world, "u01", "round run")
    await ask(world, "u03", "met")
    await ask(world, "u03", "step Share the falls pathway with the ward")
    await ask(world, "u03", "profile days mon thu")
    await ask(world, "u03", "log @u09 shared the falls pathway #falls")
    await ask(world, "u01", "exclude @u03 @u10")
    circle_met(world, "u03")
    await ask(world, "u03", "step Ask carers what a good Friday discharge needs")


def circle_met(world: World, user: str) -> None:
    """The person in a formed circle whose check-in they answered "met"."""
    from bot.db.circle_models import Circle, CircleMember, CircleTopic, CircleTopicStatus
    from bot.db.models import Answer

    now = world.core.clock.now()
    person = world.person(user)
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        assert programme.id is not None and person.id is not None
        topic = CircleTopic(
            programme_id=programme.id,
            title="Weekend discharges",
            description="Where does the weekend stall?",
            status=CircleTopicStatus.FORMED,
            forms_at=now,
            created_at=now,
        )
        session.add(topic)
        session.flush()
        assert topic.id is not None
        circle = Circle(topic_id=topic.id, number=1, created_at=now, checkin_due_at=now)
        session.add(circle)
        session.flush()
        assert circle.id is not None
        session.add(
            CircleMember(
                circle_id=circle.id,
                person_id=person.id,
                topic_id=topic.id,
                answer=Answer.MET,
                answered_at=now,
            )
        )


async def test_my_data_covers_every_reference_to_a_person(world: World) -> None:
    await history(world)
    with world.core.db.session() as session:
        from bot.db.models import ProgrammeRoleKind
        from bot.usecases.programmes import grant

        u03 = world.person("u03")
        grant(
            session,
            world.core.clock.now(),
            session.exec(select(Programme)).one(),
            u03,
            ProgrammeRoleKind.LEAD,
        )
    reply = await world.core.handle(CommandReceived(UserRef("local", "w1", "u03"), "my data"))
    data = json.loads(reply.messages[0].parts[1].text)  # type: ignore[union-attr]
    person_id = world.person("u03").id
    metadata = MetaData()
    metadata.reflect(world.core.db.engine)
    expected: dict[str, int] = {}
    with world.core.db.engine.connect() as connection:
        for table in metadata.tables.values():
            for column in table.columns:
                if not any(fk.column.table.name == "person" for fk in column.foreign_keys):
                    continue
                where = (table.name, column.name)
                assert where in SHOWN or where in NOT_THEIRS, f"{where} is not in my data"
                if where not in SHOWN:
                    continue
                count = connection.execute(
                    sa_select(func.count()).select_from(table).where(column == person_id)
                ).scalar_one()
                expected[SHOWN[where]] = expected.get(SHOWN[where], 0) + int(count)
    for key, count in expected.items():
        assert len(data[key]) == count, key
        assert count > 0, f"the history should give {key} something to show"
    assert data["name"] == "Person 03" and data["email"] == "person03@example.org"
    assert data["notes"][0]["note"] == "shared the falls pathway #falls"
    assert data["check_ins"][0]["answer"] == "met"


async def test_notes_expire_after_the_configured_retention(world: World) -> None:
    settings = Settings(CROSSTIES_NOTE_RETENTION_DAYS=30)
    await ask(world, "u03", "log @u09 shared the falls pathway #falls")
    world.core.clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        assert expire_notes(session, world.core.clock.now(), settings.note_retention_days) == 1
    text = await ask(world, "u03", "my data")
    assert "falls pathway" not in text and '"falls"' in text  # the words go, the tag stays
    with world.core.db.session() as session:
        event = session.exec(select(TieEvent).where(TieEvent.kind == "collaborated")).one()
        assert event.note is None and event.tags == "falls"
        (expired,) = session.exec(select(AuditLog).where(AuditLog.action == "notes_expired")).all()
        assert json.loads(expired.detail or "{}") == {"count": 1, "retention_days": 30}
    with pytest.raises(ValueError):
        Settings(CROSSTIES_NOTE_RETENTION_DAYS=0)


def audited(world: World, action: str) -> list[AuditLog]:
    with world.core.db.session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


async def test_every_coordinator_and_lead_action_is_audited(world: World) -> None:
    core: Crossties = world.core
    coordinator = f"person:{world.person('u01').id}"
    lead = f"person:{world.person('u02').id}"
    # set-up through the CLI paths (build_world): programme, roster import, grants
    assert [a.actor for a in audited(world, "programme_create")] == ["cli"]
    assert [a.actor for a in audited(world, "roster_import")] == ["cli"]
    assert len(audited(world, "grant")) == 2
    await ask(world, "u01", "round preview")
    await ask(world, "u01", "round run")
    await ask(world, "u01", "exclude @u03 @u10")
    await ask(world, "u02", "report")
    await core.handle(ActionInvoked(UserRef("local", "w1", "u01"), "round preview"))
    user = UserRef("local", "w1", "u01")
    with core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        form = coordination.form_for(session, user, programme.id)
    edited = coordination.ProgrammeForm(**{**form.__dict__, "cadence": "weekly"})
    new = coordination.ProgrammeForm(**{**form.__dict__, "name": "Second", "programme_id": None})
    with core.db.session() as session:
        coordination.save_programme(session, core.clock.now(), user, edited, workspace_admin=False)
        coordination.save_programme(session, core.clock.now(), user, new, workspace_admin=False)
        members = [coordination.ChannelMember("u50", "Nadia Newcomer")]
        coordination.sync_members(
            session, core.clock.now(), core.prompts, user, programme.id or 0, members
        )
    expected = {
        "round_preview": [coordinator, coordinator],
        "round_run": [coordinator],
        "exclude": [coordinator],
        "report": [lead],
        "programme_update": [coordinator],
        "roster_sync": [coordinator],
    }
    for action, actors in expected.items():
        assert [a.actor for a in audited(world, action)] == actors, action
    assert [a.actor for a in audited(world, "programme_create")] == ["cli", coordinator]
    # refusals are not actions: a member asking for a report leaves no audit row
    before = len(audited(world, "report"))
    await ask(world, "u03", "report")
    assert len(audited(world, "report")) == before
    # the audit log never holds names: actors and subjects are ids
    with core.db.session() as session:
        names = [p.name for p in session.exec(select(Person)).all() if p.name]
        rows = session.exec(select(AuditLog)).all()
    for row in rows:
        assert not any(name in f"{row.actor} {row.detail}" for name in names), row
