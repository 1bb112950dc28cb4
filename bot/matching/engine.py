"""Matching engines: exact for small rounds, organisation plan + placement for large ones."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .context import (
    Context,
    FloatArray,
    IntArray,
    array_to_groups,
    build_context,
    groups_to_array,
    org_repeats,
    score_indices,
)
from .exact import solve_exact
from .integer import prove_plan
from .models import MatchRequest, MatchResult, Preferences, Score
from .place import realise
from .plan import integer_plan, min_same_org, plan_value
from .polish import polish
from .relax import relax
from .repeats import MATCHING_LIMIT, min_repeat_matching
from .trio import forced_plan, odd_plan

EXACT_LIMIT = 14  # always solved exactly at or below this many participants
EXACT_FALLBACK = 40  # exact solve when the fast engine cannot prove tiers 1-3 optimal

_W_EXCL = 1e9
_W_SAME = 1e5
_W_REP = 1.0
_W_ORG = 2e-2  # tier 5: a swap changes at most 12 meetings, so repeats still weigh more
_W_TRIO = 1e-3


def score(groups: Sequence[Sequence[str]], request: MatchRequest) -> Score:
    ctx = build_context(request)
    return score_indices(ctx, groups_to_array(ctx, groups))


def match(request: MatchRequest) -> MatchResult:
    ctx = build_context(request)
    rng = np.random.default_rng(request.seed)
    if request.group_size == 3:
        groups = _groups_of_three(ctx, rng)
        bounds: Score | None = None
    else:
        groups, bounds = _pairs(ctx, rng, request.preferences)
    sc = score_indices(ctx, groups)
    placed = np.zeros(ctx.n, dtype=np.bool_)
    placed[groups[groups >= 0]] = True
    unplaced = tuple(ctx.ids[i] for i in np.flatnonzero(~placed).tolist())
    return MatchResult(
        groups=array_to_groups(ctx, groups), unplaced=unplaced, score=sc, bounds=bounds
    )


def _key(sc: Score) -> tuple[int, int, int, float, int, int, int, int]:
    return (
        sc.unplaced,
        sc.same_org_pairs,
        sc.repeat_pairs,
        -sc.weak_tie_value,
        sc.org_repeats,
        sc.trio_recent,
        sc.days_apart,
        sc.same_role_pairs,
    )


def _empty() -> IntArray:
    return np.zeros((0, 3), dtype=np.int64)


# --------------------------------------------------------------------------- pairs mode


def _pairs(ctx: Context, rng: np.random.Generator, prefs: Preferences) -> tuple[IntArray, Score]:
    n = ctx.n
    if n <= 1:
        return _empty(), Score(0, 0, 0, 0, 0.0, 0, 0, n)
    odd = n % 2 == 1
    s_star = min_same_org(ctx.sizes, odd)
    trio_lb = max(0, 3 - int(np.sum(~ctx.trio_recent))) if odd else 0
    if n <= EXACT_LIMIT:
        ex = solve_exact(ctx, np.arange(n))
        sc = score_indices(ctx, ex.groups)
        return ex.groups, (sc if ex.proven else _lower(sc, n, odd, s_star, None, trio_lb))
    groups, bound_value, org_lb = _pairs_fast(ctx, rng, prefs, s_star)
    sc = score_indices(ctx, groups)
    proven = sc.unplaced == 0 and sc.same_org_pairs == s_star and sc.repeat_pairs == 0
    if not proven and n <= EXACT_FALLBACK:
        ex = solve_exact(ctx, np.arange(n), time_limit=5.0)
        esc = score_indices(ctx, ex.groups)
        if _key(esc) <= _key(sc):
            groups, sc = ex.groups, esc
            if ex.proven:
                return groups, esc
    repeat_lb = 0
    if sc.repeat_pairs > 0 and n <= MATCHING_LIMIT:
        alt, repeat_lb = min_repeat_matching(ctx, s_star)
        if alt is not None:
            asc = score_indices(ctx, alt)
            if _key(asc) < _key(sc):
                groups, sc = alt, asc
    bounds = Score(
        groups=n // 2,
        trios=int(odd),
        same_org_pairs=sc.same_org_pairs if proven else s_star,
        repeat_pairs=min(repeat_lb, sc.repeat_pairs),
        weak_tie_value=bound_value if bound_value is not None else float("inf"),
        org_repeats=min(org_lb, sc.org_repeats),
        trio_recent=trio_lb,
        unplaced=0 if n > 1 else n,
    )
    return groups, bounds


def _lower(sc: Score, n: int, odd: bool, s_star: int, tie: float | None, trio_lb: int) -> Score:
    return Score(
        groups=n // 2,
        trios=int(odd),
        same_org_pairs=s_star,
        repeat_pairs=0,
        weak_tie_value=float("inf") if tie is None else tie,
        org_repeats=0,
        trio_recent=trio_lb,
        unplaced=0,
    )


def _pairs_fast(
    ctx: Context, rng: np.random.Generator, prefs: Preferences, s_star: int
) -> tuple[IntArray, float | None, int]:
    n, k = ctx.n, ctx.k
    sizes = ctx.sizes
    odd = n % 2 == 1
    bound: float | None
    trio_orgs: list[int] = []
    if k == 1:
        if odd:
            trio_orgs = [0, 0, 0]
        plan = np.zeros((1, 1), dtype=np.int64)
        plan[0, 0] = (n - len(trio_orgs)) // 2
        bound = 0.0
    elif not odd:
        plan, bound = _even_plan(sizes, ctx.ties, s_star)
    else:
        eligible = np.bincount(ctx.org[~ctx.trio_recent], minlength=k)
        found = odd_plan(sizes, ctx.ties, s_star, eligible)
        plan, trio_orgs, bound = found.plan, found.trio_orgs, found.bound
    placed = realise(ctx, rng, prefs, plan, trio_orgs)
    groups = _repair(ctx, rng, placed.groups, same_bad=False)
    groups = polish(ctx, rng, groups, lambda rows: _group_cost(ctx, rows, False))
    return groups, bound, placed.org_repeats_bound


def _even_plan(sizes: IntArray, ties: FloatArray, s_star: int) -> tuple[IntArray, float]:
    """Plan for an even count and its proven tier-4 bound."""
    if s_star > 0:  # a majority organisation: everyone else pairs with it, nothing to choose
        plan = forced_plan(sizes, s_star)
        return plan, plan_value(plan, ties)
    relaxed = relax(sizes, ties)
    if relaxed is None:
        plan = integer_plan(sizes, ties, s_star, None)
        return plan, float("inf")
    plan = integer_plan(sizes, ties, s_star, relaxed.counts)
    plan, _, bound = prove_plan(sizes, ties, relaxed.lam, plan)
    return plan, min(bound, relaxed.bound)


# --------------------------------------------------------------------------- repair


def _group_cost(ctx: Context, groups: IntArray, same_bad: bool) -> FloatArray:
    """Weighted cost per group: exclusions >> same organisation >> repeats >> trio history."""
    cost = np.zeros(groups.shape[0])
    for i, j in ((0, 1), (0, 2), (1, 2)):
        a, b = groups[:, i], groups[:, j]
        ok = (a >= 0) & (b >= 0)
        aa, bb = np.where(ok, a, 0), np.where(ok, b, 0)
        cost += ok * (
            _W_EXCL * ctx.excluded(aa, bb)
            + _W_SAME * (ctx.org[aa] == ctx.org[bb])
            + _W_REP * ctx.met(aa, bb)
            + _W_ORG * org_repeats(ctx, aa, bb)
        )
    trio = groups[:, 2] >= 0
    if trio.any():
        g = np.where(groups >= 0, groups, 0)
        # back-to-back trios first (never twice in a row when avoidable), then recent ones
        recent = ctx.trio_recent[g].sum(axis=1) + 4.0 * ctx.trio_last[g].sum(axis=1)
        cost += trio * _W_TRIO * recent
    del same_bad
    return cost


def _bad_mask(ctx: Context, groups: IntArray, same_bad: bool, trio_rule: bool = True) -> np.ndarray:
    bad = np.zeros(groups.shape[0], dtype=np.bool_)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        a, b = groups[:, i], groups[:, j]
        ok = (a >= 0) & (b >= 0)
        aa, bb = np.where(ok, a, 0), np.where(ok, b, 0)
        hit = ctx.excluded(aa, bb) | ctx.met(aa, bb)
        if same_bad:
            hit |= ctx.org[aa] == ctx.org[bb]
        bad |= ok & hit
    trio = groups[:, 2] >= 0
    if trio_rule and trio.any():
        g = np.where(groups >= 0, groups, 0)
        bad |= trio & ctx.trio_recent[g].any(axis=1)
    return bad


def _repair(ctx: Context, rng: np.random.Generator, groups: IntArray, same_bad: bool) -> IntArray:
    """Swap people between groups to remove exclusions, repeats (and same-org in trio mode)."""
    groups = groups.copy()
    if groups.shape[0] < 2:
        return _drop_excluded(ctx, groups)
    n = ctx.n
    group_of = np.full(n, -1, dtype=np.int64)
    for j in range(3):
        col = groups[:, j]
        m = col >= 0
        group_of[col[m]] = np.flatnonzero(m)
    placed = np.flatnonzero(group_of >= 0)
    org_order = placed[np.argsort(ctx.org[placed], kind="stable")]
    org_bounds = np.searchsorted(ctx.org[org_order], np.arange(ctx.k + 1))
    sample = 48
    for phase in ("org", "any"):
        # The trio rule is the last tier: it may swap people within an organisation, never
        # across, which would change the organisation plan that tiers 2 and 4 chose.
        trio_rule = phase == "org"
        for _ in range(4):
            bad = np.flatnonzero(_bad_mask(ctx, groups, same_bad, trio_rule))
            if bad.size == 0:
                return groups
            bad = bad[rng.permutation(bad.size)]
            changed = False
            for g in bad.tolist():
                if not _bad_mask(ctx, groups[g : g + 1], same_bad, trio_rule)[0]:
                    continue
                best_delta, best_move = -1e-9, None
                for p in (int(q) for q in groups[g] if q >= 0):
                    if phase == "org":
                        x = int(ctx.org[p])
                        pool = org_order[org_bounds[x] : org_bounds[x + 1]]
                    else:
                        pool = placed
                    if pool.size <= 1:
                        continue
                    cands = pool[rng.integers(0, pool.size, size=sample)]
                    h = group_of[cands]
                    keep = h != g
                    cands, h = cands[keep], h[keep]
                    if cands.size == 0:
                        continue
                    old_g = np.repeat(groups[g][None, :], cands.size, axis=0)
                    new_g = np.where(old_g == p, cands[:, None], old_g)
                    old_h = groups[h]
                    new_h = np.where(old_h == cands[:, None], p, old_h)
                    before = _group_cost(ctx, old_g, same_bad) + _group_cost(ctx, old_h, same_bad)
                    after = _group_cost(ctx, new_g, same_bad) + _group_cost(ctx, new_h, same_bad)
                    delta = after - before
                    best = int(np.argmin(delta))
                    if delta[best] < best_delta:
                        best_delta = float(delta[best])
                        best_move = (p, int(cands[best]), int(h[best]), new_g[best], new_h[best])
                if best_move is not None:
                    p, q, hh, row_g, row_h = best_move
                    groups[g] = row_g
                    groups[hh] = row_h
                    group_of[q] = g
                    group_of[p] = hh
                    changed = True
            if not changed:
                break
    return _drop_excluded(ctx, groups)


def _drop_excluded(ctx: Context, groups: IntArray) -> IntArray:
    """Last resort: leave out people whose exclusions could not be resolved."""
    keep_rows = []
    for row in groups.tolist():
        members = [p for p in row if p >= 0]
        while len(members) >= 2:
            conflicts = [
                sum(bool(ctx.excluded(np.array([p]), np.array([q]))[0]) for q in members if q != p)
                for p in members
            ]
            if max(conflicts) == 0:
                break
            members.pop(int(np.argmax(conflicts)))
        if len(members) >= 2:
            keep_rows.append(members + [-1] * (3 - len(members)))
    if not keep_rows:
        return _empty()
    return np.array(keep_rows, dtype=np.int64)


# --------------------------------------------------------------------------- trios mode


def _groups_of_three(ctx: Context, rng: np.random.Generator) -> IntArray:
    n = ctx.n
    if n <= 1:
        return _empty()
    n_pairs = {0: 0, 1: 2, 2: 1}[n % 3]
    n_trios = (n - 2 * n_pairs) // 3
    m = n_pairs + n_trios
    perm = rng.permutation(n)
    perm = perm[np.argsort(ctx.org[perm], kind="stable")]
    starts = np.searchsorted(ctx.org[perm], ctx.org[perm])
    rank = np.arange(n) - starts
    spread = (rank + rng.random(n)) / ctx.sizes[ctx.org[perm]]
    seq = perm[np.argsort(spread, kind="stable")]
    groups = np.full((m, 3), -1, dtype=np.int64)
    groups[:, 0] = seq[:m]
    groups[:, 1] = seq[m : 2 * m]
    groups[:n_trios, 2] = seq[2 * m : 2 * m + n_trios]
    return _repair(ctx, rng, groups, same_bad=True)
