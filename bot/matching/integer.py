"""Proving the integer plan optimal (reduced-cost fixing, then a small mixed-integer programme).

With prices lam and q_p = lam_x + lam_y, every integer plan c with the right organisation
sizes has value exactly D(lam) - sum_p slack_p(c_p), where
slack_p(c) = g_p(q_p) - (F_p(c) - q_p c) >= 0 (the lam.sizes terms cancel). A plan that beats
an incumbent worth V therefore has slack_p(c_p) <= D(lam) - V for every pair p, and since
slack_p is convex in c this confines c_p to an interval [lo_p, hi_p] around the best count.
A mixed-integer programme over those intervals (most of them a single value) then finds
the best integer plan of all, so its value is the proven optimum of the organisation plan.
"""

from __future__ import annotations

import numpy as np

from .context import FloatArray, IntArray, harmonic
from .relax import best_counts, interval

WINDOW_LIMIT = 150_000  # segment variables; beyond this the relaxation bound is reported


def prove_plan(
    sizes: IntArray, ties: FloatArray, lam: FloatArray, plan: IntArray
) -> tuple[IntArray, float, float]:
    """Best integer plan (no same-organisation pairs), its value and a proven upper bound.

    The bound equals the value when the proof completes; otherwise it is D(lam).
    """
    k = sizes.size
    iu, ju = np.triu_indices(k, 1)
    t = ties[iu, ju].astype(np.float64)
    cap = np.minimum(sizes[iu], sizes[ju]).astype(np.float64)
    q = lam[iu] + lam[ju]
    best, g = best_counts(q, t, cap)
    bound = float(lam @ sizes.astype(np.float64) + g.sum())
    c0 = (plan + plan.T)[iu, ju].astype(np.float64)
    value = float(np.sum(harmonic(t + c0) - harmonic(t)))
    if int(np.trace(plan)) > 0:  # not a plan of this family (cannot happen when feasible)
        return plan, value, bound
    delta = bound - value
    tol = 1e-12 * max(1.0, abs(bound))
    if delta <= tol:
        return plan, value, max(bound, value)
    lo, hi = interval(g, q, t, best, cap, delta + tol)
    lo, hi = np.minimum(lo, c0), np.maximum(hi, c0)  # the incumbent lies inside (rounding)
    width = (hi - lo).astype(np.int64)
    if int(width.sum()) > WINDOW_LIMIT:
        return plan, value, bound
    # scipy.optimize costs a second of imports: only the plans not proven above pay it
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import coo_matrix

    free = np.flatnonzero(width > 0)
    nf = free.size
    seg_pair = np.repeat(np.arange(nf), width[free])
    starts = np.cumsum(width[free]) - width[free]
    unit = np.arange(seg_pair.size) - np.repeat(starts, width[free]) + 1
    seg_val = 1.0 / (t[free][seg_pair] + lo[free][seg_pair] + unit)
    ns = seg_pair.size
    nvar = nf + ns  # integer counts first, then unit segments
    fixed_deg = np.bincount(iu, weights=lo, minlength=k) + np.bincount(ju, weights=lo, minlength=k)
    rhs_deg = sizes.astype(np.float64) - fixed_deg
    ar_f = np.arange(nf)
    ar_s = np.arange(ns)
    rows = np.concatenate([iu[free], ju[free], k + ar_f, k + seg_pair])
    cols = np.concatenate([ar_f, ar_f, ar_f, nf + ar_s])
    vals = np.concatenate([np.ones(2 * nf), np.ones(nf), -np.ones(ns)])
    a = coo_matrix((vals, (rows, cols)), shape=(k + nf, nvar)).tocsr()
    # degrees count c - lo (so rhs excludes lo); links: (c - lo) - sum segments = 0
    rhs = np.concatenate([rhs_deg, np.zeros(nf)])
    cost = np.concatenate([np.zeros(nf), -seg_val])
    lower = np.zeros(nvar)
    upper = np.concatenate([width[free].astype(np.float64), np.ones(ns)])
    integrality = np.concatenate([np.ones(nf), np.zeros(ns)])
    res = milp(
        cost,
        integrality=integrality,
        bounds=(lower, upper),
        constraints=LinearConstraint(a, rhs, rhs),
        options={"mip_rel_gap": 1e-10, "time_limit": 20.0},
    )
    if res.status != 0 or res.x is None:
        return plan, value, bound
    counts = lo.copy()
    counts[free] += np.round(res.x[:nf])
    best_value = float(np.sum(harmonic(t + counts) - harmonic(t)))
    if best_value < value:
        return plan, value, bound
    out = np.zeros((k, k), dtype=np.int64)
    out[iu, ju] = counts.astype(np.int64)
    return out, best_value, best_value
