"""With an app id, only activities with a valid Bot Framework token get through: real RS256
tokens from a local OpenID provider; everything else is 401 (or 400) and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.db.models import Person
from tests.adapters.teams.conftest import APP_ID, Harness, person_message
from tests.fakes_teams import FakeIdentity

pytestmark = pytest.mark.db


def _people(harness: Harness) -> int:
    with harness.core.db.session() as session:
        return len(session.exec(select(Person)).all())


async def test_a_valid_token_is_served_and_the_reply_is_authenticated(
    secured: Harness, identity: FakeIdentity
) -> None:
    token = identity.token(audience=APP_ID, service_url=secured.url)
    status, _ = await secured.post(person_message(secured.url, "help"), token=token)
    assert status == 200
    (reply,) = secured.connector.sent()
    assert "join" in reply.body["text"]
    assert reply.authorization == "Bearer outgoing-token"
    assert _people(secured) == 1


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda i, url: None, id="missing"),
        pytest.param(lambda i, url: "not-a-jwt", id="garbage"),
        pytest.param(lambda i, url: i.forged(audience=APP_ID, service_url=url), id="forged"),
        pytest.param(lambda i, url: i.token(audience="someone-else", service_url=url), id="aud"),
        pytest.param(
            lambda i, url: i.token(audience=APP_ID, service_url="https://elsewhere/"), id="url"
        ),
        pytest.param(
            lambda i, url: i.token(audience=APP_ID, service_url=url, lifetime=-3600), id="expired"
        ),
        pytest.param(
            lambda i, url: i.token(audience=APP_ID, service_url=url, issuer="https://evil"),
            id="issuer",
        ),
    ],
)
async def test_bad_tokens_get_401_and_change_nothing(
    secured: Harness, identity: FakeIdentity, make: object
) -> None:
    token = make(identity, secured.url)  # type: ignore[operator]
    status, body = await secured.post(person_message(secured.url, "join Hospice"), token=token)
    assert status == 401 and "token" in body["error"]
    assert secured.connector.requests == []
    assert _people(secured) == 0


async def test_an_unreachable_key_set_is_401(secured: Harness, identity: FakeIdentity) -> None:
    token = identity.token(audience=APP_ID, service_url=secured.url)
    identity.close()  # the provider disappears before the keys were ever fetched
    status, _ = await secured.post(person_message(secured.url, "help"), token=token)
    assert status == 401
    assert _people(secured) == 0


async def test_a_hanging_key_set_is_401_and_the_server_keeps_serving(
    secured: Harness, identity: FakeIdentity
) -> None:
    import asyncio

    identity.stall = 2.0
    secured.teams.auth_timeout = 0.3
    token = identity.token(audience=APP_ID, service_url=secured.url)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    status, _ = await secured.post(person_message(secured.url, "help"), token=token)
    ticker.cancel()
    assert status == 401 and _people(secured) == 0
    assert ticks >= 10  # the event loop was never blocked while the keys were awaited


async def test_malformed_requests_get_400(secured: Harness, identity: FakeIdentity) -> None:
    token = identity.token(audience=APP_ID, service_url=secured.url)
    headers = {"Authorization": f"Bearer {token}"}
    client = secured.client
    response = await client.post(
        "/api/messages", data=b"{not json", headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status == 400
    response = await client.post("/api/messages", data=b'{"type": "message"}', headers=headers)
    assert response.status == 400  # no Content-Type
    response = await client.post("/api/messages", json={"text": "help"}, headers=headers)
    assert response.status == 400  # not an activity
    response = await client.post("/api/messages", json=[1, 2], headers=headers)
    assert response.status == 400
    assert secured.connector.requests == [] and _people(secured) == 0


async def test_anonymous_mode_serves_without_a_token(harness: Harness) -> None:
    """Without an app id, unauthenticated activities are served (local development)."""
    status, _ = await harness.post(person_message(harness.url, "help"))
    assert status == 200
    assert harness.connector.sent()[0].authorization is None


async def test_proactive_messages_carry_the_bots_credentials(
    secured: Harness, identity: FakeIdentity
) -> None:
    from bot.delivery import prepared
    from bot.events import Message
    from tests.fakes_teams import TENANT

    token = identity.token(audience=APP_ID, service_url=secured.url)
    await secured.post(person_message(secured.url, "help"), token=token)
    secured.connector.requests.clear()
    attempt = prepared(
        secured.core.db, "teams", TENANT, ("aad-0",), Message.text("Round 2 is out"), key="k"
    )
    await secured.teams.sender.deliver(attempt)
    (sent,) = secured.connector.sent()
    assert sent.body["text"] == "Round 2 is out"
    assert sent.authorization == "Bearer outgoing-token"


async def test_the_server_mounts_teams_and_warns_when_unauthenticated(
    core: object, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from aiohttp import web

    from adapters.teams.app import ROUTE, mount_teams
    from bot.config import Settings
    from bot.delivery import ResumableSender
    from tests.adapters.teams.conftest import services_for

    services = services_for(core)  # type: ignore[arg-type]
    services.settings = Settings(MICROSOFT_APP_ID=None)
    app = web.Application()
    with caplog.at_level(logging.WARNING, logger="adapters.teams.app"):
        sender = mount_teams(app, services)
    assert any("NOT authenticated" in r.getMessage() for r in caplog.records)
    assert [r.resource.canonical for r in app.router.routes()] == [ROUTE]
    assert isinstance(sender, ResumableSender)  # it takes whole delivery attempts

    caplog.clear()
    services.settings = Settings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="x")
    with caplog.at_level(logging.WARNING, logger="adapters.teams.app"):
        mount_teams(web.Application(), services)
    assert not caplog.records
