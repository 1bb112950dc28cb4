"""The check-in loop on Slack, against the fake Web API: one answer in the group DM closes it
for the pair (the partner is told in their own DM, nobody else is asked), "not yet" is
followed up once by DM, a later "we met" changes the answer, "couldn't meet" offers the two
choices on the message itself."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.db.models import Answer, Introduction, IntroductionChat, Tie
from bot.usecases.checkins import queue_due_checkins
from tests.adapters.slack.conftest import Harness, fixture
from tests.adapters.slack.test_round import run_round


def _pair(world: Harness) -> tuple[IntroductionChat, list[str]]:
    with world.db.session() as session:
        chats = session.exec(select(IntroductionChat)).all()
    for chat in chats:
        users = next(
            c.args["users"].split(",")
            for c in world.slack.calls_to("conversations.open", ok_only=True)
            if world.slack.conversation_of(c.args["users"].split(",")) == chat.channel
        )
        if len(users) == 2:
            return chat, users
    raise AssertionError("no pair in the round")


def _click(
    world: Harness, user: str, channel: str, ts: str, action: str, value: str
) -> dict[str, Any]:
    payload = fixture("block_actions.json")
    posted = world.slack.messages[(channel, ts)]
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["container"].update(channel_id=channel, message_ts=ts)
    payload["channel"]["id"] = channel
    payload["message"].update(ts=ts, blocks=posted["blocks"], text=posted["text"])
    payload["response_url"] = world.slack.response_url("click")
    payload["actions"][0].update(value=value, action_id=f"ct|{action}|0")
    return payload


def _queue(world: Harness) -> int:
    with world.db.session() as session:
        return queue_due_checkins(session, world.clock.now(), world.services.prompts)


def _posts_to(world: Harness, user: str, since: int = 0) -> list[dict[str, Any]]:
    dm = world.slack.conversation_of([user])
    posts = world.slack.calls_to("chat.postMessage", ok_only=True)[since:]
    return [p.args for p in posts if p.args["channel"] == dm]


async def test_one_answer_closes_it_for_the_pair_and_the_partner_is_told(world: Harness) -> None:
    await run_round(world)
    await world.deliver()
    chat, (first, second) = _pair(world)
    await world.interact(
        _click(
            world,
            first,
            chat.channel,
            str(chat.message_id),
            "checkin",
            f"{chat.introduction_id}:met",
        )
    )
    world.replies("click")
    posted = len(world.slack.calls_to("chat.postMessage", ok_only=True))
    await world.deliver()
    (told,) = _posts_to(world, second, posted)
    assert "says you met — glad it worked." in told["text"]
    assert _posts_to(world, first, posted) == []

    world.clock.advance(timedelta(days=8))
    assert _queue(world) == 12 - 2
    await world.deliver(concurrency=8)
    asked = [
        p for p in _posts_to(world, first) + _posts_to(world, second) if "Did you meet" in p["text"]
    ]
    assert asked == []


async def test_not_yet_follows_up_once_and_a_later_we_met_changes_the_answer(
    world: Harness,
) -> None:
    await run_round(world)
    await world.deliver()
    chat, (first, second) = _pair(world)
    intro = chat.introduction_id
    world.clock.advance(timedelta(days=7, hours=1))
    _queue(world)
    await world.deliver(concurrency=8)
    checkin = _posts_to(world, first)[-1]
    ts = max(ts for channel, ts in world.slack.messages if channel == checkin["channel"])
    await world.interact(
        _click(world, first, checkin["channel"], ts, "checkin", f"{intro}:not_yet")
    )
    world.replies("click")
    update = world.slack.calls_to("chat.update", ok_only=True)[-1].args
    assert update["channel"] == checkin["channel"]  # the check-in itself is redrawn
    assert "haven't met yet. I'll ask again" in json.dumps(update["blocks"])

    world.clock.advance(timedelta(days=3, hours=1))
    assert _queue(world) == 12 - 2 + 2  # the others' nudges, and this pair's follow-ups
    await world.deliver(concurrency=8)
    followups = [
        p
        for p in _posts_to(world, first) + _posts_to(world, second)
        if "When I last asked" in p["text"]
    ]
    assert len(followups) == 2
    world.clock.advance(timedelta(days=10))
    assert _queue(world) == 0  # once only

    await world.interact(
        _click(world, second, chat.channel, str(chat.message_id), "checkin", f"{intro}:met")
    )
    world.replies("click")
    with world.db.session() as session:
        introduction = session.get(Introduction, intro)
        ties = session.exec(select(Tie)).all()
        assert introduction is not None and introduction.outcome == Answer.MET
        pair = [
            t
            for t in ties
            if {t.person_a_id, t.person_b_id} <= {p.id for p in _people(world, first, second)}
        ]
    assert [t.stage for t in pair] == ["met"]


async def test_couldnt_meet_offers_keep_or_move_on_on_the_message(world: Harness) -> None:
    await run_round(world)
    await world.deliver()
    chat, (first, _) = _pair(world)
    intro = chat.introduction_id
    await world.interact(
        _click(
            world, first, chat.channel, str(chat.message_id), "checkin", f"{intro}:could_not_meet"
        )
    )
    world.replies("click")
    blocks = world.slack.calls_to("chat.update", ok_only=True)[-1].args["blocks"]
    choices = next(b for b in blocks if b.get("block_id") == "ct-choices")
    assert [e["text"]["text"] for e in choices["elements"]] == ["Keep the pair", "Move on"]
    assert all(
        "style" not in e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if "next_round" in e["action_id"] or "checkin" in e["action_id"]
    )
    await world.interact(
        _click(world, first, chat.channel, str(chat.message_id), "next_round", f"{intro}:keep")
    )
    (noted,) = world.replies("click")
    assert "again next round" in noted["text"]
    with world.db.session() as session:
        introduction = session.get(Introduction, intro)
        assert introduction is not None and introduction.next_round == "keep"


def _people(world: Harness, *users: str) -> list[Any]:
    from bot.db.models import Person, PlatformAccount

    with world.db.session() as session:
        return [
            session.get(
                Person,
                session.exec(select(PlatformAccount).where(PlatformAccount.user_id == u))
                .one()
                .person_id,
            )
            for u in users
        ]
