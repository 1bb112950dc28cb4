"""Turning grouped rows into the report's figures, including organisation-level network measures.

Pure: no database here. The organisation graph has one node per participating organisation and
an edge wherever at least one tie links two of them, weighted by the number of ties.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from bot.reports.funnel import build_funnel
from bot.reports.model import (
    STAGE_WEIGHT,
    STAGES,
    STATUSES,
    OrganisationLine,
    Report,
    ReportInput,
    RoundLine,
)


def organisation_graph(organisations: list[str], matrix: list[list[int]]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(organisations)
    for i, a in enumerate(organisations):
        for j in range(i + 1, len(organisations)):
            if matrix[i][j] > 0:
                graph.add_edge(a, organisations[j], ties=matrix[i][j])
    return graph


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _ei(external: int, internal: int) -> float | None:
    total = external + internal
    return round((external - internal) / total, 4) if total else None


def build_report(data: ReportInput, *, min_count: int = 5) -> Report:
    # A threshold under 1 would hide nothing and still claim to; 1 is the floor (no hiding).
    min_count = max(1, min_count)
    organisations = list(data.organisations)
    index = {name: i for i, name in enumerate(organisations)}
    size = len(organisations)
    matrix = [[0] * size for _ in range(size)]
    strength = [[0] * size for _ in range(size)]
    met_matrix = [[0] * size for _ in range(size)]
    stage_matrices = {stage: [[0] * size for _ in range(size)] for stage in STAGES}
    stages: Counter[str] = Counter()
    cross = same = outside_rounds = 0
    new_per_round: Counter[int] = Counter()
    new_met_per_round: Counter[int] = Counter()
    for group in data.ties:
        stages[group.stage] += group.count
        a, b = group.organisation_a, group.organisation_b
        if group.round_number is None:
            outside_rounds += group.count
        if a is None or b is None:
            continue
        if a == b:
            same += group.count
        else:
            cross += group.count
            if group.round_number is not None:
                new_per_round[group.round_number] += group.count
                if group.stage != "introduced":
                    new_met_per_round[group.round_number] += group.count
        if a in index and b in index:
            i, j = index[a], index[b]
            weight = STAGE_WEIGHT.get(group.stage, 1) * group.count
            met = group.count if group.stage != "introduced" else 0
            for x, y in {(i, j), (j, i)}:
                matrix[x][y] += group.count
                strength[x][y] += weight
                met_matrix[x][y] += met
                if group.stage in stage_matrices:
                    stage_matrices[group.stage][x][y] += group.count

    intro_rounds: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for number, outcome, count in data.introductions:
        intro_rounds[number][0] += count
        if outcome == "met":
            intro_rounds[number][1] += count
    introductions = sum(v[0] for v in intro_rounds.values())
    met = sum(v[1] for v in intro_rounds.values())

    per_round: list[RoundLine] = []
    running = 0
    for number in data.rounds:
        running += new_per_round[number]
        per_round.append(
            RoundLine(
                round=number,
                introductions=intro_rounds[number][0],
                met=intro_rounds[number][1],
                new_cross_org_ties=new_per_round[number],
                new_cross_org_ties_met=new_met_per_round[number],
                cross_org_ties_total=running,
            )
        )

    graph = organisation_graph(organisations, matrix)
    pairs_total = size * (size - 1) // 2
    linked = graph.number_of_edges()
    pairs_met = sum(1 for i in range(size) for j in range(i + 1, size) if met_matrix[i][j] > 0)
    # Betweenness on the organisation graph: how often an organisation sits on the shortest
    # route between two others. Articulation points are the organisations whose absence would
    # leave some others with no route at all.
    betweenness = nx.betweenness_centrality(graph, normalized=True) if size > 2 else {}
    bridges = set(nx.articulation_points(graph)) if size > 2 else set()

    participation: dict[str, Counter[str]] = {name: Counter() for name in organisations}
    people_by_org: Counter[str] = Counter()
    for organisation, status, count in data.memberships:
        if organisation in participation:
            participation[organisation][status] += count
            people_by_org[organisation] += count
    org_intros: dict[str, list[int]] = {name: [0, 0] for name in organisations}
    for organisation, outcome, count in data.organisation_introductions:
        if organisation in org_intros:
            org_intros[organisation][0] += count
            if outcome == "met":
                org_intros[organisation][1] += count

    lines: list[OrganisationLine] = []
    isolated: list[str] = []
    weak: list[str] = []
    for i, name in enumerate(organisations):
        external = sum(matrix[i][j] for j in range(size) if j != i)
        partners = graph.degree(name)
        is_isolated = partners == 0
        # Weakly linked: a single partner organisation, or fewer cross-organisation ties
        # than the smallest group the report would show.
        is_weak = not is_isolated and size > 2 and (partners <= 1 or external < min_count)
        if is_isolated:
            isolated.append(name)
        elif is_weak:
            weak.append(name)
        counts = participation[name]
        lines.append(
            OrganisationLine(
                name=name,
                joined=sum(counts[s] for s in STATUSES),
                active=counts["active"],
                paused=counts["paused"],
                left=counts["left"],
                introductions=org_intros[name][0],
                met=org_intros[name][1],
                external_ties=external,
                internal_ties=matrix[i][i],
                partners=partners,
                betweenness=round(float(betweenness.get(name, 0.0)), 4),
                bridge=name in bridges,
                isolated=is_isolated,
                weakly_linked=is_weak,
            )
        )

    people = [people_by_org[name] for name in organisations]
    total_people = sum(people)
    possible_cross = (total_people * total_people - sum(p * p for p in people)) // 2
    in_matrix_cross = sum(matrix[i][j] for i in range(size) for j in range(i + 1, size))
    funnel, funnel_total = build_funnel(organisations, data.stage_paths)
    return Report(
        programme=data.programme,
        organisations=organisations,
        rounds=len(data.rounds),
        introductions=introductions,
        met=met,
        met_rate=_ratio(met, introductions),
        ties_by_stage={stage: stages.get(stage, 0) for stage in STAGES},
        cross_org_ties=cross,
        same_org_ties=same,
        matrix=matrix,
        strength=strength,
        stage_matrices=stage_matrices,
        per_round=per_round,
        per_organisation=lines,
        organisation_pairs_linked=linked,
        organisation_pairs_total=pairs_total,
        organisation_pairs_met=pairs_met,
        density=_ratio(linked, pairs_total),
        people_density=round(in_matrix_cross / possible_cross, 6) if possible_cross else 0.0,
        ei_index=_ei(cross, same),
        isolated_organisations=isolated,
        weakly_linked_organisations=weak,
        bridging_organisations=[n for n in organisations if n in bridges],
        role_pairs=list(data.role_pairs),
        role_people=dict(data.role_people),
        tags=list(data.tags),
        connectors=list(data.connectors),
        ties_outside_rounds=outside_rounds,
        suppressed_below=min_count,
        funnel=funnel,
        funnel_total=funnel_total,
    )
