"""CSV front end: people and history files in, groups out."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TextIO

from .engine import match
from .models import MatchRequest, MatchResult, Participant, PastPair


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


def _read_rows(
    path: Path, required: tuple[str, ...]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvInputError(name, None, f"cannot read file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvInputError(
            name, raw[: exc.start].count(b"\n") + 1, "file is not valid UTF-8 text"
        ) from None
    if not text.strip():
        raise CsvInputError(name, None, "file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for fields in reader:
        line = reader.line_num
        if header is None:
            header = [h.strip().lower() for h in fields]
            for col in required:
                if col not in header:
                    raise CsvInputError(name, line, f"missing column '{col}'")
            continue
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise CsvInputError(name, line, f"expected {len(header)} fields, found {len(fields)}")
        rows.append((line, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    assert header is not None
    return header, rows


def read_people(path: Path) -> list[Participant]:
    name = path.name
    _, rows = _read_rows(path, ("id", "organisation"))
    first_seen: dict[str, int] = {}
    people: list[Participant] = []
    for line, row in rows:
        pid = row["id"]
        if not pid:
            raise CsvInputError(name, line, "empty id")
        if not row["organisation"]:
            raise CsvInputError(name, line, f"empty organisation for '{pid}'")
        if pid in first_seen:
            raise CsvInputError(
                name, line, f"duplicate id '{pid}' (first seen on line {first_seen[pid]})"
            )
        first_seen[pid] = line
        people.append(
            Participant(
                pid,
                row["organisation"],
                role=row.get("role") or None,
                timezone=row.get("timezone") or None,
            )
        )
    return people


def read_history(path: Path, known: set[str]) -> list[PastPair]:
    name = path.name
    _, rows = _read_rows(path, ("round", "person_a", "person_b"))
    history: list[PastPair] = []
    for line, row in rows:
        try:
            rnd = int(row["round"])
        except ValueError:
            raise CsvInputError(name, line, f"round '{row['round']}' is not an integer") from None
        a, b = row["person_a"], row["person_b"]
        for pid in (a, b):
            if not pid:
                raise CsvInputError(name, line, "empty person id")
            if pid not in known:
                raise CsvInputError(name, line, f"unknown id '{pid}'")
        if a == b:
            raise CsvInputError(name, line, f"'{a}' is paired with themself")
        history.append(PastPair(rnd, a, b))
    return history


def write_groups(result: MatchResult, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["person_1", "person_2", "person_3"])
    for group in result.groups:
        writer.writerow([*group, *([""] * (3 - len(group)))])


def match_files(people: Path, history: Path | None, seed: int, out: Path | None) -> MatchResult:
    participants = read_people(people)
    past = read_history(history, {p.id for p in participants}) if history is not None else []
    result = match(MatchRequest(participants, past, seed=seed))
    if out is not None:
        with out.open("w", encoding="utf-8", newline="") as fh:
            write_groups(result, fh)
    return result


def main_stdout(people: Path, history: Path | None, seed: int) -> MatchResult:
    """Convenience for callers that print the groups to standard output."""
    result = match_files(people, history, seed, None)
    write_groups(result, sys.stdout)
    return result
