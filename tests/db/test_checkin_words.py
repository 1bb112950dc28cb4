"""The check-in's time in words for even and uneven delays (7d, 36h, 10m, 1d), in two time
zones: the introduction names the moment (never "on today" or a count of whole days), the
check-in counts back from the reader's own day, and a delay shown as a span reads as one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.db.models import Programme
from bot.events import Card, Message
from bot.formatting import duration
from bot.scheduling import times
from bot.usecases.checkins import queue_due_checkins
from tests.fakes import World

NEW_YORK = "America/New_York"

# (delay, reader's zone, the introduction's words, the check-in's opening words); the round
# runs by hand on Monday 2 March 2026 at 21:00 UTC (New York moves to summer time on 8 March).
CASES = [
    ("7d", "Europe/London", "on Monday 9 March, 09:00.", "Last Monday I introduced you"),
    ("7d", NEW_YORK, "on Monday 9 March, 05:00.", "Last Monday I introduced you"),
    ("36h", "Europe/London", "on Wednesday 4 March, 09:00.", "On Monday I introduced you"),
    ("36h", NEW_YORK, "on Wednesday 4 March, 04:00.", "On Monday I introduced you"),
    ("10m", "Europe/London", "today, 21:10.", "10 minutes ago I introduced you"),
    ("10m", NEW_YORK, "today, 16:10.", "10 minutes ago I introduced you"),
    ("1d", "Europe/London", "tomorrow, 09:00.", "Yesterday I introduced you"),
    ("1d", NEW_YORK, "tomorrow, 04:00.", "Yesterday I introduced you"),
]


def _sections(messages: list[Message]) -> list[str]:
    return [s for m in messages for p in m.parts if isinstance(p, Card) for s in p.sections]


@pytest.mark.parametrize(("delay", "zone", "when", "since"), CASES)
async def test_the_check_in_time_in_words(
    world: World, delay: str, zone: str, when: str, since: str
) -> None:
    minutes = times.parse_delay(delay)
    with world.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        programme.checkin_minutes = minutes
        programme.checkin_days = times.whole_days(minutes)
        session.add(programme)
        person = world.person(world.member)
        person.timezone = zone
        session.add(person)
    clock = world.core.clock
    clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    introduction = _sections(world.runtime.platform.inbox(world.member))
    (line,) = [s for s in introduction if s.startswith("I'll ask how it went")]
    assert line == f"I'll ask how it went {when}", line
    assert " on today" not in line and " on tomorrow" not in line

    with world.core.db.session() as session:
        due = times.checkin_due_at(session.exec(select(Programme)).one(), clock.now())
    clock.advance(due - clock.now())  # type: ignore[attr-defined]
    seen = len(world.runtime.platform.inbox(world.member))
    with world.core.db.session() as session:
        assert queue_due_checkins(session, clock.now(), world.core.prompts) > 0
    await world.runtime.deliver()
    checkin = _sections(world.runtime.platform.inbox(world.member)[seen:])
    assert checkin and checkin[0].startswith(since + " to "), checkin


@pytest.mark.parametrize(
    ("delay", "words"),
    [("7d", "7 days"), ("36h", "36 hours"), ("10m", "10 minutes"), ("1d", "1 day")],
)
def test_a_delay_shown_as_a_span(world: World, delay: str, words: str) -> None:
    span = timedelta(minutes=times.parse_delay(delay))
    assert duration(span) == words
    note = world.core.prompts.render(
        "programme_saved", programme="North", created=False, checkin_after=span
    )
    assert f"I'll ask each group how it went {words} after their introduction." in note
