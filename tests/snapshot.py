"""A fingerprint of everything stored, to prove that bad input changes nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, inspect, select

from bot.db.session import Database

_REFLECTED: dict[tuple[str, tuple[str, ...]], MetaData] = {}


def _metadata(db: Database) -> MetaData:
    """The stored tables, reflected once per backend and set of table names (reflecting every
    column of every table costs a quarter of a second; the schema of a test database is the
    newest revision's unless a migration test changes it, which changes the names)."""
    names = tuple(sorted(inspect(db.engine).get_table_names()))
    key = (db.dialect, names)
    if key not in _REFLECTED:
        metadata = MetaData()
        metadata.reflect(db.engine)
        _REFLECTED[key] = metadata
    return _REFLECTED[key]


def fingerprint(db: Database, *, skip: tuple[str, ...] = ("auditlog",)) -> dict[str, str]:
    metadata = _metadata(db)
    out: dict[str, str] = {}
    with db.engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in skip:
                continue
            rows = connection.execute(select(table)).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            out[name] = f"{len(rows)}:{digest[:16]}"
    return out
