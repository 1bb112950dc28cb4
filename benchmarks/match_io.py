"""Reading PEOPLE.csv and HISTORY.csv for `crossties match`: time against a raw floor.

Writes realistic files (several organisations, one row per past pair, ten or so past rounds),
then in the same run measures
  - the floor: the bytes read, decoded and split into fields by Python's csv module;
  - the reader: `read_people` + `read_history` (every check included), ready for the engine;
  - optionally the whole process: `crossties match ... --out` under /usr/bin/time -v.

Run: python benchmarks/match_io.py [--people 100001] [--history 500000] [--process]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import re
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


def floor(path: Path) -> float:
    t0 = time.perf_counter()
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    took = time.perf_counter() - t0
    del rows
    return took


def reader(people: Path, history: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    table = read_people(people)
    t1 = time.perf_counter()
    read_history(history, [p.id for p in table])
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def whole_process(people: Path, history: Path, out: Path) -> tuple[float, float] | None:
    """Wall seconds and peak resident MB of `crossties match`, or None without the tools."""
    exe = shutil.which("crossties", path=str(Path(sys.executable).parent))
    if exe is None or not Path("/usr/bin/time").exists():
        return None
    cmd = ["/usr/bin/time", "-v", exe, "match", str(people), "--history", str(history)]
    done = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall is not None and rss is not None
    h, m, s = wall.groups()
    return int(h or 0) * 3600 + int(m) * 60 + float(s), int(rss.group(1)) / 1024


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
    f_people, f_history = floor(people), floor(history)
    gc.collect()
    r_people, r_history = reader(people, history)
    print(f"{args.people:,} people, {args.history:,} history rows")
    print(f"{'':10}{'floor (csv module)':>20}{'reader':>10}{'ratio':>8}")
    for label, f, r in (("people", f_people, r_people), ("history", f_history, r_history)):
        print(f"{label:10}{f:19.2f}s{r:9.2f}s{r / f:8.2f}")
    if args.process:
        got = whole_process(people, history, folder / "groups.csv")
        if got is None:
            print("whole process: `crossties` or /usr/bin/time not found")
        else:
            print(f"whole process `crossties match`: {got[0]:.2f} s, peak {got[1]:.0f} MB")
    if args.keep is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
