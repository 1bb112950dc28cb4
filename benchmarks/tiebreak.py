"""Tiers 7 and 8 (a shared weekday, then mixed roles) on large rounds: what the fast
engine's swaps gain and what they cost, against the same rounds with the swaps switched off.
Tiers 1-6 must be unchanged or better.

Run: python benchmarks/tiebreak.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching import MatchRequest, Participant, PastPair, engine, match

ROLES = ("Nurse", "GP", "Social worker", "Pharmacist", "Therapist")
PATTERNS = (frozenset(), frozenset(range(5)), frozenset({0, 1, 2}), frozenset({3, 4, 5, 6}))


def request(n: int, k: int, seed: int) -> MatchRequest:
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, k + 1)
    orgs = rng.choice(k, size=n, p=w / w.sum())
    roles = rng.choice(len(ROLES), size=n, p=[0.4, 0.2, 0.2, 0.1, 0.1])
    days = rng.choice(len(PATTERNS), size=n, p=[0.5, 0.2, 0.15, 0.15])
    people = [
        Participant(f"p{i:06d}", f"org{o:02d}", ROLES[r], days=PATTERNS[d])
        for i, (o, r, d) in enumerate(zip(orgs, roles, days, strict=True))
    ]
    ids = [p.id for p in people]
    perm = rng.permutation(n)
    history = [PastPair(1, ids[a], ids[b]) for a, b in zip(perm[0::2], perm[1::2], strict=False)]
    return MatchRequest(people, history, seed=seed)


def run(req: MatchRequest, swaps: bool) -> tuple[float, object]:
    saved = engine.polish
    if not swaps:
        engine.polish = lambda ctx, rng, groups, upper: groups  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        result = match(req)
        return time.perf_counter() - start, result.score
    finally:
        engine.polish = saved


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    args = ap.parse_args()
    print("N        swaps  time s  same-org repeats tie value   org rep trio  days apart  one role")
    for n in args.sizes:
        req = request(n, 20, seed=n)
        for swaps in (False, True):
            seconds, sc = run(req, swaps)
            print(
                f"{n:<8} {'on ' if swaps else 'off'}  {seconds:6.2f}  {sc.same_org_pairs:8} "  # type: ignore[attr-defined]
                f"{sc.repeat_pairs:7} {sc.weak_tie_value:10.3f} {sc.org_repeats:8} "  # type: ignore[attr-defined]
                f"{sc.trio_recent:4} {sc.days_apart:11} {sc.same_role_pairs:9}"  # type: ignore[attr-defined]
            )


if __name__ == "__main__":
    main()
