"""The Slack adapter under test: our real aiohttp server (crossties.server.make_app) with the Bolt
AsyncApp mounted, talking to the fake Web API in tests/fakes_slack.py. Requests are signed
with slack_sdk's SignatureVerifier and built from Slack's payload formats in
tests/fixtures/slack/."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier
from sqlmodel import select

from adapters.slack.app import SLACK, SlackRuntime
from bot.app import Services
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Crossties
from bot.db.models import Person, ProgrammeRoleKind
from bot.db.session import Database
from bot.delivery import DeliveryStats, deliver_due
from bot.events import UserRef
from bot.templates import Prompts
from bot.usecases.programmes import (
    ProgrammeSettings,
    create_programme,
    grant,
    import_roster,
)
from crossties.server import make_app
from tests import fakes
from tests.fakes_slack import BOT_TOKEN, TEAM_ID, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"
PROGRAMME = "North Partnership"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def slash_fields() -> dict[str, str]:
    return dict(parse_qsl((FIXTURES / "slash_command.txt").read_text()))


class Timeline:
    """Virtual seconds for the adapter's waits (pacing, Retry-After): sleeping moves it on.

    Each sleep adds to one shared time line, so it is exact for waits that happen one after
    another (deliver with concurrency=1); overlapping waits would add up."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Harness:
    http: TestClient
    slack: FakeSlack
    runtime: SlackRuntime
    services: Services
    clock: ManualClock
    timeline: Timeline
    secret: str = SECRET

    @property
    def db(self) -> Database:
        return self.services.db

    def headers(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(secret or self.secret)
        return {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            "Content-Type": content_type,
        }

    async def post(
        self,
        body: str,
        *,
        content_type: str,
        settle: bool = True,
        extra: dict[str, str] | None = None,
        **sign: Any,
    ) -> ClientResponse:
        headers = self.headers(body, content_type=content_type, **sign)
        headers.update(extra or {})
        response = await self.http.post("/slack/events", data=body.encode(), headers=headers)
        await response.read()
        if settle:
            await self.runtime.settle()
        return response

    async def command(
        self,
        text: str,
        *,
        user: str = "U01",
        channel: str = "C2147483705",
        respond_as: str = "cmd",
        team: str = TEAM_ID,
        **kw: Any,
    ) -> ClientResponse:
        fields = slash_fields()
        fields.update(
            text=text,
            user_id=user,
            user_name=user.lower(),
            team_id=team,
            channel_id=channel,
            response_url=self.slack.response_url(respond_as),
            trigger_id=next_trigger(),
        )
        return await self.post(
            urlencode(fields), content_type="application/x-www-form-urlencoded", **kw
        )

    async def interact(self, payload: dict[str, Any], **kw: Any) -> ClientResponse:
        payload = dict(payload)  # Slack stamps every click and submission anew
        if payload.get("actions"):
            payload["actions"] = [dict(a, action_ts=next_trigger()) for a in payload["actions"]]
        else:
            payload["trigger_id"] = next_trigger()
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, content_type="application/x-www-form-urlencoded", **kw)

    async def event(self, payload: dict[str, Any], **kw: Any) -> ClientResponse:
        return await self.post(json.dumps(payload), content_type="application/json", **kw)

    async def deliver(self, concurrency: int = 1) -> DeliveryStats:
        """One delivery pass (one row at a time unless told, so scripted faults are exact)."""
        return await deliver_due(
            self.db, {"slack": self.runtime.sender}, self.clock, concurrency=concurrency
        )

    def replies(self, name: str = "cmd") -> list[dict[str, Any]]:
        found = [r for r in self.slack.responses if r["_response_url"] == name]
        self.slack.responses = [r for r in self.slack.responses if r["_response_url"] != name]
        return found

    def person(self, external_id: str) -> Person:
        with self.db.session() as session:
            return session.exec(select(Person).where(Person.external_id == external_id)).one()


_TRIGGERS = itertools.count(1)


def next_trigger() -> str:
    """Slack gives every command and click its own trigger id, so no two signed requests are
    alike (an identical one is a replay, and is dropped)."""
    return f"{next(_TRIGGERS)}.1395872398.{uuid.uuid4().hex[:20]}"


def slack_user(n: int) -> str:
    return f"U{n:02d}"


def build_slack_world(
    services: Services,
    slack: FakeSlack,
    clock: ManualClock,
    sizes: tuple[int, ...] = (4, 3, 2, 2, 1),
) -> None:
    """The partnership from tests.fakes, with every person on Slack in team T0001.

    U01 coordinates, U02 leads; each person is a user of the fake workspace."""
    rows = fakes.roster(sizes)
    for n, row in enumerate(rows, start=1):
        row.accounts = [UserRef("slack", TEAM_ID, slack_user(n))]
        slack.add_user(slack_user(n), row.name, email=row.email)
    now = clock.now()
    with services.db.session() as session:
        programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name=PROGRAMME,
                organisations=fakes.ORGANISATIONS,
                workspaces=(("slack", TEAM_ID),),
            ),
        )
        import_roster(session, now, programme, rows)
        people = {p.external_id: p for p in session.exec(select(Person)).all()}
        grant(session, now, programme, people["u01"], ProgrammeRoleKind.COORDINATOR)
        grant(session, now, programme, people["u02"], ProgrammeRoleKind.LEAD)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@asynccontextmanager
async def serving(
    db: Database,
    clock: ManualClock,
    prompts: Prompts,
    slack: FakeSlack,
    *,
    background: bool = False,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """Our real server (make_app) with the Slack app mounted, on a loopback port."""
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": slack.api_url,
        "slack_app_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "microsoft_app_id": None,
    }
    values.update(settings)
    core = Crossties(db, clock, prompts, report_min_count=1)
    services = Services(Settings(**values), db, prompts, clock, core)
    app = make_app(services, background=background)
    runtime = app[SLACK]
    timeline = Timeline()
    runtime.waits.sleep = timeline.sleep
    runtime.waits.clock = timeline
    http = TestClient(TestServer(app))
    await http.start_server()
    try:
        yield Harness(http, slack, runtime, services, clock, timeline)
    finally:
        await http.close()


@pytest.fixture
async def harness(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> AsyncIterator[Harness]:
    async with serving(db, clock, prompts, slack) as running:
        yield running


@pytest.fixture
async def world(harness: Harness) -> Harness:
    build_slack_world(harness.services, harness.slack, harness.clock)
    return harness
