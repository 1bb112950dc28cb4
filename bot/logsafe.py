"""One log record, one line: line breaks inside a message are written as `\\n`, so text that
reached a message (a name, an error from a platform) can never forge further log lines.
Tracebacks, which the operator needs as they are, follow the escaped line unchanged."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        return line.replace("\r", "\\r").replace("\n", "\\n").replace("\x1b", "\\x1b")


def configure(level: int = logging.INFO) -> None:
    """Log to standard error, one line per record."""
    logging.basicConfig(level=level, format=FORMAT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(OneLineFormatter(FORMAT))
