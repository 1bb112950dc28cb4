"""The metrics themselves, without a server: each series in its own registry, and a database
that fails while /metrics is read."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from bot.db.session import Database
from crossties.metrics import Metrics

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_database_that_fails_is_counted_and_the_rest_still_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Database(f"sqlite:///{tmp_path / 'x.db'}")
    broken.engine.dispose()
    (tmp_path / "x.db").unlink()
    (tmp_path / "x.db").mkdir()  # the file is now a folder: every connection fails
    metrics = Metrics(CollectorRegistry(), broken)
    metrics.handled("teams", "CommandReceived", "error", 0.01)
    with caplog.at_level(logging.WARNING):
        samples = parse(metrics.exposition().decode())
    assert value(samples, "crossties_database_errors_total", where="metrics") == 1
    assert (
        value(
            samples,
            "crossties_requests_total",
            platform="teams",
            kind="CommandReceived",
            outcome="error",
        )
        == 1
    )
    assert not any(name == "crossties_outbox_messages" for name, _ in samples)
    assert "could not count the outbox: OperationalError" in caplog.text


def test_two_servers_in_one_process_keep_their_own_counts() -> None:
    first, second = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    first.delivered("teams", "failed")
    assert (
        value(
            parse(first.exposition().decode()),
            "crossties_sends_total",
            platform="teams",
            outcome="failed",
        )
        == 1
    )
    assert (
        value(
            parse(second.exposition().decode()),
            "crossties_sends_total",
            platform="teams",
            outcome="failed",
        )
        == 0
    )
