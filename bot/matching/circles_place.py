"""Placing people within the circle plan: tiers 4 (roles) and 5 (past circle-mates).

Only swaps that keep every organisation evenly spread are tried, so the organisation mix
(tiers 2-3) never moves. Up to EXHAUSTIVE people every pair of people is tried until no
swap improves (the result is swap-optimal); above that each person in conflict tries a
seeded sample of partners for a few passes.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .circles import CircleSignup

EXHAUSTIVE = 200
SAMPLE = 16
PASSES = 4


def improve_mix(
    circles: list[list[int]], signups: Sequence[CircleSignup], rng: random.Random
) -> list[list[int]]:
    people = [i for c in circles for i in c]
    if len(circles) < 2:
        return circles
    k = len(circles)
    where = {i: j for j, c in enumerate(circles) for i in c}
    org = {i: signups[i].organisation for i in people}
    role = {i: signups[i].role for i in people}
    index = {signups[i].id: i for i in people}
    mates: dict[int, set[int]] = {i: set() for i in people}
    for i in people:
        for mid in signups[i].past_mates:
            j = index.get(mid)
            if j is not None and j != i:
                mates[i].add(j)
                mates[j].add(i)
    totals = Counter(org.values())
    lo = {o: c // k for o, c in totals.items()}
    hi = {o: -(-c // k) for o, c in totals.items()}
    orgs = [Counter(org[i] for i in c) for c in circles]
    roles = [Counter(role[i] for i in c if role[i] is not None) for c in circles]
    # how many circles hold each count of each role, to find the emptiest circle fast
    spread: dict[str, Counter[int]] = {r: Counter() for r in set(role.values()) if r is not None}
    for r, hist in spread.items():
        hist.update(c[r] for c in roles)
    same_org: dict[str, list[int]] = {}
    for i in people:
        same_org.setdefault(org[i], []).append(i)

    def mates_in(p: int, circle: int) -> int:
        return sum(1 for j in mates[p] if where[j] == circle)

    def conflicted(p: int) -> bool:
        # a swap started by p helps tier 4 only if some circle holds two fewer of p's role
        r = role[p]
        if r is not None and roles[where[p]][r] >= min(n for n, c in spread[r].items() if c) + 2:
            return True
        return mates_in(p, where[p]) > 0

    def delta(p: int, q: int) -> tuple[int, int]:
        a, b = where[p], where[q]
        op, oq = org[p], org[q]
        if op != oq and (
            orgs[a][op] - 1 < lo[op]
            or orgs[b][op] + 1 > hi[op]
            or orgs[b][oq] - 1 < lo[oq]
            or orgs[a][oq] + 1 > hi[oq]
        ):
            return (1, 0)
        rp, rq = role[p], role[q]
        d_role = 0
        if rp != rq:
            if rp is not None:
                d_role += roles[b][rp] - (roles[a][rp] - 1)
            if rq is not None:
                d_role += roles[a][rq] - (roles[b][rq] - 1)
        if d_role:
            return (d_role, 0)  # tier 4 decides; tier 5 need not be counted
        before = mates_in(p, a) + mates_in(q, b)
        if not before:
            return (0, 0)  # nothing to gain in tier 5
        mutual = 1 if q in mates[p] else 0
        return (0, mates_in(p, b) + mates_in(q, a) - 2 * mutual - before)

    def swap(p: int, q: int) -> None:
        a, b = where[p], where[q]
        for i, src, dst in ((p, a, b), (q, b, a)):
            circles[src].remove(i)
            circles[dst].append(i)
            where[i] = dst
            orgs[src][org[i]] -= 1
            orgs[dst][org[i]] += 1
            r = role[i]
            if r is not None:
                hist = spread[r]
                hist[roles[src][r]] -= 1
                hist[roles[dst][r]] -= 1
                roles[src][r] -= 1
                roles[dst][r] += 1
                hist[roles[src][r]] += 1
                hist[roles[dst][r]] += 1

    exhaustive = len(people) <= EXHAUSTIVE
    passes = 10 * len(people) if exhaustive else PASSES
    for _ in range(passes):
        improved = False
        order = people[:]
        rng.shuffle(order)
        for p in order:
            if not conflicted(p):
                continue
            if exhaustive:
                cands = order
            else:
                pool = same_org[org[p]]
                cands = rng.sample(people, SAMPLE) + rng.sample(pool, min(SAMPLE, len(pool)))
            for q in cands:
                if where[q] != where[p] and delta(p, q) < (0, 0):
                    swap(p, q)
                    improved = True
                    break
        if not improved:
            break
    for c in circles:
        c.sort()
    circles.sort()
    return circles
