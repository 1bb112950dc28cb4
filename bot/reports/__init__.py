"""Relationship reports for leads: is the partnership getting more connected, where are the gaps?

`load_report_input` reads grouped figures with set-based SQL, `build_report` computes the exact
report (pure), `lead_view` applies the small-number rule for anything a lead sees, and
`report_json` is the operator's JSON (`crossties report --json`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.reports.build import build_report, organisation_graph
from bot.reports.load import load_report_input
from bot.reports.model import Report, ReportInput, TieGroup
from bot.reports.privacy import LeadView, lead_view, suppress

__all__ = [
    "LeadView",
    "Report",
    "ReportInput",
    "TieGroup",
    "build_report",
    "lead_view",
    "load_report_input",
    "organisation_graph",
    "report_json",
    "suppress",
]


def report_json(report: Report) -> dict[str, Any]:
    """The operator's JSON: exact figures under the published keys, plus the lead view.

    The CLI runs with the database's own credentials, so hiding figures from it protects
    nobody; `lead_view` carries what a lead would see, for anything passed on.
    """
    data = asdict(report)
    data["cross_org_ties_per_round"] = report.cross_org_ties_per_round
    data["tie_matrix"] = {
        "organisations": report.organisations,
        "counts": report.matrix,
        "strength": report.strength,
        "stage_weights": {"introduced": 1, "met": 2, "collaborating": 3},
    }
    data["participation"] = {
        line.name: {
            "joined": line.joined,
            "active": line.active,
            "paused": line.paused,
            "left": line.left,
        }
        for line in report.per_organisation
    }
    data["exact"] = True
    data["min_count"] = report.suppressed_below
    data["lead_view"] = lead_view(report).to_json()
    return data
