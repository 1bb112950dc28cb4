"""Suggested times: the next working days from tomorrow at the programme's hour, in the first
mover's time zone, whatever the weekend or a clock change."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.usecases.introductions import slots

LONDON = ZoneInfo("Europe/London")


def test_a_friday_request_offers_monday_to_wednesday() -> None:
    friday = datetime(2026, 3, 6, 15, tzinfo=UTC)
    found = slots(friday, "Europe/London", 9)
    assert [m.astimezone(LONDON).strftime("%a %d %H:%M") for m in found] == [
        "Mon 09 09:00",
        "Tue 10 09:00",
        "Wed 11 09:00",
    ]
    assert all(m.tzinfo is not None for m in found)


def test_the_hour_holds_across_the_clock_change() -> None:
    found = slots(datetime(2026, 3, 27, 12, tzinfo=UTC), "Europe/London", 9)  # BST from 29th
    assert [m.hour for m in found] == [8, 8, 8]  # 09:00 summer time is 08:00 UTC
    assert [m.astimezone(LONDON).hour for m in found] == [9, 9, 9]


def test_the_day_is_the_first_movers_day() -> None:
    """Late Sunday evening in London is already Monday in Sydney: Sydney's next working days."""
    late_sunday = datetime(2026, 3, 8, 22, tzinfo=UTC)
    sydney = ZoneInfo("Australia/Sydney")
    found = [m.astimezone(sydney) for m in slots(late_sunday, "Australia/Sydney", 10)]
    assert [m.strftime("%a %d %H:%M") for m in found] == [
        "Tue 10 10:00",
        "Wed 11 10:00",
        "Thu 12 10:00",
    ]
