"""Tier 5 (meeting organisations new to a person) and introductions that did not happen."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.matching import MatchRequest, Participant, PastPair, match, score
from bot.matching import engine as engine_mod
from tests.unit.test_matching import _partitions

Plan = tuple[Counter[tuple[str, ...]], ...]


def _plan(groups: Sequence[Sequence[str]], org: dict[str, str]) -> Counter[tuple[str, ...]]:
    """The organisation-level plan of an arrangement: how many groups of each make-up."""
    return Counter(tuple(sorted(org[p] for p in g)) for g in groups)


@st.composite
def departed_history(draw: st.DrawFn, max_n: int = 9) -> MatchRequest:
    """People whose past partners have all left: organisations met, but no repeat possible.

    No past trios either, so nothing sends the repair step across organisations and the
    groups follow the plan the engine chose."""
    n = draw(st.integers(2, max_n))
    k = draw(st.integers(1, 4))
    people = [Participant(f"p{i}", f"org{draw(st.integers(0, k - 1))}") for i in range(n)]
    history: list[PastPair] = []
    for r in range(draw(st.integers(0, 4))):
        for j in range(draw(st.integers(0, 2 * n))):
            who = draw(st.sampled_from(people)).id
            gone = f"gone{r}_{j}"
            org = f"org{draw(st.integers(0, k - 1))}"
            history.append(PastPair(r + 1, who, gone, org_b=org, met=draw(st.booleans())))
    return MatchRequest(people, history, seed=draw(st.integers(0, 3)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(departed_history())
def test_fast_engine_reaches_tier_five_optimum_for_its_plan(req: MatchRequest) -> None:
    """Every arrangement with the fast engine's organisation plan scores no better on tier 5."""
    saved = engine_mod.EXACT_LIMIT, engine_mod.EXACT_FALLBACK
    engine_mod.EXACT_LIMIT = engine_mod.EXACT_FALLBACK = 0
    try:
        result = match(req)
    finally:
        engine_mod.EXACT_LIMIT, engine_mod.EXACT_FALLBACK = saved
    org = {p.id: p.organisation for p in req.participants}
    mine = _plan(result.groups, org)
    best = min(
        score(g, req).org_repeats
        for g in _partitions([p.id for p in req.participants], leave_out=False)
        if _plan(g, org) == mine
    )
    assert result.score.repeat_pairs == 0
    assert result.score.org_repeats == best
    assert result.bounds is not None
    assert result.bounds.org_repeats == best  # the bound is proven: it is the optimum


def test_score_counts_each_person_meeting_an_organisation_met_before() -> None:
    people = [Participant("a", "A"), Participant("b", "B"), Participant("c", "C")]
    history = [
        PastPair(1, "a", "x", org_b="B"),  # a met B
        PastPair(1, "b", "y", org_b="A"),  # b met A
        PastPair(2, "c", "z", org_b="A", met=False),  # c was introduced to A, never met
        PastPair(2, "a", "w", org_b="A"),  # same organisation: not a meeting with another
    ]
    req = MatchRequest(people, history)
    # a-b: both met the other's organisation (2); a-c: a met C? no, c met A? not really (0)
    assert score([("a", "b", "c")], req).org_repeats == 2
    assert score([("a", "c")], MatchRequest(people[::2], history)).org_repeats == 0


def test_tier_five_rotates_people_towards_organisations_new_to_them() -> None:
    people = [Participant(f"a{i}", "A") for i in range(6)]
    people += [Participant(f"{o}{i}", o.upper()) for o in "bcd" for i in range(2)]
    # a0, a1 met B; a2, a3 met C; a4, a5 met D (through people who have left)
    history = [PastPair(1, f"a{i}", f"gone{i}", org_b="BCD"[i // 2]) for i in range(6)]
    result = match(MatchRequest(people, history, seed=4))
    assert result.score.same_org_pairs == 0 and result.score.org_repeats == 0
    partner = {a: next(p for p in g if p != a) for g in result.groups for a in g}
    for i in range(6):
        assert partner[f"a{i}"][0] != "bcd"[i // 2]


def test_tier_four_counts_ties_that_happened_tier_three_counts_introductions() -> None:
    people = [Participant("a1", "A"), Participant("a2", "A")]
    people += [Participant("b1", "B"), Participant("b2", "B")]
    history = [PastPair(1, "a1", "b1", met=False), PastPair(1, "a2", "b2")]
    sc = score([("a1", "b1"), ("a2", "b2")], MatchRequest(people, history))
    assert sc.repeat_pairs == 2  # the introduction that did not happen is still a repeat
    # A-B linked once (only the met pair): t = 1, two more pairs -> 1/2 + 1/3
    assert sc.weak_tie_value == pytest.approx(1 / 2 + 1 / 3)
    history_met = [PastPair(1, "a1", "b1"), PastPair(1, "a2", "b2")]
    sc_met = score([("a1", "b1"), ("a2", "b2")], MatchRequest(people, history_met))
    assert sc_met.weak_tie_value == pytest.approx(1 / 3 + 1 / 4)


@pytest.mark.parametrize("fast", [False, True])
def test_an_organisation_pair_whose_introductions_failed_is_not_counted_as_linked(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fast:
        monkeypatch.setattr(engine_mod, "EXACT_LIMIT", 0)
        monkeypatch.setattr(engine_mod, "EXACT_FALLBACK", 0)
    people = [Participant(x, x.upper()) for x in "abcd"]

    def links(ab_met: bool) -> MatchRequest:
        # every organisation pair was linked once, through people who have since left
        history = [
            PastPair(
                1,
                f"gone{x}{y}",
                f"gone{y}{x}",
                org_a=x,
                org_b=y,
                met=(x, y) != ("A", "B") or ab_met,
            )
            for x, y in (("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"), ("C", "D"))
        ]
        return MatchRequest(people, history, seed=1)

    unmet = match(links(ab_met=False))
    assert ("a", "b") in unmet.groups  # A-B is unlinked: worth 1 against 1/2 elsewhere
    assert unmet.score.weak_tie_value == pytest.approx(1 + 1 / 2)
    met = match(links(ab_met=True))
    assert met.score.weak_tie_value == pytest.approx(1 / 2 + 1 / 2)


def test_the_trio_rule_never_trades_away_the_organisation_plan() -> None:
    """The only person of an organisation the plan puts in the trio was in a trio lately:
    the trio rule (the last tier) must not swap them for someone of another organisation."""
    orgs = {"p0": "o3", "p1": "o0", "p2": "o3", "p3": "o1", "p4": "o1", "p5": "o1"}
    orgs |= {"p6": "o0", "p7": "o2", "p8": "o0"}
    people = [Participant(p, o) for p, o in orgs.items()]
    history = [
        PastPair(1, "p4", "gone-a", org_b="o3"),
        PastPair(2, "p3", "gone-b", org_b="o0"),
        PastPair(3, "p3", "gone-c", org_b="o3"),
        *(PastPair(2, "p0", f"gone-d{j}", org_b="o0", met=False) for j in range(4)),
        *(PastPair(2, "p7", f"gone-e{j}", org_b="o0", met=False) for j in range(2)),
    ]
    saved = engine_mod.EXACT_LIMIT, engine_mod.EXACT_FALLBACK
    engine_mod.EXACT_LIMIT = engine_mod.EXACT_FALLBACK = 0
    try:
        result = match(MatchRequest(people, history, seed=2))
    finally:
        engine_mod.EXACT_LIMIT, engine_mod.EXACT_FALLBACK = saved
    assert result.bounds is not None
    assert result.score.weak_tie_value == pytest.approx(result.bounds.weak_tie_value)
    assert result.score.org_repeats == result.bounds.org_repeats
