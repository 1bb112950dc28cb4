"""The introduction gives equal time, a starter and check-in buttons, in plain text."""

from __future__ import annotations

from bot.compose import GroupMember, introduction_message
from bot.events import Card
from bot.templates import Prompts


def test_introduction_card_names_everyone_and_reaches_across_platforms() -> None:
    prompts = Prompts()
    members = [
        GroupMember(1, "Ann Lee", "Acute Trust", "Ward sister", "slack", "ann@nhs.example"),
        GroupMember(2, "Bo Khan", "Hospice", None, "teams", "bo@hospice.example"),
    ]
    message = introduction_message(
        prompts,
        introduction_id=9,
        programme="North",
        members=members,
        recipients={1},
        platform="slack",
        why="Why you: test.",
        starter="What surprised you?",
        checkin_days=7,
    )
    card = message.parts[0]
    assert isinstance(card, Card)
    facts = {f.label: f.value for f in card.facts}
    assert facts["Ann Lee (you)"] == "Ward sister, Acute Trust"
    assert facts["Bo Khan"] == "Hospice · on Microsoft Teams, bo@hospice.example"
    text = message.plain()
    assert "ten minutes" in text and "What surprised you?" in text and "7 days" in text
    assert [b.value for b in card.buttons[:3]] == ["9:met", "9:not_yet", "9:could_not_meet"]
