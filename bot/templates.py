"""Every sentence the bot says comes from `prompts/` by name (Jinja2, StrictUndefined, en-GB).

Plurals, lists, dates and durations go through `bot.formatting` (Babel), registered here as
filters and globals: `n | count("round")`, `names | join_words`, `moment | when(timezone)`.

Operators can point `CROSSTIES_PROMPTS_DIR` at a folder of their own: a template found there
wins over the shipped one of the same name.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from bot import formatting
from bot.starters import Starter, parse_starters, split_prompt_set

SHIPPED = Path(str(resources.files("prompts")))


class Prompts:
    def __init__(self, override_dir: Path | None = None) -> None:
        folders = [str(override_dir)] if override_dir else []
        folders.append(str(SHIPPED))
        self.folders = [Path(f) for f in folders]
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(folder) for folder in folders]),
            undefined=StrictUndefined,
            autoescape=False,  # plain text: renderers escape for each platform
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        formatting.register(self.env)
        self._starters: dict[str, list[Starter]] = {}

    def has(self, name: str) -> bool:
        try:
            self.env.get_template(f"{name}.j2")
        except TemplateNotFound:
            return False
        return True

    def render(self, prompt: str, /, **context: Any) -> str:
        return self.env.get_template(f"{prompt}.j2").render(**context).strip()

    def starters(self, prompt_set: str = "default") -> list[Starter]:
        """The questions of a set; `prompt_set` may carry tags (`"default [light]"`), which
        the picker reads and the keys ignore."""
        name, _tags = split_prompt_set(prompt_set)
        if name not in self._starters:
            self._starters[name] = self._load_starters(name)
        return self._starters[name]

    def _load_starters(self, prompt_set: str) -> list[Starter]:
        for folder in self.folders:
            path = folder / "starters" / f"{prompt_set}.txt"
            if path.is_file():
                starters = parse_starters(path.read_text(encoding="utf-8"), prompt_set, str(path))
                if starters:
                    return starters
        if prompt_set != "default":
            return self._load_starters("default")
        raise FileNotFoundError("no conversation starters found in prompts/starters/default.txt")
