"""The `crossties` command as a Unix tool: real processes, run from other folders, given
broken paths. Standard output carries only what was asked for; every error is one line on
standard error (exit 2 for the command line, 1 for the deployment); the default database
lives in the user's data folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.test_cli import database_file, run

LONG_A = "Northfield Community Health Services NHS Trust"
LONG_B = "Northfield Acute Hospitals NHS Foundation Trust"


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """One user's data folder, shared by commands run from any folder."""
    return {"XDG_DATA_HOME": str(tmp_path / "user-data")}


def folder(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_the_default_database_is_found_from_any_folder(
    tmp_path: Path, home: dict[str, str]
) -> None:
    first, second = folder(tmp_path, "first"), folder(tmp_path, "second")
    nothing = run(["report", "--json"], second, env=home)
    assert nothing.returncode == 1 and nothing.stdout == ""
    line = one_line(nothing.stderr)
    assert line.startswith("crossties: no programme in sqlite:///")
    assert str(tmp_path / "user-data" / "crossties" / "crossties.db") in line
    assert line.endswith("create one with `crossties programme create`")
    assert not (tmp_path / "user-data" / "crossties" / "crossties.db").exists()  # not created
    created = run(
        ["programme", "create", "East", "--organisations", "A,B", "--timezone", "europe/london"],
        first,
        env=home,
    )
    assert created.returncode == 0, created.stderr
    found = run(["report", "--json"], second, env=home)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["programme"] == "East"
    assert not list(first.glob("*.db")) and not list(second.glob("*.db"))
    with sqlite3.connect(tmp_path / "user-data" / "crossties" / "crossties.db") as connection:
        assert connection.execute("SELECT timezone FROM programme").fetchall() == [
            ("Europe/London",)
        ]
    helped = run(["--help"], second, env=home)
    assert "crossties/crossties.db (set CROSSTIES_DATABASE_URL" in " ".join(helped.stdout.split())


@pytest.fixture
def coordinator(tmp_path: Path) -> Path:
    here = folder(tmp_path, "work")
    run(["programme", "create", "East", "--organisations", f"{LONG_A},{LONG_B}"], here)
    (here / "roster.csv").write_text(
        "id,name,organisation\n"
        f"a1,Aisha Khan,{LONG_A}\n"
        f"b1,Ben Okafor,{LONG_B}\n"
        f"a2,Carys Jones,{LONG_A}\n"
        f"b2,Dev Patel,{LONG_B}\n"
    )
    imported = run(["people", "import", "roster.csv"], here)
    assert imported.returncode == 0, imported.stderr
    return here


def test_broken_paths_are_one_line_and_exit_2(coordinator: Path) -> None:
    (coordinator / "people.csv").write_text("id,organisation\na,X\nb,Y\n")
    for args, named in (
        (["report", "--png", "/missing/x.png"], "x.png"),
        (["report", "--json", "--csv", "/missing/dir/t.csv"], "t.csv"),
        (["export", "--graphml", "/missing/g.graphml"], "g.graphml"),
        (["match", "people.csv", "--out", "/missing/dir/g.csv"], "g.csv"),
        (["match", "/missing/people.csv"], "people.csv"),
        (["people", "import", "/missing/roster.csv"], "roster.csv"),
        (
            [
                "teams-package",
                "--app-id",
                "00000000-0000-0000-0000-000000000001",
                "--out",
                "/no/t.zip",
            ],
            "t.zip",
        ),
    ):
        result = run(args, coordinator)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "", args
        assert named in one_line(result.stderr), args
    assert not (coordinator / "t.csv").exists()


def test_standard_output_carries_only_the_data(coordinator: Path) -> None:
    (coordinator / "one.csv").write_text("id,organisation\np1,Only Org\n")
    alone = run(["match", "one.csv"], coordinator)
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout == "person_1,person_2,person_3\n"
    assert "p1" in alone.stderr
    (coordinator / "same.csv").write_text("id,organisation\na,X\nb,X\nc,X\n")
    same = run(["match", "same.csv"], coordinator)
    assert same.stdout.splitlines()[0] == "person_1,person_2,person_3"
    assert len(same.stdout.splitlines()) == 2 and "within one organisation" in same.stderr
    written = run(["report", "--json", "--png", "chart.png"], coordinator)
    assert json.loads(written.stdout)["programme"] == "East"  # nothing else on stdout
    assert "Wrote the chart chart.png" in written.stderr
    listed = run(["people", "list", "--csv"], coordinator)
    assert listed.stdout.splitlines()[0] == "id,name,organisation,role,status"
    assert f"a1,Aisha Khan,{LONG_A},,active" in listed.stdout.splitlines()
    assert listed.stderr == ""


def test_people_list_remove_and_round_preview(coordinator: Path) -> None:
    narrow = {"COLUMNS": "80"}
    listed = run(["people", "list"], coordinator, env=narrow)
    assert listed.returncode == 0, listed.stderr
    assert "…" not in listed.stdout  # wrapped, never cut
    assert "Northfield Community Health" in listed.stdout
    assert "Northfield Acute Hospitals" in listed.stdout
    assert listed.stdout.count("Trust") == 4  # the end of each name, on its own line
    assert all(len(line) <= 80 for line in listed.stdout.splitlines())
    preview = run(["round", "preview"], coordinator, env=narrow)
    assert preview.returncode == 0, preview.stderr
    assert "2 groups, 4 people, 2 across organisations" in preview.stdout
    assert "…" not in preview.stdout
    removed = run(["people", "remove", "ben okafor"], coordinator)
    assert removed.returncode == 0, removed.stderr
    assert "Ben Okafor no longer takes part in East." in removed.stdout
    again = run(["people", "list", "--csv"], coordinator)
    assert "b1," not in again.stdout and "a1," in again.stdout
    everyone = run(["people", "list", "--csv", "--all"], coordinator)
    assert f"b1,Ben Okafor,{LONG_B},,left" in everyone.stdout
    unknown = run(["people", "remove", "Zed"], coordinator)
    assert unknown.returncode == 1
    assert "nobody called 'Zed' takes part" in one_line(unknown.stderr)
    still = run(["round", "preview"], coordinator)
    assert "1 group, 3 people" in still.stdout or "groups, 3 people" in still.stdout


def test_chat_finds_a_first_name(coordinator: Path) -> None:
    chat = run(["chat", "--as", "aisha"], coordinator, stdin="quit\n")
    assert chat.returncode == 0, chat.stderr


def test_version_and_help_text(tmp_path: Path) -> None:
    version = run(["--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("crossties ")
    for args in (["--help"], ["match", "--help"], ["programme", "create", "--help"]):
        shown = run([*args], tmp_path)
        assert shown.returncode == 0
        for wrong in ("{", "<bool>", "<list[str]>", "<str>", "<path>", "<int>"):
            assert wrong not in shown.stdout, (args, wrong)
    usage = run(["match", "--help"], tmp_path).stdout
    assert "Usage: crossties match [OPTIONS] PEOPLE.csv" in usage
    rounds = run(["round", "--help"], tmp_path).stdout
    assert "preview" in rounds and "run" in rounds
    people = run(["people", "--help"], tmp_path).stdout
    assert all(word in people for word in ("import", "list", "remove"))


def test_database_file_helper_matches_the_default(tmp_path: Path) -> None:
    created = run(["db", "upgrade"], tmp_path)
    assert created.returncode == 0, created.stderr
    assert database_file(tmp_path).exists()
    assert str(database_file(tmp_path)) in created.stdout
