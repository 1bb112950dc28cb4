"""Closed loop: how fast the network that actually forms reaches every organisation pair.

400 people in 20 organisations (the largest holds 45 %), round after round. Each round 10 %
of people are paused, 70 % of introductions are met, and every round is fed back as history.
Counted: rounds until every pair of organisations has at least one tie that happened (met),
for three ways of choosing the groups, with the same random outcomes drawn for each:

- met ties: the matcher, history rows carrying `met` (tier 4 counts only ties that happened);
- introductions: the matcher, every introduction passed as met (tier 4 counts introductions);
- shuffle: random pairs (last three form a trio when the count is odd).

Run: python benchmarks/closed_loop.py [--seeds N] [--max-rounds R]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.matching import population, shuffle_groups
from bot.matching import MatchRequest, Participant, PastPair, match

PEOPLE = 400
ORGANISATIONS = 20
LARGEST = 0.45
MET_RATE = 0.70
PAUSED = 0.10

Chooser = Callable[[list[Participant], list[PastPair], int], list[tuple[str, ...]]]


def _matcher(count_met_only: bool) -> Chooser:
    def choose(people: list[Participant], hist: list[PastPair], r: int) -> list[tuple[str, ...]]:
        if not count_met_only:
            hist = [PastPair(h.round, h.a, h.b, h.org_a, h.org_b) for h in hist]
        return list(match(MatchRequest(people, hist, seed=r)).groups)

    return choose


def _shuffle(seed: int) -> Chooser:
    rng = np.random.default_rng(seed + 10_000)

    def choose(people: list[Participant], hist: list[PastPair], r: int) -> list[tuple[str, ...]]:
        del hist, r
        return shuffle_groups([p.id for p in people], rng)

    return choose


def rounds_until_linked(choose: Chooser, seed: int, max_rounds: int) -> int:
    """Rounds until every organisation pair has a met tie (max_rounds + 1 if never)."""
    rng = np.random.default_rng(seed)
    people = population(PEOPLE, ORGANISATIONS, LARGEST, rng)
    org = {p.id: p.organisation for p in people}
    need = len(set(org.values())) * (len(set(org.values())) - 1) // 2
    outcomes = np.random.default_rng(seed + 1)  # the same draws whatever the groups are
    hist: list[PastPair] = []
    linked: set[frozenset[str]] = set()
    for r in range(1, max_rounds + 1):
        active = [p for p in people if outcomes.random() >= PAUSED]
        groups = choose(active, hist, r)
        met_draws = outcomes.random(len(groups)) < MET_RATE
        for g, met in zip(groups, met_draws.tolist(), strict=True):
            for a, b in combinations(g, 2):
                hist.append(PastPair(r, a, b, org[a], org[b], met=met))
                if met and org[a] != org[b]:
                    linked.add(frozenset((org[a], org[b])))
        if len(linked) == need:
            return r
    return max_rounds + 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--max-rounds", type=int, default=400)
    args = ap.parse_args()
    modes: list[tuple[str, Callable[[int], Chooser]]] = [
        ("met ties", lambda s: _matcher(True)),
        ("introductions", lambda s: _matcher(False)),
        ("shuffle", _shuffle),
    ]
    print(
        f"closed loop: {PEOPLE} people, {ORGANISATIONS} organisations (largest "
        f"{LARGEST:.0%}), {MET_RATE:.0%} of introductions met, {PAUSED:.0%} paused each round"
    )
    print("rounds until every organisation pair has a met tie\n")
    print("| seed | " + " | ".join(name for name, _ in modes) + " |")
    print("|---|" + "---|" * len(modes))
    results: dict[str, list[int]] = {name: [] for name, _ in modes}
    started = time.perf_counter()
    for seed in range(args.seeds):
        row = []
        for name, make in modes:
            n = rounds_until_linked(make(seed), seed, args.max_rounds)
            results[name].append(n)
            row.append(str(n) if n <= args.max_rounds else f">{args.max_rounds}")
        print(f"| {seed} | " + " | ".join(row) + " |", flush=True)
    medians = [f"{np.median(results[name]):.0f}" for name, _ in modes]
    print("| median | " + " | ".join(medians) + " |")
    met, intro = np.median(results["met ties"]), np.median(results["introductions"])
    print(
        f"\ncounting met ties needs {met / intro:.2f}x the rounds of counting introductions, "
        f"{met / np.median(results['shuffle']):.2f}x a shuffle's "
        f"({time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
