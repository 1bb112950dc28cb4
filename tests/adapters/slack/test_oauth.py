"""Many workspaces through the OAuth install flow: installations in our database, and no
workspace ever sees another's programmes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from bot.clock import ManualClock
from bot.db.session import Database
from bot.delivery import PermanentSendError
from bot.events import Message
from bot.templates import Prompts
from tests.adapters.slack.conftest import PROGRAMME, Harness, build_slack_world, fixture, serving
from tests.fakes_slack import FakeSlack

OAUTH = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": "s3cret"}


async def install(h: Harness, team: str) -> None:
    page = await h.http.get("/slack/install", allow_redirects=False)
    assert page.status == 200
    body = await page.text()
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', body)
    assert link is not None
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == ["111.222"] and "commands" in query["scope"][0]
    state = query["state"][0]
    done = await h.http.get(
        "/slack/oauth_redirect",
        params={"code": f"code-{team}", "state": state},
        cookies={"slack-app-oauth-state": state},
        allow_redirects=False,
    )
    assert done.status == 200, await done.text()


async def test_installs_serve_each_workspace_alone(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    async with serving(db, clock, prompts, slack, **OAUTH) as h:
        await install(h, "T0001")
        await install(h, "T0002")
        assert slack.count("oauth.v2.access") == 2
        build_slack_world(h.services, slack, clock)
        await h.command("programmes", user="U03")
        assert PROGRAMME in h.replies()[0]["text"]
        await h.command("programmes", user="U03", team="T0002")
        assert "no programme here" in h.replies()[0]["text"]
        await h.command("join Hospice", user="U03", team="T0002")
        assert PROGRAMME not in h.replies()[0]["text"]
        # the sender finds each workspace's own token
        await h.runtime.sender.send("T0002", ["U09"], Message.text("hello"), key="k1")
        posted = slack.calls_to("chat.postMessage", ok_only=True)[-1]
        assert posted.token == "xoxb-T0002"


async def test_an_unknown_workspace_is_refused_and_a_forged_state_fails(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    async with serving(db, clock, prompts, slack, **OAUTH) as h:
        response = await h.command("help", user="U03", team="T0009")
        assert response.status == 200  # acknowledged, but not served: not installed there
        replies = h.replies()
        assert len(replies) == 1 and "reinstall" in replies[0]["text"]
        done = await h.http.get(
            "/slack/oauth_redirect",
            params={"code": "code-T0003", "state": "forged"},
            allow_redirects=False,
        )
        assert done.status != 200
        assert slack.count("oauth.v2.access") == 0


async def test_an_uninstalled_workspace_is_forgotten(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    async with serving(db, clock, prompts, slack, **OAUTH) as h:
        await install(h, "T0002")
        await h.runtime.sender.send("T0002", ["U09"], Message.text("hello"), key="k1")
        event = fixture("app_home_opened.json")
        event.update(team_id="T0002", event_id="EvUninstall")
        event["event"] = {"type": "app_uninstalled"}
        event["authorizations"][0]["team_id"] = "T0002"
        assert (await h.event(event)).status == 200
        with pytest.raises(PermanentSendError):
            await h.runtime.sender.send("T0002", ["U09"], Message.text("again"), key="k2")
        await install(h, "T0002")  # installed again: sending works again
        await h.runtime.sender.send("T0002", ["U09"], Message.text("back"), key="k3")
        assert slack.count("chat.postMessage") == 2
