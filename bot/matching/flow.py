"""The plan's relaxation solved exactly without a linear-programming solver.

The relaxation (counts c_p >= 0 for organisation pairs, degrees = sizes, value
sum_p F_p(c_p) with F_p concave and piecewise linear between integers) equals half the best
value of its bipartite double cover: send a_xy units from a copy x' of every organisation
to a copy y'' of every other, out- and in-degrees = sizes, value sum over ordered pairs of
F_p(a_xy). Any such flow gives the relaxation counts c_p = (a_xy + a_yx) / 2 with at least
half its value (F_p is concave), and every relaxation plan gives a flow (a_xy = a_yx = c_p)
of twice its value, so the two optima agree.

The cover is a transportation problem with convex unit costs (the next unit of a pair is
worth 1/(t+a+1), the last 1/(t+a)), so a feasible integer flow is optimal exactly when its
residual network has no negative cycle. Starting from an integer plan, negative cycles
are cancelled one unit at a time; shortest distances d then give prices
lam_x = (d(x') - d(x'')) / 2 whose bound D(lam) equals the optimum. Callers still compute
D(lam) themselves, so the proven bound never rests on this module being right.
"""

from __future__ import annotations

import numpy as np

from .context import FloatArray, IntArray, harmonic

ORGANISATION_LIMIT = 60  # dense Bellman-Ford passes over K x K arcs; beyond it the LP is used
CYCLE_LIMIT = 2_000  # cancelled cycles at most; the caller falls back to the LP beyond it
_EPS = 1e-13  # a cycle worth less than this is not worth cancelling (rounding)


def relaxation_by_flow(
    sizes: IntArray, ties: FloatArray, plan: IntArray
) -> tuple[FloatArray, FloatArray, float] | None:
    """Counts (upper triangle, fractional), prices and optimum of the relaxation.

    `plan` is a feasible integer plan without same-organisation pairs; None when the plan
    is not one or the search runs past its limits (the caller then solves the LP).
    """
    k = sizes.size
    if k < 2 or k > ORGANISATION_LIMIT or int(np.trace(plan)) > 0:
        return None
    flow = (plan + plan.T).astype(np.int64)
    if not np.array_equal(flow.sum(axis=1), sizes):
        return None
    t = ties.astype(np.float64)
    cap = np.minimum(sizes[:, None], sizes[None, :]).astype(np.int64)
    off = ~np.eye(k, dtype=np.bool_)
    for _ in range(CYCLE_LIMIT):
        forward, backward = _residual_costs(flow, t, cap, off)
        found = _negative_cycle(forward, backward)
        if found is None:
            return None
        if isinstance(found, list):
            for x, y, sign in found:
                flow[x, y] += sign
            continue
        d_out, d_in = found
        lam = (d_out - d_in) / 2.0
        counts = np.triu((flow + flow.T) / 2.0, 1)
        iu, ju = np.triu_indices(k, 1)
        value = float(
            np.sum(harmonic(t[iu, ju] + flow[iu, ju]) - harmonic(t[iu, ju]))
            + np.sum(harmonic(t[ju, iu] + flow[ju, iu]) - harmonic(t[ju, iu]))
        )
        return counts, np.asarray(lam, dtype=np.float64), value / 2.0
    return None


def _residual_costs(
    flow: IntArray, t: FloatArray, cap: IntArray, off: np.ndarray
) -> tuple[FloatArray, FloatArray]:
    """Cost of one more unit x' -> y'' (forward[x, y]) and of one less (backward[x, y])."""
    inf = np.inf
    forward = np.where(off & (flow < cap), -1.0 / (t + flow + 1.0), inf)
    backward = np.where(off & (flow > 0), 1.0 / np.maximum(t + flow, 1e-300), inf)
    return forward, backward


def _negative_cycle(
    forward: FloatArray, backward: FloatArray
) -> list[tuple[int, int, int]] | tuple[FloatArray, FloatArray] | None:
    """A negative cycle as (x, y, +1 or -1) flow changes, or shortest distances (d', d'').

    Bellman-Ford from a virtual root joined to every node at cost 0, on the dense arcs
    x' -> y'' (forward) and y'' -> x' (backward).
    """
    k = forward.shape[0]
    d_out = np.zeros(k)  # distances of x'
    d_in = np.zeros(k)  # distances of y''
    pred_in = np.full(k, -1)  # y'' reached from x'
    pred_out = np.full(k, -1)  # x' reached from y''
    for _ in range(2 * k + 1):
        via_in = d_out[:, None] + forward  # [x, y]: x' -> y''
        best_x = np.argmin(via_in, axis=0)
        cand_in = via_in[best_x, np.arange(k)]
        better_in = cand_in < d_in - _EPS
        d_in = np.where(better_in, cand_in, d_in)
        pred_in = np.where(better_in, best_x, pred_in)
        via_out = d_in[None, :] + backward  # [x, y]: y'' -> x'
        best_y = np.argmin(via_out, axis=1)
        cand_out = via_out[np.arange(k), best_y]
        better_out = cand_out < d_out - _EPS
        d_out = np.where(better_out, cand_out, d_out)
        pred_out = np.where(better_out, best_y, pred_out)
        if not better_in.any() and not better_out.any():
            return d_out, d_in
    # still improving after 2k + 1 passes: walk predecessors back into the cycle
    node = ("in", int(np.argmax(better_in))) if better_in.any() else None
    if node is None:
        node = ("out", int(np.argmax(better_out)))
    for _ in range(2 * k):
        node = _step_back(node, pred_in, pred_out)
        if node[1] < 0:
            return None
    start = node
    cycle: list[tuple[int, int, int]] = []
    while len(cycle) <= 2 * k:
        prev = _step_back(node, pred_in, pred_out)
        if prev[1] < 0:
            return None
        if node[0] == "in":  # arc prev' -> node'': one more unit
            cycle.append((prev[1], node[1], 1))
        else:  # arc prev'' -> node': one unit less on node' -> prev''
            cycle.append((node[1], prev[1], -1))
        node = prev
        if node == start:
            return cycle
    return None


def _step_back(node: tuple[str, int], pred_in: IntArray, pred_out: IntArray) -> tuple[str, int]:
    side, i = node
    if side == "in":
        return ("out", int(pred_in[i]))
    return ("in", int(pred_out[i]))
