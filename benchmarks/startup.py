"""Benchmark of start-up: how long a `crossties` command takes as a whole process.

Each command runs as its own process, five times; the median is printed beside bare Python
(`python -c pass`) measured in the same run, with the difference and the ratio.

  crossties --help                  target: at most 0.3 s over bare Python
  crossties report --json           on the demo data (`crossties demo` first, scratch database)
  crossties match PEOPLE.csv        2,000 people; target: at most 0.6 s end to end

Run: python benchmarks/startup.py [--runs 5]
Exit code 1 when a target is missed. `python -X importtime -m crossties.cli --help` shows where
the import time of a command goes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 2000
ORGANISATIONS = 12

HELP_OVER_PYTHON = 0.3  # seconds over bare Python
MATCH_TOTAL = 0.6  # seconds, end to end


def environment(database: Path, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["CROSSTIES_DATABASE_URL"] = f"sqlite:///{database}"
    env["PYTHONPATH"] = str(root)
    return env


def timed(command: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    """Median wall time of `runs` whole processes; a failing command stops the benchmark."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(
                f"{' '.join(command[2:])} failed ({done.returncode}): "
                f"{done.stderr.decode(errors='replace')[-400:]}"
            )
    return statistics.median(times)


def people_csv(path: Path, n: int) -> None:
    rng = random.Random(1)
    lines = ["id,organisation,name"]
    lines += [f"p{i:05d},Org {rng.randrange(ORGANISATIONS):02d},Person {i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--module", default="crossties.cli", help="the command's module (to compare versions)"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the source tree to measure")
    args = parser.parse_args()
    cli = [sys.executable, "-m", args.module]
    with tempfile.TemporaryDirectory(prefix="crossties-startup-") as scratch:
        work = Path(scratch)
        env = environment(work / "demo.db", args.root)
        demo = subprocess.run(
            [*cli, "demo", "--png", str(work / "demo.png")],
            env=env,
            cwd=work,
            capture_output=True,
            check=False,
        )
        if demo.returncode != 0:
            raise SystemExit(f"crossties demo failed: {demo.stderr.decode()[-400:]}")
        people = work / "people.csv"
        people_csv(people, PEOPLE)

        bare = timed([sys.executable, "-c", "pass"], env, work, args.runs)
        rows = [
            ("crossties --help", timed([*cli, "--help"], env, work, args.runs)),
            (
                "crossties report --json (demo)",
                timed([*cli, "report", "--json"], env, work, args.runs),
            ),
            (
                f"crossties match ({PEOPLE:,} people)",
                timed(
                    [*cli, "match", str(people), "--out", str(work / "groups.csv")],
                    env,
                    work,
                    args.runs,
                ),
            ),
        ]
    print(f"median of {args.runs} whole processes; bare Python (python -c pass): {bare:.3f} s")
    print(f"{'command':34} {'seconds':>8} {'over bare':>10} {'ratio':>7}")
    for name, seconds in rows:
        print(f"{name:34} {seconds:8.3f} {seconds - bare:+10.3f} {seconds / bare:6.1f}x")
    help_over = rows[0][1] - bare
    match_total = rows[2][1]
    verdicts = [
        (
            f"--help over bare Python {help_over:.3f} s ≤ {HELP_OVER_PYTHON} s",
            help_over <= HELP_OVER_PYTHON,
        ),
        (
            f"match on {PEOPLE:,} people {match_total:.3f} s ≤ {MATCH_TOTAL} s",
            match_total <= MATCH_TOTAL,
        ),
    ]
    for text, ok in verdicts:
        print(f"{'PASS' if ok else 'MISS'}  {text}")
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
