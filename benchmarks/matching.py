"""Benchmark of the matcher: speed, memory, tiers, gap to proven bounds, baselines.

Run: python benchmarks/matching.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import asdict
from itertools import combinations, permutations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching import MatchRequest, Participant, PastPair, match, score
from bot.matching.context import build_context


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


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def run_case(
    n: int, k: int, big: float, rounds: int, seed: int, rx: bool = True
) -> dict[str, object]:
    """One benchmark case; meant to run in its own process (see main)."""
    rng = np.random.default_rng(seed)
    people = population(n, k, big, rng)
    ids = [p.id for p in people]
    hist = shuffle_history(ids, rounds, rng)
    req = MatchRequest(people, hist, seed=seed)
    gc.collect()
    # Peak RSS is reset once the input exists, so the figure is what matching adds on top.
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    rss_before = _status_kb("VmRSS")
    t = time.perf_counter()
    res = match(req)
    dt = time.perf_counter() - t
    rss_growth = (_status_kb("VmHWM") - rss_before) / 1024.0
    del res
    gc.collect()
    tracemalloc.start()
    res = match(req)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    base = score(shuffle_groups(ids, rng), req)
    b = res.bounds
    gap = None
    if b is not None and math.isfinite(b.weak_tie_value) and b.weak_tie_value > 0:
        gap = max(0.0, 100.0 * (b.weak_tie_value - res.score.weak_tie_value) / b.weak_tie_value)
    ctx = build_context(req)
    trio = [g for g in res.groups if len(g) == 3]
    back_to_back = sum(int(ctx.trio_last[ctx.index[p]]) for g in trio for p in g)
    rx_t = rustworkx_time(req) if rx and n <= 2000 else None
    return {
        "case": f"N={n} K={k} big={round(big * 100)}% R={rounds}",
        "n": n,
        "k": k,
        "big": big,
        "rounds": rounds,
        "time": dt,
        "traced_mb": traced,
        "rss_growth_mb": rss_growth,
        "score": asdict(res.score),
        "bounds": asdict(b) if b is not None else None,
        "gap": gap,
        "back_to_back": back_to_back,
        "base": asdict(base),
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


GRID_N = (1000, 10000, 100000)
GRID_K = (5, 20, 50)
GRID_BIG = (0.30, 0.45, 0.55)
GRID_R = (0, 10, 50)


def cases(quick: bool) -> list[tuple[int, int, float, int]]:
    """The full grid; the 45 % populations get one extra person so that odd counts are covered."""
    if quick:
        return [
            (1000, 5, 0.30, 0),
            (1001, 20, 0.45, 10),
            (1000, 50, 0.55, 10),
            (10001, 50, 0.45, 50),
        ]
    return [
        (n + (1 if big == 0.45 else 0), k, big, r)
        for n in GRID_N
        for k in GRID_K
        for big in GRID_BIG
        for r in GRID_R
    ]


def _row(r: dict[str, object]) -> str:
    s = r["score"]
    b = r["bounds"]
    base = r["base"]
    assert isinstance(s, dict) and isinstance(base, dict)
    assert b is None or isinstance(b, dict)
    gap = r["gap"]
    gap_s = f"{gap:.4f}" if isinstance(gap, float) else "-"
    rx = r["rx"]
    t = r["time"]
    assert isinstance(t, float)
    rx_s = f"{rx / t:.1f}" if isinstance(rx, float) else "-"
    lb = b["same_org_pairs"] if b is not None else "-"
    bound = f"{b['weak_tie_value']:.3f}" if b is not None else "-"
    org_lb = b["org_repeats"] if b is not None else "-"
    return (
        f"| {r['case']} | {t:.2f} | {r['traced_mb']:.0f} | {r['rss_growth_mb']:.0f} | "
        f"{s['same_org_pairs']} | {lb} | {s['repeat_pairs']} | {s['weak_tie_value']:.3f} | "
        f"{bound} | {gap_s} | {s['org_repeats']} | {org_lb} | "
        f"{s['trio_recent']}/{r['back_to_back']} | "
        f"{base['same_org_pairs']} | {base['repeat_pairs']} | {base['weak_tie_value']:.3f} | "
        f"{base['org_repeats']} | {rx_s} |"
    )


HEADER = (
    "| case | time s | traced MB | RSS growth MB | same | same lb | repeats | tie value | "
    "tie bound | gap % | org rep | org rep lb | trio recent/last | shuffle same | "
    "shuffle repeats | shuffle tie | shuffle org rep | rx/ours |\n|" + "---|" * 18
)

DEMO_SIZES = (16, 10, 9, 7, 4, 3)  # a partnership the size of `crossties demo`


def _loop(
    people: list[Participant], rounds: int, pick: object
) -> tuple[dict[str, int], list[list[tuple[str, ...]]]]:
    """Run rounds, feeding each back as history; totals of tiers 2, 3 and 5."""
    assert callable(pick)
    hist: list[PastPair] = []
    total = Counter(same=0, repeats=0, org_repeats=0)
    plans = []
    for r in range(1, rounds + 1):
        groups = pick(hist, r)
        sc = score(groups, MatchRequest(people, hist))
        total.update(same=sc.same_org_pairs, repeats=sc.repeat_pairs, org_repeats=sc.org_repeats)
        hist += [PastPair(r, a, b) for g in groups for a, b in combinations(g, 2)]
        plans.append(groups)
    return dict(total), plans


def _plan_floor(people: list[Participant], plans: list[list[tuple[str, ...]]]) -> int:
    """Fewest repeated-organisation meetings of any rounds with these organisation plans.

    Over the rounds, the people of x meet y in `places` person-rounds; at most
    min(size of x, places) of them can be a person's first round with y, and every other
    one is at least one meeting with an organisation already met.
    """
    org = {p.id: p.organisation for p in people}
    size = Counter(org.values())
    places: Counter[tuple[str, str]] = Counter()
    for groups in plans:
        seen = {(a, org[b]) for g in groups for a, b in permutations(g, 2) if org[a] != org[b]}
        places.update((org[a], y) for a, y in seen)
    return sum(p - min(size[x], p) for (x, _), p in places.items())


def breadth(rounds: int = 5, shuffles: int = 30) -> dict[str, float]:
    """Tier 5 on a demo-sized partnership over several rounds, against random shuffles."""
    people = [
        Participant(f"o{o}p{i:02d}", f"org{o}") for o, s in enumerate(DEMO_SIZES) for i in range(s)
    ]
    ids = [p.id for p in people]
    ours, plans = _loop(
        people, rounds, lambda h, r: list(match(MatchRequest(people, h, seed=r)).groups)
    )
    rng = np.random.default_rng(0)
    shuffled = [
        _loop(people, rounds, lambda h, r: shuffle_groups(ids, rng))[0]["org_repeats"]
        for _ in range(shuffles)
    ]
    median = float(np.median(shuffled))
    return {
        "ours": ours["org_repeats"],
        "same": ours["same"],
        "repeats": ours["repeats"],
        "shuffle_median": median,
        "ratio": ours["org_repeats"] / median,
        "floor": _plan_floor(people, plans),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--case", nargs=4, metavar=("N", "K", "BIG", "ROUNDS"))
    ap.add_argument("--json", metavar="FILE", help="also write every result as JSON lines")
    ap.add_argument("--no-rx", action="store_true", help="skip the rustworkx timing")
    args = ap.parse_args()
    if args.case:
        n, k, big, rounds = args.case
        result = run_case(int(n), int(k), float(big), int(rounds), seed=1, rx=not args.no_rx)
        print(json.dumps(result))
        return
    out = open(args.json, "w", encoding="utf-8") if args.json else None  # noqa: SIM115
    print(HEADER, flush=True)
    for n, k, big, rounds in cases(args.quick):
        proc = subprocess.run(
            [sys.executable, __file__, "--case", str(n), str(k), str(big), str(rounds)]
            + (["--no-rx"] if args.no_rx else []),
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if out is not None:
            out.write(json.dumps(result) + "\n")
            out.flush()
        print(_row(result), flush=True)
    ours, shuf = simulate(60 if args.quick else 200)
    print(
        f"\nclosed loop (400 people, 20 organisations, largest 45%): rounds until every "
        f"organisation pair is linked: ours {ours}, shuffle {shuf}"
    )
    b = breadth()
    print(
        f"\npersonal breadth ({sum(DEMO_SIZES)} people, organisations of "
        f"{', '.join(map(str, DEMO_SIZES))}; 5 rounds fed back as history): meetings with an "
        f"organisation already met: ours {b['ours']:.0f}, shuffle {b['shuffle_median']:.0f} "
        f"(median of 30), ratio {b['ratio']:.2f}; same-organisation pairs {b['same']:.0f}, "
        f"repeated pairs {b['repeats']:.0f}; floor for these organisation plans {b['floor']:.0f}"
    )


if __name__ == "__main__":
    main()
