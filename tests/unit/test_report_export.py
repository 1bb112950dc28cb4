"""GraphML from the lead view: readable by networkx, names kept as text, small counts left out."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from bot.export import graphml, organisation_network
from bot.reports import ReportInput, TieGroup, build_report, lead_view

HOSTILE = '<script>alert("x")</script> & "Co"'


def test_graphml_round_trips_with_suppressed_edges(tmp_path: Path) -> None:
    data = ReportInput(
        programme="P",
        organisations=(HOSTILE, "GP", "Hospice", "Council"),
        rounds=(1,),
        introductions=((1, "met", 20),),
        organisation_introductions=(),
        ties=(
            TieGroup(HOSTILE, "GP", "met", 1, 12),
            TieGroup(HOSTILE, "Hospice", "met", 1, 2),
            TieGroup("GP", "Council", "met", 1, 20),
            TieGroup("Hospice", "Council", "met", 1, 7),
        ),
        memberships=((HOSTILE, "active", 9), ("GP", "active", 2)),
    )
    view = lead_view(build_report(data))
    path = tmp_path / "g.graphml"
    path.write_bytes(graphml(organisation_network(view)))
    graph = nx.read_graphml(path)
    assert set(graph.nodes) == {HOSTILE, "GP", "Hospice", "Council"}
    assert {frozenset(e) for e in graph.edges} == {
        frozenset((HOSTILE, "GP")),
        frozenset((HOSTILE, "Hospice")),
        frozenset(("GP", "Council")),
        frozenset(("Hospice", "Council")),
    }
    assert graph.edges[HOSTILE, "GP"]["ties"] == 12
    assert graph.edges[HOSTILE, "GP"]["weight"] == 12.0
    hidden = graph.edges[HOSTILE, "Hospice"]
    assert hidden["suppressed"] is True and "ties" not in hidden and "weight" not in hidden
    # 7 is not small, but with the 2 alone hidden the total would give the 2 away.
    withheld = graph.edges["Hospice", "Council"]
    assert withheld["suppressed"] is True and "ties" not in withheld
    assert graph.nodes[HOSTILE]["people"] == 9 and graph.nodes[HOSTILE]["label"] == HOSTILE
    assert graph.nodes["GP"]["people_suppressed"] is True and "people" not in graph.nodes["GP"]
    assert graph.nodes["Council"]["partners"] == 2 and graph.nodes["GP"]["partners"] == 2
