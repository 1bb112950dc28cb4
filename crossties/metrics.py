"""The server's Prometheus metrics: the core's observer (bot/observe.py) made into series.

Everything lives in one `CollectorRegistry` that the wiring creates and passes in, so two
servers in one process (the tests) never share a counter. Labels are bounded: platform,
event kind, outcome, outbox state, a fixed word for where a database error happened.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.db.session import Database

log = logging.getLogger(__name__)

PLATFORMS = ("slack", "teams", "local")
SEND_OUTCOMES = ("sent", "retried", "failed")
# Handling is a few milliseconds to a couple of seconds (a round run by command, a report).
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
ROUND_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


class Metrics:
    """Implements bot.observe.Observer; `exposition()` is the text that /metrics serves."""

    def __init__(self, registry: CollectorRegistry, db: Database | None = None) -> None:
        self.registry = registry
        if db is not None:  # first: a failure to count is then in the same scrape's errors
            registry.register(OutboxDepth(db, self))
        self.requests = Counter(
            "crossties_requests",
            "Events handled by the core, by platform, kind and outcome "
            "(ok, refused, duplicate, error).",
            ["platform", "kind", "outcome"],
            registry=registry,
        )
        self.handling = Histogram(
            "crossties_handling_seconds",
            "Time the core took to handle one event, by platform and kind.",
            ["platform", "kind"],
            buckets=HANDLING_BUCKETS,
            registry=registry,
        )
        self.sends = Counter(
            "crossties_sends",
            "Outbox sends by platform and outcome: sent, retried (a transient failure) or "
            "failed (permanent, or out of attempts).",
            ["platform", "outcome"],
            registry=registry,
        )
        self.rate_limits = Counter(
            "crossties_rate_limited",
            "Answers from a platform asking to slow down (HTTP 429), by platform.",
            ["platform"],
            registry=registry,
        )
        self.rounds = Counter(
            "crossties_round_runs",
            "Scheduled round runs by outcome (ran, skipped, error).",
            ["outcome"],
            registry=registry,
        )
        self.round_seconds = Histogram(
            "crossties_round_seconds",
            "Time one scheduled round took: matching, writing and queueing introductions.",
            buckets=ROUND_BUCKETS,
            registry=registry,
        )
        self.leader = Gauge(
            "crossties_scheduler_leader",
            "1 while this process runs the scheduler, else 0.",
            registry=registry,
        )
        self.database_errors = Counter(
            "crossties_database_errors",
            "Database calls that failed, by where (handle, delivery, scheduler, metrics).",
            ["where"],
            registry=registry,
        )
        for platform in PLATFORMS:  # so that dashboards and alerts see zeros, not gaps
            self.rate_limits.labels(platform)
            for outcome in SEND_OUTCOMES:
                self.sends.labels(platform, outcome)

    # ------------------------------------------------------------ bot.observe.Observer

    def handled(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        self.requests.labels(platform, kind, outcome).inc()
        self.handling.labels(platform, kind).observe(seconds)

    def delivered(self, platform: str, outcome: str) -> None:
        self.sends.labels(platform, outcome).inc()

    def rate_limited(self, platform: str) -> None:
        self.rate_limits.labels(platform).inc()

    def round_ran(self, outcome: str, seconds: float) -> None:
        self.rounds.labels(outcome).inc()
        self.round_seconds.observe(seconds)

    def leading(self, held: bool) -> None:
        self.leader.set(1 if held else 0)

    def database_error(self, where: str) -> None:
        self.database_errors.labels(where).inc()

    # ------------------------------------------------------------ output

    def exposition(self) -> bytes:
        """The Prometheus text format (reads the outbox: call it off the event loop)."""
        text: bytes = generate_latest(self.registry)
        return text


class OutboxDepth(Collector):
    """Messages in the outbox by state, counted in the database at each scrape, so every
    server reports the same shared figure."""

    NAME = "crossties_outbox_messages"
    HELP = "Messages in the outbox by state (pending, sending, sent, failed)."

    def __init__(self, db: Database, metrics: Metrics) -> None:
        self.db = db
        self.metrics = metrics

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(self.NAME, self.HELP, labels=["state"])

    def collect(self) -> Iterator[Metric]:
        from sqlalchemy import func
        from sqlalchemy.exc import SQLAlchemyError
        from sqlmodel import select

        from bot.db.models import Outbox, OutboxState

        try:
            with self.db.session() as session:
                rows = session.exec(select(Outbox.state, func.count()).group_by(Outbox.state))
                counts = {str(state): int(n) for state, n in rows.all()}
        except SQLAlchemyError as error:
            self.metrics.database_error("metrics")
            log.warning("could not count the outbox: %s", type(error).__name__)
            return
        family = GaugeMetricFamily(self.NAME, self.HELP, labels=["state"])
        for state in OutboxState:
            family.add_metric([str(state)], counts.get(str(state), 0))
        yield family
