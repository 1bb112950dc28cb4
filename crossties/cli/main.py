"""The `crossties` command (typer + rich).

Kept light to import: each command imports what it needs (the database, matching, charts,
the SDKs) when it runs, so `crossties --help` and `crossties match` start at once.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.formatting import count, number
from crossties.cli.checkins import checkins_app
from crossties.cli.errors import EXIT_BAD_INPUT, fail, friendly_errors

if TYPE_CHECKING:
    from bot.app import Services
    from crossties.wiring import Basics

app = typer.Typer(
    help="Crossties: introductions across partner organisations in health and care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
programme_app = typer.Typer(help="Create and manage programmes.", no_args_is_help=True)
people_app = typer.Typer(help="Import and manage people.", no_args_is_help=True)
round_app = typer.Typer(help="Preview and run rounds.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(programme_app, name="programme")
app.add_typer(people_app, name="people")
app.add_typer(round_app, name="round")
app.add_typer(db_app, name="db")
app.add_typer(checkins_app, name="checkins")

console = Console()


def services() -> Basics:
    """Settings, database, prompts and clock: enough for every command but chat and demo."""
    from bot.config import load_settings
    from crossties.wiring import basics

    return basics(load_settings())


def running_core() -> Services:
    """Everything, the core included (what chat and the demo talk to)."""
    from bot.config import load_settings
    from crossties.wiring import build

    return build(load_settings())


ProgrammeOption = Annotated[
    str | None,
    typer.Option(
        "--programme", "-p", help="Programme name (may be left out when there is only one)."
    ),
]


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed for a reproducible run.")] = 7,
    png: Annotated[Path, typer.Option(help="Where to write the report chart.")] = Path(
        "crossties-demo-report.png"
    ),
) -> None:
    """Run a complete simulated programme and print its transcript and lead report."""
    from crossties.demo import run_demo

    with friendly_errors():
        run_demo(running_core(), seed=seed, png=png, console=console)


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="Name, roster id or email of a person.")],
) -> None:
    """Talk to the bot in this terminal as someone (uses the local adapter)."""
    from adapters.local.chat import run_chat

    with friendly_errors():
        run_chat(running_core(), as_, console=console)


@contextmanager
def _solver_output_to_stderr() -> Iterator[None]:
    """Keep standard output for GROUPS.csv: a native solver may print progress lines."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@app.command("match")
def match_command(
    people: Annotated[Path, typer.Argument(help="PEOPLE.csv: id,organisation[,name,role,...]")],
    history: Annotated[
        Path | None, typer.Option(help="HISTORY.csv: round,person_a,person_b")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for tie-breaks.")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Write GROUPS.csv here (default: stdout).")
    ] = None,
) -> None:
    """Pair people from a spreadsheet (no database needed)."""
    from bot.matching.csvio import CsvInputError, match_files, match_notes, write_groups

    try:
        with _solver_output_to_stderr():
            result = match_files(people, history, seed, out)
    except CsvInputError as error:
        fail(str(error), EXIT_BAD_INPUT)
    if out is None:
        write_groups(result, sys.stdout)
    else:
        score = result.score
        console.print(
            f"Wrote {count(len(result.groups), 'group')} to {out} "
            f"(same-organisation pairs {score.same_org_pairs}, "
            f"repeats {score.repeat_pairs}).",
            highlight=False,
        )
    for note in match_notes(result):  # standard output carries only the groups
        typer.echo(note, err=True)


@programme_app.command("create")
def programme_create(
    name: Annotated[str, typer.Argument(help="Programme name.")],
    organisations: Annotated[str, typer.Option(help='Comma-separated, e.g. "A,B,C".')],
    cadence: Annotated[str, typer.Option(help="weekly, fortnightly or monthly.")] = "fortnightly",
    group_size: Annotated[int, typer.Option(help="2 or 3.")] = 2,
    weekday: Annotated[int, typer.Option(help="0 = Monday … 6 = Sunday.")] = 0,
    hour: Annotated[int, typer.Option(help="Hour of the round, 0–23.")] = 9,
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "Europe/London",
    slack_team: Annotated[list[str] | None, typer.Option(help="Slack team id to serve.")] = None,
    teams_tenant: Annotated[list[str] | None, typer.Option(help="Teams tenant id.")] = None,
    local: Annotated[bool, typer.Option(help="Also serve the local terminal chat.")] = True,
) -> None:
    """Create a programme with its participating organisations."""
    from bot.usecases.programmes import ProgrammeSettings, create_programme

    with friendly_errors():
        s = services()
        workspaces = [("slack", t) for t in slack_team or []]
        workspaces += [("teams", t) for t in teams_tenant or []]
        if local:
            workspaces.append(("local", "local"))
        settings = ProgrammeSettings(
            name=name,
            organisations=tuple(organisations.split(",")),
            cadence=cadence,
            group_size=group_size,
            weekday=weekday,
            hour=hour,
            timezone=timezone,
            workspaces=tuple(workspaces),
        )
        with s.db.session() as session:
            programme = create_programme(session, s.clock.now(), settings)
        console.print(
            f"Created programme [bold]{programme.name}[/bold] "
            f"({programme.cadence}, groups of {programme.group_size})."
        )


@programme_app.command("list")
def programme_list() -> None:
    """List programmes."""
    from bot.usecases.common import visible_programmes
    from bot.usecases.people import programme_organisations

    with friendly_errors():
        s = services()
        from rich.table import Table

        table = Table("Programme", "Cadence", "Group", "Organisations", "Status")
        with s.db.session() as session:
            for p in visible_programmes(session, None):
                orgs = ", ".join(o.name for o in programme_organisations(session, p))
                table.add_row(
                    p.name, p.cadence, str(p.group_size), orgs, "paused" if p.paused else "active"
                )
        console.print(table)


@programme_app.command("grant")
def programme_grant(
    person: Annotated[str, typer.Option(help="Roster id, email or name of the person.")],
    role: Annotated[str, typer.Option(help="coordinator or lead.")],
    programme: ProgrammeOption = None,
) -> None:
    """Give someone coordinator or lead rights in a programme."""
    from bot.commands import MentionByName
    from bot.db.models import ProgrammeRoleKind
    from bot.usecases.common import resolve_programme
    from bot.usecases.programmes import grant
    from bot.usecases.ties import resolve_mention

    with friendly_errors():
        try:
            kind = ProgrammeRoleKind(role.lower())
        except ValueError:
            fail("role must be coordinator or lead", EXIT_BAD_INPUT)
        s = services()
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            who = resolve_mention(session, None, MentionByName(person), None)
            grant(session, s.clock.now(), found, who, kind)
        console.print(f"{who.name} is now a {kind.value} of {found.name}.")


@programme_app.command("pause")
def programme_pause(programme: ProgrammeOption = None) -> None:
    """Pause a programme: no rounds run until it is resumed."""
    _set_paused(programme, True)


@programme_app.command("resume")
def programme_resume(programme: ProgrammeOption = None) -> None:
    """Resume a paused programme."""
    _set_paused(programme, False)


def _set_paused(programme: str | None, paused: bool) -> None:
    from bot.usecases.common import resolve_programme
    from bot.usecases.programmes import set_paused

    with friendly_errors():
        s = services()
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            set_paused(session, s.clock.now(), found, paused, actor="cli")
        console.print(f"{found.name} is {'paused' if paused else 'active'}.")


@people_app.command("import")
def people_import(
    roster: Annotated[
        Path,
        typer.Argument(
            help="ROSTER.csv: id,name,organisation[,role,email,"
            "timezone,slack_user_id,slack_team_id]"
        ),
    ],
    programme: ProgrammeOption = None,
) -> None:
    """Import or update people from a roster; all rows are checked before anything is stored."""
    from bot.progress import terminal_progress
    from bot.usecases.common import resolve_programme
    from bot.usecases.people import programme_organisations
    from bot.usecases.programmes import import_roster, read_roster_file

    with friendly_errors():
        s = services()
        with s.db.session() as session, terminal_progress(console) as progress:
            found = resolve_programme(session, programme)
            allowed = [o.name for o in programme_organisations(session, found)]
            rows = read_roster_file(roster, allowed)
            from bot.db.models import ProgrammeWorkspace

            bound_locally = session.get(ProgrammeWorkspace, (found.id, "local", "local"))
            result = import_roster(
                session,
                s.clock.now(),
                found,
                rows,
                local_workspace="local" if bound_locally else None,
                progress=progress,
            )
        console.print(
            f"Imported {count(len(rows), 'person')} into {found.name}: {result.created} new, "
            f"{result.updated} updated, {result.joined} joined."
        )


@round_app.command("run")
def round_run(
    programme: ProgrammeOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the groups only.")] = False,
    seed: Annotated[int | None, typer.Option(help="Seed for tie-breaks.")] = None,
) -> None:
    """Match now and send the introductions (or only print them with --dry-run)."""
    from bot.progress import terminal_progress
    from bot.usecases.common import resolve_programme
    from bot.usecases.rounds import plan_round, run_round

    with friendly_errors():
        s = services()
        with terminal_progress(console) as progress, s.db.session() as session:
            found = resolve_programme(session, programme)
            if dry_run:
                plan = plan_round(session, s.clock.now(), found, seed=seed)
            else:
                summary = run_round(
                    session, s.clock.now(), found, s.prompts, seed=seed, progress=progress
                )
                plan = summary.plan
        title = f"Round {plan.number} of {plan.programme}" + (" (dry run)" if dry_run else "")
        if len(plan.groups) > 500:  # a large round as plain lines: a table would take minutes
            lines = [f"{' + '.join(g.names)}\t{' + '.join(g.organisations)}" for g in plan.groups]
            console.file.write(f"{title}\n" + "\n".join(lines) + "\n")
        else:
            from rich.table import Table

            table = Table(title, "Organisations")
            for group in plan.groups:
                table.add_row(" + ".join(group.names), " + ".join(group.organisations))
            console.print(table)
        console.print(
            f"{count(len(plan.groups), 'group')}, {count(plan.people, 'person')}, "
            f"{plan.cross_organisation_groups} across organisations; "
            f"{number(plan.paused)} paused, "
            f"{number(plan.skipped_unreachable)} without a chat account."
        )
        if not dry_run:
            console.print(
                f"{count(summary.messages_queued, 'introduction')} queued for delivery "
                "by `crossties serve`."
            )


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
    from bot.reports import build_report, lead_view, load_report_input, report_json
    from bot.usecases.circle_report import circles_json
    from bot.usecases.common import audit, resolve_programme

    with friendly_errors():
        s = services()
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
        if as_json:
            exact = report_json(data) | {"circles": circles}
            sys.stdout.write(json.dumps(exact, indent=2) + "\n")
            return
        from crossties.cli.render import print_report

        print_report(console, view)
        for line in written:
            console.print(f"Wrote the {line}", markup=False, highlight=False)


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
    from bot.export import export_graphml
    from bot.usecases.common import audit, resolve_programme

    with friendly_errors():
        s = services()
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
        console.print(
            f"Wrote {count(graph.number_of_nodes(), 'node')} and "
            f"{count(graph.number_of_edges(), 'edge')} "
            f"to {graphml}.",
            markup=False,
            highlight=False,
        )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    from bot.config import load_settings
    from bot.db.session import make_engine, upgrade

    with friendly_errors():
        settings = load_settings()
        engine = make_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
        console.print("Database is up to date.")


@app.command()
def serve() -> None:
    """Run the server: Slack, Teams, health and metrics, and the scheduler."""
    from bot.config import load_settings
    from crossties.server import run_server

    with friendly_errors():
        run_server(load_settings())


@app.command("slack-manifest")
def slack_manifest(
    url: Annotated[
        str | None,
        typer.Option(help="Public base URL for HTTP mode, e.g. https://crossties.example.org."),
    ] = None,
) -> None:
    """Print the Slack app manifest (JSON): Socket Mode, or HTTP mode with --url."""
    from adapters.slack.manifest import render as render_manifest

    if url is not None and not url.startswith("https://"):
        fail("--url must start with https:// (Slack only calls HTTPS endpoints)", EXIT_BAD_INPUT)
    typer.echo(render_manifest(url), nl=False)


@app.command("teams-package")
def teams_package(
    app_id: Annotated[str, typer.Option(help="The bot's Microsoft App ID (a GUID).")],
    out: Annotated[Path, typer.Option(help="Where to write the zip.")] = Path(
        "crossties-teams.zip"
    ),
) -> None:
    """Write the Teams app package (manifest and icons) to upload to Teams."""
    import re

    from adapters.teams.manifest import package
    from bot.config import load_settings
    from bot.templates import Prompts

    if not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", app_id):
        fail("--app-id must be the bot's Microsoft App ID, a GUID", EXIT_BAD_INPUT)
    with friendly_errors():
        out.write_bytes(package(Prompts(load_settings().prompts_dir), app_id))
    console.print(f"Wrote {out}: upload it in Teams (Apps, Manage your apps, Upload an app).")


def main() -> None:
    app()
