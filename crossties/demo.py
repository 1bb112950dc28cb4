"""`crossties demo`: a simulated partnership over several rounds, on the configured database.

Everything goes through the same core, grammar and outbox as real chat, with the local
adapter standing in for Slack and Teams and a clock that moves two weeks a round.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlmodel import select

from adapters.local.runtime import LocalRuntime
from bot import actions
from bot.app import Services
from bot.charts import report_chart
from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.models import Answer, Programme
from bot.events import ActionInvoked, Card, CheckInAnswered, Part
from bot.formatting import count
from bot.reports import build_report, load_report_input
from bot.usecases.due_queue import queue_due
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterRow,
    create_programme,
    delete_programme,
    grant,
    import_roster,
)
from crossties.cli.render import print_report
from crossties.demo_circle import print_circle, simulate_circle
from crossties.demo_steps import agree_step, answer_step_checks

DEMO_PROGRAMME = "Northfield Partnership (demo)"
DEMO_WORKSPACE = "demo"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ROUNDS = 4

ORGANISATIONS = {
    "Northfield Hospitals NHS Trust": (
        "Discharge coordinator",
        "Ward sister",
        "Consultant geriatrician",
        "Occupational therapist",
        "Frailty nurse",
    ),
    "Riverside GP Federation": (
        "GP partner",
        "Practice nurse",
        "Care coordinator",
        "Clinical pharmacist",
        "Social prescriber",
    ),
    "Northfield Adult Social Care": (
        "Social worker",
        "Reablement manager",
        "Commissioning officer",
        "Occupational therapist",
    ),
    "Pennine Community Health": (
        "District nurse",
        "Community matron",
        "Physiotherapist",
        "Speech and language therapist",
    ),
    "St Aidan's Hospice": ("Palliative care nurse", "Family support worker", "Hospice doctor"),
    "Carers' Centre": ("Carers' support worker", "Volunteer coordinator"),
}
SIZES = (13, 10, 9, 8, 5, 4)  # 49 people; the trust is the largest, as in most partnerships
FIRST = (
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Eleanor",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jess",
    "Kwame",
    "Laura",
    "Mo",
    "Niamh",
    "Oliver",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zara",
    "Adam",
    "Bea",
    "Callum",
    "Deepa",
    "Ewan",
    "Fiona",
    "Gareth",
    "Helen",
    "Isla",
    "Jamal",
    "Kate",
    "Liam",
    "Maya",
    "Nadia",
    "Owen",
    "Polly",
    "Raj",
    "Sian",
    "Tom",
    "Ursula",
    "Vik",
    "Will",
    "Yasmin",
    "Zoe",
)
LAST = (
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nwosu",
    "O'Brien",
    "Patel",
    "Quayle",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walker",
    "Young",
)
TAGS = ("#discharge", "#frailty", "#carers", "#end-of-life", "#falls", "#housing", "#referrals")
DEEDS = (
    "set up a joint discharge huddle",
    "shared a referral pathway",
    "ran a carers' drop-in",
    "visited each other's teams",
    "agreed a single contact for escalations",
    "co-wrote a falls leaflet",
    "joined each other's MDT meeting",
)


@dataclass
class RoundLog:
    number: int
    groups: int = 0
    delivered: int = 0
    checkins_sent: int = 0
    met: int = 0
    not_yet: int = 0
    could_not: int = 0
    collaborations: int = 0
    steps_agreed: int = 0
    steps_asked: int = 0
    steps_taken: int = 0
    events: list[str] = field(default_factory=list)


def roster() -> list[RosterRow]:
    rng = random.Random(2026)
    rows: list[RosterRow] = []
    names = [
        f"{first} {last}"
        for first, last in zip(FIRST, rng.sample(LAST * 3, len(FIRST)), strict=False)
    ]
    index = 0
    for (organisation, roles), size in zip(ORGANISATIONS.items(), SIZES, strict=True):
        for k in range(size):
            external_id = f"demo-{index + 1:02d}"
            rows.append(
                RosterRow(
                    line=index + 2,
                    external_id=external_id,
                    name=names[index],
                    organisation=organisation,
                    role=roles[k % len(roles)],
                    email=f"{names[index].lower().replace(' ', '.').replace(chr(39), '')}"
                    "@northfield.example",
                    timezone="Europe/London",
                )
            )
            index += 1
    return rows


def reset_demo(services: Services, now: datetime) -> tuple[Programme, list[RosterRow]]:
    """Replace the demo programme (never duplicate it) and re-import its people."""
    rows = roster()
    with services.db.session() as session:
        for old in session.exec(select(Programme).where(Programme.is_demo == True)).all():  # noqa: E712
            delete_programme(session, old)
        programme = create_programme(
            session,
            now,
            ProgrammeSettings(
                name=DEMO_PROGRAMME,
                organisations=tuple(ORGANISATIONS),
                cadence="fortnightly",
                workspaces=(("local", DEMO_WORKSPACE),),
                is_demo=True,
            ),
            actor="demo",
        )
        import_roster(session, now, programme, rows, actor="demo", local_workspace=DEMO_WORKSPACE)
        from bot.db.models import Person, ProgrammeRoleKind

        coordinator = session.exec(select(Person).where(Person.external_id == "demo-01")).one()
        grant(session, now, programme, coordinator, ProgrammeRoleKind.COORDINATOR, actor="demo")
        grant(session, now, programme, coordinator, ProgrammeRoleKind.LEAD, actor="demo")
    return programme, rows


async def simulate(services: Services, *, seed: int, console: Console) -> list[RoundLog]:
    clock = ManualClock(START)
    core = Crossties(
        services.db,
        clock,
        services.prompts,
        report_min_count=services.settings.min_group_size_for_reports,
    )
    runtime = LocalRuntime(core, DEMO_WORKSPACE)
    _, rows = reset_demo(services, clock.now())
    names = {row.external_id: row.name for row in rows}
    ids = [row.external_id for row in rows]
    rng = random.Random(seed)
    logs: list[RoundLog] = []
    paused_person, leaving_person = ids[20], ids[33]
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Simulating rounds", total=ROUNDS)
        for number in range(1, ROUNDS + 1):
            log = RoundLog(number)
            before = len(runtime.platform.delivered)
            reply = await runtime.say("demo-01", "round run")
            log.events.append(reply.messages[0].plain())
            await runtime.deliver()
            intros = runtime.platform.delivered[before:]
            log.delivered = len(intros)
            log.groups = len(intros)
            if number == 1:
                await runtime.say(paused_person, "pause for 4 weeks")
                log.events.append(f"{names[paused_person]} paused for 4 weeks")
            if number == 2:
                await runtime.say(leaving_person, "leave")
                log.events.append(f"{names[leaving_person]} left the programme")
            clock.advance(timedelta(days=7))
            with services.db.session() as session:
                log.checkins_sent = queue_due(session, clock.now(), services.prompts)["checkin"]
            await runtime.deliver()
            for delivered in intros:
                recipients = list(delivered.recipients)
                card = delivered.message.parts[0]
                roll = rng.random()
                if roll < 0.68:
                    await _answer(runtime, recipients[0], card, Answer.MET)
                    log.met += 1
                    log.steps_agreed += await agree_step(runtime, recipients[0], rng)
                    if rng.random() < 0.3 and len(recipients) >= 2:
                        other = recipients[1]
                        deed = rng.choice(DEEDS)
                        tag = rng.choice(TAGS)
                        await runtime.say(recipients[0], f"log @{other} {deed} {tag}")
                        log.collaborations += 1
                elif roll < 0.85:
                    await _answer(runtime, recipients[0], card, Answer.NOT_YET)
                    log.not_yet += 1
                elif roll < 0.93:
                    await _answer(runtime, recipients[-1], card, Answer.COULD_NOT_MEET)
                    log.could_not += 1
            clock.advance(timedelta(days=7))
            since = len(runtime.platform.delivered)
            with services.db.session() as session:  # nudges, follow-ups, "did it happen?"
                queue_due(session, clock.now(), services.prompts)
            await runtime.deliver()
            asked, taken, collaborating = await answer_step_checks(runtime, since, rng, DEEDS)
            log.steps_asked, log.steps_taken = asked, taken
            log.collaborations += collaborating
            logs.append(log)
            progress.advance(task)
    return logs


def run_demo(services: Services, *, seed: int, png: Path, console: Console) -> None:
    logs = asyncio.run(simulate(services, seed=seed, console=console))
    circle_start = START + timedelta(days=14 * ROUNDS)
    circle = asyncio.run(
        simulate_circle(services, roster(), start=circle_start, seed=seed, coordinator="demo-01")
    )
    console.rule("[bold]Crossties demo: Northfield Partnership[/bold]")
    console.print(
        f"{len(roster())} staff from {len(ORGANISATIONS)} organisations, "
        f"{len(logs)} fortnightly rounds.",
        highlight=False,
    )
    for log in logs:
        console.print(
            f"[bold]Round {log.number}[/bold]: {count(log.groups, 'introduction')} delivered; "
            f"check-ins: {log.met} met, {log.not_yet} not yet, {log.could_not} could "
            f"not meet; {count(log.steps_agreed, 'next step')} agreed, "
            f"{log.steps_taken} of {log.steps_asked} taken when asked; "
            f"{count(log.collaborations, 'collaboration')} logged.",
            highlight=False,
        )
        for event in log.events[1:]:
            console.print(f"  · {event}", highlight=False)
    print_circle(console, circle)
    with services.db.session() as session:
        programme = session.exec(select(Programme).where(Programme.is_demo == True)).one()  # noqa: E712
        report = build_report(
            load_report_input(session, programme),
            min_count=services.settings.min_group_size_for_reports,
        )
    console.rule("[bold]Lead report[/bold]")
    print_report(console, report, services.prompts)
    png.write_bytes(report_chart(report))
    console.print(f"Chart written to {png}", highlight=False)
    console.print(
        "Explore further: [bold]crossties report[/bold], or "
        f'[bold]crossties chat --as "{roster()[0].name}"[/bold].',
        highlight=False,
    )


async def _answer(runtime: LocalRuntime, user_id: str, card: Part, answer: Answer) -> None:
    """Press the check-in button on a delivered introduction that gives this answer."""
    for button in card.buttons if isinstance(card, Card) else ():
        pressed = ActionInvoked(runtime.user(user_id), button.action, button.value)
        decoded = actions.decode(pressed)
        if isinstance(decoded, CheckInAnswered) and decoded.answer == answer:
            await runtime.press(user_id, button.action, button.value)
            return
