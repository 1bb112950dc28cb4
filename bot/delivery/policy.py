"""When to try a message again, and when to give up on it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.delivery.attempt import TransientSendError

MAX_ATTEMPTS = 8
# A platform that answers "rate limited, come back in N seconds" is up and says when: such
# answers do not use up the attempts, for as long as the message is younger than this.
RATE_LIMITED_FOR = timedelta(hours=24)


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
    if retry_after is not None:
        return timedelta(seconds=max(0.0, retry_after))
    base = min(600.0, 2.0**attempts)
    return timedelta(seconds=base * (0.5 + rng.random() / 2))


def told_to_wait(error: object, created_at: datetime, now: datetime) -> bool:
    if not isinstance(error, TransientSendError) or error.retry_after is None:
        return False
    if created_at.tzinfo is None:  # SQLite gives naive UTC back
        created_at = created_at.replace(tzinfo=UTC)
    return now - created_at < RATE_LIMITED_FOR
