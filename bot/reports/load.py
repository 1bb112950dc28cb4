"""Reading a programme's figures with set-based SQL: the database groups, Python only adds up.

Every query groups rows (by organisation pair, stage, round, outcome, status), so the work
left in Python is proportional to the number of organisations and rounds, not of ties. The
SQL is plain enough to run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from bot.db.models import Programme
from bot.reports.funnel import FUNNEL_SQL, stage_paths
from bot.reports.model import ReportInput, TieGroup

_ORGANISATIONS = """
SELECT o.name FROM programmeorganisation po
JOIN organisation o ON o.id = po.organisation_id
WHERE po.programme_id = :p
"""
_ALL_ORGANISATIONS = "SELECT id, name FROM organisation"
_ROUNDS = 'SELECT number FROM "round" WHERE programme_id = :p'
_INTRODUCTIONS = """
SELECT r.number, i.outcome, count(*) FROM introduction i
JOIN "round" r ON r.id = i.round_id
WHERE i.programme_id = :p
GROUP BY r.number, i.outcome
"""
_ORGANISATION_INTRODUCTIONS = """
SELECT im.organisation_id, i.outcome, count(DISTINCT i.id) FROM introductionmember im
JOIN introduction i ON i.id = im.introduction_id
WHERE i.programme_id = :p AND im.organisation_id IS NOT NULL
GROUP BY im.organisation_id, i.outcome
"""
# A tie's round is the round of the first introduction that made it.
_TIES = """
SELECT t.organisation_a_id, t.organisation_b_id, t.stage, f.first_round, count(*)
FROM tie t
LEFT JOIN (
    SELECT e.tie_id AS tie_id, min(r.number) AS first_round
    FROM tieevent e
    JOIN introduction i ON i.id = e.introduction_id
    JOIN "round" r ON r.id = i.round_id
    WHERE e.kind = 'introduced' AND i.programme_id = :p
    GROUP BY e.tie_id
) f ON f.tie_id = t.id
WHERE t.programme_id = :p
GROUP BY t.organisation_a_id, t.organisation_b_id, t.stage, f.first_round
"""
_MEMBERSHIPS = """
SELECT p.organisation_id, m.status, count(*) FROM membership m
JOIN person p ON p.id = m.person_id
WHERE m.programme_id = :p
GROUP BY p.organisation_id, m.status
"""
_ROLE_PAIRS = """
SELECT pa.role, pb.role, count(*) FROM tie t
JOIN person pa ON pa.id = t.person_a_id
JOIN person pb ON pb.id = t.person_b_id
WHERE t.programme_id = :p AND t.stage <> 'introduced'
GROUP BY pa.role, pb.role
"""
_ROLE_PEOPLE = """
SELECT p.role, count(*) FROM membership m
JOIN person p ON p.id = m.person_id
WHERE m.programme_id = :p
GROUP BY p.role
"""
_TAGS = """
SELECT e.tie_id, e.tags, count(*) FROM tieevent e
JOIN tie t ON t.id = e.tie_id
WHERE t.programme_id = :p AND e.kind = 'collaborated' AND e.tags IS NOT NULL
GROUP BY e.tie_id, e.tags
"""
# Only people who agreed to be named, and only their count of other organisations reached.
_CONNECTORS = """
SELECT p.id, p.name, count(DISTINCT x.other_org) FROM person p
JOIN membership m ON m.person_id = p.id AND m.programme_id = :p
JOIN (
    SELECT person_a_id AS pid, organisation_a_id AS own, organisation_b_id AS other_org
    FROM tie WHERE programme_id = :p AND stage <> 'introduced'
    UNION ALL
    SELECT person_b_id, organisation_b_id, organisation_a_id
    FROM tie WHERE programme_id = :p AND stage <> 'introduced'
) x ON x.pid = p.id
WHERE p.name_in_reports = :yes AND p.erased = :no AND p.name IS NOT NULL
  AND x.other_org IS NOT NULL AND x.own IS NOT NULL AND x.other_org <> x.own
GROUP BY p.id, p.name
HAVING count(DISTINCT x.other_org) >= 2
ORDER BY count(DISTINCT x.other_org) DESC, p.name
"""
CONNECTORS_SHOWN = 10


def clean_label(value: str | None, missing: str) -> str:
    """Free text typed by people (roles, tags), tidied so that spelling variants group."""
    if value is None:
        return missing
    tidy = " ".join(value.split())
    return tidy or missing


def load_report_input(session: Session, programme: Programme) -> ReportInput:
    connection = session.connection()
    params: dict[str, Any] = {"p": programme.id}

    def rows(sql: str, **extra: Any) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in connection.execute(text(sql), {**params, **extra}).all()]

    names: dict[int, str] = {int(i): str(n) for i, n in rows(_ALL_ORGANISATIONS)}
    organisations = tuple(sorted(str(n) for (n,) in rows(_ORGANISATIONS)))

    def org(value: Any) -> str | None:
        return names.get(int(value)) if value is not None else None

    rounds = tuple(sorted(int(n) for (n,) in rows(_ROUNDS)))
    introductions = tuple((int(n), o, int(c)) for n, o, c in rows(_INTRODUCTIONS))
    organisation_introductions = tuple(
        (name, o, int(c))
        for i, o, c in rows(_ORGANISATION_INTRODUCTIONS)
        if (name := org(i)) is not None
    )
    ties = tuple(
        TieGroup(org(a), org(b), str(stage), int(r) if r is not None else None, int(c))
        for a, b, stage, r, c in rows(_TIES)
    )
    memberships = tuple((org(o), str(s), int(c)) for o, s, c in rows(_MEMBERSHIPS))
    spelling: dict[str, str] = {}
    role_people: dict[str, int] = defaultdict(int)
    for role, count in rows(_ROLE_PEOPLE):
        role_people[_role_key(role, spelling)] += int(count)
    role_pairs = _role_pairs(rows(_ROLE_PAIRS), spelling)
    return ReportInput(
        programme=programme.name,
        organisations=organisations,
        rounds=rounds,
        introductions=introductions,
        organisation_introductions=organisation_introductions,
        ties=ties,
        memberships=memberships,
        role_pairs=role_pairs,
        role_people=tuple(sorted(role_people.items())),
        tags=_tags(rows(_TAGS)),
        connectors=tuple(
            (str(name), int(count))
            for _, name, count in rows(_CONNECTORS, yes=True, no=False)[:CONNECTORS_SHOWN]
        ),
        stage_paths=stage_paths(rows(FUNNEL_SQL), org),
    )


def _role_key(role: Any, spelling: dict[str, str]) -> str:
    """Roles group case-insensitively; the first spelling met is the one shown."""
    label = clean_label(role, "Not given")
    return spelling.setdefault(label.casefold(), label)


def _role_pairs(
    found: list[tuple[Any, ...]], spelling: dict[str, str]
) -> tuple[tuple[str, str, int], ...]:
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, count in found:
        first, second = sorted((_role_key(a, spelling), _role_key(b, spelling)))
        pairs[(first, second)] += int(count)
    return tuple(
        (a, b, c) for (a, b), c in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    )


def _tags(found: list[tuple[Any, ...]]) -> tuple[tuple[str, int, int], ...]:
    ties: dict[str, set[int]] = defaultdict(set)
    events: dict[str, int] = defaultdict(int)
    for tie_id, tags, count in found:
        for raw in str(tags).split(","):
            tag = raw.strip().lstrip("#").casefold()
            if tag:
                ties[tag].add(int(tie_id))
                events[tag] += int(count)
    return tuple(
        sorted(
            ((f"#{tag}", len(ties[tag]), events[tag]) for tag in ties),
            key=lambda item: (-item[1], item[0]),
        )
    )
