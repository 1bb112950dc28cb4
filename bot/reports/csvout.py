"""The report as one CSV in long form (table, row, column, value), ready to pivot.

Every cell that a spreadsheet could take for a formula — starting with = + - @, a tab or a
carriage return — gets a leading apostrophe, unless it is a plain number we wrote ourselves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.reports.privacy import LeadView, Shown
from bot.spreadsheet import FORMULA_START, neutralise

__all__ = ["FORMULA_START", "HEADER", "neutralise", "report_csv"]

HEADER = ("table", "row", "column", "value")


def _rows(view: LeadView) -> Iterator[tuple[str, str, str, str]]:
    def n(value: Shown) -> str:
        return view.text(value).replace(",", "")

    def r(value: float | None) -> str:
        return "not shown" if value is None else f"{value:.4f}"

    yield ("summary", "programme", "", view.programme)
    yield ("summary", "rounds", "", str(view.rounds))
    yield ("summary", "introductions", "", n(view.introductions))
    yield ("summary", "met", "", n(view.met))
    yield ("summary", "met_rate", "", r(view.met_rate))
    yield ("summary", "cross_org_ties", "", n(view.cross_org_ties))
    yield ("summary", "same_org_ties", "", n(view.same_org_ties))
    yield ("summary", "organisation_pairs_linked", "", str(view.organisation_pairs_linked))
    yield ("summary", "organisation_pairs_total", "", str(view.organisation_pairs_total))
    yield ("summary", "organisation_pairs_met", "", str(view.organisation_pairs_met))
    yield ("summary", "density", "", r(view.density))
    yield ("summary", "people_density", "", f"{view.people_density:.6f}")
    yield ("summary", "ei_index", "", r(view.ei_index))
    for stage, count in view.ties_by_stage.items():
        yield ("ties_by_stage", stage, "", n(count))
    for i, a in enumerate(view.organisations):
        for j, b in enumerate(view.organisations):
            yield ("tie_matrix", a, b, n(view.matrix[i][j]))
    for i, a in enumerate(view.organisations):
        for j, b in enumerate(view.organisations):
            strength = view.strength[i][j]
            yield ("tie_strength", a, b, n(strength))
    for line in view.per_round:
        number = str(line.round)
        yield ("rounds", number, "introductions", n(line.introductions))
        yield ("rounds", number, "met_rate", r(line.met_rate))
        yield ("rounds", number, "new_cross_org_ties", n(line.new_cross_org_ties))
        yield ("rounds", number, "new_cross_org_ties_met", n(line.new_cross_org_ties_met))
        yield ("rounds", number, "cross_org_ties_total", n(line.cross_org_ties_total))
    for org in view.per_organisation:
        for column, value in (
            ("joined", n(org.joined)),
            ("active", n(org.active)),
            ("paused", n(org.paused)),
            ("left", n(org.left)),
            ("introductions", n(org.introductions)),
            ("met_rate", r(org.met_rate)),
            ("partners", str(org.partners)),
            ("ei_index", r(org.ei_index)),
            ("betweenness", f"{org.betweenness:.4f}"),
            ("bridge", "yes" if org.bridge else "no"),
            ("isolated", "yes" if org.isolated else "no"),
            ("weakly_linked", "yes" if org.weakly_linked else "no"),
        ):
            yield ("organisations", org.name, column, value)
    for stage, count in view.funnel_total.items():
        yield ("funnel", "all pairs", stage, n(count))
    for pair in view.funnel:
        for stage, count in pair.counts.items():
            yield ("funnel", f"{pair.organisation_a} + {pair.organisation_b}", stage, n(count))
    for a, b, count in view.role_pairs:
        yield ("professions", a, b, n(count))
    for tag, count in view.tags:
        yield ("tags", tag, "ties", n(count))
    for name, count in view.connectors:
        yield ("connectors", name, "organisations", str(count))


def report_csv(view: LeadView) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in _rows(view):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
