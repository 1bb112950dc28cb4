"""/metrics: the Prometheus text parses, and its series move when work happens — a command
handled by the core, introductions sent through the fake Slack (one 429 among them), a round
run by the scheduler's job, the scheduler taken and lost, the database failing."""

from __future__ import annotations

import pytest

from bot.delivery import Delivery
from bot.scheduling.jobs import JobContext, run_programme_round
from crossties.metrics import Metrics
from crossties.server import METRICS
from tests.adapters.slack.conftest import Harness
from tests.adapters.slack.test_round import run_round
from tests.unit.test_metrics import Samples, parse, value

pytestmark = [pytest.mark.db, pytest.mark.parametrize("db", ["sqlite"], indirect=True)]


async def scrape(h: Harness) -> Samples:
    response = await h.http.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return parse(await response.text())


def metrics_of(h: Harness) -> Metrics:
    metrics = h.http.server.app[METRICS]
    assert h.services.core.observer is metrics  # the core reports to what /metrics serves
    return metrics


async def test_metrics_parse_and_move_with_commands_and_sends(world: Harness) -> None:
    metrics = metrics_of(world)
    before = await scrape(world)
    for outcome in ("sent", "retried", "failed"):  # zeros, not gaps, before any send
        assert value(before, "crossties_sends_total", platform="slack", outcome=outcome) == 0
    assert value(before, "crossties_outbox_messages", state="pending") == 0

    await run_round(world)  # a coordinator's slash command, handled by the core
    await world.command("round run", user="U05")  # staff may not: refused
    world.replies()
    after_round = await scrape(world)
    ok = {"platform": "slack", "kind": "CommandReceived"}
    assert value(after_round, "crossties_requests_total", **ok, outcome="ok") == 1
    assert value(after_round, "crossties_requests_total", **ok, outcome="refused") == 1
    assert value(after_round, "crossties_handling_seconds_count", **ok) == 2
    assert value(after_round, "crossties_handling_seconds_sum", **ok) > 0
    assert value(after_round, "crossties_outbox_messages", state="pending") == 6

    world.slack.script("chat.postMessage", status=429, retry_after=120, times=1)
    world.runtime.pacer.observe(metrics)
    delivery = Delivery(
        world.db, {"slack": world.runtime.sender}, world.clock, concurrency=1, observer=metrics
    )
    await delivery.run_pass()
    sent = await scrape(world)
    assert value(sent, "crossties_sends_total", platform="slack", outcome="sent") == 5
    assert value(sent, "crossties_sends_total", platform="slack", outcome="retried") == 1
    assert value(sent, "crossties_rate_limited_total", platform="slack") == 1
    assert value(sent, "crossties_outbox_messages", state="sent") == 5
    assert value(sent, "crossties_outbox_messages", state="pending") == 1


async def test_a_scheduled_round_and_the_leadership_are_counted(world: Harness) -> None:
    metrics = metrics_of(world)
    with world.db.session() as session:
        from sqlmodel import select

        from bot.db.models import Programme

        programme_id = session.exec(select(Programme.id)).one()
    assert programme_id is not None

    async def nothing() -> None:
        return None

    context = JobContext(
        world.db, world.clock, world.services.prompts, nothing, interval=60, observer=metrics
    )
    await run_programme_round(context, programme_id)
    await run_programme_round(context, programme_id)  # the same slot again: skipped
    metrics.leading(True)
    samples = await scrape(world)
    assert value(samples, "crossties_round_runs_total", outcome="ran") == 1
    assert value(samples, "crossties_round_runs_total", outcome="skipped") == 1
    assert value(samples, "crossties_round_seconds_count") == 2
    assert value(samples, "crossties_scheduler_leader") == 1
    metrics.leading(False)
    assert value(await scrape(world), "crossties_scheduler_leader") == 0
