"""The lead view: small numbers suppressed, lone hidden parts protected, rates withheld."""

from __future__ import annotations

import csv
import io

from bot.reports import ReportInput, TieGroup, build_report, lead_view, report_json
from bot.reports.csvout import neutralise, report_csv
from bot.reports.privacy import WITHHELD, complement, rate, suppress

ORGS = ("Acute", "GP", "Hospice", "Council")


def sample(**overrides: object) -> ReportInput:
    data: dict[str, object] = {
        "programme": "P",
        "organisations": ORGS,
        "rounds": (1, 2),
        "introductions": ((1, "met", 12), (1, None, 8), (2, "met", 3), (2, "not_yet", 7)),
        "organisation_introductions": (("Acute", "met", 10), ("Acute", None, 10)),
        "ties": (
            TieGroup("Acute", "GP", "met", 1, 12),
            TieGroup("Acute", "GP", "introduced", 2, 6),
            TieGroup("Acute", "Hospice", "met", 1, 2),
            TieGroup("GP", "Hospice", "collaborating", 2, 7),
            TieGroup("Acute", "Acute", "met", 1, 5),
        ),
        "memberships": (
            ("Acute", "active", 20),
            ("Acute", "left", 1),
            ("GP", "active", 9),
            ("Hospice", "active", 3),
            ("Council", "active", 6),
        ),
        "role_pairs": (("Nurse", "GP", 9), ("Nurse", "Pharmacist", 6), ("GP", "Social worker", 2)),
        "role_people": (("Nurse", 12), ("GP", 8), ("Pharmacist", 1), ("Social worker", 6)),
        "tags": (("#falls", 6, 8), ("#housing", 2, 2)),
    }
    data.update(overrides)
    return ReportInput(**data)  # type: ignore[arg-type]


def test_exact_report_adds_up() -> None:
    report = build_report(sample())
    assert report.introductions == 30 and report.met == 15 and report.met_rate == 0.5
    assert report.cross_org_ties == 27 and report.same_org_ties == 5
    acute, gp, hospice, council = range(4)
    assert report.matrix[acute][gp] == report.matrix[gp][acute] == 18
    assert report.matrix[acute][acute] == 5
    assert report.strength[gp][hospice] == 21  # 7 collaborating ties × 3
    assert report.isolated_organisations == ["Council"]
    assert report.organisation_pairs_linked == 3 and report.organisation_pairs_total == 6
    assert report.density == 0.5
    assert report.ei_index == round((27 - 5) / 32, 4)
    assert [r.cross_org_ties_total for r in report.per_round] == [14, 27]
    assert report.matrix[council] == [0, 0, 0, 0]


def test_small_numbers_read_fewer_than_k() -> None:
    view = lead_view(build_report(sample()))
    acute, _gp, hospice, _ = range(4)
    assert view.matrix[acute][hospice] is None  # 2 ties
    assert view.text(view.matrix[acute][hospice]) == "fewer than 5"
    assert view.thin_pairs == [("Acute", "Hospice")]
    assert ("Acute", "Council") in view.unlinked_pairs
    orgs = {o.name: o for o in view.per_organisation}
    assert orgs["Hospice"].active is None and orgs["Hospice"].joined is None
    assert orgs["Council"].active == 6
    assert suppress(3, 5) == "fewer than 5" and suppress(0, 5) == "0" and suppress(5, 5) == "5"
    assert "Pharmacist" not in {p for a, b, _ in view.role_pairs for p in (a, b)}
    assert view.role_pairs == [("Nurse", "GP", 9), ("Other professions", "", 8)]
    # "#housing" alone (2) would be small, so the smallest shown tag joins "other tags".
    assert dict(view.tags) == {"other tags": 8}
    many = lead_view(build_report(sample(tags=(("#falls", 9, 9), ("#a", 6, 6), ("#b", 1, 1)))))
    assert dict(many.tags) == {"#falls": 9, "other tags": 7}


def test_a_lone_hidden_part_takes_a_second_with_it() -> None:
    view = lead_view(build_report(sample()))
    acute = next(o for o in view.per_organisation if o.name == "Acute")
    # 20 active + 1 left = 21 joined: showing 20 and 21 would give the 1 away.
    assert acute.left is None
    assert acute.active is WITHHELD and view.text(acute.active) == "not shown"
    assert acute.joined == 21
    hidden, total = complement([20, 0, 1], 5)
    assert hidden == [True, False, True] and total
    hidden, total = complement([0, 0, 3], 5)
    assert hidden == [False, False, True] and not total
    # Two hidden 1s would add up to 2, which only 1 + 1 can make: a third part goes too.
    hidden, total = complement([1, 1, 9, 30], 5)
    assert hidden == [True, True, True, False] and total
    # 1 + 5 = 6 is the least a small part and a large one can make: pinned, so hide more.
    hidden, total = complement([1, 5, 8], 5)
    assert hidden == [True, True, True] and total
    hidden, total = complement([2, 3, 8], 5)
    assert hidden == [True, True, False] and total  # 5 = 1+4, 2+3, 3+2 or 4+1


def test_rates_are_withheld_when_they_would_reveal_a_small_count() -> None:
    assert rate(9, 10, 5) is None  # one introduction did not meet
    assert rate(5, 10, 5) == 0.5
    assert rate(4, 4, 5) is None  # base under k
    report = build_report(sample(introductions=((1, "met", 9), (1, None, 1))))
    view = lead_view(report)
    assert view.met_rate is None and view.met is not None


def test_threshold_is_configurable() -> None:
    view = lead_view(build_report(sample(), min_count=10))
    acute, gp, _, _ = range(4)
    assert view.matrix[acute][gp] == 18
    assert view.text(view.per_round[1].introductions) == "10"
    assert view.text(None) == "fewer than 10"
    assert view.matrix[0][0] is None  # 5 same-organisation ties < 10


def test_json_is_exact_with_the_lead_view_beside_it() -> None:
    data = report_json(build_report(sample()))
    assert data["tie_matrix"]["counts"][0][2] == 2
    assert data["exact"] is True
    assert data["participation"]["Acute"] == {"joined": 21, "active": 20, "paused": 0, "left": 1}
    assert data["lead_view"]["matrix"][0][2] == "fewer than 5"
    for key in ("introductions", "met", "met_rate", "cross_org_ties", "tie_matrix"):
        assert key in data


def test_csv_neutralises_formulae_and_keeps_numbers() -> None:
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("+1") == "'+1" and neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-2+3") == "'-2+3" and neutralise("-0.5000") == "-0.5000"
    assert neutralise("\tx") == "'\tx" and neutralise("Acute") == "Acute"
    hostile = "=cmd|' /C calc'!A0"
    view = lead_view(build_report(sample(organisations=(hostile, "GP"))))
    rows = list(csv.reader(io.StringIO(report_csv(view))))
    assert rows[0] == ["table", "row", "column", "value"]
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert "'" + hostile in cells
