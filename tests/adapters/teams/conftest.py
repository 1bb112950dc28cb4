"""Teams adapter fixtures: a programme bound to a Teams tenant, the fake connector, and the
real CloudAdapter served over HTTP (anonymous, or with tokens from a local identity provider).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.teams.app import ROUTE, Teams, TeamsConfiguration, build_teams
from bot.app import Services
from bot.config import Settings
from bot.core import Crossties
from bot.db.models import Person, PlatformAccount
from bot.pacing import Pacer
from bot.usecases.programmes import ProgrammeSettings, create_programme
from tests.fakes_teams import BOT_ID, TENANT, FakeConnector, FakeIdentity

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "teams"
ORGANISATIONS = ("Acute Trust", "GP Federation", "Hospice")
PROGRAMME = "North"


def activity(name: str, service_url: str, **changes: Any) -> dict[str, Any]:
    """A captured activity, re-addressed to our tenant, bot and fake connector, with an id of
    its own (Teams gives each activity one; a redelivery repeats it and is handled once)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    data["id"] = str(uuid.uuid4())
    data["serviceUrl"] = service_url
    data["recipient"] = {"id": BOT_ID, "name": "Crossties"}
    data["conversation"]["tenantId"] = TENANT
    channel_data = data.setdefault("channelData", {})
    channel_data["tenant"] = {"id": TENANT}
    for entity in data.get("entities") or []:
        if entity.get("type") == "mention" and entity["mentioned"]["id"].endswith("11"):
            entity["mentioned"]["id"] = BOT_ID
    data.update(changes)
    return data


def person_message(
    service_url: str, text: str, n: int = 0, name: str = "Alex Wilber"
) -> dict[str, Any]:
    return activity(
        "message_personal",
        service_url,
        text=text,
        **{"from": {"id": f"29:user-{n}", "name": name, "aadObjectId": f"aad-{n}"}},
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": f"a:29:user-{n}"},
    )


class FakeTime:
    """A monotonic clock that sleeping moves forward; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Harness:
    core: Crossties
    connector: FakeConnector
    teams: Teams
    client: TestClient
    time: FakeTime = field(default_factory=FakeTime)

    @property
    def url(self) -> str:
        return self.connector.url

    async def post(self, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(ROUTE, json=body, headers=headers)
        text = await response.text()
        await self.teams.settle()  # the turn may run after the answer
        try:
            return response.status, json.loads(text) if text else None
        except ValueError:
            return response.status, text

    async def say(self, text: str, n: int = 0, name: str = "Alex Wilber") -> list[str]:
        before = len(self.connector.sent())
        status, _ = await self.post(person_message(self.url, text, n, name))
        assert status == 200
        return [str(r.body.get("text") or "") for r in self.connector.sent()[before:]]

    def account(self, n: int) -> PlatformAccount | None:
        from sqlmodel import select

        with self.core.db.session() as session:
            return session.exec(
                select(PlatformAccount).where(PlatformAccount.user_id == f"aad-{n}")
            ).first()

    def person(self, n: int) -> Person | None:
        account = self.account(n)
        if account is None:
            return None
        with self.core.db.session() as session:
            return session.get(Person, account.person_id)


def services_for(core: Crossties) -> Services:
    return Services(Settings(), core.db, core.prompts, core.clock, core)


@pytest.fixture
def programme(core: Crossties) -> str:
    with core.db.session() as session:
        create_programme(
            session,
            core.clock.now(),
            ProgrammeSettings(
                name=PROGRAMME, organisations=ORGANISATIONS, workspaces=(("teams", TENANT),)
            ),
        )
    return PROGRAMME


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


async def _serve(teams: Teams) -> TestClient:
    app = web.Application()
    app.router.add_post(ROUTE, teams.handle)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


def _quiet(teams: Teams, time: FakeTime) -> None:
    teams.sender.sleep = time.sleep
    teams.sender.pacer = Pacer(clock=time.clock, sleep=time.sleep)


@pytest.fixture
async def harness(
    core: Crossties, programme: str, connector: FakeConnector
) -> AsyncIterator[Harness]:
    """The Teams adapter without an app id (local development mode)."""
    teams = build_teams(services_for(core), TeamsConfiguration())
    client = await _serve(teams)
    harness = Harness(core, connector, teams, client)
    _quiet(teams, harness.time)
    yield harness
    await client.close()


@pytest.fixture
def identity() -> Iterator[FakeIdentity]:
    provider = FakeIdentity()
    yield provider
    provider.close()


APP_ID = "11111111-2222-3333-4444-555555555555"


class FixedCredentials:
    """Outgoing credentials for the authenticated tests (no identity platform offline)."""

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        from msrest.authentication import BasicTokenAuthentication

        return BasicTokenAuthentication({"access_token": "outgoing-token"})


@pytest.fixture
async def secured(
    core: Crossties, programme: str, connector: FakeConnector, identity: FakeIdentity
) -> AsyncIterator[Harness]:
    """The Teams adapter with an app id: tokens are checked against the local provider."""
    configuration = TeamsConfiguration(
        APP_ID=APP_ID,
        APP_PASSWORD="secret",
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=identity.metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER="https://api.botframework.test",
        TO_CHANNEL_FROM_BOT_LOGIN_URL="https://login.example.test/botframework.com",
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE="https://api.botframework.com",
    )
    teams = build_teams(services_for(core), configuration, credentials_factory=FixedCredentials())
    client = await _serve(teams)
    harness = Harness(core, connector, teams, client)
    _quiet(teams, harness.time)
    yield harness
    await client.close()
