"""The check-in delay as coordinators write it, and when the next round and a check-in fall:
in the programme's own time zone, across daylight saving changes, and in the reader's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.models import Programme
from bot.formatting import when
from bot.scheduling import times
from bot.scheduling.times import BadDuration, checkin_due_at, next_round_at, parse_delay
from bot.usecases.common import UseCaseError
from bot.usecases.programmes import ProgrammeSettings

CREATED = datetime(2026, 1, 5, 8, tzinfo=UTC)  # a Monday


def programme(**fields: object) -> Programme:
    values: dict[str, object] = {
        "name": "North",
        "cadence": "weekly",
        "weekday": 0,
        "hour": 9,
        "timezone": "Europe/London",
        "created_at": CREATED,
    }
    values.update(fields)
    return Programme(**values)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("7d", 7 * 24 * 60),
        ("36h", 36 * 60),
        ("10m", 10),
        ("1m", 1),
        ("60d", 60 * 24 * 60),
        (" 2D ", 2 * 24 * 60),
        ("1d 12h", 36 * 60),
        ("1h30m", 90),
    ],
)
def test_durations_it_reads(text: str, minutes: int) -> None:
    assert parse_delay(text) == minutes


@pytest.mark.parametrize(
    "text", ["", "7", "d", "a week", "7 days", "7w", "-7d", "0m", "61d", "1.5d", "7d!", "٧d"]
)
def test_durations_it_refuses(text: str) -> None:
    with pytest.raises(BadDuration):
        parse_delay(text)


@pytest.mark.parametrize(("minutes", "text"), [(10080, "7d"), (2160, "36h"), (90, "90m")])
def test_a_stored_delay_is_shown_in_its_short_form_and_reads_back(minutes: int, text: str) -> None:
    assert times.delay_text(minutes) == text
    assert parse_delay(text) == minutes


def test_a_bad_delay_is_refused_with_the_polite_prompt() -> None:
    settings = ProgrammeSettings("North", ("A", "B"), checkin_delay="soon")
    with pytest.raises(UseCaseError) as refused:
        settings.validate()
    assert refused.value.prompt == "error_checkin_delay"


def test_a_delay_keeps_the_days_column_meaningful() -> None:
    assert ProgrammeSettings("N", ("A", "B"), checkin_delay="36h").validate().checkin_days == 2
    short = ProgrammeSettings("N", ("A", "B"), checkin_delay="10m").validate()
    assert (short.checkin_minutes, short.checkin_days) == (10, 1)
    plain = ProgrammeSettings("N", ("A", "B"), checkin_days=5).validate()
    assert (plain.checkin_minutes, plain.checkin_days) == (None, 5)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # London in winter: 09:00 GMT is 09:00 UTC
        (
            "Europe/London",
            datetime(2026, 12, 9, 12, tzinfo=UTC),
            datetime(2026, 12, 14, 9, tzinfo=UTC),
        ),
        # London in summer: 09:00 BST is 08:00 UTC
        (
            "Europe/London",
            datetime(2026, 6, 2, 12, tzinfo=UTC),
            datetime(2026, 6, 8, 8, tzinfo=UTC),
        ),
        # across the spring change (29 March 2026): the round stays at 09:00 on the wall
        (
            "Europe/London",
            datetime(2026, 3, 24, 12, tzinfo=UTC),
            datetime(2026, 3, 30, 8, tzinfo=UTC),
        ),
        (
            "America/New_York",
            datetime(2026, 12, 9, 12, tzinfo=UTC),
            datetime(2026, 12, 14, 14, tzinfo=UTC),
        ),
        (
            "Asia/Kolkata",
            datetime(2026, 12, 9, 12, tzinfo=UTC),
            datetime(2026, 12, 14, 3, 30, tzinfo=UTC),
        ),
    ],
)
def test_the_next_round_in_the_programmes_zone(
    zone: str, after: datetime, expected: datetime
) -> None:
    assert next_round_at(programme(timezone=zone), after) == expected


def test_the_next_round_follows_the_cadence_and_is_none_while_paused() -> None:
    fortnightly = programme(cadence="fortnightly")
    first = next_round_at(fortnightly, CREATED)
    assert first == datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert next_round_at(fortnightly, first) == datetime(2026, 1, 19, 9, tzinfo=UTC)
    assert next_round_at(programme(paused=True), CREATED) is None


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("Europe/London", "Monday 30 March, 09:00"),
        ("Europe/Paris", "Monday 30 March, 10:00"),
        ("America/New_York", "Monday 30 March, 04:00"),
        ("Australia/Sydney", "Monday 30 March, 19:00"),
    ],
)
def test_the_next_round_in_words_in_the_readers_zone(reader: str, expected: str) -> None:
    """The week the clocks go forward in London (and before New York's and after Sydney's
    changes): each reader sees their own clock time."""
    now = datetime(2026, 3, 24, 12, tzinfo=UTC)
    moment = next_round_at(programme(), now)
    assert moment is not None
    assert when(moment, reader, now=now) == expected


def test_a_round_run_by_hand_in_the_evening_checks_in_at_the_programmes_hour() -> None:
    ran = datetime(2026, 12, 2, 21, tzinfo=UTC)  # Wednesday 21:00 in London
    due = checkin_due_at(programme(checkin_days=7), ran)
    assert due == datetime(2026, 12, 9, 9, tzinfo=UTC)
    assert when(due, "Europe/London", now=ran) == "Wednesday 9 December, 09:00"


def test_the_check_in_hour_holds_across_a_clock_change() -> None:
    ran = datetime(2026, 10, 21, 8, tzinfo=UTC)  # 09:00 BST, a week before the autumn change
    due = checkin_due_at(programme(checkin_days=7), ran)
    assert due == datetime(2026, 10, 28, 9, tzinfo=UTC)  # 09:00 GMT
    assert due - ran == timedelta(days=7, hours=1)


def test_short_or_uneven_delays_count_from_the_run() -> None:
    ran = datetime(2026, 12, 2, 21, 7, tzinfo=UTC)
    assert checkin_due_at(programme(checkin_minutes=10), ran) == ran + timedelta(minutes=10)
    assert checkin_due_at(programme(checkin_minutes=36 * 60), ran) == ran + timedelta(hours=36)
    in_days = programme(checkin_minutes=2 * 24 * 60, timezone="America/New_York")
    assert checkin_due_at(in_days, ran) == datetime(2026, 12, 4, 14, tzinfo=UTC)  # 09:00 EST
