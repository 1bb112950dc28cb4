"""A real `crossties serve` in a subprocess, a partnership for it, and what people send it:
signed Slack slash commands and Teams personal messages. Used by the fault tests and by
benchmarks/load.py.

The server speaks Slack over HTTP to the fake Web API of tests/fakes_slack.py and Teams
anonymously on 127.0.0.1; activities name the fake connector of tests/fakes_teams.py as their
`serviceUrl`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlmodel import select

from bot.clock import SystemClock
from bot.db.models import Person, ProgrammeRoleKind
from bot.db.session import Database
from bot.events import UserRef
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterRow,
    create_programme,
    grant,
    import_roster,
)
from tests.fakes_slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.fakes_teams import BOT_ID, TENANT, free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "serving-signing-secret"
ORGANISATIONS = ("Acute Trust", "GP Federation", "Adult Social Care", "Hospice")
SERVE = [sys.executable, "-c", "from crossties.cli.main import main; main()", "serve"]


# ---------------------------------------------------------------- the partnership


def slack_user(n: int) -> str:
    return f"US{n:04d}"


def teams_user(n: int) -> str:
    return f"aad-serving-{n}"


def conversation(n: int) -> str:
    """Person n's personal Teams chat with the bot."""
    return f"a:serving-{n}"


def external_id(n: int) -> str:
    return f"p{n:04d}"


def seed(
    url: str,
    slack: FakeSlack,
    *,
    slack_people: Iterable[int],
    teams_people: Iterable[int],
    coordinator: int | None = None,
) -> None:
    """One programme on the Slack team and the Teams tenant. Person n is on Slack, Teams or
    both as listed (each Slack person is also a user of the fake workspace)."""
    on_slack, on_teams = set(slack_people), set(teams_people)
    rows = []
    for line, n in enumerate(sorted(on_slack | on_teams), start=2):
        accounts = [UserRef("slack", TEAM_ID, slack_user(n))] if n in on_slack else []
        accounts += [UserRef("teams", TENANT, teams_user(n))] if n in on_teams else []
        rows.append(
            RosterRow(
                line=line,
                external_id=external_id(n),
                name=f"Person {n:03d}",
                organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
                role="Nurse",
                accounts=accounts,
            )
        )
        if n in on_slack:
            slack.add_user(slack_user(n), f"Person {n:03d}", email=f"{external_id(n)}@example.org")
    db = Database(url)
    now = SystemClock().now()
    with db.session() as session:
        programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name="Serving Partnership",
                organisations=ORGANISATIONS,
                workspaces=(("slack", TEAM_ID), ("teams", TENANT)),
            ),
        )
        import_roster(session, now, programme, rows)
        if coordinator is not None:
            person = session.exec(
                select(Person).where(Person.external_id == external_id(coordinator))
            ).one()
            grant(session, now, programme, person, ProgrammeRoleKind.COORDINATOR)
    db.dispose()


# ---------------------------------------------------------------- what people send

_serial = itertools.count(1)


def signed_command(slack: FakeSlack, n: int, words: str) -> tuple[str, str, dict[str, str]]:
    """(response_url name, body, headers) of a `/crossties` command signed as Slack would."""
    serial = next(_serial)
    name = f"r{serial}"
    body = urlencode(
        {
            "token": "unused",
            "team_id": TEAM_ID,
            "team_domain": "example",
            "channel_id": f"D{n:08d}",
            "channel_name": "directmessage",
            "user_id": slack_user(n),
            "user_name": f"person{n}",
            "command": "/crossties",
            "text": words,
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": slack.response_url(name),
            "trigger_id": f"{serial}.1395872398.{uuid.uuid4().hex[:20]}",
        }
    )
    stamp = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return name, body, headers


def personal_message(service_url: str, n: int, words: str) -> dict[str, Any]:
    """A Teams message from person n in their personal chat with the bot."""
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "text": words,
        "textFormat": "plain",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:serving-{n}", "name": f"Person {n:03d}", "aadObjectId": teams_user(n)},
        "recipient": {"id": BOT_ID, "name": "Crossties"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": conversation(n)},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }


# ---------------------------------------------------------------- the server


class Server:
    """`crossties serve` (or another `command`, which finds its port in CROSSTIES_PORT) in a
    subprocess, with Slack's token, signing secret and API URL pointing at the fake."""

    def __init__(
        self,
        url: str,
        slack: FakeSlack,
        workdir: Path,
        *,
        command: list[str] | None = None,
        name: str = "serve",
        **extra: str,
    ) -> None:
        self.url = url
        self.slack = slack
        self.workdir = workdir
        self.command = command or SERVE
        self.name = name
        self.extra = extra
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
        env.update(
            CROSSTIES_DATABASE_URL=self.url,
            CROSSTIES_HOST="127.0.0.1",
            CROSSTIES_PORT=str(self.port),
            CROSSTIES_SCHEDULER="false",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.slack.api_url,
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra)
        self.process = subprocess.Popen(
            self.command,
            env=env,
            cwd=self.workdir,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return "\n".join(
            (self.workdir / f"{self.name}-{n}.log").read_text(errors="replace")
            for n in range(1, self.starts + 1)
        )

    async def health(self) -> int:
        timeout = aiohttp.ClientTimeout(5)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.get(self.base + "/healthz") as response,
            ):
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def until_health(self, status: int, wait_s: float = 60.0) -> float:
        """Seconds until /healthz answers `status`."""
        started = time.monotonic()
        while time.monotonic() - started < wait_s:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()[-3000:]}")
            if await self.health() == status:
                return time.monotonic() - started
            await asyncio.sleep(0.1)
        raise AssertionError(f"/healthz never answered {status}:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
