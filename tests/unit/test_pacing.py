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


async def test_several_servers_share_a_workspace_s_limit_but_not_a_chat_s() -> None:
    from bot.pacing import share_limits_among

    time = VirtualTime()
    pacer = Pacer(time.clock, time.sleep)
    share_limits_among(2)
    try:
        await pacer.limit("slack", "T1", "conversations.open")
        await pacer.limit("slack", "T1", "conversations.open")
        assert abs(time.now - 2.4) < 1e-9  # half of 50 a minute
        start = time.now
        await pacer.limit("slack", "T1", "chat.postMessage", "D1")
        await pacer.limit("slack", "T1", "chat.postMessage", "D1")
        assert abs(time.now - start - 1.0) < 1e-9  # still one a second in one chat
    finally:
        share_limits_among(1)
