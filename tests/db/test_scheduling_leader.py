"""Leader election on the database: one leader, a lost connection steps down, SQLite leads alone."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db.session import Database
from bot.leader import Leadership, Presence


class Events:
    def __init__(self) -> None:
        self.log: list[str] = []

    async def elected(self) -> None:
        self.log.append("elected")

    async def deposed(self) -> None:
        self.log.append("deposed")


async def test_one_leader_and_a_lost_connection_steps_down(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several servers share PostgreSQL only")
    first, second = Presence(db, owner=501), Presence(db, owner=502)
    await first.start()
    await second.start()
    a, b = Events(), Events()
    lead_a = Leadership(first, a.elected, a.deposed)
    lead_b = Leadership(second, b.elected, b.deposed)
    try:
        assert await lead_a.step() is True
        assert await lead_b.step() is False
        assert await lead_a.step() is True  # keeps leading without electing again
        assert (a.log, b.log) == (["elected"], [])
        # the leader's dedicated connection is cut (database restart, network): it steps
        # down at its next check, and the other process takes over at its next try
        with db.engine.connect() as admin:
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objid = 501"
                )
            )
            admin.commit()
        assert await lead_a.step() is False
        assert a.log == ["elected", "deposed"]
        assert await lead_b.step() is True
        assert b.log == ["elected"]
        assert await lead_a.step() is False  # reconnected, but the lock is taken
    finally:
        await lead_a.stop()
        await lead_b.stop()
        await first.stop()
        await second.stop()


async def test_on_sqlite_the_only_process_leads(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite only")
    presence = Presence(db, owner=9)
    events = Events()
    leadership = Leadership(presence, events.elected, events.deposed)
    assert await leadership.step() is True
    assert presence.is_alive(9) and not presence.is_alive(10)
    await leadership.stop()
    assert events.log == ["elected", "deposed"]


async def test_database_slots_space_calls_across_servers(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several servers share PostgreSQL only")
    from bot.leader import DatabaseSlots

    now = [1000.0]
    one, two = DatabaseSlots(db, clock=lambda: now[0]), DatabaseSlots(db, clock=lambda: now[0])
    waits = [await one.reserve("slack|T1|conversations.open", 1.2)]
    waits.append(await two.reserve("slack|T1|conversations.open", 1.2))
    waits.append(await one.reserve("slack|T1|conversations.open", 1.2))
    assert waits == pytest.approx([0.0, 1.2, 2.4])
    assert await two.reserve("slack|T2|conversations.open", 1.2) == 0.0  # another workspace
    await two.hold("slack|T1|conversations.open", 30)
    assert await one.reserve("slack|T1|conversations.open", 1.2) == pytest.approx(30.0)
    now[0] += 100  # long idle: no debt carried over
    assert await two.reserve("slack|T1|conversations.open", 1.2) == 0.0
