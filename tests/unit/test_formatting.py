"""The formatter: counts, lists, dates in a person's own time zone, durations (Babel, en-GB)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.formatting import (
    count,
    date_words,
    duration,
    noun,
    ordinal,
    percent,
    when,
    words_list,
    zone,
)
from bot.reports.privacy import WITHHELD
from bot.templates import Prompts


@pytest.mark.parametrize(
    ("n", "singular", "expected"),
    [
        (1, "round", "1 round"),
        (2, "round", "2 rounds"),
        (0, "group", "0 groups"),
        (1, "person", "1 person"),
        (1204, "person", "1,204 people"),
        (3, "match", "3 matches"),
        (2, "activity", "2 activities"),
        (2, "day", "2 days"),
    ],
)
def test_a_count_agrees_with_its_noun(n: int, singular: str, expected: str) -> None:
    assert count(n, singular) == expected


def test_anything_but_a_whole_one_is_plural() -> None:
    assert noun(1, "tie") == "tie"
    assert noun(None, "tie") == "ties"  # "fewer than 5 ties"
    assert noun(WITHHELD, "tie") == "ties"
    assert noun(True, "tie") == "ties"
    assert noun(1, "takes", "take") == "takes" and noun(3, "takes", "take") == "take"


def test_lists_read_as_english() -> None:
    assert words_list([]) == ""
    assert words_list(["A"]) == "A"
    assert words_list(["A", "B"]) == "A and B"
    assert words_list(["A", "B", "C"]) == "A, B and C"
    assert words_list(["A", "B", "C"], "or") == "A, B or C"


NOW = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


def test_a_moment_in_words_in_a_persons_own_time_zone() -> None:
    monday = datetime(2026, 12, 14, 9, tzinfo=UTC)
    assert when(monday, "Europe/London", now=NOW) == "Monday 14 December, 09:00"
    assert when(monday, "Asia/Kolkata", now=NOW) == "Monday 14 December, 14:30"
    assert when(NOW + timedelta(hours=2), "Europe/London", now=NOW) == "today, 10:30"
    assert when(NOW + timedelta(days=1), "Europe/London", now=NOW) == "tomorrow, 08:30"
    assert when(datetime(2027, 1, 11, 9, tzinfo=UTC), None, now=NOW) == (
        "Monday 11 January 2027, 09:00"
    )
    # Summer time: 09:00 in London is 08:00 UTC.
    assert when(datetime(2027, 6, 7, 8, tzinfo=UTC), "Europe/London", now=NOW) == (
        "Monday 7 June 2027, 09:00"
    )
    # "Tomorrow" is the person's tomorrow, not the server's.
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert when(late + timedelta(hours=1), "Pacific/Auckland", now=late) == "today, 13:30"


def test_an_unknown_time_zone_falls_back_to_london() -> None:
    assert str(zone("Mars/Olympus")) == "Europe/London"
    assert str(zone(None)) == "Europe/London"


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (7, "7 days"),
        (1, "1 day"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(hours=48), "2 days"),
        (timedelta(minutes=10), "10 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(seconds=90), "2 minutes"),
        (timedelta(seconds=5), "5 seconds"),
    ],
)
def test_durations_keep_an_exact_unit(span: timedelta | int, expected: str) -> None:
    assert duration(span) == expected


def test_dates_ordinals_and_percentages() -> None:
    assert date_words(date(2027, 1, 12)) == "12 January 2027"
    assert date_words(date(2027, 1, 12), weekday=True) == "Tuesday 12 January 2027"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
    ]  # fmt: skip
    assert percent(0.456) == "46%" and percent(None) == "not shown"


def test_templates_reach_the_formatter_by_name() -> None:
    prompts = Prompts()
    text = prompts.render(
        "intro_checkin",
        checkin_at=datetime(2026, 12, 9, 9, tzinfo=UTC),
        timezone="Asia/Kolkata",
        now=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    assert text == "I'll ask how it went on Wednesday 9 December, 14:30."  # the reader's time
    assert prompts.render("synced", invited=1, already=1, skipped=0, programme="N") == (
        "I invited 1 person to N; 1 already takes part."
    )
