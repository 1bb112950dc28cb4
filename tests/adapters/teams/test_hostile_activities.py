"""Activities that are odd but well formed get answered; malformed ones are refused with 400.
Either way no turn fails, so nobody is told "something went wrong" and no error is logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.adapters.teams.conftest import Harness, activity
from tests.fakes_teams import TENANT

MARKUP = [
    "<!channel>",
    "<",
    "</at>",
    "<at>",
    "<!-- x",
    "<script>alert(1)</script>",
    "&lt;b&gt; & <b>bold</b>",
    "<at>Crossties</at>",
]
GROUP = {"conversationType": "groupChat", "isGroup": True, "tenantId": TENANT, "id": "19:g"}
SENDER = {"id": "29:user-1", "name": "<!channel>", "aadObjectId": "aad-1"}


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("text", MARKUP)
async def test_markup_in_a_group_chat_is_ignored_without_a_mention(
    harness: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    message = activity(
        "message_groupChat",
        harness.url,
        text=text,
        entities=[],
        conversation=GROUP,
        **{"from": SENDER},
    )
    assert (await harness.post(message))[0] == 200
    assert harness.connector.sent() == []
    assert failures(caplog) == []


@pytest.mark.parametrize("text", MARKUP)
async def test_markup_is_answered_in_a_personal_chat_and_when_mentioned(
    harness: Harness, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    answers = await harness.say(text, 1, "<!channel>")
    assert answers and all(answers)
    mentioned = activity(
        "message_groupChat",
        harness.url,
        text=f"<at>Crossties</at> {text}",
        conversation=GROUP,
        **{"from": SENDER},
    )
    before = len(harness.connector.sent())
    assert (await harness.post(mentioned))[0] == 200
    assert harness.connector.sent()[before:]
    assert failures(caplog) == []


@pytest.mark.parametrize(
    "kind", ["conversationUpdate", "messageUpdate", "messageDelete", "message"]
)
@pytest.mark.parametrize("channel_data", [[], "x", 1, {"team": "x"}, {"tenant": [TENANT]}])
async def test_channel_data_that_is_not_an_object_is_refused(
    harness: Harness, caplog: pytest.LogCaptureFixture, kind: str, channel_data: Any
) -> None:
    """botbuilder reads Teams channel data as an object; anything else used to fail the turn."""
    body = activity("message_groupChat", harness.url, text="<!channel>", conversation=GROUP)
    body.update(type=kind, channelData=channel_data)
    status, answer = await harness.post(body)
    assert status == 400 and "channelData" in answer["error"]
    assert harness.connector.requests == []
    assert failures(caplog) == []
