"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401
from bot.db.session import Database, needs_upgrade, upgrade


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """The Slack adapter keeps private tables (slack_sdk's OAuth stores) that it
    creates itself when mounted; the core's schema is everything else."""
    table = getattr(obj, "table", obj) if type_ != "table" else obj
    table_name = getattr(table, "name", name) or ""
    return not (reflected and compare_to is None and table_name.startswith("slack_"))


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_up_to_date(db: Database) -> None:
    assert not needs_upgrade(db.engine)
    upgrade(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert {"person", "programme", "tie", "outbox", "auditlog"} <= tables
    assert "apscheduler_jobs" not in tables  # the scheduler keeps its jobs in memory
