"""Relaxation of the organisation plan and its proven upper bound on the weak-tie value.

With no same-organisation pairs allowed, the plan is: counts c_p >= 0 for each organisation
pair p = (x, y), with sum over y of c_xy = size_x, maximising sum_p F_p(c_p) where
F_p(c) = 1/(t_p+1) + ... + 1/(t_p+c) is concave. For any prices lam (one per organisation),
Lagrangian duality gives

    V* <= D(lam) = lam . sizes + sum_p g_p(lam_x + lam_y),
    g_p(q) = max over integers 0 <= c <= cap_p of F_p(c) - q c,

and g_p has a closed form (take every unit whose marginal 1/(t_p+k) exceeds q). D(lam) is
an upper bound for every lam, so the bound never depends on a solver's accuracy. Good
prices come from a smooth version of D (Newton steps); a feasible integer plan P then
confines every better plan, and the relaxation's optimum, to small windows of counts (see
`relax`), where one linear programme finds the exact relaxation and its prices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .context import FloatArray, IntArray, harmonic
from .flow import relaxation_by_flow
from .plan import integer_plan

FLAT = 1e-4  # segment length as a share of t + c: interpolation error below 1e-9 a pair
SEGMENT_LIMIT = 60_000  # variables of the windowed programme; segments lengthen beyond it


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


def slack(g: FloatArray, q: FloatArray, t: FloatArray, c: FloatArray) -> FloatArray:
    """How much a pair with count c falls short of its best at prices q (convex in c)."""
    return np.asarray(g - (harmonic(t + c) - harmonic(t) - q * c), dtype=np.float64)


def interval(
    g: FloatArray, q: FloatArray, t: FloatArray, best: FloatArray, cap: FloatArray, delta: float
) -> tuple[FloatArray, FloatArray]:
    """Smallest and largest counts whose slack stays within delta (bisection, vectorised)."""
    good, bad = best.copy(), cap + 1
    for _ in range(64):
        open_ = bad - good > 1
        if not open_.any():
            break
        mid = np.floor((good + bad) / 2)
        ok = slack(g, q, t, np.minimum(mid, cap)) <= delta
        good = np.where(open_ & ok, mid, good)
        bad = np.where(open_ & ~ok, mid, bad)
    hi = good
    good, bad = best.copy(), np.full(best.shape, -1.0)
    for _ in range(64):
        open_ = good - bad > 1
        if not open_.any():
            break
        mid = np.ceil((good + bad) / 2)
        ok = slack(g, q, t, np.maximum(mid, 0.0)) <= delta
        good = np.where(open_ & ok, mid, good)
        bad = np.where(open_ & ~ok, mid, bad)
    return good, hi


def relax(
    sizes: IntArray,
    ties: FloatArray,
    start_lam: FloatArray | None = None,
    start_counts: FloatArray | None = None,
) -> Relaxation | None:
    """Solve the plan's relaxation with no same-organisation pairs (needs 2 max <= sum).

    Any integer plan P and prices lam confine the relaxation's optimum to counts whose slack
    is at most D(lam) - value(P) (the same identity as in integer.py), so one windowed
    programme over those counts is exact. Very flat pairs (many past ties) use segments of
    several units (linear interpolation, error far below 1e-9); the bound D never depends
    on that. start_lam / start_counts: a nearby solution (another trio choice).
    """
    k = sizes.size
    iu, ju = np.triu_indices(k, 1)
    cap = np.minimum(sizes[iu], sizes[ju]).astype(np.float64)
    t = ties[iu, ju].astype(np.float64)
    if k < 2 or 2 * int(sizes.max(initial=0)) > int(sizes.sum()):
        return None
    lam = smooth_prices(sizes, t, cap, iu, ju, start_lam)
    best, g = best_counts(lam[iu] + lam[ju], t, cap)
    bound = float(lam @ sizes.astype(np.float64) + g.sum())
    guess = np.zeros((k, k))
    guess[iu, ju] = best if start_counts is None else np.minimum(start_counts[iu, ju], cap)
    by_flow = relaxation_by_flow(sizes, ties, integer_plan(sizes, ties, 0, guess))
    if by_flow is not None:  # exact without the LP (and without importing scipy.optimize)
        flow_counts, flow_lam, flow_value = by_flow
        flow_bound = dual_bound(flow_lam, sizes, t, cap, iu, ju)
        if flow_bound - flow_value <= 1e-9 * max(1.0, abs(flow_value)):
            counts = np.zeros((k, k))
            counts[iu, ju] = flow_counts[iu, ju]
            return Relaxation(
                value=flow_value, bound=min(bound, flow_bound), counts=counts, lam=flow_lam
            )
    result: Relaxation | None = None
    for attempt in range(4):
        feasible = integer_plan(sizes, ties, 0, guess)
        inside = (feasible + feasible.T)[iu, ju].astype(np.float64)
        value = float(np.sum(harmonic(t + inside) - harmonic(t)))
        q = lam[iu] + lam[ju]
        best, g = best_counts(q, t, cap)
        delta = max(bound - value, 0.0) + 1e-12 * max(1.0, abs(bound))
        lo, hi = interval(g, q, t, best, cap, delta)
        lo = np.maximum(0.0, np.minimum(lo, inside) - 1)
        hi = np.minimum(cap, np.maximum(hi, inside) + 1)
        step = np.maximum(1.0, np.floor(FLAT * (t + best)))
        exact = float(np.sum((hi - lo) / step)) <= SEGMENT_LIMIT or attempt == 3
        if not exact:  # prices still rough: a small window around them sharpens them first
            width = 6.0 + 0.02 * best
            lo = np.maximum(0.0, np.minimum(np.floor(best - width), inside))
            hi = np.minimum(cap, np.maximum(np.ceil(best + width), inside))
        while float(np.sum((hi - lo) / step)) > SEGMENT_LIMIT:
            step *= 2
        solved = _windowed_lp(sizes, t, iu, ju, lo, hi, step)
        if solved is None:
            break
        c, lam_lp, lp_value = solved
        d_lp = dual_bound(lam_lp, sizes, t, cap, iu, ju)
        if d_lp < bound:
            lam, bound = lam_lp, d_lp
        counts = np.zeros((k, k))
        counts[iu, ju] = c
        result = Relaxation(value=lp_value, bound=bound, counts=counts, lam=lam_lp)
        if exact:
            break
        guess = counts
    return result


def _windowed_lp(
    sizes: IntArray,
    t: FloatArray,
    iu: IntArray,
    ju: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    step: FloatArray,
) -> tuple[FloatArray, FloatArray, float] | None:
    """max sum_p F_p(c_p) over lo <= c <= hi with organisation degrees = sizes.

    Each pair's window is cut into segments of `step` units (the last may be shorter),
    valued exactly at their ends.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    k = sizes.size
    npair = iu.size
    nseg_p = np.ceil((hi - lo) / step).astype(np.int64)
    seg_pair = np.repeat(np.arange(npair), nseg_p)
    starts = np.cumsum(nseg_p) - nseg_p
    j = (np.arange(seg_pair.size) - np.repeat(starts, nseg_p)).astype(np.float64)
    a = lo[seg_pair] + j * step[seg_pair]
    b = np.minimum(a + step[seg_pair], hi[seg_pair])
    length = b - a
    tt = t[seg_pair]
    rate = (harmonic(tt + b) - harmonic(tt + a)) / np.where(length > 0, length, 1.0)
    nseg = seg_pair.size
    base_deg = np.bincount(iu, weights=lo, minlength=k) + np.bincount(ju, weights=lo, minlength=k)
    rhs = sizes.astype(np.float64) - base_deg
    fixed = float(np.sum(harmonic(t + lo) - harmonic(t)))
    if nseg == 0:
        if np.any(np.abs(rhs) > 1e-9):
            return None
        return lo.copy(), np.zeros(k), fixed
    ar = np.arange(nseg)
    a_eq = coo_matrix(
        (np.ones(2 * nseg), (np.concatenate([iu[seg_pair], ju[seg_pair]]), np.r_[ar, ar])),
        shape=(k, nseg),
    ).tocsr()
    res = linprog(
        -rate,
        A_eq=a_eq,
        b_eq=rhs,
        bounds=np.stack([np.zeros(nseg), length], axis=1),
        method="highs-ds",
        options={"presolve": False},  # faster here, and the prices come out exact
    )
    if res.status != 0:
        return None
    c = lo + np.bincount(seg_pair, weights=res.x, minlength=npair)
    lam = -np.asarray(res.eqlin.marginals, dtype=np.float64)
    return c, lam, fixed + float(rate @ res.x)
