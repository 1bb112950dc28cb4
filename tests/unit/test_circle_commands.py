"""The circle words of the grammar: what each reads as, and polite errors for the rest."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot import circle_commands as cc
from bot import commands as c


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("circles", cc.CirclesList()),
        ("circle", cc.CirclesList()),
        ("Circle list --programme North", cc.CirclesList(programme="North")),
        ("circle join Weekend discharges", cc.CircleJoin("Weekend discharges")),
        ("circle leave #3", cc.CircleLeave("#3")),
        ("circle form winter", cc.CircleForm("winter")),
        (
            "circle open Winter | Beds in January | Trust, Council | 12 January 2027",
            cc.CircleOpen("Winter", "Beds in January", ("Trust", "Council"), date(2027, 1, 12)),
        ),
        (
            "circle open Winter | Beds | Trust,Council,Hospice | 2027-01-12 at 14:30",
            cc.CircleOpen(
                "Winter", "Beds", ("Trust", "Council", "Hospice"), date(2027, 1, 12), time(14, 30)
            ),
        ),
        (
            "circle propose Winter | Beds | Trust, Council | 12 January 2027 10:00",
            cc.CirclePropose("Winter", "Beds", ("Trust", "Council"), date(2027, 1, 12), time(10)),
        ),
        ("circle approve Winter plan", cc.CircleDecide("Winter plan", approve=True)),
        ("circle decline #4 --programme North", cc.CircleDecide("#4", False, programme="North")),
        ("circle proposals", cc.CircleProposals(None)),
        ("circle proposals ON", cc.CircleProposals(True)),
        ("circle proposals off", cc.CircleProposals(False)),
    ],
)
def test_circle_words(words: str, expected: object) -> None:
    assert c.parse(words) == expected


@pytest.mark.parametrize(
    ("words", "prompt"),
    [
        ("circles please", "error_circle_usage"),
        ("circle dance", "error_circle_usage"),
        ("circle join", "error_circle_usage"),
        ("circle open Winter", "error_circle_open_usage"),
        ("circle propose Winter", "error_circle_propose_usage"),
        ("circle propose Winter | Beds | Trust | 12 January 2027", "error_circle_organisations"),
        ("circle approve", "error_circle_usage"),
        ("circle proposals sometimes", "error_circle_proposals_usage"),
        ("circle open Winter | | Trust, Council | 12 January 2027", "error_circle_open_usage"),
        ("circle open Winter | Beds | Trust | 12 January 2027", "error_circle_organisations"),
        ("circle open Winter | Beds | Trust, Council | soon", "error_circle_when"),
        ("circle open Winter | Beds | Trust, Council | 12 January 2027 25:00", "error_circle_when"),
        (
            "circle open " + "W" * 121 + " | Beds | Trust, Council | 12 January 2027",
            "error_too_long",
        ),
    ],
)
def test_bad_circle_words_name_a_polite_error(words: str, prompt: str) -> None:
    parsed = c.parse(words)
    assert isinstance(parsed, c.ParseError) and parsed.prompt == prompt
