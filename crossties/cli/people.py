"""`crossties people …`: import a roster, list the people of a programme, remove someone."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.formatting import count
from crossties.cli.app import ProgrammeOption, console, notes, people_app, services
from crossties.cli.errors import friendly_errors


@people_app.command("import")
def people_import(
    roster: Annotated[
        Path,
        typer.Argument(
            metavar="ROSTER.csv",
            help="Columns id,name,organisation and optionally role, email, timezone, "
            "slack_user_id, slack_team_id.",
        ),
    ],
    programme: ProgrammeOption = None,
) -> None:
    """Import or update people from a roster; all rows are checked before anything is stored."""
    from bot.db.models import ProgrammeWorkspace
    from bot.progress import terminal_progress
    from bot.usecases.common import resolve_programme
    from bot.usecases.people import programme_organisations
    from bot.usecases.programmes import import_roster, read_roster_file

    with friendly_errors():
        s = services()
        with s.db.session() as session, terminal_progress(notes) as progress:
            found = resolve_programme(session, programme)
            allowed = [o.name for o in programme_organisations(session, found)]
            rows = read_roster_file(roster, allowed)
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
            f"{result.updated} updated, {result.joined} joined.",
            markup=False,
            highlight=False,
        )


@people_app.command("list")
def people_list(
    programme: ProgrammeOption = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print CSV (id,name,organisation,role,status).")
    ] = False,
    everyone: Annotated[
        bool, typer.Option("--all", help="Include people who left the programme.")
    ] = False,
) -> None:
    """List the people of a programme with their organisation and status."""
    from sqlmodel import col, select

    from bot.db.models import Membership, MembershipStatus, Organisation, Person
    from bot.usecases.common import resolve_programme

    with friendly_errors():
        s = services(reading=True)
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            query = (
                select(Person, Organisation.name, Membership.status)
                .join(Membership, col(Membership.person_id) == col(Person.id))
                .join(
                    Organisation, col(Organisation.id) == col(Person.organisation_id), isouter=True
                )
                .where(Membership.programme_id == found.id, col(Person.erased).is_(False))
                .order_by(col(Organisation.name), col(Person.name), col(Person.id))
            )
            if not everyone:
                query = query.where(Membership.status != MembershipStatus.LEFT)
            rows = [
                (p.external_id or "", p.name or "", org or "", p.role or "", str(status))
                for p, org, status in session.exec(query).all()
            ]
    if as_csv:
        import csv

        from bot.spreadsheet import neutralise

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "name", "organisation", "role", "status"])
        writer.writerows([neutralise(v) for v in row] for row in rows)
        return
    from rich.table import Table

    from crossties.cli.render import wrapping

    table = Table("Id", "Name", "Organisation", "Role", "Status", title=found.name)
    for row in rows:
        table.add_row(*row)
    console.print(wrapping(table), markup=False, highlight=False)
    notes.print(f"{count(len(rows), 'person')}.", markup=False, highlight=False)


@people_app.command("remove")
def people_remove(
    person: Annotated[str, typer.Argument(help="Roster id, email or name of the person.")],
    programme: ProgrammeOption = None,
) -> None:
    """Take someone out of a programme: no more introductions (their history is kept;
    `forget me` in the chat erases it)."""
    from bot.commands import MentionByName
    from bot.usecases.common import resolve_programme
    from bot.usecases.people import leave
    from bot.usecases.ties import resolve_mention

    with friendly_errors():
        s = services(reading=True)
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            who = resolve_mention(session, None, MentionByName(person), found)
            leave(session, s.clock.now(), who, found)
        console.print(
            f"{who.name or who.external_id} no longer takes part in {found.name}.",
            markup=False,
            highlight=False,
        )
