"""Shared fixtures. Database tests run once per configured backend (SQLite and PostgreSQL).

`CROSSTIES_TEST_DATABASES` chooses backends (default "sqlite,postgresql");
`CROSSTIES_TEST_POSTGRES_URL` points at a server (default: local trust auth, database `test`).
PostgreSQL tests are skipped only when no server is reachable and CI is not set; in CI an
unreachable server fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.core import Crossties
from bot.db.session import Database, normalise_url
from bot.templates import Prompts
from tests import fakes
from tests.pgtools import require_server, scratch_database

# Commands the tests start as processes import this checkout's code, whatever checkout the
# environment's editable install points at.
_ROOT = str(Path(__file__).resolve().parent.parent)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_ROOT, os.environ.get("PYTHONPATH", "")) if p
)

BACKENDS = [
    b.strip()
    for b in os.environ.get("CROSSTIES_TEST_DATABASES", "sqlite,postgresql").split(",")
    if b.strip()
]
POSTGRES_URL = normalise_url(
    os.environ.get("CROSSTIES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database of this test process's own on the PostgreSQL server, dropped at the end."""
    require_server(POSTGRES_URL)
    with scratch_database(POSTGRES_URL, "crossties_test") as url:
        yield url


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the newest revision, copied for each test that needs an
    empty database: migrating costs most of a second, copying a few milliseconds. The copy is
    still opened through `Database`, which checks that its revision is the newest."""
    path = tmp_path_factory.mktemp("template") / "crossties.db"
    Database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "crossties.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
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
