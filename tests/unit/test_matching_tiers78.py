"""Tiers 7 and 8: partners who share a weekday that suits them, then pairs that mix roles.

Brute force over every arrangement shows the engine at the optimum of these tiers given
tiers 1-6; the fast engine's swaps never make tiers 1-6 worse."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import MatchRequest, Participant, PastPair, Score, match, score
from bot.matching import engine as engine_mod
from tests.unit.test_matching import _partitions

DAY_CHOICES = (frozenset(), frozenset({0}), frozenset({1, 2}), frozenset({0, 4}), frozenset({5}))


def _full_key(sc: Score) -> tuple[float, ...]:
    return (
        sc.unplaced,
        sc.same_org_pairs,
        sc.repeat_pairs,
        -round(sc.weak_tie_value, 9),
        sc.org_repeats,
        sc.trio_recent,
        sc.days_apart,
        sc.same_role_pairs,
    )


@st.composite
def instances(draw: st.DrawFn, max_n: int = 8) -> MatchRequest:
    """People with roles and days; history only with people who have left (one partner per
    round each), so no same-organisation pair or trio lies in anyone's past."""
    n = draw(st.integers(2, max_n))
    k = draw(st.integers(1, 3))
    people = [
        Participant(
            f"p{i}",
            f"org{draw(st.integers(0, k - 1))}",
            draw(st.sampled_from((None, "Nurse", "GP", "Social worker"))),
            days=draw(st.sampled_from(DAY_CHOICES)),
        )
        for i in range(n)
    ]
    history: list[PastPair] = []
    for r in range(draw(st.integers(0, 2))):
        for person in people:
            if draw(st.booleans()):
                other = f"org{draw(st.integers(0, k - 1))}"
                if other != person.organisation:
                    history.append(PastPair(r + 1, person.id, f"gone{r}{person.id}", org_b=other))
    return MatchRequest(people, history, seed=draw(st.integers(0, 3)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_days_then_roles_are_at_their_optimum_given_the_tiers_above(req: MatchRequest) -> None:
    result = match(req)
    best = min(
        _full_key(score(g, req))
        for g in _partitions([p.id for p in req.participants], leave_out=False)
    )
    assert _full_key(result.score) == best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=12))
def test_fast_engine_swaps_never_cost_a_higher_tier(req: MatchRequest) -> None:
    saved = engine_mod.EXACT_LIMIT, engine_mod.EXACT_FALLBACK, engine_mod.polish
    engine_mod.EXACT_LIMIT = engine_mod.EXACT_FALLBACK = 0
    try:
        polished = match(req)
        engine_mod.polish = lambda ctx, rng, groups, upper: groups  # type: ignore[assignment]
        plain = match(req)
    finally:
        engine_mod.EXACT_LIMIT, engine_mod.EXACT_FALLBACK, engine_mod.polish = saved
    assert _full_key(polished.score)[:6] <= _full_key(plain.score)[:6]
    assert _full_key(polished.score) <= _full_key(plain.score)


@pytest.mark.parametrize("fast", [False, True])
def test_partners_share_a_day_and_mix_roles_when_nothing_above_decides(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fast:
        monkeypatch.setattr(engine_mod, "EXACT_LIMIT", 0)
        monkeypatch.setattr(engine_mod, "EXACT_FALLBACK", 0)
    rng = np.random.default_rng(5)
    people = []
    for i in range(40):  # A and B people: either side may meet either side
        org = "AB"[i % 2]
        role = ("Nurse", "GP")[(i // 2) % 2]
        days = frozenset({0, 1}) if (i // 4) % 2 else frozenset({3, 4})
        people.append(Participant(f"{org}{i:02d}", org, role, days=days))
    people = [people[j] for j in rng.permutation(len(people))]
    result = match(MatchRequest(people, seed=3))
    assert result.score.same_org_pairs == 0 and result.score.repeat_pairs == 0
    assert result.score.days_apart == 0
    assert result.score.same_role_pairs == 0


def test_unknown_roles_and_any_day_never_count() -> None:
    people = [
        Participant("a", "A", None, days=frozenset({0})),
        Participant("b", "B", None, days=frozenset()),
        Participant("c", "C", "GP", days=frozenset({1})),
        Participant("d", "D", "GP", days=frozenset({0, 1})),
    ]
    req = MatchRequest(people)
    assert score([("a", "b"), ("c", "d")], req).same_role_pairs == 1
    assert score([("a", "b"), ("c", "d")], req).days_apart == 0
    assert score([("a", "c"), ("b", "d")], req).days_apart == 1
