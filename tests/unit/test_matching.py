"""Tests of the matcher: exact optimum on small rounds, scoring, edge cases."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import (
    MatchRequest,
    Participant,
    PastPair,
    Score,
    match,
    score,
)
from bot.matching import engine as engine_mod
from bot.matching.context import Context, build_context, groups_to_array, score_indices

Key = tuple[int, int, int, float, int, int]


def _partitions(
    ids: list[str], leave_out: bool, trio_used: bool = False
) -> Iterator[list[tuple[str, ...]]]:
    """Every arrangement into pairs and at most one trio (optionally leaving people out)."""
    if not ids:
        yield []
        return
    first, rest = ids[0], ids[1:]
    if leave_out or len(ids) == 1:
        yield from _partitions(rest, leave_out, trio_used)  # first left out
    for i, other in enumerate(rest):
        remaining = rest[:i] + rest[i + 1 :]
        for tail in _partitions(remaining, leave_out, trio_used):
            yield [(first, other), *tail]
        if not trio_used:
            for j in range(i + 1, len(rest)):
                third = rest[j]
                rem2 = [p for p in remaining if p != third]
                for tail in _partitions(rem2, leave_out, True):
                    yield [(first, other, third), *tail]


def _key(sc: Score) -> Key:
    return (
        sc.unplaced,
        sc.same_org_pairs,
        sc.repeat_pairs,
        -sc.weak_tie_value,
        sc.org_repeats,
        sc.trio_recent,
    )


def _valid(groups: list[tuple[str, ...]], excl: set[frozenset[str]]) -> bool:
    return all(frozenset(pair) not in excl for g in groups for pair in itertools.combinations(g, 2))


def brute_force(request: MatchRequest) -> list[tuple[Score, int]]:
    """Score of every valid arrangement, with its count of back-to-back trio members."""
    ids = [p.id for p in request.participants]
    excl = set(request.exclusions)
    ctx = build_context(request)
    out = []
    for g in _partitions(ids, leave_out=bool(excl)):
        if not _valid(g, excl):
            continue
        arr = groups_to_array(ctx, g)
        out.append((score_indices(ctx, arr), _back_to_back(ctx, arr)))
    return out


def _back_to_back(ctx: Context, groups: np.ndarray) -> int:
    trio = groups[groups[:, 2] >= 0] if groups.size else groups
    return int(ctx.trio_last[trio.ravel()].sum())


def check_against_brute_force(
    request: MatchRequest, tie_rel: float = 0.002, *, lower_tiers: bool = True
) -> None:
    result = match(request)
    got = result.score
    excl = set(request.exclusions)
    assert _valid(list(result.groups), excl)
    assert score(result.groups, request) == got
    scored = brute_force(request)
    best = min(_key(s) for s, _ in scored)
    assert got.unplaced == best[0]
    assert got.same_org_pairs == best[1]
    assert got.repeat_pairs == best[2]
    assert got.weak_tie_value >= -best[3] * (1 - tie_rel) - 1e-9
    if result.bounds is not None and got.repeat_pairs == 0:
        assert result.bounds.weak_tie_value >= -best[3] - 1e-9  # the bound is a real bound
    if lower_tiers and abs(got.weak_tie_value + best[3]) < 1e-9:
        top = [
            (s, b2b)
            for s, b2b in scored
            if _key(s)[:3] == best[:3] and abs(s.weak_tie_value + best[3]) < 1e-9
        ]
        # tier 5: fewest meetings with an organisation already met, given tiers 1-4
        tier5 = min(s.org_repeats for s, _ in top)
        assert got.org_repeats == tier5
        # tier 6: nobody in the trio twice in a row first, then fewest recent trio members
        tier6 = min((b2b, s.trio_recent) for s, b2b in top if s.org_repeats == tier5)
        ctx = build_context(request)
        mine = (_back_to_back(ctx, groups_to_array(ctx, result.groups)), got.trio_recent)
        assert mine == tier6


@st.composite
def requests(draw: st.DrawFn, max_n: int = 8) -> MatchRequest:
    n = draw(st.integers(0, max_n))
    k = draw(st.integers(1, 4))
    orgs = [draw(st.integers(0, k - 1)) for _ in range(n)]
    people = [Participant(f"p{i}", f"org{o}") for i, o in enumerate(orgs)]
    ids = [p.id for p in people]
    history: list[PastPair] = []
    if n >= 2:
        for r in range(draw(st.integers(0, 4))):
            for _ in range(draw(st.integers(0, n))):
                a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
                if a != b:  # some introductions did not happen: repeats, but no link
                    history.append(PastPair(r + 1, a, b, met=draw(st.integers(0, 3)) > 0))
    excl: list[frozenset[str]] = []
    if n >= 2:
        for _ in range(draw(st.integers(0, 3 if n <= 7 else 0))):
            a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
            if a != b:
                excl.append(frozenset((a, b)))
    return MatchRequest(people, history, excl, seed=draw(st.integers(0, 3)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_matches_brute_force_optimum(req: MatchRequest) -> None:
    check_against_brute_force(req)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(max_n=8))
def test_fast_engine_keeps_tiers_one_to_three_optimal(req: MatchRequest) -> None:
    saved = engine_mod.EXACT_LIMIT
    engine_mod.EXACT_LIMIT = 0
    try:
        # Below tier 3 the fast engine alone only approximates: small rounds go to the exact
        # solver in production, which the test above holds to tiers 4, 5 and 6 as well.
        check_against_brute_force(req, tie_rel=0.5, lower_tiers=False)
    finally:
        engine_mod.EXACT_LIMIT = saved


def _people(orgs: str) -> list[Participant]:
    return [Participant(f"p{i}", o) for i, o in enumerate(orgs)]


def test_score_hand_computed() -> None:
    people = [
        Participant("a1", "A"),
        Participant("a2", "A"),
        Participant("b1", "B"),
        Participant("b2", "B"),
        Participant("c1", "C"),
    ]
    history = [
        PastPair(1, "a1", "b1"),
        PastPair(3, "a2", "x9", org_b="C"),  # person who has left, organisation known
        PastPair(3, "b2", "c1"),
        PastPair(3, "b2", "zz"),  # b2 was in a trio in round 3
        PastPair(3, "c1", "zz"),
    ]
    req = MatchRequest(people, history)
    sc = score([("a1", "b1"), ("a2", "b2", "c1")], req)
    # A-B: t=1, c=2 -> 1/2 + 1/3; A-C: t=1, c=1 -> 1/2; B-C: t=1 (b2-c1), c=1 -> 1/2
    assert sc.weak_tie_value == pytest.approx(1 / 2 + 1 / 3 + 1 / 2 + 1 / 2)
    assert sc == Score(
        groups=2,
        trios=1,
        same_org_pairs=0,
        repeat_pairs=2,
        weak_tie_value=sc.weak_tie_value,
        org_repeats=sc.org_repeats,
        trio_recent=2,
        unplaced=0,
    )


def test_score_same_round_diminishing_and_same_org() -> None:
    req = MatchRequest(_people("AABBA"))
    sc = score([("p0", "p2"), ("p1", "p3", "p4")], req)
    # A-B pairs: p0-p2, p1-p3, p3-p4 -> 1 + 1/2 + 1/3; p1-p4 is same-org (worth 0)
    assert sc.weak_tie_value == pytest.approx(1 + 1 / 2 + 1 / 3)
    assert sc.same_org_pairs == 1
    assert sc.unplaced == 0


def test_score_rejects_unknown_and_duplicate_ids() -> None:
    req = MatchRequest(_people("AB"))
    with pytest.raises(ValueError, match="unknown"):
        score([("p0", "zz")], req)
    with pytest.raises(ValueError, match="more than one"):
        score([("p0", "p1"), ("p1", "p0")], req)


def test_validation_errors() -> None:
    with pytest.raises(ValueError, match="duplicate participant id 'x'"):
        match(MatchRequest([Participant("x", "A"), Participant("x", "B")]))
    with pytest.raises(ValueError, match="group_size"):
        match(MatchRequest(_people("AB"), group_size=4))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_tiny_rounds(n: int) -> None:
    result = match(MatchRequest(_people("ABC"[:n])))
    if n <= 1:
        assert result.groups == ()
        assert len(result.unplaced) == n
    else:
        assert result.groups == (tuple(f"p{i}" for i in range(n)),)
        assert result.unplaced == ()


def test_excluded_pair_cannot_be_placed() -> None:
    req = MatchRequest(_people("AB"), exclusions=[frozenset({"p0", "p1"})])
    result = match(req)
    assert result.groups == ()
    assert result.unplaced == ("p0", "p1")
    assert result.score.unplaced == 2


def test_all_in_one_organisation() -> None:
    result = match(MatchRequest(_people("A" * 7)))
    assert result.score.same_org_pairs == 3 + 2  # trio (3) + two pairs
    assert result.score.unplaced == 0


def test_everyone_met_everyone_fewest_repeats() -> None:
    people = _people("ABCDEF")
    ids = [p.id for p in people]
    history = [PastPair(1, a, b) for a, b in itertools.combinations(ids, 2)]
    result = match(MatchRequest(people, history))
    assert result.score.repeat_pairs == 3
    assert result.score.same_org_pairs == 0


@pytest.mark.parametrize("fast", [False, True])
def test_trio_avoids_recent_trio_members(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if fast:
        monkeypatch.setattr(engine_mod, "EXACT_LIMIT", 0)
    people = _people("ABCDEFGHI")
    history = [PastPair(5, "p0", "p1"), PastPair(5, "p0", "p2"), PastPair(5, "p1", "p2")]
    result = match(MatchRequest(people, history))
    trio = next(g for g in result.groups if len(g) == 3)
    assert not set(trio) & {"p0", "p1", "p2"}
    assert result.score.trio_recent == 0


def test_deterministic_per_seed() -> None:
    rng = np.random.default_rng(0)
    people = [Participant(f"p{i}", f"o{rng.integers(6)}") for i in range(301)]
    req = MatchRequest(people, seed=7)
    assert match(req) == match(req)
    other = match(MatchRequest(people, seed=8))
    assert other.score.same_org_pairs == match(req).score.same_org_pairs


def _population(n: int, k: int, big: float, seed: int) -> list[Participant]:
    rng = np.random.default_rng(seed)
    w = 1.0 / np.arange(1, k + 1)
    w = w / w[1:].sum() * (1 - big)
    w[0] = big
    orgs = rng.choice(k, size=n, p=w)
    return [Participant(f"p{i:05d}", f"org{o}") for i, o in enumerate(orgs)]


@pytest.mark.parametrize(("n", "k", "big"), [(400, 10, 0.3), (600, 20, 0.55), (501, 8, 0.45)])
def test_medium_rounds_reach_proven_bounds(n: int, k: int, big: float) -> None:
    people = _population(n, k, big, seed=n)
    history: list[PastPair] = []
    for r in range(3):
        res = match(MatchRequest(people, history, seed=r))
        history += [
            PastPair(r + 1, a, b) for g in res.groups for a, b in itertools.combinations(g, 2)
        ]
    result = match(MatchRequest(people, history, seed=9))
    assert result.bounds is not None
    assert result.score.unplaced == 0
    assert result.score.same_org_pairs == result.bounds.same_org_pairs
    assert result.score.repeat_pairs == 0
    assert result.score.weak_tie_value <= result.bounds.weak_tie_value + 1e-9
    if n % 2 == 0:
        assert result.score.weak_tie_value >= result.bounds.weak_tie_value * (1 - 0.002)
    sizes = np.bincount([int(p.organisation[3:]) for p in people])
    if sizes.max() * 2 > n:
        assert result.score.same_org_pairs >= (2 * sizes.max() - n) // 2


def test_forced_same_org_pairs_rotate_over_rounds() -> None:
    people = _people("A" * 30 + "B" * 10)
    org_a = {f"p{i}" for i in range(30)}
    history: list[PastPair] = []
    in_same: list[set[str]] = []
    for r in range(2):
        res = match(MatchRequest(people, history, seed=r))
        assert res.score.same_org_pairs == 10
        in_same.append({p for g in res.groups if set(g) <= org_a for p in g})
        history += [PastPair(r + 1, g[0], g[1]) for g in res.groups]
    # 20 of 30 are needed each round: the 10 spared last round must be used now
    assert org_a - in_same[0] <= in_same[1]


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 10, 11])
def test_groups_of_three_shapes(n: int) -> None:
    req = MatchRequest(_people("ABCD" * 3)[:n], group_size=3, exclusions=[frozenset({"p0", "p1"})])
    result = match(req)
    sizes = sorted(len(g) for g in result.groups)
    pairs = {0: 0, 1: 2, 2: 1}[n % 3]
    assert sizes.count(2) == pairs or result.unplaced
    assert sizes.count(3) == (n - 2 * pairs) // 3 or result.unplaced
    assert _valid(list(result.groups), set(req.exclusions))
    assert math.isclose(result.score.weak_tie_value, score(result.groups, req).weak_tie_value)
