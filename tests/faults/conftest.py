"""Fault-test rig: a private PostgreSQL cluster we may stop and start, a real
`crossties serve` subprocess against it, the fake Slack and Teams servers, and helpers to
send signed Slack commands and Teams messages.

The private cluster (initdb into a temporary folder, its own port and socket folder) leaves
the machine's shared PostgreSQL alone. Without the server binaries the tests are skipped,
unless CI is set, where that is a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, text
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
from tests.fakes_teams import BOT_ID, TENANT, FakeConnector, free_port

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
SECRET = "faults-signing-secret"
ORGANISATIONS = ("Acute Trust", "GP Federation", "Adult Social Care", "Hospice")
POLITE = "try again shortly"  # prompts/error_internal.j2


def _postgres_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class PrivatePostgres:
    """A PostgreSQL cluster of our own, on a free port, that a test may stop and start."""

    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir = bindir
        self.data = base / "data"
        self.socket = base / "socket"
        self.log = base / "postgres.log"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        base.mkdir(parents=True, exist_ok=True)
        self.socket.mkdir()
        if self._as_postgres:
            shutil.chown(base, "postgres")
            shutil.chown(self.socket, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("fsync = off\nmax_connections = 200\n")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"faults_{uuid.uuid4().hex[:8]}"
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def private_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    bindir = _postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are needed for fault tests")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    base = Path(tempfile_dir()) / f"crossties-pg-{uuid.uuid4().hex[:8]}"
    cluster = PrivatePostgres(bindir, base)
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def tempfile_dir() -> str:
    """A folder the postgres user can enter (pytest's tmp_path is private to root)."""
    import tempfile

    return tempfile.gettempdir()


# ---------------------------------------------------------------- the partnership


def slack_user(n: int) -> str:
    return f"UF{n:03d}"


def teams_user(n: int) -> str:
    return f"aad-fault-{n}"


@dataclass
class Partnership:
    slack_people: list[int]
    teams_people: list[int]
    coordinator: int  # a Slack person


def seed(url: str, slack: FakeSlack, *, slack_people: int, teams_people: int) -> Partnership:
    """One programme on the Slack team and the Teams tenant: the first `slack_people` are on
    Slack (person 1 coordinates), the next `teams_people` on Teams."""
    db = Database(url)
    rows = []
    total = slack_people + teams_people
    for n in range(1, total + 1):
        on_slack = n <= slack_people
        account = (
            UserRef("slack", TEAM_ID, slack_user(n))
            if on_slack
            else UserRef("teams", TENANT, teams_user(n))
        )
        rows.append(
            RosterRow(
                line=n + 1,
                external_id=f"f{n:03d}",
                name=f"Person {n:03d}",
                organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
                role="Nurse",
                accounts=[account],
            )
        )
        if on_slack:
            slack.add_user(slack_user(n), f"Person {n:03d}", email=f"f{n:03d}@example.org")
    now = SystemClock().now()
    with db.session() as session:
        programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name="Fault Partnership",
                organisations=ORGANISATIONS,
                workspaces=(("slack", TEAM_ID), ("teams", TENANT)),
            ),
        )
        import_roster(session, now, programme, rows)
        coordinator = session.exec(select(Person).where(Person.external_id == "f001")).one()
        grant(session, now, programme, coordinator, ProgrammeRoleKind.COORDINATOR)
    db.dispose()
    return Partnership(
        list(range(1, slack_people + 1)), list(range(slack_people + 1, total + 1)), 1
    )


def rows(url: str, model: type[T]) -> list[T]:
    """Every row of one table, read through a short-lived connection of the test's own."""
    db = Database(url, auto_upgrade=False)
    try:
        with db.session() as session:
            return list(session.exec(select(model)).all())
    finally:
        db.dispose()


# ---------------------------------------------------------------- the server


class Server:
    """`crossties serve` in a subprocess (Slack over HTTP, Teams anonymous on 127.0.0.1)."""

    def __init__(self, url: str, slack: FakeSlack, workdir: Path, **extra: str) -> None:
        self.url = url
        self.slack = slack
        self.workdir = workdir
        self.extra = extra
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"serve-{self.starts}.log"

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
            [sys.executable, "-c", "from bot.cli.main import main; main()", "serve"],
            env=env,
            cwd=self.workdir,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return "\n".join(
            (self.workdir / f"serve-{n}.log").read_text(errors="replace")
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
                raise AssertionError(f"the server exited:\n{self.output()[-3000:]}")
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


_serial = itertools.count(1)


async def slack_command(
    http: aiohttp.ClientSession, server: Server, n: int, words: str
) -> tuple[int, str, str]:
    """(HTTP status, body, response_url name) of one signed /crossties command."""
    serial = next(_serial)
    name = f"f{serial}"
    fields = {
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
        "response_url": server.slack.response_url(name),
        "trigger_id": f"{serial}.1395872398.{uuid.uuid4().hex[:20]}",
    }
    body = urlencode(fields)
    stamp = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
            timestamp=stamp, body=body
        ),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    async with http.post(server.base + "/slack/events", data=body, headers=headers) as response:
        return response.status, await response.text(), name


async def teams_message(
    http: aiohttp.ClientSession,
    server: Server,
    connector: FakeConnector,
    n: int,
    words: str,
    *,
    wait_reply: bool = True,
) -> tuple[int, str]:
    """Sends a Teams message; the server answers 200 before its turn runs, so by default this
    also waits for the turn's reply to reach the connector."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": uuid.uuid4().hex,
        "text": words,
        "textFormat": "plain",
        "channelId": "msteams",
        "serviceUrl": connector.url,
        "from": {"id": f"29:fault-{n}", "name": f"Person {n:03d}", "aadObjectId": teams_user(n)},
        "recipient": {"id": BOT_ID, "name": "Crossties"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": f"a:f{n}"},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    before = len(teams_texts(connector, n))
    async with http.post(server.base + "/api/messages", json=activity) as response:
        status, text = response.status, await response.text()
    if status == 200 and wait_reply:
        await eventually(lambda: len(teams_texts(connector, n)) > before, 15, "a Teams reply")
    return status, text


def slack_answers(slack: FakeSlack, name: str) -> list[str]:
    return [str(r.get("text") or "") for r in slack.responses if r.get("_response_url") == name]


def teams_texts(connector: FakeConnector, n: int) -> list[str]:
    return [str(r.body.get("text") or "") for r in connector.sent() if r.conversation == f"a:f{n}"]


async def eventually(predicate: Any, wait_s: float = 30.0, what: str = "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < wait_s:
        if predicate():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {wait_s} s waiting for {what}")
