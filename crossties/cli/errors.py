"""CLI errors: one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from bot.config import ConfigError
from bot.templates import Prompts
from bot.usecases.common import UseCaseError
from bot.usecases.programmes import RosterError

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
    except UseCaseError as error:
        text = (prompts() if prompts else Prompts()).render(error.prompt, **error.context)
        fail(" ".join(text.replace("`", "").split()))
    except RosterError as error:
        fail(str(error), EXIT_BAD_INPUT)
    except ConfigError as error:
        fail(str(error))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:  # the last line of defence: say what, not a traceback
        from sqlalchemy.exc import OperationalError

        if isinstance(error, OperationalError):
            fail(
                "cannot reach the database; check CROSSTIES_DATABASE_URL "
                f"({type(error.orig).__name__ if error.orig else 'error'})"
            )
        if "--debug" in sys.argv:
            raise
        fail(f"unexpected error: {type(error).__name__}: {error}")
