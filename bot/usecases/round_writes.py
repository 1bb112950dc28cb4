"""Recording a matched round in bulk: introductions, members, check-ins, ties and the outbox.

Ids are reserved first, then each table gets all of the round's rows in one set-based write,
inside the round's transaction (bot.usecases.rounds.run_round). Questions about the round's
pairs (which already have a tie, which starters they have had) are answered by joining a
temporary table of the pairs, so they cost one query whatever the size of the round.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from bot.accounts import Address
from bot.compose import GroupMember, introduction_view
from bot.db.models import (
    CheckIn,
    Introduction,
    IntroductionMember,
    Outbox,
    OutboxState,
    Tie,
    TieEvent,
    TieStage,
)
from bot.intro_view import encode_view
from bot.templates import Prompts
from bot.usecases.bulk import ProgressCallback, is_postgresql, reserve_ids, write_rows
from bot.usecases.round_text import CachedPrompts, first_mover

Pair = tuple[int, int]


@dataclass(frozen=True)
class Member:
    """What a round needs to know about one person it places."""

    id: int
    name: str
    organisation_id: int | None
    role: str | None
    email: str | None  # only when the person shares it
    timezone: str | None = None  # None: the programme's


def pairs_of(members: Iterable[int]) -> list[Pair]:
    ordered = sorted(members)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


def stage_pairs(session: Session, pairs: list[Pair]) -> None:
    """The round's pairs in a temporary table (`round_pair`), for the joins below."""
    session.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS round_pair "
            "(a INTEGER NOT NULL, b INTEGER NOT NULL)"
        )
    )
    session.execute(text("DELETE FROM round_pair"))
    connection = session.connection()
    if is_postgresql(session):
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy("COPY round_pair (a, b) FROM STDIN") as copy:
            for pair in pairs:
                copy.write_row(pair)
    elif pairs:
        connection.exec_driver_sql("INSERT INTO round_pair (a, b) VALUES (?, ?)", pairs)


def existing_ties(session: Session) -> dict[Pair, int]:
    rows = session.execute(
        text(
            "SELECT t.id, t.person_a_id, t.person_b_id FROM tie t "
            "JOIN round_pair p ON t.person_a_id = p.a AND t.person_b_id = p.b"
        )
    ).all()
    return {(int(a), int(b)): int(tie_id) for tie_id, a, b in rows}


def starters_by_pair(session: Session) -> dict[Pair, Counter[str]]:
    """Which starters each of the round's pairs has had, in any programme: one query."""
    rows = session.execute(
        text(
            "SELECT p.a, p.b, i.starter, count(*) FROM round_pair p "
            "JOIN introductionmember ma ON ma.person_id = p.a "
            "JOIN introductionmember mb "
            "  ON mb.introduction_id = ma.introduction_id AND mb.person_id = p.b "
            "JOIN introduction i ON i.id = ma.introduction_id "
            "GROUP BY p.a, p.b, i.starter"
        )
    ).all()
    used: dict[Pair, Counter[str]] = defaultdict(Counter)
    for a, b, starter, count in rows:
        used[(int(a), int(b))][str(starter)] += int(count)
    return used


def first_moves(session: Session, programme_id: int) -> Counter[int]:
    """How often each person has been asked to make the first move in the programme."""
    rows = session.execute(
        text(
            "SELECT first_mover_id, count(*) FROM introduction "
            "WHERE programme_id = :p AND first_mover_id IS NOT NULL GROUP BY first_mover_id"
        ),
        {"p": programme_id},
    ).all()
    return Counter({int(person): int(count) for person, count in rows})


def organisation_pair_ties(session: Session, programme_id: int) -> Counter[frozenset[int]]:
    counts: Counter[frozenset[int]] = Counter()
    rows = session.execute(
        text(
            "SELECT organisation_a_id, organisation_b_id, count(*) FROM tie "
            "WHERE programme_id = :p AND organisation_a_id IS NOT NULL "
            "AND organisation_b_id IS NOT NULL AND organisation_a_id <> organisation_b_id "
            "GROUP BY organisation_a_id, organisation_b_id"
        ),
        {"p": programme_id},
    ).all()
    for a, b, count in rows:
        counts[frozenset((int(a), int(b)))] += int(count)
    return counts


@dataclass(frozen=True)
class Introduced:
    """One group as it will be stored: its starter and the reason given for it."""

    members: tuple[int, ...]  # person ids
    starter_key: str
    starter_text: str
    why: str


@dataclass
class RoundRows:
    """Everything a round writes, built in memory and then stored table by table."""

    introductions: list[tuple[Any, ...]]
    members: list[tuple[Any, ...]]
    checkins: list[tuple[Any, ...]]
    ties: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    outbox: list[tuple[Any, ...]]


def record_round(
    session: Session,
    now: datetime,
    *,
    programme_id: int,
    programme_name: str,
    round_id: int,
    checkin_at: datetime,
    nudge_at: datetime,
    checkin_days: int,
    prompts: Prompts,
    introduced: list[Introduced],
    programme_timezone: str = "Europe/London",
    people: dict[int, Member],
    organisations: dict[int | None, str],
    addresses: dict[int, Address],
    ties: dict[Pair, int],
    report: ProgressCallback,
) -> int:
    """Store the round's rows; returns how many introduction messages were queued."""
    intro_ids = reserve_ids(session, Introduction, len(introduced))
    new_pairs = [pair for item in introduced for pair in pairs_of(item.members) if pair not in ties]
    tie_ids = dict(zip(new_pairs, reserve_ids(session, Tie, len(new_pairs)), strict=True))
    rows = RoundRows([], [], [], [], [], [])
    cached = prompts if isinstance(prompts, CachedPrompts) else CachedPrompts(prompts)
    total = len(introduced)
    moves = first_moves(session, programme_id)
    for index, (intro_id, item) in enumerate(zip(intro_ids, introduced, strict=True)):
        if index % 2000 == 0:
            report("Writing introductions", index, total)
        members = item.members
        mover = first_mover(intro_id, members, moves)
        moves[mover] += 1
        rows.introductions.append(
            (intro_id, round_id, programme_id, item.starter_key, now, checkin_at, nudge_at, mover)
        )
        for person_id in members:
            rows.members.append((intro_id, person_id, people[person_id].organisation_id))
            rows.checkins.append((intro_id, person_id, checkin_at, nudge_at))
        for pair in pairs_of(members):
            tie_id = ties.get(pair)
            if tie_id is None:
                tie_id = tie_ids[pair]
                rows.ties.append(
                    (
                        tie_id,
                        programme_id,
                        pair[0],
                        pair[1],
                        people[pair[0]].organisation_id,
                        people[pair[1]].organisation_id,
                        TieStage.INTRODUCED.value,
                        now,
                    )
                )
            rows.events.append((tie_id, "introduced", now, intro_id))
        _queue_introduction(
            rows,
            now,
            cached,
            intro_id,
            item,
            people,
            organisations,
            addresses,
            programme_id=programme_id,
            programme_name=programme_name,
            checkin_at=checkin_at,
            first_mover=mover,
            programme_timezone=programme_timezone,
        )
    report("Writing introductions", total, total)
    return _store(session, rows, report)


def _queue_introduction(
    rows: RoundRows,
    now: datetime,
    prompts: Prompts,
    intro_id: int,
    item: Introduced,
    people: dict[int, Member],
    organisations: dict[int | None, str],
    addresses: dict[int, Address],
    *,
    programme_id: int,
    programme_name: str,
    checkin_at: datetime,
    first_mover: int,
    programme_timezone: str,
) -> None:
    """One introduction view per platform and workspace its members are reached on (a Slack
    group DM, or the Teams members' own chats), naming the same first mover on each."""
    members = item.members
    group = [
        GroupMember(
            person_id=m,
            name=people[m].name,
            organisation=organisations.get(people[m].organisation_id, "?"),
            role=people[m].role,
            platform=addresses[m].platform,
            email=people[m].email,
            timezone=people[m].timezone or programme_timezone,
        )
        for m in members
    ]
    by_place: dict[tuple[str, str], list[int]] = defaultdict(list)
    for m in members:
        by_place[(addresses[m].platform, addresses[m].workspace)].append(m)
    for (platform, workspace), recipients in sorted(by_place.items()):
        view = introduction_view(
            prompts,
            introduction_id=intro_id,
            programme_id=programme_id,
            programme=programme_name,
            members=group,
            readers=recipients,
            platform=platform,
            first_mover=first_mover,
            why=item.why,
            starter_key=item.starter_key,
            starter=item.starter_text,
            checkin_at=checkin_at,
            now=now,
        )
        rows.outbox.append(
            (
                f"intro:{intro_id}:{platform}:{workspace}",
                platform,
                workspace,
                json.dumps([addresses[m].user_id for m in recipients]),
                "introduction",
                encode_view(view),
                programme_id,
                intro_id,
                OutboxState.PENDING.value,
                0,
                now,
                now,
                False,
            )
        )


def _store(session: Session, rows: RoundRows, report: ProgressCallback) -> int:
    session.flush()  # the round row (and anything else pending) first: the rows point at it
    steps = 6
    report("Storing the round", 0, steps)
    write_rows(
        session,
        Introduction,
        (
            "id",
            "round_id",
            "programme_id",
            "starter",
            "created_at",
            "checkin_due_at",
            "nudge_due_at",
            "first_mover_id",
        ),
        rows.introductions,
    )
    report("Storing the round", 1, steps)
    write_rows(
        session,
        IntroductionMember,
        ("introduction_id", "person_id", "organisation_id"),
        rows.members,
    )
    report("Storing the round", 2, steps)
    write_rows(
        session, CheckIn, ("introduction_id", "person_id", "due_at", "nudge_due_at"), rows.checkins
    )
    report("Storing the round", 3, steps)
    write_rows(
        session,
        Tie,
        (
            "id",
            "programme_id",
            "person_a_id",
            "person_b_id",
            "organisation_a_id",
            "organisation_b_id",
            "stage",
            "created_at",
        ),
        rows.ties,
    )
    report("Storing the round", 4, steps)
    write_rows(session, TieEvent, ("tie_id", "kind", "at", "introduction_id"), rows.events)
    report("Storing the round", 5, steps)
    queued = write_rows(
        session,
        Outbox,
        (
            "idempotency_key",
            "platform",
            "workspace",
            "recipients",
            "kind",
            "payload",
            "programme_id",
            "introduction_id",
            "state",
            "attempts",
            "next_try_at",
            "created_at",
            "maybe_sent",
        ),
        rows.outbox,
        on_conflict_ignore=True,  # a key already queued is not queued twice
    )
    report("Storing the round", steps, steps)
    return queued
