"""The introduction card for Teams: three answers with full labels in neutral colours, the
answer given marked with the buttons kept, and links that reach the partners."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from adapters.slack import render_intro as slack_intro
from adapters.teams import render_intro
from bot.compose import GroupMember, introduction_view
from bot.db.models import Answer
from bot.ids import PersonId
from bot.templates import Prompts

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
ANN = GroupMember(1, "Ann Lee", "Acute Trust", "Ward sister", "teams", "ann@nhs.example")
BO = GroupMember(2, "Bo Khan", "Hospice", None, "teams", None)
SAM = GroupMember(3, "Sam Ode", "GP Federation", "Practice nurse", "slack", "sam@gp.example")


def view(members: list[GroupMember], readers: list[int]) -> Any:
    return introduction_view(
        Prompts(),
        introduction_id=5,
        programme_id=1,
        programme="North",
        members=members,
        readers=readers,
        platform="teams",
        first_mover=1,
        why="Why you: test.",
        starter_key="k",
        starter="What is one thing?",
        checkin_at=datetime(2026, 12, 9, 9, tzinfo=UTC),
        now=NOW,
    )


def answers(card: dict[str, Any]) -> list[dict[str, Any]]:
    (columns,) = [b for b in card["body"] if b["type"] == "ColumnSet"]
    return [c["items"][0]["actions"][0] for c in columns["columns"]]


def test_three_answers_in_neutral_colours_and_the_rest_in_the_overflow() -> None:
    card = render_intro.introduction_card(view([ANN, BO], [1, 2]), PersonId(1))
    drawn = answers(card)
    assert [a["title"] for a in drawn] == ["We met", "Not yet", "Couldn't meet"]
    assert all("style" not in a for a in drawn)
    assert all(a.get("mode") == "secondary" for a in card["actions"])
    assert [a["data"]["value"] for a in drawn] == ["5:met", "5:not_yet", "5:could_not_meet"]


def test_the_answer_given_is_marked_and_the_buttons_stay() -> None:
    answered = replace(view([ANN, BO], [1, 2]), answer=Answer.COULD_NOT_MEET)
    card = render_intro.introduction_card(answered, PersonId(1))
    assert [a["title"] for a in answers(card)] == ["We met", "Not yet", "✓ Couldn't meet"]
    blocks = slack_intro.to_dicts(slack_intro.introduction_blocks(answered, None))
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "✓ Couldn't meet" in labels and "We met" in labels


def test_the_chat_opens_with_the_greeting_and_the_meeting_has_its_subject() -> None:
    card = render_intro.introduction_card(
        view([ANN, BO], [1, 2]), PersonId(1), {PersonId(2): "bo.khan@hospice.example"}
    )
    urls = {a["title"]: a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"}
    chat = parse_qs(urlsplit(urls["Message Bo"]).query)
    assert chat["users"] == ["bo.khan@hospice.example"]
    assert chat["message"] == ["Hello Bo, Crossties introduced us. To start: What is one thing?"]
    meeting = parse_qs(urlsplit(urls["Schedule a meeting"]).query)
    assert meeting["subject"] == ["Crossties introduction: Ann Lee and Bo Khan"]
    assert meeting["attendees"] == ["bo.khan@hospice.example"]
    # the same links sit in the text under the first move, one tap away
    assert any(
        "](https://teams.microsoft.com/l/chat/0/0?" in b.get("text", "") for b in card["body"]
    )


def test_a_partner_on_slack_gets_an_email_not_a_chat_that_would_reach_nobody() -> None:
    card = render_intro.introduction_card(view([ANN, SAM], [1]), PersonId(1), {})
    urls = [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert not any("/l/chat/" in u for u in urls)
    assert any(u.startswith("mailto:sam@gp.example?subject=") for u in urls)
    assert any("/l/meeting/new?" in u and "attendees=sam@gp.example" in u for u in urls)
    assert card["fallbackText"] == "Sam Ode (GP Federation) — your Crossties introduction"
