"""What a report is made of: aggregated input rows (from SQL) and the computed report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.reports.funnel import FunnelLine, StagePath

# Every stage a tie can be at, in order; each tie is at exactly one, so they sum to the total.
STAGES = ("introduced", "met", "step_agreed", "step_taken", "collaborating")
# Strength of a tie by the furthest stage it reached: a meeting counts twice an introduction,
# a logged collaboration three times; a next step agreed or taken counts as a meeting.
STAGE_WEIGHT = {
    "introduced": 1,
    "met": 2,
    "step_agreed": 2,
    "step_taken": 2,
    "collaborating": 3,
}
STATUSES = ("active", "paused", "left")


@dataclass(frozen=True)
class TieGroup:
    """Ties of one organisation pair at one stage, first introduced in one round (or none)."""

    organisation_a: str | None
    organisation_b: str | None
    stage: str
    round_number: int | None
    count: int


@dataclass(frozen=True)
class ReportInput:
    """Everything a report needs, already grouped by the database: a few hundred rows at most
    (plus one per profession pair and tag), whatever the number of ties."""

    programme: str
    organisations: tuple[str, ...]
    rounds: tuple[int, ...]
    introductions: tuple[tuple[int, str | None, int], ...]  # round, outcome, count
    organisation_introductions: tuple[tuple[str, str | None, int], ...]  # org, outcome, count
    ties: tuple[TieGroup, ...]
    memberships: tuple[tuple[str | None, str, int], ...]  # organisation, status, people
    role_pairs: tuple[tuple[str, str, int], ...] = ()  # roles of met ties, count
    role_people: tuple[tuple[str, int], ...] = ()  # role, people who joined with it
    tags: tuple[tuple[str, int, int], ...] = ()  # tag, distinct ties, collaborations logged
    connectors: tuple[tuple[str, int], ...] = ()  # consenting person's name, organisations
    stage_paths: tuple[StagePath, ...] = ()  # ties by pair, stage and steps (the funnel)


@dataclass(frozen=True)
class RoundLine:
    round: int
    introductions: int
    met: int
    new_cross_org_ties: int
    new_cross_org_ties_met: int  # of those, how many reached a meeting (or more) so far
    cross_org_ties_total: int


@dataclass(frozen=True)
class OrganisationLine:
    """One organisation: its people, introductions, ties and place in the network."""

    name: str
    joined: int
    active: int
    paused: int
    left: int
    introductions: int
    met: int
    external_ties: int
    internal_ties: int
    partners: int  # other organisations linked by at least one tie
    betweenness: float
    bridge: bool  # an articulation point: without it, some organisations lose their link
    isolated: bool
    weakly_linked: bool


@dataclass
class Report:
    """Exact figures. What a lead sees goes through `bot.reports.privacy.lead_view` first."""

    programme: str
    organisations: list[str]
    rounds: int
    introductions: int
    met: int
    met_rate: float
    ties_by_stage: dict[str, int]
    cross_org_ties: int
    same_org_ties: int
    matrix: list[list[int]]  # organisations × organisations, symmetric; diagonal = same-org
    strength: list[list[int]]  # the same, each tie weighted by STAGE_WEIGHT
    stage_matrices: dict[str, list[list[int]]]  # the matrix split by each tie's stage
    per_round: list[RoundLine]
    per_organisation: list[OrganisationLine]
    organisation_pairs_linked: int
    organisation_pairs_total: int
    organisation_pairs_met: int  # linked by at least one tie that reached a meeting
    density: float  # share of organisation pairs linked (organisation graph density)
    people_density: float  # cross-organisation ties / possible cross-organisation person pairs
    ei_index: float | None  # (external − internal) / (external + internal) over all ties
    isolated_organisations: list[str]
    weakly_linked_organisations: list[str]
    bridging_organisations: list[str]
    role_pairs: list[tuple[str, str, int]]
    role_people: dict[str, int]
    tags: list[tuple[str, int, int]]
    connectors: list[tuple[str, int]]
    ties_outside_rounds: int = 0  # logged collaborations with no introduction behind them
    funnel: list[FunnelLine] = field(default_factory=list)  # per organisation pair
    funnel_total: dict[str, int] = field(default_factory=dict)  # over ties across organisations
    suppressed_below: int = 5
    notes: list[str] = field(default_factory=list)

    @property
    def cross_org_ties_per_round(self) -> list[dict[str, int]]:
        return [
            {
                "round": line.round,
                "introductions": line.introductions,
                "met": line.met,
                "new_cross_org_ties": line.new_cross_org_ties,
                "new_cross_org_ties_met": line.new_cross_org_ties_met,
                "cross_org_ties_total": line.cross_org_ties_total,
            }
            for line in self.per_round
        ]
