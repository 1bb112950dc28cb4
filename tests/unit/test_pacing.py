"""The pacer on a virtual clock: documented limits per method, per chat, and Retry-After."""

from __future__ import annotations

import asyncio
import itertools

from bot.pacing import Pacer


class VirtualTime:
    """A clock that sleeping moves forward; nothing waits on the wall clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


async def test_conversations_open_is_held_to_fifty_a_minute() -> None:
    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    stamps = []
    for _ in range(101):
        await pacer.limit("slack", "T1", "conversations.open")
        stamps.append(time.now)
    assert stamps[0] == 0.0
    assert abs(stamps[100] - 120.0) < 1e-6  # 100 more calls at 50 a minute
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) > 1.19


async def test_each_workspace_has_its_own_budget() -> None:
    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    await pacer.limit("slack", "T1", "conversations.open")
    await pacer.limit("slack", "T2", "conversations.open")
    assert time.now == 0.0


async def test_post_message_is_paced_per_channel_only() -> None:
    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    for channel in ("D1", "D2", "D3", "D4"):
        await pacer.limit("slack", "T1", "chat.postMessage", channel)
    assert time.now == 0.0  # four chats at once
    await pacer.limit("slack", "T1", "chat.postMessage", "D1")
    assert abs(time.now - 1.0) < 1e-9  # the same chat again: one a second


async def test_an_unlisted_method_is_not_held() -> None:
    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    for _ in range(10):
        await pacer.limit("slack", "T1", "auth.test")
    assert time.now == 0.0


async def test_retry_after_holds_the_method_back() -> None:
    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    await pacer.limit("slack", "T1", "conversations.open")
    pacer.slow_down("slack", "T1", "conversations.open", 30)
    await pacer.limit("slack", "T1", "conversations.open")
    assert time.now >= 30.0
    await pacer.limit("slack", "T1", "users.info")  # other methods are not held
    assert time.now < 31.3


async def test_teams_limits_per_conversation_and_tenant() -> None:
    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    for _ in range(7):
        await pacer.limit("teams", "tenant-1", "conversation", "a:1")
    assert time.now == 0.0  # a burst of seven
    await pacer.limit("teams", "tenant-1", "conversation", "a:1")
    assert abs(time.now - 1 / 7) < 1e-9
    assert pacer.key("teams", "tenant-1", "tenant", "a:1") == ("teams", "tenant-1", "tenant")


class MemorySlots:
    """The shared booking in memory, on the same virtual time."""

    def __init__(self, time: VirtualTime) -> None:
        self.time = time
        self.next_at: dict[str, float] = {}

    async def reserve(self, key: str, interval: float) -> float:
        slot = max(self.next_at.get(key, 0.0), self.time.now)
        self.next_at[key] = slot + interval
        return slot - self.time.now

    async def hold(self, key: str, seconds: float) -> None:
        self.next_at[key] = max(self.next_at.get(key, 0.0), self.time.now + seconds)


async def test_several_servers_book_workspace_calls_in_one_place() -> None:
    time = VirtualTime()
    slots = MemorySlots(time)
    first, second = Pacer(time.clock, time.sleep), Pacer(time.clock, time.sleep)
    first.share_through(slots)
    second.share_through(slots)
    await first.limit("slack", "T1", "conversations.open")
    await second.limit("slack", "T1", "conversations.open")  # the other server waits
    assert abs(time.now - 1.2) < 1e-9
    second.slow_down("slack", "T1", "conversations.open", 30)
    await asyncio.sleep(0)  # the hold is booked in the background
    await first.limit("slack", "T1", "conversations.open")  # held for the other, too
    assert time.now >= 31.2 - 1e-9
    start = time.now
    await first.limit("slack", "T1", "chat.postMessage", "D1")  # per chat: local
    await second.limit("slack", "T1", "chat.postMessage", "D2")
    assert time.now == start
