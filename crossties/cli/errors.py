"""CLI errors: one clear line on standard error and a non-zero exit, never a traceback.

Exit 1: something is wrong with the deployment or the data (no programme, database down).
Exit 2: the command line itself is wrong (a bad option, a file that cannot be read or
written). Errors the chat would word for a person in a chat are worded here for a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from bot.templates import Prompts
    from bot.usecases.common import UseCaseError

EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_PROBLEM) -> NoReturn:
    typer.echo(f"crossties: {message}", err=True)
    raise typer.Exit(code)


def writable(path: Path, option: str) -> None:
    """Refuse, before any work, a file that cannot be written because its folder is missing."""
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        fail(f"{option} {path}: there is no folder {folder}", EXIT_BAD_INPUT)


@contextmanager
def friendly_errors(prompts: Callable[[], Prompts] | None = None) -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:
        explain(error, prompts)


def _database_shown() -> str:
    from bot.config import load_settings
    from crossties.doctor import shown

    try:
        return shown(load_settings().database_url)
    except Exception:
        return "the database"


def for_the_command_line(error: UseCaseError) -> str | None:
    """The chat's refusals that read wrongly in a terminal, worded for it."""
    context = error.context
    names = [str(n) for n in context.get("names") or []]
    if error.prompt == "error_no_programmes":
        return f"no programme in {_database_shown()}; create one with `crossties programme create`"
    if error.prompt == "error_no_such_programme":
        known = f" (programmes: {', '.join(names)})" if names else ""
        return f"no programme called {context.get('name')!r} in {_database_shown()}{known}"
    if error.prompt == "error_which_programme":
        return f"there are {len(names)} programmes ({', '.join(names)}); say which with --programme"
    if error.prompt == "error_unknown_person":
        return f"nobody called {context.get('name')!r} takes part; see `crossties people list`"
    if error.prompt == "error_ambiguous_person":
        return (
            f"more than one person is called {context.get('name')!r}; use their roster id or "
            "email (see `crossties people list`)"
        )
    return None


def explain(error: Exception, prompts: Callable[[], Prompts] | None = None) -> NoReturn:
    """One line for a failed command. The error classes are imported only now, so that a
    command that never touched the database does not pay for importing it."""
    from bot.config import ConfigError
    from bot.templates import Prompts
    from bot.usecases.common import UseCaseError
    from bot.usecases.programmes import RosterError

    if isinstance(error, UseCaseError):
        worded = for_the_command_line(error)
        if worded is not None:
            fail(worded)
        text = (prompts() if prompts else Prompts()).render(error.prompt, **error.context)
        fail(" ".join(text.replace("`", "").split()))
    if isinstance(error, RosterError):
        fail(str(error), EXIT_BAD_INPUT)
    if isinstance(error, ConfigError):
        fail(str(error))
    if isinstance(error, OSError) and error.filename is not None:
        reason = error.strerror or type(error).__name__
        fail(f"{error.filename}: {reason}", EXIT_BAD_INPUT)
    from sqlalchemy.exc import OperationalError

    # the last line of defence: say what, not a traceback
    if isinstance(error, OperationalError):
        fail(
            f"cannot reach {_database_shown()}; check CROSSTIES_DATABASE_URL "
            f"({type(error.orig).__name__ if error.orig else 'error'})"
        )
    if "--debug" in sys.argv:
        raise error
    fail(f"unexpected error: {type(error).__name__}: {error}")
