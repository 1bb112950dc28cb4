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
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import serving  # noqa: E402
from tests.fakes_slack import FakeSlack  # noqa: E402
from tests.fakes_teams import FakeConnector  # noqa: E402
from tests.pgtools import create_database, drop_database  # noqa: E402
from tests.serving import Server  # noqa: E402

PEOPLE = 60
COMMANDS = ("help", "ties", "profile", "match")
WRONG = "went wrong"  # from prompts/error_internal.j2
ADMIN_URL = os.environ.get(
    "CROSSTIES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

BARE_APP = """
import os
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
port = int(os.environ["CROSSTIES_PORT"])
web.run_app(web_app, host="127.0.0.1", port=port, print=None, access_log=None)
"""


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
        _, body, headers = serving.signed_command(slack, n, words)
        async with http.post(base + "/slack/events", data=body, headers=headers) as response:
            answer = await response.read()
            return response.status, BUSY.encode() in answer

    return send


def teams_sender(connector: FakeConnector, base: str) -> Send:
    async def send(http: aiohttp.ClientSession, n: int, words: str) -> tuple[int, bool]:
        activity = serving.personal_message(connector.url, n, words)
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
    url = create_database(ADMIN_URL, "crossties_load")
    workdir = Path(tempfile.mkdtemp(prefix="crossties-load-"))
    everyone = range(1, PEOPLE + 1)
    ours = Server(url, slack, workdir, name="crossties")
    bare = Server(url, slack, workdir, name="bare", command=[sys.executable, "-c", BARE_APP])
    counts: dict[str, Any] = {}
    try:
        serving.seed(url, slack, slack_people=everyone, teams_people=everyone)
        for server in (ours, bare):
            server.start()
            await server.until_health(200)
        assert ours.process and bare.process
        print(f"servers: ours pid {ours.process.pid}, bare pid {bare.process.pid}", flush=True)
        to_slack = slack_sender(slack, ours.base)
        to_teams = teams_sender(connector, ours.base)
        # warm-up: first contact, caches, connection pools
        await run_clients("warm-up", args.clients, 3, [to_slack, to_teams])
        await asyncio.sleep(2)  # answers after the ack are still being sent
        slack.responses.clear()
        connector.requests.clear()

        phases: list[tuple[str, list[Send]]] = [
            ("ours, mixed", [to_slack, to_teams]),
            ("ours, Slack", [to_slack]),
            ("bare Bolt", [slack_sender(slack, bare.base)]),
        ]
        for name, kinds in phases:
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
        ours.stop()
        bare.stop()
        await slack.stop()
        await connector.stop()
        drop_database(ADMIN_URL, url)
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
