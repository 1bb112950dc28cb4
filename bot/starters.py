"""Conversation starters: the file format, and the choice of one for a group.

A starters file (prompts/starters/NAME.txt) has one question a line:

    key: question
    key [tag, tag, Oct-Mar]: question

Tags are free words a programme can choose a set by (`light` marks a question fit for people
who have just met, `heavy` one that is not); a month or a range of months (`Dec`, `Oct-Mar`,
wrapping over the new year) is the season the question belongs to — out of season it is not
asked. Lines without tags, the older form, still read.

A programme names its set in `prompt_set` as `NAME` or `NAME [tag, tag]` (only questions
with one of those tags, when there are any).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# A programme's first rounds are everyone's first meetings: light questions, nothing heavy.
FIRST_MEETING_ROUNDS = 2
LIGHT = "light"
HEAVY = "heavy"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LINE = re.compile(r"^(?P<key>[^\s\[\]:]+)\s*(?:\[(?P<tags>[^\]]*)\])?$")
_SEASON = re.compile(r"^(?P<start>[a-z]{3})(?:\s*-\s*(?P<end>[a-z]{3}))?$")
_SET = re.compile(r"^\s*(?P<name>[^\[\]]*?)\s*(?:\[(?P<tags>[^\]]*)\])?\s*$")


class StarterFormatError(ValueError):
    """A starters line that cannot be read; says which line and why."""


@dataclass(frozen=True)
class Starter:
    key: str
    text: str
    tags: frozenset[str] = field(default=frozenset())
    months: frozenset[int] = field(default=frozenset())  # empty: any time of year

    def in_season(self, month: int) -> bool:
        return not self.months or month in self.months


def _season(tag: str) -> frozenset[int] | None:
    match = _SEASON.match(tag.lower())
    if not match or match["start"] not in MONTHS or (match["end"] or "jan") not in MONTHS:
        return None
    start = MONTHS.index(match["start"])
    end = MONTHS.index(match["end"]) if match["end"] else start
    span = (end - start) % 12
    return frozenset((start + step) % 12 + 1 for step in range(span + 1))


def parse_line(line: str, prompt_set: str, where: str = "") -> Starter:
    head, colon, text = line.partition(":")
    match = _LINE.match(head.strip())
    if not colon or not text.strip() or match is None:
        raise StarterFormatError(f"{where}: expected `key: question` or `key [tags]: question`")
    tags: set[str] = set()
    months: set[int] = set()
    for raw in (match["tags"] or "").split(","):
        tag = raw.strip()
        if not tag:
            continue
        season = _season(tag)
        if season is None:
            tags.add(tag.lower())
        else:
            months |= season
    return Starter(f"{prompt_set}:{match['key']}", text.strip(), frozenset(tags), frozenset(months))


def parse_starters(text: str, prompt_set: str, source: str = "starters") -> list[Starter]:
    """Every question in a starters file; blank lines and `#` comments are skipped."""
    starters = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            starters.append(parse_line(line, prompt_set, f"{source} line {number}"))
    return starters


def split_prompt_set(value: str | None) -> tuple[str, frozenset[str]]:
    """`"default [light, system]"` → ("default", {"light", "system"})."""
    match = _SET.match(value or "")
    name = (match["name"] if match else "") or "default"
    tags = match["tags"] if match else None
    return name, frozenset(t.strip().lower() for t in (tags or "").split(",") if t.strip())


def pick_starter(
    starters: Sequence[Starter],
    used: Counter[str],
    offset: int = 0,
    *,
    tags: Iterable[str] | None = None,
    month: int | None = None,
    first_meeting: bool = False,
) -> Starter:
    """The starter for one group, from `starters` taken in turn from `offset`.

    Above all, the one these people have had least often together (`used`: key → times), so
    a pair never gets the same question twice while another is left. Among those, in order:
    in season for `month`; one of the chosen `tags`; for a `first_meeting`, not a heavy one,
    then a light one. With none of these given it is the first unused one from `offset`.
    """
    if not starters:
        raise ValueError("no conversation starters to choose from")
    wanted = frozenset(tags or ())
    start = offset % len(starters)
    ordered = list(starters[start:]) + list(starters[:start])

    def rank(item: tuple[int, Starter]) -> tuple[int, ...]:
        turn, starter = item
        return (
            used[starter.key],
            month is not None and not starter.in_season(month),
            bool(wanted) and not (wanted & starter.tags),
            first_meeting and HEAVY in starter.tags,
            first_meeting and LIGHT not in starter.tags,
            turn,
        )

    return min(enumerate(ordered), key=rank)[1]
