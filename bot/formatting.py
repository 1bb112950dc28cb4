"""Numbers, plurals, lists, dates and durations in words, through Babel's CLDR data (en-GB).

Templates reach these as Jinja filters and globals (see `register`), so no template spells out
its own plural rule or date pattern. Babel knows which plural form a number takes and how a
list, a unit or a date is written; the nouns themselves are English words given by the
template ("1 round", "2 rounds"; irregular ones such as person/people are known here).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, localedata
from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    get_day_names,
    get_timezone_location,
)
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

LOCALE = Locale.parse("en_GB")
DEFAULT_ZONE = "Europe/London"

# Nouns whose plural is not the singular plus "s".
IRREGULAR = {
    "person": "people",
    "child": "children",
    "activity": "activities",
    "family": "families",
    "reply": "replies",
    "party": "parties",
}

DAY_AND_TIME = "EEEE d MMMM, HH:mm"
DAY_AND_TIME_WITH_YEAR = "EEEE d MMMM y, HH:mm"
TIME = "HH:mm"
DATE = "d MMMM y"
DATE_WITH_DAY = "EEEE d MMMM y"


def is_one(value: object) -> bool:
    """Whether a figure takes the singular: only a whole number CLDR calls "one" does."""
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and LOCALE.plural_form(value) == "one"
    )


def plural_of(singular: str) -> str:
    if singular in IRREGULAR:
        return IRREGULAR[singular]
    if singular.endswith(("s", "sh", "ch", "x")):
        return singular + "es"
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        return singular[:-1] + "ies"
    return singular + "s"


def noun(value: object, singular: str, plural: str | None = None) -> str:
    """The noun alone, in the form `value` asks for; anything but a whole one is plural
    ("fewer than 5 people", "0 rounds")."""
    return singular if is_one(value) else (plural or plural_of(singular))


def number(value: int | float) -> str:
    return format_decimal(value, locale=LOCALE)


def count(value: int, singular: str, plural: str | None = None) -> str:
    """ "1 round", "2 rounds", "1,204 people"."""
    return f"{number(value)} {noun(value, singular, plural)}"


def words_list(items: Iterable[Any], style: str = "standard") -> str:
    """ "A", "A and B", "A, B and C" ("or" lists with style="or")."""
    parts = [str(item) for item in items]
    if not parts:
        return ""
    return format_list(parts, style=style, locale=LOCALE)  # type: ignore[arg-type]


def percent(value: float | None, missing: str = "not shown") -> str:
    return missing if value is None else format_percent(value, locale=LOCALE)


def ordinal(value: int) -> str:
    """ "1st", "2nd", "3rd", "11th": CLDR picks the form, English gives the suffix."""
    suffix = {"one": "st", "two": "nd", "few": "rd"}.get(LOCALE.ordinal_form(value), "th")
    return f"{value}{suffix}"


def zone(name: str | tzinfo | None) -> tzinfo:
    """A person's time zone by name; an unknown or missing one falls back to London."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def date_words(value: date, *, weekday: bool = False) -> str:
    """ "12 January 2027" (or "Tuesday 12 January 2027")."""
    return format_date(value, DATE_WITH_DAY if weekday else DATE, locale=LOCALE)


def _relative_day(offset: int) -> str | None:
    words: dict[int, str] = localedata.load(str(LOCALE))["date_fields"]["day"]["relative"]
    return words.get(offset)


def when(
    moment: datetime,
    timezone: str | tzinfo | None = None,
    *,
    now: datetime | None = None,
    on: bool = False,
) -> str:
    """A moment in words in a person's own time zone: "Monday 14 December, 09:00";
    "today, 09:00" or "tomorrow, 09:00" when near; the year only when it is not this year's.
    `on`: to follow a verb ("on Monday 14 December, 09:00", but "today, 09:00", never "on
    today")."""
    where = zone(timezone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(where)
    today = (now or datetime.now(UTC)).astimezone(where).date()
    offset = (local.date() - today).days
    near = _relative_day(offset) if offset in (0, 1) else None
    if near is not None:
        return f"{near}, {format_datetime(local, TIME, tzinfo=where, locale=LOCALE)}"
    pattern = DAY_AND_TIME if local.year == today.year else DAY_AND_TIME_WITH_YEAR
    words = format_datetime(local, pattern, tzinfo=where, locale=LOCALE)
    return f"on {words}" if on else str(words)


def duration(value: timedelta | int | float) -> str:
    """A span in one unit, exact where it can be: "7 days", "36 hours", "10 minutes".

    A bare number is a count of days. The unit is the largest that divides the span exactly
    (so 36 hours stays "36 hours", not "1.5 days"); spans under a minute read as seconds.
    """
    span = value if isinstance(value, timedelta) else timedelta(days=value)
    seconds = round(abs(span.total_seconds()))
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            return format_unit(seconds // size, f"duration-{unit}", locale=LOCALE)
    if seconds >= 60:
        return format_unit(round(seconds / 60), "duration-minute", locale=LOCALE)
    return format_unit(seconds, "duration-second", locale=LOCALE)


def zone_words(name: str | None) -> str:
    """A time zone as people say it: "United Kingdom time", "Paris time"."""
    return str(get_timezone_location(zone(name), locale=LOCALE))


@dataclass(frozen=True)
class Elapsed:
    """How long ago a moment was, as a reader counts it: whole minutes, calendar days in their
    own time zone, and the weekday it fell on (templates choose "yesterday", "last Monday")."""

    minutes: int
    days: int
    weekday: str


def elapsed(
    moment: datetime, timezone: str | tzinfo | None = None, now: datetime | None = None
) -> Elapsed:
    where = zone(timezone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    local = moment.astimezone(where)
    days = (current.astimezone(where).date() - local.date()).days
    minutes = max(0, int((current - moment).total_seconds() // 60))
    return Elapsed(minutes, max(0, days), format_date(local, "EEEE", locale=LOCALE))


def weekday_name(day: int) -> str:
    """ "Monday" for 0 … "Sunday" for 6 (Python's numbering; CLDR's names)."""
    return str(LOCALE.days["format"]["wide"][day])


def clock_hour(hour: int) -> str:
    """ "09:00": an hour of the day as a clock shows it."""
    return format_time(time(hour), TIME, locale=LOCALE)


def zone_label(name: str) -> str:
    """A time zone as people say it: "London (Europe/London)", "UTC"."""
    if "/" not in name:
        return name
    return f"{name.rsplit('/', 1)[1].replace('_', ' ')} ({name})"


def weekdays(days: Iterable[int]) -> str:
    """Weekday numbers (Monday 0) as words in a list: "Monday, Tuesday and Thursday"."""
    names = get_day_names("wide", locale=LOCALE)
    return words_list([names[d] for d in sorted(set(days))])


FILTERS: dict[str, Any] = {
    "count": count,
    "weekdays": weekdays,
    "plural": count,  # the older name templates use: `n | plural("round")`
    "noun": noun,
    "number": number,
    "join_words": words_list,
    "words_list": words_list,
    "percent": percent,
    "ordinal": ordinal,
    "date_words": date_words,
    "uk_date": date_words,
    "when": when,
    "duration": duration,
    "zone_words": zone_words,
    "elapsed": elapsed,
}


# As globals too, for calls such as `noun(view.rounds, "round")`; not `count` or `number`,
# which templates use as variable names (a global would hide a missing one from StrictUndefined).
GLOBALS = {name: FILTERS[name] for name in ("noun", "percent", "when", "duration", "ordinal")}


def register(env: Any) -> None:
    """Make every formatter a filter (and most a global) of a Jinja environment."""
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
