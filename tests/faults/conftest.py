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
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from bot.db.session import Database
from tests import serving
from tests.fakes_slack import FakeSlack
from tests.fakes_teams import FakeConnector, free_port
from tests.serving import Server

T = TypeVar("T")

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


@dataclass
class Partnership:
    slack_people: list[int]
    teams_people: list[int]
    coordinator: int  # a Slack person


def seed(url: str, slack: FakeSlack, *, slack_people: int, teams_people: int) -> Partnership:
    """The first `slack_people` are on Slack (person 1 coordinates), the next `teams_people`
    on Teams."""
    on_slack = list(range(1, slack_people + 1))
    on_teams = list(range(slack_people + 1, slack_people + teams_people + 1))
    serving.seed(url, slack, slack_people=on_slack, teams_people=on_teams, coordinator=1)
    return Partnership(on_slack, on_teams, 1)


def rows(url: str, model: type[T]) -> list[T]:
    """Every row of one table, read through a short-lived connection of the test's own."""
    db = Database(url, auto_upgrade=False)
    try:
        with db.session() as session:
            return list(session.exec(select(model)).all())
    finally:
        db.dispose()


# ---------------------------------------------------------------- a served partnership


@dataclass
class Running:
    url: str
    slack: FakeSlack
    connector: FakeConnector
    server: Server
    http: aiohttp.ClientSession
    people: Partnership
    round_answer: str  # the response_url name of the coordinator's `round run`


@contextlib.asynccontextmanager
async def a_round_just_run(postgres: PrivatePostgres, workdir: Path) -> AsyncIterator[Running]:
    """`crossties serve` on a fresh database of `postgres`, serving 6 Slack and 6 Teams people
    (the Teams people have said hello, so their address is kept), whose coordinator has just
    run the first round: its introductions are being delivered. The server is stopped after."""
    url = postgres.create_database()
    async with FakeSlack() as slack:
        connector = FakeConnector()
        await connector.start()
        people = seed(url, slack, slack_people=6, teams_people=6)
        server = Server(url, slack, workdir)
        server.start()
        try:
            await server.until_health(200)
            async with aiohttp.ClientSession() as http:
                for n in people.teams_people:
                    status, _ = await teams_message(http, server, connector, n, "help")
                    assert status == 200
                status, _, name = await slack_command(http, server, people.coordinator, "round run")
                assert status == 200
                await eventually(lambda: slack_answers(slack, name), 15, "the round's answer")
                yield Running(url, slack, connector, server, http, people, name)
        finally:
            server.stop()
            await connector.stop()


# ---------------------------------------------------------------- what people send


async def slack_command(
    http: aiohttp.ClientSession, server: Server, n: int, words: str
) -> tuple[int, str, str]:
    """(HTTP status, body, response_url name) of one signed /crossties command."""
    name, body, headers = serving.signed_command(server.slack, n, words)
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
    before = len(teams_texts(connector, n))
    activity = serving.personal_message(connector.url, n, words)
    async with http.post(server.base + "/api/messages", json=activity) as response:
        status, text = response.status, await response.text()
    if status == 200 and wait_reply:
        await eventually(lambda: len(teams_texts(connector, n)) > before, 15, "a Teams reply")
    return status, text


def slack_answers(slack: FakeSlack, name: str) -> list[str]:
    return [str(r.get("text") or "") for r in slack.responses if r.get("_response_url") == name]


def teams_texts(connector: FakeConnector, n: int) -> list[str]:
    chat = serving.conversation(n)
    return [str(r.body.get("text") or "") for r in connector.sent() if r.conversation == chat]


async def eventually(predicate: Any, wait_s: float = 30.0, what: str = "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < wait_s:
        if predicate():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {wait_s} s waiting for {what}")
