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
from datetime import UTC, datetime

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
    formatter = JsonFormatter() if log_format == "json" else OneLineFormatter(FORMAT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
