"""`crossties serve` killed (SIGKILL) while it writes check-in answers, then started again.

Everyone in a delivered round answers "met" at once on Slack or Teams; the process is killed
in the middle of that burst. Whoever got no answer tries again after the restart (as a person
would). Afterwards each check-in is recorded once with its answer, each person got exactly one
answer, each tie met once, and no outbox row or message is doubled.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from bot.db.models import CheckIn, Outbox, OutboxState, TieEvent
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

pytestmark = pytest.mark.slow
MET = "met"


async def test_killed_while_writing_checkins(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    async with a_round_just_run(private_postgres, tmp_path) as run:
        url, slack, connector, server = run.url, run.slack, run.connector, run.server
        http, people = run.http, run.people

        def delivered() -> bool:
            outbox = rows(url, Outbox)
            return bool(outbox) and all(r.state == OutboxState.SENT for r in outbox)

        await eventually(delivered, 60, "the introductions")
        before_teams = {n: len(teams_texts(connector, n)) for n in people.teams_people}

        async def answer(n: int) -> str | None:
            """The Slack response name, or None for Teams; errors are expected."""
            try:
                if n in people.slack_people:
                    return (await slack_command(http, server, n, MET))[2]
                await teams_message(http, server, connector, n, MET, wait_reply=False)
            except aiohttp.ClientError:
                pass  # the process died under this request
            return None

        everyone = people.slack_people + people.teams_people
        burst = [asyncio.ensure_future(answer(n)) for n in everyone]
        await asyncio.sleep(0.15)
        server.kill()  # mid-burst: some answers written, some not, some half-way
        names = dict(zip(everyone, await asyncio.gather(*burst), strict=True))
        written_before = sum(c.answer == MET for c in rows(url, CheckIn))

        server.start()
        await server.until_health(200, 60)
        await asyncio.sleep(0.5)  # answers that left before the kill have arrived

        def answered(n: int) -> list[str]:
            if n in people.slack_people:
                return slack_answers(slack, names[n]) if names[n] else []
            # cards (a partner's answer told to them: no text) are not their own answer
            return [t for t in teams_texts(connector, n)[before_teams[n] :] if t]

        retried = [n for n in everyone if not answered(n)]
        for n in retried:
            names[n] = await answer(n)
        await eventually(lambda: all(answered(n) for n in everyone), 20, "an answer for everyone")

    for n in everyone:
        texts = answered(n)
        assert len(texts) == 1, (n, texts)  # answered once
        assert POLITE not in texts[0]
    checkins = rows(url, CheckIn)
    per_person = Counter(c.person_id for c in checkins)
    assert all(count == 1 for count in per_person.values())
    assert len(checkins) == len(everyone)
    assert all(c.answer == MET for c in checkins)
    met_events = Counter(e.tie_id for e in rows(url, TieEvent) if e.kind == "met")
    assert met_events and all(count == 1 for count in met_events.values())
    outbox = rows(url, Outbox)
    assert all(n == 1 for n in Counter(r.idempotency_key for r in outbox).values())
    keys = Counter(
        (json.loads(m) if isinstance(m, str) else m)["event_payload"]["key"]
        for c in slack.calls_to("chat.postMessage", ok_only=True)
        if (m := c.args.get("metadata"))
    )
    assert all(count == 1 for count in keys.values()), keys
    print(
        f"\nkilled mid-burst: {written_before}/{len(everyone)} check-ins written before the "
        f"kill, {len(retried)} people tried again; recorded once each, duplicates 0"
    )
