"""The core stays free of platform SDKs, and every prompt it names exists."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from bot.templates import Prompts

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp_retry")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "bot").rglob("*.py")), ids=lambda p: str(p))
def test_core_never_imports_a_platform_sdk(path: Path) -> None:
    for name in _imports(path):
        assert name.split(".")[0] not in SDKS, f"{path} imports {name}"


def test_core_works_without_the_sdks_installed() -> None:
    """Block the SDKs at import time and drive a command through the core."""
    program = "\n".join(
        [
            "import sys",
            f"for name in {SDKS!r}:",
            "    sys.modules[name] = None",
            "import asyncio, tempfile",
            "from datetime import datetime, UTC",
            "from bot.clock import ManualClock",
            "from bot.core import Crossties",
            "from bot.db.session import Database",
            "from bot.templates import Prompts",
            "from bot.events import CommandReceived, UserRef",
            "folder = tempfile.mkdtemp()",
            "clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))",
            "core = Crossties(Database(f'sqlite:///{folder}/x.db'), clock, Prompts())",
            "user = UserRef('local', 'w', 'u')",
            "reply = asyncio.run(core.handle(CommandReceived(user, 'help')))",
            "print(reply.messages[0].plain()[:20])",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Here is what you can" in result.stdout


def _prompt_names_used() -> set[str]:
    names: set[str] = set()
    pattern = re.compile(r"""(?:say|render)\(\s*["']([a-z_]+)["']""")
    for path in (ROOT / "bot").rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "bot").rglob("*.py"):
        names.update(
            re.findall(
                r"""(?:UseCaseError|ParseError)\(\s*["']([a-z_]+)["']""",
                path.read_text(encoding="utf-8"),
            )
        )
    names.update(
        {
            "denied_coordinator",
            "denied_lead",
            "nudge_title",
            "nudge_body",
            "checkin_title",
            "checkin_body",
        }
    )
    return names


def test_every_prompt_the_code_names_exists() -> None:
    prompts = Prompts()
    missing = sorted(name for name in _prompt_names_used() if not prompts.has(name))
    assert not missing


def test_prompts_are_strict_about_missing_values() -> None:
    with pytest.raises(UndefinedError):
        Prompts().render("joined")


def test_operators_can_override_a_prompt(tmp_path: Path) -> None:
    (tmp_path / "no_ties.j2").write_text("Nothing yet, my friend.")
    prompts = Prompts(tmp_path)
    assert prompts.render("no_ties") == "Nothing yet, my friend."
    assert prompts.render("no_match").startswith("You have no introduction")


def test_there_are_at_least_twenty_distinct_starters() -> None:
    starters = Prompts().starters()
    assert len(starters) >= 20
    assert len({s.key for s in starters}) == len(starters)
    assert len({s.text for s in starters}) == len(starters)
    assert all(s.text.endswith("?") for s in starters)
