"""Cadence arithmetic: wall-clock times in the programme's timezone, across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling.cadence import latest_occurrence, next_occurrence
from bot.scheduling.jobs import slot_for, slot_key
from bot.scheduling.service import CadenceTrigger

LONDON = "Europe/London"
ANCHOR = date(2026, 1, 5)  # a Monday


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_weekly_keeps_nine_o_clock_london_across_the_march_change() -> None:
    # Clocks go forward on Sunday 29 March 2026: 09:00 London is 09:00 UTC before, 08:00 after.
    before = next_occurrence("weekly", 0, 9, LONDON, utc(2026, 3, 20, 12), ANCHOR)
    assert before == utc(2026, 3, 23, 9)
    after = next_occurrence("weekly", 0, 9, LONDON, before, ANCHOR)
    assert after == utc(2026, 3, 30, 8)
    assert after.astimezone(ZoneInfo(LONDON)).hour == 9


def test_weekly_keeps_nine_o_clock_london_across_the_october_change() -> None:
    # Clocks go back on Sunday 25 October 2026.
    before = next_occurrence("weekly", 0, 9, LONDON, utc(2026, 10, 16), ANCHOR)
    assert before == utc(2026, 10, 19, 8)
    after = next_occurrence("weekly", 0, 9, LONDON, before, ANCHOR)
    assert after == utc(2026, 10, 26, 9)
    assert after - before == timedelta(days=7, hours=1)


def test_the_trigger_gives_the_same_times_through_apscheduler_s_interface() -> None:
    trigger = CadenceTrigger("weekly", 0, 9, LONDON, ANCHOR)
    first = trigger.get_next_fire_time(None, utc(2026, 3, 23, 9))  # exactly at a run: fires now
    assert first == utc(2026, 3, 23, 9)
    second = trigger.get_next_fire_time(first, utc(2026, 3, 23, 9, 0, 1))
    assert second == utc(2026, 3, 30, 8)
    assert second is not None and second.tzinfo is not None
    assert second.astimezone(ZoneInfo(LONDON)).strftime("%a %H:%M") == "Mon 09:00"
    third = trigger.get_next_fire_time(
        utc(2026, 10, 19, 8), utc(2026, 10, 19, 8, 1)
    )  # over the October change
    assert third == utc(2026, 10, 26, 9)


def test_fortnightly_alternates_weeks_from_the_anchor_and_crosses_the_change() -> None:
    runs = []
    moment = utc(2026, 3, 1)
    for _ in range(4):
        moment = next_occurrence("fortnightly", 2, 14, LONDON, moment, ANCHOR)  # Wednesdays
        runs.append(moment)
    assert runs == [
        utc(2026, 3, 4, 14),  # 8 weeks after the anchor week
        utc(2026, 3, 18, 14),
        utc(2026, 4, 1, 13),  # British Summer Time
        utc(2026, 4, 15, 13),
    ]


def test_monthly_runs_on_the_first_such_weekday() -> None:
    runs = []
    moment = utc(2026, 9, 1)
    for _ in range(3):
        moment = next_occurrence("monthly", 0, 9, LONDON, moment, ANCHOR)
        runs.append(moment)
    assert runs == [utc(2026, 9, 7, 8), utc(2026, 10, 5, 8), utc(2026, 11, 2, 9)]


def test_an_hour_skipped_by_the_spring_change_runs_an_hour_later_on_the_wall() -> None:
    # 01:00 on Sunday 29 March 2026 does not exist in London; the run happens at 02:00 BST.
    run = next_occurrence("weekly", 6, 1, LONDON, utc(2026, 3, 28), ANCHOR)
    assert run == utc(2026, 3, 29, 1)
    assert run.astimezone(ZoneInfo(LONDON)).hour == 2


def test_other_timezones_follow_their_own_changes() -> None:
    # New York changes on 8 March 2026, three weeks before London.
    run = next_occurrence("weekly", 0, 9, "America/New_York", utc(2026, 3, 3), ANCHOR)
    assert run == utc(2026, 3, 9, 13)


def test_a_late_job_belongs_to_the_slot_it_missed() -> None:
    late = utc(2026, 3, 30, 11, 17)  # the 08:00 UTC run, three hours late
    assert latest_occurrence("weekly", 0, 9, LONDON, late, ANCHOR) == utc(2026, 3, 30, 8)
    on_time = utc(2026, 3, 30, 8)
    assert latest_occurrence("weekly", 0, 9, LONDON, on_time, ANCHOR) == on_time


def test_slots_for_programmes_and_for_the_testing_interval() -> None:
    from bot.db.models import Programme

    programme = Programme(
        name="P",
        cadence="weekly",
        weekday=0,
        hour=9,
        timezone=LONDON,
        created_at=utc(2026, 1, 5),
    )
    assert slot_key(slot_for(programme, utc(2026, 3, 30, 8, 0, 3), None)) == "2026-03-30T08:00:00Z"
    assert slot_key(slot_for(programme, utc(2026, 3, 30, 8, 0, 7), 5.0)) == "2026-03-30T08:00:05Z"


def test_unknown_cadence_is_refused() -> None:
    with pytest.raises(ValueError, match="cadence"):
        next_occurrence("hourly", 0, 9, LONDON, utc(2026, 3, 1), ANCHOR)
