"""The introduction card for Teams: three answers with full labels in neutral colours, the
answer given marked with the buttons kept, and links that reach the partners. After a
check-in answer, the introduction is drawn again from its view on both platforms (and from
its stored card, for introductions sent before views)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft6Validator

from adapters.slack import render as slack_render
from adapters.slack import render_intro as slack_intro
from adapters.teams import render_intro
from adapters.teams.platform import answered_card
from bot.checkin_cards import answered_buttons
from bot.compose import GroupMember, introduction_view
from bot.db.models import Answer
from bot.ids import IntroductionId, PersonId
from bot.templates import Prompts
from bot.views import AnsweredCheckIn, introduction_card
from tests.adapters.test_payload_limits import primary_actions, schema

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


def answered(
    drawn: Any, answer: Answer, *, card: Any = None, with_view: bool = True
) -> AnsweredCheckIn:
    """The group's answer as the core hands it over: the view with the answer marked."""
    prompts = Prompts()
    buttons, choices = answered_buttons(prompts, 5, answer, size=2, next_round=None)
    words = {"answer": answer.value, "followup_at": None, "next_round": None, "timezone": None}
    return AnsweredCheckIn(
        introduction=IntroductionId(5),
        answer=answer,
        text="Thanks.",
        status=prompts.render("checkin_status", by="Bo Khan", now=NOW, **words),
        card=card,
        contacts=(),
        own_status=prompts.render("answer_status", by="Bo Khan", now=NOW, **words),
        buttons=buttons,
        choices=choices,
        introduction_view=replace(drawn, answer=answer) if with_view else None,
    )


def test_the_answered_introduction_is_the_introduction_with_the_answer_marked() -> None:
    intro = view([ANN, BO], [1, 2]).for_reader(PersonId(1))
    handles = {PersonId(2): "bo.khan@hospice.example"}
    before = render_intro.introduction_card(intro, PersonId(1), handles)
    card = render_intro.answered_card(answered(intro, Answer.MET), handles)
    text = json.dumps(card, ensure_ascii=False)
    copy = intro.copy_for(PersonId(1))
    # the people, the first move with its links, the question: as on the unanswered card
    assert card["body"][1]["text"] == "Meet Bo Khan" and "Hospice" in text
    assert copy.first_move in text and intro.starter.line in text
    links = [
        b["text"] for b in card["body"] if "](https://teams.microsoft.com/" in b.get("text", "")
    ]
    assert links and links == [
        b["text"] for b in before["body"] if "](https://teams.microsoft.com/" in b.get("text", "")
    ]
    assert [a["title"] for a in card["actions"]] == [a["title"] for a in before["actions"]]
    # who answered, then the answers kept, the one given marked, none coloured
    assert "Bo Khan said you met." in [b.get("text") for b in card["body"]]
    assert [a["title"] for a in answers(card)] == ["✓ We met", "Not yet", "Couldn't meet"]
    assert not [a for a in answers(card) if "style" in a]
    assert primary_actions(card) == ["✓ We met", "Not yet", "Couldn't meet"]
    assert not list(Draft6Validator(schema()).iter_errors(card))


def test_after_couldnt_meet_the_introduction_offers_the_choices_within_three_buttons() -> None:
    intro = view([ANN, BO], [1, 2]).for_reader(PersonId(1))
    card = render_intro.answered_card(answered(intro, Answer.COULD_NOT_MEET), {})
    assert primary_actions(card) == ["Keep the pair", "Move on", "✓ Couldn't meet"]
    secondary = [a["title"] for a in card["actions"] if a.get("mode") == "secondary"]
    assert {"We met", "Not yet"} <= set(secondary)
    assert len(primary_actions(card)) + len(card["actions"]) <= 6  # what Teams draws at most
    assert "Meet Bo Khan" in json.dumps(card) and "said you couldn't meet" in json.dumps(card)


def test_slack_redraws_the_introduction_from_its_view_with_the_answer() -> None:
    intro = replace(view([ANN, SAM], [1, 3]), platform="slack")
    sent = slack_intro.to_dicts(slack_intro.introduction_blocks(intro, None))
    text, blocks = slack_intro.answered_message(answered(intro, Answer.MET), sent, "", own=False)
    assert text == slack_intro.introduction_text(intro, None)
    words = json.dumps(blocks, ensure_ascii=False)
    for person in ("Ann Lee", "Sam Ode", "Acute Trust", "GP Federation"):
        assert person in words
    assert intro.copy_for(None).first_move in words and intro.starter.line in words
    # everything above the answers is the introduction as it was sent
    at = next(i for i, b in enumerate(sent) if b.get("block_id", "").startswith("ct-intro-"))
    assert blocks[:at] == sent[:at]
    (status,) = [b for b in blocks if b.get("block_id") == "ct-status"]
    assert "Bo Khan said you met." in json.dumps(status)
    (row,) = [b for b in blocks if b.get("block_id") == "ct-answers"]
    assert [e["text"]["text"] for e in row["elements"]] == ["✓ We met", "Not yet", "Couldn't meet"]
    assert not [e for e in row["elements"] if "style" in e]
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "Another question" in labels and "Pause me for 4 weeks" in labels
    # drawn again on a later answer, from the view: one status line, one row of answers
    _, again = slack_intro.answered_message(answered(intro, Answer.NOT_YET), blocks, "", own=True)
    assert sum(b.get("block_id") == "ct-status" for b in again) == 1
    assert "Bo Khan said you haven't met yet." in json.dumps(again)
    assert "✓ Not yet" in json.dumps(again, ensure_ascii=False)


def test_an_introduction_stored_as_a_card_is_still_redrawn_with_the_answer() -> None:
    intro = view([ANN, BO], [1, 2]).for_reader(PersonId(1))
    old = answered(intro, Answer.MET, card=introduction_card(intro, PersonId(1)), with_view=False)
    card = answered_card(Prompts(), old)
    assert "Meet Bo Khan" in json.dumps(card) and "Bo Khan said you met." in json.dumps(card)
    assert primary_actions(card) == ["✓ We met", "Not yet", "Couldn't meet"]
    blocks = slack_render.to_dicts(slack_render.card_blocks(old.card))  # type: ignore[arg-type]
    _, redrawn = slack_intro.answered_message(old, blocks, "Meet Bo Khan", own=False)
    (row,) = [b for b in redrawn if b.get("block_id") == "ct-answers"]
    assert [e["text"]["text"] for e in row["elements"]] == ["✓ We met", "Not yet", "Couldn't meet"]
