"""Pacing is shared by every server. The Slack client's own short 429 retry goes through the
shared pacer: the 429 holds the method back for every server (a hold in the shared slots), and
the retry books its turn there like any other call, instead of waiting on its own and calling
again unannounced. Teams books its per-tenant pace in the same shared slots."""

from __future__ import annotations

import pytest

from adapters.slack.client import Waits, learn_workspace, make_client
from bot.delivery import prepared
from bot.events import Message
from bot.pacing import Pacer
from tests.adapters.slack.conftest import Timeline
from tests.adapters.teams.conftest import (
    Harness,
    harness,  # noqa: F401
)
from tests.fakes_slack import FakeSlack
from tests.fakes_teams import TENANT


class RecordingSlots:
    """The shared place several servers book in (bot.leader.DatabaseSlots), recording."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, float]] = []

    async def reserve(self, key: str, interval: float) -> float:
        self.calls.append(("reserve", key, interval))
        return 0.0

    async def hold(self, key: str, seconds: float) -> None:
        self.calls.append(("hold", key, seconds))


async def test_a_429_retry_holds_the_shared_pace_then_books_its_turn(fake_slack: FakeSlack) -> None:
    slack = fake_slack
    timeline = Timeline()
    slots = RecordingSlots()
    pacer = Pacer(clock=timeline, sleep=timeline.sleep, shared=slots)
    waits = Waits(sleep=timeline.sleep, clock=timeline)
    client = make_client("xoxb-test-token", slack.api_url, waits, pacer=pacer)
    learn_workspace(client, "T0001")  # the single-workspace client, as the sender first uses it
    slack.add_user("U0PACE1", "Pat Pace")
    slack.script("conversations.open", status=429, retry_after=3)

    response = await client.conversations_open(users="U0PACE1")

    assert response["ok"]
    assert [c.status for c in slack.calls_to("conversations.open")] == [429, 200]
    key = "slack|T0001|conversations.open"
    assert slots.calls == [("hold", key, 3.0), ("reserve", key, 60 / 50)]
    assert 3.0 in timeline.slept  # Retry-After was honoured before the turn was booked


async def test_without_a_known_workspace_the_retry_still_waits_retry_after(
    fake_slack: FakeSlack,
) -> None:
    slack = fake_slack
    timeline = Timeline()
    slots = RecordingSlots()
    pacer = Pacer(clock=timeline, sleep=timeline.sleep, shared=slots)
    client = make_client("xoxb-test-token", slack.api_url, Waits(sleep=timeline.sleep), pacer=pacer)
    slack.script("auth.test", status=429, retry_after=2)
    assert (await client.auth_test())["ok"]
    assert timeline.slept == [2.0] and slots.calls == []


@pytest.mark.db
async def test_teams_sends_book_the_tenant_pace_in_the_shared_slots(harness: Harness) -> None:  # noqa: F811
    """Teams pacing per tenant is shared as Slack's is: each send books its moment in the
    shared slots, and a 429's Retry-After holds the tenant there, for every server."""
    slots = RecordingSlots()
    sender = harness.teams.sender
    sender.pacer = Pacer(clock=harness.time.clock, sleep=harness.time.sleep, shared=slots)
    await harness.say("help")  # first contact stores Alex's 1:1 address
    harness.connector.fail(429, times=1, retry_after="3")
    attempt = prepared(harness.core.db, "teams", TENANT, ("aad-0",), Message.text("Hi"), key="k")
    await sender.deliver(attempt)
    key = f"teams|{TENANT}|tenant"
    assert ("hold", key, 3.0) in slots.calls
    assert [c for c in slots.calls if c[0] == "reserve"] == [("reserve", key, 1 / 50)] * 2
