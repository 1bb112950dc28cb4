"""`crossties doctor` as an operator runs it: a process started from another folder, against
the project's fakes (Slack's Web API, an Entra ID token endpoint, a server behind the public
URL) and a scratch database; a good set-up and a broken one."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from adapters.slack.manifest import BOT_SCOPES
from bot.clock import SystemClock
from bot.db.session import Database
from bot.usecases.programmes import ProgrammeSettings, create_programme
from tests.fakes_entra import FakeEntra
from tests.fakes_slack import FakeSlack
from tests.fakes_teams import free_port

APP_ID = "00000000-0000-0000-0000-00000000d0c7"
SECRET = "the-right-client-secret"


def migrated(folder: Path, timezone: str = "Europe/London") -> str:
    url = f"sqlite:///{folder / 'crossties.db'}"
    db = Database(url)
    with db.session() as session:
        create_programme(
            session,
            SystemClock().now(),
            ProgrammeSettings(name="East", organisations=("Acute Trust", "Hospice")),
        )
    db.dispose()
    if timezone != "Europe/London":  # as a hand edit or an old release might have left it
        with sqlite3.connect(folder / "crossties.db") as connection:
            connection.execute("UPDATE programme SET timezone = ?", (timezone,))
    return url


@pytest.fixture
async def public() -> AsyncIterator[str]:
    """What answers at the public URL: a server whose /healthz says ok."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "parts": {}})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def entra(tmp_path: Path) -> AsyncIterator[FakeEntra]:
    fake = FakeEntra(tmp_path, secret=SECRET)
    await fake.start()
    yield fake
    await fake.stop()


async def doctor(elsewhere: Path, **env: str) -> tuple[int, list[str], str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))
    }
    environment.pop("CROSSTIES_PUBLIC_URL", None)
    environment["XDG_DATA_HOME"] = str(elsewhere / "data")
    environment |= env
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crossties.cli",
        "doctor",
        cwd=elsewhere,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode is not None
    return process.returncode, out.decode().splitlines(), err.decode()


def verdicts(lines: list[str]) -> dict[str, str]:
    return {line.split()[1]: line.split()[0] for line in lines}


def line_of(lines: list[str], name: str) -> str:
    return next(line for line in lines if line.split()[1] == name)


async def test_a_good_set_up_passes_every_check(
    tmp_path: Path, entra: FakeEntra, public: str
) -> None:
    url = await asyncio.to_thread(migrated, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    async with FakeSlack(scopes=BOT_SCOPES) as slack:
        code, lines, err = await doctor(
            elsewhere,
            CROSSTIES_DATABASE_URL=url,
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET="signing",
            SLACK_API_URL=slack.api_url,
            MICROSOFT_APP_ID=APP_ID,
            MICROSOFT_APP_PASSWORD=SECRET,
            CROSSTIES_TEAMS_LOGIN_URL=entra.base,
            REQUESTS_CA_BUNDLE=str(entra.ca),
            CROSSTIES_PUBLIC_URL=public,
        )
        assert slack.count("auth.test") == 1
    assert (code, err) == (0, ""), lines
    assert verdicts(lines) == {
        "database": "ok",
        "migration": "ok",
        "timezones": "ok",
        "slack": "ok",
        "teams": "ok",
        "public": "ok",
    }
    assert entra.token_requests[0]["client_id"] == APP_ID
    assert "Europe/London" in line_of(lines, "timezones")
    assert f"{public}/healthz answered 200" in line_of(lines, "public")
    assert not (elsewhere / "crossties.db").exists()


async def test_a_broken_set_up_says_what_to_do_for_each_failure(
    tmp_path: Path, entra: FakeEntra
) -> None:
    url = await asyncio.to_thread(migrated, tmp_path, "Mars/Olympus_Mons")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    granted = tuple(s for s in BOT_SCOPES if s != "files:write")
    async with FakeSlack(scopes=granted) as slack:
        code, lines, _ = await doctor(
            elsewhere,
            CROSSTIES_DATABASE_URL=url,
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET="signing",
            SLACK_API_URL=slack.api_url,
            MICROSOFT_APP_ID=APP_ID,
            MICROSOFT_APP_PASSWORD="an-expired-secret",
            CROSSTIES_TEAMS_LOGIN_URL=entra.base,
            REQUESTS_CA_BUNDLE=str(entra.ca),
            CROSSTIES_PUBLIC_URL=f"http://127.0.0.1:{free_port()}",
        )
    assert code == 1
    assert verdicts(lines) == {
        "database": "ok",
        "migration": "ok",
        "timezones": "FAIL",
        "slack": "FAIL",
        "teams": "FAIL",
        "public": "FAIL",
    }
    assert "East (Mars/Olympus_Mons)" in line_of(lines, "timezones")
    assert "lacks files:write" in line_of(lines, "slack")
    assert "crossties slack-manifest" in line_of(lines, "slack")
    assert "MICROSOFT_APP_PASSWORD" in line_of(lines, "teams")
    assert "crossties serve" in line_of(lines, "public")


async def test_a_database_that_is_missing_or_behind_is_named_with_the_fix(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty.db").touch()
    code, lines, _ = await doctor(
        tmp_path, CROSSTIES_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}"
    )
    assert code == 1
    assert verdicts(lines) == {
        "database": "ok",
        "migration": "FAIL",
        "slack": "skip",
        "teams": "skip",
        "public": "skip",
    }
    assert "run `crossties db upgrade`" in line_of(lines, "migration")
    code, lines, _ = await doctor(tmp_path)  # the default: nothing in the data folder yet
    assert code == 1
    database = line_of(lines, "database")
    assert f"no database at sqlite:///{tmp_path / 'data' / 'crossties' / 'crossties.db'}" in (
        database
    )
    assert not (tmp_path / "data" / "crossties" / "crossties.db").exists()  # nothing created
