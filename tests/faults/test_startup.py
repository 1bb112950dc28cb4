"""`crossties serve` with one bad setting at a time, as an operator would start it.

Each test starts the real server in a subprocess against the fake Slack Web API and the fake
Teams connector (and, for Teams credentials, a fake Entra ID token endpoint over HTTPS), and
checks: `/healthz` answers within 5 s of start with the right state per part; the other
platform still serves; the log says once what to fix; a permanent error is not retried.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest

from bot.db.models import Outbox
from crossties.server import STARTING
from tests import serving
from tests.fakes_entra import FakeEntra
from tests.fakes_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes_teams import FakeConnector
from tests.faults.conftest import eventually, rows, slack_answers, slack_command, teams_message
from tests.serving import Server

# Seconds from the moment everything is built (the log line just before the server starts)
# to a /healthz answer: the time a platform's connection could hold the server up. Not from
# the process start: on a busy machine Python's own imports alone can take seconds.
STARTUP = 5.0
SLACK_PEOPLE, TEAMS_PEOPLE = [1, 2], [3, 4]


class Rig:
    def __init__(self, workdir: Path, slack: FakeSlack, connector: FakeConnector) -> None:
        self.workdir = workdir
        self.slack = slack
        self.connector = connector
        self.url = f"sqlite:///{workdir / 'crossties.db'}"
        serving.seed(
            self.url, slack, slack_people=SLACK_PEOPLE, teams_people=TEAMS_PEOPLE, coordinator=1
        )
        self.servers: list[Server] = []

    def serve(self, **settings: str) -> Server:
        server = Server(self.url, self.slack, self.workdir, name=f"serve{len(self.servers)}")
        server.extra.update(settings)
        self.servers.append(server)
        server.start()
        return server


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with FakeSlack() as slack:
        connector = FakeConnector()
        await connector.start()
        made = Rig(tmp_path, slack, connector)
        try:
            yield made
        finally:
            for server in made.servers:
                server.stop()
            await connector.stop()


async def health(server: Server) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(5)) as http,
        http.get(server.base + "/healthz") as response,
    ):
        return response.status, await response.json()


async def answers_in_time(server: Server) -> dict[str, Any]:
    """/healthz answers within STARTUP seconds of the server's start; its first answer."""
    await eventually(lambda: STARTING in server.output(), 60, "the server's first log line")
    started = time.monotonic()
    await server.until_health(200, wait_s=STARTUP)
    assert time.monotonic() - started <= STARTUP
    return (await health(server))[1]


async def part_becomes(
    server: Server, part: str, state: str, wait_s: float = 15.0
) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def check() -> bool:
        nonlocal found
        found = (await health(server))[1]
        return bool(found["parts"][part]["state"] == state)

    started = time.monotonic()
    while time.monotonic() - started < wait_s:
        if await check():
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{part} never became {state}: {json.dumps(found)}")


async def teams_still_serves(rig: Rig, server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        status, _ = await teams_message(http, server, rig.connector, TEAMS_PEOPLE[0], "help")
    assert status == 200  # and its reply reached the connector (teams_message waits for it)


async def slack_still_serves(rig: Rig, server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        status, _, name = await slack_command(http, server, SLACK_PEOPLE[0], "help")
    assert status == 200
    await eventually(lambda: slack_answers(rig.slack, name), 15, "a Slack answer")


async def test_a_wrong_app_token_leaves_the_server_and_teams_up(rig: Rig) -> None:
    server = rig.serve(SLACK_APP_TOKEN="xapp-1-A0001-wrong")
    first = await answers_in_time(server)
    assert first["parts"]["teams"]["state"] == "up"
    report = await part_becomes(server, "slack", "failed")
    assert report["status"] == "degraded"
    assert "SLACK_APP_TOKEN" in report["parts"]["slack"]["error"]
    assert "invalid_auth" in report["parts"]["slack"]["error"]
    await teams_still_serves(rig, server)
    await asyncio.sleep(2)  # a retry loop would call again within this time
    assert rig.slack.count("apps.connections.open", ok_only=False) == 1
    assert server.output().count("Slack refused SLACK_APP_TOKEN") == 1


async def test_a_wrong_bot_token_leaves_the_server_and_teams_up(rig: Rig) -> None:
    server = rig.serve(SLACK_BOT_TOKEN="xoxb-wrong")
    await answers_in_time(server)
    report = await part_becomes(server, "slack", "failed")
    assert "SLACK_BOT_TOKEN" in report["parts"]["slack"]["error"]
    assert report["parts"]["database"]["state"] == "up"
    assert report["parts"]["delivery"]["state"] == "up"
    await teams_still_serves(rig, server)
    await asyncio.sleep(2)
    assert rig.slack.count("auth.test", ok_only=False) == 1
    assert server.output().count("Slack refused SLACK_BOT_TOKEN") == 1


async def test_http_mode_without_a_signing_secret_stops_at_start(rig: Rig) -> None:
    server = rig.serve(SLACK_SIGNING_SECRET="")
    assert server.process is not None
    code = server.process.wait(30)
    assert code != 0
    output = server.output()
    assert "SLACK_SIGNING_SECRET" in output and "Traceback" not in output
    assert rig.slack.calls == []  # stopped before it tried anything


async def test_socket_mode_needs_no_signing_secret(rig: Rig) -> None:
    server = rig.serve(SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    await answers_in_time(server)
    report = await part_becomes(server, "slack", "up")
    assert report["status"] in {"ok", "degraded"}  # the scheduler is off in these tests
    await asyncio.wait_for(rig.slack.socket_connected.wait(), 10)
    name, body, _ = serving.signed_command(rig.slack, SLACK_PEOPLE[0], "help")
    ack = await rig.slack.push("slash_commands", dict(parse_qsl(body)))
    assert "envelope_id" in ack
    await eventually(lambda: slack_answers(rig.slack, name), 15, "a Socket Mode answer")
    await teams_still_serves(rig, server)


async def test_a_half_set_teams_app_stops_at_start(rig: Rig) -> None:
    server = rig.serve(MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001")
    assert server.process is not None
    assert server.process.wait(30) != 0
    assert "set MICROSOFT_APP_PASSWORD" in server.output()


# ---------------------------------------------------------------- Teams credentials


async def test_a_wrong_teams_password_leaves_the_server_and_slack_up(
    rig: Rig, tmp_path: Path
) -> None:
    entra = FakeEntra(tmp_path)
    await entra.start()
    try:
        server = rig.serve(
            MICROSOFT_APP_ID="00000000-0000-0000-0000-000000000001",
            MICROSOFT_APP_PASSWORD="not-the-secret",
            CROSSTIES_TEAMS_LOGIN_URL=entra.base,
            REQUESTS_CA_BUNDLE=str(entra.ca),
        )
        await answers_in_time(server)
        report = await part_becomes(server, "teams", "failed")
        assert "MICROSOFT_APP_PASSWORD" in report["parts"]["teams"]["error"]
        assert "AADSTS7000215" in report["parts"]["teams"]["error"]
        await slack_still_serves(rig, server)
        await asyncio.sleep(2)
        assert len(entra.token_requests) == 1  # refused for good: asked once
        assert entra.token_requests[0]["client_id"] == "00000000-0000-0000-0000-000000000001"
        assert server.output().count("Teams refused MICROSOFT_APP_PASSWORD") == 1
    finally:
        await entra.stop()


async def test_a_token_revoked_while_running_stops_only_that_workspace(rig: Rig) -> None:
    server = rig.serve()
    await answers_in_time(server)
    await part_becomes(server, "slack", "up")
    async with aiohttp.ClientSession() as http:
        for n in TEAMS_PEOPLE:  # Teams people say hello: their address is kept
            status, _ = await teams_message(http, server, rig.connector, n, "help")
            assert status == 200
    rig.slack.tokens.pop(BOT_TOKEN)  # the workspace's token is revoked
    revoked_at = len(rig.slack.calls)
    # a coordinator runs the round from the command line; the server delivers it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(CROSSTIES_DATABASE_URL=rig.url, PYTHONPATH=str(serving.ROOT))
    ran = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "crossties.cli", "round", "run"],
        env=env,
        cwd=rig.workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr

    def settled() -> bool:
        found = [r for r in rows(rig.url, Outbox) if r.kind == "introduction"]
        return bool(found) and all(r.state in {"sent", "failed"} for r in found)

    await eventually(settled, 30, "every introduction sent or failed")
    introductions = [r for r in rows(rig.url, Outbox) if r.kind == "introduction"]
    by_platform = {p: [r for r in introductions if r.platform == p] for p in ("slack", "teams")}
    assert by_platform["slack"] and by_platform["teams"]
    assert {r.state for r in by_platform["teams"]} == {"sent"}  # Teams carries on
    assert {r.state for r in by_platform["slack"]} == {"failed"}
    assert {r.attempts for r in by_platform["slack"]} == {1}  # never retried
    refused = [c for c in rig.slack.calls[revoked_at:] if c.error == "invalid_auth"]
    assert 1 <= len(refused) <= len(by_platform["slack"])  # sending stopped after the refusal
    report = await part_becomes(server, "slack", "failed")
    assert "SLACK_BOT_TOKEN" in report["parts"]["slack"]["error"]
    assert report["parts"]["teams"]["state"] == "up"
    assert server.output().count("Slack refused SLACK_BOT_TOKEN") == 1
