"""A per-programme lock, so that two runs of one programme's round never overlap.

PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback). SQLite: a
write to the programme row, which takes SQLite's single write lock for the rest of the
transaction; call it first in the transaction so that nothing read before it goes stale.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

PROGRAMME_LOCKS = 0x43540001  # advisory lock namespace: programmes
SCHEDULER_LOCK = (0x43540002, 1)  # the one scheduler among several servers
WORKER_LOCKS = 0x43540003  # one per live delivery process


def lock_programme(session: Session, programme_id: int) -> None:
    """Block until no other transaction holds this programme; held until this one ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :id)"),
            {"ns": PROGRAMME_LOCKS, "id": programme_id},
        )
    else:
        session.execute(
            text("UPDATE programme SET paused = paused WHERE id = :id"), {"id": programme_id}
        )
