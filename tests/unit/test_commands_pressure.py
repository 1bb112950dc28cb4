"""The grammar of an organisation's pause and a person's pace and days."""

from __future__ import annotations

from datetime import date

import pytest

from bot import commands as c
from bot.db.models import Cadence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "pause organisation Northfield Hospice until 12 January 2027",
            c.PauseOrganisation("Northfield Hospice", date(2027, 1, 12)),
        ),
        (
            "pause org Until Care until 2027-01-12",
            c.PauseOrganisation("Until Care", date(2027, 1, 12)),
        ),
        ("resume organisation Hospice", c.ResumeOrganisation("Hospice")),
        ("profile cadence every other round", c.ProfileCadence(Cadence.EVERY_OTHER_ROUND)),
        ("profile cadence Every-Round", c.ProfileCadence(Cadence.EVERY_ROUND)),
        ("profile cadence monthly", c.ProfileCadence(Cadence.MONTHLY)),
        ("profile days mon tue thu", c.ProfileDays((0, 1, 3))),
        ("profile days Thursday, monday and Tues", c.ProfileDays((0, 1, 3))),
        ("profile days weekends", c.ProfileDays((5, 6))),
        ("profile days any", c.ProfileDays(())),
        ("pause for 2 weeks", c.Pause(weeks=2)),  # a person's own pause is unchanged
        ("profile role Ward sister", c.Profile("role", "Ward sister")),
    ],
)
def test_reads(text: str, expected: object) -> None:
    assert c.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("pause organisation Hospice", "error_pause_organisation_usage"),
        ("pause organisation until 12 January 2027", "error_pause_organisation_usage"),
        ("pause organisation Hospice until soon", "error_pause_organisation_usage"),
        ("resume organisation", "error_pause_organisation_usage"),
        ("profile cadence now and then", "error_cadence_usage"),
        ("profile days", "error_days_usage"),
        ("profile days mon funday", "error_days_usage"),
    ],
)
def test_refuses_politely(text: str, prompt: str) -> None:
    parsed = c.parse(text)
    assert isinstance(parsed, c.ParseError) and parsed.prompt == prompt
