"""The last tiers for the fast engine: partners who share a suitable weekday (tier 7), then
pairs that mix roles (tier 8).

Only people of one organisation swap places, so the organisation plan (tiers 1, 2 and 4)
stays as chosen, and a swap is taken only when the tiers a swap can touch (repeats, tier 5,
the trio rule) do not get worse. Each pass, everyone in a group with a fault tries a random
colleague of their organisation, and the best-first batch of those swaps is taken (each group
in one swap at most), so a round of 100,000 people takes a few array passes. It is a local
search: the exact solver (small rounds) proves these tiers, the fast engine does not.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .context import Context, FloatArray, IntArray, days_apart, same_role

PASSES = 24
_TOLERANCE = 1e-9
_DAYS = 16.0  # a swap changes at most six pairs' roles: a day always weighs more


def lower_cost(ctx: Context, groups: IntArray) -> FloatArray:
    """Per group: 16 per pair with no day in common, plus 1 per pair of one role."""
    cost = np.zeros(groups.shape[0])
    for i, j in ((0, 1), (0, 2), (1, 2)):
        a, b = groups[:, i], groups[:, j]
        ok = (a >= 0) & (b >= 0)
        aa, bb = np.where(ok, a, 0), np.where(ok, b, 0)
        cost += ok * (_DAYS * days_apart(ctx, aa, bb) + same_role(ctx, aa, bb))
    return cost


def polish(
    ctx: Context,
    rng: np.random.Generator,
    groups: IntArray,
    upper_cost: Callable[[IntArray], FloatArray],
    passes: int = PASSES,
) -> IntArray:
    """Swap people within organisations to lower tiers 7 and 8 without harming the rest."""
    if groups.shape[0] < 2 or not (ctx.days.any() or (ctx.role >= 0).any()):
        return groups
    groups = groups.copy()
    for _ in range(passes):
        low = lower_cost(ctx, groups)
        if not low.any():
            break
        flat = groups.ravel()
        where = np.flatnonzero(flat >= 0)
        people = flat[where]
        row = where // 3
        orgs = ctx.org[people]
        by_org = np.argsort(orgs, kind="stable")
        bounds = np.searchsorted(orgs[by_org], np.arange(ctx.k + 1))
        # everyone in a group with a fault tries one random colleague of their organisation
        src = np.flatnonzero(low[row] > 0)
        start, stop = bounds[orgs[src]], bounds[orgs[src] + 1]
        dst = by_org[start + (rng.random(src.size) * (stop - start)).astype(np.int64)]
        a, b = people[src], people[dst]
        g1, g2 = row[src], row[dst]
        keep = g1 != g2
        if not keep.any():
            continue
        a, b, g1, g2 = a[keep], b[keep], g1[keep], g2[keep]
        old1, old2 = groups[g1], groups[g2]
        new1 = np.where(old1 == a[:, None], b[:, None], old1)
        new2 = np.where(old2 == b[:, None], a[:, None], old2)
        up = upper_cost(new1) + upper_cost(new2) - upper_cost(old1) - upper_cost(old2)
        down = lower_cost(ctx, new1) + lower_cost(ctx, new2) - low[g1] - low[g2]
        better = (up < -_TOLERANCE) | ((np.abs(up) <= _TOLERANCE) & (down < 0))
        chosen = np.flatnonzero(better)
        if chosen.size == 0:
            continue
        chosen = chosen[np.lexsort((down[chosen], up[chosen]))]  # best first
        busy = np.zeros(groups.shape[0], dtype=np.bool_)
        taken = []
        for s in chosen.tolist():  # each group in one swap at most
            if busy[g1[s]] or busy[g2[s]]:
                continue
            busy[g1[s]] = busy[g2[s]] = True
            taken.append(s)
        picked = np.asarray(taken, dtype=np.int64)
        groups[g1[picked]] = new1[picked]
        groups[g2[picked]] = new2[picked]
    return groups
