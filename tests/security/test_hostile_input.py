"""Hostile text on every surface: markup in names, notes, organisations and tags is inert in
Slack mrkdwn and Block Kit, Adaptive Cards, the HTML report, CSV (no formulas), GraphML and
logs; the parsers and translators never crash on anything. (tests/e2e/test_report_html.py
renders a hostile report in headless Chromium.)"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.slack import render as slack_render
from adapters.slack import translate as slack_translate
from adapters.teams import render as teams_render
from adapters.teams import translate as teams_translate
from bot import commands
from bot.events import Button, Card, Fact, Message, Text
from bot.export import graphml, organisation_network
from bot.matching.csvio import CsvInputError, read_history, read_people
from bot.reports import ReportInput, TieGroup, build_report, lead_view
from bot.reports.csvout import report_csv
from bot.reports.html import render_html
from bot.templates import Prompts
from bot.usecases.programmes import RosterError, read_roster

NASTY = [
    "<!channel>",
    "<!here|here>",
    "<@U0001>",
    "<#C0001|general>",
    "<https://evil.example|click me>",
    "[click](https://evil.example)",
    "![x](https://evil.example/x.png)",
    "*bold* _it_ ~s~ `code` ```block```",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<at>Megan</at>",
    "&amp;&lt;&gt;&",
    '=HYPERLINK("https://evil")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1",
    "\r=1",
    "]]><!--",
    "\n2026-01-01 ERROR forged log line\r\n",
    "\u202eevil\u202c",
    "\x00\x1b[31m",
    "# heading\n- list\n1. item",
    "{{ 7*7 }}{% raw %}",
    "'; DROP TABLE person; --",
]
HOSTILE = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=12)), min_size=1, max_size=4
).map("".join)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hostile_message(texts: list[str]) -> Message:
    a, b, c, d = (texts * 4)[:4]
    card = Card(
        title=a,
        sections=(b, c),
        facts=(Fact(a, b), Fact(c, d)),
        buttons=(Button(d, "checkin", "1:met"),),
        footer=c,
    )
    return Message((Text(a), card))


def _walk(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found += _walk(item)
    elif isinstance(value, list):
        for item in value:
            found += _walk(item)
    return found


ENTITY = re.compile(r"&(amp|lt|gt);")


@FAST
@given(texts=st.lists(HOSTILE, min_size=1, max_size=4))
def test_slack_mrkdwn_is_inert(texts: list[str]) -> None:
    message = hostile_message(texts)
    blocks = slack_render.to_dicts(slack_render.blocks_of(message))
    for node in _walk(blocks):
        if node.get("type") == "mrkdwn":
            text = str(node["text"])
            assert "<" not in text and ">" not in text, text
            assert "&" not in ENTITY.sub("", text), text
    fallback = slack_render.fallback(message)  # the notification text is mrkdwn too
    assert "<" not in fallback and ">" not in fallback
    json.dumps(blocks)  # always serialisable


_TEAMS_SPECIAL = re.compile(r"(?<!\\)[\[\]*_`<>~#|]")


def _unescaped(text: str) -> list[str]:
    stripped = re.sub(r"\\.", "", text, flags=re.DOTALL)
    return _TEAMS_SPECIAL.findall(stripped)


@FAST
@given(texts=st.lists(HOSTILE, min_size=1, max_size=4))
def test_adaptive_cards_are_inert(texts: list[str]) -> None:
    message = hostile_message(texts)
    for activity in teams_render.activities(message):
        for attachment in activity.attachments or []:
            for node in _walk(attachment.content):
                if node.get("type") == "TextBlock":
                    assert _unescaped(str(node["text"])) == [], node["text"]
                if "facts" in node:
                    for fact in node["facts"]:
                        assert _unescaped(fact["title"] + fact["value"]) == []
                for key in ("url", "iconUrl"):
                    assert not str(node.get(key, "")).startswith("javascript:")
        if activity.text:
            assert "<" not in activity.text.replace("&lt;", "").replace("&gt;", "")


def hostile_report(names: list[str]) -> ReportInput:
    a, b, c = [*names, "Acute Trust", "GP Federation", "Hospice"][:3]
    if len({a, b, c}) < 3:
        a, b, c = a + " 1", b + " 2", c + " 3"
    return ReportInput(
        programme=a + " programme",
        organisations=(a, b, c),
        rounds=(1, 2),
        introductions=((1, "met", 10), (1, None, 6), (2, "met", 7)),
        organisation_introductions=((a, "met", 8),),
        ties=(
            TieGroup(a, b, "met", 1, 9),
            TieGroup(b, c, "collaborating", 2, 6),
            TieGroup(a, c, "introduced", 2, 7),
        ),
        memberships=((a, "active", 7), (b, "active", 6), (c, "active", 9)),
        role_pairs=((a, c, 6),),
        role_people=((a, 6), (c, 8)),
        tags=((b, 6, 6),),
        connectors=((c, 6),),
    )


FORMULA = ("=", "+", "-", "@", "\t", "\r")


class PageParts(HTMLParser):
    """A page split into its markup (elements with their attribute names, declarations,
    comments) and its text, as a browser would read it."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.markup: Counter[tuple[str, ...]] = Counter()
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.markup[(tag, *sorted(name for name, _ in attrs))] += 1

    def handle_endtag(self, tag: str) -> None:
        self.markup[("/" + tag,)] += 1

    def handle_decl(self, decl: str) -> None:
        self.markup[("!", decl)] += 1

    def unknown_decl(self, data: str) -> None:
        self.markup[("![", data)] += 1

    def handle_comment(self, data: str) -> None:
        self.markup[("!--", data)] += 1

    def handle_pi(self, data: str) -> None:
        self.markup[("?", data)] += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


PLAIN_NAMES = ["Acute Trust", "GP Federation", "Hospice"]
GENERATED = datetime(2026, 3, 2, tzinfo=UTC)


def assert_report_html_is_inert(names: list[str]) -> None:
    """Markup in names stays text: the page has exactly the elements it has with plain names,
    and every organisation name reads back whole as text."""
    view = lead_view(build_report(hostile_report(names), min_count=5))
    page = PageParts(render_html(view, Prompts(), generated=GENERATED))
    plain = lead_view(build_report(hostile_report(PLAIN_NAMES), min_count=5))
    expected = PageParts(render_html(plain, Prompts(), generated=GENERATED))
    assert page.markup == expected.markup
    text = "".join(page.text)
    for organisation in view.organisations:
        assert organisation in text


def test_markup_in_names_stays_text_in_the_html_report() -> None:
    assert_report_html_is_inert(["<!channel>", "<!channel>", "<"])
    assert_report_html_is_inert(["<", "<a", "</td>"])
    assert_report_html_is_inert(
        ["<script>alert(1)</script>", '<img src=x onerror="a()">', "]]><!--"]
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(HOSTILE.filter(lambda s: s.strip()), min_size=3, max_size=3))
@example(names=["<!channel>", "<!channel>", "<"])
@example(names=["$$", "a $x$ b", "cost $5 $$ 6"])  # dollar signs are text, never chart math
def test_report_exports_are_inert(names: list[str]) -> None:
    view = lead_view(build_report(hostile_report(names), min_count=5))
    rows = list(csv.reader(io.StringIO(report_csv(view))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA) or re.fullmatch(r"-?\d+(\.\d+)?", cell), cell
    page = render_html(view, Prompts(), generated=GENERATED)
    assert "<script>alert" not in page and "onerror=" not in page.replace("onerror=&#34;", "")
    assert_report_html_is_inert(names)
    ET.fromstring(graphml(organisation_network(view)))  # GraphML always parses


def test_graphml_round_trips_markup() -> None:
    names = ["<script>x</script>", "]]><!-- & \"'", "=HYPERLINK(1)"]
    view = lead_view(build_report(hostile_report(names), min_count=5))
    tree = ET.fromstring(graphml(organisation_network(view)))
    texts = {d.text for d in tree.iter() if d.text}
    assert set(names) <= texts


# ---------------------------------------------------------------- parsers never crash


@FAST
@given(text=st.one_of(HOSTILE, st.text(max_size=300)))
def test_the_command_parser_never_crashes(text: str) -> None:
    parsed = commands.parse(text)
    assert isinstance(parsed, commands.ParseError | commands.Command)


CSV_CELL = st.one_of(st.sampled_from([*NASTY, "", "Acute Trust", "Hospice", "x@y.org"]), HOSTILE)
CSV_TEXT = st.lists(st.lists(CSV_CELL, max_size=8), max_size=6).map(
    lambda rows: "\r\n".join(",".join(row) for row in rows)
)
ROSTER_HEADER = "id,name,organisation,role,email,timezone,slack_user_id,slack_team_id,access"


@FAST
@given(
    body=st.one_of(
        CSV_TEXT.map(lambda t: (ROSTER_HEADER + "\n" + t).encode()),
        CSV_TEXT.map(str.encode),
        st.binary(max_size=300),
    )
)
def test_the_roster_reader_refuses_or_reads(body: bytes) -> None:
    try:
        rows = read_roster(body, "roster.csv", ["Acute Trust", "Hospice"])
    except RosterError as error:
        assert "roster.csv" in str(error) and "\n" not in str(error).strip()
        return
    for row in rows:
        assert row.organisation in {"Acute Trust", "Hospice"}


@FAST
@given(
    people=st.one_of(CSV_TEXT.map(lambda t: "id,organisation,name\n" + t), st.text(max_size=200)),
    history=st.one_of(CSV_TEXT.map(lambda t: "round,person_a,person_b\n" + t), st.text()),
)
def test_the_matching_csv_reader_refuses_or_reads(people: str, history: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        people_file = Path(folder, "people.csv")
        people_file.write_text(people, encoding="utf-8", errors="surrogatepass")
        history_file = Path(folder, "history.csv")
        history_file.write_text(history, encoding="utf-8", errors="surrogatepass")
        try:
            found = read_people(people_file)
            read_history(history_file, {p.id for p in found})
        except CsvInputError as error:
            assert str(error).startswith(("people.csv", "history.csv")), str(error)


JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.sampled_from(NASTY)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
SLACK_KEYS = st.sampled_from(
    [
        "type",
        "command",
        "text",
        "user_id",
        "team_id",
        "user",
        "team",
        "event",
        "actions",
        "channel",
        "container",
        "view",
        "event_id",
        "channel_id",
        "message",
        "trigger_id",
    ]
)
SLACK_BODY = st.dictionaries(SLACK_KEYS, JSON, max_size=8) | st.builds(
    lambda body, kind: {**body, "type": kind},
    st.dictionaries(SLACK_KEYS, JSON, max_size=8),
    st.sampled_from(["block_actions", "view_submission", "event_callback", "shortcut"]),
)


@FAST
@given(body=SLACK_BODY)
def test_the_slack_translator_never_crashes(body: dict[str, Any]) -> None:
    slack_translate.translate(body)
    slack_translate.team_of(body)
    slack_translate.user_id_of(body)
    try:
        slack_translate.programme_form(body)
        slack_translate.sync_channel(body)
    except (AttributeError, TypeError):
        pass  # only ever called on view submissions Slack built (Bolt routes by callback id)


TEAMS_KEYS = st.sampled_from(
    [
        "type",
        "text",
        "value",
        "from",
        "conversation",
        "recipient",
        "entities",
        "channelData",
        "serviceUrl",
        "name",
        "replyToId",
        "channelId",
        "membersAdded",
    ]
)


@FAST
@given(body=st.dictionaries(TEAMS_KEYS, JSON, max_size=8), text=HOSTILE)
def test_the_teams_translator_never_crashes(body: dict[str, Any], text: str) -> None:
    from botbuilder.schema import Activity

    base: dict[str, Any] = {
        "type": "message",
        "text": text,
        "from": {"id": "29:a", "aadObjectId": "aad-a", "name": text},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
        "recipient": {"id": "28:bot"},
        "channelData": {"tenant": {"id": "t"}},
    }
    for key, value in body.items():
        if key not in {"from", "conversation", "recipient"}:  # botbuilder validates those
            base[key] = value
    try:
        activity = Activity().deserialize(base)
    except Exception:
        return  # the adapter answers 400 before translating (tests/adapters/teams/test_auth.py)
    if not isinstance(activity.type, str):
        return
    teams_translate.command(activity, {})
    teams_translate.card_action(activity)
    teams_translate.conversation_kind(activity)
    teams_translate.is_addressed_to_bot(activity)
