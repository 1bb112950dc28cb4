"""Circle topics members propose, on both backends, through the core's front door (local
platform): the programme's setting, the coordinators' Approve / Decline cards, rights checked
before anything changes, the proposer told either way, and the migration that adds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import select

from adapters.local.runtime import LocalRuntime
from bot.core import Crossties
from bot.db.circle_models import CircleSignup, CircleTopic, CircleTopicStatus
from bot.db.models import AuditLog, Person, Programme, ProgrammeRoleKind
from bot.db.session import Database, alembic_config, needs_upgrade, upgrade
from bot.events import Button, Card
from bot.usecases import circle_report, erasure
from bot.usecases.common import resolve_programme
from bot.usecases.programmes import grant
from tests.db.test_circles import PROGRAMME, SIX, build, counts

TITLE = "Weekend discharges"
PROPOSE = (
    f"circle propose {TITLE} | Why do discharges stall at weekends? | "
    f"{SIX[0]}, {SIX[1]}, {SIX[4]} | 1 June 2026 10:00"
)


def _allow(core: Crossties, *, second_coordinator: bool = True) -> LocalRuntime:
    runtime = build(core, per_org=2)  # u01 coordinates
    if second_coordinator:
        with core.db.session() as session:
            programme = resolve_programme(session, PROGRAMME)
            u03 = session.exec(select(Person).where(Person.external_id == "u03")).one()
            grant(session, core.clock.now(), programme, u03, ProgrammeRoleKind.COORDINATOR)
    return runtime


def _status(core: Crossties) -> CircleTopicStatus | None:
    with core.db.session() as session:
        topic = session.exec(select(CircleTopic).where(CircleTopic.title == TITLE)).first()
        return topic.status if topic else None


async def _cards(runtime: LocalRuntime, kind: str) -> dict[str, Card]:
    """The cards delivered of one kind (by key prefix), by recipient."""
    await runtime.deliver()
    found = {}
    for sent in runtime.platform.delivered:
        if sent.key.startswith(f"{kind}:"):
            card = sent.message.parts[0]
            assert isinstance(card, Card)
            found[sent.recipients[0]] = card
    return found


def _texts(runtime: LocalRuntime, kind: str) -> dict[str, str]:
    return {
        d.recipients[0]: d.message.plain()
        for d in runtime.platform.delivered
        if d.key.startswith(f"{kind}:")
    }


def _button(card: Card, label: str) -> Button:
    return next(b for b in card.buttons if b.label == label)


async def test_a_proposal_waits_for_a_coordinator_then_opens_for_sign_up(core: Crossties) -> None:
    runtime = _allow(core)
    on = await runtime.say("u01", "circle proposals on")
    assert "can now propose circle topics" in on.messages[0].plain()

    said = (await runtime.say("u05", PROPOSE)).messages[0].plain()
    assert f"I've sent {TITLE} to the coordinators of {PROGRAMME}" in said
    assert _status(core) == CircleTopicStatus.PROPOSED
    cards = await _cards(runtime, "circle_proposal")
    assert sorted(cards) == ["u01", "u03"]  # every coordinator, nobody else
    card = cards["u01"]
    assert card.title == f"Proposed problem circle: {TITLE}"
    assert "Person 05 proposes this problem circle" in card.fallback()
    assert [b.label for b in card.buttons] == ["Approve", "Decline"]
    assert not _texts(runtime, "circle_invite")  # nobody is invited to a proposal

    # not open for sign-up: not listed, and joining is refused politely
    listed = (await runtime.say("u06", "circles")).messages[0].plain()
    assert TITLE not in listed
    refused = (await runtime.say("u06", f"circle join {TITLE}")).messages[0].plain()
    assert "waiting for a coordinator's approval" in refused
    # a coordinator sees it waiting in `circles`, with the buttons
    mine = (await runtime.say("u03", "circles")).messages[0]
    assert "1 proposed topic waiting" in mine.plain() and "Approve" in mine.plain()

    # a member who is not a coordinator presses Approve: refused, nothing changes
    before = counts(core)
    approve = _button(card, "Approve")
    stranger = (await runtime.press("u02", approve.action, approve.value)).messages[0].plain()
    assert "Only coordinators of" in stranger
    assert counts(core) == before and _status(core) == CircleTopicStatus.PROPOSED

    done = (await runtime.press("u01", approve.action, approve.value)).messages[0].plain()
    assert f"Approved {TITLE}" in done and "invited 12 members and let Person 05 know" in done
    assert _status(core) == CircleTopicStatus.OPEN
    await runtime.deliver()
    assert len(_texts(runtime, "circle_invite")) == 12  # announced as an opened topic is
    told = _texts(runtime, "circle_decided")
    assert list(told) == ["u05"] and "approved your problem circle" in told["u05"]

    # the other coordinator's card is now stale: said so, nothing changes
    before = counts(core)
    late = await runtime.press("u03", approve.action, approve.value)
    assert "already been approved" in late.messages[0].plain()
    assert counts(core) == before
    joined = (await runtime.say("u06", f"circle join {TITLE}")).messages[0].plain()
    assert f"You're signed up for {TITLE}" in joined
    with core.db.session() as session:
        actions = session.exec(select(AuditLog.action)).all()
        assert {"circle_propose", "circle_approve"} <= set(actions)
        assert len(session.exec(select(CircleSignup)).all()) == 1


async def test_a_declined_proposal_tells_the_proposer_and_may_be_proposed_again(
    core: Crossties,
) -> None:
    runtime = _allow(core)
    await runtime.say("u01", "circle proposals on")
    await runtime.say("u05", PROPOSE)
    card = (await _cards(runtime, "circle_proposal"))["u03"]
    decline = _button(card, "Decline")
    done = (await runtime.press("u03", decline.action, decline.value)).messages[0].plain()
    assert f"Declined {TITLE}" in done and "let Person 05 know" in done
    assert _status(core) == CircleTopicStatus.DECLINED
    await runtime.deliver()
    told = _texts(runtime, "circle_decided")["u05"]
    assert "Thank you for proposing" in told and "decided not to open it" in told
    assert not _texts(runtime, "circle_invite")
    refused = (await runtime.say("u06", f"circle join {TITLE}")).messages[0].plain()
    assert "isn't open for sign-up" in refused
    formed = (await runtime.say("u01", f"circle form {TITLE}")).messages[0].plain()
    assert "isn't open for sign-up" in formed
    with core.db.session() as session:
        programme = resolve_programme(session, PROGRAMME)
        assert circle_report.topic_summaries(session, programme, 0) == []  # not a circle

    # proposed again, better shaped: the coordinators are asked again
    again = (await runtime.say("u05", PROPOSE)).messages[0].plain()
    assert "I've sent" in again and _status(core) == CircleTopicStatus.PROPOSED
    await runtime.deliver()
    asked = [d for d in runtime.platform.delivered if d.key.startswith("circle_proposal:")]
    assert len(asked) == 4  # twice to each of the two coordinators


async def test_members_may_not_propose_unless_the_programme_allows_it(core: Crossties) -> None:
    runtime = _allow(core)
    before = counts(core)
    said = (await runtime.say("u05", PROPOSE)).messages[0].plain()
    assert f"In {PROGRAMME}, circle topics are opened by its coordinators" in said
    denied = (await runtime.say("u05", "circle proposals on")).messages[0].plain()
    assert "Only coordinators of" in denied
    usage = (await runtime.say("u01", "circle proposals maybe")).messages[0].plain()
    assert "circle proposals on" in usage
    bad = (await runtime.say("u05", "circle propose Just a title")).messages[0].plain()
    assert "To propose a circle topic" in bad
    assert counts(core) == before
    with core.db.session() as session:
        assert resolve_programme(session, PROGRAMME).circle_proposals is False
    # a coordinator's own proposal needs nobody's approval: it opens
    opened = (await runtime.say("u01", PROPOSE)).messages[0].plain()
    assert f"Opened {TITLE}" in opened and _status(core) == CircleTopicStatus.OPEN
    asked = (await runtime.say("u03", "circle proposals")).messages[0].plain()
    assert "Only coordinators of" in asked and "circle proposals on" in asked
    await runtime.say("u01", "circle proposals on")
    await runtime.say("u01", "circle proposals off")
    refused = (await runtime.say("u05", PROPOSE.replace(TITLE, "Winter"))).messages[0].plain()
    assert "opened by its coordinators" in refused


async def test_approving_after_the_proposed_time_is_refused_and_changes_nothing(
    core: Crossties,
) -> None:
    runtime = _allow(core, second_coordinator=False)
    await runtime.say("u01", "circle proposals on")
    await runtime.say("u05", PROPOSE)
    card = (await _cards(runtime, "circle_proposal"))["u01"]
    core.clock.advance(timedelta(days=120))  # type: ignore[attr-defined]
    before = counts(core)
    approve = _button(card, "Approve")
    said = (await runtime.press("u01", approve.action, approve.value)).messages[0].plain()
    assert "has passed" in said and "circle open" in said
    assert counts(core) == before and _status(core) == CircleTopicStatus.PROPOSED
    # by name in chat too, and a coordinator may decline it
    declined = (await runtime.say("u01", f"circle decline {TITLE}")).messages[0].plain()
    assert f"Declined {TITLE}" in declined


async def test_forged_decisions_change_nothing(core: Crossties) -> None:
    runtime = _allow(core)
    await runtime.say("u01", "circle proposals on")
    await runtime.say("u05", PROPOSE)
    before = counts(core)
    for value in ("abc:approve", "1:maybe", "999:approve", "1", ""):
        said = (await runtime.press("u01", "circle_decide", value)).messages[0].plain()
        assert "couldn't" in said.lower(), said
    assert counts(core) == before


async def test_forgetting_the_proposer_removes_a_proposal_that_never_opened(
    core: Crossties,
) -> None:
    runtime = _allow(core)
    await runtime.say("u01", "circle proposals on")
    await runtime.say("u05", PROPOSE)
    await runtime.deliver()
    with core.db.session() as session:
        u05 = session.exec(select(Person).where(Person.external_id == "u05")).one()
        erasure.forget(session, core.clock.now(), u05)
    assert _status(core) is None
    with core.db.session() as session:
        assert not session.exec(select(CircleTopic)).all()


def test_the_proposals_migration_goes_down_and_up(db: Database) -> None:
    def columns() -> set[str]:
        return {c["name"] for c in inspect(db.engine).get_columns("programme")}

    assert "circle_proposals" in columns()
    when = datetime(2026, 6, 1, tzinfo=UTC)
    with db.session() as session:
        programme = Programme(name="Kept", created_at=when, circle_proposals=True)
        session.add(programme)
        session.flush()
        for title, status in (("Open one", "open"), ("Proposed one", "proposed")):
            session.add(
                CircleTopic(
                    programme_id=programme.id or 0,
                    title=title,
                    description="d",
                    status=CircleTopicStatus(status),
                    forms_at=when,
                    created_at=when,
                )
            )
    with db.engine.begin() as connection:
        config = alembic_config(db.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    assert "circle_proposals" not in columns()
    with db.engine.connect() as connection:  # a proposal has no place in the older schema
        titles = connection.execute(text("SELECT title FROM circletopic")).scalars().all()
    assert titles == ["Open one"]
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO programme (name, cadence, weekday, hour, timezone, group_size, "
                "cross_organisation, prompt_set, checkin_days, nudge_days, paused, is_demo, "
                "created_at) VALUES ('Older', 'weekly', 0, 9, 'UTC', 2, true, 'default', 7, 3, "
                "false, false, '2026-01-01 00:00:00+00:00')"
            )
        )
    upgrade(db.engine)
    assert "circle_proposals" in columns() and not needs_upgrade(db.engine)
    with db.session() as session:
        older = session.exec(select(Programme).where(Programme.name == "Older")).one()
        assert older.circle_proposals is False  # off for programmes made before


def test_the_cli_turns_proposals_on_and_off(db: Database) -> None:
    from typer.testing import CliRunner

    from bot.usecases.programmes import ProgrammeSettings, create_programme
    from crossties.cli.main import app

    with db.session() as session:
        create_programme(
            session,
            datetime(2026, 3, 1, tzinfo=UTC),
            ProgrammeSettings(name="North", organisations=SIX[:2]),
        )
    env = {"CROSSTIES_DATABASE_URL": db.url, "COLUMNS": "200"}
    runner = CliRunner()

    def allowed() -> bool:
        with db.session() as session:
            return resolve_programme(session, "North").circle_proposals

    turned = runner.invoke(app, ["programme", "proposals", "on", "--programme", "North"], env=env)
    assert turned.exit_code == 0, turned.output
    assert "Members of North may now propose circle topics" in turned.output and allowed()
    again = runner.invoke(app, ["programme", "proposals", "on"], env=env)  # the only programme
    assert "already so" in again.output and allowed()
    bad = runner.invoke(app, ["programme", "proposals", "maybe"], env=env)
    assert bad.exit_code == 2 and "on or off" in bad.output and allowed()
    off = runner.invoke(app, ["programme", "proposals", "off"], env=env)
    assert off.exit_code == 0 and "Only coordinators of North" in off.output and not allowed()
    with db.session() as session:
        logged = session.exec(select(AuditLog).where(AuditLog.action == "circle_proposals")).all()
    assert [entry.actor for entry in logged] == ["cli", "cli"]
