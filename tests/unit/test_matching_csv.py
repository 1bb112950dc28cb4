"""Tests of the CSV front end of the matcher."""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.matching import MatchRequest, Participant, PastPair, csvfast, csvio, match
from bot.matching.columns import HistoryColumns
from bot.matching.context import build_context
from bot.matching.csvio import (
    CsvInputError,
    match_files,
    match_notes,
    read_history,
    read_people,
    write_groups,
)


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
    for fast in (True, False):  # Arrow (and its fallback) and the csv module alone agree
        assert _error(people_path, history_path, fast=fast) == expected


def _read(
    people: Path, history: Path | None, fast: bool
) -> tuple[list[Participant], list[PastPair]]:
    found = read_people(people, fast=fast)
    past = read_history(history, [p.id for p in found], fast=fast) if history else ()
    return found, list(past)


def _error(people: Path, history: Path | None, fast: bool) -> str:
    with pytest.raises(CsvInputError) as info:
        _read(people, history, fast)
    return str(info.value)


# ----------------------------------------------------------------- the same answers, faster

ORGS = ["Acute Trust", "GP Federation", "Hospice, North", "Council"]
ZONES = ["Europe/London", "", "Europe/Dublin"]


def _sample(tmp_path: Path, n: int, rows: int, seed: int) -> tuple[Path, Path]:
    """Files as spreadsheets write them: CRLF, a BOM, quoted commas, blank rows, a met column."""
    rng = random.Random(seed)
    ids = [f"s{i:04d}" for i in range(n)]
    people = io.StringIO(newline="")
    writer = csv.writer(people, lineterminator="\r\n")
    writer.writerow(["ID", " Organisation ", "name", "role", "email", "timezone"])
    for i, pid in enumerate(ids):
        name = f'Person "{i}", the {rng.choice(["first", "second"])}'
        role = rng.choice(["nurse", "GP", ""])
        writer.writerow([f" {pid} ", rng.choice(ORGS), name, role, f"{pid}@x.org", ZONES[i % 3]])
        if i % 97 == 5:
            writer.writerow([""] * 6)  # a row of blank fields
        if i % 89 == 7:
            people.write("\r\n")  # an empty line
    history = io.StringIO(newline="")
    writer = csv.writer(history, lineterminator="\r\n")
    writer.writerow(["round", "person_a", "person_b", "met"])
    for k in range(rows):
        a, b = rng.sample(ids, 2)
        writer.writerow([1 + k // (n // 2), a, b, rng.choice(["yes", "no", "", "Yes", "NO"])])
    return (
        _write(tmp_path, "people.csv", "\ufeff" + people.getvalue()),
        _write(tmp_path, "history.csv", history.getvalue()),
    )


def _reference(people: Path, history: Path) -> tuple[list[Participant], list[PastPair]]:
    """The files read row by row into objects, the way the matcher was first fed."""
    with people.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh) if any(f.strip() for f in r)]
    head = [h.strip().lower() for h in rows[0]]
    found = [
        Participant(
            r[head.index("id")].strip(),
            r[head.index("organisation")].strip(),
            r[head.index("role")].strip() or None,
            r[head.index("timezone")].strip() or None,
        )
        for r in rows[1:]
    ]
    with history.open(encoding="utf-8", newline="") as fh:
        past = list(csv.DictReader(fh))
    pairs = [
        PastPair(int(r["round"]), r["person_a"], r["person_b"], met=r["met"].lower() != "no")
        for r in past
    ]
    return found, pairs


def test_both_readers_read_what_a_row_by_row_reading_reads(tmp_path: Path) -> None:
    people, history = _sample(tmp_path, 400, 1500, seed=4)
    expected = _reference(people, history)
    assert _read(people, history, fast=True) == expected
    assert _read(people, history, fast=False) == expected
    assert any(not p.met for p in expected[1]) and any(p.met for p in expected[1])
    # the sample is one the fast reader takes (else this test would only test the fallback)
    file = csvio._CsvFile(people, ("id", "organisation"))
    assert csvfast.read_people(file.raw, file.header, file.position) == expected[0]
    file = csvio._CsvFile(history, ("round", "person_a", "person_b"))
    ids = [p.id for p in expected[0]]
    taken = csvfast.read_history(file.raw, file.header, file.position, ids)
    assert taken is not None and list(taken) == expected[1]


def test_blocks_and_pieces_of_any_size_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people, history = _sample(tmp_path, 60, 200, seed=2)
    expected = _reference(people, history)
    monkeypatch.setattr(csvio, "_BLOCK", 7)
    monkeypatch.setattr(csvio, "_PIECE", 50)
    assert _read(people, history, fast=False) == expected


@pytest.mark.parametrize("arrow_from", [0, 1 << 40])
def test_same_groups_as_the_object_path_seeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrow_from: int
) -> None:
    monkeypatch.setattr(csvio, "_ARROW_FROM", arrow_from)
    people, history = _sample(tmp_path, 301, 900, seed=9)
    found, past = _reference(people, history)
    for seed in (0, 5):
        before = match(MatchRequest(found, past, seed=seed))
        assert match_files(people, history, seed=seed, out=None) == before


def test_history_columns_are_a_sequence_of_past_pairs() -> None:
    ids = ["a", "b", "c", "gone"]
    cols = HistoryColumns(
        ids,
        np.array([1, 2, 2]),
        np.array([0, 1, 3]),
        np.array([1, 2, 0]),
        np.array([True, False, True]),
        orgs=["X", "Y"],
        org_a=np.array([-1, 0, 1]),
        org_b=np.array([-1, -1, 0]),
    )
    rows = [
        PastPair(1, "a", "b"),
        PastPair(2, "b", "c", org_a="X", met=False),
        PastPair(2, "gone", "a", org_a="Y", org_b="X"),
    ]
    assert list(cols) == rows and len(cols) == 3
    assert cols[1] == rows[1] and cols[1:] == rows[1:] and cols[-1] == rows[-1]
    people = [Participant("a", "X"), Participant("b", "Y"), Participant("c", "Z")]
    as_columns = build_context(MatchRequest(people, cols))
    as_objects = build_context(MatchRequest(people, rows))
    for name in ("rep_keys", "ties", "trio_recent", "trio_last", "same_last", "same_count"):
        assert np.array_equal(getattr(as_columns, name), getattr(as_objects, name)), name
    arrays = cols.arrays({"a": 0, "b": 1, "c": 2}, {"X": 0, "Z": 1})
    assert arrays.a.tolist() == [0, 1, -1]  # someone who has left: -1
    assert arrays.org_a.tolist() == [-2, 0, -1]  # -2 not recorded, -1 no longer an organisation
    assert arrays.met.tolist() == [True, False, True]
    with pytest.raises(ValueError, match="differ in length"):
        HistoryColumns(ids, np.array([1]), np.array([0, 1]), np.array([1]), np.array([True]))


def test_trim_characters_are_those_of_str_strip() -> None:
    everything = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert everything == csvfast.WHITESPACE


# ----------------------------------------------------------------- rules of the files


@pytest.mark.parametrize("fast", [True, False])
def test_met_column(tmp_path: Path, fast: bool) -> None:
    people = _write(tmp_path, "people.csv", "id,organisation\na,X\nb,Y\nc,Z\n")
    history = _write(
        tmp_path,
        "history.csv",
        "round,person_a,person_b,Met\n1,a,b,yes\n1,a,c,no\n2,b,c,\n3,a,b,YES\n3,b,c, No \n",
    )
    _, past = _read(people, history, fast)
    assert [p.met for p in past] == [True, False, True, True, False]
    old = _write(tmp_path, "old.csv", "round,person_a,person_b\n1,a,b\n")
    assert [p.met for p in _read(people, old, fast)[1]] == [True]  # no column: they met
    bad = _write(tmp_path, "bad.csv", "round,person_a,person_b,met\n1,a,b,yes\n2,a,c,maybe\n")
    assert _error(people, bad, fast) == "bad.csv, line 3: met 'maybe' is not yes or no"


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    ("people", "history", "expected"),
    [
        (  # a wrong number of fields anywhere comes first, as when every row was read first
            "id,organisation\n,A\np2,B\np3\n",
            None,
            "people.csv, line 4: expected 2 fields, found 1",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n1,p1,zz\n2,p1,p2\n3,p1\n",
            "history.csv, line 4: expected 3 fields, found 2",
        ),
        (  # lines counted as the csv module counts them, quoted line breaks included
            'id,organisation,name\np1,A,"two\nlines"\np2,B,x\np1,C,y\n',
            None,
            "people.csv, line 5: duplicate id 'p1' (first seen on line 3)",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n99999999999999999999,p1,p2\n",
            "history.csv, line 2: round '99999999999999999999' is out of range",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n1,p1,p2\n1,,p2\n",
            "history.csv, line 3: empty person id",
        ),
        (
            "id,organisation\np1,A\np2,B\n",
            "round,person_a,person_b\n 2 ,p1, p2 \n1,p2,p9\n",
            "history.csv, line 3: unknown id 'p9'",
        ),
        (
            "id,organisation\np1,A\np1,B\n",
            "round,person_a,person_b\n1,p1,p2\n",
            "people.csv, line 3: duplicate id 'p1' (first seen on line 2)",
        ),
    ],
)
def test_problems_reported_as_a_row_by_row_reading_did(
    tmp_path: Path, people: str, history: str | None, expected: str, fast: bool
) -> None:
    people_path = _write(tmp_path, "people.csv", people)
    history_path = _write(tmp_path, "history.csv", history) if history is not None else None
    assert _error(people_path, history_path, fast) == expected


@pytest.mark.parametrize("fast", [True, False])
def test_blank_rows_and_spaces_are_skipped(tmp_path: Path, fast: bool) -> None:
    people = _write(tmp_path, "people.csv", "id,organisation\n\n a ,X\n , \n   \nb,Y\n,\n")
    history = _write(tmp_path, "history.csv", "round,person_a,person_b\n\n1, a ,b\n,,\n")
    found, past = _read(people, history, fast)
    assert found == [Participant("a", "X"), Participant("b", "Y")]
    assert past == [PastPair(1, "a", "b")]


def test_unsplittable_file_is_one_line(tmp_path: Path) -> None:
    people = _write(tmp_path, "people.csv", "id,organisation\np1,A\n  \np2," + "x" * 200_000)
    message = _error(people, None, fast=True)
    assert message.startswith("people.csv, line 4: cannot split into fields (")
    assert "\n" not in message


def test_missing_output_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    people = _write(tmp_path, "people.csv", "id,organisation\na,X\nb,Y\n")
    with pytest.raises(CsvInputError) as info:
        match_files(people, None, seed=0, out=tmp_path / "missing" / "groups.csv")
    assert str(info.value) == f"groups.csv: cannot write file (no folder {tmp_path / 'missing'})"


# ----------------------------------------------------------------- what is written

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "-x", "+44 7700 900123"]


def test_formula_like_ids_are_neutralised_in_groups(tmp_path: Path) -> None:
    ids = [*FORMULAS, "-12", "plain"]
    people = _write(
        tmp_path,
        "people.csv",
        "id,organisation\n" + "".join(f'"{pid}",{"XY"[i % 2]}\n' for i, pid in enumerate(ids)),
    )
    out = tmp_path / "groups.csv"
    result = match_files(people, None, seed=0, out=out)
    with out.open(encoding="utf-8", newline="") as fh:
        cells = [c for row in list(csv.reader(fh))[1:] for c in row if c]
    assert sorted(cells) == sorted(["'" + f for f in FORMULAS] + ["-12", "plain"])
    assert sorted(p for g in result.groups for p in g) == sorted(ids)  # the result keeps ids
    buf = io.StringIO()
    write_groups(result, buf)
    assert buf.getvalue() == out.read_text(encoding="utf-8")


def _crossties(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("crossties", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "crossties.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    return subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=180
    )


def test_command_writes_only_groups_to_standard_output(tmp_path: Path) -> None:
    _write(tmp_path, "one.csv", "id,organisation\np1,A\n")
    alone = _crossties(["match", "one.csv"], tmp_path)
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout == "person_1,person_2,person_3\n"
    assert alone.stderr.strip() == "Not placed: p1."
    ids = ["=1+1", "@SUM(A1)", "-12", "p4"]
    _write(tmp_path, "same.csv", "id,organisation\n" + "".join(f"{p},A\n" for p in ids))
    same = _crossties(["match", "same.csv", "--out", "groups.csv"], tmp_path)
    assert same.returncode == 0, same.stderr
    assert "Every group is within one organisation" in same.stderr
    written = (tmp_path / "groups.csv").read_text(encoding="utf-8")
    assert "'=1+1" in written and "'@SUM(A1)" in written and "-12" in written
    assert "'-12" not in written
    missing = _crossties(["match", "same.csv", "--out", "nowhere/groups.csv"], tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_notes_say_what_could_not_be_helped() -> None:
    people = [Participant(f"a{i}", "A") for i in range(4)] + [Participant("b0", "B")]
    result = match(MatchRequest(people, seed=1))
    assert result.score.same_org_pairs == 2  # four from A, one from B: two pairs stay inside A
    assert match_notes(result) == [
        "2 same-organisation pairs: too few people outside the largest organisation to avoid them."
    ]
    mixed = match(MatchRequest([Participant("a", "A"), Participant("b", "B")]))
    assert match_notes(mixed) == []


def test_arrow_only_for_large_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people, history = _sample(tmp_path, 50, 60, seed=1)
    calls: list[str] = []
    arrow_people, arrow_history = csvfast.read_people, csvfast.read_history

    def people_spy(*args: Any) -> Any:
        calls.append("people")
        return arrow_people(*args)

    def history_spy(*args: Any) -> Any:
        calls.append("history")
        return arrow_history(*args)

    monkeypatch.setattr(csvfast, "read_people", people_spy)
    monkeypatch.setattr(csvfast, "read_history", history_spy)
    small = match_files(people, history, seed=2, out=None)
    assert calls == []  # a small file: importing pyarrow would cost more than it saves
    monkeypatch.setattr(csvio, "_ARROW_FROM", people.stat().st_size)
    assert match_files(people, history, seed=2, out=None) == small
    assert calls == ["people"]  # the history file is smaller than the people file
