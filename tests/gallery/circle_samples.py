"""Gallery samples for problem circles: a member's proposed topic as its coordinators see
it (Approve / Decline), the topic card (the invitation with its Join button), the message a
formed circle gets (on Teams with the link to a group chat with the others, and an email
link for a member on Slack), the circle's check-in, the thanks for "We met" with "We agreed a
next step", and "did it happen?" about the circle's step, on both platforms.

Made as a person meets them: the coordinator opens a topic in chat, members press Join, the
scheduler's due-work step forms the circles and queues the check-ins, and the messages are
read back from the outbox and drawn by the adapters' renderers.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from adapters.teams.platform import handles_by_person
from adapters.teams.render_intro import with_group_chats
from bot import accounts
from bot.clock import ManualClock
from bot.db.models import Outbox
from bot.db.session import Database
from bot.delivery import group_chat_people
from bot.events import Card, Message
from bot.outbox import decode_message
from bot.scheduling.circles import form_due_circles
from bot.usecases.circle_forming import queue_due_circle_checkins
from bot.usecases.due_queue import queue_due
from bot.usecases.next_steps import STEP_CHECK
from tests.gallery.samples import (
    ORGANISATIONS,
    PEOPLE,
    PlatformName,
    Shot,
    World,
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
PHONE = frozenset({"circle-proposal", "circle-topic", "circle-formed", "circle-checkin"})
CIRCLE_STEP = "Trial a Friday-noon call between the ward and the reablement team"
PROPOSED = "Medicines at discharge"
PROPOSAL = (
    "Patients leave with a new prescription their GP practice and pharmacy hear about days "
    "later. Who needs to know what, and when?"
)


async def circle_shots(directory: Path, platform: PlatformName) -> list[Shot]:
    # on Teams, the last person is on Slack: the circle's card names an email for them
    platforms: list[PlatformName] = [platform] * len(PEOPLE)
    if platform == "teams":
        platforms[-1] = "slack"
    world = await build_world(directory, f"circle-{platform}", platforms)
    coordinator = user_id(platform, 0)
    await world.say(coordinator, "circle proposals on")
    await world.say(
        user_id(platform, 6),
        f"circle propose {PROPOSED} | {PROPOSAL} | {AFFECTED[0]}, {AFFECTED[1]}, "
        f"{ORGANISATIONS[1]} | 16 March 2026 14:00",
    )
    proposal = world.outbox("circle_proposal")[0]
    await world.say(
        coordinator,
        f"circle open {TITLE} | {DESCRIPTION} | {', '.join(AFFECTED)} | 9 March 2026 10:00",
    )
    shots: list[Shot] = []
    shots += _shot("circle-proposal", platform, decode_message(proposal.payload), "Direct message")
    invite = world.outbox("circle_invite")[1]
    card = next(p for p in decode_message(invite.payload).parts if isinstance(p, Card))
    for uid in world.platforms:
        await world.press(uid, card.buttons[0].action, card.buttons[0].value)
    shots += _shot("circle-topic", platform, decode_message(invite.payload), "Direct message")
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=7, hours=2))
    form_due_circles(world.core.db, clock.now(), world.core.prompts)
    here = [r for r in world.outbox("circle") if r.platform == platform]
    formed = next((r for r in here if "on Slack" in r.payload), here[0])
    names = ", ".join(world.names[str(r)] for r in _recipients(formed.recipients))
    message = decode_message(formed.payload)
    where = f"Group DM · {names}" if platform == "slack" else "Direct message"
    if platform == "teams":  # as the Teams sender draws it for its first reader
        message = _for_first_reader(world.core.db, formed, message)
    shots += _shot("circle-formed", platform, message, where)
    clock.advance(timedelta(days=7))
    with world.core.db.session() as session:
        queue_due_circle_checkins(session, clock.now(), world.core.prompts)
    asked = world.outbox("circle_checkin")[0]
    shots += _shot("circle-checkin", platform, decode_message(asked.payload), "Direct message")
    shots += await _circle_step_shots(world, platform, asked)
    return shots


async def _circle_step_shots(world: World, platform: PlatformName, asked: Outbox) -> list[Shot]:
    """ "We met" on the circle's check-in, the step typed, and "did it happen?" a week on."""
    card = next(p for p in decode_message(asked.payload).parts if isinstance(p, Card))
    member = _recipients(asked.recipients)[0]
    met = card.buttons[0]
    thanks = await world.press(member, met.action, met.value)
    shots = _shot("circle-met", platform, thanks[0], "Direct message")
    await world.say(member, f"step {CIRCLE_STEP}")
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    with world.core.db.session() as session:
        queue_due(session, clock.now(), world.core.prompts, due_by=clock.now() + timedelta(days=7))
    check = next(r for r in world.outbox(STEP_CHECK) if r.idempotency_key.startswith("circle_"))
    shots += _shot("circle-step-check", platform, decode_message(check.payload), "Direct message")
    return shots


def _for_first_reader(db: Database, row: Outbox, message: Message) -> Message:
    reader = _recipients(row.recipients)[0]
    with db.session() as session:
        found = accounts.contacts_among(
            session, group_chat_people(message), row.platform, row.workspace, [reader]
        )
    return with_group_chats(message, handles_by_person(found[reader]))


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
