"""Pacing: wait for a slot before calling a rate-limited platform method.

Keys are free-form tuples such as ("slack", team, "conversations.open") or
("slack", team, "chat.postMessage", channel). A 429's Retry-After holds a key back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float
    blocked_until: float = 0.0


class Pacer:
    """Token buckets per key; `clock` and `sleep` are injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[Hashable, _Bucket] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def wait(self, key: Hashable, per_second: float, burst: int = 1) -> None:
        """Return when one call under `key` is allowed."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            while True:
                now = self._clock()
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = _Bucket(tokens=float(burst), updated=now)
                bucket.tokens = min(float(burst),
                                    bucket.tokens + (now - bucket.updated) * per_second)
                bucket.updated = now
                if now < bucket.blocked_until:
                    await self._sleep(bucket.blocked_until - now)
                    continue
                if bucket.tokens >= 1.0:
                    bucket.tokens -= 1.0
                    return
                await self._sleep((1.0 - bucket.tokens) / per_second)

    def hold(self, key: Hashable, seconds: float) -> None:
        """A platform said "slow down" (429 + Retry-After): nothing under `key` until then."""
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(tokens=0.0, updated=now))
        bucket.blocked_until = max(bucket.blocked_until, now + max(0.0, seconds))
        bucket.tokens = 0.0
