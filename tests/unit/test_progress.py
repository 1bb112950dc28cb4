"""Progress bars for long command-line steps: drawn on a terminal, nothing on a pipe."""

from __future__ import annotations

import io

from rich.console import Console

from bot.progress import terminal_progress


def test_nothing_is_drawn_on_a_pipe() -> None:
    out = io.StringIO()
    with terminal_progress(Console(file=out)) as progress:
        assert progress is None
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_per_step() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with terminal_progress(console) as progress:
        assert progress is not None
        progress("Storing people", 0, 200)
        progress("Storing people", 200, 200)
        progress("Matching", 0, None)
    drawn = out.getvalue()
    assert "Storing people" in drawn and "200/200" in drawn
    assert "Matching" in drawn
