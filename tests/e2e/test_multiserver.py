"""Two real `crossties serve` processes on one PostgreSQL database.

Rounds are made to come every few seconds with the testing setting
CROSSTIES_SCHEDULER_INTERVAL. Checks: one scheduler at a time, the other takes over after the
leader is killed (SIGKILL), and every scheduled slot makes exactly one round.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.clock import SystemClock
from bot.core import Crossties
from bot.db.models import AuditLog, Introduction, Round
from bot.db.session import Database
from bot.templates import Prompts
from tests.conftest import POSTGRES_URL
from tests.fakes import build_world
from tests.pgtools import require_server, scratch_database

INTERVAL = 2.0
LEADER_RETRY = 1.0
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def database_url() -> Iterator[str]:
    require_server(POSTGRES_URL)
    with scratch_database(POSTGRES_URL, "crossties_multi") as url:
        yield url


class Server:
    def __init__(self, url: str, log_path: Path) -> None:
        self.port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLACK_", "MICROSOFT_"))
        }
        env.update(
            CROSSTIES_DATABASE_URL=url,
            CROSSTIES_HOST="127.0.0.1",
            CROSSTIES_PORT=str(self.port),
            CROSSTIES_SCHEDULER_INTERVAL=str(INTERVAL),
            CROSSTIES_LEADER_RETRY=str(LEADER_RETRY),
            PYTHONUNBUFFERED="1",
        )
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from crossties.cli.main import main; main()", "serve"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=log_path.parent,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def leads(self) -> bool:
        return "now runs the scheduler" in self.output()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def wait_for(condition, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def round_runs(db: Database) -> list[tuple[str, str]]:
    """(actor, detail) of every round run, in order."""
    with db.session() as session:
        rows = session.exec(
            select(AuditLog).where(AuditLog.action == "round_run").order_by(AuditLog.id)  # type: ignore[arg-type]
        ).all()
        return [(row.actor, row.detail or "") for row in rows]


def test_one_scheduler_at_a_time_and_takeover_after_the_leader_dies(
    database_url: str, tmp_path: Path
) -> None:
    db = Database(database_url)
    build_world(Crossties(db, SystemClock(), Prompts()))
    servers = [Server(database_url, tmp_path / "a.log")]
    try:
        first = servers[0]
        wait_for(first.healthy, 20, "the first server")
        wait_for(first.leads, 10, "the first server to lead")
        servers.append(Server(database_url, tmp_path / "b.log"))
        second = servers[1]
        wait_for(second.healthy, 20, "the second server")
        wait_for(lambda: len(round_runs(db)) >= 2, 15, "two scheduled rounds")
        assert not second.leads(), "two schedulers at once"
        assert {actor for actor, _ in round_runs(db)} == {f"scheduler:{first.pid}"}

        before = len(round_runs(db))
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(5)
        killed_at = time.monotonic()
        wait_for(second.leads, 30, "the second server to take over")
        takeover = time.monotonic() - killed_at
        wait_for(lambda: len(round_runs(db)) >= before + 2, 15, "two rounds from the new leader")
        second.stop()
        assert second.process.returncode == 0, second.output()[-2000:]  # a clean shutdown
        assert "Traceback" not in second.output()
    finally:
        for server in servers:
            server.stop()

    runs = round_runs(db)
    actors = [actor for actor, _ in runs]
    switch = actors.index(f"scheduler:{second.pid}")
    assert set(actors[:switch]) == {f"scheduler:{first.pid}"}
    assert set(actors[switch:]) == {f"scheduler:{second.pid}"}  # never both
    assert takeover < 30
    with db.session() as session:
        rounds = session.exec(select(Round)).all()
        slots = Counter(r.slot for r in rounds)
        per_round = Counter(i.round_id for i in session.exec(select(Introduction)).all())
    assert len(rounds) == len(runs) and all(n == 1 for n in slots.values())
    assert all(slot is not None and re.fullmatch(r"\d{4}-.*Z", slot) for slot in slots)
    assert set(per_round.values()) == {6}  # twelve people, six pairs, every round once
    db.dispose()
