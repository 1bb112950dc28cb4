"""Whatever arrives over HTTP — any body, any headers, signed or not — the real server
(make_app with Slack and Teams mounted) never answers 500, and its database stays sound."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.clock import ManualClock
from bot.db.session import Database
from bot.templates import Prompts
from tests.adapters.slack.conftest import SECRET, build_slack_world, serving
from tests.fakes_slack import FakeSlack
from tests.fakes_teams import FakeConnector
from tests.security.test_hostile_input import JSON, NASTY

# The HTTP layer does not depend on the database backend: one is enough here.
pytestmark = [pytest.mark.db, pytest.mark.parametrize("db", ["sqlite"], indirect=True)]

CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "",
    ]
)
FORM_VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
SLACK_FORM = st.dictionaries(
    st.sampled_from(
        [
            "command",
            "text",
            "user_id",
            "team_id",
            "channel_id",
            "response_url",
            "trigger_id",
            "payload",
            "ssl_check",
            "token",
        ]
    ),
    FORM_VALUE,
    max_size=7,
).map(lambda d: "&".join(f"{k}={v}" for k, v in d.items()))
SLACK_PAYLOAD = st.builds(
    lambda kind, rest: "payload=" + json.dumps({"type": kind, **rest}),
    st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut", "x"]),
    st.dictionaries(
        st.sampled_from(["user", "team", "actions", "view", "container", "trigger_id"]),
        JSON,
        max_size=5,
    ),
)
SLACK_EVENT = st.builds(
    lambda rest: json.dumps({"type": "event_callback", "event_id": "Ev1", **rest}),
    st.dictionaries(st.sampled_from(["event", "team_id", "authorizations"]), JSON, max_size=3),
)
BODY = st.one_of(
    SLACK_FORM, SLACK_PAYLOAD, SLACK_EVENT, st.text(max_size=200), JSON.map(json.dumps)
)
HEADER_JUNK = st.dictionaries(
    st.sampled_from(
        [
            "X-Slack-Retry-Num",
            "X-Slack-Retry-Reason",
            "Authorization",
            "X-Slack-Request-Timestamp",
            "X-Slack-Signature",
        ]
    ),
    st.one_of(
        st.sampled_from(["1", "-1", "99999999999999999999", "Bearer x", "gzip", ""]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
    ),
    max_size=3,
)
TEAMS_FIELDS = st.dictionaries(
    st.sampled_from(
        [
            "text",
            "value",
            "entities",
            "channelData",
            "name",
            "membersAdded",
            "membersRemoved",
            "action",
            "replyToId",
            "textFormat",
        ]
    ),
    JSON,
    max_size=5,
)
TEAMS_KIND = st.sampled_from(
    ["message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction", "x"]
)
CONNECTOR = "{connector}"  # replaced by the fake connector's address when sent


def teams_activity(kind: str, fields: dict[str, Any], text: str, personal: bool) -> Any:
    """A well-addressed activity (so it reaches the bot) with fuzzed content."""
    activity: dict[str, Any] = {
        "type": kind,
        "text": text,
        "serviceUrl": CONNECTOR,
        "channelId": "msteams",
        "from": {"id": "29:fuzz", "aadObjectId": "aad-fuzz", "name": text[:40]},
        "recipient": {"id": "28:crossties-bot", "name": "Crossties"},
        "conversation": {
            "id": "a:29:fuzz" if personal else "19:group",
            "conversationType": "personal" if personal else "groupChat",
            "tenantId": "tenant-1",
        },
        "channelData": {"tenant": {"id": "tenant-1"}},
    }
    activity.update(fields)
    return activity


TEAMS_ACTIVITY = st.builds(
    teams_activity,
    TEAMS_KIND,
    TEAMS_FIELDS,
    st.one_of(st.sampled_from(NASTY), st.text()),
    st.booleans(),
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    if draw(st.booleans()):  # Slack
        body = draw(BODY)
        headers = {"Content-Type": draw(CONTENT_TYPES)}
        if draw(st.booleans()):  # signed with the real secret: only Slack could send this
            stamp = str(int(time.time()))
            headers["X-Slack-Request-Timestamp"] = stamp
            headers["X-Slack-Signature"] = SignatureVerifier(SECRET).generate_signature(
                timestamp=stamp, body=body
            )
        headers.update(draw(HEADER_JUNK))
        return "/slack/events", body.encode("utf-8", "surrogatepass"), headers
    activity = draw(st.one_of(TEAMS_ACTIVITY, JSON))
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "text/plain", ""]))}
    headers.update(draw(HEADER_JUNK))
    return (
        "/api/messages",
        json.dumps(activity, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        headers,
    )


async def send_all(
    db: Database,
    clock: ManualClock,
    prompts: Prompts,
    cases: list[tuple[str, bytes, dict[str, str]]],
) -> list[tuple[int, str, bytes, dict[str, str]]]:
    connector = FakeConnector()
    await connector.start()
    async with FakeSlack() as fake, serving(db, clock, prompts, fake) as h:
        if not getattr(db, "_fuzz_world", False):
            build_slack_world(h.services, fake, clock)
            db._fuzz_world = True  # type: ignore[attr-defined]
        answers = []
        for path, body, headers in cases:
            body = body.replace(CONNECTOR.encode(), connector.url.encode())
            headers = {k: v for k, v in headers.items() if v or k != "Content-Type"}
            response = await h.http.post(path, data=body, headers=headers)
            await response.read()
            answers.append((response.status, path, body, headers))
        await h.runtime.settle()
        health = await h.http.get("/healthz")
        assert health.status == 200
    await connector.stop()
    return answers


def unknown_invoke(status: int, body: bytes) -> bool:
    """The Bot Framework protocol's own answer to an invoke the bot does not implement."""
    try:
        return status == 501 and json.loads(body).get("type") == "invoke"
    except (ValueError, AttributeError):
        return False


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=st.lists(requests(), min_size=4, max_size=4))
@example(  # botbuilder fails the turn when Teams channel data is not an object
    cases=[
        (
            "/api/messages",
            json.dumps(teams_activity(kind, {"channelData": data}, "<!channel>", False)).encode(),
            {"Content-Type": "application/json"},
        )
        for kind, data in (("conversationUpdate", []), ("messageUpdate", {"team": "x"}))
    ]
)
def test_no_request_gets_a_500(
    db: Database,
    clock: ManualClock,
    prompts: Prompts,
    caplog: pytest.LogCaptureFixture,
    cases: list[Any],
) -> None:
    caplog.clear()
    answers = asyncio.run(send_all(db, clock, prompts, cases))
    failures = [a for a in answers if a[0] >= 500 and not unknown_invoke(a[0], a[2])]
    assert failures == []
    crashes = [  # nor a crash answered politely: no error logged by our code
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.split(".")[0] in ("bot", "adapters")
    ]
    assert crashes == []


async def test_oversized_bodies_are_refused(
    db: Database, clock: ManualClock, prompts: Prompts
) -> None:
    big = b"text=" + b"x" * (2 * 1024 * 1024)
    async with FakeSlack() as fake, serving(db, clock, prompts, fake) as h:
        for path in ("/slack/events", "/api/messages"):
            response = await h.http.post(
                path, data=big, headers={"Content-Type": "application/json"}
            )
            assert response.status == 413, path
