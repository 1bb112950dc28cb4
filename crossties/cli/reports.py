"""`crossties report` and `crossties export`: what a lead reads, and the network as a graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.formatting import count
from crossties.cli.app import ProgrammeOption, app, console, notes, services
from crossties.cli.errors import friendly_errors, writable


@app.command()
def report(
    programme: ProgrammeOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (exact figures).")
    ] = False,
    png: Annotated[Path | None, typer.Option(help="Write the chart as a PNG.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Write the tables as CSV.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write one self-contained HTML page.")] = None,
) -> None:
    """The lead report: ties between organisations, met rate, growth per round.

    Files (PNG, CSV, HTML) and the table printed here hold the lead view, with figures about
    fewer than CROSSTIES_REPORT_MIN_COUNT people suppressed; --json is exact for the operator.
    """
    for path, option in ((png, "--png"), (csv, "--csv"), (html, "--html")):
        if path is not None:
            writable(path, option)
    from bot.reports import build_report, lead_view, load_report_input, report_json
    from bot.usecases.circle_report import circles_json
    from bot.usecases.common import audit, resolve_programme

    with friendly_errors():
        s = services(reading=True)
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            data = build_report(
                load_report_input(session, found), min_count=s.settings.min_group_size_for_reports
            )
            circles = circles_json(session, found) if as_json else []
            audit(
                session,
                s.clock.now(),
                "cli",
                "report",
                found.id,
                json=as_json,
                png=str(png) if png else None,
                csv=str(csv) if csv else None,
                html=str(html) if html else None,
            )
        view = lead_view(data)
        written: list[str] = []
        if png is not None:
            from bot.charts import report_chart

            png.write_bytes(report_chart(view))
            written.append(f"chart {png}")
        if csv is not None:
            from bot.reports.csvout import report_csv

            csv.write_text(report_csv(view), encoding="utf-8", newline="")
            written.append(f"CSV {csv}")
        if html is not None:
            from bot.reports.html import render_html

            html.write_text(render_html(view, s.prompts, generated=s.clock.now()), encoding="utf-8")
            written.append(f"page {html}")
        for line in written:  # standard output is for the report itself
            notes.print(f"Wrote the {line}", markup=False, highlight=False)
        if as_json:
            exact = report_json(data) | {"circles": circles}
            sys.stdout.write(json.dumps(exact, indent=2) + "\n")
            return
        from crossties.cli.render import print_report

        print_report(console, view, s.prompts)


@app.command()
def export(
    graphml: Annotated[Path, typer.Option("--graphml", help="Write the network as GraphML.")],
    programme: ProgrammeOption = None,
    people: Annotated[
        bool,
        typer.Option(
            "--people",
            help="Person-level graph (pseudonymous; names only of people who agreed).",
        ),
    ] = False,
) -> None:
    """Export the network for Gephi, Polinode or networkx (organisation-level by default)."""
    writable(graphml, "--graphml")
    from bot.export import export_graphml
    from bot.usecases.common import audit, resolve_programme

    with friendly_errors():
        s = services(reading=True)
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            data, graph = export_graphml(
                session, found, min_count=s.settings.min_group_size_for_reports, people=people
            )
            audit(
                session,
                s.clock.now(),
                "cli",
                "export",
                found.id,
                graphml=str(graphml),
                level="person" if people else "organisation",
            )
        graphml.write_bytes(data)
        notes.print(
            f"Wrote {count(graph.number_of_nodes(), 'node')} and "
            f"{count(graph.number_of_edges(), 'edge')} to {graphml}.",
            markup=False,
            highlight=False,
        )
