"""Progress bars for long command-line steps: drawn on a terminal, silent on a pipe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bot.usecases.bulk import ProgressCallback


@contextmanager
def terminal_progress(console: Console) -> Iterator[ProgressCallback | None]:
    """A callback for the use cases' `progress=`; None (no bars at all) when not a terminal."""
    if not console.is_terminal:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int | None) -> None:
            task = tasks.get(step)
            if task is None:
                task = tasks[step] = bars.add_task(step, total=total)
            bars.update(task, completed=done, total=total)

        yield report
