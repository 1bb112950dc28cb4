"""CSV front end: people and history files in, groups out.

Files of millions of rows are read as columns. The csv module splits the text a block of rows at
a time; each check then runs over a whole column (ids looked up in one pass, rounds and `met`
parsed once per distinct value), and the history reaches the engine as arrays
(`HistoryColumns`), never as an object per row. The line of a problem is worked out only when
there is one, and problems and their order are those of a row-by-row reading: a row with a wrong
number of fields anywhere in a file is reported before any other problem in that file.
"""

from __future__ import annotations

import csv
import gc
import io
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, NoReturn, TextIO

import numpy as np

from bot.spreadsheet import neutralise

from .columns import HistoryColumns, IntArray
from .engine import match
from .models import MatchRequest, MatchResult, Participant

_BLOCK = 1 << 17  # rows split at a time: bounds the memory held by split rows
_PIECE = 1 << 23  # characters per io.StringIO (one over the whole text is a second, wider copy)
BAD = int(np.iinfo(np.int64).min)  # a cell that does not parse
_ROUND_LIMIT = 2**63 - 1
_CACHE_LIMIT = 100_000  # distinct values remembered between blocks
_ARROW_FROM = 1 << 20  # bytes of file from which Arrow reads faster, its import included


@contextmanager
def _no_cycle_collector() -> Iterator[None]:
    """Pause Python's cycle collector while millions of objects are made, none of them in a cycle:
    it would otherwise rescan every live object again and again (three times slower at a million
    rows, measured)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CsvInputError(Exception):
    """A problem in an input file, reported as one line: file, line and problem."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.problem}"


class _Span(NamedTuple):
    """Where a block's kept rows came from: row numbers count the header as row 0."""

    start: int
    kept: IntArray | None  # offsets of the rows kept, when some were blank

    def row(self, i: int) -> int:
        return self.start + (i if self.kept is None else int(self.kept[i]))


class _Spans:
    """Row numbers of cells gathered over many blocks, looked up only for a problem."""

    def __init__(self) -> None:
        self._ends: list[int] = []
        self._spans: list[_Span] = []

    def add(self, span: _Span, count: int) -> None:
        self._ends.append((self._ends[-1] if self._ends else 0) + count)
        self._spans.append(span)

    def row(self, i: int) -> int:
        j = bisect_right(self._ends, i)
        return self._spans[j].row(i - (self._ends[j - 1] if j else 0))


class _CsvFile:
    """One input file: decoded and its header checked, then split block by block."""

    def __init__(self, path: Path, required: tuple[str, ...]) -> None:
        self.name = path.name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CsvInputError(self.name, None, f"cannot read file ({exc.strerror})") from None
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise CsvInputError(self.name, line, "file is not valid UTF-8 text") from None
        self.raw = raw
        if not self.text.strip():
            raise CsvInputError(self.name, None, "file is empty")
        self._reader = csv.reader(self._lines())
        self.header = [h.strip().lower() for h in self._split(1)[0]]
        for col in required:
            if col not in self.header:
                raise CsvInputError(self.name, self._reader.line_num, f"missing column '{col}'")
        self.position = {h: i for i, h in enumerate(self.header)}  # a repeated name: last wins

    def _lines(self) -> Iterator[str]:
        """The text's lines, from pieces that each end just after a newline."""
        text, bounds, start = self.text, [], 0
        while start < len(text):
            end = text.find("\n", start + _PIECE) + 1 or len(text)
            bounds.append((start, end))
            start = end
        return chain.from_iterable(io.StringIO(text[a:b], newline="") for a, b in bounds)

    def _split(self, count: int) -> list[list[str]]:
        try:
            return list(islice(self._reader, count))
        except csv.Error as exc:
            line = self._reader.line_num
            raise CsvInputError(self.name, line, f"cannot split into fields ({exc})") from None

    def fail(self, row: int, problem: str) -> NoReturn:
        raise CsvInputError(self.name, self.line_of(row), problem)

    def line_of(self, row: int) -> int:
        """The line on which row `row` ends (rows may hold quoted line breaks)."""
        reader = csv.reader(self._lines())
        for _ in islice(reader, row + 1):
            pass
        return reader.line_num

    def blocks(self, wanted: Sequence[str]) -> Iterator[tuple[_Span, dict[str, list[str]]]]:
        """The wanted columns (cells stripped) of consecutive rows, blank rows left out."""
        names = [c for c in wanted if c in self.position]
        width = len(self.header)
        start = 1
        while True:
            rows = self._split(_BLOCK)
            if not rows:
                return
            count = len(rows)
            kept: IntArray | None = None
            lengths = np.fromiter(map(len, rows), dtype=np.int64, count=count)
            odd = np.flatnonzero(lengths != width)
            if odd.size:  # blank lines, or a wrong number of fields
                for i in odd.tolist():
                    if any(f.strip() for f in rows[i]):
                        self.fail(start + i, f"expected {width} fields, found {lengths[i]}")
                kept = np.flatnonzero(lengths == width)
                rows = [rows[i] for i in kept.tolist()]
            cols = {c: list(map(str.strip, map(itemgetter(self.position[c]), rows))) for c in names}
            first = cols[names[0]]
            if "" in first:  # a row of blank fields has its first wanted cell blank too
                blank = [i for i, v in enumerate(first) if not v and not "".join(rows[i]).strip()]
                if blank:
                    keep = np.ones(len(rows), dtype=np.bool_)
                    keep[blank] = False
                    kept = (np.arange(len(rows)) if kept is None else kept)[keep]
                    take = np.flatnonzero(keep).tolist()
                    cols = {c: [v[i] for i in take] for c, v in cols.items()}
            yield _Span(start, kept), cols
            start += count


def _shared(values: list[str]) -> list[str]:
    """The same cells with one object per distinct value (organisations)."""
    one = {v: v for v in set(values)}
    return list(map(one.__getitem__, values))


def _or_none(values: list[str]) -> list[str | None]:
    """The same cells with one object per distinct value, None for a blank one."""
    one = {v: v or None for v in set(values)}
    return list(map(one.__getitem__, values))


def _first(values: list[str], value: str) -> int | None:
    try:
        return values.index(value)
    except ValueError:
        return None


def _first_repeat(values: list[str]) -> int:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            return i
        seen.add(value)
    raise ValueError("no value repeats")


def _arrow(file: _CsvFile, fast: bool | None) -> bool:
    """Arrow for a large file (or when asked); the csv module alone is quicker for a small one
    than importing pyarrow."""
    return len(file.raw) >= _ARROW_FROM if fast is None else fast


@_no_cycle_collector()
def read_people(path: Path, fast: bool | None = None) -> list[Participant]:
    """The people of PEOPLE.csv in file order.

    `fast`: True reads with Arrow when the file allows, False with the csv module alone, None
    (the default) picks by the size of the file. All three give the same people and problems.
    """
    file = _CsvFile(path, ("id", "organisation"))
    if _arrow(file, fast):
        from . import csvfast  # pyarrow is imported only when it pays

        people = csvfast.read_people(file.raw, file.header, file.position)
        if people is not None:
            return people
    spans = _Spans()
    cols: dict[str, list[str]] = {}
    for span, block in file.blocks(("id", "organisation", "role", "timezone")):
        spans.add(span, len(block["id"]))
        for c, v in block.items():
            cols.setdefault(c, []).extend(v)
    ids, orgs = cols.get("id", []), cols.get("organisation", [])
    bad = [_first(ids, ""), _first(orgs, "")]
    if len(set(ids)) != len(ids):
        bad.append(_first_repeat(ids))
    found = [i for i in bad if i is not None]
    if found:
        i = min(found)
        pid = ids[i]
        if not pid:
            file.fail(spans.row(i), "empty id")
        if not orgs[i]:
            file.fail(spans.row(i), f"empty organisation for '{pid}'")
        first = file.line_of(spans.row(ids.index(pid)))
        file.fail(spans.row(i), f"duplicate id '{pid}' (first seen on line {first})")
    nothing = repeat(None)
    roles = _or_none(cols["role"]) if "role" in cols else nothing
    zones = _or_none(cols["timezone"]) if "timezone" in cols else nothing
    return list(map(Participant, ids, _shared(orgs), roles, zones))


def parse_round(cell: str) -> int:
    """A round number as Python reads an integer, or BAD."""
    try:
        value = int(cell)
    except ValueError:
        return BAD
    return value if abs(value) <= _ROUND_LIMIT else BAD


def parse_met(cell: str) -> int:
    """1 for yes (or blank), 0 for no, in any case; BAD for anything else."""
    return {"": 1, "yes": 1, "no": 0}.get(cell.lower(), BAD)


def _per_value(cells: list[str], cache: dict[str, int], parse: Callable[[str], int]) -> IntArray:
    """Parse each distinct cell once."""
    new = set(cells).difference(cache)
    if len(cache) + len(new) > _CACHE_LIMIT:
        cache.clear()
        new = set(cells)
    for cell in new:
        cache[cell] = parse(cell)
    return np.fromiter(map(cache.__getitem__, cells), dtype=np.int64, count=len(cells))


def _history_problem(cols: dict[str, list[str]], i: int, index: dict[str, int]) -> str:
    """What is wrong with row i, checked in the order a row-by-row reading checks it."""
    rnd = cols["round"][i]
    if parse_round(rnd) == BAD:
        try:
            int(rnd)
        except ValueError:
            return f"round '{rnd}' is not an integer"
        return f"round '{rnd}' is out of range"
    a, b = cols["person_a"][i], cols["person_b"][i]
    for pid in (a, b):
        if not pid:
            return "empty person id"
        if pid not in index:
            return f"unknown id '{pid}'"
    if a == b:
        return f"'{a}' is paired with themself"
    return f"met '{cols['met'][i]}' is not yes or no"


@_no_cycle_collector()
def read_history(path: Path, ids: Sequence[str], fast: bool | None = None) -> HistoryColumns:
    """Past pairs between the people with these ids; every id in the file must be one of them.

    The optional `met` column says whether the pair met (`yes` or `no`, any case); a blank cell
    or no such column means yes, as in files written before the column existed. `fast` as for
    `read_people`.
    """
    file = _CsvFile(path, ("round", "person_a", "person_b"))
    if _arrow(file, fast):
        from . import csvfast

        history = csvfast.read_history(file.raw, file.header, file.position, ids)
        if history is not None:
            return history
    index = {pid: i for i, pid in enumerate(ids)}
    rounds: dict[str, int] = {}
    mets: dict[str, int] = {}
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray]] = []
    problem: tuple[int, str] | None = None  # reported once every row is known to split well
    for span, cols in file.blocks(("round", "person_a", "person_b", "met")):
        if problem is not None:
            continue
        r = _per_value(cols["round"], rounds, parse_round)
        a = np.fromiter(map(index.get, cols["person_a"], repeat(-1)), np.int64, r.size)
        b = np.fromiter(map(index.get, cols["person_b"], repeat(-1)), np.int64, r.size)
        met = _per_value(cols["met"], mets, parse_met) if "met" in cols else np.ones_like(r)
        bad = (r == BAD) | (a < 0) | (b < 0) | (a == b) | (met == BAD)
        if bad.any():
            i = int(np.argmax(bad))
            problem = (span.row(i), _history_problem(cols, i, index))
        parts.append((r, a, b, met))
    if problem is not None:
        file.fail(*problem)
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return HistoryColumns(ids, empty, empty, empty, np.zeros(0, dtype=np.bool_))
    r, a, b, met = (np.concatenate(column) for column in zip(*parts, strict=True))
    return HistoryColumns(ids, r, a, b, met.astype(np.bool_))


def write_groups(result: MatchResult, stream: TextIO) -> None:
    """GROUPS.csv; an id a spreadsheet would run as a formula gets a leading apostrophe."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["person_1", "person_2", "person_3"])
    writer.writerows(
        [neutralise(pid) for pid in group] + [""] * (3 - len(group)) for group in result.groups
    )


def match_files(people: Path, history: Path | None, seed: int, out: Path | None) -> MatchResult:
    if out is not None and not out.parent.is_dir():
        raise CsvInputError(out.name, None, f"cannot write file (no folder {out.parent})")
    participants = read_people(people)
    ids = [p.id for p in participants]
    past = read_history(history, ids) if history is not None else ()
    with _no_cycle_collector():
        result = match(MatchRequest(participants, past, seed=seed))
    if out is not None:
        try:
            with out.open("w", encoding="utf-8", newline="") as fh:
                write_groups(result, fh)
        except OSError as exc:
            raise CsvInputError(out.name, None, f"cannot write file ({exc.strerror})") from None
    return result


def match_notes(result: MatchResult) -> list[str]:
    """What a coordinator should know beside GROUPS.csv, one line each (for standard error)."""
    if not result.unplaced and not result.score.same_org_pairs:
        return []
    from bot.templates import Prompts

    pairs = sum(len(g) * (len(g) - 1) // 2 for g in result.groups)
    text = Prompts().render(
        "match_notes",
        unplaced=list(result.unplaced),
        same_org=result.score.same_org_pairs,
        pairs=pairs,
    )
    return text.splitlines()


def main_stdout(people: Path, history: Path | None, seed: int) -> MatchResult:
    """Convenience for callers that print the groups to standard output."""
    result = match_files(people, history, seed, None)
    write_groups(result, sys.stdout)
    return result
