"""The introduction view: people first, who moves first, the starter, the check-in date in the
reader's own time zone, links worked out once; stored and read back unchanged."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from bot.compose import GroupMember, introduction_view, with_starter
from bot.db.models import Answer
from bot.events import Button, Card, Message
from bot.intro_view import decode_view, encode_view, introduction_card
from bot.outbox import decode_payload, encode_message
from bot.templates import Prompts
from bot.usecases.round_text import first_mover

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
CHECKIN = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)  # already the 10th in Sydney
ANN = GroupMember(1, "Ann Lee", "Acute Trust", "Ward sister", "slack", "ann@nhs.example")
BO = GroupMember(2, "Bo Khan", "Hospice", None, "teams", "bo@hospice.example", "Australia/Sydney")
CY = GroupMember(3, "Cy Oduya", "Council", "Social worker", "slack", None)


def view_for(readers: list[int], platform: str, members: list[GroupMember], mover: int = 2):
    return introduction_view(
        Prompts(),
        introduction_id=9,
        programme_id=4,
        programme="North",
        members=members,
        readers=readers,
        platform=platform,
        first_mover=mover,
        why="Why you: test.",
        starter_key="referral",
        starter="What makes a referral a good one?",
        checkin_at=CHECKIN,
        now=NOW,
    )


def test_a_cross_platform_copy_names_the_partner_and_reaches_them_by_email() -> None:
    view = view_for([1], "slack", [ANN, BO])
    copy = view.copy_for(1)
    assert copy.summary == "Bo Khan (Hospice) — your Crossties introduction"
    assert copy.heading == "Meet Bo Khan"
    assert copy.first_move.startswith("Bo will suggest a time")
    assert "Email Bo" in copy.first_move
    (mail,) = copy.mail
    parts = urlsplit(mail.url)
    assert parts.scheme == "mailto" and parts.path == "bo@hospice.example"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Crossties introduction: Ann Lee and Bo Khan"]
    assert "What makes a referral a good one?" in query["body"][0]
    assert query["body"][0].rstrip().endswith("Ann Lee")  # signed by the reader
    card = introduction_card(view, 1)
    facts = {f.label: f.value for f in card.facts}
    assert facts["Ann Lee (you)"] == "Ward sister, Acute Trust"
    assert facts["Bo Khan"] == "Hospice · on Microsoft Teams, bo@hospice.example"
    assert [b.value for b in card.buttons[:3]] == ["9:met", "9:not_yet", "9:could_not_meet"]


def test_the_first_mover_is_told_so_and_the_check_in_is_in_their_time_zone() -> None:
    view = view_for([2], "teams", [ANN, BO])
    copy = view.copy_for(2)
    assert copy.first_move.startswith("You make the first move")
    assert copy.checkin == "I'll ask how it went on Thursday 10 December, 10:30."  # Sydney
    assert (
        view_for([1], "slack", [ANN, BO])
        .copy_for(1)
        .checkin.endswith("Wednesday 9 December, 23:30.")
    )


def test_teams_members_each_get_their_own_words_and_slack_shares_one_copy() -> None:
    teams = view_for([1, 3], "teams", [ANN, BO, CY], mover=3)
    assert {c.reader for c in teams.copies} == {1, 3, None}
    assert teams.copy_for(3).first_move.startswith("You make the first move")
    assert teams.copy_for(1).first_move.startswith("Cy will suggest a time")
    assert teams.copy_for(1).greeting.startswith("Hello Bo and Cy, Crossties introduced us.")
    slack = view_for([1, 3], "slack", [ANN, BO, CY], mover=3)
    (shared,) = slack.copies
    assert shared.reader is None
    assert shared.first_move.startswith("Cy, you make the first move: tap “Suggest a time”")
    assert "Ann Lee (Acute Trust), Bo Khan (Hospice) and Cy Oduya (Council)" in shared.summary


def test_the_view_survives_the_outbox_unchanged() -> None:
    view = replace(view_for([1], "slack", [ANN, BO]), answer=Answer.NOT_YET)
    payload = encode_view(view)
    assert decode_view(json.loads(payload)) == view
    message, decoded = decode_payload(payload)
    assert decoded == view
    assert isinstance(message.parts[0], Card)
    assert "✓ Not yet" in message.plain()  # the answer given is marked, the buttons stay
    labels = [b.label for b in message.parts[0].buttons]
    assert labels == [
        "We met",
        "✓ Not yet",
        "Couldn't meet",
        "Suggest a time",
        "Another question",
        "Pause me for 4 weeks",
    ]


def test_an_introduction_queued_before_the_view_still_decodes_as_its_card() -> None:
    old = Message(
        (
            Card(
                "A Crossties introduction (North)",
                ("Meet Ann",),
                buttons=(Button("We met", "checkin", "9:met"),),
            ),
        )
    )
    message, view = decode_payload(encode_message(old))
    assert view is None and message == old


def test_another_question_rewrites_every_sentence_that_quotes_it() -> None:
    view = view_for([1], "slack", [ANN, BO])
    swapped = with_starter(Prompts(), view, "season", "What is the busiest week of your year?", NOW)
    assert swapped.starter.key == "season"
    assert swapped.starter.line == "To start: What is the busiest week of your year?"
    assert swapped.copy_for(1).greeting == ""  # a Slack copy has no Teams chat to prefill
    teams = with_starter(
        Prompts(), view_for([2], "teams", [ANN, BO]), "season", "Busiest week?", NOW
    )
    assert (
        teams.copy_for(2).greeting == "Hello Ann, Crossties introduced us. To start: Busiest week?"
    )
    assert "busiest" in parse_qs(urlsplit(swapped.copy_for(1).mail[0].url).query)["body"][0]
    assert swapped.people == view.people and swapped.first_mover == view.first_mover


def test_the_first_move_rotates_and_balances_over_rounds() -> None:
    """Twelve rounds of the same three pairs: each person carries it about as often as their
    partner, and the first mover is not always the same side of the pair."""
    pairs = [(1, 2), (3, 4), (5, 6)]  # the first of each pair has the more senior role
    moves: Counter[int] = Counter()
    senior = 0
    intro = 100
    for _ in range(12):
        for pair in pairs:
            intro += 1
            mover = first_mover(intro, pair, moves)
            moves[mover] += 1
            senior += mover == pair[0]
    assert all(moves[a] == moves[b] == 6 for a, b in pairs)
    assert senior == 18  # half of 36


def test_the_first_move_goes_to_whoever_has_carried_it_least() -> None:
    assert first_mover(7, (1, 2, 3), Counter({1: 3, 2: 1, 3: 2})) == 2
    # with equal history the tie is broken by the introduction, not by who is listed first
    chosen = {first_mover(i, (1, 2), Counter()) for i in range(20)}
    assert chosen == {1, 2}
