"""When a programme's next round and an introduction's check-in fall, and the check-in delay a
coordinator writes as a short duration ("7d", "36h", "10m").

Pure functions over the programme row: Home, the "joined" and "saved" replies and the round
writer all ask here, so what people are told is what the scheduler does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import as_utc
from bot.db.models import Programme
from bot.scheduling.cadence import next_occurrence

MINUTES_PER_DAY = 24 * 60
MIN_DELAY = 1  # minute: short delays let a coordinator try a programme in minutes
MAX_DELAY = 60 * MINUTES_PER_DAY
DEFAULT_DELAY = "7d"
_UNITS = {"d": MINUTES_PER_DAY, "h": 60, "m": 1}
_DURATION = re.compile(r"([0-9]{1,6})([dhm])")


class BadDuration(ValueError):
    """Words that are not a duration this module reads."""


def parse_delay(text: str) -> int:
    """Minutes in a duration such as "7d", "36h", "10m" or "1d 12h" (units may repeat in
    any order; case and spaces do not matter). Raises BadDuration for anything else, or for
    a delay outside one minute to sixty days."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _DURATION.sub("", cleaned):
        raise BadDuration(text)
    minutes = sum(int(n) * _UNITS[unit] for n, unit in _DURATION.findall(cleaned))
    if not MIN_DELAY <= minutes <= MAX_DELAY:
        raise BadDuration(text)
    return minutes


def delay_text(minutes: int) -> str:
    """The short form a form shows for a stored delay: "7d", "36h", "90m"."""
    if minutes % MINUTES_PER_DAY == 0:
        return f"{minutes // MINUTES_PER_DAY}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def whole_days(minutes: int) -> int:
    """The delay in whole days, at least one (what the older `checkin_days` column keeps)."""
    return max(1, round(minutes / MINUTES_PER_DAY))


def checkin_delay(programme: Programme) -> timedelta:
    minutes = programme.checkin_minutes or programme.checkin_days * MINUTES_PER_DAY
    return timedelta(minutes=minutes)


def anchor(programme: Programme) -> datetime:
    return as_utc(programme.created_at)


def next_round_at(programme: Programme, after: datetime) -> datetime | None:
    """The programme's next scheduled round strictly after `after` (UTC), as its trigger
    fires it; None while the programme is paused."""
    if programme.paused:
        return None
    zone = ZoneInfo(programme.timezone)
    return next_occurrence(
        programme.cadence,
        programme.weekday,
        programme.hour,
        programme.timezone,
        as_utc(after),
        anchor(programme).astimezone(zone).date(),
    )


def checkin_due_at(programme: Programme, ran_at: datetime) -> datetime:
    """When a round's check-in is due. A delay of whole days lands on the programme's hour on
    the due day, in its time zone, so a round run by hand late in the evening still checks in
    at the usual hour; a shorter or uneven delay (36h, 10m) counts from the run itself."""
    delay = checkin_delay(programme)
    ran_at = as_utc(ran_at)
    minutes = int(delay.total_seconds() // 60)
    if minutes % MINUTES_PER_DAY:
        return ran_at + delay
    zone = ZoneInfo(programme.timezone)
    day = ran_at.astimezone(zone).date() + timedelta(days=minutes // MINUTES_PER_DAY)
    return datetime.combine(day, time(programme.hour), tzinfo=zone).astimezone(UTC)
