"""Time zone names as people type them: `europe/london` is Europe/London."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones


@cache
def _by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def canonical_timezone(value: str) -> str | None:
    """The IANA name for `value` in any case, or None when there is no such zone."""
    return _by_folded_name().get(value.strip().casefold())
