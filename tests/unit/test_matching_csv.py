"""Tests of the CSV front end of the matcher."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.matching.csvio import CsvInputError, match_files, write_groups


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


PEOPLE = "id,organisation,name,role,email,timezone,extra\n" + "".join(
    f"p{i},org{i % 3},Name {i},nurse,p{i}@example.org,Europe/London,x\n" for i in range(7)
)


def test_round_trip(tmp_path: Path) -> None:
    people = _write(tmp_path, "people.csv", PEOPLE)
    history = _write(tmp_path, "history.csv", "round,person_a,person_b\n1,p0,p1\n1,p2,p3\n")
    out = tmp_path / "groups.csv"
    result = match_files(people, history, seed=1, out=out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "person_1,person_2,person_3"
    assert len(lines) == 1 + len(result.groups)
    assert sum(1 for line in lines[1:] if line.endswith(",")) == 2  # pairs: empty third
    assert result.score.repeat_pairs == 0
    buf = io.StringIO()
    write_groups(result, buf)
    assert buf.getvalue() == out.read_text(encoding="utf-8")


def test_bom_accepted(tmp_path: Path) -> None:
    people = _write(tmp_path, "people.csv", b"\xef\xbb\xbfid,organisation\na,X\nb,Y\n")
    result = match_files(people, None, seed=0, out=None)
    assert result.groups == (("a", "b"),)


@pytest.mark.parametrize(
    ("people", "history", "expected"),
    [
        ("id,name\np1,A\n", None, "people.csv, line 1: missing column 'organisation'"),
        (
            "id,organisation\np7,A\np7,B\n",
            None,
            "people.csv, line 3: duplicate id 'p7' (first seen on line 2)",
        ),
        ("id,organisation\n,A\n", None, "people.csv, line 2: empty id"),
        ("id,organisation\np1,\n", None, "people.csv, line 2: empty organisation for 'p1'"),
        ("id,organisation\np1,A,extra\n", None, "people.csv, line 2: expected 2 fields, found 3"),
        ("", None, "people.csv: file is empty"),
        (
            b"id,organisation\np1,Caf\xe9\n",
            None,
            "people.csv, line 2: file is not valid UTF-8 text",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a\n1,p1\n",
            "history.csv, line 1: missing column 'person_b'",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n1,p1,p9\n",
            "history.csv, line 2: unknown id 'p9'",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n1,p1,p2\n2,p2,p2\n",
            "history.csv, line 3: 'p2' is paired with themself",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\nfirst,p1,p2\n",
            "history.csv, line 2: round 'first' is not an integer",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n1,p1\n",
            "history.csv, line 2: expected 3 fields, found 2",
        ),
        ("id,organisation\np1,A\n", "", "history.csv: file is empty"),
    ],
)
def test_input_errors(
    tmp_path: Path, people: str | bytes, history: str | None, expected: str
) -> None:
    people_path = _write(tmp_path, "people.csv", people)
    history_path = _write(tmp_path, "history.csv", history) if history is not None else None
    with pytest.raises(CsvInputError) as info:
        match_files(people_path, history_path, seed=0, out=None)
    assert str(info.value) == expected
    assert "\n" not in str(info.value)
    assert info.value.file in {"people.csv", "history.csv"}
