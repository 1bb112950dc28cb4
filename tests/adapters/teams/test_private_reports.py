"""Reports on Teams through the real CloudAdapter and the fake connector: `report` in a channel
goes to the lead's 1:1 chat with "Share to channel"; the share checks the lead role again and
posts the same report in the channel; the chart comes as panels drawn at card width."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import pytest
from sqlmodel import select

from bot.db.models import Programme, ProgrammeRoleKind
from bot.usecases.programmes import grant
from tests.adapters.teams.conftest import Harness, activity
from tests.fakes_teams import TENANT

pytestmark = pytest.mark.db

CHANNEL = "19:partnership@thread.tacv2"
PERSONAL = "a:29:user-0"
CARD_WIDTH = 500
MAX_IMAGE = 28 * 1024


def _person(n: int) -> dict[str, str]:
    names = ("Alex Wilber", "Megan Bowen")
    return {"id": f"29:user-{n}", "name": names[n], "aadObjectId": f"aad-{n}"}


async def _lead(harness: Harness) -> None:
    await harness.say("join Hospice")
    await harness.say("join Acute Trust", 1, "Megan Bowen")
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
        alex = harness.person(0)
        assert alex is not None
        grant(session, harness.core.clock.now(), programme, alex, ProgrammeRoleKind.LEAD)


async def _ask_in_channel(harness: Harness) -> None:
    asking = activity(
        "message_groupChat",
        harness.url,
        text="<at>Crossties</at> report",
        conversation={"conversationType": "channel", "tenantId": TENANT, "id": CHANNEL},
        **{"from": _person(0)},
    )
    assert (await harness.post(asking))[0] == 200


def _in(harness: Harness, conversation: str) -> list[dict[str, Any]]:
    return [r.body for r in harness.connector.sent() if r.conversation == conversation]


def _cards(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a["content"] for b in bodies for a in b.get("attachments") or []]


def _share_action(cards: list[dict[str, Any]]) -> dict[str, Any]:
    (action,) = [a for c in cards for a in c.get("actions", []) if a.get("verb") == "report_share"]
    return action


def _press(harness: Harness, n: int, action: dict[str, Any]) -> dict[str, Any]:
    return activity(
        "invoke_card_action",
        harness.url,
        value={
            "action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]}
        },
        conversation={"conversationType": "personal", "tenantId": TENANT, "id": f"a:29:user-{n}"},
        **{"from": _person(n)},
    )


def _png_width(card: dict[str, Any]) -> tuple[int, int]:
    (image,) = [b for b in card["body"] if b["type"] == "Image"]
    png = base64.b64decode(image["url"].removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG") and image["altText"]
    return struct.unpack(">I", png[16:20])[0], len(png)


async def test_a_report_asked_in_a_channel_goes_to_the_leads_own_chat(harness: Harness) -> None:
    await _lead(harness)
    await _ask_in_channel(harness)
    (note,) = _in(harness, CHANNEL)
    assert "private chat" in note["text"] and not note.get("attachments")
    cards = _cards(_in(harness, PERSONAL))
    assert "Only you can see this report" in json.dumps(cards[0])
    with harness.core.db.session() as session:
        programme = session.exec(select(Programme)).one()
    assert _share_action(cards)["data"]["value"] == f"{programme.id}:{CHANNEL}"
    panels = [c for c in cards if any(b["type"] == "Image" for b in c["body"])]
    assert len(panels) == 4  # heat map, diagram, growth, funnel: each its own card
    for card in panels:
        width, size = _png_width(card)
        assert width == CARD_WIDTH and size <= MAX_IMAGE  # shown 1:1, never shrunk


async def test_share_posts_the_report_in_the_channel(harness: Harness) -> None:
    await _lead(harness)
    await _ask_in_channel(harness)
    action = _share_action(_cards(_in(harness, PERSONAL)))
    status, body = await harness.post(_press(harness, 0, action))
    assert status == 200 and "posted the report" in body["value"]
    shared = _cards(_in(harness, CHANNEL))
    # the report and its four panels (heat map, diagram, growth, funnel)
    assert len(shared) == 5 and "Shared by Alex Wilber" in json.dumps(shared[0])
    assert "Only you can see" not in json.dumps(shared)
    assert not [a for c in shared for a in c.get("actions", []) if a.get("verb")]


async def test_share_is_refused_to_someone_who_is_not_a_lead(harness: Harness) -> None:
    await _lead(harness)
    await _ask_in_channel(harness)
    action = _share_action(_cards(_in(harness, PERSONAL)))
    before = len(_in(harness, CHANNEL))
    status, body = await harness.post(_press(harness, 1, action))  # Megan: not a lead
    assert status == 200 and "lead" in body["value"].lower()
    assert len(_in(harness, CHANNEL)) == before


async def test_in_a_personal_chat_the_report_has_nothing_to_share(harness: Harness) -> None:
    await _lead(harness)
    await harness.say("report")
    cards = _cards(_in(harness, PERSONAL))
    assert "How North is growing" in json.dumps(cards)
    assert not [a for c in cards for a in c.get("actions", []) if a.get("verb") == "report_share"]
    assert "Only you can see" not in json.dumps(cards)
