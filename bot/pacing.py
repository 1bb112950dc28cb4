"""Pacing: wait for a slot before calling a rate-limited platform method.

Keys are tuples such as ("slack", team, "conversations.open") or
("slack", team, "chat.postMessage", channel). `LIMITS` holds the platforms' documented
limits; a 429's Retry-After holds a key back. Waiters on different keys never block each
other, so many chats are served at once while each method stays within its limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

from bot.observe import UNWATCHED, Observer


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int = 1
    per_channel: bool = False  # one bucket per chat rather than per workspace or tenant


# Documented limits (per app, per workspace or tenant). Slack: conversations.open and
# chat.update are Tier 3 (about 50 a minute), users.info Tier 4 (about 100 a minute),
# chat.postMessage about one a second per channel. Teams (Bot Framework): about 7 messages a
# second per conversation and about 50 a second per bot per tenant.
LIMITS: dict[tuple[str, str], Rate] = {
    ("slack", "conversations.open"): Rate(50 / 60),
    ("slack", "chat.update"): Rate(50 / 60),
    ("slack", "users.info"): Rate(100 / 60),
    ("slack", "views.publish"): Rate(100 / 60),
    ("slack", "chat.postMessage"): Rate(1.0, per_channel=True),
    ("teams", "conversation"): Rate(7.0, burst=7, per_channel=True),
    ("teams", "tenant"): Rate(50.0, burst=50),
}


class SharedSlots(Protocol):
    """Hands out call times for a key among several processes (bot.leader.DatabaseSlots)."""

    async def reserve(self, key: str, interval: float) -> float:
        """Book the next free moment for one call; seconds to wait until then."""
        ...

    async def hold(self, key: str, seconds: float) -> None:
        """Nobody calls under `key` for `seconds` (a 429's Retry-After)."""
        ...


def _shared_key(key: tuple[str, ...]) -> str:
    return "|".join(key)[:300]


class _LocalSlots:
    """Bookings for one process: a schedule of call times. A late wake-up does not push
    the later calls back, as it would with a token bucket holding a single token."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.next_at: dict[str, float] = {}

    async def reserve(self, key: str, interval: float) -> float:
        now = self.clock()
        slot = max(self.next_at.get(key, now), now)
        self.next_at[key] = slot + interval
        return slot - now

    def hold_now(self, key: str, seconds: float) -> None:
        until = self.clock() + max(0.0, seconds)
        self.next_at[key] = max(self.next_at.get(key, until), until)

    async def hold(self, key: str, seconds: float) -> None:
        self.hold_now(key, seconds)


@dataclass
class _Bucket:
    tokens: float
    updated: float
    blocked_until: float = 0.0


class Pacer:
    """Token buckets per key; `clock` and `sleep` are injectable for tests."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limits: dict[tuple[str, str], Rate] | None = None,
        shared: SharedSlots | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.limits = dict(LIMITS if limits is None else limits)
        self._buckets: dict[Hashable, _Bucket] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._holds: set[asyncio.Future[None]] = set()
        self._local = _LocalSlots(clock)
        self.shared = shared
        self.observer: Observer = UNWATCHED

    def observe(self, observer: Observer) -> None:
        """Report each 429 (the wiring passes the server's metrics)."""
        self.observer = observer

    def share_through(self, slots: SharedSlots | None) -> None:
        """With several servers, book per-workspace and per-tenant calls in one shared place
        (the wiring passes bot.leader.DatabaseSlots once it knows the database is shared)."""
        self.shared = slots

    def key(
        self, platform: str, workspace: str, method: str, channel: str | None = None
    ) -> tuple[str, ...]:
        rate = self.limits.get((platform, method))
        if rate is not None and rate.per_channel and channel is not None:
            return (platform, workspace, method, channel)
        return (platform, workspace, method)

    async def limit(
        self, platform: str, workspace: str, method: str, channel: str | None = None
    ) -> None:
        """Wait for the documented limit of `method` (no wait for an unlisted method)."""
        rate = self.limits.get((platform, method))
        if rate is None:
            return
        key = self.key(platform, workspace, method, channel)
        slots = self._slots(rate)
        if slots is not None:
            # One booking at a time per process and key: a process that dies wastes at most
            # one booked moment, and the next booking is made before that moment comes.
            async with self._locks.setdefault(("booked", *key), asyncio.Lock()):
                delay = await slots.reserve(_shared_key(key), 1.0 / rate.per_second)
                if delay > 0:
                    await self._sleep(delay)
            return
        await self.wait(key, rate.per_second, rate.burst)

    def _slots(self, rate: Rate) -> SharedSlots | None:
        """Workspace-wide limits are booked: in the shared place when there is one, else
        locally (calls one at a time); per-chat limits and bursts use token buckets."""
        if rate.per_channel:
            return None
        if self.shared is not None:
            return self.shared
        return self._local if rate.burst == 1 else None

    def slow_down(
        self,
        platform: str,
        workspace: str,
        method: str,
        seconds: float,
        channel: str | None = None,
    ) -> None:
        """A 429 for `method`: hold it back for Retry-After seconds."""
        key = self.key(platform, workspace, method, channel)
        self.hold(key, seconds)
        rate = self.limits.get((platform, method))
        slots = self._slots(rate) if rate is not None else None
        if slots is self._local:
            self._local.hold_now(_shared_key(key), seconds)
        elif slots is not None:
            booked = asyncio.ensure_future(slots.hold(_shared_key(key), seconds))
            self._holds.add(booked)
            booked.add_done_callback(self._holds.discard)

    async def wait(self, key: Hashable, per_second: float, burst: int = 1) -> None:
        """Return when one call under `key` is allowed."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            while True:
                now = self._clock()
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = _Bucket(tokens=float(burst), updated=now)
                bucket.tokens = min(
                    float(burst), bucket.tokens + (now - bucket.updated) * per_second
                )
                bucket.updated = now
                if now < bucket.blocked_until:
                    await self._sleep(bucket.blocked_until - now)
                    continue
                if bucket.tokens >= 1.0 - 1e-9:  # tolerate rounding, or a wait may never end
                    bucket.tokens = max(0.0, bucket.tokens - 1.0)
                    return
                await self._sleep((1.0 - bucket.tokens) / per_second)

    def hold(self, key: Hashable, seconds: float) -> None:
        """A platform said "slow down" (429 + Retry-After): nothing under `key` until then."""
        if isinstance(key, tuple) and key and isinstance(key[0], str):
            self.observer.rate_limited(key[0])
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(tokens=0.0, updated=now))
        bucket.blocked_until = max(bucket.blocked_until, now + max(0.0, seconds))
        bucket.tokens = 0.0
        bucket.updated = now
