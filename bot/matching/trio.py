"""Organisation plan for an odd count: choose the trio's organisations and the pairs together.

A trio with organisation counts tau (three people) takes tau from the sizes and adds its
own pairs, d(tau), to this round's counts. For a given tau the rest is an even plan, so

    V(tau) = d-part + plan value of (sizes - tau) with past ties t + d(tau).

Every tau that keeps tier 2 optimal is considered (branch and bound):
- if the rest still has a majority organisation, its plan is forced (everyone else pairs
  with it) and V(tau) is computed exactly;
- otherwise any prices lam give the Lagrangian upper bound
  L(tau; lam) = lam.(sizes - tau) + sum_p g_p(lam; t_p + d_p(tau)) + d-part,
  which changes from one tau to another only on the trio's (at most three) pairs, so it is
  evaluated for all of them at once. The tau with the highest bound is solved (relaxation,
  then an integer plan); its prices tighten every other bound. The search stops when the
  best bound belongs to a solved tau or no bound exceeds the best plan found.
The proven bound on tier 4 is the highest remaining bound over all tau.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .context import FloatArray, IntArray, harmonic
from .integer import prove_plan
from .plan import integer_plan
from .relax import best_counts, relax

MAX_SOLVES = 24  # relaxations per round at most; the bound stays valid if it is reached


@dataclass
class OddPlan:
    plan: IntArray  # K x K plan of the pairs (upper triangle, diagonal = same pairs)
    trio_orgs: list[int]
    value: float  # weak-tie value of the whole round's plan (trio included)
    bound: float  # proven upper bound over every trio choice
    solved: int  # how many trio choices needed a relaxation


def _trio_pairs(combos: IntArray, k: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """(tau index, x, y, d) for each cross-organisation pair inside each trio choice."""
    rows = []
    for i, j in ((0, 1), (0, 2), (1, 2)):
        x, y = combos[:, i], combos[:, j]
        cross = x != y
        rows.append(np.stack([np.flatnonzero(cross), x[cross], y[cross]], axis=1))
    allr = np.concatenate(rows)
    code = (allr[:, 0] * k + allr[:, 1]) * k + allr[:, 2]
    uniq, d = np.unique(code, return_counts=True)
    tau_idx = uniq // (k * k)
    x = (uniq // k) % k
    y = uniq % k
    return tau_idx, x, y, d.astype(np.int64)


def odd_plan(sizes: IntArray, ties: FloatArray, s_star: int, eligible: IntArray) -> OddPlan:
    k = sizes.size
    combos = np.array(list(itertools.combinations_with_replacement(range(k), 3)), dtype=np.int64)
    taus = np.zeros((combos.shape[0], k), dtype=np.int64)
    for j in range(3):
        np.add.at(taus, (np.arange(combos.shape[0]), combos[:, j]), 1)
    trio_same = np.sum(taus * (taus - 1) // 2, axis=1)
    rest = sizes[None, :] - taus
    forced = np.maximum(0, 2 * rest.max(axis=1) - rest.sum(axis=1)) // 2
    valid = np.all(rest >= 0, axis=1) & (trio_same + forced == s_star)
    combos, taus, rest = combos[valid], taus[valid], rest[valid]
    trio_same, forced = trio_same[valid], forced[valid]
    m = combos.shape[0]
    ti, px, py, pd = _trio_pairs(combos, k)
    t_p = ties[px, py]
    trio_value = np.bincount(ti, weights=harmonic(t_p + pd) - harmonic(t_p), minlength=m)
    short = np.sum(np.maximum(taus - eligible[None, :], 0), axis=1)

    upper = np.full(m, np.inf)
    value = np.full(m, -np.inf)
    plans: dict[int, IntArray] = {}
    is_forced = forced > 0
    if is_forced.any():
        idx = np.flatnonzero(is_forced)
        big = np.argmax(rest[idx], axis=1)
        d_big = np.zeros((idx.size, k))
        pos = {int(v): i for i, v in enumerate(idx.tolist())}
        for a, x, y, d in zip(ti.tolist(), px.tolist(), py.tolist(), pd.tolist(), strict=True):
            r = pos.get(a)
            if r is None:
                continue
            b = int(big[r])
            if x == b:
                d_big[r, y] += d
            elif y == b:
                d_big[r, x] += d
        t_big = ties[big] + d_big
        cnt = rest[idx].astype(np.float64)
        cnt[np.arange(idx.size), big] = 0.0
        exact = np.sum(harmonic(t_big + cnt) - harmonic(t_big), axis=1) + trio_value[idx]
        upper[idx] = exact
        value[idx] = exact

    iu, ju = np.triu_indices(k, 1)
    caps = np.minimum(sizes[iu], sizes[ju]).astype(np.float64)
    t_all = ties[iu, ju]
    pair_id = np.full((k, k), -1, dtype=np.int64)
    pair_id[iu, ju] = np.arange(iu.size)
    tp_id = pair_id[px, py]

    def lagrangian(lam: FloatArray) -> FloatArray:
        _, g = best_counts(lam[iu] + lam[ju], t_all, caps)
        _, g2 = best_counts(lam[px] + lam[py], t_p + pd, caps[tp_id])
        corr = np.bincount(ti, weights=g2 - g[tp_id], minlength=m)
        return np.asarray(rest @ lam + g.sum() + corr + trio_value, dtype=np.float64)

    solved = is_forced.copy()
    lam: FloatArray | None = None
    counts: FloatArray | None = None
    n_solved = 0
    while True:
        order = np.lexsort((short, -upper))
        i = int(order[0])
        best_value = float(value.max(initial=-np.inf))
        if solved[i] or upper[i] <= best_value + 1e-9 * max(1.0, abs(best_value)):
            break
        if n_solved >= MAX_SOLVES:
            break
        ties2 = ties.copy()
        sel = ti == i
        for x, y, d in zip(px[sel].tolist(), py[sel].tolist(), pd[sel].tolist(), strict=True):
            ties2[x, y] += d
            ties2[y, x] += d
        n_solved += 1
        solved[i] = True
        rel = relax(rest[i], ties2, start_lam=lam, start_counts=counts)
        if rel is None:  # cannot happen for a valid non-forced choice; keep the search sound
            continue
        lam, counts = rel.lam, rel.counts
        upper = np.minimum(upper, lagrangian(lam))
        upper[i] = min(upper[i], rel.bound + trio_value[i])
        plan = integer_plan(rest[i], ties2, 0, rel.counts)
        plan, rest_value, rest_bound = prove_plan(rest[i], ties2, rel.lam, plan)
        value[i] = rest_value + trio_value[i]
        upper[i] = min(upper[i], rest_bound + trio_value[i])
        plans[i] = plan

    best = float(value.max())
    ties_best = np.flatnonzero(value >= best - 1e-12 * max(1.0, abs(best)))
    pick = int(ties_best[np.argmin(short[ties_best])])
    plan = plans[pick] if pick in plans else forced_plan(rest[pick], int(forced[pick]))
    trio_orgs = combos[pick].tolist()
    return OddPlan(
        plan=plan,
        trio_orgs=[int(x) for x in trio_orgs],
        value=best,
        bound=float(max(upper.max(), best)),
        solved=n_solved,
    )


def forced_plan(rest: IntArray, same: int) -> IntArray:
    k = rest.size
    b = int(np.argmax(rest))
    plan = np.zeros((k, k), dtype=np.int64)
    for y in range(k):
        if y != b:
            plan[min(b, y), max(b, y)] = rest[y]
    plan[b, b] = same
    return plan
