"""`crossties match`: groups from a spreadsheet, no database. Standard output is GROUPS.csv
(unless --out names a file); every note goes to standard error."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from bot.formatting import count
from crossties.cli.app import app, notes
from crossties.cli.errors import EXIT_BAD_INPUT, fail


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
    people: Annotated[
        Path,
        typer.Argument(
            metavar="PEOPLE.csv", help="Columns id,organisation and optionally name, role, …"
        ),
    ],
    history: Annotated[
        Path | None,
        typer.Option(metavar="HISTORY.csv", help="Past groups: round,person_a,person_b."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for tie-breaks.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(metavar="GROUPS.csv", help="Write the groups here (default: stdout)."),
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
        notes.print(
            f"Wrote {count(len(result.groups), 'group')} to {out} "
            f"(same-organisation pairs {score.same_org_pairs}, "
            f"repeats {score.repeat_pairs}).",
            markup=False,
            highlight=False,
        )
    for note in match_notes(result):  # standard output carries only the groups
        typer.echo(note, err=True)
