"""The HTML report page in headless Chromium: it renders, and markup in names does nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.reports import ReportInput, TieGroup, build_report, lead_view
from bot.reports.html import render_html
from bot.templates import Prompts

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
SCRIPT = "<script>document.title='pwned'</script>"
IMAGE = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
)


def hostile_page(tmp_path: Path) -> Path:
    organisations = (SCRIPT, IMAGE, "Acute Trust", "GP Federation")
    data = ReportInput(
        programme="North <b>Partnership</b>",
        organisations=organisations,
        rounds=(1, 2),
        introductions=((1, "met", 10), (1, None, 6), (2, "met", 7), (2, None, 5)),
        organisation_introductions=((SCRIPT, "met", 8),),
        ties=(
            TieGroup(SCRIPT, "Acute Trust", "met", 1, 9),
            TieGroup(IMAGE, "GP Federation", "introduced", 2, 6),
            TieGroup(SCRIPT, IMAGE, "collaborating", 2, 2),
            TieGroup("Acute Trust", "GP Federation", "met", 1, 11),
        ),
        memberships=((SCRIPT, "active", 7), (IMAGE, "active", 3), ("Acute Trust", "active", 9)),
        role_pairs=((SCRIPT, "Nurse", 6),),
        role_people=((SCRIPT, 6), ("Nurse", 8)),
        tags=(("#<i>x</i>", 6, 6),),
        connectors=((IMAGE, 3),),
    )
    view = lead_view(build_report(data))
    page = tmp_path / "report.html"
    html = render_html(view, Prompts(), generated=datetime(2026, 3, 2, 9, tzinfo=UTC))
    page.write_text(html, encoding="utf-8")
    return page


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None, "chromium is required in CI (apt-get install chromium)"
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_page_source_escapes_every_name(tmp_path: Path) -> None:
    html = hostile_page(tmp_path).read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=x" not in html and "<b>Partnership" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=" in html
    assert "default-src 'none'" in html
    assert html.count('src="data:image/png;base64,') == 3


def test_chromium_renders_the_page_and_runs_nothing(tmp_path: Path) -> None:
    page = hostile_page(tmp_path)
    dumped = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert "<table" in dom and 'id="matrix"' in dom
    assert "data-pwned" not in dom.replace("data-pwned','1')", "")
    assert "<title>North &lt;b&gt;Partnership&lt;/b&gt;: partnership report</title>" in dom
    assert "<script" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    for line in dumped.stderr.splitlines():
        assert "Uncaught" not in line and "Content Security Policy" not in line, line
    shot = tmp_path / "page.png"
    taken = chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] == 1600 and pixels.shape[1] == 1200
    assert float(pixels[..., :3].std()) > 0.05  # text, tables and charts, not a blank page
