"""What is up in this process: one entry per part (database, scheduler, delivery, Slack,
Teams) with its state and last error, read by `GET /healthz`.

A platform that cannot connect never stops the others: it is marked `retrying` while a
transient error is retried and `failed` (with what to fix) after a permanent one. The process
is unavailable only when it cannot do its job at all: the database is down.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PartState(StrEnum):
    STARTING = "starting"
    UP = "up"
    STANDBY = "standby"  # the scheduler of a server that is not the leader
    RETRYING = "retrying"
    FAILED = "failed"
    DOWN = "down"
    OFF = "off"  # not configured


PARTS = ("database", "scheduler", "delivery", "slack", "teams")
_FINE = {PartState.UP, PartState.STANDBY, PartState.OFF}


@dataclass
class Part:
    state: PartState = PartState.STARTING
    error: str | None = None
    since: float = field(default_factory=time.time)


class Health:
    def __init__(self) -> None:
        self.parts: dict[str, Part] = {name: Part() for name in PARTS}

    def set(self, name: str, state: PartState, error: str | None = None) -> None:
        part = self.parts.setdefault(name, Part())
        if part.state != state:
            part.since = time.time()
        part.state = state
        if error is not None or state in _FINE:
            part.error = error

    def state(self, name: str) -> PartState:
        return self.parts[name].state

    def available(self) -> bool:
        """Whether the process can do its job (a platform down leaves the others serving)."""
        return self.parts["database"].state != PartState.DOWN

    def report(self) -> dict[str, Any]:
        if not self.available():
            status = "unavailable"
        elif all(part.state in _FINE for part in self.parts.values()):
            status = "ok"
        else:
            status = "degraded"
        return {
            "status": status,
            "parts": {
                name: {"state": part.state.value, "error": part.error}
                for name, part in self.parts.items()
            },
        }
