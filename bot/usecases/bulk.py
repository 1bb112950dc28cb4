"""Set-based writes for the use cases that touch many rows at once (roster import, rounds).

Many rows go to the database in one statement per table: PostgreSQL gets them by `COPY`,
SQLite by one `executemany`. Row ids are reserved up front (a sequence on PostgreSQL; the
table's highest id on SQLite, read while this transaction holds SQLite's one write lock), so
the rows that point at each other can be written without reading anything back.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

T = TypeVar("T")
CHUNK = 10_000  # values in one `IN (…)`: well inside SQLite's and PostgreSQL's limits


class ProgressCallback(Protocol):
    """Told how far a long step has gone: `step` names it, `total` is None while unknown."""

    def __call__(self, step: str, done: int, total: int | None) -> None: ...


def no_progress(step: str, done: int, total: int | None) -> None:
    """The callback used when nobody is watching."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """A bulk step makes hundreds of thousands of small objects that all live to its end;
    the cyclic garbage collector would scan them again and again for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in(
    session: Session, template: str, values: Sequence[Any], fixed: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """Rows of `template` for a long list of values, a chunk at a time, as plain driver SQL
    (no statement to compile per chunk). `{p}` marks each fixed parameter, `{values}` the list.
    """
    mark = "%s" if is_postgresql(session) else "?"
    connection = session.connection()
    found: list[tuple[Any, ...]] = []
    for chunk in chunked(values):
        sql = template.replace("{p}", mark).replace("{values}", ", ".join([mark] * len(chunk)))
        found.extend(tuple(r) for r in connection.exec_driver_sql(sql, (*fixed, *chunk)).all())
    return found


def table_of(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def reserve_ids(session: Session, model: type[SQLModel], count: int) -> list[int]:
    """`count` fresh ids for `model`'s table, for rows this transaction is about to write.

    On SQLite the caller must already hold the write lock (`lock_programme` takes it), so that
    the highest id read here stays the highest until the transaction ends.
    """
    if count == 0:
        return []
    name = table_of(model).name
    if is_postgresql(session):
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": name, "n": count},
        ).all()
        return [int(r[0]) for r in rows]
    highest = session.execute(text(f'SELECT coalesce(max(id), 0) FROM "{name}"')).scalar_one()
    return list(range(int(highest) + 1, int(highest) + 1 + count))


def write_rows(
    session: Session,
    model: type[SQLModel],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    on_conflict_ignore: bool = False,
) -> int:
    """Insert many rows in one statement; returns how many were stored.

    With `on_conflict_ignore`, rows that clash with a unique key are skipped (executemany
    with `ON CONFLICT DO NOTHING` on both databases) instead of failing the transaction.
    """
    if not rows:
        return 0
    table = table_of(model)
    connection = session.connection()
    names = ", ".join(f'"{c}"' for c in columns)
    if is_postgresql(session) and not on_conflict_ignore:
        driver = connection.connection.driver_connection
        assert driver is not None
        sql = f'COPY "{table.name}" ({names}) FROM STDIN'
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    marks = ", ".join(_placeholders(session, len(columns)))
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    if on_conflict_ignore:
        sql += " ON CONFLICT DO NOTHING"
    if not is_postgresql(session):
        rows = _sqlite_values(session, table, columns, rows)
    cursor = connection.exec_driver_sql(sql, list(rows))
    stored = cursor.rowcount
    return int(stored) if stored is not None and stored >= 0 else len(rows)


def _placeholders(session: Session, count: int) -> list[str]:
    return ["%s" if is_postgresql(session) else "?"] * count


def _sqlite_values(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Values stored exactly as the ORM stores them on SQLite (timestamps as naive UTC text):
    each column's own conversion, done once per distinct value."""
    dialect = session.get_bind().dialect
    converters: dict[int, Callable[[Any], Any]] = {}
    for index, name in enumerate(columns):
        processor = table.c[name].type._cached_bind_processor(dialect)
        if processor is not None:
            converters[index] = _memoised(processor)
    if not converters:
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        values = list(row)
        for index, convert in converters.items():
            values[index] = convert(values[index])
        out.append(tuple(values))
    return out


def _memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = convert(value)
        return found

    return once
