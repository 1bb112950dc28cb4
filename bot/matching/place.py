"""Placing people into the organisation plan: who takes which place (tiers 5 and 6), then pairs.

Each organisation is solved on its own (see assign.py): tier 5 is separable by person once
the plan is fixed. The trio's members are picked first, organisation by organisation,
avoiding excluded or repeated pairs inside the trio, then by tier 5, then the trio rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assign import fill, inessential, max_fresh
from .context import Context, IntArray
from .exact import fairness_cost
from .models import Preferences


@dataclass
class Placement:
    groups: IntArray  # (G, 3) padded with -1
    org_repeats_bound: int  # fewest tier-5 meetings of any arrangement following the plan


def realise(
    ctx: Context,
    rng: np.random.Generator,
    prefs: Preferences,
    plan: IntArray,
    trio_orgs: list[int],
) -> Placement:
    """Give each person a partner organisation following the plan, then pair within blocks."""
    n, k = ctx.n, ctx.k
    full = plan + plan.T  # diagonal holds twice the same-organisation pairs
    rand = rng.random(n)
    prio = fairness_cost(ctx) + 1e-3 * rand  # same-organisation places: least recent first
    by_org = np.lexsort((rand, ctx.org))
    starts = np.searchsorted(ctx.org[by_org], np.arange(k + 1))
    slot = np.full(n, -1, dtype=np.int64)
    trio: list[int] = []
    bound = 0
    order = sorted(range(k), key=lambda x: (trio_orgs.count(x) == 0, x))
    for x in order:
        members = by_org[starts[x] : starts[x + 1]]
        if members.size == 0:
            continue
        targets = np.flatnonzero(full[x] > 0)
        targets = np.r_[targets[targets == x], targets[targets != x]]  # own places first
        cap = full[x, targets].astype(np.int64)
        fresh = ~ctx.met_org[np.ix_(members, targets)]
        fresh[:, targets == x] = True
        others = [z for z in trio_orgs if z != x]
        tc = ctx.met_org[members][:, others].sum(axis=1) if others else np.zeros(members.size)
        pool = np.ones(members.size, dtype=np.bool_)
        cost = 0
        exact = True
        for _ in range(trio_orgs.count(x)):
            idx = np.flatnonzero(pool)
            found = max_fresh(fresh[idx], cap, prio[members[idx]])
            gain = inessential(fresh[idx], found).astype(np.int64) - tc[idx]
            who = members[idx]
            clash = _clash(ctx, who, trio)
            recent = 16 * ctx.trio_last[who] + 4 * ctx.trio_recent[who].astype(np.int64)
            pick = int(np.lexsort((rand[who], recent, tc[idx], -gain, clash))[0])
            best = int(np.lexsort((tc[idx], -gain))[0])
            exact &= (gain[pick], tc[idx][pick]) == (gain[best], tc[idx][best])
            trio.append(int(who[pick]))
            cost += int(tc[idx][pick])
            pool[idx[pick]] = False
        idx = np.flatnonzero(pool)
        found = max_fresh(fresh[idx], cap, prio[members[idx]])
        cost += int(idx.size - found.load.sum())
        if not exact:  # a pick avoided a repeat inside the trio: keep only a plain bound
            cost = int(cap.sum()) - int(max_fresh(fresh, cap, prio[members]).load.sum())
        bound += cost
        slot[members[idx]] = targets[fill(found, cap, rng)]
    groups = _pair_blocks(ctx, prefs, slot, rand)
    if trio:
        groups = np.concatenate([groups, np.array([sorted(trio)], dtype=np.int64)])
    return Placement(groups.astype(np.int64), bound)


def _clash(ctx: Context, who: IntArray, chosen: list[int]) -> IntArray:
    """Per candidate: excluded or repeated pairs with the trio members chosen so far."""
    out = np.zeros(who.size, dtype=np.int64)
    for c in chosen:
        other = np.full(who.size, c)
        out += 2 * ctx.excluded(who, other) + ctx.met(who, other)
    return out


def _pair_blocks(ctx: Context, prefs: Preferences, slot: IntArray, rand: np.ndarray) -> IntArray:
    """Pair the people of organisations x and y sent to each other, sorted by preferences."""
    k = ctx.k
    people = np.flatnonzero(slot >= 0)
    o = ctx.org[people]
    s = slot[people]
    kx = np.minimum(o, s)
    ky = np.maximum(o, s)
    side = (o != kx).astype(np.int64)
    keys: list[np.ndarray] = [rand[people]]
    if prefs.mix_professions:
        role = ctx.role[people].astype(np.float64)
        keys.append(np.where(side == 0, role, -role))
    if prefs.close_timezones:
        tz = np.nan_to_num(ctx.tz[people], nan=99.0)
        keys.append(tz)
    keys += [side, ky, kx]
    order = np.lexsort(tuple(keys))
    seq = people[order]
    code = (kx * k + ky)[order]
    same_block = (kx == ky)[order]
    if code.size == 0:
        return np.zeros((0, 3), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    lengths = np.diff(np.r_[starts, code.size])
    start_of = np.repeat(starts, lengths)
    len_of = np.repeat(lengths, lengths)
    offset = np.arange(code.size) - start_of
    half = len_of // 2
    first_cross = (~same_block) & (offset < half)
    first_same = same_block & (offset % 2 == 0)
    idx_c = np.flatnonzero(first_cross)
    idx_s = np.flatnonzero(first_same)
    a = np.concatenate([seq[idx_c], seq[idx_s]])
    b = np.concatenate([seq[idx_c + half[idx_c]], seq[idx_s + 1]])
    return np.stack([a, b, np.full(a.size, -1)], axis=1)
