"""The gallery's drawing: Block Kit and Adaptive Cards become PNGs in headless Chromium, and
Microsoft's renderer reports what it cannot draw."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.compose import checkin_message
from bot.templates import Prompts
from tests.adapters.test_payload_limits import elements
from tests.gallery import draw, samples

MISSING = draw.missing_tools()
pytestmark = pytest.mark.skipif(
    MISSING is not None and not os.environ.get("CI"), reason=f"cannot draw: {MISSING}"
)
TEAMS_PRIMARY = (0x5B, 0x5F, 0xC7)
SLACK_PRIMARY = (0x00, 0x7A, 0x5A)


def colours(png: Path) -> set[tuple[int, int, int]]:
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        return {rgb.getpixel((x, y)) for x in range(rgb.width) for y in range(0, rgb.height, 2)}


def test_a_check_in_is_drawn_on_both_platforms_and_a_crowded_card_is_reported(
    tmp_path: Path,
) -> None:
    assert MISSING is None, MISSING
    message = checkin_message(
        Prompts(),
        introduction_id=7,
        partners=["Kwame Mensah", "Siobhan Murphy-Okafor"],
        introduced=datetime(2026, 3, 2, 9, tzinfo=UTC),
        now=datetime(2026, 3, 9, 9, tzinfo=UTC),
    )
    crowded = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Too many buttons"}],
        "actions": [{"type": "Action.Submit", "title": f"Choice {n}"} for n in range(7)],
    }
    drawn = draw.draw(
        [
            ("slack", "slack", samples.slack_message(message, where="Direct message"), ""),
            ("teams", "teams", samples.chat(samples.teams_activities(message)), ""),
            ("phone", "teams", samples.chat(samples.teams_activities(message)), "phone"),
            ("crowded", "teams", samples.chat([samples.teams_card(crowded)]), ""),
        ],
        tmp_path,
    )
    slack, teams, phone, too_many = drawn
    assert slack.problems == () and teams.problems == () and phone.problems == ()
    assert any("Maximum number of actions exceeded" in p for p in too_many.problems)
    with Image.open(slack.png) as image:
        assert image.width == draw.SLACK_WIDTH and 120 < image.height < 400
    with Image.open(teams.png) as wide, Image.open(phone.png) as narrow:
        assert wide.width > narrow.width > 300 and wide.height > 100
        assert narrow.height > wide.height  # the same text wraps more on a phone
    assert SLACK_PRIMARY in colours(slack.png)  # the "We met" button, drawn in its style
    assert TEAMS_PRIMARY in colours(teams.png)


def test_microsofts_renderer_draws_every_sample_card(tmp_path: Path) -> None:
    """Only the known crowded cards draw with a complaint; anything else is a new problem."""
    assert MISSING is None, MISSING
    teams = [s for s in samples.sample_shots() if s.platform == "teams" and not s.variant]
    drawn = draw.draw([(s.name, s.platform, s.payload, s.variant) for s in teams], tmp_path)
    crowded = ("invitation",)  # six actions or more on one row, for now
    unexpected = [
        f"{picture.name}: {problem}"
        for picture in drawn
        for problem in picture.problems
        if not (
            any(kind in picture.name for kind in crowded)
            and problem.endswith("Maximum number of actions exceeded (6).")
        )
    ]
    assert not unexpected, "\n".join(unexpected)
    assert len(drawn) >= 20 and all(p.png.stat().st_size > 2000 for p in drawn)


def _has_buttons(payload: dict[str, Any]) -> bool:
    return any(
        element.get("type", "").startswith("Action.")
        for activity in payload["activities"]
        for attachment in activity["attachments"]
        for element in elements(attachment["content"])
    )


@pytest.mark.slow
def test_no_button_label_is_cut_short_at_chat_or_phone_width(tmp_path: Path) -> None:
    """Every sample card with buttons, drawn at Teams' chat width and at a phone's: no label
    is wider than its button ("Couldn't …")."""
    assert MISSING is None, MISSING
    teams = [
        s
        for s in samples.sample_shots()
        if s.platform == "teams" and not s.variant and _has_buttons(s.payload)
    ]
    assert {"teams-checkin", "teams-followup", "teams-introduction-pair", "teams-answered"} <= {
        s.name for s in teams
    }
    items = [(f"{s.name}-{w}", s.platform, s.payload, w) for s in teams for w in ("", "phone")]
    drawn = draw.draw(items, tmp_path)
    cut = [f"{picture.name}: {label}" for picture in drawn for label in picture.cut]
    assert not cut, "\n".join(cut)
    # the check is real: three answers in one stretched row are cut on a phone
    stretched = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Did you meet?"}],
        "actions": [
            {"type": "Action.Execute", "title": t} for t in ("We met", "Not yet", "Couldn't meet")
        ],
    }
    (row,) = draw.draw(
        [("stretched", "teams", samples.chat([samples.teams_card(stretched)]), "phone")], tmp_path
    )
    assert row.cut == ("Couldn't meet",)
