"""A round end to end: the coordinator runs it, delivery opens one group DM per group and
posts one introduction in each; check-in buttons record answers and update the message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.db.models import (
    CheckIn,
    IntroductionChat,
    Outbox,
    OutboxState,
    PlatformAccount,
    Tie,
)
from bot.db.session import Database
from bot.delivery import queue_failure_reports
from bot.templates import Prompts
from tests.adapters.slack.conftest import Harness, build_slack_world, fixture, serving, slack_user
from tests.fakes_slack import FakeSlack

EVERYONE = sorted(slack_user(n) for n in range(1, 13))


async def run_round(h: Harness) -> list[dict[str, Any]]:
    await h.command("round run", user="U01")
    answer = h.replies()
    assert len(answer) == 1 and answer[0]["response_type"] == "ephemeral"
    assert "Round 1" in answer[0]["text"]
    return answer


def _groups(h: Harness) -> list[list[str]]:
    return [
        c.args["users"].split(",") for c in h.slack.calls_to("conversations.open", ok_only=True)
    ]


async def test_a_round_reaches_each_person_exactly_once(world: Harness) -> None:
    await run_round(world)
    stats = await world.deliver()
    groups = _groups(world)
    assert sorted(u for g in groups for u in g) == EVERYONE
    assert all(len(g) in (2, 3) for g in groups)
    posts = world.slack.calls_to("chat.postMessage", ok_only=True)
    assert stats.sent == len(groups) == len(posts) == 6
    assert {p.args["channel"] for p in posts} == {world.slack.conversation_of(g) for g in groups}
    first = posts[0]
    kinds = [b["type"] for b in first.args["blocks"]]
    assert kinds.index("header") < kinds.index("section") < kinds.index("actions")
    actions = [b["elements"] for b in first.args["blocks"] if b["type"] == "actions"]
    assert [a["action_id"].split("|")[1] for a in actions[-1]] == ["checkin"] * 3 + ["pause"]
    named = [a["action_id"].split("|")[1] for row in actions[:-1] for a in row]
    assert named == ["suggest_time", "another_question"]
    assert first.args["metadata"]["event_type"] == "crossties_outbox"
    # the notification names the people introduced
    assert first.args["text"].endswith("— your Crossties introduction")
    with world.db.session() as session:
        chats = session.exec(select(IntroductionChat)).all()
    assert {c.message_id for c in chats} == {
        ts for (channel, ts) in world.slack.messages if channel in {c.channel for c in chats}
    }
    assert len(chats) == 6 and all(c.platform == "slack" and c.workspace == "T0001" for c in chats)
    again = await world.deliver()
    assert again.sent == 0 and world.slack.count("chat.postMessage") == 6


def _click(h: Harness, user: str, chat: IntroductionChat, answer: str) -> dict[str, Any]:
    payload = fixture("block_actions.json")
    posted = h.slack.messages[(chat.channel, str(chat.message_id))]
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    payload["container"].update(channel_id=chat.channel, message_ts=chat.message_id)
    payload["channel"]["id"] = chat.channel
    payload["message"].update(ts=chat.message_id, blocks=posted["blocks"], text=posted["text"])
    payload["response_url"] = h.slack.response_url("click")
    payload["actions"][0]["value"] = f"{chat.introduction_id}:{answer}"
    return payload


async def test_check_in_buttons_record_the_answer_and_update_the_message(world: Harness) -> None:
    await run_round(world)
    await world.deliver()
    with world.db.session() as session:
        chat = session.exec(select(IntroductionChat)).first()
        assert chat is not None
    group = next(g for g in _groups(world) if world.slack.conversation_of(g) == chat.channel)
    member = group[0]
    await world.interact(_click(world, member, chat, "met"))
    answer = world.replies("click")
    assert len(answer) == 1 and answer[0]["response_type"] == "ephemeral"
    assert "met" in answer[0]["text"]
    updates = world.slack.calls_to("chat.update", ok_only=True)
    assert len(updates) == 1 and updates[0].args["ts"] == chat.message_id
    blocks = updates[0].args["blocks"]
    status = [b for b in blocks if b.get("block_id") == "ct-status"]
    assert len(status) == 1 and "said you met" in json.dumps(status)
    answers = [b for b in blocks if b.get("block_id") == "ct-answers"]
    assert [e["text"]["text"] for e in answers[0]["elements"]] == [
        "✓ We met",
        "Not yet",
        "Couldn't meet",
    ]
    assert not [e for e in answers[0]["elements"] if "style" in e]
    actions = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert sum(e["action_id"].startswith("ct|checkin|") for e in actions) == 3  # not doubled
    with world.db.session() as session:
        answers = [c.answer for c in session.exec(select(CheckIn)).all() if c.answer]
        stages = {t.stage for t in session.exec(select(Tie)).all()}
    assert answers == ["met"] and "met" in stages
    # clicking again with another answer replaces the status line, never duplicates it
    await world.interact(_click(world, member, chat, "not_yet"))
    world.replies("click")
    last = world.slack.calls_to("chat.update", ok_only=True)[-1]
    assert sum(b.get("block_id") == "ct-status" for b in last.args["blocks"]) == 1
    assert "said you haven't met yet" in json.dumps(last.args["blocks"])


async def test_only_group_members_can_answer(world: Harness) -> None:
    await run_round(world)
    await world.deliver()
    with world.db.session() as session:
        chat = session.exec(select(IntroductionChat)).first()
        assert chat is not None
    group = next(g for g in _groups(world) if world.slack.conversation_of(g) == chat.channel)
    outsider = next(u for u in EVERYONE if u not in group)
    await world.interact(_click(world, outsider, chat, "met"))
    answer = world.replies("click")
    assert answer[0]["response_type"] == "ephemeral"
    assert "Only the people in that introduction" in answer[0]["text"]
    assert world.slack.count("chat.update") == 0
    with world.db.session() as session:
        assert all(c.answer is None for c in session.exec(select(CheckIn)).all())


async def test_a_short_429_is_retried_after_retry_after(world: Harness) -> None:
    await run_round(world)
    world.slack.script("chat.postMessage", status=429, retry_after=2)
    stats = await world.deliver()
    assert stats.sent == 6
    assert world.slack.count("chat.postMessage", ok_only=False) == 7
    assert 2.0 in world.timeline.slept


async def test_a_long_429_goes_back_to_the_outbox(world: Harness) -> None:
    await run_round(world)
    world.slack.script("chat.postMessage", status=429, retry_after=120, times=1)
    stats = await world.deliver()
    assert (stats.sent, stats.retried) == (5, 1)
    with world.db.session() as session:
        waiting = session.exec(select(Outbox).where(Outbox.state == OutboxState.PENDING)).all()
    assert len(waiting) == 1
    assert (waiting[0].next_try_at - world.clock.now()).total_seconds() >= 120
    assert "rate limited" in (waiting[0].last_error or "")
    assert waiting[0].channel is not None  # the group DM is reused on the next try
    world.clock.advance(waiting[0].next_try_at - world.clock.now())
    opens = world.slack.count("conversations.open")
    assert (await world.deliver()).sent == 1
    assert world.slack.count("conversations.open") == opens


async def test_server_errors_are_retried_then_left_for_later(world: Harness) -> None:
    await run_round(world)
    world.slack.script("chat.postMessage", status=500, times=1)
    assert (await world.deliver()).sent == 6  # one retry in the client was enough
    assert world.slack.count("chat.postMessage", ok_only=False) == 7


async def test_persistent_500_is_transient(world: Harness) -> None:
    await run_round(world)
    world.slack.script("chat.postMessage", status=500, times=3)
    stats = await world.deliver()
    assert (stats.sent, stats.retried, stats.failed) == (5, 1, 0)
    assert world.slack.count("chat.postMessage", ok_only=False) == 8


async def test_someone_who_left_is_not_retried_and_marked_unreachable(world: Harness) -> None:
    world.slack.unreachable["U05"] = "account_inactive"
    await run_round(world)
    stats = await world.deliver()
    assert (stats.sent, stats.failed) == (5, 1)
    with world.db.session() as session:
        account = session.exec(
            select(PlatformAccount).where(PlatformAccount.user_id == "U05")
        ).one()
        others = session.exec(select(PlatformAccount).where(PlatformAccount.user_id != "U05")).all()
    assert account.reachable is False
    assert all(a.reachable for a in others)
    assert (await world.deliver()).total == 0
    # the coordinator hears about it, once, by name
    with world.db.session() as session:
        assert queue_failure_reports(session, world.clock.now(), world.services.prompts) == 1
    assert (await world.deliver()).sent == 1
    note = world.slack.calls_to("chat.postMessage", ok_only=True)[-1]
    assert note.args["channel"] == world.slack.conversation_of(["U01"])
    assert "Person 05" in note.args["text"] and "account_inactive" in note.args["text"]


async def test_check_ins_come_by_dm_and_reuse_the_dm(world: Harness) -> None:
    from datetime import timedelta

    from bot.usecases.checkins import queue_due_checkins

    await run_round(world)
    await world.deliver()
    world.clock.advance(timedelta(days=8))
    with world.db.session() as session:
        queued = queue_due_checkins(session, world.clock.now(), world.services.prompts)
    assert queued == 12
    stats = await world.deliver(concurrency=8)
    assert stats.sent == 12
    singles = [c for c in world.slack.calls_to("conversations.open") if "," not in c.args["users"]]
    assert len(singles) == 12
    world.clock.advance(timedelta(days=4))
    with world.db.session() as session:
        nudges = queue_due_checkins(session, world.clock.now(), world.services.prompts)
    assert nudges == 12
    assert (await world.deliver(concurrency=8)).sent == 12
    assert world.slack.count("conversations.open") == 6 + 12  # the DMs were reused


async def test_the_server_delivers_a_round_by_itself(
    db: Database, clock: ManualClock, prompts: Prompts, slack: FakeSlack
) -> None:
    """With background work on (as in `crossties serve`), a round run from Slack is delivered
    by the server's own worker, woken by the core."""
    async with serving(db, clock, prompts, slack, background=True) as h:
        build_slack_world(h.services, slack, clock)
        await h.command("round run", user="U01")
        assert "Round 1" in h.replies()[0]["text"]
        await slack.until(lambda: slack.count("chat.postMessage") >= 6, wait_s=20)
        assert sorted(u for g in _groups(h) for u in g) == EVERYONE


async def test_a_round_goes_out_at_slacks_pace_without_a_429(
    db: Database, clock: ManualClock, prompts: Prompts
) -> None:
    """The fake enforces Tier 3 for conversations.open and 1/s per channel on the same virtual
    clock as our pacer: a 40-person round (20 groups) is sent with no 429 at all, in about
    19 × 1.2 s of (virtual) time — the documented limit, not faster, not much slower."""
    async with (
        FakeSlack(
            rate_limits={"conversations.open": 50 / 60}, per_channel_rate={"chat.postMessage": 1.0}
        ) as slack,
        serving(db, clock, prompts, slack) as h,
    ):
        slack.clock = h.timeline
        build_slack_world(h.services, slack, clock, sizes=(10, 10, 10, 10))
        await h.command("round run", user="U01")
        h.replies()
        stats = await h.deliver()  # one at a time: the virtual clock is exact then
        assert stats.sent == 20
        assert slack.count("conversations.open", ok_only=False) == 20  # no 429, no retry
        assert slack.count("chat.postMessage", ok_only=False) == 20
        assert h.timeline.now - 1000.0 == pytest.approx(19 * 60 / 50, rel=0.05)


async def test_a_dm_seen_on_home_is_used_for_check_ins(world: Harness) -> None:
    from datetime import timedelta

    from bot.usecases.checkins import queue_due_checkins

    home = fixture("app_home_opened.json")
    dm = world.slack.open_dm("U03")  # Slack's own DM between the app and U03
    home["event"].update(user="U03", channel=dm)
    await world.event(home)
    await run_round(world)
    await world.deliver()
    world.clock.advance(timedelta(days=8))
    with world.db.session() as session:
        queue_due_checkins(session, world.clock.now(), world.services.prompts)
    await world.deliver()
    posted = world.slack.calls_to("chat.postMessage", ok_only=True)
    to_u03 = [c for c in posted if c.args["channel"] == dm]
    assert len(to_u03) == 1
    assert not any(c.args["users"] == "U03" for c in world.slack.calls_to("conversations.open"))
