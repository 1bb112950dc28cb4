"""A round preview of 200 groups through the real server and the fake Slack: a page at a time,
always with the run button, within Slack's limits; the next page comes from its button."""

from __future__ import annotations

import json
from typing import Any

from tests.adapters.slack.conftest import Harness, build_slack_world, fixture, next_trigger
from tests.adapters.test_payload_limits import MESSAGE_BLOCKS, blocks_problems

SIZES = (100, 100, 100, 60, 40)  # 400 people: 200 groups


def _buttons(reply: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return {e["action_id"].split("|")[1]: e for e in found}


def _press(h: Harness, button: dict[str, Any]) -> dict[str, Any]:
    click = fixture("block_actions.json")
    click["user"] = {"id": "U01", "username": "u01", "team_id": "T0001"}
    click["container"] = {"type": "message", "channel_id": "C1", "is_ephemeral": True}
    click["channel"] = {"id": "C1", "name": "coordinators"}
    click["response_url"] = h.slack.response_url("page")
    click["trigger_id"] = next_trigger()
    click["actions"] = [dict(button, block_id="card0-actions")]
    return click


async def test_two_hundred_groups_page_and_keep_the_run_button(harness: Harness) -> None:
    build_slack_world(harness.services, harness.slack, harness.clock, SIZES)
    await harness.command("round preview", user="U01")
    (first,) = harness.replies()
    assert not blocks_problems("page 1", first["blocks"], MESSAGE_BLOCKS)
    buttons = _buttons(first)
    assert {"round run", "preview_page"} <= set(buttons)
    assert buttons["round run"]["value"] == "--programme North Partnership"
    words = json.dumps(first["blocks"])
    assert "Showing groups 1 to 20 of 200" in words
    assert "180 more groups across 5 organisations follow" in words
    assert words.count(" + ") == 20  # twenty groups on this page

    await harness.interact(_press(harness, buttons["preview_page"]))
    (second,) = harness.replies("page")
    words = json.dumps(second["blocks"])
    assert "Showing groups 21 to 40 of 200" in words
    assert not blocks_problems("page 2", second["blocks"], MESSAGE_BLOCKS)
    assert "round run" in _buttons(second)
    labels = [b["text"]["text"] for b in _buttons_list(second)]
    assert labels == ["Run this round", "Next page", "Previous page"]


def _buttons_list(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_a_page_is_refused_to_someone_who_is_not_a_coordinator(harness: Harness) -> None:
    build_slack_world(harness.services, harness.slack, harness.clock, SIZES)
    await harness.command("round preview", user="U01")
    (first,) = harness.replies()
    click = _press(harness, _buttons(first)["preview_page"])
    click["user"] = {"id": "U03", "username": "u03", "team_id": "T0001"}
    await harness.interact(click)
    (refused,) = harness.replies("page")
    assert "Only coordinators" in json.dumps(refused) and "Showing groups" not in json.dumps(
        refused
    )
