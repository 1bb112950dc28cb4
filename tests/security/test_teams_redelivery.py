"""Teams redelivers an activity it thinks was lost with the same id: like Slack's retries, it is
handled once — by whichever server gets it first, through the core's record of handled
requests — while a new activity, or the same id in another conversation, is handled."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from botbuilder.schema import Activity
from sqlmodel import func, select

from adapters.teams.handler import request_key
from bot.db.models import HandledRequest, TieEvent
from bot.delivery import prepared
from bot.events import Message
from tests.adapters.teams.conftest import (
    Harness,
    harness,  # noqa: F401
    person_message,
)
from tests.adapters.teams.test_programme_form import PEOPLE, click
from tests.fakes_teams import TENANT

pytestmark = pytest.mark.db


def collaborations(h: Harness) -> int:
    with h.core.db.session() as session:
        return int(session.exec(select(func.count()).select_from(TieEvent)).one())


async def test_a_redelivered_message_is_handled_once(harness: Harness) -> None:  # noqa: F811
    h = harness
    await h.say("join Hospice", 0, PEOPLE[0])
    await h.say("join Acute Trust", 1, PEOPLE[1])
    typed = person_message(h.url, f"log @{PEOPLE[1]} planned the falls clinic", 0, PEOPLE[0])
    before = collaborations(h)
    sent = len(h.connector.sent())
    assert (await h.post(typed))[0] == 200
    assert collaborations(h) > before
    once, answers = collaborations(h), len(h.connector.sent()) - sent
    assert answers >= 1
    for _ in range(2):  # Teams tries again with the same activity
        assert (await h.post(copy.deepcopy(typed)))[0] == 200
    assert collaborations(h) == once
    assert len(h.connector.sent()) - sent == answers  # no second answer either
    again = person_message(h.url, f"log @{PEOPLE[1]} planned the falls clinic", 0, PEOPLE[0])
    assert (await h.post(again))[0] == 200  # the same words typed again: a new activity
    assert collaborations(h) > once


async def test_a_redelivered_card_click_is_handled_once(harness: Harness) -> None:  # noqa: F811
    h = harness
    await h.say("join Hospice", 1, PEOPLE[1])
    pressed = click(h, {"action": "leave", "value": ""}, 1)
    status, body = await h.post(pressed)
    assert status == 200 and "left" in str(body).lower()
    status, body = await h.post(copy.deepcopy(pressed))
    assert status == 200 and "left" not in str(body).lower()
    with h.core.db.session() as session:
        keys = session.exec(select(HandledRequest.key)).all()
    assert request_key(Activity().deserialize(pressed)) in keys


def test_the_key_is_the_activity_in_its_conversation() -> None:
    one = Activity().deserialize({"id": "1", "conversation": {"id": "a:1"}, "type": "message"})
    other_chat = Activity().deserialize({"id": "1", "conversation": {"id": "a:2"}})
    next_one = Activity().deserialize({"id": "2", "conversation": {"id": "a:1"}})
    keys = {request_key(a) for a in (one, other_chat, next_one)}
    assert len(keys) == 3 and all(k and len(k) <= 64 for k in keys)
    assert request_key(Activity().deserialize({"conversation": {"id": "a:1"}})) is None


async def test_a_card_that_may_have_been_sent_is_sent_at_most_once_more(
    harness: Harness,  # noqa: F811
) -> None:
    """The bound on the window left open (docs/SECURITY.md): Teams cannot list what a bot
    posted in a 1:1 chat, so a row whose sender died mid-send (`maybe_sent`) is sent again —
    once per recipient, and never again once that send is recorded."""
    h = harness
    await h.say("help", 0, PEOPLE[0])  # first contact stores the 1:1 address
    first = prepared(h.core.db, "teams", TENANT, ("aad-0",), Message.text("Card"), key="k9")
    await h.teams.sender.deliver(first)  # the send that happened before the crash
    before = len(h.connector.texts())
    h.teams.sender._delivered.clear()  # the process died: what it remembered is gone
    again = replace(first, maybe_sent=True)  # claimed again by the next process
    await h.teams.sender.deliver(again)
    await h.teams.sender.deliver(again)  # the same process retrying: remembered, not re-sent
    assert h.connector.texts()[before:] == ["Card"]
