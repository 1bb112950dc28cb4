"""Every template in prompts/, rendered at counts of one, two and many, reads as English.

The samples are chosen by variable name (found with jinja2.meta), so a new template is checked
as soon as it exists; a variable with no sample here fails loudly and asks for one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import cycle, islice
from types import SimpleNamespace
from typing import Any

import pytest
from jinja2 import Environment, meta

from bot.reports.funnel import FunnelView
from bot.reports.html import page_environment
from bot.reports.privacy import WITHHELD, LeadView, OrganisationView, RoundView
from bot.templates import SHIPPED, Prompts

TEMPLATES = sorted(path.stem for path in SHIPPED.glob("*.j2"))
COUNTS = (1, 2, 7)
HTML = {"report_page"}

NAMES = ["Helen Carter", "Tom O'Neill", "Fatima Noor", "Sam Patel", "Ann Lee", "Bo Khan", "Ravi"]
ORGANISATIONS = [
    f"{place} {kind}"
    for place, kind in zip(
        ["Northfield", "Riverside", "Eastgate", "Westmoor", "Southbank", "Highfield", "Lowmead"],
        ["Hospice", "Trust", "Council", "Practice", "Charity", "Hospital", "Care Home"],
        strict=True,
    )
]

# Nouns the templates count, singular → plural.
NOUNS = {
    "round": "rounds",
    "person": "people",
    "group": "groups",
    "pair": "pairs",
    "introduction": "introductions",
    "tie": "ties",
    "message": "messages",
    "organisation": "organisations",
    "member": "members",
    "collaboration": "collaborations",
    "day": "days",
    "hour": "hours",
    "minute": "minutes",
    "week": "weeks",
    "colleague": "colleagues",
    "question": "questions",
    "programme": "programmes",
    "more": "more",
}
# Words that may stand between a number and its noun ("1 new tie", "2 more pairs").
BETWEEN = r"(?:(?:new|more|active|other|cross-organisation|organisation)\s)?"
SINGULAR_AFTER_MANY = re.compile(
    r"(?<![\d.,:/-])\b(?:[02-9]|\d{2,})\s"
    + BETWEEN
    + r"("
    + "|".join(s for s, p in NOUNS.items() if s != p)
    + r")\b(?![-\w]|\s(?:pair|tie)s?\b)"
)
PLURAL_AFTER_ONE = re.compile(
    r"(?<![\d.,:/-])\b1\s"
    + BETWEEN
    + r"("
    + "|".join(p for s, p in NOUNS.items() if s != p)
    + r")\b"
)
GLUED = re.compile(r"[a-z)\"'”][.!?:;][A-Z]")


def _view(n: int, flag: bool) -> LeadView:
    orgs = ORGANISATIONS
    rows = [
        RoundView(
            round=r,
            introductions=n,
            met_rate=(0.0 if r == 1 else 0.5) if flag else None,
            new_cross_org_ties=n if r != 2 else None,
            new_cross_org_ties_met=n if flag else WITHHELD,
            cross_org_ties_total=n * r,
        )
        for r in range(1, n + 1)
    ]
    organisations = [
        OrganisationView(
            name=name,
            joined=n,
            active=n,
            paused=None,
            left=0,
            introductions=n,
            met_rate=0.5 if flag else None,
            ei_index=0.25 if flag else None,
            partners=n,
            betweenness=0.1,
            bridge=flag,
            isolated=not flag,
            weakly_linked=flag,
        )
        for name in orgs
    ]
    pairs = [(a, b) for i, a in enumerate(orgs) for b in orgs[i + 1 :]]
    return LeadView(
        programme="North Partnership",
        min_count=5,
        organisations=orgs,
        rounds=n,
        introductions=n,
        met=n if flag else 0,
        met_rate=0.5 if flag else 0.0,
        ties_by_stage={"introduced": n, "met": None, "collaborating": WITHHELD},
        cross_org_ties=n,
        same_org_ties=0,
        matrix=[[n if i != j else None for j in range(len(orgs))] for i in range(len(orgs))],
        strength=[[n for _ in orgs] for _ in orgs],
        per_round=rows,
        per_organisation=organisations,
        organisation_pairs_linked=n,
        organisation_pairs_total=21,
        organisation_pairs_met=n,
        density=0.3,
        people_density=0.01,
        ei_index=0.4 if flag else None,
        isolated_organisations=orgs[:n],
        weakly_linked_organisations=orgs[:n] if flag else [],
        bridging_organisations=orgs[:n],
        unlinked_pairs=pairs[: 5 + n] if flag else pairs[:n],
        thin_pairs=pairs[: 5 + n] if not flag else pairs[:n],
        role_pairs=[("Nurse", "Social worker", n), ("Other", "", None)] if flag else [],
        tags=[("discharge", n), ("other", None)] if flag else [],
        connectors=[(name, n) for name in NAMES[:n]] if flag else [],
        funnel=[
            FunnelView(
                a,
                b,
                {
                    "introduced": n,
                    "met": None,
                    "step_agreed": 0,
                    "step_taken": WITHHELD,
                    "collaborating": n,
                },
            )
            for a, b in pairs[:n]
        ],
        funnel_total={
            "introduced": n,
            "met": n,
            "step_agreed": 0,
            "step_taken": None,
            "collaborating": WITHHELD,
        }
        if flag
        else {},
    )


ANSWERS = ("met", "not_yet", "could_not_meet", None)
DAYS = (0, 1, 3, 7, 10, 14)  # ago, by turn: today, yesterday, a weekday, last week, …
STATUSES = ("active", "paused", "left", "none")
STAGES = ("introduced", "met", "step_agreed", "step_taken", "collaborating")


# Variables a template is given as None at times.
OPTIONAL = {
    "home_title": {"name"},
    "welcome": {"name"},
    "tie_line": {"organisation"},
    "answer_status": {"by", "followup_at", "next_round"},
    "checkin_status": {"followup_at", "next_round"},
    "answer_notice_body": {"followup_at"},
    "answer_recorded": {"followup_at"},
}


def sample(template: str, name: str, n: int, flag: bool, turn: int) -> Any:
    """A value for a template variable, for a count of `n` (one, two or many)."""
    names = NAMES[:n]
    view = _view(n, flag)
    plan = SimpleNamespace(
        programme="North Partnership",
        number=n,
        groups=[object()] * n,
        people=n,
        cross_organisation_groups=n,
        paused=n if flag else 0,
        skipped_unreachable=n if flag else 0,
        unplaced=tuple(names) if flag else (),
    )
    table: dict[str, Any] = {
        "programme": "North Partnership",
        "name": NAMES[0],
        "names": names,
        "partners": names,
        "organisations": ORGANISATIONS[:n],
        "programmes": [f"Programme {i}" for i in range(1, n + 1)] if flag else [],
        "organisation": ORGANISATIONS[0],
        "role": "Ward sister" if flag else None,
        "email": "helen@nhs.example" if flag else None,
        "platform": ("slack", "teams", "local")[turn % 3],
        "count": n,
        "days": n,
        "active": n,
        "invited": n,
        "already": n if flag else 0,
        "skipped": n if flag else 0,
        "existing": n if flag else 0,
        "collaborations": n if flag else 0,
        "number": n,
        "round": n,
        "reasons": [f"reason {i}" for i in range(1, n + 1)] if flag else [],
        "tags": [f"tag{i}" for i in range(1, n + 1)] if flag else [],
        "answers": list(zip(names, islice(cycle(ANSWERS), turn, turn + n), strict=True)),
        "answer": ANSWERS[turn % len(ANSWERS)],
        "status": STATUSES[turn % len(STATUSES)],
        "stage": STAGES[turn % len(STAGES)],
        "paused": flag,
        "until": date(2027, 1, 12) if flag else None,
        "date": date(2027, 1, 12),
        "since": date(2026, 3, 4),
        "detail": "next tuesday-ish",
        "value": "Mars/Olympus",
        "reason": "missing_scope",
        "word": "dance",
        "starter": "What makes a referral to your service a good one?",
        "field": ("timezone", "share_email", "role")[turn % 3],
        "size": 3 if flag else 2,
        "a": NAMES[0],
        "b": NAMES[1],
        "added": flag,
        "lead": flag,
        "coordinator": flag,
        "rejoined": flag,
        "created": flag,
        "was_paused": flag,
        "command_prefix": "/crossties" if flag else "",
        "view": view,
        "plan": plan,
        "summary": SimpleNamespace(messages_queued=n),
        "row": view.per_round[-1],
        "charts": {"heatmap": "data:,", "network": "data:,", "growth": "data:,"},
        "generated": "2 December 2026, 08:00 UTC",
        "now": datetime(2026, 12, 2, 8, tzinfo=UTC),
        "moment": datetime(2026, 12, 14, 9, tzinfo=UTC),
        "checkin_at": datetime(2026, 12, 9, 9, tzinfo=UTC),
        "next_round_at": datetime(2026, 12, 14, 9, tzinfo=UTC),
        "timezone": "Europe/London",
        "interval": n,
        "k": 5,
        "share": flag,
        "labelled": flag,
        "fewer": flag or n == 2,
        "withheld": not flag or n == 7,
        "kind": ("bridge", "weak", "unlinked")[turn % 3],
        "value_text": str(n),
        "unplaced": names if flag else [],
        "same_org": n if flag else 0,
        "pairs": n + 1,
        "first": n,
        "last": n + 19,
        "total": 20 * n + 7,
        "more": n if flag else 0,
        "more_organisations": n,
        "funnel_lines": view.funnel,
        "label": "Suggest a time",
        "shared": flag,
        "you": turn % 2 == 0,
        "how": ("slots", "chat", "email", "reply")[turn % 4],
        "mover": NAMES[0],
        "sender": NAMES[1] if flag else None,
        "people": [f"{p} ({o})" for p, o in zip(names, ORGANISATIONS, strict=False)],
        "slot": "Thursday 10 December, 09:00",
        "zone": ("Europe/London", "Australia/Sydney")[turn % 2],
        # the check-in loop: when the introduction was (just now, hours, days, weeks ago)
        "introduced": datetime(2026, 12, 2, 8, tzinfo=UTC)
        - (timedelta(minutes=(0, 1, 25)[turn % 3]) if flag else timedelta(days=DAYS[turn])),
        "by": NAMES[1],
        "told": names[1:] if flag else [],
        "followup_at": datetime(2026, 12, 5, 9, tzinfo=UTC),
        "next_round": ("keep", "move_on")[turn % 2],
        "checkins": n,
        "nudges": n - 1,
        "followups": n if flag else 0,
        "circle_checkins": n if flag else 0,
        "step_checks": n - 1,
        "of_introduced": n / 7,
        "due_by": datetime(2026, 12, 9, 9, tzinfo=UTC),
        "cadence": ("weekly", "fortnightly", "monthly")[turn % 3],
        "checkin_after": timedelta(hours=36) if flag else timedelta(days=n),
        "choices": flag,
        "record": {
            "name": NAMES[0] if flag else None,
            "email": "helen@nhs.example",
            "organisation": ORGANISATIONS[0],
            "role": None,
            "timezone": "Europe/London",
            "share_email": flag,
            "name_in_reports": not flag,
            "programmes": [
                {"programme": f"Programme {i}", "status": STATUSES[i % 3], "paused_until": None}
                for i in range(n)
            ],
            "roles": [{"programme": "North Partnership", "role": "coordinator"}] if flag else [],
            "introductions": [{"programme": "North", "round": i + 1} for i in range(n)],
            "check_ins": [{}] * n,
            "ties": [
                {"with": NAMES[i], "organisation": ORGANISATIONS[i], "stage": STAGES[i % 3]}
                for i in range(n)
            ],
            "kept_apart_from": [{"person": NAMES[1]}] if flag else [],
            "notes": [{}] * (n - 1),
            "accounts": [{}] * n,
        },
        "chosen_days": list(range(n)) if flag else [],
        "note": "Share the discharge checklist" if flag else None,
        "check_on": date(2027, 1, 12),
        "happened": flag,
        "limit": 200,
        "title": "Discharge to assess: delays at weekends",
        "titles": [f"Topic {i}" for i in range(1, n + 1)] if flag else [],
        "signed_up": flag,
        "reach": "on Microsoft Teams, helen@nhs.example" if flag else None,
        "min_count": 5,
        "proposer": NAMES[0] if flag else None,
        "arranger": NAMES[0].split()[0],
        "allowed": flag,
        "changed": (True, False, None)[turn % 3],
        "topics": [
            SimpleNamespace(
                title=f"Topic {i}",
                status=("formed", "open", "cancelled")[(turn + i) % 3],
                signed_up=n if flag else None,
                circles=n,
                people=n if flag else None,
                organisations=tuple(ORGANISATIONS[:n]),
            )
            for i in range(n)
        ],
    }
    if template == "cadence_set":  # a person's own pace, not a programme's cadence
        table["cadence"] = ("every_round", "every_other_round", "monthly")[turn % 3]
    if template == "organisation_paused":  # a count of people, not a list of them
        table["people"] = n if flag else 0
    if not flag and name in OPTIONAL.get(template, ()):
        return None
    if name not in table:
        raise AssertionError(f"no sample value for template variable {name!r}: add one")
    return table[name]


def _environment(template: str) -> Environment:
    prompts = Prompts()
    return page_environment(prompts) if template in HTML else prompts.env


def render_all(template: str) -> list[str]:
    env = _environment(template)
    source = (SHIPPED / f"{template}.j2").read_text(encoding="utf-8")
    variables = meta.find_undeclared_variables(env.parse(source)) - set(env.globals)
    texts = []
    turn = 0
    for n in COUNTS:
        for flag in (True, False):
            context = {name: sample(template, name, n, flag, turn) for name in variables}
            turn += 1
            texts.append(env.get_template(f"{template}.j2").render(**context).strip())
    return texts


def _visible(template: str, text: str) -> str:
    if template not in HTML:
        return text
    body = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return "\n".join(" ".join(line.split()) for line in body.splitlines() if line.strip())


def problems(template: str, text: str) -> list[str]:
    found = []
    visible = _visible(template, text)
    leftovers = [
        p
        for p in ("{{", "}}", "{%", "%}", "None", "['", "WITHHELD", "<bot.", "<function")
        if p in visible
    ]
    if leftovers:
        found.append(f"leftover {leftovers}")
    for match in GLUED.finditer(visible):
        found.append(f"glued sentence {visible[max(0, match.start() - 12) : match.end() + 8]!r}")
    for match in PLURAL_AFTER_ONE.finditer(visible):
        found.append(f"plural after one: {match.group(0)!r}")
    for match in SINGULAR_AFTER_MANY.finditer(visible):
        found.append(f"singular after many: {match.group(0)!r}")
    if template not in HTML:
        if "  " in text:
            found.append(f"doubled space in {text!r}")
        if re.search(r"\n\s*\n", text):
            found.append(f"blank line in {text!r}")
        if re.search(r"[ \t]\n", text):
            found.append(f"trailing space in {text!r}")
    elif "\n\n\n" in text:
        found.append("run of blank lines")
    return found


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_reads_well_at_one_two_and_many(template: str) -> None:
    found = [p for text in render_all(template) for p in problems(template, text)]
    assert not found, "\n".join(dict.fromkeys(found))


def test_every_template_is_checked() -> None:
    assert len(TEMPLATES) > 100
    assert "answer_recorded" in TEMPLATES and "report_page" in TEMPLATES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Imported 1 people.", ["plural after one"]),
        ("Wrote 1 groups and (and 1 more pairs).", ["plural after one", "plural after one"]),
        ("2 round and 3 new tie", ["singular after many", "singular after many"]),
        ("…noted that you met.Helen Carter: met", ["glued sentence"]),
        ("Round 1 of 2: 1 round, 2 rounds, 12 people, 1 of 21 pairs", []),
        ("Hello  there", ["doubled space"]),
        ("One\n\nTwo", ["blank line"]),
        ("Hi {{ name }}", ["leftover"]),
    ],
)
def test_the_checks_catch_what_they_claim(text: str, expected: list[str]) -> None:
    found = problems("sample", text)
    assert len(found) == len(expected), found
    assert all(p.startswith(e) for p, e in zip(found, expected, strict=True)), found


def test_an_open_round_does_not_claim_a_met_rate_of_nought() -> None:
    prompts = Prompts()
    view = replace(_view(2, True), met=0, met_rate=0.0)
    text = prompts.render("report_summary", view=view)
    assert "0%" not in text
    assert "no meetings reported yet" in text
