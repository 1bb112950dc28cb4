"""`crossties round …`: preview the next round, or run it now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.formatting import count, number
from crossties.cli.app import ProgrammeOption, console, notes, round_app, services
from crossties.cli.errors import friendly_errors

if TYPE_CHECKING:
    from bot.usecases.rounds import RoundPlan

SeedOption = Annotated[int | None, typer.Option(help="Seed for tie-breaks.")]
LARGE = 500  # groups; a larger round prints as plain lines: a table would take minutes


@round_app.command("preview")
def round_preview(programme: ProgrammeOption = None, seed: SeedOption = None) -> None:
    """Show the groups the next round would make; nothing is stored or sent."""
    _round(programme, seed, dry_run=True)


@round_app.command("run")
def round_run(
    programme: ProgrammeOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the groups only (as `round preview`).")
    ] = False,
    seed: SeedOption = None,
) -> None:
    """Match now and queue the introductions for `crossties serve` to send."""
    _round(programme, seed, dry_run=dry_run)


def _round(programme: str | None, seed: int | None, *, dry_run: bool) -> None:
    from bot.progress import terminal_progress
    from bot.usecases.common import resolve_programme
    from bot.usecases.rounds import plan_round, run_round

    with friendly_errors():
        s = services(reading=dry_run)
        with terminal_progress(notes) as progress, s.db.session() as session:
            found = resolve_programme(session, programme)
            if dry_run:
                plan = plan_round(session, s.clock.now(), found, seed=seed)
            else:
                summary = run_round(
                    session, s.clock.now(), found, s.prompts, seed=seed, progress=progress
                )
                plan = summary.plan
        print_plan(plan, dry_run=dry_run)
        if not dry_run:
            console.print(
                f"{count(summary.messages_queued, 'introduction')} queued for delivery "
                "by `crossties serve`.",
                markup=False,
                highlight=False,
            )


def print_plan(plan: RoundPlan, *, dry_run: bool) -> None:
    title = f"Round {plan.number} of {plan.programme}" + (" (dry run)" if dry_run else "")
    if len(plan.groups) > LARGE:
        lines = [f"{' + '.join(g.names)}\t{' + '.join(g.organisations)}" for g in plan.groups]
        console.file.write(f"{title}\n" + "\n".join(lines) + "\n")
    else:
        from rich.table import Table

        from crossties.cli.render import wrapping

        table = Table(title, "Organisations")
        for group in plan.groups:
            table.add_row(" + ".join(group.names), " + ".join(group.organisations))
        console.print(wrapping(table), markup=False, highlight=False)
    console.print(
        f"{count(len(plan.groups), 'group')}, {count(plan.people, 'person')}, "
        f"{plan.cross_organisation_groups} across organisations; "
        f"{number(plan.paused)} paused, "
        f"{number(plan.skipped_unreachable)} without a chat account.",
        markup=False,
        highlight=False,
    )
