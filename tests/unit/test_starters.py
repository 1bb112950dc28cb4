"""Conversation starters: the tagged file format, the season, and the choice for a group."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.starters import (
    HEAVY,
    LIGHT,
    Starter,
    StarterFormatError,
    parse_line,
    parse_starters,
    pick_starter,
    split_prompt_set,
)
from bot.templates import Prompts


def test_an_old_line_still_reads() -> None:
    starter = parse_line("wait: Where do people wait longest: and why?", "default")
    assert starter == Starter("default:wait", "Where do people wait longest: and why?")
    assert starter.in_season(7) and starter.in_season(1)


def test_tags_and_a_season_that_wraps_over_the_new_year() -> None:
    starter = parse_line("winter [Service, Oct-Mar, light]: How does winter show?", "north")
    assert starter.key == "north:winter"
    assert starter.tags == {"service", "light"}
    assert starter.months == {10, 11, 12, 1, 2, 3}
    assert starter.in_season(12) and starter.in_season(3)
    assert not starter.in_season(4) and not starter.in_season(9)


def test_a_single_month_and_several_seasons_add_up() -> None:
    starter = parse_line("x [Dec, jun-jul]: Q?", "d")
    assert starter.months == {12, 6, 7}
    assert starter.tags == frozenset()


@pytest.mark.parametrize(
    "line", ["no colon here", "key:", "two words: Q?", "key [open: Q?", "key ]x[: Q?"]
)
def test_a_broken_line_names_where_it_is(line: str) -> None:
    with pytest.raises(StarterFormatError, match=r"starters\.txt line 3"):
        parse_starters(f"# comment\n\n{line}\n", "d", "starters.txt")


def test_a_prompt_set_may_carry_tags() -> None:
    assert split_prompt_set("default") == ("default", frozenset())
    assert split_prompt_set("north [Light, community]") == ("north", {"light", "community"})
    assert split_prompt_set("") == ("default", frozenset())
    assert Prompts().starters("default [light]") == Prompts().starters("default")


def _set(*lines: str) -> list[Starter]:
    return parse_starters("\n".join(lines), "t")


STARTERS = _set(
    "a: A?",
    "b [heavy]: B?",
    "winter [Oct-Mar]: Winter?",
    "c [light, community]: C?",
    "d [system]: D?",
)


def test_without_options_it_is_the_first_unused_from_the_offset() -> None:
    assert pick_starter(STARTERS, Counter()).key == "t:a"
    assert pick_starter(STARTERS, Counter(), 1).key == "t:b"
    assert pick_starter(STARTERS, Counter(), 7).key == "t:winter"  # offset wraps
    assert pick_starter(STARTERS, Counter({"t:a": 1, "t:b": 2}), 0).key == "t:winter"


def test_out_of_season_questions_are_passed_over() -> None:
    assert pick_starter(STARTERS, Counter(), 2, month=7).key == "t:c"
    assert pick_starter(STARTERS, Counter(), 2, month=1).key == "t:winter"


def test_first_meetings_get_a_light_question_and_never_a_heavy_one() -> None:
    assert pick_starter(STARTERS, Counter(), 1, first_meeting=True).key == "t:c"
    used = Counter({"t:c": 1})
    assert pick_starter(STARTERS, used, 1, first_meeting=True).key == "t:winter"
    assert pick_starter(STARTERS, used, 1, first_meeting=True, month=6).key == "t:d"


def test_a_programme_can_choose_a_set_by_tag() -> None:
    assert pick_starter(STARTERS, Counter(), 0, tags={"system"}).key == "t:d"
    assert pick_starter(STARTERS, Counter(), 0, tags={"community", "system"}).key == "t:c"
    # A tag no question has leaves the choice as it was.
    assert pick_starter(STARTERS, Counter(), 0, tags={"nothing"}).key == "t:a"


def test_a_pair_never_repeats_a_starter_while_another_is_left() -> None:
    # Everything but the heavy, out-of-season one has been used by this pair.
    used = Counter({"t:a": 1, "t:c": 1, "t:d": 1, "t:b": 1})
    chosen = pick_starter(STARTERS, used, 0, month=7, first_meeting=True, tags={"system"})
    assert chosen.key == "t:winter"
    # When all are used, the least used one comes back first.
    used["t:winter"] = 1
    used["t:a"] = 3
    assert pick_starter(STARTERS, used, 0).key == "t:b"


def test_every_pick_over_a_year_of_rounds_is_new_to_the_pair() -> None:
    starters = Prompts().starters()
    used: Counter[str] = Counter()
    for turn in range(len(starters)):
        month = turn % 12 + 1
        chosen = pick_starter(starters, used, turn * 7919, month=month, first_meeting=turn < 2)
        assert used[chosen.key] == 0
        used[chosen.key] += 1


def test_the_shipped_starters_suit_two_readers_and_the_season() -> None:
    starters = {s.key.split(":", 1)[1]: s for s in Prompts().starters()}
    for starter in starters.values():
        # Both people read the same question: no "us" or "our" that means only one of them.
        assert not re.search(r"\b(us|our|we)\b", starter.text, re.IGNORECASE), starter.text
        assert not (HEAVY in starter.tags and LIGHT in starter.tags), starter.key
    assert starters["winter"].months == {10, 11, 12, 1, 2, 3}
    assert HEAVY in starters["end-of-life"].tags
    light = [s for s in starters.values() if LIGHT in s.tags and not s.months]
    assert len(light) >= 8
    # The keys introductions already carry still name a question.
    for key in ("handover", "small-fix", "winter", "end-of-life", "shadow", "housing"):
        assert key in starters
