"""The one grammar: every documented word parses; anything else is a polite ParseError."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import commands as c
from bot.circle_commands import CircleCommand
from bot.db.models import Answer
from bot.events import MENTION_MARK, UserRef


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", c.Help()),
        ("", c.Help()),
        ("/crossties help", c.Help()),
        ("join Northfield Hospice", c.Join("Northfield Hospice")),
        ("JOIN   GP   Federation", c.Join("GP Federation")),
        ("join", c.Join(None)),
        ("leave", c.Leave()),
        ("pause", c.Pause()),
        ("pause for 3 weeks", c.Pause(weeks=3)),
        ("pause for 1 week", c.Pause(weeks=1)),
        ("pause until 2027-01-12", c.Pause(until=date(2027, 1, 12))),
        ("pause until 12/01/2027", c.Pause(until=date(2027, 1, 12))),
        ("pause until 12 January 2027", c.Pause(until=date(2027, 1, 12))),
        ("pause until 3rd feb 2027", c.Pause(until=date(2027, 2, 3))),
        ("resume", c.Resume()),
        ("profile", c.Profile()),
        ("profile role Ward sister", c.Profile("role", "Ward sister")),
        ("profile timezone Europe/London", c.Profile("timezone", "Europe/London")),
        ("profile email no", c.Profile("share_email", "no")),
        ("match", c.ShowMatch()),
        ("met", c.Met(Answer.MET)),
        ("met not yet", c.Met(Answer.NOT_YET)),
        ("met could not", c.Met(Answer.COULD_NOT_MEET)),
        ("ties", c.Ties()),
        ("forget me", c.ForgetMe(False)),
        ("forget me confirm", c.ForgetMe(True)),
        ("my data", c.MyData()),
        ("report", c.Report()),
        ("report --programme North Partnership", c.Report(programme="North Partnership")),
        ("round preview", c.RoundPreview()),
        ("round run", c.RoundRun()),
        ('exclude @"Ann Lee" @u7', c.Exclude(c.MentionByName("Ann Lee"), c.MentionByName("u7"))),
        ("programmes", c.Programmes()),
    ],
)
def test_documented_words_parse(text: str, expected: c.Parsed) -> None:
    assert c.parse(text) == expected


U1, U2, U9 = (UserRef("slack", "T1", user) for user in ("U1", "U2", "U9"))


def test_platform_mentions_arrive_as_typed_accounts() -> None:
    parsed = c.parse(f"exclude {MENTION_MARK} {MENTION_MARK}", (U1, U2))
    assert parsed == c.Exclude(c.MentionOf(U1), c.MentionOf(U2))


def test_log_reads_mention_note_and_tags() -> None:
    parsed = c.parse(f"log {MENTION_MARK} ran a joint clinic #Discharge #frailty #discharge", (U9,))
    assert parsed == c.Log(
        c.MentionOf(U9),
        "ran a joint clinic #Discharge #frailty #discharge",
        ("discharge", "frailty"),
    )


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        (f"exclude {MENTION_MARK} {MENTION_MARK}", (U1,)),  # more marks than mentions
        (f"log {MENTION_MARK} coffee", ()),
        ("exclude <@U1> <@U2>", (U1, U2)),  # platform syntax is the adapter's to read
    ],
)
def test_a_mark_without_its_mention_is_a_usage_error(
    text: str, mentions: tuple[UserRef, ...]
) -> None:
    parsed = c.parse(text, mentions)
    assert isinstance(parsed, c.ParseError)
    assert parsed.prompt in {"error_exclude_usage", "error_log_usage"}


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("xyzzy", "error_unknown_command"),
        ("pause for 0 weeks", "error_pause_usage"),
        ("pause for 60 weeks", "error_pause_usage"),
        ("pause until 31/02/2027", "error_bad_date"),
        ("pause until someday", "error_bad_date"),
        ("pause sometime", "error_pause_usage"),
        ("log", "error_log_usage"),
        ("log @sam", "error_log_usage"),
        ("log sam did things", "error_log_usage"),
        ("exclude @a", "error_exclude_usage"),
        ("exclude @a @b @c", "error_exclude_usage"),
        ("round start", "error_round_usage"),
        ("forget you", "error_forget_usage"),
        ("leave now please", "error_unexpected_words"),
        ("profile shoe size 9", "error_profile_usage"),
        ("met maybe", "error_met_usage"),
        ("x" * 5000, "error_too_long"),
        ("join " + "a" * 300, "error_too_long"),
    ],
)
def test_bad_input_names_a_polite_prompt(text: str, prompt: str) -> None:
    parsed = c.parse(text)
    assert isinstance(parsed, c.ParseError)
    assert parsed.prompt == prompt


def test_programme_option_is_taken_off_the_end() -> None:
    assert c.parse("join Hospice --programme=East Coast") == c.Join(
        "Hospice", programme="East Coast"
    )


def test_control_characters_are_dropped() -> None:
    assert c.parse("join Hos\x07pice\x00") == c.Join("Hospice")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_raises_on_any_text(text: str) -> None:
    result = c.parse(text)
    readable = (*c.Parsed.__args__, *CircleCommand.__args__)
    assert isinstance(result, (c.ParseError, *readable))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "join",
                "pause",
                "until",
                "for",
                "log",
                "@",
                "<@U1>",
                MENTION_MARK,
                "#tag",
                "--programme",
                "met",
                "not",
                "yet",
                "round",
                "run",
                "forget",
                "me",
                "\n",
                "\t",
                "<",
                ">",
                "&",
                "12",
                "weeks",
                "2027-01-01",
                "exclude",
                "profile",
                "role",
                "'",
                '"',
            ]
        ),
        max_size=12,
    )
)
def test_parser_is_total_on_grammar_like_noise(words: list[str]) -> None:
    result = c.parse(" ".join(words))
    if isinstance(result, c.ParseError):
        assert result.prompt.startswith("error_")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip_in_every_supported_format(day: date) -> None:
    assert c.parse_date(day.isoformat()) == day
    assert c.parse_date(day.strftime("%d/%m/%Y")) == day
    assert c.parse_date(f"{day.day} {day:%B %Y}") == day


def test_checkins_send_reads_a_time_and_a_programme() -> None:
    from datetime import datetime, time

    assert c.parse("checkins send") == c.CheckinsSend()
    assert c.parse("checkins send at 2026-03-10 09:30") == c.CheckinsSend(
        datetime(2026, 3, 10, 9, 30)  # noqa: DTZ001 (placed in the coordinator's zone later)
    )
    assert c.parse("checkins send at 14 December 2026 programme North Partnership") == (
        c.CheckinsSend(datetime(2026, 12, 14), programme="North Partnership")  # noqa: DTZ001
    )
    assert c.parse("checkins send at 9:30 --programme North") == c.CheckinsSend(
        time(9, 30), programme="North"
    )
    offset = c.parse("checkins send at 2026-12-14T09:00+01:00")
    assert isinstance(offset, c.CheckinsSend) and isinstance(offset.at, datetime)
    assert offset.at.utcoffset() is not None
    for bad in ("checkins send at next tuesday", "checkins send soon", "checkins send at 25:99"):
        parsed = c.parse(bad)
        assert isinstance(parsed, c.ParseError) and parsed.prompt == "checkin_send_usage"
