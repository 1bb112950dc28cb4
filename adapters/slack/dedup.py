"""Slack's replay guard, before the ack: each process remembers the requests it had lately.

Slack retries an event it thinks we missed (`X-Slack-Retry-Num`), re-signed but with the same
`event_id`; a slash command or a click carries no id, so a signed request replayed inside the
5-minute signature window is known by its (timestamp, signature) pair. Bolt deduplicates
neither.

A repeat to the same process is acknowledged and dropped here, with no I/O. The authority is
the core: the key travels with the event and is recorded in the same transaction as the
handling (`bot/usecases/common.py::first_request`), so a request sent to several processes
changes things once.
"""

from __future__ import annotations

import time
from collections import OrderedDict

REMEMBER_S = 6 * 60.0  # Slack refuses a signature older than 5 minutes
REMEMBER_AT_MOST = 200_000  # keys kept in memory (~40 MB)


class RecentRequests:
    def __init__(self) -> None:
        self._recent: OrderedDict[str, float] = OrderedDict()

    def seen_here(self, key: str) -> bool:
        """True if this process already had this key recently; records it otherwise."""
        now = time.monotonic()
        recent = self._recent
        while recent:
            oldest, at = next(iter(recent.items()))
            if now - at < REMEMBER_S and len(recent) < REMEMBER_AT_MOST:
                break
            del recent[oldest]
        if key in recent:
            return True
        recent[key] = now
        return False
