"""After "We met" in Slack, the introduction offers "We agreed a next step"; pressing it asks
for the step's one line, and `step <line>` records it for the group."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.db.models import IntroductionChat, NextStep, Tie
from tests.adapters.slack.conftest import Harness
from tests.adapters.slack.test_round import _click, _groups, run_round


async def test_we_met_offers_a_next_step_and_the_step_is_kept_for_the_group(
    world: Harness,
) -> None:
    await run_round(world)
    await world.deliver()
    with world.db.session() as session:
        chat = session.exec(select(IntroductionChat)).first()
        assert chat is not None
    group = next(g for g in _groups(world) if world.slack.conversation_of(g) == chat.channel)
    member = group[0]
    await world.interact(_click(world, member, chat, "not_yet"))
    world.replies("click")
    not_yet = world.slack.calls_to("chat.update", ok_only=True)[-1]
    assert "ct-next-step" not in json.dumps(not_yet.args["blocks"])
    await world.interact(_click(world, member, chat, "met"))
    world.replies("click")
    updated = world.slack.calls_to("chat.update", ok_only=True)[-1]
    offer = [b for b in updated.args["blocks"] if b.get("block_id") == "ct-next-step"]
    assert len(offer) == 1
    button = offer[0]["elements"][0]
    assert button["text"]["text"] == "We agreed a next step"
    press = _click(world, member, chat, "met")
    press["actions"][0]["action_id"] = button["action_id"]
    press["actions"][0].pop("value", None)  # Slack leaves out an empty value
    await world.interact(press)
    asked = world.replies("click")
    assert "Type `step` and one short line" in asked[0]["text"]
    await world.command("step Ann sends the discharge checklist by Friday", user=member)
    noted = world.replies()
    assert 'Noted: "Ann sends the discharge checklist by Friday"' in noted[0]["text"]
    with world.db.session() as session:
        assert session.exec(select(NextStep)).one().introduction_id == chat.introduction_id
        assert "step_agreed" in {t.stage for t in session.exec(select(Tie)).all()}
