"""What the core reports about its own work, for whoever watches it (the server's metrics).

The core calls an `Observer` it was given; it never imports a metrics library. `Unwatched`
is the default and does nothing. Labels are bounded sets (platform, event kind, outcome):
never a name, an id or a message body.
"""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    def handled(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        """One inbound event handled: `outcome` is ok, refused, duplicate or error."""
        ...

    def delivered(self, platform: str, outcome: str) -> None:
        """One send recorded: `outcome` is sent, retried or failed."""
        ...

    def rate_limited(self, platform: str) -> None:
        """A platform answered 429 (slow down)."""
        ...

    def round_ran(self, outcome: str, seconds: float) -> None:
        """A scheduled round: `outcome` is ran, skipped (already ran or nothing due) or error."""
        ...

    def leading(self, held: bool) -> None:
        """This process took or lost the scheduler."""
        ...

    def database_error(self, where: str) -> None:
        """A database call failed; `where` is a fixed word (handle, delivery, scheduler…)."""
        ...


class Unwatched:
    """The observer of a process nobody watches (the command line, most tests)."""

    def handled(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        return None

    def delivered(self, platform: str, outcome: str) -> None:
        return None

    def rate_limited(self, platform: str) -> None:
        return None

    def round_ran(self, outcome: str, seconds: float) -> None:
        return None

    def leading(self, held: bool) -> None:
        return None

    def database_error(self, where: str) -> None:
        return None


UNWATCHED: Observer = Unwatched()
