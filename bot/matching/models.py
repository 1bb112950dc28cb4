"""Public data types of the matcher."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    organisation: str
    role: str | None = None
    timezone: str | None = None
    days: frozenset[int] = frozenset()  # weekdays that suit them (Monday 0); empty: any day


@dataclass(frozen=True, slots=True)
class PastPair:
    """One past pair; a trio appears as three rows of the same round.

    `met` is False when the introduction is known not to have happened: it still counts as
    a repeat (tier 3) but not as a link between organisations (tiers 4 and 5)."""

    round: int
    a: str
    b: str
    org_a: str | None = None
    org_b: str | None = None
    met: bool = True


@dataclass(frozen=True, slots=True)
class Preferences:
    """Optional soft preferences, applied below the objective.

    `new_organisations` is kept for old callers: sending people to organisations new to them
    is now tier 5 of the objective, so the flag changes nothing."""

    mix_professions: bool = False
    close_timezones: bool = False
    new_organisations: bool = False


@dataclass(frozen=True, slots=True)
class MatchRequest:
    participants: Sequence[Participant]
    history: Sequence[PastPair] = ()
    exclusions: Collection[frozenset[str]] = ()
    group_size: int = 2
    seed: int = 0
    preferences: Preferences = field(default_factory=Preferences)


@dataclass(frozen=True, slots=True)
class Score:
    groups: int
    trios: int
    same_org_pairs: int
    repeat_pairs: int
    weak_tie_value: float
    org_repeats: int  # meetings with an organisation the person already met (per person)
    trio_recent: int
    unplaced: int
    days_apart: int = 0  # pairs whose chosen weekdays do not overlap (tier 7)
    same_role_pairs: int = 0  # pairs of one role (tier 8: mix roles)


@dataclass(frozen=True, slots=True)
class MatchResult:
    groups: tuple[tuple[str, ...], ...]
    unplaced: tuple[str, ...]
    score: Score
    bounds: Score | None = None
