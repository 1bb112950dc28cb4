"""Messages that could not be delivered, told to the programme's coordinators once."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from bot import accounts
from bot.db.models import Outbox, OutboxState
from bot.events import Message, Text
from bot.outbox import queue
from bot.templates import Prompts

REPORT_KIND = "delivery_report"


def failed_deliveries(session: Session, programme_id: int) -> list[Outbox]:
    """What could not be delivered, for the coordinator."""
    return list(
        session.exec(
            select(Outbox).where(
                Outbox.programme_id == programme_id, Outbox.state == OutboxState.FAILED
            )
        ).all()
    )


def _names(session: Session, platform: str, workspace: str, user_ids: list[str]) -> list[str]:
    from bot.usecases.common import display_name

    names = []
    for user_id in user_ids:
        person = accounts.person_of_user(session, platform, workspace, user_id)
        names.append(display_name(person) if person is not None else user_id)
    return names


def queue_failure_reports(session: Session, now: datetime, prompts: Prompts) -> int:
    """Tell each programme's coordinators, once, about messages that could not be delivered."""
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.state == OutboxState.FAILED,
            col(Outbox.reported_at).is_(None),
            Outbox.kind != REPORT_KIND,
            col(Outbox.programme_id).is_not(None),
        )
        .order_by(col(Outbox.id))
    ).all()
    by_programme: dict[int, list[Outbox]] = {}
    for row in rows:
        assert row.programme_id is not None
        by_programme.setdefault(row.programme_id, []).append(row)
    queued = 0
    for programme_id, failed in by_programme.items():
        names = sorted(
            {
                name
                for row in failed
                for name in _names(session, row.platform, row.workspace, json.loads(row.recipients))
            }
        )
        reasons = sorted({(row.last_error or "unknown").split(":")[0][:80] for row in failed})
        text = prompts.render("delivery_failed", count=len(failed), names=names, reasons=reasons)
        coordinators = accounts.coordinator_accounts(session, programme_id)
        seen: set[int] = set()
        last = failed[-1].id
        for account in coordinators:
            if account.person_id in seen:
                continue
            seen.add(account.person_id)
            queued += queue(
                session,
                now,
                key=f"{REPORT_KIND}:{programme_id}:{last}:{account.person_id}",
                platform=account.platform,
                workspace=account.workspace,
                recipients=[account.user_id],
                kind=REPORT_KIND,
                message=Message((Text(text),)),
                programme_id=programme_id,
            )
        for row in failed:
            row.reported_at = now
            session.add(row)
    return queued
