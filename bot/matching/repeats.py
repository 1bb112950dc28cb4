"""Fewest repeats for mid-sized rounds, with a proven lower bound (weighted matching).

When the fast engine leaves pairs that met before, a minimum-cost matching over everyone
settles tiers 2 and 3 together: each possible pair costs (n+1)^2 per same-organisation pair
plus (n+1) per repeat, minus a small weak-tie proxy (below one repeat in total), and excluded
pairs are absent. For an odd count one person may stay out of the matching (a zero-cost
dummy partner); any trio contains a pair, so the matching's cost bounds every arrangement
with a trio from below. That gives a lower bound on repeats once tier 2 is at its optimum:
R >= (cost of the matching in whole units) - (n+1) * s_star.
"""

from __future__ import annotations

import numpy as np

from .context import Context, IntArray

MATCHING_LIMIT = 120  # people; the blossom algorithm is cubic in pure Python


def min_repeat_matching(ctx: Context, s_star: int) -> tuple[IntArray | None, int]:
    """An arrangement with the fewest repeats (None if none fits) and a repeat lower bound."""
    n = ctx.n
    unit = float(n + 1)
    iu, ju = np.triu_indices(n, 1)
    keep = ~ctx.excluded(iu, ju)
    iu, ju = iu[keep], ju[keep]
    same = ctx.org[iu] == ctx.org[ju]
    rep = ctx.met(iu, ju)
    proxy = np.where(same, 0.0, 1.0 / (1.0 + ctx.ties[ctx.org[iu], ctx.org[ju]])) / (2 * unit)
    cost = unit * unit * same + unit * rep - proxy
    big = float(unit**3 + 1.0)
    import networkx as nx  # only rounds small enough for this step pay for importing it

    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(range(n + 1))
    graph.add_weighted_edges_from(zip(iu.tolist(), ju.tolist(), (big - cost).tolist(), strict=True))
    odd = n % 2 == 1
    if odd:
        graph.add_weighted_edges_from((i, n, big) for i in range(n))
    mate = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = [(min(a, b), max(a, b)) for a, b in mate if n not in (a, b)]
    matched = {p for pair in pairs for p in pair}
    if len(matched) < n - int(odd):  # exclusions leave someone without any partner
        return None, 0
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    whole = int(np.sum(ctx.org[a] == ctx.org[b])) * (n + 1) + int(np.sum(ctx.met(a, b)))
    lower = max(0, whole - (n + 1) * s_star)
    groups = np.full((len(pairs), 3), -1, dtype=np.int64)
    groups[:, 0], groups[:, 1] = a, b
    if odd:
        left = next(i for i in range(n) if i not in matched)
        with_trio = _add_to_cheapest_pair(ctx, groups, left)
        return with_trio, lower
    return groups, lower


def _add_to_cheapest_pair(ctx: Context, groups: IntArray, person: int) -> IntArray | None:
    """Make the trio from the pair that costs least with this person (tiers 2, 3, then 6)."""
    a, b = groups[:, 0], groups[:, 1]
    p = np.full(a.size, person)
    banned = ctx.excluded(p, a) | ctx.excluded(p, b)
    same = (ctx.org[a] == ctx.org[person]).astype(np.int64) + (ctx.org[b] == ctx.org[person])
    rep = ctx.met(p, a).astype(np.int64) + ctx.met(p, b)
    recent = ctx.trio_last[a].astype(np.int64) * 4 + ctx.trio_last[b] * 4
    recent += ctx.trio_recent[a].astype(np.int64) + ctx.trio_recent[b]
    n = ctx.n
    cost = (same * (n + 1) + rep) * 64 + recent + np.where(banned, 1 << 40, 0)
    best = int(np.argmin(cost))
    if banned[best]:
        return None
    out = groups.copy()
    out[best, 2] = person
    return out
