"""`checkins send --at TIME` (the CLI's own function and the chat command) sends early, through
the same queue as the scheduler, the circles' check-ins and the next steps' "did it happen?"
as well as the pairs' check-ins: what is due by TIME goes, what is due after it waits."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Crossties
from bot.db.models import Outbox, OutboxState
from bot.scheduling.circles import form_due_circles
from bot.scheduling.jobs import due_work
from crossties.checkins import CIRCLE_CHECKIN, STEP_CHECK, send_due_checkins
from crossties.wiring import Basics
from tests.db.test_circles import FORMS, PROGRAMME, build, open_and_join
from tests.fakes import World


def _basics(core: Crossties) -> Basics:
    return Basics(Settings(_env_file=None), core.db, core.prompts, core.clock)  # type: ignore[call-arg]


def _sent(core: Crossties, kind: str) -> list[str]:
    with core.db.session() as session:
        rows = session.exec(
            select(Outbox).where(Outbox.kind == kind, Outbox.state == OutboxState.SENT)
        ).all()
        return sorted(r.recipients for r in rows)


def _queued(core: Crossties, kind: str) -> int:
    with core.db.session() as session:
        return len(session.exec(select(Outbox).where(Outbox.kind == kind)).all())


def test_a_circle_check_in_due_tomorrow_goes_with_checkins_send_at_tomorrow(
    core: Crossties,
) -> None:
    build(core, per_org=2)
    open_and_join(core, 12)
    assert isinstance(core.clock, ManualClock)
    core.clock.set(FORMS)
    assert form_due_circles(core.db, FORMS, core.prompts) == 2
    core.clock.advance(timedelta(days=6))  # the check-in is due tomorrow, a week after forming
    due = FORMS + timedelta(days=7)

    before = send_due_checkins(_basics(core), PROGRAMME, due - timedelta(minutes=1))
    assert before.sent[CIRCLE_CHECKIN] == 0 and _queued(core, CIRCLE_CHECKIN) == 0

    early = send_due_checkins(_basics(core), None, due)
    assert early.sent[CIRCLE_CHECKIN] == 12 and early.failed == 0 and early.waiting == 0
    assert len(_sent(core, CIRCLE_CHECKIN)) == 12
    core.clock.advance(timedelta(minutes=5))
    again = send_due_checkins(_basics(core), PROGRAMME, due + timedelta(days=1))
    assert again.queued == 0 and again.sent[CIRCLE_CHECKIN] == 0  # asked once only
    with core.db.session() as session:  # the scheduler, when the day comes, asks nobody again
        assert due_work(session, due, core.prompts).queued == 0


async def test_a_coordinator_sends_a_circle_check_in_early_from_chat(core: Crossties) -> None:
    runtime = build(core, per_org=2)
    open_and_join(core, 12)
    assert isinstance(core.clock, ManualClock)
    core.clock.set(FORMS)
    form_due_circles(core.db, FORMS, core.prompts)
    core.clock.advance(timedelta(days=6))
    not_yet = await runtime.say("u01", "checkins send at 2026-03-23 09:59")
    assert "circle check-in" not in not_yet.messages[0].plain()
    assert _queued(core, CIRCLE_CHECKIN) == 0
    sent = await runtime.say("u01", "checkins send at 2026-03-23 10:00")
    assert sent.messages[0].plain().endswith("With them: 12 circle check-ins.")
    await runtime.deliver()
    asked = [d for d in runtime.platform.delivered if d.key.startswith("circle_checkin:")]
    assert len(asked) == 12 and "How did your circle go?" in asked[0].message.plain()


async def _agreed_step(world: World) -> tuple[str, str]:
    await world.runtime.say(world.coordinator, "round run")
    await world.runtime.deliver()
    me = world.member
    group = next(d.recipients for d in world.runtime.platform.delivered if me in d.recipients)
    partner = next(r for r in group if r != me)
    await world.runtime.say(me, "met")
    reply = await world.runtime.say(me, "step Share the discharge checklist with the ward")
    assert "I'll ask how it went on Monday 9 March" in reply.messages[0].plain()
    return me, partner


async def test_a_step_check_due_tomorrow_goes_with_checkins_send_at_tomorrow(
    world: World,
) -> None:
    me, partner = await _agreed_step(world)
    clock = world.core.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(days=6))  # asked a week after agreeing: tomorrow, 09:00
    refused = await world.runtime.say(me, "checkins send at 2026-03-09 09:00")
    assert refused.refused == "denied_coordinator" and _queued(world.core, STEP_CHECK) == 0
    early = await world.runtime.say(world.coordinator, "checkins send at 2026-03-09 08:59")
    assert "did it happen" not in early.messages[0].plain()
    assert _queued(world.core, STEP_CHECK) == 0

    due = clock.now() + timedelta(days=1)
    sent = await asyncio.to_thread(send_due_checkins, _basics(world.core), None, due)
    assert sent.sent[STEP_CHECK] == 2 and sent.failed == 0
    assert _sent(world.core, STEP_CHECK) == sorted([f'["{me}"]', f'["{partner}"]'])
    again = await world.runtime.say(world.coordinator, "checkins send at 2026-03-10 09:00")
    assert "did it happen" not in again.messages[0].plain()  # asked once only
    assert _queued(world.core, STEP_CHECK) == 2


async def test_a_coordinator_sends_a_step_check_early_from_chat(world: World) -> None:
    me, partner = await _agreed_step(world)
    assert isinstance(world.core.clock, ManualClock)
    world.core.clock.advance(timedelta(days=6))
    sent = await world.runtime.say(world.coordinator, "checkins send at 2026-03-09 09:00")
    assert sent.messages[0].plain().endswith("With them: 2 “did it happen?” questions.")
    await world.runtime.deliver()
    asked = [d for d in world.runtime.platform.delivered if d.key.startswith(f"{STEP_CHECK}:")]
    assert sorted(d.recipients[0] for d in asked) == sorted([me, partner])
    assert "Share the discharge checklist with the ward" in asked[0].message.plain()
