"""The funnel of tie stages per organisation pair: how far ties across organisations went.

introduced → met → next step agreed → step taken → collaborating. Each step counts the ties
that reached it: every tie was introduced; a tie met once its stage is "met" or beyond; a step
was agreed (or taken) when the tie is at that stage or later on the step path, or when a tie
event of that kind was recorded (a tie may go on to log a collaboration after taking a step);
collaborating counts ties at that stage. Stages not recorded yet count zero.

Counts are about people, so the lead view applies the small-number rule (`funnel_view`): a
step from 1 to k−1 is hidden; a step whose difference from the last step shown is small is
withheld, so that "how many did not get further" cannot point at anyone; and across pairs
each step is suppressed with its total like any other table with a total (`complement`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.reports.privacy import WITHHELD, Shown, complement, publishable

FUNNEL = ("introduced", "met", "step_agreed", "step_taken", "collaborating")
# Stage names on the way from a meeting to a step taken (the tie stages that record them).
STEP_STAGES = {"step_agreed": ("step_agreed", "step_taken"), "step_taken": ("step_taken",)}
MET_OR_BEYOND = frozenset(FUNNEL[1:])
# The step whose ties include each step's ties (collaborating may follow a meeting directly).
HOLDER = {
    "met": "introduced",
    "step_agreed": "met",
    "step_taken": "step_agreed",
    "collaborating": "met",
}

# One row per organisation pair, tie stage and whether step events were recorded.
FUNNEL_SQL = """
SELECT t.organisation_a_id, t.organisation_b_id, t.stage,
       CASE WHEN EXISTS (SELECT 1 FROM tieevent e WHERE e.tie_id = t.id
                         AND e.kind IN ('step_agreed', 'step_taken')) THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (SELECT 1 FROM tieevent e WHERE e.tie_id = t.id
                         AND e.kind = 'step_taken') THEN 1 ELSE 0 END,
       count(*)
FROM tie t
WHERE t.programme_id = :p
GROUP BY 1, 2, 3, 4, 5
"""


@dataclass(frozen=True)
class StagePath:
    """Ties of one organisation pair at one stage, with whether a step was agreed or taken."""

    organisation_a: str | None
    organisation_b: str | None
    stage: str
    step_agreed: bool
    step_taken: bool
    count: int


@dataclass(frozen=True)
class FunnelLine:
    organisation_a: str
    organisation_b: str
    counts: dict[str, int]  # per step of FUNNEL


@dataclass(frozen=True)
class FunnelView:
    organisation_a: str
    organisation_b: str
    counts: dict[str, Shown]


def reached(path: StagePath) -> tuple[bool, ...]:
    """Which steps of FUNNEL ties on this path reached."""
    agreed = path.step_agreed or path.stage in STEP_STAGES["step_agreed"]
    taken = path.step_taken or path.stage in STEP_STAGES["step_taken"]
    return (
        True,
        path.stage in MET_OR_BEYOND,
        agreed or taken,
        taken,
        path.stage == "collaborating",
    )


def build_funnel(
    organisations: list[str], paths: Iterable[StagePath]
) -> tuple[list[FunnelLine], dict[str, int]]:
    """A line per pair of organisations (all pairs, in the report's order) and the total over
    ties across organisations."""
    index = {name: i for i, name in enumerate(organisations)}
    counts: dict[tuple[int, int], list[int]] = {
        (i, j): [0] * len(FUNNEL)
        for i in range(len(organisations))
        for j in range(i + 1, len(organisations))
    }
    for path in paths:
        a, b = path.organisation_a, path.organisation_b
        if a is None or b is None or a == b or a not in index or b not in index:
            continue
        i, j = sorted((index[a], index[b]))
        row = counts[(i, j)]
        for step, hit in enumerate(reached(path)):
            if hit:
                row[step] += path.count
    lines = [
        FunnelLine(organisations[i], organisations[j], dict(zip(FUNNEL, row, strict=True)))
        for (i, j), row in counts.items()
    ]
    total = {step: sum(line.counts[step] for line in lines) for step in FUNNEL}
    return lines, total


def _along(values: list[int], hidden: list[bool], k: int) -> list[Shown]:
    """One funnel, step by step: small steps hidden, and a step withheld when it differs by a
    small number from the nearest step shown that holds it (so nobody's "did not get
    further" shows). Collaborating ties are held by the met ones, not by the step ones."""
    out: list[Shown] = []
    for step, (value, hide) in enumerate(zip(values, hidden, strict=True)):
        holder = _shown_holder(out, values, step)
        if not publishable(value, k):
            out.append(None)
        elif hide or (holder is not None and not publishable(holder - value, k)):
            out.append(WITHHELD)
        else:
            out.append(value)
    return out


def _shown_holder(out: list[Shown], values: list[int], step: int) -> int | None:
    """The value of the nearest earlier step, among those whose ties include this step's,
    that is shown; None when none is."""
    parent = HOLDER.get(FUNNEL[step])
    while parent is not None:
        index = FUNNEL.index(parent)
        if isinstance(out[index], int):
            return values[index]
        parent = HOLDER.get(parent)
    return None


def funnel_view(
    lines: list[FunnelLine],
    total: dict[str, int],
    k: int,
    introduced_hidden: list[bool] | None = None,
) -> tuple[list[FunnelView], dict[str, Shown]]:
    """The funnel as a lead sees it. `introduced_hidden` are the pairs whose tie count the
    matrix hides (the funnel's first step is the same figure, so it hides them too). Hiding
    along a pair and across pairs (each step with its total) repeats until neither adds a
    hidden cell."""
    steps = len(FUNNEL)
    hidden = [[False] * steps for _ in lines]
    if introduced_hidden is not None:
        for row, h in zip(hidden, introduced_hidden, strict=True):
            row[0] = h
    total_hidden = [False] * steps
    while True:
        shown = [
            _along([line.counts[s] for s in FUNNEL], row, k)
            for line, row in zip(lines, hidden, strict=True)
        ]
        changed = False
        for step, name in enumerate(FUNNEL):
            start = [not isinstance(cells[step], int) for cells in shown]
            mask, total_ok = complement([line.counts[name] for line in lines], k, start=start)
            for row, h in zip(hidden, mask, strict=True):
                if h and not row[step]:
                    row[step], changed = True, True
            total_hidden[step] = not total_ok
        if not changed:
            break
    views = [
        FunnelView(line.organisation_a, line.organisation_b, dict(zip(FUNNEL, cells, strict=True)))
        for line, cells in zip(lines, shown, strict=True)
    ]
    total_values = [total[s] for s in FUNNEL]
    return views, dict(zip(FUNNEL, _along(total_values, total_hidden, k), strict=True))


def stage_paths(rows: list[tuple[Any, ...]], org: Any) -> tuple[StagePath, ...]:
    """The SQL rows (organisation ids resolved by `org`) as stage paths."""
    return tuple(
        StagePath(org(a), org(b), str(stage), bool(agreed), bool(taken), int(count))
        for a, b, stage, agreed, taken, count in rows
    )
