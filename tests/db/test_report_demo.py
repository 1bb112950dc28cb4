"""The demo's report against figures recomputed independently with plain SQL, on each backend."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from rich.console import Console
from sqlalchemy import text
from sqlmodel import select

from bot.app import Services
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Crossties
from bot.db.models import AuditLog, Programme
from bot.db.session import Database
from bot.export import export_graphml
from bot.reports import build_report, lead_view, load_report_input, report_json
from bot.templates import Prompts
from bot.usecases.programmes import delete_programme
from crossties.cli.render import print_report
from crossties.demo import simulate


@pytest.fixture
def demo_db(db: Database, clock: ManualClock, prompts: Prompts) -> Database:
    settings = Settings(CROSSTIES_DATABASE_URL=db.url)
    services = Services(settings, db, prompts, clock, Crossties(db, clock, prompts))
    asyncio.run(simulate(services, seed=7, console=Console(quiet=True)))
    return db


def sql(db: Database, query: str) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query)).all()]


def test_demo_report_matches_plain_sql(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.session() as session:
        programme = session.exec(select(Programme)).one()
        data = report_json(build_report(load_report_input(session, programme)))
    [(introductions,)] = sql(demo_db, "SELECT count(*) FROM introduction")
    [(met,)] = sql(demo_db, "SELECT count(*) FROM introduction WHERE outcome = 'met'")
    assert data["introductions"] == introductions > 0
    assert data["met"] == met > 0
    assert data["met_rate"] == pytest.approx(met / introductions, abs=1e-4)
    pairs = sql(
        demo_db,
        "SELECT oa.name, ob.name FROM tie t "
        "JOIN organisation oa ON oa.id = t.organisation_a_id "
        "JOIN organisation ob ON ob.id = t.organisation_b_id",
    )
    cross = [(a, b) for a, b in pairs if a != b]
    assert data["cross_org_ties"] == len(cross) > 0
    names = data["tie_matrix"]["organisations"]
    assert sorted(names) == sorted(n for (n,) in sql(demo_db, "SELECT name FROM organisation"))
    expected = Counter(frozenset(pair) for pair in pairs)
    matrix = data["tie_matrix"]["counts"]
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            assert matrix[i][j] == expected[frozenset((a, b))], (a, b)
    per_round = sql(
        demo_db,
        'SELECT r.number, count(*) FROM introduction i JOIN "round" r ON r.id = i.round_id '
        "GROUP BY r.number ORDER BY r.number",
    )
    assert [(r["round"], r["introductions"]) for r in data["cross_org_ties_per_round"]] == [
        (int(n), int(c)) for n, c in per_round
    ]
    assert data["cross_org_ties_per_round"][-1]["cross_org_ties_total"] == len(cross)
    json.dumps(data)  # the operator's JSON is plain JSON
    check_lead_view_and_graphml(demo_db, tmp_path)


def check_lead_view_and_graphml(demo_db: Database, tmp_path: Path) -> None:
    """On the same simulated programme (a simulation costs seconds): lead view and GraphML."""
    with demo_db.session() as session:
        programme = session.exec(select(Programme)).one()
        report = build_report(load_report_input(session, programme))
        data, _ = export_graphml(session, programme, min_count=5)
        people_data, _ = export_graphml(session, programme, min_count=5, people=True)
    view = lead_view(report)
    for i, row in enumerate(report.matrix):
        for j, value in enumerate(row):
            if 0 < value < 5:
                assert view.matrix[i][j] is None
    path = tmp_path / "network.graphml"
    path.write_bytes(data)
    graph = nx.read_graphml(path)
    assert set(graph.nodes) == set(report.organisations)
    linked = {
        frozenset((a, report.organisations[j]))
        for i, a in enumerate(report.organisations)
        for j, value in enumerate(report.matrix[i])
        if value and i != j
    }
    assert {frozenset(edge) for edge in graph.edges} == linked
    for a, b, attributes in graph.edges(data=True):
        i, j = report.organisations.index(a), report.organisations.index(b)
        if report.matrix[i][j] >= 5:
            assert attributes["ties"] == report.matrix[i][j]
        else:
            assert attributes["suppressed"] is True and "ties" not in attributes
    path.write_bytes(people_data)
    people = nx.read_graphml(path)
    [(ties,)] = sql(demo_db, "SELECT count(*) FROM tie")
    assert people.number_of_edges() == ties
    # Nobody in the demo agreed to be named, so no label carries a name.
    assert {d["label"] for _, d in people.nodes(data=True)} == {""}


def test_cli_writes_files_and_audits(demo_db: Database, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crossties.cli.main import app

    env = {"CROSSTIES_DATABASE_URL": demo_db.url, "COLUMNS": "200"}
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "report",
            "--png",
            str(tmp_path / "r.png"),
            "--csv",
            str(tmp_path / "r.csv"),
            "--html",
            str(tmp_path / "r.html"),
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.png").read_bytes().startswith(b"\x89PNG")
    assert "fewer than 5" in (tmp_path / "r.csv").read_text()
    page = (tmp_path / "r.html").read_text()
    assert "Northfield Partnership (demo)" in page and page.count("data:image/png;base64,") == 3
    assert "fewer than 5" in result.output  # the terminal table is the lead view too
    assert "Ties across organisations, from introduction to working together" in result.output
    result = runner.invoke(app, ["report", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["exact"] is True
    result = runner.invoke(app, ["export", "--graphml", str(tmp_path / "g.graphml")], env=env)
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == 6
    with demo_db.session() as session:
        actions = [a.action for a in session.exec(select(AuditLog)).all() if a.actor == "cli"]
    assert actions.count("report") == 2 and actions.count("export") == 1


def test_demo_groups_take_next_steps_through_the_use_cases(demo_db: Database) -> None:
    """Steps agreed in chat, asked about by the due-work step, answered with the buttons:
    every stage of the funnel is reached, and the report counts what the tables hold."""
    from crossties.demo_steps import STEPS

    steps = sql(demo_db, "SELECT note, happened, asked_at IS NOT NULL FROM nextstep")
    assert len(steps) >= 10 and {note for note, _, _ in steps} <= set(STEPS)
    assert all(asked for _, _, asked in steps)
    answers = Counter(bool(happened) for _, happened, _ in steps if happened is not None)
    assert answers[True] >= 5 and answers[False] >= 1  # some happened, some not yet
    [(checks,)] = sql(demo_db, "SELECT count(*) FROM outbox WHERE kind = 'step_check'")
    assert checks >= 2 * len(steps)  # asked of every member, through the outbox
    stages = dict(sql(demo_db, "SELECT stage, count(*) FROM tie GROUP BY stage"))
    assert {"met", "step_agreed", "step_taken", "collaborating"} <= set(stages)
    events = dict(sql(demo_db, "SELECT kind, count(*) FROM tieevent GROUP BY kind"))
    assert events["step_agreed"] >= len(steps) and events["step_taken"] >= answers[True]
    with demo_db.session() as session:
        programme = session.exec(select(Programme)).one()
        report = build_report(load_report_input(session, programme))
    cross = "t.organisation_a_id <> t.organisation_b_id"
    [(taken,)] = sql(
        demo_db,
        f"SELECT count(*) FROM tie t WHERE {cross} AND (t.stage = 'step_taken' OR EXISTS "
        "(SELECT 1 FROM tieevent e WHERE e.tie_id = t.id AND e.kind = 'step_taken'))",
    )
    [(working,)] = sql(
        demo_db, f"SELECT count(*) FROM tie t WHERE {cross} AND t.stage = 'collaborating'"
    )
    total = report.funnel_total
    assert total["step_taken"] == taken > 0 and total["collaborating"] == working > 0
    assert total["introduced"] > total["met"] > total["step_agreed"] >= total["step_taken"]
    console = Console(record=True, width=160)
    print_report(console, report)
    funnel = console.export_text().split("from introduction to working together")[1]
    all_pairs = next(line for line in funnel.splitlines() if "All pairs" in line)
    shown = lead_view(report).funnel_total
    assert [c.strip() for c in all_pairs.split("│")[2:7]] == [
        lead_view(report).text(shown[step]) for step in shown
    ]
    with demo_db.session() as session:  # the demo is replaced on its next run: steps go too
        delete_programme(session, session.exec(select(Programme)).one())
    assert sql(demo_db, "SELECT count(*) FROM nextstep") == [(0,)]
    assert sql(demo_db, "SELECT count(*) FROM introduction") == [(0,)]
