"""Help that reads as other Unix tools print it.

typer prints arguments as `{people}` with a type label (`<path>`) and options as `<str>`,
`<bool>` or `<list[str]>`. Every command here is built with `Command`, which prints
`Usage: crossties match [OPTIONS] PEOPLE.csv`, arguments by their name alone, and click's
usual metavars (TEXT, INTEGER, PATH) where no better one was given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand

# typer carries its own copy of click: parameters are told apart by `param_type_name`.


def _argument_name(param: Any) -> str:
    return str(param.metavar or (param.name or "").upper())


# typer's type labels, as click names them
METAVARS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "path": "PATH", "bool": "BOOLEAN"}


def _metavar(param: Any, ctx: Any) -> str:
    label = str(param.display_type(ctx)).strip("<>")
    if label.startswith("list[") and label.endswith("]"):
        label = label[5:-1]
    return METAVARS.get(label, label.upper())


class Command(TyperCommand):
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and not getattr(param, "hidden", False):
                arguments.append((_argument_name(param), str(getattr(param, "help", "") or "")))
            elif param.param_type_name == "option":
                if param.metavar is None and not getattr(param, "is_flag", False):
                    param.metavar = _metavar(param, ctx)
                record = param.get_help_record(ctx)
                if record is not None:
                    options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


class Typer(typer.Typer):
    """A typer app whose commands are `Command`s and whose help is plain text."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(  # type: ignore[override]
        self, *args: Any, cls: type[TyperCommand] = Command, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return super().command(*args, cls=cls, **kwargs)
