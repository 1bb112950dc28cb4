"""One command grammar for every platform.

`/crossties join Hospice` in Slack, `join Hospice` typed to the Teams bot and the terminal
all reach `parse`. It never raises: anything it cannot read becomes a `ParseError` that
names a prompt, so the answer is always polite and points to `help`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.db.models import Answer
from bot.events import MENTION_MARK, UserRef
from bot.text import clean_text, parse_date

if TYPE_CHECKING:
    from bot.circle_commands import CircleCommand

__all__ = ["clean_text", "parse_date"]  # re-exported: the use cases clean names with it

MAX_COMMAND_LENGTH = 3000
MAX_NOTE_LENGTH = 1000
MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class MentionOf:
    """A platform mention: the account the adapter's translate found in the words."""

    user: UserRef


@dataclass(frozen=True, slots=True)
class MentionByName:
    """`@Ann Lee`, `@"Ann Lee"`, `@ann@example.org` or a roster id: the core looks it up."""

    text: str


Mention = MentionOf | MentionByName


@dataclass(frozen=True, slots=True)
class Command:
    programme: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Help(Command):
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Join(Command):
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Leave(Command):
    pass


@dataclass(frozen=True, slots=True)
class Pause(Command):
    until: date | None = None
    weeks: int | None = None


@dataclass(frozen=True, slots=True)
class Resume(Command):
    pass


@dataclass(frozen=True, slots=True)
class Profile(Command):
    field_name: str | None = None  # organisation | role | timezone | name | email-sharing
    value: str | None = None


@dataclass(frozen=True, slots=True)
class ShowMatch(Command):
    pass


@dataclass(frozen=True, slots=True)
class Met(Command):
    answer: Answer = Answer.MET


@dataclass(frozen=True, slots=True)
class Log(Command):
    person: Mention
    note: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ties(Command):
    pass


@dataclass(frozen=True, slots=True)
class ForgetMe(Command):
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class MyData(Command):
    pass


@dataclass(frozen=True, slots=True)
class Report(Command):
    pass


@dataclass(frozen=True, slots=True)
class RoundPreview(Command):
    pass


@dataclass(frozen=True, slots=True)
class RoundRun(Command):
    pass


@dataclass(frozen=True, slots=True)
class Exclude(Command):
    a: Mention
    b: Mention


@dataclass(frozen=True, slots=True)
class Programmes(Command):
    pass


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why the words could not be read; `prompt` names the template that says so."""

    prompt: str
    detail: str = ""
    word: str = ""


Parsed = (
    Help
    | Join
    | Leave
    | Pause
    | Resume
    | Profile
    | ShowMatch
    | Met
    | Log
    | Ties
    | ForgetMe
    | MyData
    | Report
    | RoundPreview
    | RoundRun
    | Exclude
    | Programmes
)

STAFF_WORDS = (
    "help",
    "join",
    "leave",
    "pause",
    "resume",
    "profile",
    "match",
    "met",
    "log",
    "ties",
    "forget me",
    "my data",
)
LEAD_WORDS = ("report",)
COORDINATOR_WORDS = ("round preview", "round run", "exclude", "programmes")
ALL_WORDS = STAFF_WORDS + LEAD_WORDS + COORDINATOR_WORDS

_PROGRAMME_OPTION = re.compile(r"(?:^|\s)--programme(?:=|\s+)(?P<name>.+)$", re.IGNORECASE)
_MENTION = re.compile(
    rf"""^(?:{MENTION_MARK}(?P<index>\d+){MENTION_MARK}"""  # a platform mention, numbered
    r"""|@"(?P<quoted>[^"]+)\""""  # @"Ann Lee"
    r"""|@(?P<bare>\S+))"""  # @ann.lee@nhs.net or @p17
)
_WEEKS = re.compile(r"^for\s+(?P<n>\d{1,3})\s+(?P<unit>weeks?|days?)$", re.IGNORECASE)
_TAG = re.compile(r"(?:^|\s)#(?P<tag>[\w\-]{1,40})", re.UNICODE)


def parse_mention(token: str, mentions: tuple[UserRef, ...] = ()) -> tuple[Mention, str] | None:
    """Read one mention at the start of `token`; returns it and the rest of the text."""
    match = _MENTION.match(token)
    if not match:
        return None
    rest = token[match.end() :].strip()
    if match.group("index") is not None:
        index = int(match.group("index"))
        if index >= len(mentions):
            return None
        return MentionOf(mentions[index]), rest
    name = match.group("quoted") or match.group("bare") or ""
    name = name.strip()
    if not name:
        return None
    return MentionByName(name), rest


def parse(text: str, mentions: tuple[UserRef, ...] = ()) -> Parsed | CircleCommand | ParseError:
    """`mentions` are the accounts behind the MENTION_MARKs in `text`, in order."""
    try:
        return _parse(text, mentions)
    except Exception:  # never let odd input escape as an exception
        return ParseError("error_unknown_command", word=text[:40])


def _number_marks(text: str) -> str:
    """Each mention mark becomes a numbered token, so a mention is found wherever it is."""
    pieces = text.split(MENTION_MARK)
    numbered = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        numbered.append(f"{MENTION_MARK}{index}{MENTION_MARK}{piece}")
    return "".join(numbered)


def _parse(text: str, mentions: tuple[UserRef, ...]) -> Parsed | CircleCommand | ParseError:
    if len(text) > MAX_COMMAND_LENGTH:
        return ParseError("error_too_long")
    text = _number_marks(clean_text(text))
    # Some chat clients prefix the bot's own mention or the slash command.
    text = re.sub(r"^(?:/crossties|crossties)\b\s*", "", text, flags=re.IGNORECASE)
    programme: str | None = None
    option = _PROGRAMME_OPTION.search(text)
    if option:
        programme = option.group("name").strip().strip('"')[:MAX_NAME_LENGTH] or None
        text = text[: option.start()].strip()
    if not text:
        return Help(programme=programme)
    words = text.split(" ")
    head = words[0].lower()
    rest = text[len(words[0]) :].strip()
    rest_lower = rest.lower()

    match head:
        case "help" | "?" | "hello" | "hi":
            return Help(rest_lower or None, programme=programme)
        case "join":
            if len(rest) > MAX_NAME_LENGTH:
                return ParseError("error_too_long")
            return Join(rest or None, programme=programme)
        case "leave" | "stop":
            return (
                Leave(programme=programme)
                if not rest
                else ParseError("error_unexpected_words", word="leave", detail=rest)
            )
        case "pause":
            return _parse_pause(rest, programme)
        case "resume" | "unpause":
            return (
                Resume(programme=programme)
                if not rest
                else ParseError("error_unexpected_words", word="resume", detail=rest)
            )
        case "profile":
            return _parse_profile(rest, programme)
        case "match" | "intro" | "introduction":
            return ShowMatch(programme=programme)
        case "met":
            if rest_lower in {"", "yes"}:
                return Met(Answer.MET, programme=programme)
            if rest_lower in {"not yet", "no", "later"}:
                return Met(Answer.NOT_YET, programme=programme)
            if rest_lower in {"could not", "cannot", "can't", "could not meet", "no, could not"}:
                return Met(Answer.COULD_NOT_MEET, programme=programme)
            return ParseError("error_met_usage")
        case "not" if rest_lower == "yet":
            return Met(Answer.NOT_YET, programme=programme)
        case "could" if rest_lower in {"not meet", "not"}:
            return Met(Answer.COULD_NOT_MEET, programme=programme)
        case "log":
            return _parse_log(rest, programme, mentions)
        case "ties" | "connections":
            return Ties(programme=programme)
        case "forget":
            if rest_lower == "me":
                return ForgetMe(False, programme=programme)
            if rest_lower in {"me confirm", "me now", "me yes"}:
                return ForgetMe(True, programme=programme)
            return ParseError("error_forget_usage")
        case "my" if rest_lower == "data":
            return MyData(programme=programme)
        case "report" | "reports":
            return Report(programme=programme)
        case "round":
            if rest_lower == "preview":
                return RoundPreview(programme=programme)
            if rest_lower == "run":
                return RoundRun(programme=programme)
            return ParseError("error_round_usage")
        case "exclude":
            return _parse_exclude(rest, programme, mentions)
        case "programmes" | "programme" | "programs":
            return Programmes(programme=programme)
        case "circle" | "circles":
            from bot.circle_commands import parse_circle  # the circle words, in their module

            return parse_circle(head, rest, programme)
    return ParseError("error_unknown_command", word=words[0][:40])


def _parse_pause(rest: str, programme: str | None) -> Pause | ParseError:
    if not rest:
        return Pause(programme=programme)
    weeks = _WEEKS.match(rest)
    if weeks:
        n = int(weeks.group("n"))
        if weeks.group("unit").lower().startswith("day"):
            if n < 1 or n > 365:
                return ParseError("error_pause_usage")
            return (
                Pause(weeks=None, until=None, programme=programme)
                if n == 0
                else Pause(weeks=max(1, -(-n // 7)), programme=programme)
            )
        if n < 1 or n > 52:
            return ParseError("error_pause_usage")
        return Pause(weeks=n, programme=programme)
    if rest.lower().startswith("until "):
        when = parse_date(rest[6:])
        if when is None:
            return ParseError("error_bad_date", detail=rest[6:][:40])
        return Pause(until=when, programme=programme)
    return ParseError("error_pause_usage")


_PROFILE_FIELDS = {
    "organisation": "organisation",
    "organization": "organisation",
    "org": "organisation",
    "role": "role",
    "profession": "role",
    "job": "role",
    "timezone": "timezone",
    "tz": "timezone",
    "time zone": "timezone",
    "name": "name",
    "email": "share_email",
    "share email": "share_email",
    "report name": "name_in_reports",
    "name in reports": "name_in_reports",
}


def _parse_profile(rest: str, programme: str | None) -> Profile | ParseError:
    if not rest:
        return Profile(programme=programme)
    lowered = rest.lower()
    for key in sorted(_PROFILE_FIELDS, key=len, reverse=True):
        if lowered == key or lowered.startswith(key + " "):
            value = rest[len(key) :].strip()
            if not value:
                return ParseError("error_profile_usage")
            if len(value) > MAX_NAME_LENGTH:
                return ParseError("error_too_long")
            return Profile(_PROFILE_FIELDS[key], value, programme=programme)
    return ParseError("error_profile_usage")


def _parse_log(rest: str, programme: str | None, mentions: tuple[UserRef, ...]) -> Log | ParseError:
    mention = parse_mention(rest, mentions)
    if mention is None:
        return ParseError("error_log_usage")
    person, note = mention
    if not note:
        return ParseError("error_log_usage")
    if len(note) > MAX_NOTE_LENGTH:
        return ParseError("error_too_long")
    tags = tuple(dict.fromkeys(tag.lower() for tag in _TAG.findall(note)))
    return Log(person, note, tags[:10], programme=programme)


def _parse_exclude(
    rest: str, programme: str | None, mentions: tuple[UserRef, ...]
) -> Exclude | ParseError:
    first = parse_mention(rest, mentions)
    if first is None:
        return ParseError("error_exclude_usage")
    a, remainder = first
    second = parse_mention(remainder, mentions)
    if second is None or second[1]:
        return ParseError("error_exclude_usage")
    return Exclude(a, second[0], programme=programme)
