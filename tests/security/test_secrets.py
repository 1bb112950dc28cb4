"""Tokens and secrets never appear in logs (at DEBUG, every library), HTTP answers or stored
rows: the real server runs with distinctive fake credentials through good and failing flows —
refused signatures and tokens, Slack API errors and 500s, a failed delivery, the OAuth install."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp import ClientResponse

from bot.clock import ManualClock
from bot.db.session import Database
from bot.templates import Prompts
from tests.adapters.slack.conftest import Harness, build_slack_world, serving
from tests.adapters.slack.test_oauth import install
from tests.fakes_slack import FakeSlack
from tests.security.conftest import every_stored_value

# The HTTP layer does not depend on the database backend: one is enough here.
pytestmark = [pytest.mark.db, pytest.mark.parametrize("db", ["sqlite"], indirect=True)]

BOT_TOKEN = "xoxb-0000-SEKRIT-bot-7f3a9c"
SIGNING = "SEKRIT-signing-51d2e8aa"
APP_PASSWORD = "SEKRIT-msapp-password-9b7c"
CLIENT_SECRET = "SEKRIT-client-secret-3e1f"
SECRETS = [BOT_TOKEN, SIGNING, APP_PASSWORD, CLIENT_SECRET, "SEKRIT"]


class Answers:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def keep(self, response: ClientResponse) -> ClientResponse:
        self.texts.append(f"{response.status} {dict(response.headers)} {await response.text()}")
        return response


def found_in(texts: list[str]) -> list[str]:
    return [t[:200] for t in texts if any(s in t for s in SECRETS)]


def log_texts(records: list[logging.LogRecord]) -> list[str]:
    out = []
    for record in records:
        if record.name == "aiohttp.access":  # the fakes' own access lines (the platform's side)
            continue
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += repr(record.exc_info[1])
        out.append(f"{record.name}: {text}")
    return out


def scan(h: Harness, caplog: pytest.LogCaptureFixture, answers: Answers) -> None:
    assert found_in(log_texts(caplog.records)) == []
    assert found_in(answers.texts) == []
    stored = [row for rows in every_stored_value(h.db).values() for row in rows]
    assert found_in(stored) == []


async def test_single_workspace_and_teams_secrets_stay_secret(
    db: Database, clock: ManualClock, prompts: Prompts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = Answers()
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as fake,
        serving(
            db,
            clock,
            prompts,
            fake,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING,
            microsoft_app_id="11111111-2222-3333-4444-555555555555",
            microsoft_app_password=APP_PASSWORD,
        ) as h,
    ):
        h.secret = SIGNING
        build_slack_world(h.services, fake, clock)
        await answers.keep(await h.command("help", user="U03"))
        await answers.keep(await h.command("round run", user="U09", secret="guessing"))
        await answers.keep(await h.command("report", user="U02"))
        # Slack refuses and fails: an error, a 500, an invalid token for a reply
        fake.script("chat.postMessage", error="invalid_auth", times=3)
        fake.script("conversations.open", status=500, times=2)
        fake.script("views.publish", error="not_authed")
        await answers.keep(await h.command("round run", user="U01"))
        await h.deliver()
        await h.deliver()
        await answers.keep(await h.command("profile", user="U04", respond_as="gone"))
        # Teams: no token, a garbage token, a token that is the password itself
        for header in ({}, {"Authorization": "Bearer x.y.z"}, {"Authorization": APP_PASSWORD}):
            activity: dict[str, Any] = {
                "type": "message",
                "text": "help",
                "serviceUrl": "https://smba.example/",
                "channelId": "msteams",
                "from": {"id": "29:x"},
                "conversation": {"id": "a:1"},
                "recipient": {"id": "28:bot"},
            }
            await answers.keep(await h.http.post("/api/messages", json=activity, headers=header))
        await answers.keep(await h.http.get("/metrics"))
        await answers.keep(await h.http.get("/healthz"))
        assert any(" 401 " in f" {t[:4]} " for t in answers.texts)
        assert fake.calls_to("chat.postMessage")  # the failing calls really happened
        scan(h, caplog, answers)


async def test_oauth_client_secret_stays_secret(
    db: Database, clock: ManualClock, prompts: Prompts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = Answers()
    async with (
        FakeSlack() as fake,
        serving(
            db,
            clock,
            prompts,
            fake,
            slack_bot_token=None,
            slack_signing_secret=SIGNING,
            slack_client_id="111.222",
            slack_client_secret=CLIENT_SECRET,
        ) as h,
    ):
        h.secret = SIGNING
        await install(h, "T0001")
        forged = await h.http.get(
            "/slack/oauth_redirect", params={"code": "c", "state": "forged"}, allow_redirects=False
        )
        await answers.keep(forged)
        await answers.keep(await h.http.get("/slack/install"))
        await answers.keep(await h.command("help", user="U03"))
        await answers.keep(await h.command("help", user="U03", team="T9999"))  # not installed
        scan(h, caplog, answers)
