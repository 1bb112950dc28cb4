"""The acknowledgement never waits for the database, and it stays quick under overload:

- a repeat is caught in memory before the ack, and across servers by a claim after it;
- past the backlog of work in progress, a command is answered "busy" in the ack itself and
  nothing is done."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import AuditLog, Round
from bot.db.session import Database
from bot.templates import Prompts
from tests.adapters.slack.conftest import (
    Harness,
    build_slack_world,
    fixture,
    next_trigger,
    serving,
    slash_fields,
)
from tests.fakes_slack import FakeSlack

FORM = "application/x-www-form-urlencoded"


def command_body(h: Harness, text: str, user: str) -> str:
    fields = slash_fields()
    fields.update(
        text=text,
        user_id=user,
        user_name=user.lower(),
        response_url=h.slack.response_url("cmd"),
        trigger_id=next_trigger(),
    )
    return urlencode(fields)


async def test_a_request_sent_to_two_servers_is_handled_by_one(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    """Neither server has seen the request before, so both ack it; the claim in the shared
    database lets only one of them run the round."""
    async with (
        serving(db, clock, prompts, slack) as one,
        serving(db, clock, prompts, slack) as two,
    ):
        build_slack_world(one.services, slack, clock)
        body = command_body(one, "round run", "U01")
        headers = one.headers(body, content_type=FORM)
        answers = await asyncio.gather(
            one.http.post("/slack/events", data=body.encode(), headers=headers),
            two.http.post("/slack/events", data=body.encode(), headers=headers),
        )
        assert [a.status for a in answers] == [200, 200]
        await one.runtime.settle()
        await two.runtime.settle()
        # and once more to each, afterwards: both now know it
        for server in (one, two):
            again = await server.http.post("/slack/events", data=body.encode(), headers=headers)
            assert again.status == 200
            await server.runtime.settle()
        with db.session() as session:
            assert len(session.exec(select(Round)).all()) == 1
            runs = session.exec(select(AuditLog).where(AuditLog.action == "round_run")).all()
            assert len(runs) == 1
        assert len(one.replies("cmd")) == 1


async def test_past_the_backlog_a_command_is_answered_busy_in_the_ack(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    async with serving(db, clock, prompts, slack, backlog=1) as h:
        build_slack_world(h.services, slack, clock)
        await _hold_one_in_progress(h)
        before = _state(h)

        busy = await h.command("pause for 2 weeks", user="U04", respond_as="busy", settle=False)
        assert busy.status == 200
        answer = await busy.json()
        assert answer["response_type"] == "ephemeral"
        assert answer["text"] == prompts.render("busy")
        assert "try again in a moment" in answer["text"]
        assert _state(h) == before  # nothing was done: U04 is not paused

        await h.runtime.settle()  # U03's answer arrives; the backlog is free again
        assert len(h.replies("cmd")) == 1
        assert h.replies("busy") == []  # the busy answer was the ack, nothing followed
        again = await h.command("pause for 2 weeks", user="U04", respond_as="again")
        assert await again.text() == ""  # a plain ack this time
        assert len(h.replies("again")) == 1
        with db.session() as session:
            pauses = session.exec(select(AuditLog).where(AuditLog.action == "pause")).all()
        assert len(pauses) == 1


async def test_clicks_are_never_turned_away(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    """A check-in answer or a pause button queues however busy the server is."""
    async with serving(db, clock, prompts, slack, backlog=1) as h:
        build_slack_world(h.services, slack, clock)
        await _hold_one_in_progress(h)
        payload = fixture("block_actions_home.json")
        payload["user"].update(id="U04", username="u04", name="u04")
        payload["actions"][0].update(action_id="ct|pause|0", value="2")
        click = await h.interact(payload, settle=False)
        assert click.status == 200
        assert await click.text() == ""
        await h.runtime.settle()
        with db.session() as session:
            pauses = session.exec(select(AuditLog).where(AuditLog.action == "pause")).all()
        assert len(pauses) == 1


async def _hold_one_in_progress(h: Harness) -> None:
    """A newcomer's first command waits on users.info (who they are): it stays in progress
    for a second after its ack."""
    h.slack.add_user("U77", "Newcomer")
    h.slack.script("users.info", stall=1.0)
    slow = asyncio.ensure_future(h.command("help", user="U77", settle=False))
    await h.slack.until(lambda: h.slack.count("users.info", ok_only=False) >= 1)
    assert (await slow).status == 200
    assert h.services.backlog.full()


def _state(h: Harness) -> list[tuple[str, str]]:
    with h.db.session() as session:
        return [(a.action, str(a.detail)) for a in session.exec(select(AuditLog)).all()]
