"""Organisation-level plan for pairs mode.

People of one organisation are interchangeable for tiers 2 and 4, so the best achievable
values depend only on how many pairs join each two organisations. The plan is a concave
b-matching on organisations: counts c_XY with sum_Y c_XY + 2 c_XX = size_X. The relaxation
and its proven bound live in relax.py (and trio.py for odd counts); here the fractional
plan is rounded, completed and improved by exchanging pairs of organisation pairs.
"""

from __future__ import annotations

import itertools

import numpy as np

from .context import FloatArray, IntArray, harmonic


def same_org_after(sizes: IntArray, tau: IntArray | None) -> int:
    """Fewest same-organisation pairs once a trio with organisation counts tau is formed."""
    s = sizes.astype(np.int64).copy()
    trio_same = 0
    if tau is not None:
        s = s - tau
        trio_same = int(np.sum(tau * (tau - 1) // 2))
    rest = int(s.sum())
    biggest = int(s.max(initial=0))
    return trio_same + max(0, 2 * biggest - rest) // 2


def trio_candidates(sizes: IntArray) -> list[IntArray]:
    """Organisation compositions of a trio drawn from the three largest organisations."""
    k = sizes.size
    top = np.argsort(-sizes, kind="stable")[: min(3, k)]
    out: list[IntArray] = []
    for combo in itertools.combinations_with_replacement(top.tolist(), 3):
        tau = np.bincount(np.array(combo), minlength=k).astype(np.int64)
        if np.all(tau <= sizes):
            out.append(tau)
    return out


def min_same_org(sizes: IntArray, odd_trio: bool) -> int:
    """Closed-form optimum of tier 2 (ignoring exclusions, which can only raise it)."""
    if not odd_trio:
        return same_org_after(sizes, None)
    return min(same_org_after(sizes, tau) for tau in trio_candidates(sizes))


def _value(ties: FloatArray, x: int, y: int, c: int) -> float:
    if x == y or c <= 0:
        return 0.0
    t = ties[x, y]
    return float(harmonic(c + t) - harmonic(t))


def plan_value(counts: IntArray, ties: FloatArray) -> float:
    k = counts.shape[0]
    iu, ju = np.triu_indices(k, 1)
    c = counts[iu, ju].astype(np.float64)
    t = ties[iu, ju]
    m = c > 0
    return float(np.sum(harmonic(c[m] + t[m]) - harmonic(t[m])))


def integer_plan(
    sizes: IntArray, ties: FloatArray, same_cap: int, frac: FloatArray | None
) -> IntArray:
    """Round a fractional plan (or start empty), complete the degrees, then improve it."""
    k = sizes.size
    c = np.zeros((k, k), dtype=np.int64)
    if frac is not None:
        c = np.floor(frac + 1e-7).astype(np.int64)
    _complete(c, sizes, ties, same_cap)
    _improve(c, ties)
    return c


def _degrees(c: IntArray) -> IntArray:
    full = c + c.T
    return np.asarray(full.sum(axis=1), dtype=np.int64)  # diagonal counted twice


def _complete(c: IntArray, sizes: IntArray, ties: FloatArray, same_cap: int) -> None:
    k = sizes.size
    resid = sizes - _degrees(c)
    while np.any(resid < 0):  # rounding never overshoots, but keep the plan consistent
        x = int(np.argmax(resid < 0))
        row = np.where(np.arange(k) >= x, c[x, :], c[:, x])
        y = int(np.argmax(row))
        lo, hi = min(x, y), max(x, y)
        c[lo, hi] -= 1
        resid = sizes - _degrees(c)
    while resid.sum() > 0:
        open_orgs = np.flatnonzero(resid > 0)
        if open_orgs.size >= 2:
            sub = ties[np.ix_(open_orgs, open_orgs)]
            cur = c[np.ix_(open_orgs, open_orgs)]
            cur = cur + cur.T
            gain = 1.0 / (sub + cur + 1.0)
            np.fill_diagonal(gain, -1.0)
            i, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
            x, y = int(open_orgs[i]), int(open_orgs[j])
            c[min(x, y), max(x, y)] += 1
            resid[x] -= 1
            resid[y] -= 1
            continue
        x = int(open_orgs[0])
        # break an existing pair (y, z) not involving x into (x, y) and (x, z)
        best = None
        best_gain = -np.inf
        for y, z in zip(*np.nonzero(c), strict=True):
            y, z = int(y), int(z)
            if x in (y, z):
                continue
            g = (
                _gain(c, ties, x, y)
                + _gain(c, ties, x, z)
                - (0.0 if y == z else 1.0 / (ties[y, z] + c[y, z]))
            )
            if g > best_gain:
                best_gain, best = g, (y, z)
        if best is not None:
            y, z = best
            c[y, z] -= 1
            c[min(x, y), max(x, y)] += 1
            c[min(x, z), max(x, z)] += 1
            resid[x] -= 2
            continue
        c[x, x] += 1
        resid[x] -= 2


def _gain(c: IntArray, ties: FloatArray, x: int, y: int) -> float:
    if x == y:
        return 0.0
    lo, hi = min(x, y), max(x, y)
    return float(1.0 / (ties[lo, hi] + c[lo, hi] + 1.0))


def _improve(c: IntArray, ties: FloatArray, rounds: int = 60) -> None:
    """Exchange moves (A,B)+(C,D) -> (A,C)+(B,D) or (A,D)+(B,C) while they gain value."""
    tsym = ties  # already symmetric
    for _ in range(rounds):
        a_idx, b_idx = np.nonzero(c)
        p = a_idx.size
        if p < 1:
            return
        cs = c + c.T - np.diag(np.diag(c))
        diag = a_idx == b_idx
        loss = np.where(diag, 0.0, 1.0 / (tsym[a_idx, b_idx] + cs[a_idx, b_idx]))
        i, j = np.triu_indices(p, 0)
        keep = (i != j) | (c[a_idx, b_idx][i] >= 2)
        i, j = i[keep], j[keep]
        base = loss[i] + loss[j]
        applied = 0
        for x1, y1, x2, y2 in (
            (a_idx[i], a_idx[j], b_idx[i], b_idx[j]),
            (a_idx[i], b_idx[j], b_idx[i], a_idx[j]),
        ):
            g1 = np.where(x1 == y1, 0.0, 1.0 / (tsym[x1, y1] + cs[x1, y1] + 1.0))
            g2 = np.where(x2 == y2, 0.0, 1.0 / (tsym[x2, y2] + cs[x2, y2] + 1.0))
            new_diag = (x1 == y1).astype(np.int64) + (x2 == y2)
            old_diag = diag[i].astype(np.int64) + diag[j]
            delta = g1 + g2 - base
            ok = (delta > 1e-12) & (new_diag <= old_diag)
            cand = np.flatnonzero(ok)
            if cand.size == 0:
                continue
            order = cand[np.argsort(-delta[cand], kind="stable")][:400]
            for q in order.tolist():
                old = [(int(a_idx[i[q]]), int(b_idx[i[q]])), (int(a_idx[j[q]]), int(b_idx[j[q]]))]
                new = [(int(x1[q]), int(y1[q])), (int(x2[q]), int(y2[q]))]
                if _try_move(c, ties, old, new):
                    applied += 1
        if applied == 0:
            return


def _try_move(
    c: IntArray, ties: FloatArray, old: list[tuple[int, int]], new: list[tuple[int, int]]
) -> bool:
    old_n = [(min(a, b), max(a, b)) for a, b in old]
    new_n = [(min(a, b), max(a, b)) for a, b in new]
    need: dict[tuple[int, int], int] = {}
    for key in old_n:
        need[key] = need.get(key, 0) + 1
    for key, cnt in need.items():
        if c[key] < cnt:
            return False
    touched = set(old_n) | set(new_n)
    before = sum(_value(ties, x, y, int(c[x, y])) for x, y in touched)
    for key in old_n:
        c[key] -= 1
    for key in new_n:
        c[key] += 1
    after = sum(_value(ties, x, y, int(c[x, y])) for x, y in touched)
    if after > before + 1e-12:
        return True
    for key in new_n:
        c[key] -= 1
    for key in old_n:
        c[key] += 1
    return False
