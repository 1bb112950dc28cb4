"""The fake Web API behaves like Slack where the bot relies on it."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes_slack import FakeSlack


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_records_calls_and_keeps_group_dms() -> None:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        first = await client.conversations_open(users="U1,U2")
        again = await client.conversations_open(users=["U2", "U1"])
        assert first["channel"]["id"] == again["channel"]["id"]
        posted = await client.chat_postMessage(channel=first["channel"]["id"], text="hi")
        await client.chat_update(channel=first["channel"]["id"], ts=posted["ts"], text="bye")
        assert slack.messages[(first["channel"]["id"], posted["ts"])]["text"] == "bye"
        assert [c.method for c in slack.calls] == [
            "conversations.open",
            "conversations.open",
            "chat.postMessage",
            "chat.update",
        ]


async def test_scripted_429_and_500_and_errors() -> None:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        slack.script("chat.postMessage", status=429, retry_after=7)
        slack.script("chat.postMessage", status=500)
        with pytest.raises(SlackApiError) as limited:
            await client.chat_postMessage(channel="C1", text="x")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] == "7"
        with pytest.raises(SlackApiError) as broken:
            await client.chat_postMessage(channel="C1", text="x")
        assert broken.value.response.status_code == 500
        slack.unreachable["U9"] = "account_inactive"
        with pytest.raises(SlackApiError) as gone:
            await client.conversations_open(users="U9")
        assert gone.value.response["error"] == "account_inactive"
        assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]


async def test_rate_limits_follow_the_injected_clock() -> None:
    ticks = Ticks()
    async with FakeSlack(rate_limits={"conversations.open": 1.0}, clock=ticks) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        await client.conversations_open(users="U1")
        with pytest.raises(SlackApiError) as limited:
            await client.conversations_open(users="U2")
        assert limited.value.response.headers["Retry-After"] == "1"
        ticks.now += 1.0
        assert (await client.conversations_open(users="U2"))["ok"]


async def test_fault_injection_is_seeded() -> None:
    async with FakeSlack(fault_rate_429=0.2, fault_rate_500=0.2, seed=3) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        outcomes = []
        for _ in range(50):
            try:
                await client.api_test()
                outcomes.append(200)
            except SlackApiError as exc:
                outcomes.append(exc.response.status_code)
        assert 5 < outcomes.count(429) < 20 and 5 < outcomes.count(500) < 20


async def test_paginated_members_and_bad_token() -> None:
    async with FakeSlack() as slack:
        slack.channel_members["C5"] = [f"U{i}" for i in range(5)]
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        seen: list[str] = []
        cursor = None
        while True:
            page = await client.conversations_members(channel="C5", limit=2, cursor=cursor)
            seen += page["members"]
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break
        assert seen == [f"U{i}" for i in range(5)]
        stranger = AsyncWebClient(token="xoxb-forged", base_url=slack.api_url)
        with pytest.raises(SlackApiError) as denied:
            await stranger.auth_test()
        assert denied.value.response["error"] == "invalid_auth"


async def test_files_upload_v2_reaches_the_fake() -> None:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        result = await client.files_upload_v2(
            channel="C1", content=b"\x89PNG...", filename="chart.png", title="Chart"
        )
        assert result["file"]["title"] == "Chart"
        assert list(slack.uploads.values()) == [b"\x89PNG..."]
