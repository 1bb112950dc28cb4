"""A request the core has handled is recorded in the same transaction as the handling: sent
twice (a platform's retry, a replay, the same request reaching two servers), it changes things
once; if the handling failed, nothing was recorded and a retry is handled."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from bot.core import Reply
from bot.db.models import AuditLog, HandledRequest
from bot.events import CommandReceived
from bot.scheduling.jobs import due_work
from tests.fakes import World


def command(world: World, user: str, text: str, key: str) -> CommandReceived:
    return CommandReceived(world.runtime.user(user), text, request_key=key)


def pauses(world: World) -> int:
    with world.core.db.session() as session:
        return len(session.exec(select(AuditLog).where(AuditLog.action == "pause")).all())


async def test_the_same_request_twice_changes_things_once(world: World) -> None:
    first = await world.core.handle(command(world, "u03", "pause for 2 weeks", "k1"))
    again = await world.core.handle(command(world, "u03", "pause for 2 weeks", "k1"))
    assert not first.duplicate and first.messages
    assert again == Reply((), duplicate=True)  # nothing done, nothing said
    assert pauses(world) == 1
    other = await world.core.handle(command(world, "u03", "profile", "k2"))
    assert not other.duplicate and other.messages


async def test_a_refused_request_is_not_recorded_so_a_retry_is_answered(world: World) -> None:
    """A refusal rolls the transaction back: the retry gets the same polite answer."""
    first = await world.core.handle(command(world, "u03", "round run", "k-refused"))
    again = await world.core.handle(command(world, "u03", "round run", "k-refused"))
    assert first.messages and again.messages and not again.duplicate
    assert first.messages == again.messages
    with world.core.db.session() as session:
        assert session.get(HandledRequest, "k-refused") is None


def test_two_servers_handling_one_request_at_once_change_things_once(world: World) -> None:
    """Threads stand in for two processes: on PostgreSQL the second insert waits for the
    first transaction and then finds the key; on SQLite writers take turns."""
    replies: list[Reply] = []
    start = threading.Barrier(4)

    def handle() -> None:
        start.wait()
        replies.append(world.core.handle_sync(command(world, "u04", "pause for 3 weeks", "k3")))

    threads = [threading.Thread(target=handle) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(replies) == 4
    assert sum(not r.duplicate for r in replies) == 1
    assert pauses(world) == 1


async def test_handled_requests_are_pruned_after_a_day(world: World) -> None:
    clock = world.core.clock
    await world.core.handle(command(world, "u03", "profile", "old"))
    clock.advance(timedelta(hours=23))  # type: ignore[attr-defined]
    await world.core.handle(command(world, "u03", "profile", "new"))
    clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    with world.core.db.session() as session:
        due_work(session, clock.now(), world.core.prompts)
    with world.core.db.session() as session:
        kept = [r.key for r in session.exec(select(HandledRequest)).all()]
    assert kept == ["new"]
