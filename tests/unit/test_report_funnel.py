"""The funnel of tie stages per organisation pair: how it counts, how it is suppressed, and
that the JSON, CSV and HTML outputs carry it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser

from bot.reports import ReportInput, build_report, lead_view, report_json
from bot.reports.csvout import report_csv
from bot.reports.funnel import FUNNEL, StagePath, build_funnel, funnel_view
from bot.reports.html import render_html
from bot.reports.model import TieGroup
from bot.reports.privacy import WITHHELD
from bot.templates import Prompts

ORGS = ["Acute", "GP", "Hospice"]


def paths() -> tuple[StagePath, ...]:
    return (
        StagePath("Acute", "GP", "introduced", False, False, 6),
        StagePath("Acute", "GP", "met", False, False, 9),
        StagePath("GP", "Acute", "met", True, False, 5),  # either order names the same pair
        StagePath("Acute", "GP", "step_taken", True, True, 5),
        StagePath("Acute", "GP", "collaborating", True, True, 5),
        StagePath("Acute", "GP", "collaborating", False, False, 6),
        StagePath("Acute", "Hospice", "met", False, False, 2),
        StagePath("Acute", "Acute", "met", False, False, 40),  # within one: not in the funnel
        StagePath(None, "GP", "met", False, False, 3),  # an organisation unknown: left out
    )


def test_each_step_counts_the_ties_that_reached_it() -> None:
    lines, total = build_funnel(ORGS, paths())
    pairs = {(f.organisation_a, f.organisation_b): f.counts for f in lines}
    assert list(pairs) == [("Acute", "GP"), ("Acute", "Hospice"), ("GP", "Hospice")]
    assert pairs[("Acute", "GP")] == {
        "introduced": 36,
        "met": 30,
        "step_agreed": 15,  # 5 agreed, 5 took it, 5 took it and went on to collaborate
        "step_taken": 10,
        "collaborating": 11,
    }
    assert pairs[("GP", "Hospice")] == dict.fromkeys(FUNNEL, 0)  # stages not reached are 0
    assert total["introduced"] == 38 and total["met"] == 32


def test_small_steps_are_hidden_and_so_are_small_drops() -> None:
    lines, total = build_funnel(ORGS, paths())
    views, shown_total = funnel_view(lines, total, 5)
    acute_gp, acute_hospice, gp_hospice = (v.counts for v in views)
    assert acute_hospice["introduced"] is None and acute_hospice["met"] is None  # 2: small
    # With the totals shown, Acute–GP's 36 and 30 would give the Acute–Hospice 2 away.
    assert acute_gp["introduced"] is WITHHELD and acute_gp["met"] is WITHHELD
    assert shown_total["introduced"] == 38 and shown_total["met"] == 32
    # Steps no small cell stands beside are shown: 15 agreed, 10 took it (a drop of 5),
    # 11 collaborating (held by the met ties, not by the steps).
    assert acute_gp["step_agreed"] == 15 and acute_gp["step_taken"] == 10
    assert acute_gp["collaborating"] == 11
    assert gp_hospice == dict.fromkeys(FUNNEL, 0)  # zero is shown: nobody is behind it


def test_a_drop_of_fewer_than_k_between_steps_withholds_the_later_step() -> None:
    lines, total = build_funnel(
        ["A", "B"],
        (
            StagePath("A", "B", "introduced", False, False, 3),
            StagePath("A", "B", "met", False, False, 17),
        ),
    )
    (view,), shown_total = funnel_view(lines, total, 5)
    assert view.counts["introduced"] == 20
    assert view.counts["met"] is WITHHELD  # 20 − 17 = 3 people did not meet: small
    assert view.counts["step_agreed"] == 0
    assert shown_total["met"] is WITHHELD


def test_the_first_step_hides_what_the_matrix_hides() -> None:
    lines, total = build_funnel(
        ["A", "B", "C"],
        (
            StagePath("A", "B", "met", False, False, 12),
            StagePath("A", "C", "met", False, False, 9),
        ),
    )
    views, _ = funnel_view(lines, total, 5, introduced_hidden=[False, True, False])
    assert views[1].counts["introduced"] is WITHHELD


def _input() -> ReportInput:
    return ReportInput(
        programme="P",
        organisations=tuple(ORGS),
        rounds=(1,),
        introductions=((1, "met", 40),),
        organisation_introductions=(),
        ties=(
            TieGroup("Acute", "GP", "met", 1, 30),
            TieGroup("Acute", "GP", "introduced", 1, 6),
        ),
        memberships=(("Acute", "active", 30), ("GP", "active", 30)),
        stage_paths=paths(),
    )


def test_json_carries_the_exact_funnel_and_the_lead_view() -> None:
    data = report_json(build_report(_input()))
    exact = {(f["organisation_a"], f["organisation_b"]): f["counts"] for f in data["funnel"]}
    assert exact[("Acute", "Hospice")]["met"] == 2
    assert data["funnel_total"]["step_taken"] == 10
    lead = {
        (f["organisation_a"], f["organisation_b"]): f["counts"] for f in data["lead_view"]["funnel"]
    }
    assert lead[("Acute", "Hospice")]["met"] == "fewer than 5"
    assert lead[("Acute", "GP")]["step_agreed"] == 15


def test_csv_has_a_funnel_row_per_pair_and_step() -> None:
    rows = list(csv.reader(io.StringIO(report_csv(lead_view(build_report(_input()))))))
    funnel = [r for r in rows if r[0] == "funnel"]
    assert len(funnel) == len(FUNNEL) * 4  # all pairs, then three pairs
    assert ["funnel", "Acute + GP", "step_taken", "10"] in funnel
    assert ["funnel", "Acute + Hospice", "met", "fewer than 5"] in funnel


class _Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "funnel") in attrs:
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and data.strip():
            self.cells.append(data.strip())


def test_html_has_the_funnel_table() -> None:
    view = lead_view(build_report(_input()))
    page = render_html(view, Prompts(), generated=datetime(2026, 12, 2, tzinfo=UTC))
    table = _Table()
    table.feed(page)
    assert "Agreed a next step" in table.cells and "Acute and GP" in table.cells
    row = table.cells[table.cells.index("Acute and GP") :][:6]
    assert row[1:] == ["not shown", "not shown", "15", "10", "11"]  # as the lead view says


def test_the_terminal_report_has_the_funnel_as_the_lead_view_says() -> None:
    from rich.console import Console

    from crossties.cli.render import print_report

    console = Console(record=True, width=140)
    print_report(console, build_report(_input()))
    text = console.export_text()
    assert "Ties across organisations, from introduction to working together" in text
    lines = text.splitlines()
    heading = next(line for line in lines if "Introduced" in line and "Collaborating" in line)
    assert [w in heading for w in ("Met", "Agreed a next step", "Took the step")] == [True] * 3
    every = next(line for line in lines if "All pairs" in line)
    assert [c.strip() for c in every.split("│")[2:7]] == ["38", "32", "15", "10", "11"]

    def row(name: str) -> list[str]:
        return [c.strip() for c in next(ln for ln in lines if name in ln).split("│")[2:7]]

    assert row("Acute + GP") == ["not shown", "not shown", "15", "10", "11"]  # as the lead view
    assert row("Acute + Hospice") == ["<5", "<5", "0", "0", "0"]
    assert "GP + Hospice" not in text  # no ties
    funnel = text.split("Ties across organisations, from")[1].split("Ties by stage")[0]
    assert "36" not in funnel and "30" not in funnel  # the exact figures the lead view hides


def test_the_chart_draws_the_funnel_from_the_lead_view() -> None:
    from matplotlib.text import Text

    from bot.charts import report_figure

    fig = report_figure(build_report(_input()), layout="card")
    seen = [" ".join(t.get_text().split()) for t in fig.findobj(Text) if t.get_visible()]
    assert "From introduction to working together" in seen
    assert "38" in seen and "32 (84%)" in seen and "10 (26%)" in seen and "11 (29%)" in seen
