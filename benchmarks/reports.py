"""Benchmark: the full lead report (load + build + lead view + chat chart) on a large programme.

Builds a programme with 100,000 ties (by default) by bulk insert into a fresh SQLite file or
a PostgreSQL database, then times, in the same run:
- baseline 1: `SELECT count(*) FROM tie WHERE stage <> ''` (one full scan of the tie table);
- baseline 2: a naive report load, every Tie row as an ORM object and a Python loop over
  them (how the first version read ties);
- the report: set-based SQL load, build with network measures, lead view, chat PNG.
It prints each time and the ratios. Target: the report under 2 seconds.

    python benchmarks/reports.py [--ties 100000] [--database-url URL] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import SQLModel, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.charts import report_chart
from bot.db.models import Programme, Tie
from bot.db.session import Database
from bot.reports import build_report, lead_view, load_report_input

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
ROLES = (
    "Nurse",
    "GP",
    "Social worker",
    "Pharmacist",
    "Occupational therapist",
    "Physiotherapist",
    "Care coordinator",
    "Consultant",
    "Commissioner",
    "Support worker",
)
TAGS = ("#discharge", "#frailty", "#carers", "#falls", "#housing")


def table(name: str) -> Any:
    return SQLModel.metadata.tables[name]


def populate(db: Database, ties: int, organisations: int = 20, rounds: int = 10) -> None:
    rng = random.Random(1)
    people = max(2 * ties // rounds, organisations * 10)
    per_round = ties // rounds
    offsets = []
    candidate = 1
    while len(offsets) < rounds:
        candidate += 997
        if candidate % organisations and candidate < people // 2:
            offsets.append(candidate)
        elif candidate >= people // 2:
            candidate = len(offsets) + 2
    with db.engine.begin() as c:
        c.execute(
            insert(table("organisation")),
            [
                {"id": o + 1, "name": f"Organisation {o + 1:02d}", "created_at": NOW}
                for o in range(organisations)
            ],
        )
        c.execute(
            insert(table("programme")),
            [
                {
                    "id": 1,
                    "name": "Benchmark",
                    "cadence": "fortnightly",
                    "weekday": 0,
                    "hour": 9,
                    "timezone": "Europe/London",
                    "group_size": 2,
                    "cross_organisation": True,
                    "prompt_set": "default",
                    "checkin_days": 7,
                    "nudge_days": 3,
                    "paused": False,
                    "is_demo": False,
                    "created_at": NOW,
                }
            ],
        )
        c.execute(
            insert(table("programmeorganisation")),
            [{"programme_id": 1, "organisation_id": o + 1} for o in range(organisations)],
        )
        c.execute(
            insert(table("person")),
            [
                {
                    "id": p + 1,
                    "external_id": f"p{p + 1}",
                    "name": f"Person {p + 1}",
                    "organisation_id": p % organisations + 1,
                    "role": ROLES[p % len(ROLES)],
                    "timezone": "Europe/London",
                    "share_email": True,
                    "name_in_reports": p % 50 == 0,
                    "erased": False,
                    "created_at": NOW,
                }
                for p in range(people)
            ],
        )
        c.execute(
            insert(table("membership")),
            [
                {
                    "id": p + 1,
                    "programme_id": 1,
                    "person_id": p + 1,
                    "status": "active" if p % 17 else ("paused" if p % 2 else "left"),
                    "joined_at": NOW,
                }
                for p in range(people)
            ],
        )
        c.execute(
            insert(table("round")),
            [
                {
                    "id": r + 1,
                    "programme_id": 1,
                    "number": r + 1,
                    "state": "closed",
                    "seed": 0,
                    "created_at": NOW,
                }
                for r in range(rounds)
            ],
        )
        intros, members, tie_rows, events = [], [], [], []
        for r in range(rounds):
            for m in range(per_round):
                n = r * per_round + m + 1
                a, b = m, (m + offsets[r]) % people
                low, high = min(a, b) + 1, max(a, b) + 1
                roll = rng.random()
                stage = "collaborating" if roll < 0.15 else "met" if roll < 0.8 else "introduced"
                intros.append(
                    {
                        "id": n,
                        "round_id": r + 1,
                        "programme_id": 1,
                        "starter": "default:1",
                        "created_at": NOW,
                        "checkin_due_at": NOW,
                        "nudge_due_at": NOW,
                        "outcome": None if stage == "introduced" else "met",
                    }
                )
                for person in (low, high):
                    members.append(
                        {
                            "introduction_id": n,
                            "person_id": person,
                            "organisation_id": (person - 1) % organisations + 1,
                        }
                    )
                tie_rows.append(
                    {
                        "id": n,
                        "programme_id": 1,
                        "person_a_id": low,
                        "person_b_id": high,
                        "organisation_a_id": (low - 1) % organisations + 1,
                        "organisation_b_id": (high - 1) % organisations + 1,
                        "stage": stage,
                        "created_at": NOW,
                    }
                )
                events.append({"tie_id": n, "kind": "introduced", "at": NOW, "introduction_id": n})
                if stage == "collaborating":
                    events.append(
                        {
                            "tie_id": n,
                            "kind": "collaborated",
                            "at": NOW,
                            "introduction_id": None,
                            "tags": rng.choice(TAGS),
                        }
                    )
        c.execute(insert(table("introduction")), intros)
        c.execute(insert(table("introductionmember")), members)
        c.execute(insert(table("tie")), tie_rows)
        c.execute(insert(table("tieevent")), events)
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("ANALYZE"))
    else:
        with db.engine.begin() as c:
            c.execute(text("ANALYZE"))


def count_scan(db: Database) -> None:
    with db.engine.connect() as c:
        c.execute(text("SELECT count(*) FROM tie WHERE stage <> ''")).scalar_one()


def naive(db: Database) -> None:
    """Every tie as an ORM object, counted into the matrix one by one in Python."""
    with db.session() as session:
        matrix: dict[tuple[int | None, int | None], int] = {}
        for tie in session.exec(select(Tie).where(Tie.programme_id == 1)).all():
            key = (tie.organisation_a_id, tie.organisation_b_id)
            matrix[key] = matrix.get(key, 0) + 1


def full_report(db: Database) -> None:
    with db.session() as session:
        programme = session.get(Programme, 1)
        assert programme is not None
        report = build_report(load_report_input(session, programme))
    report_chart(lead_view(report))


def best(fn: Callable[[Database], None], db: Database, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(db)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="empty database (default: SQLite)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(folder.name) / 'bench.db'}"
    db = Database(url)
    start = time.perf_counter()
    populate(db, args.ties)
    print(f"built {args.ties:,} ties on {db.dialect} in {time.perf_counter() - start:.1f} s")
    full_report(db)  # warm imports (matplotlib, networkx) once, as a running server would
    scan = best(count_scan, db, args.repeat)
    slow = best(naive, db, args.repeat)
    report = best(full_report, db, args.repeat)
    print(f"baseline count(*) scan : {scan * 1000:8.1f} ms")
    print(f"baseline naive ORM load: {slow * 1000:8.1f} ms (matrix only, no charts)")
    print(f"full report with chart : {report * 1000:8.1f} ms  (target < 2000 ms)")
    print(f"ratio report / count(*) scan : {report / scan:6.1f}x")
    print(f"ratio report / naive ORM load: {report / slow:6.2f}x")
    db.dispose()
    folder.cleanup()
    if report >= 2.0:
        sys.exit(1)


if __name__ == "__main__":
    main()
