"""`crossties organisation pause NAME --until DATE` and `crossties organisation resume NAME`
(imports its work only when run)."""

from __future__ import annotations

from typing import Annotated

import typer

from crossties.cli.errors import EXIT_BAD_INPUT, fail, friendly_errors

organisations_app = typer.Typer(
    help="Pause an organisation's part in rounds (e.g. during an escalation).",
    no_args_is_help=True,
)

ProgrammeOption = Annotated[
    str | None,
    typer.Option(
        "--programme", "-p", help="Programme name (may be left out when there is only one)."
    ),
]


@organisations_app.command("pause")
def organisation_pause(
    name: Annotated[str, typer.Argument(help="The organisation, as the programme names it.")],
    until: Annotated[
        str,
        typer.Option(
            "--until",
            metavar="DATE",
            help="The day it is back in rounds: 2027-01-12, 12/01/2027 or '12 January 2027'.",
        ),
    ],
    programme: ProgrammeOption = None,
) -> None:
    """Leave an organisation out of rounds until a date; everyone else is paired as usual."""
    from bot.text import parse_date

    back = parse_date(until)
    if back is None:  # before anything is opened or changed
        fail(f"--until must be a date such as 2027-01-12 (got {until!r})", EXIT_BAD_INPUT)
    from bot.formatting import count, date_words, zone
    from bot.usecases.common import resolve_programme
    from bot.usecases.pressure import pause_organisation
    from crossties.cli.app import services

    with friendly_errors():
        s = services()
        now = s.clock.now()
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            today = now.astimezone(zone(found.timezone)).date()
            paused = pause_organisation(session, today, now, found, name, back, actor="cli")
            programme_name = found.name
    typer.echo(
        f"{paused.organisation} is paused in {programme_name} until "
        f"{date_words(paused.until)} ({count(paused.people, 'person', 'people')} left out "
        f"of rounds until then)."
    )


@organisations_app.command("resume")
def organisation_resume(
    name: Annotated[str, typer.Argument(help="The organisation, as the programme names it.")],
    programme: ProgrammeOption = None,
) -> None:
    """Bring a paused organisation back into rounds from the next one."""
    from bot.usecases.common import resolve_programme
    from bot.usecases.pressure import resume_organisation
    from crossties.cli.app import services

    with friendly_errors():
        s = services()
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            organisation, was_paused = resume_organisation(
                session, s.clock.now(), found, name, actor="cli"
            )
            programme_name = found.name
    if was_paused:
        typer.echo(f"{organisation} is back in {programme_name}'s rounds from the next one.")
    else:
        typer.echo(f"{organisation} was not paused in {programme_name}; nothing changed.")
