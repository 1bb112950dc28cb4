"""The buttons of private reports and preview pages: what they carry, what a press becomes,
and that a value that cannot be read becomes nothing (the core then says so politely)."""

from __future__ import annotations

import pytest

from bot import actions
from bot.events import (
    ActionInvoked,
    AnotherQuestionAsked,
    Button,
    Card,
    ConversationRef,
    Message,
    PreviewPageAsked,
    ReportShared,
    Share,
    Text,
    UserRef,
)

LEAD = UserRef("teams", "tenant-1", "aad-7")


def test_a_share_press_names_the_programme_and_the_channel_in_the_pressers_workspace() -> None:
    button = actions.share_report_button("Share to channel", 12, "19:abc@thread.tacv2")
    event = actions.decode(ActionInvoked(LEAD, button.action, button.value))
    assert event == ReportShared(
        LEAD, 12, ConversationRef("teams", "tenant-1", "19:abc@thread.tacv2")
    )


@pytest.mark.parametrize("value", ["", "12", "12:", "x:C1", "12:C 1", "-1:C1", "12:" + "C" * 501])
def test_a_share_value_that_cannot_be_read_decodes_to_nothing(value: str) -> None:
    assert actions.decode(ActionInvoked(LEAD, actions.REPORT_SHARE, value)) is None


def test_a_page_press_names_the_programme_and_the_page() -> None:
    button = actions.preview_page_button("Next page", 3, 2)
    assert actions.decode(ActionInvoked(LEAD, button.action, button.value)) == PreviewPageAsked(
        LEAD, 3, 2
    )
    huge = actions.decode(ActionInvoked(LEAD, actions.PREVIEW_PAGE, "3:999999999"))
    assert isinstance(huge, PreviewPageAsked) and huge.page == actions.MAX_PAGE


@pytest.mark.parametrize("value", ["", "3", "3:", "3:two", ":2", "3:-2", "3:2:1"])
def test_a_page_value_that_cannot_be_read_decodes_to_nothing(value: str) -> None:
    assert actions.decode(ActionInvoked(LEAD, actions.PREVIEW_PAGE, value)) is None


def test_the_share_offer_joins_the_first_card_only_where_it_is_made() -> None:
    button = Button("Share to channel", actions.REPORT_SHARE, "1:C1")
    card = Card("Report", sections=("Summary",), buttons=())
    message = Message(
        (Text("hello"), card, Card("Other")), private=True, share=Share(button, "Only you")
    )
    offered = message.offering_share()
    assert offered.share is None and offered.private
    first = offered.parts[1]
    assert isinstance(first, Card)
    assert first.sections == ("Summary", "Only you") and first.buttons == (button,)
    assert offered.parts[2] == Card("Other")  # only the first card carries it
    assert message.parts[1] == card  # the message itself is unchanged


def test_another_question_says_whether_it_was_pressed_on_the_match_card() -> None:
    on_match = actions.another_question_button("Another question", 41, on_match=True)
    on_intro = actions.another_question_button("Another question", 41)
    assert actions.decode(ActionInvoked(LEAD, on_match.action, on_match.value)) == (
        AnotherQuestionAsked(LEAD, 41, on_match=True)
    )
    assert actions.decode(ActionInvoked(LEAD, on_intro.action, on_intro.value)) == (
        AnotherQuestionAsked(LEAD, 41)
    )


@pytest.mark.parametrize("value", ["41:home", "41:1700000000", "x:match", ":match"])
def test_another_question_with_an_unknown_place_decodes_to_nothing(value: str) -> None:
    assert actions.decode(ActionInvoked(LEAD, actions.ANOTHER_QUESTION, value)) is None
