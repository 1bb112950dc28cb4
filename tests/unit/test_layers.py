"""The layering contract of pyproject.toml ([tool.importlinter]) holds, and it would catch a
back-edge: the same check run on a copy of the tree with one forbidden import planted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def copy_tree(to: Path) -> Path:
    for package in ("bot", "adapters", "crossties"):
        shutil.copytree(ROOT / package, to / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", to / "pyproject.toml")
    return to


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def plant(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    anchor = "from __future__ import annotations\n"
    assert anchor in text
    module.write_text(text.replace(anchor, anchor + line + "\n", 1), encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return copy_tree(tmp_path)


def test_the_clean_tree_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_an_adapter_imported_by_the_core_breaks_the_contract(tree: Path) -> None:
    plant(tree / "bot" / "clock.py", "import adapters.slack.manifest  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "The core imports no adapter, no wiring and no chat SDK BROKEN" in result.stdout
    assert "bot.clock -> adapters.slack.manifest" in result.stdout


def test_an_sdk_or_the_wiring_imported_by_the_core_breaks_the_contract(tree: Path) -> None:
    plant(tree / "bot" / "pacing.py", "import slack_sdk  # noqa")
    plant(tree / "bot" / "templates.py", "import crossties.wiring  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "bot.pacing -> slack_sdk" in result.stdout
    assert "bot.templates -> crossties.wiring" in result.stdout


def test_adapters_importing_each_other_break_the_contract(tree: Path) -> None:
    plant(tree / "adapters" / "local" / "platform.py", "import adapters.teams.render  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "Adapters do not import each other BROKEN" in result.stdout
    assert "adapters.local.platform -> adapters.teams.render" in result.stdout


def test_an_adapter_reaching_behind_the_front_door_breaks_the_contract(tree: Path) -> None:
    plant(tree / "adapters" / "slack" / "render.py", "import bot.usecases.people  # noqa")
    plant(tree / "adapters" / "teams" / "render.py", "import bot.db.models  # noqa")
    result = lint(tree)
    assert result.returncode != 0
    assert "Adapters reach the core only through its front door" in result.stdout
    assert "adapters.slack.render -> bot.usecases.people" in result.stdout
    assert "adapters.teams.render -> bot.db.models" in result.stdout
