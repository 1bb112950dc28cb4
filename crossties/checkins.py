"""`crossties checkins send`: send early what would be due by a given time.

The check-ins, nudges and follow-ups, the circles' check-ins and the next steps' "did it
happen?" are queued by the use case the scheduler's due-work job and the chat command
`checkins send` run (bot.usecases.due_queue.queue_due), told to look ahead to `at`, then
delivered here with the senders `crossties serve` uses. A platform this process cannot send
to (Slack without its settings, Teams without credentials away from a loopback address) keeps
its rows queued for `crossties serve`. Idempotent: each question is marked asked and the
outbox keys are unique, so a second run sends nothing twice.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select

from bot.db.models import Outbox, OutboxState
from bot.delivery import Delivery, DeliveryStats, PlatformSender, Scope
from bot.leader import Presence
from bot.usecases.checkin_queue import CHECKIN_KINDS, FOLLOW_UP_KINDS, NUDGE_KINDS
from bot.usecases.circle_forming import CIRCLE_CHECKIN
from bot.usecases.common import require_id, resolve_programme
from bot.usecases.due_queue import SEND_EARLY_KINDS, queue_due
from bot.usecases.next_steps import STEP_CHECK

if TYPE_CHECKING:
    from crossties.wiring import Basics

__all__ = [
    "CHECKIN_KINDS",
    "CIRCLE_CHECKIN",
    "FOLLOW_UP_KINDS",
    "NUDGE_KINDS",
    "STEP_CHECK",
    "CheckinsSent",
    "send_due_checkins",
]


@dataclass
class CheckinsSent:
    programme: str
    due_by: datetime
    now: datetime
    queued: int = 0  # newly queued by this run
    sent: Counter[str] = field(default_factory=Counter)  # by outbox kind
    waiting: int = 0  # still queued, for `crossties serve`
    waiting_platforms: tuple[str, ...] = ()
    failed: int = 0

    def sent_of(self, kinds: tuple[str, ...]) -> int:
        return sum(self.sent[kind] for kind in kinds)


def send_due_checkins(base: Basics, programme: str | None, due_by: datetime | None) -> CheckinsSent:
    now = base.clock.now()
    at = due_by or now
    with base.db.session() as session:
        found = resolve_programme(session, programme)
        programme_id = require_id(found.id)
        queued = sum(
            queue_due(session, now, base.prompts, due_by=at, programme_id=programme_id).values()
        )
    result = CheckinsSent(found.name, at, now, queued)
    platforms = _platforms_due(base, programme_id, now)
    senders = _senders(base, platforms)
    if senders:
        stats = asyncio.run(
            _deliver(base, senders, Scope(SEND_EARLY_KINDS, programme_id, tuple(senders)))
        )
        result.failed = stats.failed
    with base.db.session() as session:
        for kind, n in session.exec(
            select(Outbox.kind, func.count())
            .where(
                col(Outbox.kind).in_(SEND_EARLY_KINDS),
                Outbox.programme_id == programme_id,
                Outbox.state == OutboxState.SENT,
                col(Outbox.sent_at) >= now,
            )
            .group_by(Outbox.kind)
        ).all():
            result.sent[kind] = int(n)
        waiting = session.exec(
            select(Outbox.platform, func.count())
            .where(
                col(Outbox.kind).in_(SEND_EARLY_KINDS),
                Outbox.programme_id == programme_id,
                col(Outbox.state).in_([OutboxState.PENDING, OutboxState.SENDING]),
            )
            .group_by(Outbox.platform)
        ).all()
    result.waiting = sum(int(n) for _, n in waiting)
    result.waiting_platforms = tuple(sorted(platform for platform, _ in waiting))
    return result


def _platforms_due(base: Basics, programme_id: int, now: datetime) -> set[str]:
    with base.db.session() as session:
        return set(
            session.exec(
                select(Outbox.platform)
                .where(
                    col(Outbox.kind).in_(SEND_EARLY_KINDS),
                    Outbox.programme_id == programme_id,
                    Outbox.state == OutboxState.PENDING,
                    col(Outbox.next_try_at) <= now,
                )
                .distinct()
            ).all()
        )


def _senders(base: Basics, platforms: set[str]) -> dict[str, PlatformSender]:
    """The senders `crossties serve` would use, built only for the platforms with work.
    Slack and Teams need the whole core (their adapters hold it), so they are built last."""
    senders: dict[str, PlatformSender] = {}
    if "local" in platforms:
        from adapters.local.platform import LocalPlatform

        senders["local"] = LocalPlatform()
    settings = base.settings
    slack = "slack" in platforms and settings.slack_enabled and settings.slack_problem() is None
    teams = "teams" in platforms and (bool(settings.microsoft_app_id) or settings.host_is_loopback)
    if slack or teams:
        from aiohttp import web

        from crossties.wiring import build

        services = build(settings, clock=base.clock)
        if slack:
            from adapters.slack.app import mount_slack

            senders["slack"] = mount_slack(web.Application(), services)
        if teams:
            from adapters.teams.app import build_teams

            senders["teams"] = build_teams(services).sender
    return senders


async def _deliver(base: Basics, senders: dict[str, PlatformSender], scope: Scope) -> DeliveryStats:
    """Send until nothing in scope is due now. Rows are claimed under a live owner, so a
    server delivering beside this command never takes them over while they are sent."""
    owner = random.SystemRandom().randrange(1, 2**31 - 1)
    presence = Presence(base.db, owner)
    await presence.start()
    total = DeliveryStats()
    try:
        delivery = Delivery(
            base.db,
            senders,
            base.clock,
            owner=owner,
            concurrency=base.settings.delivery_concurrency,
            scope=scope,
        )
        while True:
            stats = await delivery.run_pass()
            total.add(stats)
            if stats.total == 0:
                return total
    finally:
        await presence.stop()
