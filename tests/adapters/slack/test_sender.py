"""SlackSender against the fake Web API: DM reuse, resuming after a crash, connection faults."""

from __future__ import annotations

import socket

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse
from sqlmodel import select

from adapters.slack.client import Waits, classify, make_client
from adapters.slack.sender import SlackSender
from bot.clock import ManualClock
from bot.db.models import PlatformAccount
from bot.db.session import Database
from bot.delivery import Attempt, PermanentSendError, TransientSendError, prepared
from bot.events import Message, UserRef
from bot.pacing import Pacer
from bot.usecases.people import ensure_person
from tests.adapters.slack.conftest import Timeline
from tests.fakes_slack import FakeSlack


def _sender(db: Database, base_url: str, timeline: Timeline) -> SlackSender:
    waits = Waits(sleep=timeline.sleep, clock=timeline)
    client = make_client("xoxb-test-token", base_url, waits)

    async def client_for(team: str):  # type: ignore[no-untyped-def]
        return client

    return SlackSender(client_for, Pacer(clock=timeline, sleep=timeline.sleep))


def _attempt(key: str, users: tuple[str, ...], **kw: object) -> Attempt:
    async def remember(channel: str) -> None:
        remembered.append(channel)

    remembered: list[str] = []
    values: dict[str, object] = {"channel": None, "maybe_sent": False, "remember_channel": remember}
    values.update(kw)
    return Attempt("T0001", users, Message.text("hello"), key, **values)  # type: ignore[arg-type]


async def test_dm_channels_are_kept_and_reused(
    db: Database, clock: ManualClock, slack: FakeSlack
) -> None:
    with db.session() as session:
        ensure_person(session, UserRef("slack", "T0001", "U01"), clock.now(), display_name="Ann")
    sender = _sender(db, slack.api_url, Timeline())
    one = prepared(db, "slack", "T0001", ("U01",), Message.text("one"), key="a")
    assert one.dm_channels == {}  # nothing kept yet: the sender opens the DM
    first = await sender.deliver(one)
    two = prepared(db, "slack", "T0001", ("U01",), Message.text("two"), key="b")
    assert two.dm_channels == {"U01": first.channel}  # kept by the core, carried to the sender
    second = await sender.deliver(two)
    assert first.channel == second.channel
    assert slack.count("conversations.open") == 1 and slack.count("chat.postMessage") == 2
    with db.session() as session:
        account = session.exec(select(PlatformAccount)).one()
    assert account.dm_channel == first.channel


async def test_a_retry_after_a_crash_finds_the_message_instead_of_posting_again(
    db: Database, slack: FakeSlack
) -> None:
    sender = _sender(db, slack.api_url, Timeline())
    sent = await sender.deliver(_attempt("intro:7", ("U01", "U02")))
    again = await sender.deliver(
        _attempt("intro:7", ("U01", "U02"), channel=sent.channel, maybe_sent=True)
    )
    assert again.recovered and again.message_id == sent.message_id
    assert slack.count("chat.postMessage") == 1
    fresh = await sender.deliver(
        _attempt("intro:8", ("U01", "U02"), channel=sent.channel, maybe_sent=True)
    )
    assert not fresh.recovered and slack.count("chat.postMessage") == 2
    assert slack.count("conversations.open") == 1  # the stored channel was reused


async def test_connection_errors_are_retried_then_transient(db: Database) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    timeline = Timeline()
    sender = _sender(db, f"http://127.0.0.1:{port}/api/", timeline)
    with pytest.raises(TransientSendError):
        await sender.send("T0001", ["U01", "U02"], Message.text("hi"), key="k")
    assert timeline.slept == [0.5, 1.0]  # two retries with backoff, on the virtual clock


async def test_pacing_spaces_conversations_open(db: Database, slack: FakeSlack) -> None:
    timeline = Timeline()
    slack.clock = timeline
    slack.rate_limits["conversations.open"] = 50 / 60
    sender = _sender(db, slack.api_url, timeline)
    for n in range(5):
        await sender.send("T0001", [f"U{n}", f"V{n}"], Message.text("hi"), key=f"k{n}")
    assert slack.count("conversations.open", ok_only=False) == 5  # never a 429
    assert timeline.now - 1000.0 == pytest.approx(4 * 60 / 50, rel=0.01)


@pytest.mark.parametrize(
    ("status", "error", "headers", "expected", "marks_users"),
    [
        (429, "ratelimited", {"Retry-After": "17"}, TransientSendError, False),
        (500, "fatal_error", {}, TransientSendError, False),
        (503, "service_unavailable", {}, TransientSendError, False),
        (200, "user_not_found", {}, PermanentSendError, True),
        (200, "account_inactive", {}, PermanentSendError, True),
        (200, "cannot_dm_bot", {}, PermanentSendError, True),
        (200, "not_allowed", {}, PermanentSendError, True),
        (200, "is_bot", {}, PermanentSendError, True),
        (200, "user_disabled", {}, PermanentSendError, True),
        (200, "is_archived", {}, PermanentSendError, False),
        (200, "token_revoked", {}, PermanentSendError, False),
    ],
)
def test_slack_errors_map_to_delivery_outcomes(
    status: int, error: str, headers: dict[str, str], expected: type, marks_users: bool
) -> None:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="http://fake/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers,
        status_code=status,
    )
    outcome = classify(SlackApiError(error, response), ("U1", "U2"))
    assert isinstance(outcome, expected)
    if isinstance(outcome, TransientSendError) and status == 429:
        assert outcome.retry_after == 17.0
    if isinstance(outcome, PermanentSendError):
        assert outcome.unreachable_users == (("U1", "U2") if marks_users else ())
