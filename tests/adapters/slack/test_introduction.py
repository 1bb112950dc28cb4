"""The introduction's own buttons on Slack, end to end through the real Bolt app and the fake
Web API: "Another question" redraws the message in place with a new starter; "Suggest a
time" posts three times on the next working days into the group DM; "Works for me" says so
to the group."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.db.models import Introduction, IntroductionChat, Outbox
from bot.events import Button, Card, Message
from bot.intro_view import view_from_payload
from bot.outbox import queue
from bot.starters import HEAVY
from tests.adapters.slack.conftest import TEAM_ID, Harness, fixture
from tests.adapters.slack.test_round import _groups, run_round


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        found += block.get("elements") or [] if block["type"] == "actions" else []
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def _action(button: dict[str, Any]) -> str:
    return str(button["action_id"].split("|")[1])


def _press(
    h: Harness, user: str, chat: IntroductionChat, button: dict[str, Any], name: str
) -> dict[str, Any]:
    """A click on `button` (as drawn) of the introduction message, by `user`."""
    payload = fixture("block_actions.json")
    posted = h.slack.messages[(chat.channel, str(chat.message_id))]
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["container"].update(channel_id=chat.channel, message_ts=chat.message_id)
    payload["channel"]["id"] = chat.channel
    payload["message"].update(ts=chat.message_id, blocks=posted["blocks"], text=posted["text"])
    payload["response_url"] = h.slack.response_url(name)
    payload["actions"][0].update(action_id=button["action_id"], value=button["value"])
    return payload


def _drawn(h: Harness, chat: IntroductionChat, action: str) -> dict[str, Any]:
    posted = h.slack.messages[(chat.channel, str(chat.message_id))]
    return next(b for b in _buttons(posted["blocks"]) if _action(b) == action)


async def _first_chat(world: Harness) -> tuple[IntroductionChat, list[str]]:
    await run_round(world)
    await world.deliver()
    with world.db.session() as session:
        chat = session.exec(select(IntroductionChat)).first()
        assert chat is not None
    group = next(g for g in _groups(world) if world.slack.conversation_of(g) == chat.channel)
    return chat, group


async def test_another_question_swaps_the_starter_and_redraws_the_message(world: Harness) -> None:
    chat, group = await _first_chat(world)
    with world.db.session() as session:
        before = session.get(Introduction, chat.introduction_id)
        assert before is not None
        old_key = before.starter
    old_text = json.dumps(world.slack.messages[(chat.channel, str(chat.message_id))]["blocks"])
    await world.interact(
        _press(world, group[0], chat, _drawn(world, chat, "another_question"), "q")
    )
    updates = world.slack.calls_to("chat.update", ok_only=True)
    assert len(updates) == 1 and updates[0].args["ts"] == chat.message_id
    with world.db.session() as session:
        after = session.get(Introduction, chat.introduction_id)
        assert after is not None and after.starter != old_key
    # the programme's first rounds are first meetings: never a heavy question
    starters = {x.key: x for x in world.services.prompts.starters("default")}
    assert HEAVY not in starters[after.starter].tags
    redrawn = json.dumps(updates[0].args["blocks"])
    assert redrawn != old_text and "To start:" in redrawn
    assert "We met" in redrawn  # the answers stay
    assert world.replies("q") == []  # nothing else is said


async def test_suggest_a_time_offers_three_working_days_and_works_for_me_tells_the_group(
    world: Harness,
) -> None:
    chat, group = await _first_chat(world)
    await world.interact(
        _press(world, group[0], chat, _drawn(world, chat, "suggest_time"), "times")
    )
    (offer,) = world.replies("times")
    assert offer["response_type"] == "in_channel" and offer["replace_original"] is False
    picks = [
        b["accessory"] for b in offer["blocks"] if b["type"] == "section" and b.get("accessory")
    ]
    assert [p["text"]["text"] for p in picks] == ["Works for me"] * 3
    moments = [datetime.fromtimestamp(int(p["value"].split(":")[1]), UTC) for p in picks]
    now = world.clock.now()
    assert all(m > now and m.weekday() < 5 for m in moments)
    assert len({m.date() for m in moments}) == 3
    with world.db.session() as session:
        row = session.exec(
            select(Introduction).where(Introduction.id == chat.introduction_id)
        ).one()
        hour = 9  # the programme's hour, in the first mover's time zone (London here)
        assert row.first_mover_id is not None
    assert all(m.astimezone(ZoneInfo("Europe/London")).hour == hour for m in moments)
    await world.interact(_press(world, group[-1], chat, picks[1], "ok"))
    (said,) = world.replies("ok")
    assert said["response_type"] == "in_channel"
    assert "can do" in said["text"] and "Send a calendar invite" in said["text"]


async def test_buttons_of_someone_elses_introduction_change_nothing(world: Harness) -> None:
    chat, group = await _first_chat(world)
    outsider = next(f"U{n:02d}" for n in range(1, 13) if f"U{n:02d}" not in group)
    with world.db.session() as session:
        before = session.get(Introduction, chat.introduction_id)
        assert before is not None
        key = before.starter
    await world.interact(
        _press(world, outsider, chat, _drawn(world, chat, "another_question"), "no")
    )
    (answer,) = world.replies("no")
    assert answer["response_type"] == "ephemeral"
    assert "Only the people in that introduction" in answer["text"]
    assert world.slack.count("chat.update") == 0
    with world.db.session() as session:
        after = session.get(Introduction, chat.introduction_id)
        assert after is not None and after.starter == key


async def test_the_stored_introduction_is_a_view_naming_one_first_mover(world: Harness) -> None:
    await run_round(world)
    with world.db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "introduction")).all()
        movers = {i.id: i.first_mover_id for i in session.exec(select(Introduction)).all()}
    for row in rows:
        view = view_from_payload(row.payload)
        assert view is not None and view.first_mover == movers[row.introduction_id]


async def test_an_introduction_queued_as_a_card_before_the_view_still_sends(
    world: Harness,
) -> None:
    """Rows already in the outbox when the view arrived keep their card, and go out as it."""
    old = Message(
        (
            Card(
                "A Crossties introduction (North)",
                ("Meet U01 and U02",),
                buttons=(Button("We met", "checkin", "1:met", "primary"),),
            ),
        )
    )
    with world.db.session() as session:
        queue(
            session,
            world.clock.now(),
            key="intro:old:slack",
            platform="slack",
            workspace=TEAM_ID,
            recipients=["U01", "U02"],
            kind="introduction",
            message=old,
        )
    stats = await world.deliver()
    assert stats.sent == 1
    (post,) = world.slack.calls_to("chat.postMessage", ok_only=True)
    assert post.args["blocks"][0]["type"] == "header"
    assert post.args["blocks"][0]["text"]["text"] == "A Crossties introduction (North)"
    assert post.args["text"].startswith("A Crossties introduction (North)")
