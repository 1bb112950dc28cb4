"""Programme cadences as wall-clock times in the programme's timezone.

A weekly programme at Monday 09:00 Europe/London meets at 09:00 London time all year round,
so its UTC time moves by an hour at the daylight saving changes. Fortnightly programmes
alternate weeks counted from an anchor date (the programme's creation); monthly ones run on
the first such weekday of each month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CADENCES = ("weekly", "fortnightly", "monthly")
_SEARCH_DAYS = 70  # more than any cadence's gap (a month plus a week)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _wall_time(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour` o'clock on `day` in `zone`, as UTC. An hour skipped by the spring change is
    taken as an hour later on the wall; a repeated autumn hour as its first pass."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _matches(cadence: str, weekday: int, day: date, anchor: date) -> bool:
    if day.weekday() != weekday:
        return False
    if cadence == "weekly":
        return True
    if cadence == "fortnightly":
        return ((_monday(day) - _monday(anchor)).days // 7) % 2 == 0
    if cadence == "monthly":
        return day.day <= 7
    raise ValueError(f"unknown cadence {cadence!r}")


def next_occurrence(
    cadence: str, weekday: int, hour: int, timezone: str, after: datetime, anchor: date
) -> datetime:
    """The first run strictly after `after` (UTC)."""
    zone = ZoneInfo(timezone)
    day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if _matches(cadence, weekday, candidate, anchor):
            moment = _wall_time(candidate, hour, zone)
            if moment > after:
                return moment
    raise ValueError("no occurrence found")  # pragma: no cover - every cadence repeats


def latest_occurrence(
    cadence: str, weekday: int, hour: int, timezone: str, at: datetime, anchor: date
) -> datetime:
    """The last run at or before `at` (UTC): the slot a late-running job belongs to."""
    zone = ZoneInfo(timezone)
    day = at.astimezone(zone).date() + timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        candidate = day - timedelta(days=offset)
        if _matches(cadence, weekday, candidate, anchor):
            moment = _wall_time(candidate, hour, zone)
            if moment <= at:
                return moment
    raise ValueError("no occurrence found")  # pragma: no cover
