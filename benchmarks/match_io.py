"""Reading PEOPLE.csv and HISTORY.csv for `crossties match`: time against a raw floor.

Writes realistic files (several organisations, one row per past pair, ten or so past rounds),
then in the same run measures
  - the floor: the bytes read, decoded and split into fields by Python's csv module;
  - the csv-module reader that takes over when a file has a problem (every check included);
  - the reader: `read_people` + `read_history` (every check included), ready for the engine;
  - optionally the whole process: `crossties match ... --out` under /usr/bin/time.

Run: python benchmarks/match_io.py [--people 100001] [--history 500000] [--process]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching.csvio import read_history, read_people

ROLES = ("nurse", "doctor", "social worker", "pharmacist", "therapist", "manager")


def write_people(path: Path, n: int, organisations: int, seed: int) -> list[str]:
    """n people over `organisations` organisations of uneven size; returns their ids."""
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, organisations + 1)
    org = rng.choice(organisations, size=n, p=w / w.sum())
    role = rng.integers(0, len(ROLES), size=n)
    ids = [f"s{i:07d}" for i in range(n)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,name,organisation,role,email,timezone\n")
        fh.writelines(
            f"{pid},Person {i},Organisation {o:02d},{ROLES[r]},{pid}@nhs.example,Europe/London\n"
            for i, (pid, o, r) in enumerate(zip(ids, org.tolist(), role.tolist(), strict=True))
        )
    return ids


def write_history(path: Path, ids: list[str], rows: int, seed: int, met: bool = False) -> None:
    """Past rounds of random pairs until `rows` rows, one row per pair."""
    rng = np.random.default_rng(seed + 1)
    arr = np.asarray(ids)
    per_round = len(ids) // 2
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("round,person_a,person_b" + (",met\n" if met else "\n"))
        written, rnd = 0, 0
        while written < rows:
            rnd += 1
            perm = arr[rng.permutation(arr.size)]
            take = min(per_round, rows - written)
            a, b = perm[0 : 2 * take : 2].tolist(), perm[1 : 2 * take : 2].tolist()
            tail = (",yes\n", ",no\n") if met else ("\n", "\n")
            flags = rng.random(take) < 0.7
            fh.writelines(
                f"{rnd},{x},{y}{tail[0] if f else tail[1]}"
                for x, y, f in zip(a, b, flags.tolist(), strict=True)
            )
            written += take


class Clock:
    """Wall and CPU seconds: on a shared machine CPU time is the steadier figure."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s ({self.cpu:5.2f} cpu)"


def floor(path: Path) -> Clock:
    """Bytes read, decoded and split into fields by the csv module: no checks, no ids."""
    with Clock() as clock:
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    del rows
    return clock


def reader(people: Path, history: Path, fast: bool) -> tuple[Clock, Clock]:
    with Clock() as read_p:
        table = read_people(people, fast=fast)
    with Clock() as read_h:
        read_history(history, [p.id for p in table], fast=fast)
    return read_p, read_h


def whole_process(people: Path, history: Path, out: Path) -> str | None:
    """Wall, CPU and peak memory of `crossties match` as a process, or None without the tools."""
    exe = shutil.which("crossties", path=str(Path(sys.executable).parent))
    if exe is None or not Path("/usr/bin/time").exists():
        return None
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", exe, "match", str(people)]
    done = subprocess.run(
        [*cmd, "--history", str(history), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, user, system, kb = done.stderr.strip().splitlines()[-1].split()
    cpu = float(user) + float(system)
    return f"{float(wall):.2f} s ({cpu:.2f} cpu), peak {int(kb) / 1024:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_001)
    parser.add_argument("--history", type=int, default=500_000)
    parser.add_argument("--organisations", type=int, default=20)
    parser.add_argument("--met", action="store_true", help="history with a met column")
    parser.add_argument("--process", action="store_true", help="also time `crossties match`")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="match-io-"))
    folder.mkdir(parents=True, exist_ok=True)
    people, history = folder / "people.csv", folder / "history.csv"
    ids = write_people(people, args.people, args.organisations, seed=1)
    write_history(history, ids, args.history, seed=1, met=args.met)
    del ids
    gc.collect()
    import pyarrow.csv  # imported once by the first read: not a cost of reading a file

    del pyarrow
    f_people, f_history = floor(people), floor(history)
    gc.collect()
    s_people, s_history = reader(people, history, fast=False)
    gc.collect()
    r_people, r_history = reader(people, history, fast=True)
    print(f"{args.people:,} people, {args.history:,} history rows")
    print(f"{'':9}{'floor: csv module':>26}{'csv module, checked':>26}{'reader':>26}{'ratio':>7}")
    for label, f, s, r in (
        ("people", f_people, s_people, r_people),
        ("history", f_history, s_history, r_history),
    ):
        print(f"{label:9}{f!s:>26}{s!s:>26}{r!s:>26}{r.wall / f.wall:7.2f}")
    if args.process:
        got = whole_process(people, history, folder / "groups.csv")
        print(f"whole process `crossties match`: {got or 'crossties or /usr/bin/time not found'}")
    if args.keep is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
