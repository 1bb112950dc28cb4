"""CLI errors: one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer

if TYPE_CHECKING:
    from bot.templates import Prompts

EXIT_PROBLEM = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_PROBLEM) -> NoReturn:
    typer.echo(f"crossties: {message}", err=True)
    raise typer.Exit(code)


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


def explain(error: Exception, prompts: Callable[[], Prompts] | None = None) -> NoReturn:
    """One line for a failed command. The error classes are imported only now, so that a
    command that never touched the database does not pay for importing it."""
    from bot.config import ConfigError
    from bot.templates import Prompts
    from bot.usecases.common import UseCaseError
    from bot.usecases.programmes import RosterError

    if isinstance(error, UseCaseError):
        text = (prompts() if prompts else Prompts()).render(error.prompt, **error.context)
        fail(" ".join(text.replace("`", "").split()))
    if isinstance(error, RosterError):
        fail(str(error), EXIT_BAD_INPUT)
    if isinstance(error, ConfigError):
        fail(str(error))
    from sqlalchemy.exc import OperationalError

    # the last line of defence: say what, not a traceback
    if isinstance(error, OperationalError):
        fail(
            "cannot reach the database; check CROSSTIES_DATABASE_URL "
            f"({type(error.orig).__name__ if error.orig else 'error'})"
        )
    if "--debug" in sys.argv:
        raise error
    fail(f"unexpected error: {type(error).__name__}: {error}")
