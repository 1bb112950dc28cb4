"""Slack's and Teams' APIs misbehaving for minutes: 5xx answers, time-outs and 429 storms.

Minutes pass on virtual clocks (the outbox's clock, and the adapters' waits): the delivery
worker is run pass after pass while the clock moves on, as it would be by its own timer.
Afterwards every message has been delivered exactly once, nothing was given up, and no
coordinator was told that someone could not be reached.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import Outbox, OutboxState
from bot.db.session import Database
from bot.delivery import deliver_due
from bot.events import Message
from bot.outbox import queue
from bot.templates import Prompts
from tests.adapters.slack.conftest import build_slack_world, serving
from tests.adapters.teams.conftest import FakeTime, services_for
from tests.fakes_slack import FakeSlack
from tests.fakes_teams import TENANT, FakeConnector

pytestmark = pytest.mark.db
STORM = timedelta(minutes=20)
STEP = timedelta(seconds=30)
FAULTS = 52


def errors(db: Database) -> list[tuple[int, str | None]]:
    with db.session() as session:
        return [(r.attempts, r.last_error) for r in session.exec(select(Outbox)).all()]


def states(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(r.state for r in session.exec(select(Outbox)).all())


async def test_slack_storm_of_5xx_timeouts_and_429s(
    db: Database, clock: ManualClock, prompts: Prompts
) -> None:
    async with FakeSlack() as slack, serving(db, clock, prompts, slack) as h:
        build_slack_world(h.services, slack, clock)
        # every introduction's chat opening runs into trouble first
        slack.script("conversations.open", status=500, times=3)
        slack.script("conversations.open", status=503, times=2)
        slack.script("conversations.open", status=200, stall=0.3, times=2)  # time-outs
        slack.script("conversations.open", status=429, retry_after=60, times=60)  # a storm
        slack.script("chat.postMessage", status=502, times=2)
        slack.script("chat.postMessage", status=429, retry_after=45, times=10)
        client = await h.runtime.sender.client_for("T0001")
        client.timeout = 0.1  # the stalled answers come too late
        await h.command("round run", user="U01")
        assert "Round 1" in h.replies()[0]["text"]
        started = clock.now()
        while clock.now() - started < STORM * 3:
            await h.deliver(concurrency=4)
            if states(db) == Counter({OutboxState.SENT: 6}):
                break
            clock.advance(STEP)
        took = clock.now() - started
        assert states(db) == Counter({OutboxState.SENT: 6}), errors(db)
        refused = [c for c in slack.calls_to("conversations.open") if c.status != 200]
        assert len(refused) >= 65  # the faults really were met
        assert took >= timedelta(minutes=10)  # the storm lasted minutes, on the virtual clock
        posts = slack.calls_to("chat.postMessage", ok_only=True)
        keys = Counter(p.args["metadata"]["event_payload"]["key"] for p in posts)
        assert len(keys) == 6 and set(keys.values()) == {1}  # each exactly once
        assert len({p.args["channel"] for p in posts}) == 6
        await h.deliver()
        assert slack.count("chat.postMessage") == 6  # nothing left to send, no failure notes


async def test_teams_storm_of_5xx_timeouts_and_429s(
    db: Database, clock: ManualClock, prompts: Prompts
) -> None:
    from adapters.teams.app import TeamsConfiguration, build_teams
    from bot.core import Crossties
    from bot.pacing import Pacer
    from tests.adapters.teams.conftest import _serve, person_message

    connector = FakeConnector()
    await connector.start()
    core = Crossties(db, clock, prompts)
    teams = build_teams(services_for(core), TeamsConfiguration())
    http = await _serve(teams)
    try:
        time = FakeTime()
        teams.sender.sleep = time.sleep
        teams.sender.pacer = Pacer(clock=time.clock, sleep=time.sleep)
        for n in range(6):  # first contact keeps each person's address
            response = await http.post(
                "/api/messages", json=person_message(connector.url, "help", n)
            )
            assert response.status == 200
        await teams.settle()  # the turns run after the answer
        connector.requests.clear()
        with db.session() as session:
            for n in range(6):
                queue(
                    session,
                    clock.now(),
                    key=f"storm:{n}",
                    platform="teams",
                    workspace=TENANT,
                    recipients=[f"aad-{n}"],
                    kind="notice",
                    message=Message.text(f"Hello {n}"),
                )
        connector.fail(502, times=6)
        connector.fail(504, times=6)  # the connector's gateway timed out
        connector.fail(429, times=FAULTS - 12, retry_after="60")
        senders = {"teams": teams.sender}
        started = clock.now()
        while clock.now() - started < STORM * 3:
            await deliver_due(db, senders, clock, concurrency=3)
            if states(db) == Counter({OutboxState.SENT: 6}):
                break
            clock.advance(STEP)
        assert states(db) == Counter({OutboxState.SENT: 6}), states(db)
        assert not connector.faults  # every fault was met
        tries = Counter(connector.texts())
        assert set(tries) == {f"Hello {n}" for n in range(6)}
        assert sum(tries.values()) - FAULTS == 6  # each accepted exactly once
        assert time.sleeps and max(time.sleeps) < 61  # Retry-After honoured, waits were virtual
    finally:
        await http.close()
        await connector.stop()
