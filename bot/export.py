"""GraphML export of a programme's network, for Gephi, Polinode or networkx users.

By default the graph is organisation-level and follows the lead view: one node per
organisation and one edge per linked pair, with counts under the small-number threshold left
out (the edge stays, marked `suppressed`). `people=True` gives the person-level graph for the
operator's own analysis: pseudonymous nodes (`p<id>`), labelled with a name only for people
who agreed to be named in reports, each with their organisation.
"""

from __future__ import annotations

import io
import re
from typing import Any

import networkx as nx
from sqlalchemy import text
from sqlmodel import Session

from bot.db.models import Programme
from bot.reports import build_report, lead_view, load_report_input
from bot.reports.model import STAGE_WEIGHT
from bot.reports.privacy import LeadView


def organisation_network(view: LeadView) -> nx.Graph:
    graph = nx.Graph(name=view.programme, level="organisation", min_count=view.min_count)
    for org in view.per_organisation:
        attributes: dict[str, Any] = {
            "label": org.name,
            "partners": org.partners,
            "betweenness": org.betweenness,
            "bridge": org.bridge,
            "isolated": org.isolated,
            "weakly_linked": org.weakly_linked,
            "people_suppressed": not isinstance(org.joined, int),
        }
        if isinstance(org.joined, int):
            attributes["people"] = org.joined
        if org.ei_index is not None:
            attributes["ei_index"] = round(org.ei_index, 4)
        graph.add_node(org.name, **attributes)
    names = view.organisations
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            ties = view.matrix[i][j]
            if ties == 0:
                continue
            edge: dict[str, Any] = {"suppressed": not isinstance(ties, int)}
            if isinstance(ties, int):
                edge["ties"] = ties
                edge["weight"] = float(ties)
            strength = view.strength[i][j]
            if isinstance(strength, int):
                edge["strength"] = strength
            graph.add_edge(a, names[j], **edge)
    return graph


_PEOPLE = """
SELECT p.id, p.name, p.name_in_reports, p.erased, o.name FROM membership m
JOIN person p ON p.id = m.person_id
LEFT JOIN organisation o ON o.id = p.organisation_id
WHERE m.programme_id = :p
"""
_TIES = "SELECT person_a_id, person_b_id, stage FROM tie WHERE programme_id = :p"


def people_network(session: Session, programme: Programme) -> nx.Graph:
    connection = session.connection()
    params = {"p": programme.id}
    graph = nx.Graph(name=programme.name, level="person")
    for person_id, name, named, erased, organisation in connection.execute(
        text(_PEOPLE), params
    ).all():
        attributes: dict[str, Any] = {"organisation": organisation or ""}
        attributes["label"] = name if (named and not erased and name) else ""
        graph.add_node(f"p{person_id}", **attributes)
    for a, b, stage in connection.execute(text(_TIES), params).all():
        graph.add_edge(
            f"p{a}", f"p{b}", stage=str(stage), weight=float(STAGE_WEIGHT.get(str(stage), 1))
        )
    for node in graph.nodes:
        graph.nodes[node].setdefault("organisation", "")
        graph.nodes[node].setdefault("label", "")
    return graph


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def graphml(graph: nx.Graph) -> bytes:
    """GraphML text; characters XML 1.0 cannot carry (control characters in a name) are
    dropped, so every export parses."""
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    text = buffer.getvalue().decode("utf-8", errors="replace")
    return _NOT_XML.sub("", text).encode("utf-8")


def export_graphml(
    session: Session, programme: Programme, *, min_count: int, people: bool = False
) -> tuple[bytes, nx.Graph]:
    if people:
        graph = people_network(session, programme)
    else:
        report = build_report(load_report_input(session, programme), min_count=min_count)
        graph = organisation_network(lead_view(report))
    return graphml(graph), graph
