"""Socket Mode: with SLACK_APP_TOKEN the app opens a socket with the aiohttp app's start and
takes commands and events through it (no public URL), answered by the same listeners."""

from __future__ import annotations

import asyncio

from bot.clock import ManualClock
from bot.db.session import Database
from bot.templates import Prompts
from tests.adapters.slack.conftest import build_slack_world, fixture, serving, slash_fields
from tests.fakes_slack import APP_TOKEN, FakeSlack


async def test_socket_mode_serves_commands_and_events(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    async with serving(db, clock, prompts, slack, slack_app_token=APP_TOKEN) as h:
        assert h.runtime.socket_mode
        await asyncio.wait_for(slack.socket_connected.wait(), 5)
        assert slack.count("apps.connections.open") == 1
        refused = await h.http.post("/slack/events", data=b"{}")
        assert refused.status in (404, 405)  # no HTTP endpoint in Socket Mode
        build_slack_world(h.services, slack, clock)
        command = slash_fields()
        command.update(user_id="U03", text="ties", response_url=slack.response_url("sock"))
        ack = await slack.push("slash_commands", command)
        assert "envelope_id" in ack
        await h.runtime.settle()
        assert len(h.replies("sock")) == 1
        home = fixture("app_home_opened.json")
        home["event"].update(user="U01", channel=slack.open_dm("U01"))
        await slack.push("events_api", home)
        await h.runtime.settle()
        assert slack.calls_to("views.publish", ok_only=True)[-1].args["user_id"] == "U01"
    assert slack.sockets == []  # closed with the server
