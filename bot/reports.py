"""Relationship reports for leads: pure functions over plain data, aggregate by default."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from bot.db.models import (
    Introduction,
    Membership,
    Organisation,
    Person,
    Programme,
    ProgrammeOrganisation,
    Round,
    Tie,
)


@dataclass(frozen=True)
class TieRow:
    organisation_a: str | None
    organisation_b: str | None
    stage: str
    round_number: int | None  # round of the first introduction, if any


@dataclass(frozen=True)
class ReportInput:
    programme: str
    organisations: tuple[str, ...]
    rounds: tuple[int, ...]
    introductions: tuple[tuple[int, str | None], ...]  # round number, outcome
    ties: tuple[TieRow, ...]
    memberships: tuple[tuple[str | None, str], ...]  # organisation, status


@dataclass
class Report:
    programme: str
    organisations: list[str]
    rounds: int
    introductions: int
    met: int
    met_rate: float
    ties_by_stage: dict[str, int]
    cross_org_ties: int
    same_org_ties: int
    matrix: list[list[int]]  # organisations × organisations, symmetric
    cross_org_ties_per_round: list[dict[str, int]]
    participation: dict[str, dict[str, int]]
    organisation_pairs_linked: int
    organisation_pairs_total: int
    isolated_organisations: list[str]
    suppressed_below: int = 5
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tie_matrix"] = {
            "organisations": self.organisations,
            "counts": self.matrix,
        }
        return data


def load_report_input(session: Session, programme: Programme) -> ReportInput:
    programme_id = programme.id
    names = {o.id: o.name for o in session.exec(select(Organisation)).all()}
    organisations = tuple(
        sorted(
            names[o]
            for o in session.exec(
                select(ProgrammeOrganisation.organisation_id).where(
                    ProgrammeOrganisation.programme_id == programme_id
                )
            ).all()
        )
    )
    rounds = {
        r.id: r.number
        for r in session.exec(select(Round).where(Round.programme_id == programme_id)).all()
    }
    introductions = tuple(
        (rounds.get(i.round_id, 0), i.outcome)
        for i in session.exec(
            select(Introduction).where(Introduction.programme_id == programme_id)
        ).all()
    )
    first_round: dict[tuple[int, int], int] = {}
    from bot.db.models import IntroductionMember

    members = session.exec(
        select(IntroductionMember.introduction_id, IntroductionMember.person_id, Round.number)
        .join(Introduction, col(Introduction.id) == col(IntroductionMember.introduction_id))
        .join(Round, col(Round.id) == col(Introduction.round_id))
        .where(Introduction.programme_id == programme_id)
    ).all()
    grouped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for intro_id, person_id, number in members:
        grouped[intro_id].append((person_id, number))
    for group in grouped.values():
        for i, (a, number) in enumerate(group):
            for b, _ in group[i + 1 :]:
                key = (min(a, b), max(a, b))
                first_round[key] = min(first_round.get(key, number), number)
    ties = tuple(
        TieRow(
            names.get(t.organisation_a_id) if t.organisation_a_id else None,
            names.get(t.organisation_b_id) if t.organisation_b_id else None,
            t.stage,
            first_round.get((t.person_a_id, t.person_b_id)),
        )
        for t in session.exec(select(Tie).where(Tie.programme_id == programme_id)).all()
    )
    memberships = tuple(
        (names.get(org_id) if org_id else None, status)
        for status, org_id in session.exec(
            select(Membership.status, Person.organisation_id)
            .join(Person, col(Person.id) == col(Membership.person_id))
            .where(Membership.programme_id == programme_id)
        ).all()
    )
    return ReportInput(
        programme.name,
        organisations,
        tuple(sorted(set(rounds.values()))),
        introductions,
        ties,
        memberships,
    )


def build_report(data: ReportInput, *, min_count: int = 5) -> Report:
    organisations = list(data.organisations)
    index = {name: i for i, name in enumerate(organisations)}
    size = len(organisations)
    matrix = [[0] * size for _ in range(size)]
    stages: Counter[str] = Counter()
    cross = same = 0
    new_per_round: Counter[int] = Counter()
    for tie in data.ties:
        stages[tie.stage] += 1
        a, b = tie.organisation_a, tie.organisation_b
        if a is None or b is None:
            continue
        if a == b:
            same += 1
        else:
            cross += 1
            if tie.round_number is not None:
                new_per_round[tie.round_number] += 1
        if a in index and b in index:
            i, j = index[a], index[b]
            matrix[i][j] += 1
            if i != j:
                matrix[j][i] += 1
    introductions = len(data.introductions)
    met = sum(1 for _, outcome in data.introductions if outcome == "met")
    per_round = []
    running = 0
    for number in data.rounds:
        running += new_per_round[number]
        intros = [o for n, o in data.introductions if n == number]
        per_round.append(
            {
                "round": number,
                "introductions": len(intros),
                "met": sum(1 for o in intros if o == "met"),
                "new_cross_org_ties": new_per_round[number],
                "cross_org_ties_total": running,
            }
        )
    participation: dict[str, dict[str, int]] = {
        name: {"active": 0, "paused": 0, "left": 0} for name in organisations
    }
    for organisation, status in data.memberships:
        if organisation in participation and status in participation[organisation]:
            participation[organisation][status] += 1
    pairs_total = size * (size - 1) // 2
    linked = sum(1 for i in range(size) for j in range(i + 1, size) if matrix[i][j] > 0)
    isolated = [
        name
        for i, name in enumerate(organisations)
        if all(matrix[i][j] == 0 for j in range(size) if j != i)
    ]
    return Report(
        programme=data.programme,
        organisations=organisations,
        rounds=len(data.rounds),
        introductions=introductions,
        met=met,
        met_rate=round(met / introductions, 4) if introductions else 0.0,
        ties_by_stage={
            stage: stages.get(stage, 0) for stage in ("introduced", "met", "collaborating")
        },
        cross_org_ties=cross,
        same_org_ties=same,
        matrix=matrix,
        cross_org_ties_per_round=per_round,
        participation=participation,
        organisation_pairs_linked=linked,
        organisation_pairs_total=pairs_total,
        isolated_organisations=isolated,
        suppressed_below=min_count,
    )


def suppress(value: int, min_count: int) -> str:
    """Small numbers about people are not shown: they could point at a person."""
    if 0 < value < min_count:
        return f"fewer than {min_count}"
    return str(value)
