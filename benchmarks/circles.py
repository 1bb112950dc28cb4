"""Benchmark of circle matching: speed, memory, organisation mix against its bound.

Sign-ups across 20 organisations (largest 30 %, the rest falling off as 1/rank), eight
roles, six affected organisations, circles of 4-6; everyone's past circle-mates are those
of a previous, shuffled round. The baseline, measured in the same run, shuffles everyone
and deals them into circles of the same sizes.

Run: python benchmarks/circles.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching.circles import (
    CircleSignup,
    circle_count,
    form_circles,
    score_circles,
)

ORGS = 20
AFFECTED = frozenset(f"org{o:02d}" for o in range(0, 12, 2))
TIME_LIMIT = 5.0
MEMORY_LIMIT = 1 << 30


def population(n: int, big: float, roles: int, rng: random.Random) -> list[CircleSignup]:
    rest = [1.0 / r for r in range(2, ORGS + 1)]
    weights = [big] + [w / sum(rest) * (1 - big) for w in rest]
    orgs = rng.choices(range(ORGS), weights, k=n)
    people = [
        CircleSignup(f"p{i:06d}", f"org{o:02d}", f"role{rng.randrange(roles)}")
        for i, o in enumerate(orgs)
    ]
    # everyone sat in a circle last time (a shuffled one): those are their past mates
    previous = shuffle_circles([p.id for p in people], random.Random(rng.random()))
    mates = {i: frozenset(c) - {i} for c in previous for i in c}
    return [
        CircleSignup(p.id, p.organisation, p.role, mates.get(p.id, frozenset())) for p in people
    ]


def shuffle_circles(ids: list[str], rng: random.Random) -> list[list[str]]:
    m, k = circle_count(len(ids), 4, 6)
    order = ids[:]
    rng.shuffle(order)
    return [order[j:m:k] for j in range(k)]


def run(n: int, roles: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    people = population(n, 0.30, roles, rng)
    ids = [p.id for p in people]
    t = time.perf_counter()
    base = shuffle_circles(ids, random.Random(seed))
    t_base = time.perf_counter() - t
    b_cov, b_same, b_role, b_rep = score_circles(base, people, AFFECTED)

    t = time.perf_counter()
    res = form_circles(people, AFFECTED, seed=seed)
    elapsed = time.perf_counter() - t
    tracemalloc.start()  # a second, traced run: tracing slows the first one down
    again = form_circles(people, AFFECTED, seed=seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again == res, "not deterministic for a seed"
    return {
        "n": n,
        "roles": roles,
        "circles": len(res.circles),
        "time": elapsed,
        "peak_mb": peak / 2**20,
        "coverage": res.coverage,
        "coverage_bound": res.coverage_bound,
        "same_org": res.same_org_pairs,
        "same_org_bound": res.same_org_bound,
        "gap": res.gap,
        "same_role": res.same_role_pairs,
        "role_bound": res.same_role_bound,
        "repeats": res.repeat_pairs,
        "base_time": t_base,
        "base_coverage": b_cov,
        "base_same_org": b_same,
        "base_same_role": b_role,
        "base_repeats": b_rep,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only 1,000 sign-ups")
    args = parser.parse_args()
    sizes = [1_000] if args.quick else [1_000, 10_000]
    head = (
        "| sign-ups | roles | seed | circles | time s | peak MB | coverage / bound | "
        "same-org / bound | gap | same-role / bound | repeats | shuffle: coverage | "
        "same-org | same-role | repeats | time s |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    ok = True
    ratios: list[str] = []
    for n, roles, seed in itertools.product(sizes, (8, 3), (1, 2, 3)):
        r = run(n, roles, seed)
        print(
            f"| {n:,} | {roles} | {seed} | {r['circles']} | {r['time']:.2f} | {r['peak_mb']:.0f} | "
            f"{r['coverage']:.0f} / {r['coverage_bound']:.0f} | "
            f"{r['same_org']:.0f} / {r['same_org_bound']:.0f} | {r['gap']:.2%} | "
            f"{r['same_role']:.0f} / {r['role_bound']:.0f} | {r['repeats']:.0f} | "
            f"{r['base_coverage']:.0f} | {r['base_same_org']:.0f} | "
            f"{r['base_same_role']:.0f} | {r['base_repeats']:.0f} | {r['base_time']:.3f} |"
        )
        ok &= r["gap"] == 0.0 and r["peak_mb"] * 2**20 < MEMORY_LIMIT
        ok &= n < 10_000 or r["time"] < TIME_LIMIT
        if seed == 1:
            ratios.append(
                f"{n:,} sign-ups, {roles} roles, ours against the shuffle: "
                f"coverage x{r['coverage'] / r['base_coverage']:.2f}, "
                f"same-org pairs x{r['same_org'] / max(r['base_same_org'], 1):.2f}, "
                f"same-role pairs x{r['same_role'] / max(r['base_same_role'], 1):.2f}, "
                f"repeats x{r['repeats'] / max(r['base_repeats'], 1):.2f}, "
                f"time x{r['time'] / max(r['base_time'], 1e-9):.0f}"
            )
    print()
    print("\n".join(ratios))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the whole benchmark process: {rss:.0f} MB")
    ok &= rss * 2**20 < MEMORY_LIMIT
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
