"""The words after a command's first word: mentions, pause lengths, profile fields,
organisations, cadences, days, next steps and `checkins send` times.

Each reader returns a command or a `ParseError`; `bot.commands` picks the reader by the
first word.
"""

from __future__ import annotations

import re

from bot.command_types import (
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    CheckinsSend,
    Exclude,
    Log,
    Mention,
    MentionByName,
    MentionOf,
    NextStep,
    ParseError,
    Pause,
    PauseOrganisation,
    Profile,
    ProfileCadence,
    ProfileDays,
    ResumeOrganisation,
    StepDone,
)
from bot.db.models import Cadence
from bot.events import MENTION_MARK, UserRef
from bot.text import parse_date, parse_moment

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


_SEND_EARLY = re.compile(
    r"^(?:at\s+(?P<at>.+?))?\s*(?:\bprogramme\s+(?P<programme>.+))?$", re.IGNORECASE
)


def parse_checkins_send(rest: str, programme: str | None) -> CheckinsSend | ParseError:
    """`checkins send [at TIME] [programme NAME]`."""
    found = _SEND_EARLY.match(rest)
    at_text = (found.group("at") or "").strip() if found else ""
    at = parse_moment(at_text) if at_text else None
    if found is None or (at_text and at is None):
        return ParseError("checkin_send_usage", detail=rest[:40])
    named = (found.group("programme") or "").strip().strip('"')[:MAX_NAME_LENGTH]
    return CheckinsSend(at, programme=named or programme)


def parse_pause(rest: str, programme: str | None) -> Pause | ParseError:
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


def parse_profile(
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


def parse_log(rest: str, programme: str | None, mentions: tuple[UserRef, ...]) -> Log | ParseError:
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


def parse_exclude(
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


def names_organisation(rest_lower: str) -> bool:
    return any(rest_lower == w or rest_lower.startswith(w + " ") for w in _ORGANISATION_WORDS)


def parse_pause_organisation(rest: str, programme: str | None) -> PauseOrganisation | ParseError:
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


def parse_resume_organisation(rest: str, programme: str | None) -> ResumeOrganisation | ParseError:
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


def parse_step(rest: str, programme: str | None) -> NextStep | StepDone | ParseError:
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
