"""Rendering neutral messages as Adaptive Cards: escaping, links, buttons, images."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft6Validator
from PIL import Image as PILImage

from adapters.teams import render
from bot.events import Button, Card, Fact, Image, Message, Text
from tests.adapters.test_payload_limits import primary_actions, schema


def _card(**changes: object) -> Card:
    base: dict[str, object] = {
        "title": "A Crossties introduction",
        "sections": ("Meet **Ann** and [Bob](https://evil.example)", "line one\nline two"),
        "facts": (Fact("Ann <at>Lee</at>", "Acute_Trust"),),
        "buttons": (Button("We met", "checkin", "7:met", "primary"),),
    }
    base.update(changes)
    return Card(**base)  # type: ignore[arg-type]


def test_user_text_cannot_add_formatting_links_or_mentions() -> None:
    content = render.adaptive_card(_card())
    texts = [b.get("text", "") for b in content["body"] if b["type"] == "TextBlock"]
    assert "Meet \\*\\*Ann\\*\\* and \\[Bob\\](https://evil.example)" in texts
    fact = content["body"][-1]["facts"][0]
    assert fact == {"title": "Ann \\<at\\>Lee\\</at\\>", "value": "Acute\\_Trust"}
    assert render.escape_markdown("- not a list") == "\\- not a list"
    assert render.escape_message("<at>x</at> *y*") == "&lt;at&gt;x&lt;/at&gt; \\*y\\*"


def test_placeholders_in_code_spans_are_not_shown_as_entities() -> None:
    # Teams draws "&lt;" inside a code span as typed, so help would read "join &lt;topic&gt;"
    text = render.escape_message("`circle join <topic>` or <at>x</at>")
    assert text == "`circle join ‹topic›` or &lt;at&gt;x&lt;/at&gt;"


def test_each_line_is_its_own_block_and_fallback_is_plain() -> None:
    content = render.adaptive_card(_card())
    texts = [b["text"] for b in content["body"] if b["type"] == "TextBlock"]
    assert "line one" in texts and "line two" in texts
    assert "We met" in content["fallbackText"] and "**Ann**" in content["fallbackText"]


def test_buttons_are_action_execute_and_links_open_urls() -> None:
    links = (("Open a group chat", render.chat_link(["ann@nhs.net", "bo b@x.org"], "Hi")),)
    content = render.adaptive_card(_card(links=(("Bad", "javascript:alert(1)"),)), links=links)
    kinds = [(a["type"], a["title"]) for a in content["actions"]]
    assert kinds == [("Action.OpenUrl", "Open a group chat"), ("Action.Execute", "We met")]
    execute = content["actions"][1]
    assert execute["verb"] == "checkin" and execute["data"] == {
        "action": "checkin",
        "value": "7:met",
    }
    assert execute["style"] == "positive"
    query = parse_qs(urlsplit(content["actions"][0]["url"]).query)
    assert query["users"] == ["ann@nhs.net,bo b@x.org"] and query["topicName"] == ["Hi"]


def test_answered_card_drops_buttons_and_shows_the_answer() -> None:
    content = render.adaptive_card(_card(), answered="Wonderful, noted.")
    assert "actions" not in content
    assert any(b.get("text") == "Wonderful, noted." for b in content["body"])


def test_meeting_link_names_the_attendees() -> None:
    url = render.meeting_link(["ann@nhs.net"], "Crossties introduction")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://teams.microsoft.com/l/meeting/new?")
    assert query == {"subject": ["Crossties introduction"], "attendees": ["ann@nhs.net"]}


def _noisy_png(size: tuple[int, int]) -> bytes:
    import random

    rng = random.Random(1)
    image = PILImage.new("RGB", size)
    image.putdata(
        [
            (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            for _ in range(size[0] * size[1])
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_large_chart_is_shrunk_to_fit_in_the_card() -> None:
    big = _noisy_png((400, 300))
    assert len(big) > render.MAX_IMAGE_BYTES
    small = render.shrink_png(big)
    assert len(small) <= render.MAX_IMAGE_BYTES
    assert PILImage.open(io.BytesIO(small)).format == "PNG"
    tiny = _noisy_png((20, 20))
    assert render.shrink_png(tiny) == tiny


def test_a_card_and_its_chart_are_one_activity_text_is_another() -> None:
    chart = Image("Ties by round", "A bar chart of ties", _noisy_png((40, 30)))
    message = Message((Text("Here is the report"), _card(buttons=()), chart))
    first, second = render.activities(message)
    assert first.text == "Here is the report" and not first.attachments
    content = second.attachments[0].content
    image = next(b for b in content["body"] if b["type"] == "Image")
    assert image["url"].startswith("data:image/png;base64,")
    assert image["altText"] == "A bar chart of ties"
    assert second.summary == "A Crossties introduction"
    assert len(json.dumps(content)) < 40_000


def test_every_line_break_survives_in_teams() -> None:
    activity = render.text_activity("First line\nSecond line\n\nThird")
    assert activity.text == "First line\n\nSecond line\n\nThird"
    assert activity.text_format == "markdown"


def test_buttons_past_three_go_to_the_overflow_menu() -> None:
    """The `match` card: the three answers drawn as buttons, "Another question" in the menu."""
    answers = (
        Button("We met", "checkin", "7:met"),
        Button("Not yet", "checkin", "7:not_yet"),
        Button("Couldn't meet", "checkin", "7:could_not_meet"),
    )
    another = Button("Another question", "another_question", "7:match")
    content = render.adaptive_card(_card(buttons=(*answers, another)))
    assert primary_actions(content) == ["We met", "Not yet", "Couldn't meet"]
    (menu,) = content["actions"]
    assert menu["mode"] == "secondary" and menu["title"] == "Another question"
    assert menu["data"] == {"action": "another_question", "value": "7:match"}
    assert not list(Draft6Validator(schema()).iter_errors(content))
