"""Gallery samples for problem circles: the topic card (the invitation with its Join
button), the message a formed circle gets, and the circle's check-in, on both platforms.

Made as a person meets them: the coordinator opens a topic in chat, members press Join, the
scheduler's due-work step forms the circles and queues the check-ins, and the messages are
read back from the outbox and drawn by the adapters' renderers.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.events import Card, Message
from bot.outbox import decode_message
from bot.scheduling.circles import form_due_circles
from bot.usecases.circle_forming import queue_due_circle_checkins
from tests.gallery.samples import (
    ORGANISATIONS,
    PEOPLE,
    PlatformName,
    Shot,
    build_world,
    chat,
    slack_message,
    teams_activities,
    user_id,
)

TITLE = "Discharge to assess: delays at weekends"
DESCRIPTION = (
    "People well enough to leave hospital on a Friday often wait until Monday or Tuesday for "
    "a care package, equipment or a word with their carer. Where does the weekend stall, seen "
    "from each side?"
)
AFFECTED = (ORGANISATIONS[0], ORGANISATIONS[2], ORGANISATIONS[3], ORGANISATIONS[5])
PHONE = frozenset({"circle-topic", "circle-formed", "circle-checkin"})


async def circle_shots(directory: Path, platform: PlatformName) -> list[Shot]:
    world = await build_world(directory, f"circle-{platform}", [platform] * len(PEOPLE))
    coordinator = user_id(platform, 0)
    await world.say(
        coordinator,
        f"circle open {TITLE} | {DESCRIPTION} | {', '.join(AFFECTED)} | 9 March 2026 10:00",
    )
    shots: list[Shot] = []
    invite = world.outbox("circle_invite")[1]
    card = next(p for p in decode_message(invite.payload).parts if isinstance(p, Card))
    for index in range(len(PEOPLE)):
        await world.press(user_id(platform, index), card.buttons[0].action, card.buttons[0].value)
    shots += _shot("circle-topic", platform, decode_message(invite.payload), "Direct message")
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=7, hours=2))
    form_due_circles(world.core.db, clock.now(), world.core.prompts)
    formed = world.outbox("circle")[0]
    names = ", ".join(world.names[str(r)] for r in _recipients(formed.recipients))
    shots += _shot("circle-formed", platform, decode_message(formed.payload), f"Group DM · {names}")
    clock.advance(timedelta(days=7))
    with world.core.db.session() as session:
        queue_due_circle_checkins(session, clock.now(), world.core.prompts)
    asked = world.outbox("circle_checkin")[0]
    shots += _shot("circle-checkin", platform, decode_message(asked.payload), "Direct message")
    return shots


def _recipients(text: str) -> list[str]:
    return [str(r) for r in json.loads(text)]


def _shot(kind: str, platform: PlatformName, message: Message, where: str) -> list[Shot]:
    if platform == "slack":
        return [Shot(kind, "slack", slack_message(message, where=where))]
    payload = chat(teams_activities(message))
    shots = [Shot(kind, "teams", payload)]
    if kind in PHONE:
        shots.append(Shot(kind, "teams", payload, variant="phone"))
    return shots
