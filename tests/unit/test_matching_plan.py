"""Tests of the organisation plan: proven bounds against brute force over every integer plan."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bot.matching import MatchRequest, Participant, PastPair, Preferences, match
from bot.matching.context import harmonic
from bot.matching.engine import _even_plan
from bot.matching.flow import relaxation_by_flow
from bot.matching.plan import integer_plan, min_same_org, plan_value
from bot.matching.relax import _windowed_lp, dual_bound
from bot.matching.trio import odd_plan


def _best_plan(sizes: np.ndarray, ties: np.ndarray, same_cap: int) -> float:
    """Best weak-tie value over every integer plan (cross counts enumerated, rest same-org)."""
    k = sizes.size
    iu, ju = np.triu_indices(k, 1)
    ranges = [range(int(min(sizes[x], sizes[y])) + 1) for x, y in zip(iu, ju, strict=True)]
    grid = np.array(list(itertools.product(*ranges)), dtype=np.int64).reshape(-1, iu.size)
    deg = np.zeros((grid.shape[0], k), dtype=np.int64)
    for p, (x, y) in enumerate(zip(iu, ju, strict=True)):
        deg[:, x] += grid[:, p]
        deg[:, y] += grid[:, p]
    left = sizes[None, :] - deg
    ok = np.all((left >= 0) & (left % 2 == 0), axis=1) & (left.sum(axis=1) // 2 <= same_cap)
    if not ok.any():
        return -np.inf
    t = ties[iu, ju][None, :]
    values = np.sum(harmonic(t + grid[ok]) - harmonic(t), axis=1)
    return float(values.max())


def _instance(seed: int, odd: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    sizes = rng.integers(1, 6, size=k).astype(np.int64)
    if (int(sizes.sum()) % 2 == 1) != odd:
        sizes[0] += 1
    t = rng.integers(0, 4, size=(k, k)).astype(np.float64)
    ties = np.triu(t, 1) + np.triu(t, 1).T
    return sizes, ties


@pytest.mark.parametrize("seed", range(25))
def test_even_plan_reaches_its_bound_and_the_bound_holds(seed: int) -> None:
    sizes, ties = _instance(seed, odd=False)
    s_star = min_same_org(sizes, False)
    best = _best_plan(sizes, ties, s_star)
    plan, bound = _even_plan(sizes, ties, s_star)
    degrees = (plan + plan.T).sum(axis=1)
    assert np.array_equal(degrees, sizes)
    assert int(np.trace(plan)) == s_star
    value = plan_value(plan, ties)
    assert value <= best + 1e-9
    assert bound >= best - 1e-9
    assert value >= best - 1e-9  # the integer plan is proven optimal
    assert bound <= best + 1e-9


@pytest.mark.parametrize("seed", range(25))
def test_odd_plan_matches_brute_force_over_trio_make_ups(seed: int) -> None:
    sizes, ties = _instance(seed, odd=True)
    if int(sizes.sum()) < 3:
        return
    k = sizes.size
    s_star = min_same_org(sizes, True)
    best = -np.inf
    for combo in itertools.combinations_with_replacement(range(k), 3):
        tau = np.bincount(np.array(combo), minlength=k)
        if np.any(tau > sizes):
            continue
        trio_same = int(np.sum(tau * (tau - 1) // 2))
        ties2 = ties.copy()
        trio_value = 0.0
        for x, y in itertools.combinations(combo, 2):
            if x != y:
                trio_value += float(1.0 / (ties2[x, y] + 1.0))
                ties2[x, y] += 1
                ties2[y, x] += 1
        rest = _best_plan(sizes - tau, ties2, s_star - trio_same) if s_star >= trio_same else -1
        best = max(best, trio_value + rest)
    found = odd_plan(sizes, ties, s_star, sizes)
    rest_sizes = sizes - np.bincount(np.array(found.trio_orgs), minlength=k)
    assert np.array_equal((found.plan + found.plan.T).sum(axis=1), rest_sizes)
    assert found.value <= best + 1e-9
    assert found.bound >= best - 1e-9
    assert found.value >= best - 1e-9
    assert found.bound <= best + 1e-9  # the bound is the optimum itself


def test_dual_bound_holds_for_any_prices() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        sizes, ties = _instance(int(rng.integers(1000)), odd=False)
        if 2 * int(sizes.max()) > int(sizes.sum()):
            continue
        best = _best_plan(sizes, ties, 0)
        k = sizes.size
        iu, ju = np.triu_indices(k, 1)
        caps = np.minimum(sizes[iu], sizes[ju]).astype(np.float64)
        lam = rng.normal(0.3, 0.3, size=k)
        assert dual_bound(lam, sizes, ties[iu, ju], caps, iu, ju) >= best - 1e-9


def test_odd_round_bound_is_tight_at_medium_size() -> None:
    rng = np.random.default_rng(5)
    w = 1.0 / np.arange(1, 13)
    orgs = rng.choice(12, size=301, p=w / w.sum())
    people = [Participant(f"p{i:03d}", f"org{o:02d}") for i, o in enumerate(orgs)]
    ids = [p.id for p in people]
    history = []
    for r in range(4):
        perm = rng.permutation(len(ids))
        history += [
            PastPair(r + 1, ids[a], ids[b]) for a, b in zip(perm[0::2], perm[1::2], strict=False)
        ]
    result = match(MatchRequest(people, history, seed=1))
    assert result.bounds is not None
    assert result.score.repeat_pairs == 0
    assert result.score.same_org_pairs == result.bounds.same_org_pairs
    assert result.score.weak_tie_value <= result.bounds.weak_tie_value + 1e-9
    assert result.score.weak_tie_value >= result.bounds.weak_tie_value * (1 - 1e-9)


def test_tier_five_sends_people_to_organisations_new_to_them() -> None:
    a = [Participant(f"a{i:02d}", "A") for i in range(20)]
    b = [Participant(f"b{i:02d}", "B") for i in range(10)]
    c = [Participant(f"c{i:02d}", "C") for i in range(10)]
    history = [PastPair(1, f"a{i:02d}", f"b{i:02d}") for i in range(10)]
    history += [PastPair(1, f"a{i + 10:02d}", f"c{i:02d}") for i in range(10)]
    org = {p.id: p.organisation for p in a + b + c}
    met = {f"a{i:02d}": "B" for i in range(10)} | {f"a{i + 10:02d}": "C" for i in range(10)}

    def fresh(prefs: Preferences, seed: int) -> int:
        res = match(MatchRequest(a + b + c, history, seed=seed, preferences=prefs))
        assert res.score.same_org_pairs == 0 and res.score.repeat_pairs == 0
        # every person of B and C has met A, and A is all they can meet
        assert res.score.org_repeats == 20
        assert res.bounds is not None and res.bounds.org_repeats == 20
        partner = {}
        for g in res.groups:
            for x in g:
                partner[x] = next(org[y] for y in g if y != x)
        return sum(partner[p] != met[p] for p in met)

    # Part of the objective now: the old preference flag changes nothing.
    assert all(fresh(Preferences(), s) == 20 for s in range(3))
    assert all(fresh(Preferences(new_organisations=True), s) == 20 for s in range(3))


def _two_organisations(history_pairs: list[tuple[int, int]]) -> MatchRequest:
    people = [Participant(f"a{i:02d}", "A") for i in range(21)]
    people += [Participant(f"b{i:02d}", "B") for i in range(21)]
    history = [PastPair(r + 1, f"a{i:02d}", f"b{j:02d}") for r, (i, j) in enumerate(history_pairs)]
    return MatchRequest(people, history, seed=3)


def test_mid_size_round_finds_the_only_arrangement_without_repeats() -> None:
    # everyone in A met everyone in B except one partner each (a shifted diagonal)
    pairs = [(i, j) for i in range(21) for j in range(21) if j != (i + 5) % 21]
    result = match(_two_organisations(pairs))
    assert result.score.same_org_pairs == 0
    assert result.score.repeat_pairs == 0
    assert result.bounds is not None and result.bounds.repeat_pairs == 0


def test_mid_size_round_proves_unavoidable_repeats() -> None:
    pairs = [(i, j) for i in range(21) for j in range(21)]
    result = match(_two_organisations(pairs))
    assert result.score.same_org_pairs == 0
    assert result.score.repeat_pairs == 21
    assert result.bounds is not None and result.bounds.repeat_pairs == 21


@pytest.mark.parametrize("seed", range(12))
def test_relaxation_by_flow_agrees_with_the_linear_programme(seed: int) -> None:
    """Cancelling cycles reaches the LP's optimum, and its prices prove it (D(lam) = value)."""
    rng = np.random.default_rng(100 + seed)
    k = int(rng.integers(3, 9))
    sizes = rng.integers(2, 40, size=k).astype(np.int64)
    sizes[0] = min(int(sizes[0]), int(sizes[1:].sum()))  # no majority organisation
    if int(sizes.sum()) % 2:
        sizes[1] += 1
    ties = np.triu(rng.integers(0, 4, size=(k, k)).astype(np.float64), 1)
    ties = ties + ties.T
    iu, ju = np.triu_indices(k, 1)
    cap = np.minimum(sizes[iu], sizes[ju]).astype(np.float64)
    t = ties[iu, ju]
    solved = relaxation_by_flow(sizes, ties, integer_plan(sizes, ties, 0, None))
    assert solved is not None
    counts, lam, value = solved
    assert np.allclose((counts + counts.T).sum(axis=1), sizes)
    assert dual_bound(lam, sizes, t, cap, iu, ju) == pytest.approx(value, abs=1e-9)
    lp = _windowed_lp(sizes, t, iu, ju, np.zeros(iu.size), cap, np.ones(iu.size))
    assert lp is not None
    assert value == pytest.approx(lp[2], abs=1e-9)
