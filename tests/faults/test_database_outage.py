"""PostgreSQL stops while `crossties serve` is busy delivering a round, and starts again.

A private cluster is stopped for CROSSTIES_FAULT_OUTAGE seconds (3 by default; the documented
figures use 30). Requests in the gap get the polite "try again shortly" on Slack and Teams,
never a 500 or a stack trace; /healthz goes 503 and back to 200 without a restart; afterwards
every introduction has been delivered exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.db.models import Introduction, Outbox, OutboxState
from tests.faults.conftest import (
    POLITE,
    PrivatePostgres,
    a_round_just_run,
    eventually,
    rows,
    slack_answers,
    slack_command,
    teams_message,
    teams_texts,
)

OUTAGE = float(os.environ.get("CROSSTIES_FAULT_OUTAGE", "3"))
pytestmark = pytest.mark.slow


async def test_postgres_stopped_and_started_again(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    async with a_round_just_run(private_postgres, tmp_path) as run:
        url, slack, connector, server = run.url, run.slack, run.connector, run.server
        http, name = run.http, run.round_answer
        assert "Round 1" in slack_answers(slack, name)[0]

        private_postgres.stop()  # introductions are still being delivered
        stopped = time.monotonic()
        to_503 = await server.until_health(503, 30)

        slack_status, slack_body, gap = await slack_command(http, server, 2, "ties")
        teams_status, teams_body = await teams_message(http, server, connector, 8, "ties")
        assert slack_status == 200, slack_body
        assert teams_status == 200, teams_body
        for body in (slack_body, teams_body):
            assert "Traceback" not in body and "Error" not in body
        await eventually(lambda: slack_answers(slack, gap), 15, "the Slack answer")
        assert POLITE in slack_answers(slack, gap)[0]
        assert POLITE in teams_texts(connector, 8)[-1]

        await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped)))
        private_postgres.start()
        recovery = await server.until_health(200, 60)

        status, _, after = await slack_command(http, server, 2, "ties")
        assert status == 200
        await eventually(lambda: slack_answers(slack, after), 15, "an answer after")
        assert POLITE not in slack_answers(slack, after)[0]
        status, _ = await teams_message(http, server, connector, 8, "ties")
        assert status == 200 and POLITE not in teams_texts(connector, 8)[-1]

        def all_sent() -> bool:
            sent = rows(url, Outbox)
            return bool(sent) and all(r.state == OutboxState.SENT for r in sent)

        try:
            delivered = await eventually(all_sent, 90, "every introduction delivered")
        except AssertionError:
            states = [
                (
                    r.id,
                    r.platform,
                    r.state,
                    r.attempts,
                    r.next_try_at,
                    r.claimed_by,
                    r.last_error,
                )
                for r in rows(url, Outbox)
            ]
            raise AssertionError(f"not all delivered: {states}") from None

    outbox = rows(url, Outbox)
    introductions = rows(url, Introduction)
    keys = Counter(r.idempotency_key for r in outbox)
    assert all(n == 1 for n in keys.values())
    posted = [
        c.args["metadata"]
        for c in slack.calls_to("chat.postMessage", ok_only=True)
        if c.args.get("metadata")
    ]
    slack_keys = Counter(
        (json.loads(m) if isinstance(m, str) else m)["event_payload"]["key"] for m in posted
    )
    assert all(n == 1 for n in slack_keys.values()), slack_keys
    intro_rows = [r for r in outbox if r.kind == "introduction"]
    assert len(intro_rows) >= len(introductions) > 0
    cards = [
        (r.conversation, json.dumps(r.body.get("attachments"), sort_keys=True))
        for r in connector.sent()
    ]
    teams_intros = Counter(card for card in cards if '"checkin"' in card[1])
    assert all(n == 1 for n in teams_intros.values())
    teams_people = [json.loads(r.recipients) for r in intro_rows if r.platform == "teams"]
    assert len(teams_intros) == sum(len(group) for group in teams_people)  # one card each
    assert len(slack_keys) == len([r for r in intro_rows if r.platform == "slack"])
    print(
        f"\noutage {OUTAGE:.0f} s: /healthz 503 after {to_503:.1f} s, 200 {recovery:.1f} s "
        f"after the start; {len(intro_rows)} introductions, all delivered "
        f"{delivered:.1f} s after recovery; duplicates 0"
    )
