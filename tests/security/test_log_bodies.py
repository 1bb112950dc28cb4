"""No log line carries a message body or a name, at any level and from any library: normal,
refused (bad signature, stale, no token, forged token) and oversized requests reach the real
server (make_app, Slack and Teams mounted) with logging at DEBUG; refused ones log one short
line; an oversized body is refused with 413 before it is read in full."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.teams.app import TEAMS
from bot.clock import ManualClock
from bot.db.session import Database
from bot.logsafe import LIBRARY_LINE_MAX, WITHHELD, withhold_details
from bot.templates import Prompts
from crossties.server import MAX_BODY
from tests.adapters.slack.conftest import Harness, build_slack_world, serving
from tests.adapters.teams.conftest import person_message
from tests.fakes_slack import FakeSlack
from tests.fakes_teams import FakeConnector

NAME = "Ottoline Featherstonehaugh"
WORDS = "pinkerton-discharge-plan-words"  # typed by her, in every body sent
NEEDLES = (NAME, "Ottoline", "Featherstonehaugh", WORDS)
APP_ID = "11111111-2222-3333-4444-555555555555"
SHORT = 200  # characters: a refusal's line, with the logger's name


def lines(records: list[logging.LogRecord]) -> list[str]:
    out = []
    for record in records:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += repr(record.exc_info[1])
        out.append(f"{record.name}: {text}")
    return out


def naming(records: list[logging.LogRecord]) -> list[str]:
    return [line[:300] for line in lines(records) if any(n in line for n in NEEDLES)]


@pytest.fixture
async def teams_connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


async def slack_requests(h: Harness) -> dict[str, int]:
    """Normal, refused and oversized Slack requests; the status of each."""
    h.slack.add_user("U0OTTO01", NAME, email="ottoline@example.org")
    statuses = {
        "normal": (await h.command(f"profile role {WORDS}", user="U0OTTO01")).status,
        "typed": (await h.command(f"log <@U03> {WORDS} #falls", user="U0OTTO01")).status,
        "bad signature": (await h.command(f"join {WORDS}", user="U0OTTO01", secret="no")).status,
        "stale": (
            await h.command(f"join {WORDS}", user="U0OTTO01", timestamp=int(time.time()) - 600)
        ).status,
    }
    big = json.dumps({"type": "event_callback", "event": {"text": WORDS * 30_000}})
    response = await h.http.post(
        "/slack/events", data=big.encode(), headers=h.headers(big, content_type="application/json")
    )
    statuses["oversized"] = response.status

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read only up to the limit
        for _ in range(40):
            yield (WORDS * 1000).encode()

    response = await h.http.post(
        "/slack/events", data=chunks(), headers={"Content-Type": "application/json"}
    )
    statuses["oversized, chunked"] = response.status
    return statuses


@pytest.mark.db
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # logging is the same on both
async def test_slack_and_local_teams_requests_log_no_body_or_name(
    db: Database,
    clock: ManualClock,
    prompts: Prompts,
    teams_connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeSlack() as fake, serving(db, clock, prompts, fake) as h:
        build_slack_world(h.services, fake, clock)
        statuses = await slack_requests(h)
        message = person_message(teams_connector.url, f"profile role {WORDS}", 7, NAME)
        response = await h.http.post("/api/messages", json=message)
        teams_status = response.status
        await h.http.app[TEAMS].settle()
        big = person_message(teams_connector.url, WORDS * 30_000, 7, NAME)
        teams_oversized = (await h.http.post("/api/messages", json=big)).status
    assert statuses == {
        "normal": 200,
        "typed": 200,
        "bad signature": 401,
        "stale": 401,
        "oversized": 413,
        "oversized, chunked": 413,
    }
    assert (teams_status, teams_oversized) == (200, 413)
    assert any("role is updated" in t for t in teams_connector.texts())  # the turn ran
    assert len(caplog.records) > 20  # DEBUG really was on, libraries included
    assert naming(caplog.records) == []
    refusals = [line for line in lines(caplog.records) if "refused" in line.lower()]
    assert refusals and all(len(line) <= SHORT for line in refusals), refusals
    invalid = [r for r in caplog.records if "signature" in r.getMessage().lower()]
    assert len(invalid) == 2  # one line per refused request, bad signature and stale alike
    oversized = [line for line in refusals if f"{MAX_BODY // 1024} KiB" in line]
    assert len(oversized) == 3


@pytest.mark.db
@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
async def test_refused_teams_requests_log_one_short_line(
    db: Database,
    clock: ManualClock,
    prompts: Prompts,
    teams_connector: FakeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeSlack() as fake, serving(db, clock, prompts, fake, microsoft_app_id=APP_ID) as h:
        for header in ({}, {"Authorization": "Bearer x.y.z"}):
            message = person_message(teams_connector.url, WORDS, 7, NAME)
            caplog.clear()
            response = await h.http.post("/api/messages", json=message, headers=header)
            assert response.status == 401
            assert naming(caplog.records) == []
            refused = [line for line in lines(caplog.records) if "rejected" in line]
            assert len(refused) == 1 and len(refused[0]) <= SHORT, refused
    assert teams_connector.sent() == []


@pytest.mark.parametrize(
    ("logger", "message", "args"),
    [
        ("slack_bolt.AsyncApp", "Invalid request signature detected (body: %s)", (WORDS,)),
        ("slack_sdk.web.async_base_client", "Sending a request - params: %s", ({"t": WORDS},)),
        ("msrest.http_logger", '{"text": "%s"}', (WORDS,)),
        ("botbuilder.core", "%s", (WORDS * 100,)),
    ],
)
def test_library_records_keep_their_first_words_only(
    logger: str, message: str, args: tuple[Any, ...]
) -> None:
    record = logging.LogRecord(logger, logging.DEBUG, __file__, 1, message, args, None)
    withhold_details(record)
    kept = record.getMessage()
    assert WORDS not in kept and kept.endswith(WITHHELD) and len(kept) <= LIBRARY_LINE_MAX + 20
