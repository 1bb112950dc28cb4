"""The `crossties` command's frame: the typer apps, the consoles, and what commands share.

Commands live in modules by subject (programmes, people, rounds, reports, matching, operating)
and register themselves on these apps when crossties/cli/main.py imports them; a new group
of commands is one more module and one import there. Standard output carries only what a
command was asked for; notes, progress and errors go to standard error.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from crossties.cli.checkins import checkins_app
from crossties.cli.helptext import Typer
from crossties.cli.organisations import organisations_app

if TYPE_CHECKING:
    from bot.app import Services
    from crossties.wiring import Basics


def where_data_lives() -> str:
    """The --help epilogue: which database the commands use, and how to choose another."""
    from bot.paths import default_database_url

    chosen = os.environ.get("CROSSTIES_DATABASE_URL")
    if chosen:
        return "Database: set by CROSSTIES_DATABASE_URL. `crossties doctor` checks it."
    return (
        f"Database: {default_database_url()} (set CROSSTIES_DATABASE_URL to use another). "
        "`crossties doctor` checks it."
    )


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"crossties {version('crossties')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("crossties (version unknown: not installed)")
        raise typer.Exit()


app = Typer(
    help="Crossties: introductions across partner organisations in health and care.",
    epilog=where_data_lives(),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Crossties: introductions across partner organisations in health and care."""


def group(name: str, help: str) -> typer.Typer:
    """A command group (`crossties NAME …`) with the same behaviour as the root."""
    sub = Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=name)
    return sub


programme_app = group(
    "programme", "Create, list, pause and resume programmes; grant rights; circle proposals."
)
people_app = group("people", "Import, list and remove the people of a programme.")
round_app = group("round", "Preview a round or run it now.")
db_app = group("db", "Database maintenance.")
app.add_typer(checkins_app, name="checkins")
app.add_typer(organisations_app, name="organisation")

console = Console()  # what a command was asked for: standard output
notes = Console(stderr=True)  # what it says about its work: standard error


def services(*, reading: bool = False) -> Basics:
    """Settings, database, prompts and clock: enough for every command but chat and demo.

    A command that only reads (`reading`) does not create an embedded database that is not
    there: it says where it looked instead."""
    from bot.config import load_settings
    from crossties.wiring import basics

    settings = load_settings()
    if reading:
        missing = missing_sqlite_file(settings.database_url)
        if missing is not None:
            from crossties.cli.errors import fail
            from crossties.doctor import shown

            fail(
                f"no programme in {shown(settings.database_url)} (there is no database "
                "there yet); create one with `crossties programme create`"
            )
    return basics(settings)


def missing_sqlite_file(url: str) -> str | None:
    """The file of an SQLite URL when it does not exist (None for other databases)."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return None if Path(parsed.database).exists() else str(parsed.database)


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
