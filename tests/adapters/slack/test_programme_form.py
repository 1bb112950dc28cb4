"""`/crossties programmes` gives coordinators the core's neutral card; its buttons open the
programme modal (with the trigger id of the click), as App Home's do."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.db.models import Membership, MembershipStatus, Programme
from tests.adapters.slack.conftest import PROGRAMME, Harness, fixture
from tests.adapters.slack.test_home_and_modal import open_home


def buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in reply.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


async def programmes_card(h: Harness, user: str) -> dict[str, Any]:
    response = await h.command("programmes", user=user)
    assert response.status == 200
    (reply,) = h.replies()
    return reply


def click(h: Harness, user: str, element: dict[str, Any], trigger: str) -> dict[str, Any]:
    payload = fixture("block_actions.json")
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["trigger_id"] = trigger
    payload["response_url"] = h.slack.response_url("click")
    payload["actions"][0].update(
        action_id=element["action_id"], value=element["value"], block_id="card0-actions"
    )
    return payload


async def test_the_card_buttons_open_the_modal(world: Harness) -> None:
    with world.db.session() as session:
        programme_id = session.exec(select(Programme.id)).one()
    reply = await programmes_card(world, "U01")
    found = {e["action_id"]: e["value"] for e in buttons(reply)}
    assert found == {"ct|programme_form|0": str(programme_id), "ct|programme_form|1": "new"}

    edit, new = buttons(reply)
    await world.interact(click(world, "U01", edit, "trigger-edit"))
    await world.interact(click(world, "U01", new, "trigger-new"))
    opened = world.slack.calls_to("views.open", ok_only=True)
    assert [o.args["trigger_id"] for o in opened] == ["trigger-edit", "trigger-new"]
    edit_view, new_view = (o.args["view"] for o in opened)
    assert edit_view["callback_id"] == new_view["callback_id"] == "ct-programme"
    assert edit_view["private_metadata"] == str(programme_id)
    name = edit_view["blocks"][0]["element"]
    assert name.get("initial_value") == PROGRAMME
    assert not new_view.get("private_metadata")
    assert "initial_value" not in new_view["blocks"][0]["element"]


async def test_members_get_the_plain_list_and_a_forged_edit_opens_nothing(world: Harness) -> None:
    reply = await programmes_card(world, "U03")
    assert buttons(reply) == [] and PROGRAMME in reply["text"]
    forged = {"action_id": "ct|programme_form|0", "value": "1"}
    await world.interact(click(world, "U03", forged, "trigger-forged"))
    assert world.slack.calls_to("views.open") == []
    refusal = world.slack.calls_to("chat.postMessage", ok_only=True)[-1].args["text"]
    assert "Only coordinators" in refusal


async def test_the_home_pause_button_names_its_programme(world: Harness) -> None:
    with world.db.session() as session:
        programme_id = session.exec(select(Programme.id)).one()
    home = await open_home(world, "U03")
    (pause,) = [
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "ct|pause|0"
    ]
    assert pause["value"] == f"4:{programme_id}"
    payload = fixture("block_actions_home.json")
    payload["user"].update(id="U03", username="u03", name="u03")
    payload["actions"][0].update(action_id="ct|pause|0", value=pause["value"])
    await world.interact(payload)
    published = world.slack.calls_to("views.publish", ok_only=True)[-1].args["view"]
    values = [
        e.get("value") for b in published["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert f"--programme {PROGRAMME}" in values  # the resume button, now that they paused
    with world.db.session() as session:
        membership = session.exec(
            select(Membership).where(Membership.person_id == world.person("u03").id)
        ).one()
    assert membership.status == MembershipStatus.PAUSED
