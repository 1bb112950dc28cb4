"""The demo's problem circle: a coordinator opens a topic on weekend discharges, members
sign up with the Join button on its card, the circles form at the chosen time (through the
scheduler's due-work step) and their members check in a week later. Circles that met agree
one next step (typed as `step <words>`, as people do in chat) and are asked "did it happen?"
after the programme's follow-up delay."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rich.console import Console
from sqlmodel import col, select

from adapters.local.runtime import LocalRuntime
from bot import accounts
from bot.app import Services
from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.circle_models import Circle, CircleMember, CircleTopic
from bot.db.models import Answer, Organisation, Person, Programme
from bot.events import Card
from bot.formatting import count, date_words
from bot.scheduling.circles import form_due_circles
from bot.usecases.due_queue import queue_due
from bot.usecases.next_steps import STEP_CHECK
from bot.usecases.programmes import RosterRow

TITLE = "Discharge to assess: delays at weekends"
DESCRIPTION = (
    "People well enough to leave hospital on a Friday often wait until Monday or Tuesday for "
    "a care package, equipment or a word with their carer. Where does the weekend stall, seen "
    "from each side?"
)
AFFECTED = (
    "Northfield Hospitals NHS Trust",
    "Northfield Adult Social Care",
    "Pennine Community Health",
    "Carers' Centre",
)

SHOWN = 2  # circles printed in full
CIRCLE_STEPS = (
    "Trial a Friday-noon call between the ward and the reablement team",
    "Map who can order equipment at weekends, and share the list",
    "Ask carers what a good Friday discharge needs, and bring it back",
    "Pilot one shared weekend discharge checklist on two wards",
)
CIRCLE_STEP_AGREE = 0.9  # of circles where someone said they met
CIRCLE_STEP_HAPPENED = 0.75  # of steps asked about


@dataclass
class CircleLog:
    invited: int = 0
    signed_up: int = 0
    circles: list[list[str]] = field(default_factory=list)  # "Name (role, organisation)"
    unplaced: int = 0
    met: int = 0
    not_yet: int = 0
    steps_agreed: int = 0
    steps_taken: int = 0
    steps: list[str] = field(default_factory=list)  # the first few steps agreed, as typed


async def simulate_circle(
    services: Services, rows: list[RosterRow], *, start: datetime, seed: int, coordinator: str
) -> CircleLog:
    clock = ManualClock(start)
    core = Crossties(services.db, clock, services.prompts)
    runtime = LocalRuntime(core, "demo")
    rng = random.Random(seed)
    log = CircleLog()
    forms = (start + timedelta(days=7)).date()
    await runtime.say(
        coordinator,
        f"circle open {TITLE} | {DESCRIPTION} | {', '.join(AFFECTED)} | {date_words(forms)} 10:00",
    )
    await runtime.deliver()
    invites = [d for d in runtime.platform.delivered if d.key.startswith("circle_invite:")]
    log.invited = len(invites)
    organisation = {row.external_id: row.organisation for row in rows}
    for invite in invites:
        user = invite.recipients[0]
        where = organisation.get(user)
        keen = (0.4 if where == AFFECTED[0] else 0.75) if where in AFFECTED else 0.2
        card = invite.message.parts[0]
        if rng.random() < keen and isinstance(card, Card) and card.buttons:
            await runtime.press(user, card.buttons[0].action, card.buttons[0].value)
            log.signed_up += 1
    clock.advance(timedelta(days=7, hours=2))
    form_due_circles(services.db, clock.now(), services.prompts, actor="demo")
    await runtime.deliver()
    with services.db.session() as session:
        seated = session.exec(
            select(col(Circle.number), col(Person.name), col(Person.role), col(Organisation.name))
            .join(CircleMember, col(CircleMember.circle_id) == col(Circle.id))
            .join(Person, col(Person.id) == col(CircleMember.person_id))
            .join(Organisation, col(Organisation.id) == col(Person.organisation_id))
            .join(CircleTopic, col(CircleTopic.id) == col(Circle.topic_id))
            .join(Programme, col(Programme.id) == col(CircleTopic.programme_id))
            .where(Programme.is_demo == True)  # noqa: E712
            .order_by(col(Circle.number), col(Person.id))
        ).all()
    circles: dict[int, list[str]] = {}
    for number, name, role, where in seated:
        circles.setdefault(number, []).append(f"{name} ({role}, {where})")
    log.circles = list(circles.values())
    log.unplaced = sum(d.key.startswith("circle_unplaced:") for d in runtime.platform.delivered)
    clock.advance(timedelta(days=7))
    with services.db.session() as session:
        queue_due(session, clock.now(), services.prompts)  # the scheduler's due-work step
    await runtime.deliver()
    asked = [d for d in runtime.platform.delivered if d.key.startswith("circle_checkin:")]
    for delivered in asked:
        card = delivered.message.parts[0]
        answer = Answer.MET if rng.random() < 0.8 else Answer.NOT_YET
        for button in card.buttons if isinstance(card, Card) else ():
            if button.value.endswith(f":{answer.value}"):
                await runtime.press(delivered.recipients[0], button.action, button.value)
    with services.db.session() as session:
        answers = session.exec(select(CircleMember.answer)).all()
    log.met = sum(a == Answer.MET for a in answers)
    log.not_yet = sum(a == Answer.NOT_YET for a in answers)
    await _circle_steps(services, runtime, clock, rng, log)
    return log


async def _circle_steps(
    services: Services,
    runtime: LocalRuntime,
    clock: ManualClock,
    rng: random.Random,
    log: CircleLog,
) -> None:
    """One member of each circle that met types its next step; after the follow-up delay
    one member answers "did it happen?" for the circle."""
    with services.db.session() as session:
        met = session.exec(
            select(CircleMember.circle_id, col(CircleMember.person_id))
            .where(CircleMember.answer == Answer.MET)
            .order_by(col(CircleMember.circle_id), col(CircleMember.person_id))
        ).all()
        first: dict[int, int] = {}
        for circle_id, person_id in met:
            first.setdefault(circle_id, person_id)
        speakers = {
            circle_id: account.user_id
            for circle_id, person_id in first.items()
            if (account := accounts.first_reachable(session, person_id)) is not None
        }
    for speaker in speakers.values():
        if rng.random() >= CIRCLE_STEP_AGREE:
            continue
        words = rng.choice(CIRCLE_STEPS)
        reply = await runtime.say(speaker, f"step {words}")
        if reply.refused is None:
            log.steps_agreed += 1
            log.steps.append(words)
    clock.advance(timedelta(days=7))  # the programme's follow-up delay
    since = len(runtime.platform.delivered)
    with services.db.session() as session:
        queue_due(session, clock.now(), services.prompts)
    await runtime.deliver()
    answered: set[str] = set()
    for delivered in runtime.platform.delivered[since:]:
        card = delivered.message.parts[0]
        if not delivered.key.startswith(f"circle_{STEP_CHECK}:") or not isinstance(card, Card):
            continue
        circle = delivered.key.split(":")[1]
        if circle in answered or len(card.buttons) < 2:
            continue
        answered.add(circle)
        happened = rng.random() < CIRCLE_STEP_HAPPENED
        button = card.buttons[0] if happened else card.buttons[1]
        await runtime.press(delivered.recipients[0], button.action, button.value)
        log.steps_taken += happened


def print_circle(console: Console, log: CircleLog) -> None:
    console.rule("[bold]Problem circle[/bold]")
    console.print(
        f"[bold]{TITLE}[/bold]: {count(log.invited, 'member')} invited, "
        f"{log.signed_up} signed up, {count(len(log.circles), 'circle')} formed"
        + (f", {log.unplaced} not placed" if log.unplaced else "")
        + f"; check-ins: {log.met} met, {log.not_yet} not yet; "
        f"{count(log.steps_agreed, 'next step')} agreed, {log.steps_taken} taken when asked.",
        highlight=False,
    )
    for number, members in enumerate(log.circles[:SHOWN], start=1):
        console.print(f"  Circle {number}: " + "; ".join(members), highlight=False)
    if len(log.circles) > SHOWN:
        console.print(f"  … and {count(len(log.circles) - SHOWN, 'more circle')}.", highlight=False)
    for words in log.steps[:SHOWN]:
        console.print(f'  A circle\'s next step: "{words}"', highlight=False)
