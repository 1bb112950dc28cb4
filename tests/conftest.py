"""Shared fixtures. Database tests run once per configured backend (SQLite and PostgreSQL).

`CROSSTIES_TEST_DATABASES` chooses backends (default "sqlite,postgresql");
`CROSSTIES_TEST_POSTGRES_URL` points at a server (default: local trust auth, database `test`).
PostgreSQL tests are skipped only when no server is reachable and CI is not set; in CI an
unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.session import Database, normalise_url
from bot.templates import Prompts
from tests import fakes

BACKENDS = [
    b.strip()
    for b in os.environ.get("CROSSTIES_TEST_DATABASES", "sqlite,postgresql").split(",")
    if b.strip()
]
POSTGRES_URL = normalise_url(
    os.environ.get("CROSSTIES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)


def _postgres_admin_url() -> str:
    return POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database of this test process's own on the PostgreSQL server, dropped at the end."""
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable ({type(exc).__name__})")
    name = f"crossties_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                )
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


_SCHEMA_READY: dict[str, Database] = {}


def _fresh_postgres(url: str) -> Database:
    database = _SCHEMA_READY.get(url)
    if database is None:
        database = Database(url)
        _SCHEMA_READY[url] = database
    from sqlalchemy import inspect

    with database.engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
    with database.engine.begin() as connection:
        if tables:
            connection.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
    return database


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'crossties.db'}")
        yield database
        database.dispose()
    elif request.param == "postgresql":
        url = request.getfixturevalue("postgres_server")
        yield _fresh_postgres(url)
    else:
        raise ValueError(f"unknown backend {request.param}")


@pytest.fixture
def clock() -> ManualClock:
    return fakes.clock()


@pytest.fixture(scope="session")
def prompts() -> Prompts:
    return Prompts()


@pytest.fixture
def core(db: Database, clock: ManualClock, prompts: Prompts) -> Crossties:
    return Crossties(db, clock, prompts)


@pytest.fixture
def world(core: Crossties) -> fakes.World:
    """A programme of five organisations and twelve people on the local platform."""
    return fakes.build_world(core)
