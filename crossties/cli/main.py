"""The `crossties` command (typer + rich).

Kept light to import: each command imports what it needs (the database, matching, charts,
the SDKs) when it runs, so `crossties --help` and `crossties match` start at once. The
commands live in modules by subject; importing them here registers them on the app
(crossties/cli/app.py).
"""

from __future__ import annotations

from crossties.cli import matching, operate, people, programmes, reports, rounds
from crossties.cli.app import app

COMMAND_MODULES = (programmes, people, rounds, reports, matching, operate)


def main() -> None:
    app(prog_name="crossties")  # also under `python -m crossties.cli`
