"""`crossties organisation pause|resume` as coordinators use it: real processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.formatting import date_words
from tests.e2e.test_cli import run, scratch  # noqa: F401 (the fixture)


def test_pausing_an_organisation_leaves_it_out_and_pairs_everyone_else(
    scratch: Path,  # noqa: F811
) -> None:
    created = run(
        ["programme", "create", "East", "--organisations", "Acute Trust,GP Federation,Hospice"],
        scratch,
    )
    assert created.returncode == 0, created.stderr
    assert run(["people", "import", "roster.csv"], scratch).returncode == 0
    bad = run(["organisation", "pause", "Hospice", "--until", "someday"], scratch)
    assert bad.returncode == 2 and "--until must be a date" in bad.stderr
    unknown = run(["organisation", "pause", "Nowhere", "--until", "2099-01-01"], scratch)
    assert unknown.returncode == 1 and "Nowhere" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    too_long = run(["organisation", "pause", "Hospice", "--until", "2099-01-01"], scratch)
    assert too_long.returncode == 1 and "up to a year" in too_long.stderr
    back = datetime.now(UTC).date() + timedelta(days=60)
    paused = run(["organisation", "pause", "hospice", "--until", back.isoformat()], scratch)
    assert paused.returncode == 0, paused.stderr
    assert f"Hospice is paused in East until {date_words(back)} (4 people" in paused.stdout
    dry = run(["round", "run", "--dry-run"], scratch)
    assert "4 groups, 8 people, 4 across organisations; 4 paused" in dry.stdout, dry.stdout
    assert "Hospice" not in dry.stdout.split("Organisations", 1)[1]
    resumed = run(["organisation", "resume", "Hospice"], scratch)
    assert resumed.returncode == 0 and "back in East's rounds" in resumed.stdout
    dry = run(["round", "run", "--dry-run"], scratch)
    assert "6 groups, 12 people" in dry.stdout
