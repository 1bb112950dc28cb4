"""Arrow's CSV reader for large files with nothing wrong in them: the common case, faster.

Each reader here returns None as soon as a file holds anything that a row-by-row reading would
report or read differently (a row with a wrong number of fields, a whitespace-only line, a blank
or unknown id, a round that is not an integer, ...). The caller then reads the file with the csv
module, which finds and words the first problem. Cells are trimmed of exactly the characters
`str.strip` removes, so both readers see the same values. Measured on 500,000 history rows, this
reads a history file about seven times faster than the csv module (benchmarks/match_io.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .columns import HistoryColumns, IntArray
from .csvio import BAD, parse_met, parse_round
from .models import Participant

# Every character for which str.isspace() is true: what str.strip() removes.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

Columns = dict[str, Any]  # column name -> pyarrow ChunkedArray of trimmed strings


def _read(raw: bytes, width: int, include: list[int]) -> Any:
    try:
        return pcsv.read_csv(
            pa.py_buffer(raw),
            read_options=pcsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                include_columns=[f"f{i}" for i in include],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None


def _trim(column: Any) -> Any:
    return pc.utf8_trim(column, characters=WHITESPACE)


def _columns(raw: bytes, header: list[str], position: Mapping[str, int]) -> Columns | None:
    """The columns named in `position` (the first one required), header row and rows of blank
    fields dropped; None if Arrow cannot read the file the way the csv module does."""
    width = len(header)
    table = _read(raw, width, list(position.values()))
    if table is None or table.num_rows == 0:
        return None
    cols: Columns = {}
    for name, i in position.items():
        column = _trim(table.column(f"f{i}"))
        if str(column[0].as_py()).lower() != name:  # Arrow's header row must be the csv one
            return None
        cols[name] = column
    key = next(iter(cols.values()))
    if _any_blank(key.slice(1)):  # perhaps rows of blank fields: the csv reading skips them
        every = _read(raw, width, list(range(width)))
        if every is None:
            return None
        blank = pc.equal(key, "")
        for column in every.columns:
            blank = pc.and_(blank, pc.equal(_trim(column), ""))
        keep = pc.invert(blank)
        cols = {name: column.filter(keep) for name, column in cols.items()}
    return {name: column.slice(1) for name, column in cols.items()}


def _any_blank(column: Any) -> bool:
    return len(column) > 0 and bool(pc.any(pc.equal(column, "")).as_py())


def _codes(column: Any) -> tuple[list[str], IntArray]:
    """Distinct values of a column, and each cell's position among them."""
    distinct = pc.unique(column)
    codes = pc.index_in(column, value_set=distinct).to_numpy()
    return distinct.to_pylist(), np.asarray(codes, dtype=np.int64)


def _shared(column: Any, blank: str | None) -> list[Any]:
    """The cells as Python strings, one object per distinct value (`blank` for an empty one)."""
    distinct, codes = _codes(column)
    values = np.empty(len(distinct), dtype=object)
    values[:] = [v or blank for v in distinct]
    return values[codes].tolist()  # type: ignore[no-any-return]


def read_people(
    raw: bytes, header: list[str], position: Mapping[str, int]
) -> list[Participant] | None:
    wanted = {c: position[c] for c in ("id", "organisation", "role", "timezone") if c in position}
    cols = _columns(raw, header, wanted)
    if cols is None:
        return None
    ids, orgs = cols["id"], cols["organisation"]
    if _any_blank(ids) or _any_blank(orgs) or pc.count_distinct(ids).as_py() != len(ids):
        return None
    none = [None] * len(ids)
    roles = _shared(cols["role"], None) if "role" in cols else none
    zones = _shared(cols["timezone"], None) if "timezone" in cols else none
    return list(map(Participant, ids.to_pylist(), _shared(orgs, ""), roles, zones))


def _per_value(column: Any, parse: Callable[[str], int]) -> IntArray | None:
    """Each distinct cell parsed once; None if one does not parse."""
    distinct, codes = _codes(column)
    parsed = np.fromiter(map(parse, distinct), dtype=np.int64, count=len(distinct))
    if (parsed == BAD).any():
        return None
    return parsed[codes]


def _people_index(a: Any, b: Any, people: Any) -> tuple[IntArray, IntArray] | None:
    """Both id columns looked up in one pass (one hash table of the people's ids)."""
    found = pc.index_in(pa.chunked_array(a.chunks + b.chunks, type=pa.string()), value_set=people)
    if found.null_count:
        return None
    both = np.asarray(found.to_numpy(), dtype=np.int64)
    return both[: len(a)], both[len(a) :]


def read_history(
    raw: bytes, header: list[str], position: Mapping[str, int], ids: Sequence[str]
) -> HistoryColumns | None:
    names = ("round", "person_a", "person_b", "met")
    cols = _columns(raw, header, {c: position[c] for c in names if c in position})
    if cols is None:
        return None
    people = pa.array(ids, type=pa.string())
    pairs = _people_index(cols["person_a"], cols["person_b"], people)
    rounds = _per_value(cols["round"], parse_round)
    met = _per_value(cols["met"], parse_met) if "met" in cols else np.ones(len(cols["round"]))
    if pairs is None or rounds is None or met is None or bool((pairs[0] == pairs[1]).any()):
        return None
    return HistoryColumns(ids, rounds, pairs[0], pairs[1], met.astype(np.bool_))
