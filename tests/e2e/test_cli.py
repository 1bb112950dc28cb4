"""The `crossties` command as people use it: real processes on a scratch database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def data_home(folder: Path) -> Path:
    """The user's data folder of the commands run in `folder` (XDG_DATA_HOME)."""
    return folder / "data"


def database_file(folder: Path) -> Path:
    """The embedded default database of the commands run in `folder`."""
    return data_home(folder) / "crossties" / "crossties.db"


def run(
    args: list[str], cwd: Path, *, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command as a process. Its user data folder is `cwd`/data unless `env` says."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))
    }
    environment.pop("CROSSTIES_DATABASE_URL", None)
    environment["XDG_DATA_HOME"] = str(data_home(cwd))
    environment["COLUMNS"] = "200"
    # this checkout's code, whichever one the environment has installed
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), environment.get("PYTHONPATH", "")) if p
    )
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "crossties.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env=environment,
        check=False,
    )


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "roster.csv").write_text(
        "id,name,organisation,role,email\n"
        + "".join(
            f"p{i},Person {i},{org},Nurse,p{i}@example.org\n"
            for i, org in enumerate(["Acute Trust", "GP Federation", "Hospice"] * 4)
        )
    )
    return tmp_path


def test_coordinator_flow_from_the_command_line(scratch: Path) -> None:
    created = run(
        [
            "programme",
            "create",
            "East",
            "--organisations",
            "Acute Trust,GP Federation,Hospice",
            "--cadence",
            "weekly",
        ],
        scratch,
    )
    assert created.returncode == 0, created.stderr
    assert database_file(scratch).exists()  # the embedded default database, upgraded
    assert not (scratch / "crossties.db").exists()  # in the data folder, not where it ran
    imported = run(["people", "import", "roster.csv"], scratch)
    assert imported.returncode == 0, imported.stderr
    assert "12 new" in imported.stdout
    dry = run(["round", "run", "--dry-run"], scratch)
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and "6 groups, 12 people, 6 across organisations" in dry.stdout
    ran = run(["round", "run", "--programme", "East"], scratch)
    assert ran.returncode == 0, ran.stderr
    assert "6 introductions queued" in ran.stdout
    report = run(["report", "--json", "--png", "chart.png"], scratch)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["introductions"] == 6 and data["met"] == 0 and data["met_rate"] == 0
    assert data["cross_org_ties"] == 6
    assert data["tie_matrix"]["organisations"] == ["Acute Trust", "GP Federation", "Hospice"]
    assert (scratch / "chart.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report"], "no programme in sqlite:///"),
        (["round", "run", "--programme", "Nope"], "no programme called 'Nope'"),
        (["programme", "create", "X", "--organisations", "Solo"], "at least two organisations"),
        (
            ["programme", "create", "X", "--organisations", "A,B", "--cadence", "daily"],
            "Cadence must be",
        ),
        (
            ["programme", "create", "X", "--organisations", "A,B", "--checkin-after", "soon"],
            "Check-in delay: use a number with d, h or m, like 7d or 36h",
        ),
    ],
)
def test_errors_are_one_line_without_a_traceback(
    scratch: Path, args: list[str], message: str
) -> None:
    result = run(args, scratch)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_broken_roster_exits_2_and_imports_nothing(scratch: Path) -> None:
    run(["programme", "create", "East", "--organisations", "Acute Trust,Hospice"], scratch)
    (scratch / "bad.csv").write_text("id,name,organisation\na,Ann,Hospice\nb,Bo,Mars Base\n")
    result = run(["people", "import", "bad.csv"], scratch)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "crossties: bad.csv, line 3: organisation 'Mars Base' is "
        "not in the programme (Acute Trust, Hospice)"
    )
    dry = run(["round", "run", "--dry-run"], scratch)
    assert "0 groups, 0 people" in dry.stdout


def test_match_from_spreadsheets(scratch: Path) -> None:
    (scratch / "people.csv").write_text("id,organisation\na,X\nb,X\nc,Y\nd,Y\ne,Z\n")
    (scratch / "history.csv").write_text("round,person_a,person_b\n1,a,c\n")
    result = run(
        ["match", "people.csv", "--history", "history.csv", "--seed", "3", "--out", "groups.csv"],
        scratch,
    )
    assert result.returncode == 0, result.stderr
    rows = (scratch / "groups.csv").read_text().strip().splitlines()
    assert rows[0] == "person_1,person_2,person_3"
    assert len(rows) == 3  # two groups: a pair and one trio for five people
    placed = [p for row in rows[1:] for p in row.split(",") if p]
    assert sorted(placed) == ["a", "b", "c", "d", "e"]
    bad = run(["match", "people.csv", "--history", "missing.csv"], scratch)
    assert bad.returncode == 2 and "missing.csv" in bad.stderr


def test_db_upgrade_is_idempotent(scratch: Path) -> None:
    for _ in range(2):
        result = run(["db", "upgrade"], scratch)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


def test_demo_then_report_and_chat(scratch: Path) -> None:
    first = run(["demo", "--seed", "5"], scratch)
    assert first.returncode == 0, first.stderr
    assert "Lead report" in first.stdout and "Round 4" in first.stdout
    said = " ".join(first.stdout.split())  # as read, whatever the terminal's width
    assert re.search(r"Round 1: .*? \d+ next steps? agreed, \d+ of \d+ taken when asked", said)
    assert "Ties across organisations, from introduction to working together" in said
    assert re.search(r"Circle 1: \w+ \w+ \(.+?, .+?\)", said)  # its members, by name
    png = (scratch / "crossties-demo-report.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    report_one = json.loads(run(["report", "--json"], scratch).stdout)
    again = run(["demo", "--seed", "5"], scratch)  # replaces, never duplicates
    assert again.returncode == 0, again.stderr
    listed = run(["programme", "list"], scratch)
    assert listed.stdout.count("Northfield Partnership (demo)") == 1
    report_two = json.loads(run(["report", "--json"], scratch).stdout)
    assert report_one == report_two  # deterministic for a seed
    assert report_one["introductions"] >= 4 * 20
    chat = run(["chat", "--as", "demo-02"], scratch, stdin="ties\nmatch\nxyzzy\nquit\n")
    assert chat.returncode == 0, chat.stderr
    assert "Your working relationships" in chat.stdout
    assert 'Sorry, I don\'t know "xyzzy"' in chat.stdout

    # a coordinator runs a round; the introduction's own actions redraw it in the terminal
    typed = "round run\n5\nanother question\nNot yet\nwe met\nquit\n"
    tried = run(["chat", "--as", "demo-01"], scratch, stdin=typed)
    assert tried.returncode == 0, tried.stderr
    shown = tried.stdout
    assert "[5] Another question" in shown and "[4] Suggest a time" in shown
    starters = [line for line in shown.splitlines() if line.startswith("│ To start: ")]
    assert len(starters) == 3 and len(set(starters)) == 3, starters  # each press swaps it
    assert shown.count("┌ Meet each other") >= 3
    assert "You said you haven't met yet." in shown and "[2] ✓ Not yet" in shown
    assert "You said you met." in shown and "[1] ✓ We met" in shown
