"""Benchmark of the matcher: speed, memory, tiers, gap to proven bounds, baselines.

Run: python benchmarks/matching.py [--quick]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching import MatchRequest, Participant, PastPair, match, score


def population(n: int, k: int, big: float, rng: np.random.Generator) -> list[Participant]:
    w = 1.0 / np.arange(1, k + 1)
    w = w / w[1:].sum() * (1 - big)
    w[0] = big
    orgs = rng.choice(k, size=n, p=w)
    return [Participant(f"p{i:06d}", f"org{o:02d}") for i, o in enumerate(orgs)]


def shuffle_groups(ids: list[str], rng: np.random.Generator) -> list[tuple[str, ...]]:
    """Icebreaker-style baseline: shuffle, pair neighbours, last three form a trio if odd."""
    order = [ids[i] for i in rng.permutation(len(ids))]
    if len(order) < 2:
        return []
    groups = [tuple(order[i : i + 2]) for i in range(0, len(order) - 1, 2)]
    if len(order) % 2:
        groups[-1] = (*groups[-1], order[-1])
    return groups


def shuffle_history(ids: list[str], rounds: int, rng: np.random.Generator) -> list[PastPair]:
    hist: list[PastPair] = []
    arr = np.array(ids)
    for r in range(rounds):
        perm = arr[rng.permutation(len(arr))]
        m = len(perm) // 2 * 2
        hist.extend(PastPair(r + 1, a, b) for a, b in zip(perm[0:m:2], perm[1:m:2], strict=True))
    return hist


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rustworkx_time(req: MatchRequest) -> float | None:
    try:
        import rustworkx as rx
    except ImportError:
        return None
    people = list(req.participants)
    n = len(people)
    met = {frozenset((h.a, h.b)) for h in req.history}
    g = rx.PyGraph()
    g.add_nodes_from(range(n))
    edges = []
    for i in range(n):
        for j in range(i + 1, n):
            w = 1000
            if people[i].organisation == people[j].organisation:
                w -= 500
            if frozenset((people[i].id, people[j].id)) in met:
                w -= 100
            edges.append((i, j, w))
    g.add_edges_from(edges)
    t = time.perf_counter()
    rx.max_weight_matching(g, max_cardinality=True, weight_fn=lambda w: w)
    return time.perf_counter() - t


def run_case(n: int, k: int, big: float, rounds: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    people = population(n, k, big, rng)
    ids = [p.id for p in people]
    hist = shuffle_history(ids, rounds, rng)
    req = MatchRequest(people, hist, seed=seed)
    t = time.perf_counter()
    res = match(req)
    dt = time.perf_counter() - t
    base = score(shuffle_groups(ids, rng), req)
    b = res.bounds
    gap = None
    if b is not None and b.weak_tie_value not in (0.0, float("inf")):
        gap = 100.0 * (b.weak_tie_value - res.score.weak_tie_value) / b.weak_tie_value
    rx_t = rustworkx_time(req) if n <= 2000 else None
    return {
        "case": f"N={n} K={k} big={int(big * 100)}% R={rounds}",
        "time": dt,
        "rss": rss_mb(),
        "score": res.score,
        "bounds": b,
        "gap": gap,
        "base": base,
        "rx": rx_t,
    }


def simulate(max_rounds: int, seed: int = 0) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    people = population(400, 20, 0.45, rng)
    ids = [p.id for p in people]
    org = {p.id: p.organisation for p in people}
    k = len({p.organisation for p in people})
    need = k * (k - 1) // 2
    out = []
    for mode in ("ours", "shuffle"):
        hist: list[PastPair] = []
        linked: set[frozenset[str]] = set()
        r = 0
        while len(linked) < need and r < max_rounds:
            r += 1
            if mode == "ours":
                groups = list(match(MatchRequest(people, hist, seed=r)).groups)
            else:
                groups = shuffle_groups(ids, rng)
            for g in groups:
                for i in range(len(g)):
                    for j in range(i + 1, len(g)):
                        hist.append(PastPair(r, g[i], g[j]))
                        if org[g[i]] != org[g[j]]:
                            linked.add(frozenset((org[g[i]], org[g[j]])))
        out.append(r)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        cases = [
            (1000, 5, 0.30, 0),
            (1001, 20, 0.45, 10),
            (1000, 50, 0.55, 10),
            (10000, 20, 0.45, 10),
        ]
    else:
        cases = [
            (1000, 5, 0.30, 0),
            (1001, 20, 0.45, 10),
            (1000, 50, 0.55, 50),
            (10000, 20, 0.30, 10),
            (10001, 50, 0.45, 50),
            (10000, 5, 0.55, 0),
            (100000, 50, 0.45, 50),
            (100001, 20, 0.55, 10),
        ]
    hdr = (
        f"{'case':28} {'time s':>7} {'rss MB':>7} {'same':>6} {'lb':>6} {'rep':>4} "
        f"{'tie':>9} {'bound':>9} {'gap%':>6} {'t5':>3} | {'shuf same':>9} {'shuf rep':>8} "
        f"{'shuf tie':>9} | {'rx/ours':>7}"
    )
    print(hdr)
    print("-" * len(hdr))
    for n, k, big, rounds in cases:
        r = run_case(n, k, big, rounds, seed=1)
        s, b, base = r["score"], r["bounds"], r["base"]
        assert hasattr(s, "same_org_pairs") and hasattr(base, "same_org_pairs")
        gap = f"{r['gap']:.3f}" if r["gap"] is not None else "-"
        rx = f"{r['rx'] / r['time']:.1f}" if r["rx"] is not None else "-"
        lb = b.same_org_pairs if b is not None else "-"
        bound = f"{b.weak_tie_value:.2f}" if b is not None else "-"
        print(
            f"{r['case']:28} {r['time']:7.2f} {r['rss']:7.0f} {s.same_org_pairs:6d} {lb:>6} "
            f"{s.repeat_pairs:4d} {s.weak_tie_value:9.2f} {bound:>9} {gap:>6} {s.trio_recent:3d} | "
            f"{base.same_org_pairs:9d} {base.repeat_pairs:8d} {base.weak_tie_value:9.2f} | {rx:>7}",
            flush=True,
        )
    ours, shuf = simulate(60 if args.quick else 200)
    print(
        f"\nclosed loop (400 people, 20 organisations, largest 45%): rounds until every "
        f"organisation pair is linked: ours {ours}, shuffle {shuf}"
    )


if __name__ == "__main__":
    main()
