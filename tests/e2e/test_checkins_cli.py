"""`crossties checkins send --at TIME [--programme NAME]` as coordinators (and outside tests)
run it: real processes on a scratch database, the outbox read back from the file."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_cli import data_home, database_file, run

ORGANISATIONS = "Acute Trust,GP Federation,Hospice"


def outbox(folder: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(database_file(folder)) as connection:
        rows = connection.execute("SELECT kind, state, count(*) FROM outbox GROUP BY 1, 2")
        return {(kind, state): n for kind, state, n in rows}


def checkins_sent(folder: Path) -> int:
    with sqlite3.connect(database_file(folder)) as connection:
        (n,) = connection.execute(
            "SELECT count(*) FROM checkin WHERE sent_at IS NOT NULL"
        ).fetchone()
        return int(n)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")  # no time zone: taken as UTC


def started(folder: Path, roster: str, *create: str) -> None:
    (folder / "roster.csv").write_text(roster)
    steps = [
        ["programme", "create", "East", "--organisations", ORGANISATIONS, *create],
        ["people", "import", "roster.csv"],
        ["round", "run"],
    ]
    for step in steps:
        done = run(step, folder)
        assert done.returncode == 0, done.stderr


@pytest.fixture
def local(tmp_path: Path) -> Path:
    roster = "id,name,organisation\n" + "".join(
        f"p{i},Person {i},{org}\n"
        for i, org in enumerate(["Acute Trust", "GP Federation", "Hospice"] * 4)
    )
    started(tmp_path, roster, "--cadence", "weekly")
    return tmp_path


def test_sends_early_what_is_due_by_the_time_given_and_only_once(local: Path) -> None:
    now = datetime.now(UTC)
    nothing_yet = run(["checkins", "send"], local)  # due in seven days: not by now
    assert nothing_yet.returncode == 0, nothing_yet.stderr
    assert nothing_yet.stdout.startswith(
        "0 check-ins, 0 nudges and 0 follow-ups sent for East (due by today, "
    )
    assert outbox(local) == {("introduction", "pending"): 6}

    early = run(["checkins", "send", "--at", iso(now + timedelta(days=8))], local)
    assert early.returncode == 0, early.stderr
    assert early.stdout.startswith("12 check-ins, 0 nudges and 0 follow-ups sent for East (due by ")
    assert early.stdout.rstrip().endswith(" UTC).") and len(early.stdout.splitlines()) == 1
    assert outbox(local) == {("introduction", "pending"): 6, ("checkin", "sent"): 12}

    again = run(
        ["checkins", "send", "--programme", "East", "--at", iso(now + timedelta(days=8))], local
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("0 check-ins, 0 nudges and 0 follow-ups sent for East")
    assert outbox(local) == {("introduction", "pending"): 6, ("checkin", "sent"): 12}

    zoned = (now + timedelta(days=11)).astimezone().isoformat()  # with its own offset
    nudged = run(["checkins", "send", "--at", zoned], local)
    assert nudged.returncode == 0, nudged.stderr
    assert nudged.stdout.startswith("0 check-ins, 12 nudges and 0 follow-ups sent for East")
    assert outbox(local)[("nudge", "sent")] == 12


def test_a_bad_time_is_one_line_and_changes_nothing(local: Path) -> None:
    before = outbox(local)
    for bad in ("next tuesday", "2026-13-45T09:00", ""):
        done = run(["checkins", "send", "--at", bad], local)
        assert done.returncode == 2
        assert done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and "--at" in done.stderr
        assert "ISO 8601" in done.stderr and "Traceback" not in done.stderr
    assert outbox(local) == before and checkins_sent(local) == 0


def test_an_unknown_programme_is_a_polite_line(local: Path) -> None:
    done = run(["checkins", "send", "--programme", "Westfield", "--at", "2099-01-01"], local)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crossties: no programme called 'Westfield' in")
    assert lines[0].endswith("(programmes: East)")
    assert checkins_sent(local) == 0 and ("checkin", "sent") not in outbox(local)


def test_without_slack_credentials_the_checkins_wait_for_the_server(tmp_path: Path) -> None:
    roster = "id,name,organisation,slack_user_id,slack_team_id\n" + "".join(
        f"p{i},Person {i},{org},U{i:03d},T1\n"
        for i, org in enumerate(["Acute Trust", "GP Federation", "Hospice"] * 2)
    )
    started(tmp_path, roster, "--slack-team", "T1", "--no-local")
    at = iso(datetime.now(UTC) + timedelta(days=30))
    done = run(["checkins", "send", "--at", at], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [done.stdout.splitlines()[0]] and done.stdout.startswith(
        "0 check-ins, 0 nudges and 0 follow-ups sent for East"
    )
    assert "; 12 messages queued for delivery by `crossties serve` (slack)." in done.stdout
    assert outbox(tmp_path) == {
        ("introduction", "pending"): 3,
        ("checkin", "pending"): 6,
        ("nudge", "pending"): 6,
    }


async def test_with_slack_configured_the_checkins_reach_slack(tmp_path: Path) -> None:
    """The sender `crossties serve` uses, against a local fake of the Slack Web API."""
    import asyncio
    import os
    import sys

    from tests.fakes_slack import TEAM_ID, FakeSlack

    roster = "id,name,organisation,slack_user_id,slack_team_id\n" + "".join(
        f"p{i},Person {i},{org},U{i:03d},{TEAM_ID}\n"
        for i, org in enumerate(["Acute Trust", "GP Federation", "Hospice"] * 2)
    )
    await asyncio.to_thread(started, tmp_path, roster, "--slack-team", TEAM_ID, "--no-local")
    async with FakeSlack() as slack:
        for i in range(6):
            slack.add_user(f"U{i:03d}", f"Person {i}")
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))
        }
        environment.pop("CROSSTIES_DATABASE_URL", None)
        environment |= {
            "XDG_DATA_HOME": str(data_home(tmp_path)),
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": "s3cret",
            "SLACK_API_URL": slack.api_url,
        }
        at = iso(datetime.now(UTC) + timedelta(days=8))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "crossties.cli",
            "checkins",
            "send",
            "--at",
            at,
            cwd=tmp_path,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        assert out.decode().splitlines() == [
            out.decode().splitlines()[0]
        ] and out.decode().startswith("6 check-ins, 0 nudges and 0 follow-ups sent for East")
        posted = slack.calls_to("chat.postMessage", ok_only=True)
        assert len(posted) == 6
        assert all("Did you meet" in json.dumps(call.args) for call in posted)
    assert outbox(tmp_path) == {("introduction", "pending"): 3, ("checkin", "sent"): 6}


def test_not_yet_brings_one_follow_up_sent_early_by_the_cli(local: Path) -> None:
    """A pair answers "not yet" in the terminal chat: its check-ins and nudges are not sent,
    its one follow-up is, when due, and only once."""
    now = datetime.now(UTC)
    said = run(["chat", "--as", "p0"], local, stdin="met not yet\nquit\n")
    assert said.returncode == 0, said.stderr
    assert "noted not yet" in said.stdout

    early = run(["checkins", "send", "--at", iso(now + timedelta(days=8))], local)
    assert early.returncode == 0, early.stderr
    assert early.stdout.startswith("10 check-ins, 0 nudges and 0 follow-ups sent for East")

    later = run(["checkins", "send", "--at", iso(now + timedelta(days=11))], local)
    assert later.returncode == 0, later.stderr
    assert later.stdout.startswith("0 check-ins, 10 nudges and 2 follow-ups sent for East")
    assert outbox(local)[("followup", "sent")] == 2

    again = run(["checkins", "send", "--at", iso(now + timedelta(days=40))], local)
    assert again.stdout.startswith("0 check-ins, 0 nudges and 0 follow-ups sent for East")
