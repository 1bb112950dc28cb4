"""Logs as `crossties serve` writes them: one line per record, as text or JSON, and no
per-minute scheduler chatter at INFO. Run in a fresh interpreter, as the server configures
the root logger once."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import logging
from bot.logsafe import configure
configure(logging.INFO, {fmt!r})
logging.getLogger("apscheduler.executors.default").info("Running job due-work")
logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed")
logging.getLogger("bot.worker").info("forged\\nline 2")
try:
    raise RuntimeError("boom")
except RuntimeError:
    logging.getLogger("bot.worker").exception("delivery pass failed")
"""


def logged(fmt: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(fmt=fmt)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout == ""
    return done.stderr.splitlines()


def test_json_logs_are_one_object_per_line_with_the_traceback_inside() -> None:
    entries = [json.loads(line) for line in logged("json")]
    assert [(e["logger"], e["level"]) for e in entries] == [
        ("apscheduler.scheduler", "WARNING"),
        ("bot.worker", "INFO"),
        ("bot.worker", "ERROR"),
    ]
    assert entries[1]["message"] == "forged\nline 2"  # escaped by JSON, still one line
    assert "RuntimeError: boom" in entries[2]["error"]
    assert entries[0]["time"].endswith("+00:00")


def test_text_logs_keep_quiet_about_scheduler_runs() -> None:
    lines = logged("text")
    assert not any("Running job" in line for line in lines)
    assert any("Run time of job was missed" in line for line in lines)
    assert any(line.endswith("bot.worker: forged\\nline 2") for line in lines)
