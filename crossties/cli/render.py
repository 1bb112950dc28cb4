"""Terminal rendering of reports (rich): the lead view, with small numbers suppressed.

Names typed by people are printed with markup off, so "[bold]" in a name stays text.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.formatting import count, noun
from bot.reports import Report, lead_view
from bot.reports.privacy import LeadView
from bot.templates import Prompts


def percent(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.0%}"


def signed(value: float | None) -> str:
    return "not shown" if value is None else f"{value:+.2f}"


def print_report(
    console: Console, report: Report | LeadView, prompts: Prompts | None = None
) -> None:
    view = report if isinstance(report, LeadView) else lead_view(report)
    prompts = prompts or Prompts()
    t = view.text
    console.print(
        f"{view.programme}: {count(view.rounds, 'round')}, "
        f"{t(view.introductions)} {noun(view.introductions, 'introduction')}, "
        + (
            "no meetings reported yet, "
            if view.met_rate == 0
            else f"met rate {percent(view.met_rate)}, "
        )
        + f"{t(view.cross_org_ties)} cross-organisation {noun(view.cross_org_ties, 'tie')}, "
        f"{view.organisation_pairs_linked}/{view.organisation_pairs_total} "
        f"organisation pairs linked (density {view.density:.0%}).",
        markup=False,
        highlight=False,
    )

    def cell(value: object) -> str:  # keep the grid narrow: "<5" for "fewer than 5"
        shown = t(value)  # type: ignore[arg-type]
        return shown.replace("fewer than ", "<")

    matrix = Table(
        title="Ties between organisations",
        caption=f"<{view.min_count} = fewer than {view.min_count}, not shown",
    )
    matrix.add_column("Organisation")
    for number in range(1, len(view.organisations) + 1):
        matrix.add_column(str(number), justify="right")
    for number, (name, row) in enumerate(zip(view.organisations, view.matrix, strict=True), 1):
        matrix.add_row(Text(f"{number}. {name}"), *(cell(v) for v in row))
    _print(console, matrix)

    growth = Table(
        "Round",
        "Introductions",
        "Met rate",
        "New cross-org ties",
        "Total",
        title="Cross-organisation ties per round",
    )
    for line in view.per_round:
        growth.add_row(
            str(line.round),
            t(line.introductions),
            percent(line.met_rate),
            t(line.new_cross_org_ties),
            t(line.cross_org_ties_total),
        )
    _print(console, growth)

    organisations = Table(
        "Organisation",
        "Joined",
        "Active",
        "Paused",
        "Left",
        "Met rate",
        "Partners",
        "E-I",
        title="Organisations",
    )
    for org in view.per_organisation:
        organisations.add_row(
            Text(org.name),
            t(org.joined),
            t(org.active),
            t(org.paused),
            t(org.left),
            percent(org.met_rate),
            str(org.partners),
            signed(org.ei_index),
        )
    _print(console, organisations)
    if view.funnel_total:
        _print(console, funnel_table(view, cell))
    stages = prompts.render("report_stages", view=view)
    console.print(
        f"{stages} E-I index {signed(view.ei_index)} (+1: all ties across organisations).",
        markup=False,
        highlight=False,
    )
    if view.isolated_organisations:
        console.print(
            "Not yet linked to anyone: " + ", ".join(view.isolated_organisations),
            markup=False,
            highlight=False,
        )
    if view.weakly_linked_organisations:
        console.print(
            "Weakly linked: " + ", ".join(view.weakly_linked_organisations),
            markup=False,
            highlight=False,
        )
    if view.bridging_organisations:
        console.print(
            "Bridges (others would lose their link without them): "
            + ", ".join(view.bridging_organisations),
            markup=False,
            highlight=False,
        )


FUNNEL_PAIRS_SHOWN = 5  # the pairs with most ties; --csv and --html list them all
FUNNEL_HEADINGS = ("Introduced", "Met", "Agreed a next step", "Took the step", "Collaborating")


def funnel_table(view: LeadView, cell: Callable[[object], str]) -> Table:
    """The funnel of tie stages across organisations: all pairs, then the pairs with most ties
    (ranked by the count shown, so the order gives away nothing hidden), then the pairs whose
    count is hidden, in the report's order."""
    table = Table(
        "Organisations",
        *FUNNEL_HEADINGS,
        title="Ties across organisations, from introduction to working together",
    )
    for column in table.columns[1:]:
        column.justify = "right"
    table.add_row(Text("All pairs", style="bold"), *(cell(v) for v in view.funnel_total.values()))
    counted = [(line.counts.get("introduced"), line) for line in view.funnel]
    ranked = [
        line
        for _, line in sorted(
            ((n, line) for n, line in counted if isinstance(n, int) and n > 0),
            key=lambda item: (-item[0], item[1].organisation_a, item[1].organisation_b),
        )
    ]
    ranked += [line for n, line in counted if not isinstance(n, int)]  # in the report's order
    for line in ranked[:FUNNEL_PAIRS_SHOWN]:
        table.add_row(
            Text(f"{line.organisation_a} + {line.organisation_b}"),
            *(cell(v) for v in line.counts.values()),
        )
    if len(ranked) > FUNNEL_PAIRS_SHOWN:
        more = len(ranked) - FUNNEL_PAIRS_SHOWN
        table.caption = f"{count(more, 'more organisation pair')}: --csv or --html has every pair"
    return table


def _print(console: Console, table: Table) -> None:
    # Names are wrapped in Text above, so markup typed into them prints as it is.
    console.print(wrapping(table), highlight=False)


def wrapping(table: Table) -> Table:
    """Long names wrap onto more lines instead of ending in "…": at 80 columns two
    organisations that start alike ("Northfield Acute…", "Northfield Community…") must
    still read as two."""
    for column in table.columns:
        column.overflow = "fold"
    return table
