"""The problem-circle words of the command grammar (`circles`, `circle join …`, …).

`bot.commands.parse` hands the words after `circle`/`circles` here. Like the rest of the
grammar this never raises: what it cannot read is a `ParseError` naming a prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from bot.commands import MAX_NAME_LENGTH, Command, ParseError
from bot.events import split_organisations
from bot.text import parse_date

MAX_TITLE_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 600
DEFAULT_TIME = time(9, 0)

_TIME = re.compile(r"^(?P<rest>.*?)(?:\s+at)?\s+(?P<h>\d{1,2})[:.](?P<m>\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CirclesList(Command):
    pass


@dataclass(frozen=True, slots=True)
class CircleJoin(Command):
    topic: str


@dataclass(frozen=True, slots=True)
class CircleLeave(Command):
    topic: str


@dataclass(frozen=True, slots=True)
class CircleOpen(Command):
    title: str
    description: str
    organisations: tuple[str, ...]
    on: date
    at: time = DEFAULT_TIME  # in the coordinator's own time zone


@dataclass(frozen=True, slots=True)
class CircleForm(Command):
    """Form a topic's circles now, before its forming time."""

    topic: str


@dataclass(frozen=True, slots=True)
class CirclePropose(Command):
    """A member's proposed topic: the words of `circle open`; it opens once approved."""

    title: str
    description: str
    organisations: tuple[str, ...]
    on: date
    at: time = DEFAULT_TIME


@dataclass(frozen=True, slots=True)
class CircleDecide(Command):
    """A coordinator approves or declines a proposed topic by its title."""

    topic: str
    approve: bool


@dataclass(frozen=True, slots=True)
class CircleProposals(Command):
    """Whether members may propose topics: `on`, `off`, or None to be told."""

    allowed: bool | None


CircleCommand = (
    CirclesList
    | CircleJoin
    | CircleLeave
    | CircleOpen
    | CircleForm
    | CirclePropose
    | CircleDecide
    | CircleProposals
)
_SWITCH = {"on": True, "yes": True, "allow": True, "off": False, "no": False, "stop": False}


def parse_circle(head: str, rest: str, programme: str | None) -> CircleCommand | ParseError:
    """`head` is `circle` or `circles`; `rest` the words after it."""
    if head == "circles" and not rest:
        return CirclesList(programme=programme)
    verb, _, words = rest.partition(" ")
    verb, words = verb.lower(), words.strip()
    if head == "circle" and verb in ("", "list"):
        return CirclesList(programme=programme) if not words else ParseError("error_circle_usage")
    if verb in ("approve", "decline"):
        if not words:
            return ParseError("error_circle_usage")
        if len(words) > MAX_NAME_LENGTH:
            return ParseError("error_too_long")
        return CircleDecide(words, verb == "approve", programme=programme)
    if verb == "proposals":
        if not words:
            return CircleProposals(None, programme=programme)
        if words.lower() not in _SWITCH:
            return ParseError("error_circle_proposals_usage")
        return CircleProposals(_SWITCH[words.lower()], programme=programme)
    if verb == "propose":
        opened = parse_open(words, programme, usage="error_circle_propose_usage")
        if isinstance(opened, ParseError):
            return opened
        return CirclePropose(
            opened.title,
            opened.description,
            opened.organisations,
            opened.on,
            opened.at,
            programme=programme,
        )
    if verb in ("join", "leave", "form"):
        if not words:
            return ParseError("error_circle_usage")
        if len(words) > MAX_NAME_LENGTH:
            return ParseError("error_too_long")
        if verb == "join":
            return CircleJoin(words, programme=programme)
        if verb == "leave":
            return CircleLeave(words, programme=programme)
        return CircleForm(words, programme=programme)
    if verb == "open":
        return parse_open(words, programme)
    return ParseError("error_circle_usage")


def parse_when(text: str) -> tuple[date, time] | None:
    """`12 January 2027`, `2027-01-12 14:30` or `12/01/2027 at 9:30`; None if unreadable."""
    text = text.strip()
    at = DEFAULT_TIME
    found = _TIME.match(text)
    if found:
        hour, minute = int(found.group("h")), int(found.group("m"))
        if hour > 23 or minute > 59:
            return None
        at, text = time(hour, minute), found.group("rest")
    day = parse_date(text)
    return None if day is None else (day, at)


def parse_open(
    words: str, programme: str | None, usage: str = "error_circle_open_usage"
) -> CircleOpen | ParseError:
    """`<title> | <description> | <organisations, comma separated> | <when>`."""
    parts = [part.strip() for part in words.split("|")]
    if len(parts) != 4 or not all(parts):
        return ParseError(usage)
    title, description, organisations, when = parts
    if len(title) > MAX_TITLE_LENGTH or len(description) > MAX_DESCRIPTION_LENGTH:
        return ParseError("error_too_long")
    names = split_organisations(organisations)
    if len(names) < 2:
        return ParseError("error_circle_organisations")
    if any(len(name) > MAX_NAME_LENGTH for name in names):
        return ParseError("error_too_long")
    moment = parse_when(when)
    if moment is None:
        return ParseError("error_circle_when", detail=when[:40])
    return CircleOpen(title, description, names, moment[0], moment[1], programme=programme)
