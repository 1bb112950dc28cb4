"""Benchmark of delivery: one round for 2,000 Slack users through a local fake Slack Web API.

The fake (tests/fakes_slack.py) enforces the documented limits — conversations.open and
conversations.history at 50 a minute per workspace, chat.postMessage at one a second per
channel — and answers 5 % of calls with 429 (Retry-After: 1) and 2 % with 500. Delivery is
the real thing: the outbox, DeliveryWorker, the real SlackSender and the Pacer, in a separate
process, twice: once undisturbed, once killed (SIGKILL) mid-round and started again.

Time is compressed: the fake, the pacer, the Slack client's waits and the bot's clock all
run on one simulated clock going SPEEDUP times faster than the wall clock (default 20), so
the 20-minute round takes about a minute. The limits are the documented ones in simulated
time; our own costs (database, HTTP, process start) count SPEEDUP times heavier, so the
ratio errs on the pessimistic side.

Printed: total simulated time against the minimum the limits allow — every group needs one
conversations.open, at 50 a minute after a burst of three: (groups - 3) / (50/60) — as a
ratio (goal ≤ 1.1), messages lost (must be 0) and duplicates (must be 0).

Run: python benchmarks/delivery.py [--users 2000] [--speedup 20] [--kill-at 0.4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import col, select

from bot.db.models import Outbox, OutboxState
from bot.db.session import Database
from bot.events import UserRef

WORKSPACE = "T0001"
OPEN_RATE = 50 / 60
BURST = 3.0  # the fake lets a few calls through at once, as Slack's tiers allow bursts
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SimTime:
    """Simulated seconds: `speedup` times the wall clock, shared by every process."""

    def __init__(self, epoch_real: float, speedup: float) -> None:
        self.epoch_real = epoch_real
        self.speedup = speedup

    def __call__(self) -> float:
        return (time.time() - self.epoch_real) * self.speedup

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speedup)

    def now(self) -> datetime:  # bot.clock.Clock
        return datetime.fromtimestamp(START.timestamp() + self(), UTC)


# ---------------------------------------------------------------- the sending process


async def worker_main(db_url: str, api_url: str, sim: SimTime, pacer_burst: int) -> None:
    from adapters.slack.client import Waits, make_client
    from adapters.slack.sender import SlackSender
    from bot.leader import DatabaseSlots, Presence
    from bot.pacing import LIMITS, Pacer
    from bot.worker import DeliveryWorker

    db = Database(db_url)
    # No retries inside the HTTP client: every retry goes back through the outbox and the
    # pacer, so the pacer's count of calls stays the platform's count.
    waits = Waits(sleep=sim.sleep, clock=sim, retries=0)
    client = make_client("xoxb-test-token", api_url, waits)

    async def client_for(team: str):  # type: ignore[no-untyped-def]
        return client

    limits = dict(LIMITS)
    if pacer_burst > 1:  # let the pacer catch up on its own lateness, within the fake's burst
        rate = limits[("slack", "conversations.open")]
        limits[("slack", "conversations.open")] = replace(rate, burst=pacer_burst)
    pacer = Pacer(clock=sim, sleep=sim.sleep, limits=limits)
    sender = SlackSender(client_for, pacer)
    owner = os.getpid()
    presence = Presence(db, owner)
    await presence.start()
    worker = DeliveryWorker(
        db,
        {"slack": sender},
        sim,
        interval=0.02,
        owner=owner,
        is_alive=presence.is_alive,
        orphan_check=float("inf") if not presence.shared else 1.0,
    )
    worker.start()

    if presence.shared:  # as `crossties serve` does (crossties/background.py)
        pacer.share_through(DatabaseSlots(db, clock=sim))

    def remaining() -> int:
        with db.session() as session:
            return len(
                session.exec(
                    select(Outbox.id).where(
                        col(Outbox.state).in_([OutboxState.PENDING, OutboxState.SENDING])
                    )
                ).all()
            )

    try:
        while True:
            if not await asyncio.to_thread(remaining):
                break
            await asyncio.sleep(0.1)
    finally:
        await worker.stop()
        await presence.stop()


# ---------------------------------------------------------------- the benchmark


def prepare(db_url: str, users: int, sim: SimTime) -> int:
    """A programme of `users` Slack people in eight organisations, and its round queued."""
    from bot.db.models import Programme
    from bot.templates import Prompts
    from bot.usecases.programmes import (
        ProgrammeSettings,
        RosterRow,
        create_programme,
        import_roster,
    )
    from bot.usecases.rounds import run_round

    organisations = tuple(f"Organisation {i}" for i in range(8))
    rows = [
        RosterRow(
            line=i + 2,
            external_id=f"p{i:05d}",
            name=f"Person {i:05d}",
            organisation=organisations[i % len(organisations)],
            accounts=[UserRef("slack", WORKSPACE, f"U{i:07d}")],
        )
        for i in range(users)
    ]
    db = Database(db_url)
    now = sim.now()
    with db.session() as session:
        programme: Programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name="Benchmark", organisations=organisations, workspaces=(("slack", WORKSPACE),)
            ),
        )
        import_roster(session, now, programme, rows)
    with db.session() as session:
        found = session.exec(select(Programme)).one()
        summary = run_round(session, now, found, Prompts(), slot="benchmark")
    db.dispose()
    return summary.messages_queued


@dataclass
class Result:
    label: str
    groups: int
    seconds: float
    minimum: float
    lost: int
    duplicates: int
    opens: int
    faults_429: int
    faults_500: int
    recovered_by_lookup: int
    restarts: int
    window_median: float  # real seconds from a post's answer to its record
    window_max: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum

    @property
    def forced_minimum(self) -> float:
        """The minimum once the calls the fake refused on purpose are counted too (they use
        up the limit like any other call)."""
        return (self.opens - BURST) / OPEN_RATE


def spawn(db_url: str, api_url: str, sim: SimTime, pacer_burst: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            "--db",
            db_url,
            "--api",
            api_url,
            "--epoch-real",
            repr(sim.epoch_real),
            "--speedup",
            repr(sim.speedup),
            "--pacer-burst",
            str(pacer_burst),
        ],
        cwd=str(Path(__file__).resolve().parents[1]),
    )


def fresh_database(postgres: str | None) -> tuple[str, Callable[[], None]]:
    """A new SQLite file, or a new database on the PostgreSQL server at `postgres`."""
    if postgres is None:
        workdir = Path(tempfile.mkdtemp(prefix="crossties-bench-"))
        return f"sqlite:///{workdir / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.db.session import normalise_url

    admin = create_engine(normalise_url(postgres), isolation_level="AUTOCOMMIT")
    name = f"crossties_bench_{os.getpid()}_{int(time.time())}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(normalise_url(postgres)).set(database=name)
    return url.render_as_string(hide_password=False), drop


async def scenario(
    label: str,
    users: int,
    speedup: float,
    kill_at: float | None,
    pacer_burst: int,
    postgres: str | None = None,
    processes: int = 1,
) -> Result:
    db_url, drop = fresh_database(postgres)
    try:
        return await _scenario(label, users, speedup, kill_at, pacer_burst, db_url, processes)
    finally:
        drop()


async def _scenario(
    label: str,
    users: int,
    speedup: float,
    kill_at: float | None,
    pacer_burst: int,
    db_url: str,
    processes: int,
) -> Result:
    from tests.fakes_slack import FakeSlack

    sim = SimTime(time.time(), speedup)
    groups = await asyncio.to_thread(prepare, db_url, users, sim)
    fake = FakeSlack(
        rate_limits={"conversations.open": OPEN_RATE, "conversations.history": OPEN_RATE},
        per_channel_rate={"chat.postMessage": 1.0},
        burst=BURST,
        fault_rate_429=0.05,
        fault_rate_500=0.02,
        fault_retry_after=1,
        seed=7,
        clock=sim,
    )
    await fake.start()
    try:
        started = sim()
        running = [spawn(db_url, fake.api_url, sim, pacer_burst) for _ in range(processes)]
        restarts = 0
        while any(process.poll() is None for process in running):
            await asyncio.sleep(0.05)
            if (
                kill_at is not None
                and restarts == 0
                and fake.count("chat.postMessage") >= kill_at * groups
            ):
                victim = running[0]
                victim.send_signal(signal.SIGKILL)
                await asyncio.to_thread(victim.wait)
                restarts += 1
                running[0] = spawn(db_url, fake.api_url, sim, pacer_burst)
        for process in running:
            if process.returncode != 0:
                raise SystemExit(f"a sending process failed ({process.returncode})")
        posts = fake.calls_to("chat.postMessage", ok_only=True)
        finished = max(call.at for call in posts)
    finally:
        await fake.stop()
    db = Database(db_url)
    with db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "introduction")).all()
        expected = {row.idempotency_key for row in rows}
        states = Counter(row.state for row in rows)
        recorded = {
            row.idempotency_key: row.sent_at.timestamp() - START.timestamp()
            for row in rows
            if row.sent_at is not None
        }
    db.dispose()
    # The at-least-once window: from Slack's answer to a post to our record of it.
    answered = {
        ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key"): call.at
        for call in posts
    }
    windows = sorted(
        (recorded[key] - at) / speedup for key, at in answered.items() if key in recorded
    )
    posted = Counter(
        ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
        for message in fake.messages.values()
    )
    if states != Counter({"sent": len(expected)}):
        print(f"  outbox states: {dict(states)}")
    return Result(
        label=label,
        groups=groups,
        seconds=finished - started,
        minimum=(groups - BURST) / OPEN_RATE,
        lost=len(expected - set(posted)),
        duplicates=sum(n - 1 for key, n in posted.items() if key in expected and n > 1),
        opens=fake.count("conversations.open", ok_only=False),
        faults_429=sum(1 for c in fake.calls if c.status == 429),
        faults_500=sum(1 for c in fake.calls if c.status >= 500),
        recovered_by_lookup=fake.count("conversations.history"),
        restarts=restarts,
        window_median=windows[len(windows) // 2] if windows else 0.0,
        window_max=windows[-1] if windows else 0.0,
    )


def report(result: Result, speedup: float) -> None:
    print(
        f"{result.label:<26} groups {result.groups:>5}  "
        f"time {result.seconds:7.0f} s (simulated; {result.seconds / speedup:5.1f} s real)  "
        f"minimum {result.minimum:7.0f} s  ratio {result.ratio:5.3f}  "
        f"lost {result.lost}  duplicates {result.duplicates}"
    )
    print(
        f"{'':<26} conversations.open calls {result.opens}, 429 answers {result.faults_429}, "
        f"500 answers {result.faults_500}, history look-ups {result.recovered_by_lookup}, "
        f"restarts {result.restarts}"
    )
    print(
        f"{'':<26} against the minimum with the refused calls counted "
        f"({result.forced_minimum:.0f} s): ratio {result.seconds / result.forced_minimum:5.3f}; "
        f"post answered -> recorded: median {result.window_median * 1000:.1f} ms, "
        f"max {result.window_max * 1000:.1f} ms (real)"
    )


async def main_async(args: argparse.Namespace) -> int:
    print(
        f"Delivery of one round to {args.users} Slack users; limits as documented, time "
        f"compressed {args.speedup:g}x; 5 % 429 and 2 % 500 injected; "
        f"pacer burst {args.pacer_burst}; "
        + (f"PostgreSQL, {args.processes} sending process(es)" if args.postgres else "SQLite")
    )
    if args.processes > 1 and not args.postgres:
        raise SystemExit("several sending processes need --postgres (SQLite is one process)")
    where = {"postgres": args.postgres, "processes": args.processes}
    results = [
        await scenario("undisturbed", args.users, args.speedup, None, args.pacer_burst, **where)
    ]
    report(results[-1], args.speedup)
    label = f"killed at {args.kill_at:.0%}, restarted"
    results.append(
        await scenario(label, args.users, args.speedup, args.kill_at, args.pacer_burst, **where)
    )
    report(results[-1], args.speedup)
    ok = all(r.lost == 0 and r.duplicates == 0 for r in results)
    print("lost 0 and duplicates 0: " + ("met" if ok else "NOT met"))
    worst = max(r.ratio for r in results)
    worst_forced = max(r.seconds / r.forced_minimum for r in results)
    print(
        f"ratio <= 1.1 against the documented minimum: {'met' if worst <= 1.1 else 'not met'} "
        f"(worst {worst:.3f}); against the minimum with the refused calls counted: "
        f"{'met' if worst_forced <= 1.1 else 'not met'} (worst {worst_forced:.3f})"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--speedup", type=float, default=20.0)
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument(
        "--pacer-burst",
        type=int,
        default=1,
        help="burst the pacer allows for conversations.open (1, as shipped; the fake allows 3)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on a new database on this PostgreSQL server (default: SQLite, one process)",
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="sending processes side by side (PostgreSQL)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--epoch-real", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sim = SimTime(args.epoch_real, args.speedup)
        asyncio.run(worker_main(args.db, args.api, sim, args.pacer_burst))
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
