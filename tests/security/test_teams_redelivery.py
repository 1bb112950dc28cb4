"""Teams redelivers an activity it thinks was lost with the same id: like Slack's retries, it is
handled once — by whichever server gets it first, through the core's record of handled
requests — while a new activity, or the same id in another conversation, is handled."""

from __future__ import annotations

import copy

import pytest
from botbuilder.schema import Activity
from sqlmodel import func, select

from adapters.teams.handler import request_key
from bot.db.models import HandledRequest, TieEvent
from tests.adapters.teams.conftest import (
    Harness,
    harness,  # noqa: F401
    person_message,
)
from tests.adapters.teams.test_programme_form import PEOPLE, click

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
