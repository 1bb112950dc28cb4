"""No log injection: our log calls never write user text (names, notes, commands), and the
server's formatter writes every record on one line whatever its message holds."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.logsafe import FORMAT, OneLineFormatter
from tests.adapters.slack.conftest import Harness
from tests.security.test_forget_me import open_home

pytestmark = pytest.mark.db

FORGED = "2026-11-26 09:00:00 ERROR bot.core: FORGED-ENTRY"


def test_the_formatter_keeps_each_record_on_one_line() -> None:
    record = logging.LogRecord(
        "adapters.slack", logging.WARNING, __file__, 1, "reply for %s", (f"x\r\n{FORGED}",), None
    )
    line = OneLineFormatter(FORMAT).format(record)
    assert "\n" not in line and "\r" not in line and "FORGED-ENTRY" in line
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    with_trace = OneLineFormatter(FORMAT).format(record)
    first, *trace = with_trace.split("\n")
    assert "FORGED-ENTRY" in first and trace[0] == "Traceback (most recent call last):"


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # logging is the same on both
async def test_user_text_never_reaches_our_logs(
    slack_world: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = slack_world
    caplog.set_level(logging.DEBUG)
    h.slack.add_user("U0EVIL01", f"Eve\n{FORGED}", email="eve@example.org")
    await open_home(h, "U0EVIL01", "EvEvil1")
    for text in (
        "join Hospice",
        f"profile role nurse\n{FORGED}",
        f"log <@U03> we met\n{FORGED} #a",
        f"nonsense\n{FORGED}",
        f"join {FORGED}",
        "pause until 30 February",
    ):
        await h.command(text, user="U0EVIL01")
    h.slack.script("chat.postMessage", error=f"invalid_arguments\n{FORGED}")
    await h.command("round run", user="U01")
    await h.deliver()
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "adapters")]
    assert [r.getMessage() for r in ours if "FORGED" in r.getMessage()] == []
    formatter = OneLineFormatter(FORMAT)
    for record in caplog.records:  # every library's record, formatted as the server does
        bare = {**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None}
        assert "\n" not in formatter.format(logging.makeLogRecord(bare))
