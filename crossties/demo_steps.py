"""Next small steps in the demo: some groups that met agree one (typed as `step <words>`, as
people do in chat), the scheduler's due-work step asks "did it happen?" after the follow-up
delay, and the answers are the buttons on that question. Some steps taken lead to logging
working together, so ties reach every stage of the funnel."""

from __future__ import annotations

import random

from adapters.local.runtime import LocalRuntime
from bot.events import Card
from bot.usecases.next_steps import STEP_CHECK

STEPS = (
    "Share the discharge checklist with the ward",
    "Invite the district nurses to Tuesday's frailty huddle",
    "Swap contact lists for weekend escalations",
    "Shadow a reablement visit together",
    "Draft a one-page referral guide for carers",
    "Book a joint case review for a shared patient",
    "Send the falls pathway to the practice team",
    "Agree who calls the family after a hospice referral",
)
AGREE = 0.45  # of groups that met
HAPPENED = 0.65  # of steps asked about
COLLABORATE = 0.4  # of steps taken that go on to working together


async def agree_step(runtime: LocalRuntime, user_id: str, rng: random.Random) -> bool:
    """Perhaps agree a next step for the user's latest group (which has just met)."""
    if rng.random() >= AGREE:
        return False
    reply = await runtime.say(user_id, f"step {rng.choice(STEPS)}")
    return reply.refused is None


async def answer_step_checks(
    runtime: LocalRuntime, since: int, rng: random.Random, deeds: tuple[str, ...]
) -> tuple[int, int, int]:
    """Answer the "did it happen?" questions delivered after position `since`: one member
    of each group answers for it. Returns (asked, taken, went on to collaborate)."""
    asked = taken = collaborating = 0
    answered: set[str] = set()
    for delivered in runtime.platform.delivered[since:]:
        card = delivered.message.parts[0]
        if not delivered.key.startswith(f"{STEP_CHECK}:") or not isinstance(card, Card):
            continue
        introduction = delivered.key.split(":")[1]
        if introduction in answered or len(card.buttons) < 2:
            continue
        answered.add(introduction)
        asked += 1
        user = delivered.recipients[0]
        happened = rng.random() < HAPPENED
        button = card.buttons[0] if happened else card.buttons[1]
        await runtime.press(user, button.action, button.value)
        if not happened:
            continue
        taken += 1
        partners = [
            r
            for d in runtime.platform.delivered[since:]
            if d.key.startswith(f"{STEP_CHECK}:{introduction}:")
            for r in d.recipients
            if r != user
        ]
        if partners and rng.random() < COLLABORATE:
            await runtime.say(user, f"log @{partners[0]} {rng.choice(deeds)}")
            collaborating += 1
    return asked, taken, collaborating
