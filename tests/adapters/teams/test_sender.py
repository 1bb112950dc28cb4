"""The Teams sender against the fake connector: retries with backoff on 429/412/502/504
(Retry-After honoured), pacing per conversation, and unreachable people reported."""

from __future__ import annotations

import pytest

from adapters.teams.platform import CONVERSATION_BURST, CONVERSATION_RATE
from bot.delivery import PermanentSendError, Sent, TransientSendError, prepared
from bot.events import Message
from tests.adapters.teams.conftest import Harness
from tests.fakes_teams import TENANT

pytestmark = pytest.mark.db


async def _alex(harness: Harness) -> None:
    await harness.say("help")  # first contact stores Alex's 1:1 address
    harness.connector.requests.clear()


async def _send(
    harness: Harness, text: str = "Hello", key: str = "k1", to: tuple[str, ...] = ("aad-0",)
) -> Sent:
    """Send as the delivery does: the attempt carries the addresses the core keeps."""
    attempt = prepared(harness.core.db, "teams", TENANT, to, Message.text(text), key=key)
    return await harness.teams.sender.deliver(attempt)


async def test_429_waits_for_retry_after_then_delivers(harness: Harness) -> None:
    await _alex(harness)
    harness.connector.fail(429, times=2, retry_after="3")
    sent = await _send(harness)
    assert harness.connector.texts() == ["Hello", "Hello", "Hello"]  # each try carried it
    posts = [r for r in harness.connector.requests if "/activities" in r.path]
    assert len(posts) == 3  # two refused, one accepted
    assert len([s for s in harness.time.sleeps if s >= 3.0]) >= 2
    assert sent.channel == "a:29:user-0"


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_statuses_are_retried_with_backoff(harness: Harness, status: int) -> None:
    await _alex(harness)
    harness.connector.fail(status, times=2)
    await _send(harness)
    posts = [r for r in harness.connector.requests if "/activities" in r.path]
    assert len(posts) == 3
    first, second = harness.time.sleeps[:2]
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0  # exponential, jittered


async def test_persistent_faults_go_back_to_the_outbox(harness: Harness) -> None:
    await _alex(harness)
    harness.connector.fail(502, times=10)
    with pytest.raises(TransientSendError):
        await _send(harness)
    posts = [r for r in harness.connector.requests if "/activities" in r.path]
    assert len(posts) == harness.teams.sender.attempts


async def test_a_long_retry_after_is_left_to_the_outbox(harness: Harness) -> None:
    await _alex(harness)
    harness.connector.fail(429, times=1, retry_after="120")
    with pytest.raises(TransientSendError) as raised:
        await _send(harness)
    assert raised.value.retry_after == 120.0
    assert len([r for r in harness.connector.requests if "/activities" in r.path]) == 1


async def test_a_bad_request_is_permanent_but_nobody_is_blamed(harness: Harness) -> None:
    await _alex(harness)
    harness.connector.fail(400)
    with pytest.raises(PermanentSendError) as raised:
        await _send(harness)
    assert raised.value.unreachable_users == ()


async def test_unknown_or_gone_people_are_unreachable(harness: Harness) -> None:
    await _alex(harness)
    harness.connector.gone.add("29:user-0")
    with pytest.raises(PermanentSendError) as raised:
        await _send(harness, "Hi", "k2", ("aad-0", "aad-9"))
    assert sorted(raised.value.unreachable_users) == ["aad-0", "aad-9"]


async def test_a_retried_row_does_not_repeat_what_was_delivered(harness: Harness) -> None:
    await _alex(harness)
    await _send(harness, key="same")
    await _send(harness, key="same")
    assert harness.connector.texts() == ["Hello"]


async def test_one_conversation_is_paced(harness: Harness) -> None:
    await _alex(harness)
    start = harness.time.now
    for n in range(CONVERSATION_BURST + 3):
        await _send(harness, f"m{n}", key=f"k{n}")
    assert len(harness.connector.texts()) == CONVERSATION_BURST + 3
    waited = harness.time.now - start
    assert waited == pytest.approx(3 / CONVERSATION_RATE, rel=0.01)
