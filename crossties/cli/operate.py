"""Running Crossties: `serve`, `doctor`, `db upgrade`, the platform packages, and the local
ways to try it (`demo`, `chat`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crossties.cli.app import app, console, db_app, running_core
from crossties.cli.errors import EXIT_BAD_INPUT, fail, friendly_errors, writable


@app.command()
def serve() -> None:
    """Run the server: Slack, Teams, health and metrics, and the scheduler."""
    from bot.config import load_settings
    from crossties.server import run_server

    with friendly_errors():
        run_server(load_settings())


@app.command()
def doctor(
    url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Public base URL to check /healthz at (default: CROSSTIES_PUBLIC_URL).",
        ),
    ] = None,
) -> None:
    """Check the deployment: database and migrations, time zones, Slack's token and scopes,
    Teams' credentials, the public URL. One line per check; exit 0 only when all hold."""
    from bot.config import ConfigError, load_settings
    from crossties.doctor import Verdict, run_checks

    try:
        settings = load_settings()
    except ConfigError as error:
        typer.echo(f"FAIL  settings  {error}")
        raise typer.Exit(1) from None
    failed = False
    for check in run_checks(settings, url):
        typer.echo(check.line())
        failed = failed or check.verdict is Verdict.FAIL
    raise typer.Exit(1 if failed else 0)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database if needed and bring its schema up to date."""
    from bot.config import load_settings
    from bot.db.session import make_engine, upgrade
    from crossties.doctor import shown

    with friendly_errors():
        settings = load_settings()
        if settings.uses_default_database:
            from bot.paths import default_database_path

            default_database_path().parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
        console.print(
            f"Database {shown(settings.database_url)} is up to date.", markup=False, highlight=False
        )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed for a reproducible run.")] = 7,
    png: Annotated[Path, typer.Option(help="Where to write the report chart.")] = Path(
        "crossties-demo-report.png"
    ),
) -> None:
    """Run a complete simulated programme and print its transcript and lead report."""
    writable(png, "--png")
    from crossties.demo import run_demo

    with friendly_errors():
        run_demo(running_core(), seed=seed, png=png, console=console)


@app.command()
def chat(
    as_: Annotated[
        str, typer.Option("--as", metavar="PERSON", help="Name, first name, roster id or email.")
    ],
) -> None:
    """Talk to the bot in this terminal as someone (uses the local adapter)."""
    from adapters.local.chat import run_chat

    with friendly_errors():
        run_chat(running_core(), as_, console=console)


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
    writable(out, "--out")
    with friendly_errors():
        out.write_bytes(package(Prompts(load_settings().prompts_dir), app_id))
    typer.echo(
        f"Wrote {out}: upload it in Teams (Apps, Manage your apps, Upload an app).", err=True
    )
