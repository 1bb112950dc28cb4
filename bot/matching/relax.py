"""Relaxation of the organisation plan and its proven upper bound on the weak-tie value.

With no same-organisation pairs allowed, the plan is: counts c_p >= 0 for each organisation
pair p = (x, y), with sum over y of c_xy = size_x, maximising sum_p F_p(c_p) where
F_p(c) = 1/(t_p+1) + ... + 1/(t_p+c) is concave. For any prices lam (one per organisation),
Lagrangian duality gives

    V* <= D(lam) = lam . sizes + sum_p g_p(lam_x + lam_y),
    g_p(q) = max over integers 0 <= c <= cap_p of F_p(c) - q c,

and g_p has a closed form (take every unit whose marginal 1/(t_p+k) exceeds q). D(lam) is
an upper bound for every lam, so the bound never depends on a solver's accuracy. Good
prices come from a smooth version of D (Newton steps), polished by an exact linear
programme restricted to a window of counts around the smooth solution; the window grows
until no count sits on an artificial edge, at which point the windowed programme is the
full one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from .context import FloatArray, IntArray, harmonic

WINDOW = 6
TOLERANCE = 1e-7  # relative distance between the relaxation and its bound that is enough


def best_counts(q: FloatArray, t: FloatArray, cap: FloatArray) -> tuple[FloatArray, FloatArray]:
    """argmax and max over integers 0 <= c <= cap of H(t+c) - H(t) - q c."""
    safe = np.where(q > 0, q, 1.0)
    raw = np.where(q > 0, np.ceil(1.0 / safe - t) - 1.0, cap)
    c = np.clip(raw, 0.0, cap)
    best_c = c
    best_v = harmonic(t + c) - harmonic(t) - q * c
    for dc in (-1.0, 1.0):
        c2 = np.clip(c + dc, 0.0, cap)
        v2 = harmonic(t + c2) - harmonic(t) - q * c2
        better = v2 > best_v + 1e-15
        best_c = np.where(better, c2, best_c)
        best_v = np.where(better, v2, best_v)
    return best_c, best_v


def dual_bound(
    lam: FloatArray, sizes: IntArray, t: FloatArray, caps: FloatArray, iu: IntArray, ju: IntArray
) -> float:
    """D(lam): a proven upper bound on the plan's weak-tie value for any prices lam."""
    _, g = best_counts(lam[iu] + lam[ju], t, caps)
    return float(lam @ sizes.astype(np.float64) + g.sum())


@dataclass
class Relaxation:
    value: float  # optimum of the (windowed) linear programme
    bound: float  # proven upper bound D(lam)
    counts: FloatArray  # K x K fractional counts, upper triangle
    lam: FloatArray  # prices


def smooth_prices(
    sizes: IntArray,
    t: FloatArray,
    caps: FloatArray,
    iu: IntArray,
    ju: IntArray,
    start: FloatArray | None = None,
) -> FloatArray:
    """Minimise a smooth version of D (marginal 1/(t+c+1/2) on a continuous c) by Newton steps.

    Only the starting point of the exact step depends on this, never the bound.
    """
    k = sizes.size
    s = sizes.astype(np.float64)
    total = max(float(s.sum()), 1.0)

    def parts(lam: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        q = lam[iu] + lam[ju]
        pos = q > 0
        safe = np.where(pos, q, 1.0)
        c = np.clip(np.where(pos, 1.0 / safe - t - 0.5, caps), 0.0, caps)
        h = np.log((t + c + 0.5) / (t + 0.5)) - q * c
        curv = np.where(pos & (c > 0) & (c < caps), 1.0 / (safe * safe), 0.0)
        deg = np.bincount(iu, weights=c, minlength=k) + np.bincount(ju, weights=c, minlength=k)
        return float(lam @ s + h.sum()), np.asarray(s - deg, dtype=np.float64), curv

    if start is None:
        share = 1.0 / (t + 0.5 + s[iu] * s[ju] / total)
        lam = (
            0.5
            * (
                np.bincount(iu, weights=share, minlength=k)
                + np.bincount(ju, weights=share, minlength=k)
            )
            / max(k - 1, 1)
        )
    else:
        lam = start.astype(np.float64).copy()
    f, g, curv = parts(lam)
    for _ in range(60):
        if float(np.abs(g).max(initial=0.0)) <= 1e-7:
            break
        hess = np.zeros((k, k))
        hess[iu, ju] = curv
        hess[ju, iu] = curv
        hess[np.arange(k), np.arange(k)] = np.bincount(iu, weights=curv, minlength=k) + np.bincount(
            ju, weights=curv, minlength=k
        )
        ridge = 1e-9 * float(np.trace(hess)) / k + 1e-12
        try:
            step = -np.linalg.solve(hess + ridge * np.eye(k), g)
        except np.linalg.LinAlgError:
            step = -g
        slope = float(g @ step)
        if slope >= 0:
            step, slope = -g, -float(g @ g)
        alpha = 1.0
        while alpha > 1e-12:
            cand = lam + alpha * step
            fc, gc, cc = parts(cand)
            if fc <= f + 1e-4 * alpha * slope:
                lam, f, g, curv = cand, fc, gc, cc
                break
            alpha *= 0.5
        else:
            break
    return lam


def relax(
    sizes: IntArray,
    ties: FloatArray,
    start_lam: FloatArray | None = None,
    caps_from: IntArray | None = None,
    start_counts: FloatArray | None = None,
    rounds: int = 40,
) -> Relaxation | None:
    """Solve the plan's relaxation with no same-organisation pairs (needs 2 max <= sum).

    caps_from: sizes used for the per-pair caps (default sizes). Larger caps give the same
    optimum here but let relaxations for different trio choices share one pricing.
    start_lam / start_counts: a nearby solution (another trio choice) to start from.
    rounds: window enlargements allowed; fewer give good prices but a looser bound.
    """
    k = sizes.size
    iu, ju = np.triu_indices(k, 1)
    cs = sizes if caps_from is None else caps_from
    caps = np.minimum(cs[iu], cs[ju]).astype(np.float64)
    hard_caps = np.minimum(sizes[iu], sizes[ju]).astype(np.float64)
    t = ties[iu, ju].astype(np.float64)
    if k < 2 or 2 * int(sizes.max(initial=0)) > int(sizes.sum()):
        return None
    if start_counts is not None and start_lam is not None:
        lam = start_lam
        centre = np.minimum(start_counts[iu, ju], hard_caps)
    else:
        lam = smooth_prices(sizes, t, caps, iu, ju, start_lam)
        centre, _ = best_counts(lam[iu] + lam[ju], t, hard_caps)
    width = np.maximum(float(WINDOW), 0.25 * centre)
    lo = np.maximum(0.0, np.floor(centre - width))
    hi = np.minimum(hard_caps, np.ceil(centre + width))
    best_bound = dual_bound(lam, sizes, t, caps, iu, ju)
    result: Relaxation | None = None
    for _ in range(rounds):
        solved = _windowed_lp(sizes, t, iu, ju, lo, hi)
        if solved is None:  # windows too narrow to meet every organisation's size
            lo = np.floor(lo / 4)
            hi = np.minimum(hard_caps, 2 * hi + 8)
            continue
        c, lam_lp, value = solved
        best_bound = min(best_bound, dual_bound(lam_lp, sizes, t, caps, iu, ju))
        counts = np.zeros((k, k))
        counts[iu, ju] = c
        result = Relaxation(value=value, bound=best_bound, counts=counts, lam=lam_lp)
        at_lo = (c <= lo + 1e-7) & (lo > 0)
        at_hi = (c >= hi - 1e-7) & (hi < hard_caps)
        if not (at_lo | at_hi).any() or best_bound - value <= TOLERANCE * max(1.0, abs(value)):
            break
        # an artificial edge binds: widen it well beyond (the programme grows little)
        lo = np.where(at_lo, np.floor(lo / 4), lo)
        hi = np.where(at_hi, np.minimum(hard_caps, 2 * hi + 8), hi)
    return result


def _windowed_lp(
    sizes: IntArray, t: FloatArray, iu: IntArray, ju: IntArray, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray, float] | None:
    """max sum_p F_p(c_p) over lo <= c <= hi with organisation degrees = sizes (unit segments)."""
    k = sizes.size
    npair = iu.size
    lo_i = lo.astype(np.int64)
    width = (hi - lo).astype(np.int64)
    seg_pair = np.repeat(np.arange(npair), width)
    starts = np.cumsum(width) - width
    kk = np.arange(seg_pair.size) - np.repeat(starts, width) + 1 + lo_i[seg_pair]
    seg_val = 1.0 / (t[seg_pair] + kk)
    nseg = seg_pair.size
    base_deg = np.bincount(iu, weights=lo, minlength=k) + np.bincount(ju, weights=lo, minlength=k)
    rhs = sizes.astype(np.float64) - base_deg
    if nseg == 0:
        if np.any(np.abs(rhs) > 1e-9):
            return None
        fixed = harmonic(t + lo) - harmonic(t)
        return lo.copy(), np.zeros(k), float(fixed.sum())
    ar = np.arange(nseg)
    a_eq = coo_matrix(
        (np.ones(2 * nseg), (np.concatenate([iu[seg_pair], ju[seg_pair]]), np.r_[ar, ar])),
        shape=(k, nseg),
    ).tocsr()
    res = linprog(
        -seg_val,
        A_eq=a_eq,
        b_eq=rhs,
        bounds=(0.0, 1.0),
        method="highs-ds",
        options={"presolve": False},  # faster here, and the prices come out exact
    )
    if res.status != 0:
        return None
    c = lo + np.bincount(seg_pair, weights=res.x, minlength=npair)
    lam = -np.asarray(res.eqlin.marginals, dtype=np.float64)
    value = float(np.sum(harmonic(t + lo) - harmonic(t)) + seg_val @ res.x)
    return c, lam, value
