"""Slack requests must be Slack's: unsigned, forged, tampered or stale ones are 401 and change
nothing; a valid signed request replayed inside Slack's 5-minute window is handled once."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.db.models import AuditLog, Round
from tests.adapters.slack.conftest import Harness, fixture, next_trigger, slash_fields
from tests.snapshot import fingerprint

pytestmark = pytest.mark.db


def command_body(h: Harness, text: str, user: str = "U01") -> str:
    fields = slash_fields()
    fields.update(
        text=text,
        user_id=user,
        team_id="T0001",
        response_url=h.slack.response_url("cmd"),
        trigger_id=next_trigger(),
    )
    return urlencode(fields)


def nothing_happened(h: Harness, before: dict[str, str], audits: int) -> None:
    assert fingerprint(h.db) == before
    with h.db.session() as session:
        assert session.exec(select(func.count()).select_from(AuditLog)).one() == audits
    # the only call is the start-up check of the bot token
    assert [c.method for c in h.slack.calls if c.method != "auth.test"] == []
    assert h.slack.responses == []


def audit_count(h: Harness) -> int:
    with h.db.session() as session:
        return int(session.exec(select(func.count()).select_from(AuditLog)).one())


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "drop",
    [
        pytest.param(("X-Slack-Signature",), id="no-signature"),
        pytest.param(("X-Slack-Request-Timestamp",), id="no-timestamp"),
        pytest.param(("X-Slack-Signature", "X-Slack-Request-Timestamp"), id="neither"),
    ],
)
async def test_missing_headers_are_401(slack_world: Harness, drop: tuple[str, ...]) -> None:
    h = slack_world
    before, audits = fingerprint(h.db), audit_count(h)
    body = command_body(h, "round run")
    headers = h.headers(body, content_type=FORM)
    for name in drop:
        del headers[name]
    response = await h.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == 401
    await h.runtime.settle()
    nothing_happened(h, before, audits)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param("tampered", id="tampered-body"),
        pytest.param("future", id="timestamp-6-minutes-ahead"),
        pytest.param("stale", id="timestamp-an-hour-old"),
        pytest.param("garbage-stamp", id="timestamp-not-a-number"),
        pytest.param("v1", id="other-signature-version"),
        pytest.param("empty", id="empty-signature"),
    ],
)
async def test_forged_requests_are_401_and_change_nothing(slack_world: Harness, spoil: str) -> None:
    h = slack_world
    before, audits = fingerprint(h.db), audit_count(h)
    signed = command_body(h, "help", user="U03")
    body = signed
    stamp = int(time.time())
    if spoil == "future":
        stamp += 6 * 60
    if spoil == "stale":
        stamp -= 3600
    headers = h.headers(signed, timestamp=stamp, content_type=FORM)
    if spoil == "tampered":  # signed as U03 asking for help, sent as the coordinator's round run
        body = signed.replace("text=help", "text=round+run").replace("user_id=U03", "user_id=U01")
        assert body != signed
    if spoil == "garbage-stamp":
        headers["X-Slack-Request-Timestamp"] = "soon"
    if spoil == "v1":
        headers["X-Slack-Signature"] = "v1=" + headers["X-Slack-Signature"][3:]
    if spoil == "empty":
        headers["X-Slack-Signature"] = ""
    response = await h.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == 401
    await h.runtime.settle()
    nothing_happened(h, before, audits)


async def test_a_replayed_slash_command_is_handled_once(slack_world: Harness) -> None:
    h = slack_world
    body = command_body(h, "round run", user="U01")
    headers = h.headers(body, content_type=FORM)
    statuses = []
    for _ in range(3):  # the same signed bytes, three times inside the window
        response = await h.http.post("/slack/events", data=body.encode(), headers=headers)
        statuses.append(response.status)
        await h.runtime.settle()
    assert statuses == [200, 200, 200]
    with h.db.session() as session:
        assert len(session.exec(select(Round)).all()) == 1  # not three rounds
        runs = session.exec(select(AuditLog).where(AuditLog.action == "round_run")).all()
        assert len(runs) == 1
    assert len(h.replies("cmd")) == 1
    # a new command (new trigger id, new signature) is a new request
    await h.command("profile", user="U01")
    assert len(h.replies("cmd")) == 1


async def test_a_replayed_button_click_is_handled_once(slack_world: Harness) -> None:
    h = slack_world
    payload = fixture("block_actions_home.json")
    payload["user"].update(id="U03", username="u03", name="u03")
    payload["actions"][0].update(action_id="ct|pause|0", value="2")
    body = urlencode({"payload": json.dumps(payload)})
    headers = h.headers(body, content_type=FORM)
    for _ in range(2):
        response = await h.http.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 200
        await h.runtime.settle()
    with h.db.session() as session:
        pauses = session.exec(select(AuditLog).where(AuditLog.action == "pause")).all()
    assert len(pauses) == 1
    assert h.slack.count("views.publish") == 1


async def test_a_replayed_event_is_handled_once_even_when_re_signed(slack_world: Harness) -> None:
    """An attacker cannot get past the event id by signing again: only Slack can sign."""
    h = slack_world
    payload = fixture("message_im.json")
    payload["event"].update(user="U03", text="pause for 2 weeks")
    first = await h.event(payload, timestamp=int(time.time()) - 10)
    again = await h.event(payload)
    assert (first.status, again.status) == (200, 200)
    with h.db.session() as session:
        pauses = session.exec(select(AuditLog).where(AuditLog.action == "pause")).all()
    assert len(pauses) == 1
