"""Plain-text helpers shared by the grammar and the use cases: cleaning typed words and
reading calendar dates as people write them."""

from __future__ import annotations

import re
from datetime import date, datetime, time

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


def clean_text(text: str) -> str:
    """Drop control characters and fold white space; keeps the words as they were."""
    return " ".join(_CONTROL.sub("", text).split())


def parse_date(text: str) -> date | None:
    """ISO `2027-01-12`, UK `12/01/2027` or `12 January 2027`; None if not a date."""
    text = text.strip().lower().rstrip(".")
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            pass
    match = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\s+(\d{4})", text)
    if match:
        day, month_name, year = match.groups()
        month = _MONTHS.get(month_name) or next(
            (
                n
                for name, n in _MONTHS.items()
                if len(month_name) >= 3 and name.startswith(month_name)
            ),
            None,
        )
        if month:
            try:
                return date(int(year), month, int(day))
            except ValueError:
                return None
    return None


_CLOCK = re.compile(r"(?:(?P<day>.+?)\s+)?(?P<clock>\d{1,2}:\d{2})")


def parse_moment(text: str) -> datetime | time | None:
    """A moment a person types: ISO `2026-12-14T09:00` (an offset kept if given), a date as
    `parse_date` reads it with or without `09:00` after it, or `09:00` alone (a time today, so
    a `time`); naive otherwise. None if it is none of these."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    whole = _CLOCK.fullmatch(text)
    clock_part = whole.group("clock") if whole else None
    day_text = whole.group("day") if whole else text
    try:
        clock = time.fromisoformat(clock_part.zfill(5)) if clock_part else time(0, 0)
    except ValueError:
        return None
    if day_text is None:
        return clock
    day = parse_date(day_text)
    return datetime.combine(day, clock) if day is not None else None
