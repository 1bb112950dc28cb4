"""The lead view: the report as leads may see it, with small numbers about people suppressed.

The rule (docs/reports.md explains it for leads and operators):
- a count about people — people, introductions, ties, meetings, logged collaborations — from
  1 to k−1 is not shown; it reads "fewer than k" (k = Settings.min_group_size_for_reports,
  CROSSTIES_REPORT_MIN_COUNT, 5 by default). Zero is shown: nobody is behind it;
- where a total is shown beside its parts, hidden parts must not follow by subtraction, so
  more parts are hidden with them (complementary suppression, see `complement`), or the total;
- a rate or index is shown only when its base is at least k and every count it is computed from
  can be shown (otherwise the rate would give the hidden count back);
- a running total is shown only while every round before it could be shown;
- professions and tags under k are merged into "other" (and that too is hidden when small);
- nobody is named unless they agreed (Person.name_in_reports), which the SQL already enforces.
Organisation-level facts (which organisation pairs are linked, density, bridges) are about
organisations, not people, and are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.reports.model import STAGE_WEIGHT, STAGES, Report

if TYPE_CHECKING:
    from bot.reports.funnel import FunnelView


class Withheld:
    """A figure hidden not for being small but so that a small one cannot be worked out."""

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD = Withheld()
NOT_SHOWN = "not shown"
# An exact figure; None for "fewer than k"; WITHHELD for "not shown".
Shown = int | None | Withheld


def is_hidden(value: Shown) -> bool:
    return not isinstance(value, int)


def publishable(value: int, k: int) -> bool:
    return value == 0 or value >= k


def show(value: int, k: int) -> Shown:
    return value if publishable(value, k) else None


def fewer_than(k: int) -> str:
    return f"fewer than {k}"


def as_text(value: Shown, k: int) -> str:
    if value is None:
        return fewer_than(k)
    if isinstance(value, Withheld):
        return NOT_SHOWN
    return f"{value:,}"


def suppress(value: int, min_count: int) -> str:
    """Small numbers about people are not shown: they could point at a person."""
    return as_text(show(value, min_count), min_count)


def rate(part: int, whole: int, k: int) -> float | None:
    """A share shown only when neither it nor its complement gives a small count away."""
    if whole < k or not publishable(part, k) or not publishable(whole - part, k):
        return None
    return part / whole


def complement(
    values: list[int], k: int, total_shown: bool = True, start: list[bool] | None = None
) -> tuple[list[bool], bool]:
    """Which parts to hide (primary and complementary), and whether the total stays shown.

    With the total shown, the hidden parts' sum is known. It must not pin them down: one hidden
    part is its sum, and a sum at the least (or most) the hidden parts could add up to pins
    each of them (two hidden 1s make 2). Until that no longer holds, the smallest visible
    non-zero part is hidden as well; if none is left, the total is hidden instead.
    """
    hidden = [not publishable(v, k) for v in values]
    if start is not None:  # parts already hidden for another reason
        hidden = [h or s for h, s in zip(hidden, start, strict=True)]
    if not total_shown:
        return hidden, False
    while any(hidden) and _pinned([v for v, h in zip(values, hidden, strict=True) if h], k):
        candidates = [i for i, v in enumerate(values) if not hidden[i] and v > 0]
        if not candidates:
            return hidden, False
        hidden[min(candidates, key=lambda i: values[i])] = True
    return hidden, True


def _pinned(hidden: list[int], k: int) -> bool:
    if len(hidden) == 1:
        return True
    small = [v for v in hidden if not publishable(v, k)]
    least = len(small) + k * (len(hidden) - len(small))  # small ones ≥ 1, others ≥ k
    most = (k - 1) * len(small) if len(small) == len(hidden) else None
    total = sum(hidden)
    return total in (least, most)


def _part(part: int, whole: int, k: int, whole_hidden: bool = False) -> Shown:
    """A part shown beside its whole: the rest (whole − part) must not be small either."""
    if not publishable(part, k):
        return None
    if whole_hidden:
        return part
    return part if publishable(whole - part, k) else WITHHELD


def _masked(values: list[int], hidden: list[bool], k: int) -> list[Shown]:
    return [_one(v, h, k) for v, h in zip(values, hidden, strict=True)]


def _one(value: int, hidden: bool, k: int) -> Shown:
    if not publishable(value, k):
        return None
    return WITHHELD if hidden else value


@dataclass(frozen=True)
class RoundView:
    round: int
    introductions: Shown
    met_rate: float | None
    new_cross_org_ties: Shown
    new_cross_org_ties_met: Shown
    cross_org_ties_total: Shown


@dataclass(frozen=True)
class OrganisationView:
    name: str
    joined: Shown
    active: Shown
    paused: Shown
    left: Shown
    introductions: Shown
    met_rate: float | None
    ei_index: float | None
    partners: int
    betweenness: float
    bridge: bool
    isolated: bool
    weakly_linked: bool


@dataclass(frozen=True)
class LeadView:
    programme: str
    min_count: int
    organisations: list[str]
    rounds: int
    introductions: Shown
    met: Shown
    met_rate: float | None
    ties_by_stage: dict[str, Shown]
    cross_org_ties: Shown
    same_org_ties: Shown
    matrix: list[list[Shown]]
    strength: list[list[Shown]]
    per_round: list[RoundView]
    per_organisation: list[OrganisationView]
    organisation_pairs_linked: int
    organisation_pairs_total: int
    organisation_pairs_met: int
    density: float
    people_density: float
    ei_index: float | None
    isolated_organisations: list[str]
    weakly_linked_organisations: list[str]
    bridging_organisations: list[str]
    unlinked_pairs: list[tuple[str, str]]
    thin_pairs: list[tuple[str, str]]  # linked by fewer than k ties
    role_pairs: list[tuple[str, str, Shown]]
    tags: list[tuple[str, Shown]]
    connectors: list[tuple[str, int]]
    funnel: list[FunnelView] = field(default_factory=list)  # per organisation pair
    funnel_total: dict[str, Shown] = field(default_factory=dict)

    def text(self, value: Shown) -> str:
        return as_text(value, self.min_count)

    def to_json(self) -> dict[str, Any]:
        """Suppressed counts read "fewer than k", as leads see them; hidden rates are null."""

        def out(value: Any, key: str = "") -> Any:
            if value is None:
                return None if key.endswith(("rate", "index")) else fewer_than(self.min_count)
            if isinstance(value, Withheld):
                return NOT_SHOWN
            if isinstance(value, list | tuple):
                return [out(v, key) for v in value]
            if isinstance(value, dict):
                return {name: out(v, name) for name, v in value.items()}
            if hasattr(value, "__dataclass_fields__"):
                fields = value.__dataclass_fields__
                return {name: out(getattr(value, name), name) for name in fields}
            return value

        data: dict[str, Any] = out(self)
        return data


def _matrix_view(report: Report, k: int, cross_shown: bool, same_shown: bool) -> list[list[bool]]:
    size = len(report.organisations)
    matrix = report.matrix
    hidden = [[not publishable(matrix[i][j], k) for j in range(size)] for i in range(size)]
    upper = [(i, j) for i in range(size) for j in range(i + 1, size)]
    mask, _ = complement([matrix[i][j] for i, j in upper], k, cross_shown)
    for (i, j), h in zip(upper, mask, strict=True):
        hidden[i][j] = hidden[j][i] = h
    diagonal, _ = complement([matrix[i][i] for i in range(size)], k, same_shown)
    for i, h in enumerate(diagonal):
        hidden[i][i] = h
    return hidden


def _strength_shown(report: Report, i: int, j: int, k: int) -> Shown:
    parts = [report.stage_matrices[stage][i][j] for stage in STAGES]
    if all(publishable(p, k) for p in parts):
        return sum(STAGE_WEIGHT[s] * p for s, p in zip(STAGES, parts, strict=True))
    return WITHHELD


def _merged(
    rows: list[tuple[str, int]], k: int, keep: list[bool], other: str
) -> list[tuple[str, Shown]]:
    """Rows under k merge into `other`; if that is small too, the smallest shown row joins it."""
    shown = [(label, n) for (label, n), ok in zip(rows, keep, strict=True) if ok and n >= k]
    rest = sum(n for _, n in rows) - sum(n for _, n in shown)
    while 0 < rest < k and shown:
        rest += shown.pop()[1]  # rows are sorted largest first, so the smallest goes
    out: list[tuple[str, Shown]] = [(label, n) for label, n in shown]
    if rest:
        out.append((other, show(rest, k)))
    return out


SEP = "\x00"


def _pair(label: str) -> tuple[str, str]:
    first, _, second = label.partition(SEP)
    return first, second


def lead_view(report: Report) -> LeadView:
    k = report.suppressed_below
    stages = [report.ties_by_stage[s] for s in STAGES]
    cross, same = show(report.cross_org_ties, k), show(report.same_org_ties, k)
    stage_hidden, _ = complement(stages, k, cross is not None and same is not None)

    rounds = report.per_round
    intro_hidden, intros_total = complement([r.introductions for r in rounds], k)
    # New ties per round add up to the cross-organisation total (bar ties made outside rounds).
    new_hidden, _ = complement([r.new_cross_org_ties for r in rounds], k, cross is not None)
    round_views = []
    for n, line in enumerate(rounds):
        running_ok = not any(new_hidden[: n + 1]) and publishable(line.cross_org_ties_total, k)
        new = line.new_cross_org_ties
        round_views.append(
            RoundView(
                round=line.round,
                introductions=_one(line.introductions, intro_hidden[n], k),
                met_rate=rate(line.met, line.introductions, k),
                new_cross_org_ties=_one(new, new_hidden[n], k),
                new_cross_org_ties_met=_part(line.new_cross_org_ties_met, new, k, new_hidden[n]),
                cross_org_ties_total=_one(line.cross_org_ties_total, not running_ok, k),
            )
        )

    hidden = _matrix_view(report, k, cross is not None, same is not None)
    size = len(report.organisations)
    matrix = [_masked(report.matrix[i], hidden[i], k) for i in range(size)]
    strength = [
        [WITHHELD if hidden[i][j] else _strength_shown(report, i, j, k) for j in range(size)]
        for i in range(size)
    ]
    organisations = []
    for i, org in enumerate(report.per_organisation):
        statuses, joined_ok = complement([org.active, org.paused, org.left], k)
        active, paused, left = _masked([org.active, org.paused, org.left], statuses, k)
        joined = _one(org.joined, not joined_ok, k)
        row_clear = not any(hidden[i])
        total = org.external_ties + org.internal_ties
        ei = (org.external_ties - org.internal_ties) / total if total >= k else None
        organisations.append(
            OrganisationView(
                name=org.name,
                joined=joined,
                active=active,
                paused=paused,
                left=left,
                introductions=show(org.introductions, k),
                met_rate=rate(org.met, org.introductions, k),
                ei_index=ei if row_clear else None,
                partners=org.partners,
                betweenness=org.betweenness,
                bridge=org.bridge,
                isolated=org.isolated,
                weakly_linked=org.weakly_linked,
            )
        )

    # A profession pair is shown only when each profession is held by at least k people:
    # otherwise "the only pharmacist" would be one person's meetings.
    common = [
        report.role_people.get(a, 0) >= k and report.role_people.get(b, 0) >= k
        for a, b, _ in report.role_pairs
    ]
    role_rows = _merged(
        [(f"{a}{SEP}{b}", n) for a, b, n in report.role_pairs], k, common, "Other professions"
    )
    tag_rows = _merged(
        [(tag, ties) for tag, ties, _ in report.tags], k, [True] * len(report.tags), "other tags"
    )
    from bot.reports.funnel import funnel_view

    at = {name: i for i, name in enumerate(report.organisations)}
    introduced_hidden = [
        not isinstance(matrix[at[f.organisation_a]][at[f.organisation_b]], int)
        for f in report.funnel
    ]
    funnel, funnel_total = funnel_view(report.funnel, report.funnel_total, k, introduced_hidden)
    return LeadView(
        programme=report.programme,
        min_count=k,
        organisations=list(report.organisations),
        rounds=report.rounds,
        introductions=_one(report.introductions, not intros_total, k),
        met=_part(report.met, report.introductions, k, not intros_total),
        met_rate=rate(report.met, report.introductions, k),
        ties_by_stage=dict(zip(STAGES, _masked(stages, stage_hidden, k), strict=True)),
        cross_org_ties=cross,
        same_org_ties=same,
        matrix=matrix,
        strength=strength,
        per_round=round_views,
        per_organisation=organisations,
        organisation_pairs_linked=report.organisation_pairs_linked,
        organisation_pairs_total=report.organisation_pairs_total,
        organisation_pairs_met=report.organisation_pairs_met,
        density=report.density,
        people_density=report.people_density,
        ei_index=report.ei_index if cross is not None and same is not None else None,
        isolated_organisations=list(report.isolated_organisations),
        weakly_linked_organisations=list(report.weakly_linked_organisations),
        bridging_organisations=list(report.bridging_organisations),
        unlinked_pairs=[
            (a, report.organisations[j])
            for i, a in enumerate(report.organisations)
            for j in range(i + 1, size)
            if report.matrix[i][j] == 0
        ],
        thin_pairs=[
            (a, report.organisations[j])
            for i, a in enumerate(report.organisations)
            for j in range(i + 1, size)
            if matrix[i][j] is None
        ],
        role_pairs=[(*_pair(label), n) for label, n in role_rows],
        tags=tag_rows,
        connectors=list(report.connectors),
        funnel=funnel,
        funnel_total=funnel_total,
    )
