"""Serving: url verification, signatures, retries, the bot's own messages, quick acks."""

from __future__ import annotations

import asyncio
import json
import time

from sqlalchemy import func
from sqlmodel import select

from bot.db.models import AuditLog, Person, PlatformAccount
from bot.events import InboundEvent
from tests.adapters.slack.conftest import Harness, fixture
from tests.fakes_slack import BOT_USER_ID


def _counts(h: Harness) -> tuple[int, int]:
    with h.db.session() as session:
        people = session.exec(select(func.count()).select_from(Person)).one()
        audits = session.exec(select(func.count()).select_from(AuditLog)).one()
    return int(people), int(audits)


async def test_url_verification_answers_the_challenge(harness: Harness) -> None:
    payload = fixture("url_verification.json")
    response = await harness.event(payload)
    assert response.status == 200
    assert (await response.json())["challenge"] == payload["challenge"]


async def test_forged_and_stale_signatures_are_refused(world: Harness) -> None:
    before = _counts(world)
    forged = await world.command("join Hospice", user="U99", secret="not-the-secret")
    stale = await world.command("join Hospice", user="U99", timestamp=int(time.time()) - 6 * 60)
    event = await world.event(fixture("app_home_opened.json"), secret="wrong")
    assert (forged.status, stale.status, event.status) == (401, 401, 401)
    assert _counts(world) == before
    assert [c.method for c in world.slack.calls if c.method != "auth.test"] == []  # start-up
    assert world.slack.responses == []


async def test_a_signature_within_five_minutes_is_accepted(world: Harness) -> None:
    response = await world.command("help", timestamp=int(time.time()) - 4 * 60)
    assert response.status == 200
    assert len(world.replies()) == 1


async def test_a_retried_event_is_processed_once(world: Harness) -> None:
    payload = fixture("app_home_opened.json")
    payload["event"].update(user="U03", channel=world.slack.open_dm("U03"))
    first = await world.event(payload)
    again = await world.event(
        payload, extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert (first.status, again.status) == (200, 200)
    assert world.slack.count("views.publish") == 1
    other = dict(payload, event_id="Ev0OTHER")
    await world.event(other)
    assert world.slack.count("views.publish") == 2


async def test_the_bot_ignores_its_own_messages(world: Harness) -> None:
    payload = fixture("message_im.json")
    payload["event"]["user"] = BOT_USER_ID
    payload["event"]["bot_id"] = "BBOT0001"
    before = _counts(world)
    await world.event(payload)
    assert world.slack.count("chat.postMessage") == 0
    assert _counts(world) == before


async def test_a_dm_to_the_bot_is_a_command(world: Harness) -> None:
    payload = fixture("message_im.json")
    payload["event"]["user"] = "U03"
    payload["event"]["text"] = "profile"
    await world.event(payload)
    posted = world.slack.calls_to("chat.postMessage")
    assert len(posted) == 1
    assert posted[0].args["channel"] == payload["event"]["channel"]
    assert "Person 03" in json.dumps(posted[0].args["blocks"])


async def test_commands_are_acknowledged_before_the_work(world: Harness) -> None:
    release = asyncio.Event()
    handle = world.services.core.handle

    async def slow(event: InboundEvent):  # type: ignore[no-untyped-def]
        await release.wait()
        return await handle(event)

    world.services.core.handle = slow  # type: ignore[method-assign]
    response = await asyncio.wait_for(world.command("ties", user="U03", settle=False), 3)
    assert response.status == 200
    assert world.slack.responses == []  # the answer is still being worked on
    release.set()
    await world.runtime.settle()
    assert len(world.replies()) == 1


async def test_a_command_typed_in_a_dm_between_people_is_not_taken_for_the_apps_dm(
    world: Harness,
) -> None:
    """Slash commands work in any DM, and the app cannot post into one between two people:
    only events (a DM to the app, its Home) say which DM is the app's own."""

    def dm_of(user: str) -> str | None:
        with world.db.session() as session:
            account = session.exec(
                select(PlatformAccount).where(PlatformAccount.user_id == user)
            ).one()
            return account.dm_channel

    await world.command("profile", user="U03", channel="D0PEOPLE01")
    assert len(world.replies()) == 1
    assert dm_of("U03") is None
    payload = fixture("message_im.json")
    own = world.slack.open_dm("U03")
    payload["event"].update(user="U03", text="profile", channel=own)
    await world.event(payload)
    assert dm_of("U03") == own
