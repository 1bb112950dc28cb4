"""Personal breadth (tier 5) when every organisation plan that is equally optimal on tiers
1-4 may be chosen, against the engine (which fixes one plan) and random shuffles.

The staged exact solver minimises tier 5 subject to tiers 1-4 at their optimum over every
arrangement, so it picks, among all equally optimal plans, the one that lets tier 5 do best.
On the demo-sized partnership it is slow (minutes a round): a measurement, not an engine.

Run: python benchmarks/breadth_plans.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching import DEMO_SIZES, _loop, _plan_floor, shuffle_groups

from bot.matching import MatchRequest, Participant, PastPair, match
from bot.matching.context import array_to_groups, build_context
from bot.matching.exact import solve_exact


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    people = [
        Participant(f"o{o}p{i:02d}", f"org{o}") for o, s in enumerate(DEMO_SIZES) for i in range(s)
    ]
    ids = [p.id for p in people]

    def exact(history: list[PastPair], r: int) -> list[tuple[str, ...]]:
        ctx = build_context(MatchRequest(people, history, seed=r))
        start = time.perf_counter()
        solved = solve_exact(ctx, np.arange(ctx.n), time_limit=600.0)
        print(f"  round {r}: proven {solved.proven}, {time.perf_counter() - start:.0f} s")
        return list(array_to_groups(ctx, solved.groups))

    engine, plans = _loop(
        people, args.rounds, lambda h, r: list(match(MatchRequest(people, h, seed=r)).groups)
    )
    print("every tier-1-4-optimal plan open to tier 5 (staged exact):")
    best, best_plans = _loop(people, args.rounds, exact)
    rng = np.random.default_rng(0)
    shuffled = [
        _loop(people, args.rounds, lambda h, r: shuffle_groups(ids, rng))[0]["org_repeats"]
        for _ in range(30)
    ]
    median = float(np.median(shuffled))
    for name, total, chosen in (("engine", engine, plans), ("all plans", best, best_plans)):
        print(
            f"{name:10} repeated-organisation meetings {total['org_repeats']:3}  "
            f"ratio to shuffle median ({median:.0f}) {total['org_repeats'] / median:.2f}  "
            f"same-org {total['same']}  repeats {total['repeats']}  "
            f"floor of its plans {_plan_floor(people, chosen)}"
        )


if __name__ == "__main__":
    main()
