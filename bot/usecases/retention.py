"""Free-text notes are kept only as long as needed: after the retention period they expire.

The fact that two people collaborated (the tie and its dated event, with tags) stays for
the reports; the words they wrote go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col

from bot.db.models import HandledRequest, TieEvent
from bot.usecases.common import audit


def expire_notes(session: Session, now: datetime, retention_days: int) -> int:
    """Blank notes older than `retention_days`; returns how many. Safe to run repeatedly."""
    if retention_days < 1:
        raise ValueError("retention must be at least one day")
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(
        update(TieEvent)
        .where(col(TieEvent.note).is_not(None), col(TieEvent.at) < cutoff)
        .values(note=None)
    )
    expired = int(getattr(result, "rowcount", 0) or 0)
    if expired:
        audit(
            session,
            now,
            "system",
            "notes_expired",
            None,
            count=expired,
            retention_days=retention_days,
        )
    return expired


HANDLED_REQUESTS_KEPT = timedelta(days=1)  # platforms retry within minutes


def prune_handled_requests(session: Session, now: datetime) -> int:
    """Forget which requests were handled once no platform would send them again."""
    result = session.execute(
        delete(HandledRequest).where(col(HandledRequest.at) < now - HANDLED_REQUESTS_KEPT)
    )
    return int(getattr(result, "rowcount", 0) or 0)
