"""Problem circles: sign-ups for one topic into circles of 4-6 with the widest mix.

Objective, in order (a higher line always wins):

1. The most people placed, in the fewest circles whose sizes lie in [min_size, max_size]:
   with m people placed there are k = ceil(m / max_size) circles whose sizes differ by at
   most one. m is the largest count not above the number of sign-ups that k circles can
   hold (every count >= min_size when max_size >= 2 * min_size - 1, as with 4-6; with
   4-6 only 7 sign-ups leave one person out). Fewer than min_size sign-ups form no circle.
2. Most (circle, affected organisation) slots covered: an affected organisation counts
   once for every circle holding at least one of its people.
3. Fewest same-organisation pairs within circles (a circle with three people from one
   organisation has three such pairs).
4. Fewest same-role pairs within circles (people without a role never count).
5. Fewest pairs of past circle-mates within circles.
Deterministic for a seed. Who stays out under tier 1 is chosen by tiers 2-3.

Tiers 2-3 depend only on how many people of each organisation sit in each circle. Once
tier 1 fixes k, an organisation's own best is its people spread as evenly as possible
(each circle gets floor or ceil of count / k: it covers min(count, k) circles and, as the
pair count is strictly convex, no other spread has fewer pairs). Adding these per-
organisation bests gives the bound, and the plan reaches it: each organisation's extra
people go to distinct circles, and with circle sizes that differ by at most one such a
0/1 layout always exists (Gale-Ryser). Tiers 4-5 are then improved by swapping people
only in ways that keep every organisation evenly spread, so tiers 2-3 never move.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .circles_place import improve_mix

MIN_CIRCLE = 3
MAX_CIRCLE = 8


class CircleInputError(ValueError):
    """Sign-ups or settings that cannot form circles; the message says why."""


@dataclass(frozen=True, slots=True)
class CircleSignup:
    id: str
    organisation: str
    role: str | None = None
    past_mates: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CircleResult:
    circles: tuple[tuple[str, ...], ...]
    unplaced: tuple[str, ...]
    coverage: int  # tier 2: (circle, affected organisation) slots covered
    coverage_bound: int
    same_org_pairs: int  # tier 3
    same_org_bound: int
    same_role_pairs: int  # tier 4
    same_role_bound: int  # all roles evenly spread; not always reachable
    repeat_pairs: int  # tier 5

    @property
    def gap(self) -> float:
        """Relative gap of the organisation mix (tiers 2-3) to its bound; 0.0 is optimal."""
        cov = (self.coverage_bound - self.coverage) / max(self.coverage_bound, 1)
        pairs = (self.same_org_pairs - self.same_org_bound) / max(self.same_org_bound, 1)
        return max(cov, pairs, 0.0)


def circle_count(people: int, min_size: int, max_size: int) -> tuple[int, int]:
    """Tier 1: (people placed, circles) for this many sign-ups."""
    for m in range(people, min_size - 1, -1):
        k = -(-m // max_size)
        if k * min_size <= m:
            return m, k
    return 0, 0


def even_pairs(count: int, k: int) -> int:
    """Same-organisation pairs of `count` people spread as evenly as possible over k."""
    if k == 0:
        return 0
    q, r = divmod(count, k)
    return r * math.comb(q + 1, 2) + (k - r) * math.comb(q, 2)


def form_circles(
    signups: Sequence[CircleSignup],
    affected: Collection[str] = (),
    min_size: int = 4,
    max_size: int = 6,
    seed: int = 0,
) -> CircleResult:
    _check(signups, min_size, max_size)
    rng = random.Random(seed)
    affected_set = frozenset(affected)
    m, k = circle_count(len(signups), min_size, max_size)
    by_org: dict[str, list[int]] = {}
    for i, s in enumerate(signups):
        by_org.setdefault(s.organisation, []).append(i)
    for members in by_org.values():
        rng.shuffle(members)
    orgs = sorted(by_org, key=lambda o: (-len(by_org[o]), rng.random()))
    if k == 0:
        left = tuple(s.id for s in signups)
        return CircleResult((), left, 0, 0, 0, 0, 0, 0, 0)
    out = _leave_out(by_org, orgs, affected_set, len(signups) - m, k)
    circles = _plan(by_org, orgs, k, m)
    circles = improve_mix(circles, signups, rng)
    return _result(circles, out, signups, affected_set, k)


def _check(signups: Sequence[CircleSignup], min_size: int, max_size: int) -> None:
    if not MIN_CIRCLE <= min_size <= max_size <= MAX_CIRCLE:
        raise CircleInputError(
            f"Circle sizes must satisfy {MIN_CIRCLE} <= min <= max <= {MAX_CIRCLE}; "
            f"got min {min_size} and max {max_size}."
        )
    seen: set[str] = set()
    for s in signups:
        if not s.id or not s.organisation:
            raise CircleInputError("Every sign-up needs an id and an organisation.")
        if s.id in seen:
            raise CircleInputError(f"Sign-up {s.id!r} appears more than once.")
        seen.add(s.id)


def _leave_out(
    by_org: dict[str, list[int]], orgs: list[str], affected: frozenset[str], d: int, k: int
) -> list[int]:
    """Take d people out, each time where it costs tiers 2-3 least.

    The per-organisation cost (missing slots, then even-spread pairs) is convex in the
    count, so taking the cheapest unit each time is optimal.
    """
    out: list[int] = []
    for _ in range(d):

        def cost(o: str) -> tuple[int, int]:
            c = len(by_org[o])
            lost = 1 if o in affected and c <= k else 0
            return (lost, -((c - 1) // k))

        best = min((o for o in orgs if by_org[o]), key=cost)  # orgs order breaks ties
        out.append(by_org[best].pop())
    return out


def _plan(by_org: dict[str, list[int]], orgs: list[str], k: int, m: int) -> list[list[int]]:
    """Lay the people out org by org and deal them round the circles in turn.

    Each organisation occupies consecutive positions, so its people land in distinct
    circles until every circle has one; sizes come out as floor/ceil of m / k.
    """
    circles: list[list[int]] = [[] for _ in range(k)]
    pos = 0
    for o in orgs:
        for i in by_org[o]:
            circles[pos % k].append(i)
            pos += 1
    assert pos == m
    return circles


def _result(
    circles: list[list[int]],
    out: list[int],
    signups: Sequence[CircleSignup],
    affected: frozenset[str],
    k: int,
) -> CircleResult:
    ids = [s.id for s in signups]
    sc = score_circles([[ids[i] for i in c] for c in circles], signups, affected)
    org_counts = Counter(signups[i].organisation for c in circles for i in c)
    role_counts = Counter(signups[i].role for c in circles for i in c)
    role_counts.pop(None, None)
    return CircleResult(
        circles=tuple(tuple(ids[i] for i in c) for c in circles),
        unplaced=tuple(sorted(ids[i] for i in out)),
        coverage=sc[0],
        coverage_bound=sum(min(c, k) for o, c in org_counts.items() if o in affected),
        same_org_pairs=sc[1],
        same_org_bound=sum(even_pairs(c, k) for c in org_counts.values()),
        same_role_pairs=sc[2],
        same_role_bound=sum(even_pairs(c, k) for c in role_counts.values()),
        repeat_pairs=sc[3],
    )


def score_circles(
    circles: Sequence[Sequence[str]],
    signups: Sequence[CircleSignup],
    affected: Collection[str],
) -> tuple[int, int, int, int]:
    """(coverage, same-organisation pairs, same-role pairs, repeat pairs) of any circles."""
    by_id = {s.id: s for s in signups}
    aff = frozenset(affected)
    cov = same_org = same_role = rep = 0
    for c in circles:
        people = [by_id[i] for i in c]
        cov += len({p.organisation for p in people} & aff)
        for a in range(len(people)):
            for b in range(a + 1, len(people)):
                pa, pb = people[a], people[b]
                same_org += pa.organisation == pb.organisation
                same_role += pa.role is not None and pa.role == pb.role
                rep += pb.id in pa.past_mates or pa.id in pb.past_mates
    return cov, same_org, same_role, rep
