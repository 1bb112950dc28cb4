"""Terminal rendering of reports (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bot.reports import Report, suppress


def print_report(console: Console, report: Report) -> None:
    n = report.suppressed_below
    console.print(
        f"[bold]{report.programme}[/bold]: {report.rounds} rounds, "
        f"{suppress(report.introductions, n)} introductions, "
        f"met rate {report.met_rate:.0%}, "
        f"{suppress(report.cross_org_ties, n)} cross-organisation ties, "
        f"{report.organisation_pairs_linked}/{report.organisation_pairs_total} "
        "organisation pairs linked.",
        highlight=False,
    )
    matrix = Table(title="Ties between organisations", show_lines=False)
    matrix.add_column("Organisation")
    for number in range(1, len(report.organisations) + 1):
        matrix.add_column(str(number), justify="right")
    for number, (name, row) in enumerate(
        zip(report.organisations, report.matrix, strict=True), start=1
    ):
        matrix.add_row(f"{number}. {name}", *(str(v) for v in row))
    console.print(matrix)
    growth = Table(
        "Round",
        "Introductions",
        "Met",
        "New cross-org ties",
        "Total",
        title="Cross-organisation ties per round",
    )
    for line in report.cross_org_ties_per_round:
        growth.add_row(
            str(line["round"]),
            str(line["introductions"]),
            str(line["met"]),
            str(line["new_cross_org_ties"]),
            str(line["cross_org_ties_total"]),
        )
    console.print(growth)
    if report.isolated_organisations:
        console.print("Not yet linked to anyone: " + ", ".join(report.isolated_organisations))
