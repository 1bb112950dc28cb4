"""Benchmark: a whole partnership's data path, each step as its own `crossties` process.

For each database backend (a scratch SQLite file, a scratch PostgreSQL database) and each size
it times, as whole processes with CROSSTIES_DATABASE_URL pointing at the scratch database:
- `crossties people import ROSTER.csv` (20,000 and 100,000 people);
- `crossties round run --dry-run` and `crossties round run` for them;
- `crossties report --json` at the largest size;
and, once, `crossties match PEOPLE.csv --history HISTORY.csv` (100,001 people + 500,000 history
rows; 1,000,001 + 5,000,000).

Each figure is printed with its floor, measured in the same run:
- import and round: the raw insert of the very rows the step wrote (read back from the scratch
  database) into an empty copy of the schema — `sqlite3` `executemany`, or psycopg `COPY`;
- report: one raw read of every tie row of the programme;
- match: one `csv.reader` pass over both files.
Peak memory is the child's own maximum resident set size (from `os.wait4`); the child's own
CPU time is printed too, since a busy machine stretches wall time but hardly CPU time.
`startup` is `crossties --help`: the fixed cost of starting any `crossties` process.

    python benchmarks/scale.py [--quick] [--backends sqlite,postgresql] [--postgres-url URL]

`--quick` skips the 100,000-person steps and the million-person match.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401  (the tables)
from bot.db.session import Database, normalise_url
from tests.pgtools import create_database, drop_database

ORGANISATIONS = tuple(f"Organisation {i:02d}" for i in range(1, 21))
ROLES = ("Nurse", "GP", "Social worker", "Pharmacist", "Physiotherapist", "Care coordinator")
TIMEZONES = ("Europe/London", "", "", "Europe/Dublin")
TEAM = "T0SCALE"
MB = 1024 * 1024

# targets: seconds, and peak memory in MB
TARGETS = {
    ("import", 20_000): 2.0,
    ("import", 100_000): 8.0,
    ("round", 20_000): 4.0,
    ("round", 100_000): 15.0,
    ("match", 100_001): 3.0,
    ("match", 1_000_001): 30.0,
    ("report", 100_000): 2.0,
}


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float  # the child's own user + system time: what a busy machine does not inflate
    peak_mb: float
    output: str


def crossties_command() -> list[str]:
    beside = Path(sys.executable).with_name("crossties")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("crossties")
    if found:
        return [found]
    raise SystemExit("the crossties command is not installed (pip install -e .)")


# Linux keeps a process's peak memory across fork and exec, so a child of this (large) process
# would report this process's peak as its own. A small launcher starts each step instead and
# reports the step's own figures.
LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": time.perf_counter() - started,
               "status": os.waitstatus_to_exitcode(status),
               "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss}, out)
"""


def run(args: list[str], database_url: str, cwd: Path) -> Run:
    """One whole `crossties` process: wall time, its own CPU time and peak resident memory."""
    env = {**os.environ, "CROSSTIES_DATABASE_URL": database_url, "COLUMNS": "120"}
    env.pop("SLACK_BOT_TOKEN", None)
    out, figures = cwd / "stdout.txt", cwd / "figures.json"
    with out.open("wb") as stdout:
        finished = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(figures), *crossties_command(), *args],
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=False,
        )
    measured = json.loads(figures.read_text(encoding="utf-8"))
    text_out = out.read_text(encoding="utf-8", errors="replace")
    if finished.returncode != 0 or measured["status"] != 0:
        raise SystemExit(
            f"crossties {' '.join(args)} failed ({measured['status']}):\n"
            f"{text_out[-2000:]}\n{finished.stderr.decode(errors='replace')[-2000:]}"
        )
    return Run(measured["seconds"], measured["cpu"], measured["peak_kb"] / 1024, text_out)


def write_roster(path: Path, people: int) -> None:
    rng = random.Random(people)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                *("id", "name", "organisation", "role", "email", "timezone"),
                *("slack_user_id", "slack_team_id"),
            ]
        )
        for i in range(people):
            writer.writerow(
                [
                    f"p{i:07d}",
                    f"Person {i}",
                    ORGANISATIONS[rng.randrange(len(ORGANISATIONS))],
                    ROLES[i % len(ROLES)],
                    f"person{i}@nhs.example" if i % 3 else "",
                    TIMEZONES[i % len(TIMEZONES)],
                    f"U{i:09d}",
                    TEAM,
                ]
            )


def write_match_files(folder: Path, people: int, history: int) -> tuple[Path, Path]:
    rng = random.Random(people)
    people_path, history_path = folder / f"people-{people}.csv", folder / f"history-{people}.csv"
    organisations = max(20, people // 5000)
    with people_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "organisation", "name", "role"])
        for i in range(people):
            writer.writerow(
                [f"p{i}", f"Org {rng.randrange(organisations)}", f"Person {i}", ROLES[i % 6]]
            )
    with history_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["round", "person_a", "person_b"])
        rounds = max(1, history * 2 // people)
        for n in range(history):
            a = rng.randrange(people)
            b = (a + 1 + rng.randrange(people - 1)) % people
            writer.writerow([1 + n * rounds // history, f"p{a}", f"p{b}"])
    return people_path, history_path


# --- the raw-insert floor ------------------------------------------------------------------


def snapshot(database_url: str) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, to tell which rows a step wrote."""
    database = Database(database_url, auto_upgrade=False)
    rows: dict[str, set[tuple[Any, ...]]] = {}
    with database.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            found = connection.execute(text(f'SELECT * FROM "{table.name}"')).all()
            rows[table.name] = {tuple(r) for r in found}
    database.dispose()
    return rows


def written(
    before: dict[str, set[tuple[Any, ...]]], after: dict[str, set[tuple[Any, ...]]]
) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(after[name] - before.get(name, set()), key=repr) for name in after}


class Floor:
    """An empty copy of the schema, preloaded with the rows that existed before a step; the
    floor is the time of a raw insert of the rows the step wrote."""

    def __init__(self, backend: str, scratch: Path, postgres_url: str) -> None:
        self.backend, self.scratch, self.postgres_url = backend, scratch, postgres_url

    @contextmanager
    def empty(self) -> Iterator[str]:
        if self.backend == "sqlite":
            path = self.scratch / f"floor-{time.monotonic_ns()}.db"
            url = f"sqlite:///{path}"
            Database(url).dispose()
            try:
                yield url
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            url = create_database(self.postgres_url, "crossties_floor")
            Database(url).dispose()
            try:
                yield url
            finally:
                drop_database(self.postgres_url, url)

    def measure(
        self, existing: dict[str, set[tuple[Any, ...]]], new: dict[str, list[tuple[Any, ...]]]
    ) -> float:
        with self.empty() as url:
            self._insert(url, {k: sorted(v, key=repr) for k, v in existing.items()})
            return self._insert(url, new)

    def _insert(self, url: str, rows: dict[str, list[tuple[Any, ...]]]) -> float:
        tables = [t for t in SQLModel.metadata.sorted_tables if rows.get(t.name)]
        if self.backend == "sqlite":
            connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            started = time.perf_counter()
            for table in tables:
                marks = ",".join("?" * len(table.columns))
                connection.executemany(
                    f'INSERT INTO "{table.name}" VALUES ({marks})',
                    rows[table.name],
                )
            connection.commit()
            seconds = time.perf_counter() - started
            connection.close()
            return seconds
        import psycopg

        dsn = normalise_url(url).replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as connection:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for table in tables:
                    names = ", ".join(f'"{c.name}"' for c in table.columns)
                    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                        for row in rows[table.name]:
                            copy.write_row(row)
            connection.commit()
            return time.perf_counter() - started


# --- steps ---------------------------------------------------------------------------------


def line(step: str, size: int, result: Run, floor: float | None, limit_mb: float) -> None:
    target = TARGETS.get((step, size))
    verdict = ""
    if target is not None:
        verdict = "ok" if result.seconds <= target and result.peak_mb <= limit_mb else "MISSED"
        verdict = f"target ≤ {target:g} s, < {limit_mb:g} MB: {verdict}"
    ratio = f"{result.seconds / floor:8.1f}× floor {floor:7.3f} s" if floor else " " * 26
    print(
        f"  {step:<9} {size:>9,}  {result.seconds:7.2f} s (cpu {result.cpu:6.2f} s)  {ratio}  "
        f"peak {result.peak_mb:6.0f} MB  {verdict}",
        flush=True,
    )


def backend_steps(
    backend: str, sizes: list[int], scratch: Path, postgres_url: str, report_size: int
) -> None:
    floor = Floor(backend, scratch, postgres_url)
    startup = run(["--help"], "sqlite:///" + str(scratch / "unused.db"), scratch)
    line("startup", 0, startup, None, 1024)
    for size in sizes:
        folder = scratch / f"{backend}-{size}"
        folder.mkdir()
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'crossties.db'}"
        else:
            url = create_database(postgres_url, "crossties_scale")
        try:
            run(
                [
                    "programme",
                    "create",
                    "Scale",
                    "--organisations",
                    ",".join(ORGANISATIONS),
                    "--slack-team",
                    TEAM,
                    "--no-local",
                ],
                url,
                folder,
            )
            roster = folder / "roster.csv"
            write_roster(roster, size)
            before = snapshot(url)
            result = run(["people", "import", str(roster)], url, folder)
            after_import = snapshot(url)
            line("import", size, result, floor.measure(before, written(before, after_import)), 1024)
            result = run(["round", "run", "--dry-run"], url, folder)
            line("dry run", size, result, None, 1024)
            result = run(["round", "run"], url, folder)
            after_round = snapshot(url)
            line(
                "round",
                size,
                result,
                floor.measure(after_import, written(after_import, after_round)),
                1024,
            )
            if size == report_size:
                result = run(["report", "--json"], url, folder)
                line("report", size, result, _read_ties(url), 1024)
        finally:
            if backend != "sqlite":
                drop_database(postgres_url, url)
            shutil.rmtree(folder, ignore_errors=True)


def _read_ties(url: str) -> float:
    database = Database(url, auto_upgrade=False)
    with database.engine.connect() as connection:
        started = time.perf_counter()
        connection.execute(text("SELECT * FROM tie")).all()
        seconds = time.perf_counter() - started
    database.dispose()
    return seconds


def match_steps(sizes: list[tuple[int, int]], scratch: Path) -> None:
    for people, history in sizes:
        folder = scratch / f"match-{people}"
        folder.mkdir()
        people_path, history_path = write_match_files(folder, people, history)
        started = time.perf_counter()
        for path in (people_path, history_path):
            with path.open(newline="", encoding="utf-8") as handle:
                for _ in csv.reader(handle):
                    pass
        floor = time.perf_counter() - started
        result = run(
            [
                "match",
                str(people_path),
                "--history",
                str(history_path),
                "--out",
                str(folder / "groups.csv"),
            ],
            "sqlite:///" + str(folder / "unused.db"),
            folder,
        )
        line("match", people, result, floor, 4096 if people > 500_000 else 1024)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 people; no million match")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "CROSSTIES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test"
        ),
    )
    parser.add_argument("--skip-match", action="store_true", help="only the database steps")
    args = parser.parse_args()
    sizes = [20_000] if args.quick else [20_000, 100_000]
    matches = [(100_001, 500_000)] if args.quick else [(100_001, 500_000), (1_000_001, 5_000_000)]
    print(
        "step           people     time (child's own cpu)     ratio to the raw floor"
        "        peak memory  target",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="crossties-scale-") as tmp:
        scratch = Path(tmp)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            print(f"{backend}:", flush=True)
            backend_steps(backend, sizes, scratch, args.postgres_url, sizes[-1])
        if not args.skip_match:
            print("match (no database):", flush=True)
            match_steps(matches, scratch)


if __name__ == "__main__":
    main()
