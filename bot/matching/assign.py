"""Tier 5: which people of one organisation fill the plan's places (an exact assignment).

The plan fixes, for organisation x, how many of its people pair with each organisation y
(`cap[y]`, x itself for same-organisation pairs) and how many join the trio. Tier 5 counts,
per person, meetings with an organisation they already met, so the cost of a person
depends only on the organisation they are sent to: 1 if they met it before, else 0 (own
organisation: 0). Minimising it is a b-matching between people and partner organisations
over the "fresh" edges: every person left out of a maximum matching costs exactly 1.

The matching is found by a greedy start and augmenting paths. Paths run through
organisations only: an arc y -> z exists when someone placed at y is also fresh for z,
so the search works on a K x K count matrix, however many people there are.

The trio's places are chosen first, one person at a time. With E the people, T the trio
members, F(S) the largest matching of S and tc(u) what u's trio meetings cost,
    cost(T) = tc(T) + |E| - |T| - F(E - T)
and F(E - T) = F(E) - |T| + r*(T), r* the rank of the dual of the transversal matroid of E.
So a greedy pick with gain 1 - essential(u) - tc(u) (essential: in every maximum matching;
ties: tc = 0 first) reaches the minimum, as greedy picks do in a matroid.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .context import BoolArray, FloatArray, IntArray


@dataclass
class Matching:
    slot: IntArray  # per person: index of the organisation they are sent to fresh, -1 none
    load: IntArray  # fresh people per target
    arcs: IntArray  # arcs[y, z]: people placed at y who are fresh for z


def max_fresh(fresh: BoolArray, cap: IntArray, prio: FloatArray) -> Matching:
    """A maximum b-matching of people (rows) to targets (columns) with capacities."""
    m, j = fresh.shape
    slot = np.full(m, -1, dtype=np.int64)
    load = np.zeros(j, dtype=np.int64)
    if m == 0 or j == 0:
        return Matching(slot, load, np.zeros((j, j), dtype=np.int64))
    options = fresh.sum(axis=1)
    supply = fresh.sum(axis=0)
    for t in np.argsort(supply - cap, kind="stable").tolist():
        if cap[t] <= 0:
            continue
        cand = np.flatnonzero(fresh[:, t] & (slot < 0))
        take = cand[np.lexsort((prio[cand], options[cand]))][: cap[t]]
        slot[take] = t
        load[t] = take.size
    arcs = _arcs(fresh, slot, j)
    while _augment(fresh, cap, prio, slot, load, arcs):
        pass
    return Matching(slot, load, arcs)


def _arcs(fresh: BoolArray, slot: IntArray, j: int) -> IntArray:
    placed = np.flatnonzero(slot >= 0)
    order = placed[np.argsort(slot[placed], kind="stable")]
    arcs = np.zeros((j, j), dtype=np.int64)
    if order.size:
        rows = np.concatenate([fresh[order].astype(np.int64), np.zeros((1, j), np.int64)])
        starts = np.searchsorted(slot[order], np.arange(j))
        sums = np.add.reduceat(rows, starts)
        present = np.bincount(slot[order], minlength=j) > 0
        arcs[present] = sums[present]
    return arcs


def _augment(
    fresh: BoolArray,
    cap: IntArray,
    prio: FloatArray,
    slot: IntArray,
    load: IntArray,
    arcs: IntArray,
) -> bool:
    """Push flow along one shortest augmenting path (as many units as it carries)."""
    exposed = slot < 0
    spare = cap - load
    if not exposed.any() or not (spare > 0).any():
        return False
    reach = fresh[exposed].sum(axis=0)
    parent = np.full(cap.size, -2, dtype=np.int64)
    frontier = np.flatnonzero(reach > 0)
    parent[frontier] = -1
    end = -1
    while frontier.size:
        hit = frontier[spare[frontier] > 0]
        if hit.size:
            end = int(hit[0])
            break
        step = arcs[frontier] > 0
        new = step.any(axis=0) & (parent == -2)
        nxt = np.flatnonzero(new)
        parent[nxt] = frontier[np.argmax(step[:, nxt], axis=0)]
        frontier = nxt
    if end < 0:
        return False
    path = [end]
    while parent[path[-1]] >= 0:
        path.append(int(parent[path[-1]]))
    path.reverse()
    units = min(int(spare[end]), int(reach[path[0]]))
    for y, z in itertools.pairwise(path):
        units = min(units, int(arcs[y, z]))
    for y, z in reversed(list(itertools.pairwise(path))):
        cand = np.flatnonzero((slot == y) & fresh[:, z])
        _move(fresh, slot, arcs, cand[np.argsort(prio[cand], kind="stable")][:units], z)
    cand = np.flatnonzero(exposed & fresh[:, path[0]])
    _move(fresh, slot, arcs, cand[np.argsort(prio[cand], kind="stable")][:units], path[0])
    load[end] += units
    return True


def _move(fresh: BoolArray, slot: IntArray, arcs: IntArray, who: IntArray, to: int) -> None:
    old = slot[who]
    for y in np.unique(old[old >= 0]).tolist():
        arcs[y] -= fresh[who[old == y]].sum(axis=0)
    arcs[to] += fresh[who].sum(axis=0)
    slot[who] = to


def inessential(fresh: BoolArray, match: Matching) -> BoolArray:
    """People some maximum matching leaves out (removing one keeps the matching's size)."""
    exposed = match.slot < 0
    if fresh.shape[1] == 0:
        return exposed
    reached: BoolArray = np.asarray(fresh[exposed].any(axis=0), dtype=np.bool_)
    while True:
        more = reached | (match.arcs[reached] > 0).any(axis=0)
        if np.array_equal(more, reached):
            break
        reached = more
    placed = np.maximum(match.slot, 0)
    return np.asarray(exposed | ((match.slot >= 0) & reached[placed]), dtype=np.bool_)


def fill(match: Matching, cap: IntArray, rng: np.random.Generator) -> IntArray:
    """Every person's target: the matching, then the places left for the people left."""
    slot = match.slot.copy()
    left = np.flatnonzero(slot < 0)
    places = np.repeat(np.arange(cap.size), cap - match.load)
    if places.size != left.size:
        raise AssertionError("places and people do not balance")
    slot[left[rng.permutation(left.size)]] = places
    return slot
