"""Problem circles through the real Slack adapter against the fake Web API: a coordinator
opens a topic with the slash command, members press Join on the card they were sent, and the
formed circle reaches its members as one group DM with the workshop structure."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.db.circle_models import CircleSignup
from bot.scheduling.circles import form_due_circles
from tests.adapters.slack.conftest import Harness, fixture, slack_user
from tests.fakes import ORGANISATIONS

OPEN = (
    "circle open Weekend discharges | Why do discharges stall at weekends? | "
    f"{', '.join(ORGANISATIONS)} | 16 March 2026 10:00"
)


def _press_join(h: Harness, user: str, channel: str, ts: str) -> dict[str, Any]:
    posted = h.slack.messages[(channel, ts)]
    button = next(e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"])
    payload = fixture("block_actions.json")
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["container"].update(channel_id=channel, message_ts=ts)
    payload["channel"]["id"] = channel
    payload["message"].update(ts=ts, blocks=posted["blocks"], text=posted["text"])
    payload["response_url"] = h.slack.response_url("click")
    payload["actions"][0].update(action_id=button["action_id"], value=button["value"])
    return payload


async def test_open_join_by_button_and_form_into_group_dms(world: Harness) -> None:
    await world.command(OPEN, user="U01")
    opened = world.replies()
    assert len(opened) == 1 and "Opened Weekend discharges" in opened[0]["text"]
    stats = await world.deliver()
    assert stats.sent == 12  # the topic's card, to each member in their own DM
    invites = dict(world.slack.messages.keys())  # (channel, ts) of each message posted
    opened_for = [c.args["users"] for c in world.slack.calls_to("conversations.open")]
    assert sorted(opened_for) == sorted(slack_user(n) for n in range(1, 13))
    for n in range(1, 13):
        user = slack_user(n)
        channel = world.slack.conversation_of([user])
        await world.interact(_press_join(world, user, channel, invites[channel]))
        answer = world.replies("click")
        assert "signed up for Weekend discharges" in answer[0]["text"]
    with world.db.session() as session:
        assert len(session.exec(select(CircleSignup)).all()) == 12

    world.clock.advance(timedelta(days=15))
    formed = form_due_circles(world.db, world.clock.now(), world.services.prompts)
    assert formed == 2
    before = world.slack.count("chat.postMessage")
    await world.deliver()
    groups = [
        c.args["users"].split(",")
        for c in world.slack.calls_to("conversations.open", ok_only=True)
        if "," in c.args["users"]
    ]
    assert sorted(len(g) for g in groups) == [6, 6]
    assert sorted(u for g in groups for u in g) == sorted(slack_user(n) for n in range(1, 13))
    posts = world.slack.calls_to("chat.postMessage", ok_only=True)[before:]
    assert {p.args["channel"] for p in posts} == {world.slack.conversation_of(g) for g in groups}
    text = json.dumps(posts[0].args["blocks"])
    assert "speaks once" in text and "round of questions" in text and "next step" in text


async def test_a_member_proposes_and_a_coordinator_approves_on_the_card(world: Harness) -> None:
    from bot.db.circle_models import CircleTopic, CircleTopicStatus

    await world.command("circle proposals on", user="U01")
    assert "can now propose" in world.replies()[-1]["text"]
    await world.command(OPEN.replace("circle open", "circle propose"), user=slack_user(5))
    assert "I've sent Weekend discharges to the coordinators" in world.replies()[-1]["text"]
    assert (await world.deliver()).sent == 1  # the one coordinator's card
    channel = world.slack.conversation_of(["U01"])
    (ts,) = [t for c, t in world.slack.messages if c == channel]
    posted = world.slack.messages[(channel, ts)]
    buttons = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Approve", "Decline"]

    def press(user: str) -> dict[str, Any]:
        payload = _press_join(world, user, channel, ts)  # the Approve button
        assert payload["actions"][0]["value"] == buttons[0]["value"]
        return payload

    def status() -> CircleTopicStatus:
        with world.db.session() as session:
            return session.exec(select(CircleTopic)).one().status

    await world.interact(press(slack_user(7)))  # not a coordinator: refused, nothing changes
    assert "Only coordinators of" in world.replies("click")[-1]["text"]
    assert status() == CircleTopicStatus.PROPOSED
    await world.interact(press("U01"))
    assert "Approved Weekend discharges" in world.replies("click")[-1]["text"]
    assert status() == CircleTopicStatus.OPEN
    assert (await world.deliver()).sent == 13  # every member's invitation, and the proposer told
