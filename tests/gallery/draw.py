"""Payloads → PNG: HTML pages (slack_html, teams_page) screenshotted in headless Chromium.

Knows nothing about which messages exist; it draws whatever `Shot`s it is given.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.gallery import slack_html, teams_page

HERE = Path(__file__).parent
SHOOT = HERE / "shoot.cjs"
SLACK_WIDTH = 390  # a phone: Slack is read on phones as much as at a desk
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@dataclass(frozen=True)
class Drawn:
    name: str
    png: Path
    problems: tuple[str, ...]  # what the renderer reported (parse or validation warnings)
    cut: tuple[str, ...] = ()  # button labels drawn cut short (wider than their button)


def missing_tools() -> str | None:
    """Why drawing cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return "chromium is not installed (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is not installed"
    for needed in ("puppeteer-core", "adaptivecards", "markdown-it"):
        if not (teams_page.NODE_MODULES / needed).is_dir():
            return f"{needed} is missing (cd tests/e2e && npm install)"
    return None


def page_for(platform: str, payload: dict[str, Any], variant: str = "") -> tuple[str, int]:
    """The HTML page and the viewport width for one payload."""
    if platform == "slack":
        return slack_html.page(payload, SLACK_WIDTH), SLACK_WIDTH
    card = teams_page.PHONE_CARD if variant == "phone" else teams_page.DESKTOP_CARD
    return teams_page.page(payload, card), card + 72


def draw(items: Sequence[tuple[str, str, dict[str, Any], str]], out: Path) -> list[Drawn]:
    """Draw (name, platform, payload, variant) items as out/NAME.png, in one browser."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crossties-draw-") as folder:
        scratch = Path(folder)
        jobs = []
        for name, platform, payload, variant in items:
            html, width = page_for(platform, payload, variant)
            page = scratch / f"{name}.html"
            page.write_text(html, encoding="utf-8")
            jobs.append({"html": str(page), "png": str(out / f"{name}.png"), "width": width})
        (scratch / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
        subprocess.run(
            ["node", str(SHOOT), str(scratch / "jobs.json"), str(scratch / "results.json")],
            check=True,
            timeout=300,
            env={**os.environ, "CHROMIUM": CHROMIUM},
        )
        results = json.loads((scratch / "results.json").read_text(encoding="utf-8"))
    drawn = []
    for (name, *_), result in zip(items, results, strict=True):
        png = Path(result["png"])
        shrink(png)
        drawn.append(Drawn(name, png, tuple(result["problems"]), tuple(result.get("cut", ()))))
    return drawn


def shrink(png: Path) -> None:
    """Screenshots of flat UI compress well to a 256-colour palette, text stays sharp."""
    from PIL import Image

    with Image.open(png) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    if buffer.tell() < png.stat().st_size:
        png.write_bytes(buffer.getvalue())
