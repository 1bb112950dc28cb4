"""The bulk paths (roster import, round run) keep every rule of the row-by-row ones, on every
database backend: all or nothing, accounts of someone else refused, everyone introduced once,
no message lost, one round per trigger, timestamps stored as the ORM stores them."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from bot.core import Crossties
from bot.db.models import (
    CheckIn,
    Introduction,
    IntroductionMember,
    Membership,
    MembershipStatus,
    Outbox,
    Person,
    PlatformAccount,
    Programme,
    Round,
    Tie,
    TieEvent,
)
from bot.events import UserRef
from bot.usecases.common import UseCaseError
from bot.usecases.programmes import (
    ProgrammeSettings,
    RosterError,
    RosterRow,
    create_programme,
    import_roster,
    read_roster,
)
from bot.usecases.rounds import run_round
from tests.fakes import build_world
from tests.snapshot import fingerprint

ORGS = ("Acute Trust", "GP Federation", "Hospice", "Adult Social Care")
HEADER = "id,name,organisation,role,email,slack_user_id,slack_team_id,teams_user_id,teams_tenant_id"


def roster_csv(count: int, *, start: int = 0, name: str = "Person", bad_line: int = 0) -> bytes:
    """A roster: most people on Slack, every fifth on Teams, every tenth on both."""
    lines = [HEADER]
    for i in range(start, start + count):
        organisation = "Ministry" if len(lines) + 1 == bad_line else ORGS[i % len(ORGS)]
        slack = (f"U{i:06d}", "T1") if i % 5 or i % 10 == 0 else ("", "")
        teams = (f"29:{i}", "tenant") if i % 5 == 0 else ("", "")
        lines.append(
            f"p{i},{name} {i},{organisation},Nurse,p{i}@nhs.example,{slack[0]},{slack[1]},"
            f"{teams[0]},{teams[1]}"
        )
    return ("\n".join(lines) + "\n").encode()


def programme(core: Crossties, name: str = "Bulk") -> Programme:
    with core.db.session() as session:
        return create_programme(session, core.clock.now(), ProgrammeSettings(name, ORGS))


def load(core: Crossties, data: bytes, found: Programme) -> tuple[int, int, int]:
    with core.db.session() as session:
        result = import_roster(
            session, core.clock.now(), found, read_roster(data, "r.csv", list(ORGS))
        )
    return result.created, result.updated, result.joined


def count(core: Crossties, model: type, *where: object) -> int:
    with core.db.session() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int(session.exec(query).one())


def test_a_large_import_stores_everyone_once_and_a_second_one_updates(core: Crossties) -> None:
    found = programme(core)
    assert load(core, roster_csv(1500), found) == (1500, 0, 1500)
    assert count(core, Person) == 1500
    assert count(core, Membership, col(Membership.status) == MembershipStatus.ACTIVE) == 1500
    # 1,200 on Slack, 300 on Teams (150 of them on both)
    assert count(core, PlatformAccount, col(PlatformAccount.platform) == "slack") == 1350
    assert count(core, PlatformAccount, col(PlatformAccount.platform) == "teams") == 300
    again = roster_csv(1600, name="Renamed").replace(b",Nurse,", b",,")  # no role given
    assert load(core, again, found) == (100, 1500, 100)
    with core.db.session() as session:
        people = {p.external_id: p for p in session.exec(select(Person)).all()}
    assert len(people) == 1600
    assert people["p7"].name == "Renamed 7" and people["p7"].role == "Nurse"  # role kept
    assert people["p1550"].role is None and people["p1550"].timezone == "Europe/London"
    assert count(core, PlatformAccount) == 1650 + 110  # the hundred new people's accounts


def test_timestamps_written_in_bulk_compare_like_the_orms(core: Crossties) -> None:
    """Rows due now must be found by a query for rows due now, whichever way they were written."""
    found = programme(core)
    load(core, roster_csv(300), found)
    now = core.clock.now()
    with core.db.session() as session:
        summary = run_round(session, now, found, core.prompts)
        same_moment = session.execute(
            text("SELECT count(*) FROM person p JOIN programme g ON p.created_at = g.created_at")
        ).scalar_one()
        due = session.exec(
            select(func.count()).select_from(Outbox).where(col(Outbox.next_try_at) <= now)
        ).one()
        stored = session.exec(select(Person).where(Person.external_id == "p1")).one()
    assert same_moment == 300
    assert due == summary.messages_queued > 0
    assert stored.created_at == now


def test_a_bad_row_late_in_a_large_roster_stores_nothing(core: Crossties) -> None:
    found = programme(core)
    load(core, roster_csv(10, start=5000), found)  # p5001 owns Slack user U005001
    before = fingerprint(core.db)
    with pytest.raises(RosterError) as error:
        read_roster(roster_csv(2000, bad_line=1900), "r.csv", list(ORGS))
    assert str(error.value).startswith("r.csv, line 1900: organisation 'Ministry'")
    rows = read_roster(roster_csv(2000), "r.csv", list(ORGS))
    rows[1799].accounts.append(UserRef("slack", "T1", "U005001"))
    with pytest.raises(UseCaseError) as taken, core.db.session() as session:
        import_roster(session, core.clock.now(), found, rows)
    assert taken.value.prompt == "error_account_taken"
    assert taken.value.context["account"] == "slack:T1:U005001"
    assert fingerprint(core.db) == before


def test_two_rows_naming_one_account_are_refused(core: Crossties) -> None:
    found = programme(core)
    before = fingerprint(core.db)
    rows = [
        RosterRow(2, "a", "Ann", "Hospice", accounts=[UserRef("slack", "T1", "U1")]),
        RosterRow(3, "b", "Bo", "Hospice", accounts=[UserRef("slack", "T1", "U1")]),
    ]
    with pytest.raises(UseCaseError) as error, core.db.session() as session:
        import_roster(session, core.clock.now(), found, rows)
    assert error.value.prompt == "error_account_taken"
    assert fingerprint(core.db) == before


def test_people_who_left_come_back_when_imported_again(core: Crossties) -> None:
    found = programme(core)
    load(core, roster_csv(20), found)
    with core.db.session() as session:
        session.execute(text("UPDATE membership SET status = 'left' WHERE person_id <= 3"))
    assert load(core, roster_csv(20), found) == (0, 20, 3)
    assert count(core, Membership, col(Membership.status) == MembershipStatus.ACTIVE) == 20


def test_a_large_round_introduces_everyone_once_and_queues_every_message(core: Crossties) -> None:
    found = programme(core)
    load(core, roster_csv(1001), found)  # odd: one trio
    events: list[tuple[str, int, int | None]] = []
    with core.db.session() as session:
        summary = run_round(
            session,
            core.clock.now(),
            found,
            core.prompts,
            progress=lambda step, done, total: events.append((step, done, total)),
        )
    with core.db.session() as session:
        members = session.exec(select(IntroductionMember)).all()
        introductions = {i.id for i in session.exec(select(Introduction)).all()}
        accounts: dict[int, dict[str, PlatformAccount]] = {}
        for account in session.exec(select(PlatformAccount).order_by(col(PlatformAccount.id))):
            accounts.setdefault(account.person_id, {}).setdefault(account.platform, account)
        outbox = session.exec(select(Outbox)).all()
        ties = session.exec(select(Tie)).all()
        events_stored = session.exec(select(TieEvent)).all()
    placed = Counter(m.person_id for m in members)
    assert len(placed) == 1001 and set(placed.values()) == {1}
    assert count(core, CheckIn) == 1001
    sizes = Counter(Counter(m.introduction_id for m in members).values())
    assert sizes == {2: 499, 3: 1}
    assert len(ties) == len(events_stored) == 499 + 3
    assert {e.introduction_id for e in events_stored} == introductions
    # every member's message is queued once, on the account the round reaches them on
    assert summary.messages_queued == len(outbox)
    reached: Counter[str] = Counter()
    for row in outbox:
        assert row.introduction_id in introductions
        assert row.idempotency_key == f"intro:{row.introduction_id}:{row.platform}:{row.workspace}"
        reached.update(f"{row.platform}:{r}" for r in json.loads(row.recipients))
    expected = Counter(
        f"{a.platform}:{a.user_id}"
        for person in placed
        for a in [accounts[person].get("slack") or accounts[person]["teams"]]
    )
    assert reached == expected
    assert events[-1][1] == events[-1][2]  # the last step reported as finished
    assert {step for step, _, _ in events} >= {"Matching", "Writing introductions"}


def test_a_pair_met_again_keeps_its_one_tie(core: Crossties) -> None:
    build_world(core, sizes=(1, 1))
    for _ in range(3):
        with core.db.session() as session:
            found = session.exec(select(Programme)).one()
            run_round(session, core.clock.now(), found, core.prompts)
        core.clock.advance(timedelta(days=14))
    assert count(core, Tie) == 1
    assert count(core, TieEvent) == 3


def test_a_large_round_triggered_twice_at_once_runs_once(core: Crossties) -> None:
    found = programme(core)
    load(core, roster_csv(400), found)
    start = threading.Barrier(2)
    results: list[bool] = []
    queued: list[int] = []

    def trigger() -> None:
        start.wait()
        with core.db.session() as session:
            mine = session.get(Programme, found.id)
            assert mine is not None
            summary = run_round(session, core.clock.now(), mine, core.prompts, slot="2026-03-02")
            results.append(summary.already_ran)
            queued.append(summary.messages_queued)

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert count(core, Round) == 1
    assert count(core, IntroductionMember) == 400
    assert count(core, Outbox) == max(queued) > 0
