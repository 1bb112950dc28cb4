"""`crossties programme …`: create, list, grant, pause, resume and circle proposals."""

from __future__ import annotations

from typing import Annotated

import typer

from crossties.cli.app import ProgrammeOption, console, programme_app, services
from crossties.cli.errors import EXIT_BAD_INPUT, fail, friendly_errors


@programme_app.command("create")
def programme_create(
    name: Annotated[str, typer.Argument(help="Programme name.")],
    organisations: Annotated[str, typer.Option(help='Comma-separated, e.g. "A,B,C".')],
    cadence: Annotated[str, typer.Option(help="weekly, fortnightly or monthly.")] = "fortnightly",
    group_size: Annotated[int, typer.Option(help="2 or 3.")] = 2,
    weekday: Annotated[int, typer.Option(help="0 = Monday … 6 = Sunday.")] = 0,
    hour: Annotated[int, typer.Option(help="Hour of the round, 0–23.")] = 9,
    timezone: Annotated[
        str, typer.Option(help="IANA time zone, in any case (europe/london).")
    ] = "Europe/London",
    checkin_after: Annotated[
        str,
        typer.Option(help="How long after an introduction to check in: 7d, 36h or 10m."),
    ] = "7d",
    slack_team: Annotated[
        list[str] | None,
        typer.Option(metavar="TEAM_ID", help="Slack team id to serve (repeat for more)."),
    ] = None,
    teams_tenant: Annotated[
        list[str] | None,
        typer.Option(metavar="TENANT_ID", help="Teams tenant id to serve (repeat for more)."),
    ] = None,
    local: Annotated[
        bool, typer.Option("--local/--no-local", help="Also serve the local terminal chat.")
    ] = True,
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
            checkin_delay=checkin_after,
            workspaces=tuple(workspaces),
        )
        with s.db.session() as session:
            programme = create_programme(session, s.clock.now(), settings)
        console.print(
            f"Created programme {programme.name} "
            f"({programme.cadence}, groups of {programme.group_size}).",
            markup=False,
            highlight=False,
        )


@programme_app.command("list")
def programme_list() -> None:
    """List programmes."""
    from rich.table import Table

    from bot.usecases.common import visible_programmes
    from bot.usecases.people import programme_organisations
    from crossties.cli.render import wrapping

    with friendly_errors():
        s = services()
        table = Table("Programme", "Cadence", "Group", "Organisations", "Status")
        with s.db.session() as session:
            for p in visible_programmes(session, None):
                orgs = ", ".join(o.name for o in programme_organisations(session, p))
                table.add_row(
                    p.name, p.cadence, str(p.group_size), orgs, "paused" if p.paused else "active"
                )
        console.print(wrapping(table), markup=False, highlight=False)


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
        console.print(
            f"{who.name} is now a {kind.value} of {found.name}.", markup=False, highlight=False
        )


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
        console.print(
            f"{found.name} is {'paused' if paused else 'active'}.", markup=False, highlight=False
        )


@programme_app.command("proposals")
def programme_proposals(
    setting: Annotated[
        str,
        typer.Argument(
            metavar="on|off",
            help="on: members may propose circle topics (a coordinator approves each); off: "
            "only coordinators open them.",
        ),
    ],
    programme: ProgrammeOption = None,
) -> None:
    """Let members propose problem-circle topics, or stop them (off by default)."""
    allowed = {"on": True, "off": False}.get(setting.strip().lower())
    if allowed is None:  # before anything is opened or changed
        fail(f"say on or off (got {setting!r})", EXIT_BAD_INPUT)
    from bot.usecases.circle_proposals import set_allowed
    from bot.usecases.common import resolve_programme

    with friendly_errors():
        s = services()
        with s.db.session() as session:
            found = resolve_programme(session, programme)
            changed = set_allowed(session, s.clock.now(), found, None, bool(allowed), cli=True)
            name = found.name
    said = (
        f"Members of {name} may now propose circle topics; a coordinator approves each."
        if allowed
        else f"Only coordinators of {name} open circle topics now."
    )
    console.print(
        said + ("" if changed else " (It was already so.)"), markup=False, highlight=False
    )
