"""One command grammar for every platform.

`/crossties join Hospice` in Slack, `join Hospice` typed to the Teams bot and the terminal
all reach `parse`. It never raises: anything it cannot read becomes a `ParseError` that
names a prompt, so the answer is always polite and points to `help`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from bot.db.models import Answer, Cadence
from bot.events import MENTION_MARK, UserRef
from bot.text import clean_text, parse_date, parse_moment

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
class CheckinsSend(Command):
    """Send early what would be due by `at`: a date and time, or a time today (a `time`), in
    the coordinator's time zone unless it names its own offset; None is now."""

    at: datetime | time | None = None


@dataclass(frozen=True, slots=True)
class PauseOrganisation(Command):
    organisation: str
    until: date


@dataclass(frozen=True, slots=True)
class ResumeOrganisation(Command):
    organisation: str


@dataclass(frozen=True, slots=True)
class ProfileCadence(Command):
    cadence: Cadence


@dataclass(frozen=True, slots=True)
class ProfileDays(Command):
    days: tuple[int, ...]  # Monday 0; empty: any day


@dataclass(frozen=True, slots=True)
class NextStep(Command):
    text: str


@dataclass(frozen=True, slots=True)
class StepDone(Command):
    happened: bool


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
    | CheckinsSend
    | PauseOrganisation
    | ResumeOrganisation
    | ProfileCadence
    | ProfileDays
    | NextStep
    | StepDone
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
COORDINATOR_WORDS = (
    "round preview",
    "round run",
    "exclude",
    "programmes",
    "checkins send",
    "pause organisation",
    "resume organisation",
)
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
        case "pause" if _names_organisation(rest_lower):
            return _parse_pause_organisation(rest, programme)
        case "pause":
            return _parse_pause(rest, programme)
        case "resume" | "unpause" if _names_organisation(rest_lower):
            return _parse_resume_organisation(rest, programme)
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
        case "step" | "next" if head == "step" or rest_lower.startswith("step"):
            return _parse_step(rest if head == "step" else rest[4:].strip(), programme)
        case "programmes" | "programme" | "programs":
            return Programmes(programme=programme)
        case "checkins" | "checkin" | "check-ins" if rest_lower.split(" ")[:1] == ["send"]:
            return _parse_checkins_send(rest[4:].strip(), programme)
        case "circle" | "circles":
            from bot.circle_commands import parse_circle  # the circle words, in their module

            return parse_circle(head, rest, programme)
    return ParseError("error_unknown_command", word=words[0][:40])


_SEND_EARLY = re.compile(
    r"^(?:at\s+(?P<at>.+?))?\s*(?:\bprogramme\s+(?P<programme>.+))?$", re.IGNORECASE
)


def _parse_checkins_send(rest: str, programme: str | None) -> CheckinsSend | ParseError:
    """`checkins send [at TIME] [programme NAME]`."""
    found = _SEND_EARLY.match(rest)
    at_text = (found.group("at") or "").strip() if found else ""
    at = parse_moment(at_text) if at_text else None
    if found is None or (at_text and at is None):
        return ParseError("checkin_send_usage", detail=rest[:40])
    named = (found.group("programme") or "").strip().strip('"')[:MAX_NAME_LENGTH]
    return CheckinsSend(at, programme=named or programme)


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


def _parse_profile(
    rest: str, programme: str | None
) -> Profile | ProfileCadence | ProfileDays | ParseError:
    if not rest:
        return Profile(programme=programme)
    head = rest.split(" ", 1)[0].lower()
    if head in _CADENCE_WORDS:
        return _parse_cadence(rest[len(head) :].strip(), programme)
    if head in _DAYS_WORDS:
        return _parse_days(rest[len(head) :].strip(), programme)
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


_ORGANISATION_WORDS = ("organisation", "organization", "org")
_CADENCE_WORDS = {"cadence", "pace", "frequency", "often"}
_DAYS_WORDS = {"days", "day", "shifts"}
_CADENCES = {
    "every round": Cadence.EVERY_ROUND,
    "each round": Cadence.EVERY_ROUND,
    "always": Cadence.EVERY_ROUND,
    "every other round": Cadence.EVERY_OTHER_ROUND,
    "every second round": Cadence.EVERY_OTHER_ROUND,
    "alternate rounds": Cadence.EVERY_OTHER_ROUND,
    "monthly": Cadence.MONTHLY,
    "once a month": Cadence.MONTHLY,
    "every month": Cadence.MONTHLY,
}
_DAY_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "mondays"),
            ("tue", "tues", "tuesday", "tuesdays"),
            ("wed", "weds", "wednesday", "wednesdays"),
            ("thu", "thur", "thurs", "thursday", "thursdays"),
            ("fri", "friday", "fridays"),
            ("sat", "saturday", "saturdays"),
            ("sun", "sunday", "sundays"),
        )
    )
    for name in names
}
_ANY_DAY = {"any", "any day", "all", "every day", "none", "clear"}
_WEEKDAYS_ONLY = {"weekdays": (0, 1, 2, 3, 4), "weekends": (5, 6)}


def _names_organisation(rest_lower: str) -> bool:
    return any(rest_lower == w or rest_lower.startswith(w + " ") for w in _ORGANISATION_WORDS)


def _parse_pause_organisation(rest: str, programme: str | None) -> PauseOrganisation | ParseError:
    """`pause organisation <name> until <date>`: a date is needed, so it always ends."""
    body = rest.split(" ", 1)[1].strip() if " " in rest else ""
    name, sep, when_text = body.rpartition(" until ")
    if not sep and body.lower().startswith("until "):
        return ParseError("error_pause_organisation_usage")
    name = name.strip()
    if not sep or not name:
        return ParseError("error_pause_organisation_usage")
    if len(name) > MAX_NAME_LENGTH:
        return ParseError("error_too_long")
    when = parse_date(when_text)
    if when is None:
        return ParseError("error_pause_organisation_usage", detail=when_text[:40])
    return PauseOrganisation(name, when, programme=programme)


def _parse_resume_organisation(rest: str, programme: str | None) -> ResumeOrganisation | ParseError:
    name = rest.split(" ", 1)[1].strip() if " " in rest else ""
    if not name:
        return ParseError("error_pause_organisation_usage")
    if len(name) > MAX_NAME_LENGTH:
        return ParseError("error_too_long")
    return ResumeOrganisation(name, programme=programme)


def _parse_cadence(value: str, programme: str | None) -> ProfileCadence | ParseError:
    cadence = _CADENCES.get(" ".join(value.lower().replace("-", " ").split()))
    if cadence is None:
        return ParseError("error_cadence_usage", detail=value[:40])
    return ProfileCadence(cadence, programme=programme)


def _parse_days(value: str, programme: str | None) -> ProfileDays | ParseError:
    """`mon tue thu`, `Monday, Thursday`, `weekdays`, or `any` to clear."""
    words = " ".join(value.lower().replace(",", " ").replace(" and ", " ").split())
    if not words:
        return ParseError("error_days_usage", detail="")
    if words in _ANY_DAY:
        return ProfileDays((), programme=programme)
    days: set[int] = set()
    for word in words.split(" "):
        if word in _WEEKDAYS_ONLY:
            days.update(_WEEKDAYS_ONLY[word])
        elif word.rstrip(".") in _DAY_NAMES:
            days.add(_DAY_NAMES[word.rstrip(".")])
        else:
            return ParseError("error_days_usage", detail=word[:40])
    return ProfileDays(tuple(sorted(days)), programme=programme)


_STEP_HAPPENED = {"done", "happened", "yes", "it happened", "taken"}
_STEP_NOT_YET = {"not yet", "no", "not done"}


def _parse_step(rest: str, programme: str | None) -> NextStep | StepDone | ParseError:
    """`step <one short line>` after meeting; `step done` or `step not yet` when asked."""
    lowered = " ".join(rest.lower().split()).rstrip(".!")
    if not lowered:
        return ParseError("error_step_usage")
    if lowered in _STEP_HAPPENED:
        return StepDone(True, programme=programme)
    if lowered in _STEP_NOT_YET:
        return StepDone(False, programme=programme)
    if len(rest) > MAX_NOTE_LENGTH:
        return ParseError("error_too_long")
    return NextStep(rest, programme=programme)
