"""Circle matching: tiers 2-3 at their brute-force optimum, tiers 4-5 swap-optimal."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.circles import (
    CircleInputError,
    CircleResult,
    CircleSignup,
    circle_count,
    form_circles,
    score_circles,
)

SIZES = [(3, 4), (3, 5), (4, 6), (3, 3)]


def partitions(people: list[str], sizes: list[int]) -> Iterator[list[list[str]]]:
    """Every split of `people` into unlabelled circles with these sizes (ascending)."""
    if not sizes:
        yield []
        return
    first, rest = people[0], people[1:]
    for size in sorted(set(sizes)):
        others = sizes.copy()
        others.remove(size)
        for mates in itertools.combinations(rest, size - 1):
            left = [p for p in rest if p not in mates]
            for tail in partitions(left, others):
                yield [[first, *mates], *tail]


def brute_best(
    signups: list[CircleSignup], affected: set[str], lo: int, hi: int
) -> tuple[int, int]:
    m, k = circle_count(len(signups), lo, hi)
    sizes = [m // k + (1 if j < m % k else 0) for j in range(k)]
    ids = [s.id for s in signups]
    best: tuple[int, int] | None = None
    for placed in itertools.combinations(ids, m):
        for circles in partitions(list(placed), sizes):
            cov, same, _, _ = score_circles(circles, signups, affected)
            if best is None or (-cov, same) < (-best[0], best[1]):
                best = (cov, same)
    assert best is not None
    return best


signup_lists = st.lists(
    st.tuples(
        st.sampled_from("ABCD"),
        st.sampled_from(["nurse", "gp", "social worker", None]),
        st.lists(st.integers(0, 9), max_size=2),
    ),
    max_size=9,
)


def build(rows: list[tuple[str, str | None, list[int]]]) -> list[CircleSignup]:
    n = len(rows)
    return [
        CircleSignup(f"p{i}", org, role, frozenset(f"p{j}" for j in mates if j < n and j != i))
        for i, (org, role, mates) in enumerate(rows)
    ]


def check_shape(res: CircleResult, signups: list[CircleSignup], lo: int, hi: int) -> None:
    m, k = circle_count(len(signups), lo, hi)
    placed = [i for c in res.circles for i in c]
    assert len(res.circles) == k and len(placed) == m
    assert sorted(placed + list(res.unplaced)) == sorted(s.id for s in signups)
    sizes = [len(c) for c in res.circles]
    assert all(lo <= s <= hi for s in sizes)
    assert not sizes or max(sizes) - min(sizes) <= 1


def swap_optimal(res: CircleResult, signups: list[CircleSignup], affected: set[str]) -> bool:
    """No swap of two people that keeps tiers 2-3 lowers (same-role pairs, repeats)."""
    circles = [list(c) for c in res.circles]
    base = score_circles(circles, signups, affected)
    for a, b in itertools.combinations(range(len(circles)), 2):
        for i, j in itertools.product(range(len(circles[a])), range(len(circles[b]))):
            trial = [c.copy() for c in circles]
            trial[a][i], trial[b][j] = trial[b][j], trial[a][i]
            sc = score_circles(trial, signups, affected)
            if sc[:2] == base[:2] and sc[2:] < base[2:]:
                return False
    return True


@settings(max_examples=60, deadline=None)
@given(signup_lists, st.sets(st.sampled_from("ABCDE")), st.sampled_from(SIZES), st.integers())
def test_org_mix_is_optimal_and_placement_swap_optimal(
    rows: list[tuple[str, str | None, list[int]]],
    affected: set[str],
    sizes: tuple[int, int],
    seed: int,
) -> None:
    signups = build(rows)
    lo, hi = sizes
    res = form_circles(signups, affected, lo, hi, seed=seed)
    check_shape(res, signups, lo, hi)
    assert score_circles(res.circles, signups, affected) == (
        res.coverage,
        res.same_org_pairs,
        res.same_role_pairs,
        res.repeat_pairs,
    )
    if res.circles:
        assert brute_best(signups, affected, lo, hi) == (res.coverage, res.same_org_pairs)
    assert (res.coverage, res.same_org_pairs) == (res.coverage_bound, res.same_org_bound)
    assert res.gap == 0.0
    assert res.same_role_pairs >= res.same_role_bound
    assert swap_optimal(res, signups, affected)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, 11), min_size=20, max_size=400),
    st.lists(st.integers(0, 5), min_size=20, max_size=400),
    st.integers(),
)
def test_bound_is_reached_at_scale(orgs: list[int], roles: list[int], seed: int) -> None:
    signups = [
        CircleSignup(f"p{i}", f"org{o}", f"role{r}")
        for i, (o, r) in enumerate(zip(orgs, roles, strict=False))
    ]
    affected = {f"org{o}" for o in range(6)}
    res = form_circles(signups, affected, seed=seed)
    check_shape(res, signups, 4, 6)
    assert res.gap == 0.0
    assert (res.coverage, res.same_org_pairs) == (res.coverage_bound, res.same_org_bound)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_six_affected_organisations_each_circle_holds_one_of_each(seed: int) -> None:
    orgs = ["Trust", "Practice", "Council", "Hospice", "Charity", "Ambulance"]
    signups = [
        CircleSignup(f"{o}-{i}", o, "nurse" if i % 2 else "manager") for i in range(6) for o in orgs
    ]
    res = form_circles(signups, orgs, seed=seed)
    assert len(res.circles) == 6 and not res.unplaced
    by_id = {s.id: s for s in signups}
    for circle in res.circles:
        assert sorted(by_id[i].organisation for i in circle) == sorted(orgs)


def test_six_affected_organisations_in_larger_circles() -> None:
    orgs = [f"affected{i}" for i in range(6)]
    signups = [CircleSignup(f"{o}-{i}", o) for i in range(5) for o in orgs]
    signups += [CircleSignup(f"other-{i}", "other") for i in range(10)]
    res = form_circles(signups, orgs, min_size=6, max_size=8)
    by_id = {s.id: s for s in signups}
    assert len(res.circles) == 5
    for circle in res.circles:
        held = Counter(by_id[i].organisation for i in circle)
        assert held == Counter({**dict.fromkeys(orgs, 1), "other": 2})


def test_roles_are_mixed_and_past_mates_kept_apart() -> None:
    signups = [
        CircleSignup(f"a{i}", "A", ["nurse", "gp", "manager", "therapist"][i % 4]) for i in range(8)
    ]
    signups[1] = CircleSignup("a1", "A", "gp", frozenset({"a0", "a2"}))
    res = form_circles(signups, (), min_size=4, max_size=4, seed=3)
    assert res.same_role_pairs == 0 and res.repeat_pairs == 0


def test_same_seed_gives_same_circles() -> None:
    signups = [CircleSignup(f"p{i}", f"org{i % 5}", f"r{i % 3}") for i in range(500)]
    a = form_circles(signups, {"org0", "org1"}, seed=42)
    b = form_circles(signups, {"org0", "org1"}, seed=42)
    assert a == b


def test_too_few_people_form_no_circle() -> None:
    signups = [CircleSignup(f"p{i}", "A") for i in range(3)]
    res = form_circles(signups, {"A"})
    assert res.circles == () and res.unplaced == ("p0", "p1", "p2")


def test_count_that_cannot_be_split_leaves_out_the_cheapest_person() -> None:
    # seven people cannot fill circles of 4-6: the one left out comes from the
    # organisation whose absence costs no coverage and saves a same-organisation pair
    signups = [CircleSignup("b0", "B"), CircleSignup("c0", "C")]
    signups += [CircleSignup(f"a{i}", "A") for i in range(5)]
    res = form_circles(signups, {"B", "C"})
    assert len(res.circles) == 1 and len(res.unplaced) == 1
    assert res.unplaced[0].startswith("a")
    assert res.coverage == 2


@pytest.mark.parametrize(
    ("lo", "hi", "words"),
    [(2, 4, "min 2"), (5, 4, "min 5 and max 4"), (4, 9, "max 9")],
)
def test_sizes_out_of_range_are_refused(lo: int, hi: int, words: str) -> None:
    with pytest.raises(CircleInputError, match=words):
        form_circles([CircleSignup("p", "A")], (), lo, hi)


def test_duplicate_ids_and_missing_organisation_are_refused() -> None:
    with pytest.raises(CircleInputError, match="'p1' appears more than once"):
        form_circles([CircleSignup("p1", "A"), CircleSignup("p1", "B")])
    with pytest.raises(CircleInputError, match="needs an id and an organisation"):
        form_circles([CircleSignup("p1", "")])


@pytest.mark.parametrize("seed", range(12))
def test_person_left_out_never_costs_an_affected_organisation(seed: int) -> None:
    signups = [CircleSignup(f"p{i}", f"org{i}") for i in range(7)]
    res = form_circles(signups, {"org3"}, seed=seed)
    assert "p3" not in res.unplaced and res.coverage == 1 and len(res.unplaced) == 1


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 2), st.lists(st.integers(0, 59), max_size=3)),
        min_size=20,
        max_size=60,
    ),
    st.integers(),
)
def test_mid_sized_rounds_are_swap_optimal(
    rows: list[tuple[int, int, list[int]]], seed: int
) -> None:
    signups = build([(f"org{o}", f"role{r}", mates) for o, r, mates in rows])
    affected = {"org0", "org1", "org2"}
    res = form_circles(signups, affected, seed=seed)
    check_shape(res, signups, 4, 6)
    assert res.gap == 0.0
    assert swap_optimal(res, signups, affected)
