"""Load: many concurrent clients against `crossties serve` on PostgreSQL, and the same Slack
load against a bare Bolt app that only acknowledges, in one run.

Our server is a real subprocess (`crossties serve`) on a fresh PostgreSQL database that this
script creates and drops, with Slack (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL at
the fake Slack Web API of tests/fakes_slack.py, served from this process) and Teams
(anonymous, on 127.0.0.1; the activities' serviceUrl is the fake connector of
tests/fakes_teams.py, also served from here). The bare app is slack_bolt's AsyncApp with a
slash command listener that only calls ack(), served by aiohttp in another subprocess.

Three phases, each `--seconds` long with `--clients` concurrent clients, every client sending
its next request as soon as the last one was answered:

- `ours, mixed`: half the clients send signed `/crossties` slash commands, half send Teams
  message activities (`help`, `ties`, `profile`, `match` in turn, from 60 rostered people);
- `ours, Slack`: every client sends slash commands (the like-for-like comparison);
- `bare Bolt`: the same slash commands to the bare app.

For each: requests per second, p50 and p99 acknowledgement time (the HTTP answer: Bolt's ack
for Slack, the 200 after the token check for Teams), errors (a failed request, a status other
than 200, or an answer of ours saying that something went wrong, as counted at the fakes),
how many were answered at once "busy, try again in a moment" (past the backlog, nothing done),
and how many answers reached the fakes (during the phase and three seconds after).
Targets: p99 < 300 ms, no errors, ours (Slack) >= 0.8 x bare.

    python benchmarks/load.py                    # 60 s a phase, 50 clients
    python benchmarks/load.py --seconds 10       # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.db.session import Database  # noqa: E402
from bot.events import UserRef  # noqa: E402
from bot.usecases.programmes import (  # noqa: E402
    ProgrammeSettings,
    RosterRow,
    create_programme,
    import_roster,
)
from tests.fakes_slack import BOT_TOKEN, TEAM_ID, FakeSlack  # noqa: E402
from tests.fakes_teams import BOT_ID, TENANT, FakeConnector, free_port  # noqa: E402

SECRET = "load-signing-secret"
PEOPLE = 60
ORGANISATIONS = ("Acute Trust", "GP Federation", "Adult Social Care", "Hospice")
COMMANDS = ("help", "ties", "profile", "match")
WRONG = "went wrong"  # from prompts/error_internal.j2
ADMIN_URL = os.environ.get(
    "CROSSTIES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

BARE_APP = """
import os, sys
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
app = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

@app.command("/crossties")
async def only_ack(ack):
    await ack()

async def healthz(request):
    return web.Response(text="ok")

web_app = app.web_app(path="/slack/events")
web_app.router.add_get("/healthz", healthz)
web.run_app(web_app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


# ---------------------------------------------------------------- database


def create_database() -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"crossties_load_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def slack_user(n: int) -> str:
    return f"UL{n:04d}"


def teams_user(n: int) -> str:
    return f"aad-load-{n}"


def seed(url: str, slack: FakeSlack) -> None:
    """One programme on the Slack team and the Teams tenant; everyone on both platforms."""
    db = Database(url)
    rows = []
    for n in range(1, PEOPLE + 1):
        rows.append(
            RosterRow(
                line=n + 1,
                external_id=f"p{n:03d}",
                name=f"Person {n:03d}",
                organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
                role="Nurse",
                accounts=[
                    UserRef("slack", TEAM_ID, slack_user(n)),
                    UserRef("teams", TENANT, teams_user(n)),
                ],
            )
        )
        slack.add_user(slack_user(n), f"Person {n:03d}", email=f"p{n:03d}@example.org")
    now = SystemClock().now()
    with db.session() as session:
        programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name="Load Partnership",
                organisations=ORGANISATIONS,
                workspaces=(("slack", TEAM_ID), ("teams", TENANT)),
            ),
        )
        import_roster(session, now, programme, rows)
    db.dispose()


# ---------------------------------------------------------------- servers


@dataclass
class Process:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self, wait_s: float = 60.0) -> None:
        deadline = time.monotonic() + wait_s
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def base_env(slack: FakeSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def start_ours(url: str, slack: FakeSlack, workdir: Path) -> Process:
    port = free_port()
    env = base_env(slack)
    env.update(
        CROSSTIES_DATABASE_URL=url,
        CROSSTIES_HOST="127.0.0.1",
        CROSSTIES_PORT=str(port),
        CROSSTIES_SCHEDULER="false",
    )
    log_path = workdir / "crossties.log"
    command = [sys.executable, "-c", "from bot.cli.main import main; main()", "serve"]
    process = subprocess.Popen(
        command, env=env, cwd=workdir, stdout=log_path.open("wb"), stderr=subprocess.STDOUT
    )
    return Process("crossties serve", port, process, log_path)


def start_bare(slack: FakeSlack, workdir: Path) -> Process:
    port = free_port()
    log_path = workdir / "bare.log"
    process = subprocess.Popen(
        [sys.executable, "-c", BARE_APP, str(port)],
        env=base_env(slack),
        cwd=workdir,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Process("bare Bolt", port, process, log_path)


# ---------------------------------------------------------------- clients


@dataclass
class Result:
    name: str
    seconds: float
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    busy: int = 0  # answered at once "busy, try again in a moment" (nothing done)

    @property
    def rps(self) -> float:
        return len(self.times) / self.seconds

    def pct(self, p: float) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def row(self) -> dict[str, Any]:
        return {
            "run": self.name,
            "requests": len(self.times),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.pct(50), 1),
            "p99_ms": round(self.pct(99), 1),
            "mean_ms": round(statistics.fmean(self.times) * 1000, 1) if self.times else None,
            "errors": len(self.errors),
            "busy": self.busy,
        }


_serial = itertools.count(1)


def slash_command(slack: FakeSlack, n: int, words: str) -> tuple[bytes, dict[str, str]]:
    serial = next(_serial)
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
        "is_enterprise_install": "false",
        "response_url": slack.response_url(f"load{serial}"),
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
    return body.encode(), headers


def teams_message(service_url: str, n: int, words: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "text": words,
        "textFormat": "plain",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:load-{n}", "name": f"Person {n:03d}", "aadObjectId": teams_user(n)},
        "recipient": {"id": BOT_ID, "name": "Crossties"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": f"a:{n}"},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }


Send = Callable[[aiohttp.ClientSession, int, str], Awaitable[tuple[int, bool]]]
BUSY = "try again in a moment"  # prompts/busy.j2, answered in the ack past the backlog


async def run_clients(name: str, clients: int, seconds: float, kinds: list[Send]) -> Result:
    result = Result(name, seconds)
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=clients + 5)
    timeout = aiohttp.ClientTimeout(total=30)

    async def client(index: int, http: aiohttp.ClientSession) -> None:
        send = kinds[index % len(kinds)]
        person = index % PEOPLE + 1
        for turn in itertools.count():
            if time.monotonic() >= deadline:
                return
            words = COMMANDS[(index + turn) % len(COMMANDS)]
            started = time.perf_counter()
            try:
                status, busy = await send(http, person, words)
            except Exception as error:  # a refused or broken connection is an error too
                result.errors.append(f"{type(error).__name__}")
                continue
            took = time.perf_counter() - started
            if status != 200:
                result.errors.append(f"HTTP {status}")
            else:
                result.times.append(took)
                result.busy += busy

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.monotonic()
        await asyncio.gather(*(client(i, http) for i in range(clients)))
        result.seconds = time.monotonic() - started
    return result


def slack_sender(slack: FakeSlack, base: str) -> Send:
    async def send(http: aiohttp.ClientSession, n: int, words: str) -> tuple[int, bool]:
        body, headers = slash_command(slack, n, words)
        async with http.post(base + "/slack/events", data=body, headers=headers) as response:
            answer = await response.read()
            return response.status, BUSY.encode() in answer

    return send


def teams_sender(connector: FakeConnector, base: str) -> Send:
    async def send(http: aiohttp.ClientSession, n: int, words: str) -> tuple[int, bool]:
        activity = teams_message(connector.url, n, words)
        async with http.post(base + "/api/messages", json=activity) as response:
            await response.read()
            return response.status, False

    return send


def answers_that_went_wrong(
    slack: FakeSlack, connector: FakeConnector
) -> tuple[int, int, int, int]:
    """(Slack answers, Teams answers, of which saying something went wrong, Teams replies
    saying busy: Slack's busy answers are in the ack, Teams' are replies)."""
    slack_answers = [json.dumps(r) for r in slack.responses]
    teams_answers = connector.texts()
    wrong = sum(WRONG in a for a in slack_answers) + sum(WRONG in t for t in teams_answers)
    teams_busy = sum(BUSY in t for t in teams_answers)
    return len(slack_answers), len(teams_answers) - teams_busy, wrong, teams_busy


# ---------------------------------------------------------------- main


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: list[Result] = []
    slack = FakeSlack()
    await slack.start()
    connector = FakeConnector()
    await connector.start()
    url = create_database()
    workdir = Path(tempfile.mkdtemp(prefix="crossties-load-"))
    ours = bare = None
    counts: dict[str, Any] = {}
    try:
        seed(url, slack)
        ours = start_ours(url, slack, workdir)
        bare = start_bare(slack, workdir)
        await ours.ready()
        await bare.ready()
        print(f"servers: ours pid {ours.process.pid}, bare pid {bare.process.pid}", flush=True)
        to_slack = slack_sender(slack, ours.url)
        to_teams = teams_sender(connector, ours.url)
        # warm-up: first contact, caches, connection pools
        await run_clients("warm-up", args.clients, 3, [to_slack, to_teams])
        await asyncio.sleep(2)  # answers after the ack are still being sent
        slack.responses.clear()
        connector.requests.clear()

        phases: list[tuple[str, Process, list[Send]]] = [
            ("ours, mixed", ours, [to_slack, to_teams]),
            ("ours, Slack", ours, [to_slack]),
            ("bare Bolt", bare, [slack_sender(slack, bare.url)]),
        ]
        for name, _process, kinds in phases:
            if args.only and args.only not in name:
                continue
            print(f"… {name}: {args.clients} clients for {args.seconds} s", flush=True)
            before = answers_that_went_wrong(slack, connector)
            result = await run_clients(name, args.clients, args.seconds, kinds)
            await asyncio.sleep(3)  # let the answers sent after the ack arrive
            after = answers_that_went_wrong(slack, connector)
            wrong = after[2] - before[2]
            result.errors += ["an answer said something went wrong"] * wrong
            result.busy += after[3] - before[3]
            counts[name] = {
                "slack_answers": after[0] - before[0],
                "teams_answers": after[1] - before[1],
            }
            results.append(result)
    finally:
        for process in (ours, bare):
            if process is not None:
                process.stop()
        await slack.stop()
        await connector.stop()
        drop_database(url)
    rows = [r.row() for r in results]
    for row in rows:
        row.update(counts.get(row["run"], {}))
    report: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds, "runs": rows}
    by = {r.name: r for r in results}
    if "ours, Slack" in by and "bare Bolt" in by and by["bare Bolt"].rps:
        report["ratio_slack_to_bare"] = round(by["ours, Slack"].rps / by["bare Bolt"].rps, 3)
    if "ours, mixed" in by and "bare Bolt" in by and by["bare Bolt"].rps:
        report["ratio_mixed_to_bare"] = round(by["ours, mixed"].rps / by["bare Bolt"].rps, 3)
    report["log"] = str(workdir)
    return report


def verdict(report: dict[str, Any]) -> list[str]:
    lines = []
    for row in report["runs"]:
        if row["run"].startswith("ours"):
            lines.append(
                f"{row['run']}: p99 {row['p99_ms']} ms "
                f"({'met' if row['p99_ms'] < 300 else 'MISSED'} < 300 ms), "
                f"{row['errors']} errors ({'met' if row['errors'] == 0 else 'MISSED'})"
            )
    ratio = report.get("ratio_slack_to_bare")
    if ratio is not None:
        lines.append(
            f"throughput ours/bare (Slack): {ratio} ({'met' if ratio >= 0.8 else 'MISSED'} >= 0.8)"
        )
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--only", choices=["mixed", "Slack", "bare"], default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    figures = asyncio.run(main(arguments))
    if arguments.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{'run':<14}{'requests':>10}{'rps':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
            f"{'busy':>8}{'answers':>9}"
        )
        for row in figures["runs"]:
            answers = row.get("slack_answers", 0) + row.get("teams_answers", 0)
            print(
                f"{row['run']:<14}{row['requests']:>10}{row['rps']:>9}"
                f"{row['p50_ms']:>9}{row['p99_ms']:>9}{row['errors']:>8}"
                f"{row['busy']:>8}{answers if row['run'] != 'bare Bolt' else '-':>9}"
            )
        for line in verdict(figures):
            print(line)
        print(f"server logs: {figures['log']}")
