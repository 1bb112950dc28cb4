"""Reports through the real server and the fake Slack: private where asked, shared on request.

`report` typed in a channel answers the lead alone (ephemeral, the chart in their DM) with a
"Share to channel" button; the share checks the lead role again and posts the same report in
that channel; in the lead's own DM the report is an ordinary message with nothing to share.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from bot.db.models import Programme
from tests.adapters.slack.conftest import Harness, fixture, next_trigger

CHANNEL = "C2147483705"


async def _report(h: Harness, user: str, channel: str = CHANNEL) -> dict[str, Any]:
    response = await h.command("report", user=user, channel=channel)
    assert response.status == 200
    (reply,) = h.replies()
    return reply


def _buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in reply.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def _share_button(reply: dict[str, Any]) -> dict[str, Any]:
    (button,) = [b for b in _buttons(reply) if b["action_id"].startswith("ct|report_share|")]
    return button


def _uploaded_to(h: Harness) -> list[str]:
    return [c.args["channel_id"] for c in h.slack.calls_to("files.completeUploadExternal")]


def _press(h: Harness, user: str, button: dict[str, Any], channel: str) -> dict[str, Any]:
    click = fixture("block_actions.json")
    click["user"] = {"id": user, "username": user.lower(), "team_id": "T0001"}
    click["container"] = {"type": "message", "channel_id": channel, "is_ephemeral": True}
    click["channel"] = {"id": channel, "name": "partnership"}
    click["response_url"] = h.slack.response_url("share")
    click["trigger_id"] = next_trigger()
    click["actions"] = [
        {
            "action_id": button["action_id"],
            "block_id": "card0-actions",
            "text": button["text"],
            "value": button["value"],
            "type": "button",
        }
    ]
    return click


async def test_a_report_asked_in_a_channel_is_for_the_lead_alone(world: Harness) -> None:
    reply = await _report(world, "U02")
    assert reply["response_type"] == "ephemeral"
    assert "How North Partnership is growing" in reply["text"]
    assert "Only you can see this report" in json.dumps(reply["blocks"])
    share = _share_button(reply)
    with world.db.session() as session:
        programme = session.exec(select(Programme)).one()
    assert share["value"] == f"{programme.id}:{CHANNEL}"
    (upload,) = _uploaded_to(world)  # the chart: in the lead's DM, never in the channel
    assert upload.startswith("D") and upload != CHANNEL


async def test_share_posts_the_same_report_in_the_channel(world: Harness) -> None:
    share = _share_button(await _report(world, "U02"))
    await world.interact(_press(world, "U02", share, CHANNEL))
    posted = [r for r in world.replies("share") if r.get("response_type") == "in_channel"]
    assert len(posted) == 1
    words = posted[0]["text"] + json.dumps(posted[0]["blocks"])
    assert "How North Partnership is growing" in words and "Shared by" in words
    assert "Only you can see" not in words and not _buttons(posted[0])
    assert _uploaded_to(world)[-1] == CHANNEL


async def test_share_is_refused_to_someone_who_is_not_a_lead(world: Harness) -> None:
    share = _share_button(await _report(world, "U02"))
    uploads = len(_uploaded_to(world))
    await world.interact(_press(world, "U03", share, CHANNEL))  # a member, not a lead
    replies = world.replies("share")
    assert replies and all(r.get("response_type") != "in_channel" for r in replies)
    assert "Reports are for leads" in json.dumps(replies)
    assert len(_uploaded_to(world)) == uploads
    assert not world.slack.calls_to("chat.postMessage")


async def test_in_the_leads_own_dm_the_report_is_an_ordinary_message(world: Harness) -> None:
    await _report(world, "U02")  # asked in a channel first: the chart opened the DM
    (opened,) = _uploaded_to(world)
    reply = await _report(world, "U02", channel=opened)
    assert reply["response_type"] == "in_channel"
    assert not [b for b in _buttons(reply) if "report_share" in b["action_id"]]
    assert "Only you can see" not in json.dumps(reply["blocks"])
    assert _uploaded_to(world) == [opened, opened]
