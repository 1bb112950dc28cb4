"""Fixtures for the security tests: the real server with Slack mounted (fake Web API), the
Teams adapter with real RS256 tokens from a local provider, and a scan of every table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import MetaData, select

from bot.clock import ManualClock
from bot.db.session import Database
from bot.templates import Prompts
from tests.adapters.slack.conftest import Harness, build_slack_world, serving
from tests.adapters.teams.conftest import connector, identity, programme, secured  # noqa: F401
from tests.fakes_slack import FakeSlack


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def slack_world(
    db: Database, clock: ManualClock, prompts: Prompts, fake_slack: FakeSlack
) -> AsyncIterator[Harness]:
    """Our server (make_app) with Slack mounted and a partnership of twelve Slack users."""
    async with serving(db, clock, prompts, fake_slack) as harness:
        build_slack_world(harness.services, fake_slack, clock)
        yield harness


def every_stored_value(db: Database) -> dict[str, list[str]]:
    """Every row of every table (ours, and the SDK stores sharing the database), as text."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    out: dict[str, list[str]] = {}
    with db.engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            out[name] = [repr(tuple(row)) for row in connection.execute(select(table)).all()]
    return out


def tables_containing(db: Database, needles: list[str]) -> dict[str, list[str]]:
    """Which tables hold any of `needles` (case-insensitive), with the rows that do."""
    found: dict[str, list[str]] = {}
    lowered = [n.casefold() for n in needles if n]
    for name, rows in every_stored_value(db).items():
        hits = [row for row in rows if any(n in row.casefold() for n in lowered)]
        if hits:
            found[name] = hits
    return found
