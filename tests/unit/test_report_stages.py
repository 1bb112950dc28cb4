"""Ties by stage: every stage a tie can be at is counted, so the stages sum to the total, in
the report, the lead view, and the line a lead reads (terminal and page)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from bot.reports import ReportInput, build_report, lead_view
from bot.reports.html import render_html
from bot.reports.model import STAGE_WEIGHT, TieGroup
from bot.templates import Prompts
from crossties.cli.render import print_report

ORGS = ("Acute", "GP", "Hospice")


def _input() -> ReportInput:
    return ReportInput(
        programme="P",
        organisations=ORGS,
        rounds=(1, 2),
        introductions=((1, "met", 60), (2, "met", 38)),
        organisation_introductions=(),
        ties=(
            TieGroup("Acute", "GP", "introduced", 1, 25),
            TieGroup("Acute", "GP", "met", 1, 30),
            TieGroup("Acute", "Hospice", "step_agreed", 2, 6),
            TieGroup("GP", "Hospice", "step_taken", 2, 7),
            TieGroup("Acute", "Hospice", "collaborating", 2, 30),
        ),
        memberships=(("Acute", "active", 40), ("GP", "active", 40), ("Hospice", "active", 30)),
    )


def test_the_stages_sum_to_the_total() -> None:
    report = build_report(_input())
    assert report.ties_by_stage == {
        "introduced": 25,
        "met": 30,
        "step_agreed": 6,
        "step_taken": 7,
        "collaborating": 30,
    }
    total = report.cross_org_ties + report.same_org_ties
    assert total == 98 and sum(report.ties_by_stage.values()) == total
    assert set(report.ties_by_stage) == set(STAGE_WEIGHT)  # no stage a tie can reach is left out
    view = lead_view(report)
    assert list(view.ties_by_stage) == list(report.ties_by_stage)
    assert sum(n for n in view.ties_by_stage.values() if isinstance(n, int)) == total


def test_the_strength_of_a_pair_counts_its_step_ties() -> None:
    report = build_report(_input())
    acute, hospice = ORGS.index("Acute"), ORGS.index("Hospice")
    assert report.strength[acute][hospice] == 6 * 2 + 30 * 3


def test_the_line_a_lead_reads_names_every_stage() -> None:
    prompts = Prompts()
    line = prompts.render("report_stages", view=lead_view(build_report(_input(), min_count=5)))
    assert line == (
        "Ties by stage: introduced 25, met 30, agreed a next step 6, took the step 7, "
        "collaborating 30."
    )
    out = io.StringIO()
    print_report(Console(file=out, width=200), build_report(_input()), prompts)
    assert line in out.getvalue()
    page = render_html(
        lead_view(build_report(_input())), prompts, generated=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert line in page
