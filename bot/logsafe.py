"""One log record, one line: line breaks inside a message are written as `\\n`, so text that
reached a message (a name, an error from a platform) can never forge further log lines.
Tracebacks, which the operator needs as they are, follow the escaped line unchanged.

With `CROSSTIES_LOG_FORMAT=json` each record is one JSON object on one line (the traceback,
if any, inside it), for a log collector. Either way the log says what happened, never what
anyone wrote or who they are: callers log ids, counts and error types.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines say nothing an operator needs (APScheduler logs every job run,
# once a minute for the due-work scan): only their warnings and errors are kept.
CHATTY = ("apscheduler",)


class OneLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        return line.replace("\r", "\\r").replace("\n", "\\n").replace("\x1b", "\\x1b")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message[, error]."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO, log_format: str = "text") -> None:
    """Log to standard error, one line per record, as text or JSON."""
    logging.basicConfig(level=level, format=FORMAT)
    guard_library_records()
    formatter = JsonFormatter() if log_format == "json" else OneLineFormatter(FORMAT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


# Records of our own code are written with care (ids and error types, never user text); the
# libraries' are not: Bolt logs the whole body of a refused request at INFO, slack_sdk and
# msrest log every request and response body at DEBUG. Their records keep their first words
# only, up to the first sign of data, so no log line carries a message body or a name.
OURS = frozenset({"bot", "adapters", "crossties", "tests", "__main__"})
WITHHELD = "[details withheld]"
LIBRARY_LINE_MAX = 160  # characters
_DATA_STARTS = re.compile(r"body|params|payload|json|content|data|text|[{(<?\n]", re.I)


def withhold_details(record: logging.LogRecord) -> None:
    """Cut a library's record to its words before the first data it quotes."""
    try:
        message = record.getMessage()
    except Exception:  # a library's own formatting mistake: nothing of it is kept
        message = ""
    found = _DATA_STARTS.search(message)
    head = (message[: found.start()] if found else message).rstrip(" ,:;-=")
    if len(head) > LIBRARY_LINE_MAX:  # a long run of words is data too (a plain-text body)
        head = ""
    if found or not head:
        head = f"{head} {WITHHELD}" if head else WITHHELD
    record.msg, record.args = head, ()


def guard_library_records() -> None:
    """Install `withhold_details` for every library record, at any level (idempotent: the
    record factory is process-wide, and the server may be built more than once)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "withholds_details", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        # (no name: logging.makeLogRecord, which fills the record in from a dict after)
        if record.name is not None and record.name.partition(".")[0] not in OURS:
            withhold_details(record)
        return record

    factory.withholds_details = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
