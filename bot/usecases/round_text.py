"""The words of a round's introductions: the starter each group gets, the reason given, and
the prompts rendered once per distinct sentence for a whole round."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from typing import Any

from jinja2 import Template

from bot.db.models import Programme
from bot.starters import Starter, split_prompt_set
from bot.starters import pick_starter as choose_starter
from bot.templates import Prompts


class CachedPrompts(Prompts):
    """The programme's prompts, each distinct rendering done once for a whole round: most
    sentences of an introduction depend on a handful of values, not on the people."""

    def __init__(self, inner: Prompts) -> None:  # delegates; no environment of its own
        self.inner = inner
        self.folders = inner.folders
        self.env = inner.env
        self._seen: dict[tuple[Any, ...], str] = {}
        self._templates: dict[str, Template] = {}
        self.memo: dict[object, object] = {}  # what a round's messages share (compose)

    def render(self, prompt: str, /, **context: Any) -> str:
        key = (prompt, *[(k, tuple(v) if type(v) is list else v) for k, v in context.items()])
        try:
            found = self._seen.get(key)
        except TypeError:  # a value that cannot be a key: rendered every time
            return self._render(prompt, context)
        if found is None:
            found = self._seen[key] = self._render(prompt, context)
        return found

    def _render(self, prompt: str, context: dict[str, Any]) -> str:
        # the template looked up once: a lookup checks the file on disk every time
        template = self._templates.get(prompt)
        if template is None:
            template = self._templates[prompt] = self.env.get_template(f"{prompt}.j2")
        return template.render(**context).strip()

    def starters(self, prompt_set: str = "default") -> list[Starter]:
        return self.inner.starters(prompt_set)


def pick_starter(
    prompts: Prompts,
    programme: Programme,
    members: tuple[int, ...],
    used_by_pair: dict[tuple[int, int], Counter[str]],
    seed: int,
    index: int,
    *,
    month: int | None = None,
    first_meeting: bool = False,
) -> tuple[str, str]:
    """A starter none of these pairs has had before (fewest repeats if all are used), in
    season, from the programme's chosen tags, and light for people who have just started."""
    starters = prompts.starters(programme.prompt_set)
    ordered_members = sorted(members)
    used: Counter[str] = Counter()
    for i, a in enumerate(ordered_members):
        for b in ordered_members[i + 1 :]:
            used.update(used_by_pair.get((a, b), Counter()))
    best = choose_starter(
        starters,
        used,
        seed + index * 7919,
        tags=split_prompt_set(programme.prompt_set)[1],
        month=month,
        first_meeting=first_meeting,
    )
    return best.key, best.text


def why_line(
    prompts: Prompts,
    organisations: tuple[str, ...],  # the group's organisation names, one per member
    organisation_ids: list[int | None],
    pair_ties: Counter[frozenset[int]],
) -> str:
    if len(set(organisations)) != len(organisations):
        return prompts.render("why_same_organisation")
    distinct = sorted({o for o in organisation_ids if o is not None})
    existing = sum(
        pair_ties[frozenset((a, b))] for i, a in enumerate(distinct) for b in distinct[i + 1 :]
    )
    return prompts.render(
        "why_cross_organisation",
        organisations=list(dict.fromkeys(organisations)),
        existing=existing,
    )


def first_mover(introduction_id: int, members: tuple[int, ...], moves: Mapping[int, int]) -> int:
    """Who is asked to make the first move: whoever has carried it least often in the
    programme, ties broken by a stable hash of (introduction, person), so neither the same
    person nor the more senior role carries it every time, and every platform names the same."""

    def rank(person: int) -> tuple[int, bytes]:
        digest = hashlib.sha256(f"{introduction_id}:{person}".encode()).digest()
        return moves.get(person, 0), digest

    return min(members, key=rank)
