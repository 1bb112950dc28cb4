"""Neutral messages → Teams activities: Adaptive Cards with a plain-text fallback.

Everything the core sends is plain text; here it is escaped so that markdown or markup in a
person's name or organisation shows as typed and cannot add links, mentions or formatting.
Buttons are `Action.Execute` (answered by the bot through an invoke, which lets it refresh
the card in place); links are `Action.OpenUrl`.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot import actions as codec
from bot.events import Button, Card, Image, Message, Text
from bot.views import AnsweredCheckIn

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
MAX_IMAGE_BYTES = 28 * 1024  # an inline image beyond this makes Teams reject the card
_MARKDOWN = re.compile(r"([\\`*_\[\]~#<>|])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+\.)(\s)", re.MULTILINE)
_STYLES = {"primary": "positive", "danger": "destructive"}
# Labels of this many characters in all still fit side by side on a phone (a 320 px card:
# "✓ We met", "Not yet", "Couldn't meet"); the gallery's drawing test holds it to that.
PHONE_ROW_CHARACTERS = 28
ROW_IN_BODY = 3  # buttons in a row from which the row is drawn by `action_row`


_CODE_SPAN = re.compile(r"`[^`\n]*`")


def escape_markdown(text: str) -> str:
    """Plain text for a card TextBlock (Teams renders markdown there)."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return _LIST_START.sub(r"\1\\\2\3", text)


def escape_message(text: str) -> str:
    """Plain text for a message body (markdown with HTML entities and `<at>` tags).

    Teams shows an entity inside a code span as typed ("&lt;topic&gt;"), so angle brackets
    there become the look-alike single guillemets ("‹topic›") instead."""
    text = _CODE_SPAN.sub(lambda m: m[0].replace("<", "‹").replace(">", "›"), text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\*_\[\]~])", r"\\\1", text)


def _text_blocks(text: str, **extra: Any) -> list[dict[str, Any]]:
    return [
        {"type": "TextBlock", "text": escape_markdown(line), "wrap": True, **extra}
        for line in text.split("\n")
        if line.strip()
    ]


def chat_link(handles: Sequence[str], topic: str | None = None) -> str:
    """Opens (or creates) a group chat with these people (UPNs or email addresses)."""
    url = "https://teams.microsoft.com/l/chat/0/0?users=" + ",".join(
        quote(h, safe="@.") for h in handles
    )
    if topic and len(handles) > 1:
        url += "&topicName=" + quote(topic)
    return url


def meeting_link(handles: Sequence[str], subject: str) -> str:
    return (
        "https://teams.microsoft.com/l/meeting/new?subject="
        + quote(subject)
        + "&attendees="
        + ",".join(quote(h, safe="@.") for h in handles)
    )


def card_body(card: Card, *, answered: str | None = None) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": escape_markdown(card.title),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    for section in card.sections:
        body += _text_blocks(section)
    if card.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": escape_markdown(f.label), "value": escape_markdown(f.value)}
                    for f in card.facts
                ],
            }
        )
    if answered:
        body += _text_blocks(answered, weight="Bolder", color="Good", spacing="Medium")
    if card.footer:
        body += _text_blocks(card.footer, isSubtle=True, size="Small")
    return body


def card_actions(
    card: Card,
    links: Sequence[tuple[str, str]] = (),
    *,
    buttons: bool = True,
    data: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Links, then buttons; `data` is added to every button's data (e.g. the team it was in)."""
    actions: list[dict[str, Any]] = []
    for label, url in (*card.links, *links):
        if url.startswith(("https://", "mailto:")):
            actions.append({"type": "Action.OpenUrl", "title": label, "url": url})
    if buttons:
        for button in card.buttons:
            action: dict[str, Any] = {
                "type": "Action.Execute",
                "title": button.label,
                "verb": button.action,
                "data": {**(data or {}), "action": button.action, "value": button.value},
            }
            if button.style in _STYLES:
                action["style"] = _STYLES[button.style]
            actions.append(action)
    return actions


def _fits_a_phone_row(actions: Sequence[dict[str, Any]]) -> bool:
    return sum(len(str(a.get("title", ""))) for a in actions) <= PHONE_ROW_CHARACTERS


def action_row(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A row of buttons for the card's body that keeps every label whole, on a phone too:
    side by side, each as wide as its label, while the labels fit a phone's row; else one
    button to a line. (A card's own row, or an `ActionSet`, gives each button an equal share
    of the width, and cuts "Couldn't meet" to "Couldn't …" when three share a phone's row.)"""
    if _fits_a_phone_row(actions):
        columns = [
            {"type": "Column", "width": "auto", "items": [{"type": "ActionSet", "actions": [a]}]}
            for a in actions
        ]
        return [{"type": "ColumnSet", "spacing": "Medium", "columns": columns}]
    rows = [{"type": "ActionSet", "spacing": "Small", "actions": [a]} for a in actions]
    return [{**rows[0], "spacing": "Medium"}, *rows[1:]] if rows else []


def choice_set(
    card: Card, data: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A card's buttons as one `Input.ChoiceSet` and the single action that sends the pick:
    a drop-down keeps every choice readable at chat width, however many there are. The input
    is named `value`, so the pick arrives where a button's value would (Join with nothing
    picked asks for an organisation, politely)."""
    assert card.choices is not None and card.buttons
    picked = {
        "type": "Input.ChoiceSet",
        "id": "value",
        "placeholder": card.choices.placeholder,
        "style": "compact",
        "choices": [{"title": b.label, "value": b.value} for b in card.buttons],
    }
    action = card.buttons[0].action
    submit = {
        "type": "Action.Execute",
        "title": card.choices.submit,
        "verb": action,
        "data": {**(data or {}), "action": action},
        "style": "positive",
    }
    return picked, submit


def image_element(image: Image) -> dict[str, Any]:
    png = shrink_png(image.png)
    return {
        "type": "Image",
        "url": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "altText": image.alt_text,
        "size": "Stretch",
    }


def shrink_png(png: bytes, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """A smaller render of the chart when it is too big to sit inside a card."""
    if len(png) <= limit:
        return png
    from PIL import Image as PILImage

    original = PILImage.open(io.BytesIO(png)).convert("RGB")
    width, height = original.size
    best = png
    for step in range(1, 25):  # the largest render, a step smaller each time, that fits
        scale = 0.9**step
        size = (max(64, int(width * scale)), max(64, int(height * scale)))
        smaller = original.resize(size, PILImage.Resampling.LANCZOS)
        smaller = smaller.quantize(colors=32, method=PILImage.Quantize.MEDIANCUT)
        buffer = io.BytesIO()
        smaller.save(buffer, format="PNG", optimize=True)
        best = buffer.getvalue()
        if len(best) <= limit:
            break
    return best


def adaptive_card(
    card: Card | None,
    images: Sequence[Image] = (),
    *,
    links: Sequence[tuple[str, str]] = (),
    answered: str | None = None,
    data: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One Adaptive Card; after a check-in (`answered`) the buttons give way to the answer."""
    body: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    fallback: list[str] = []
    if card is not None and card.choices is not None and answered is None:
        body += card_body(card)
        picked, submit = choice_set(card, data)
        body.append(picked)
        actions += [*card_actions(card, links, buttons=False), submit]
        fallback.append(card.fallback())
    elif card is not None:
        body += card_body(card, answered=answered)
        row = card_actions(card, links, buttons=answered is None, data=data)
        if len(row) >= ROW_IN_BODY or not _fits_a_phone_row(row):
            # the three answers, or "Chat with your circle" and "Email Nadia": each label
            # whole, on a phone too; past three, the rest ("Another question") in the menu
            body += action_row(row[:ROW_IN_BODY])
            actions += [{**a, "mode": "secondary"} for a in row[ROW_IN_BODY:]]
        else:
            actions += row
        fallback.append(card.fallback())
    for image in images:
        body += _text_blocks(image.title, weight="Bolder")
        body.append(image_element(image))
        fallback.append(image.alt_text)
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": "\n".join(fallback),
    }
    if actions:
        content["actions"] = actions
    return content


def card_activity(content: dict[str, Any], summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=summary[:200],
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=content)],
    )


def text_activity(text: str) -> Activity:
    """A plain message; Teams shows a line break only for a blank line in markdown."""
    body = re.sub(r"\n+", "\n\n", escape_message(text).strip())
    return Activity(type=ActivityTypes.message, text=body, text_format="markdown")


def activities(
    message: Message,
    *,
    links: Sequence[tuple[str, str]] = (),
    data: Mapping[str, str] | None = None,
) -> list[Activity]:
    """Text parts as messages; a card and the images after it as one Adaptive Card."""
    out: list[Activity] = []
    card: Card | None = None
    images: list[Image] = []

    def flush() -> None:
        nonlocal card, images
        if card is not None or images:
            title = card.title if card is not None else images[0].title
            content = adaptive_card(card, images, links=links, data=data)
            out.append(card_activity(content, title))
        card, images = None, []

    for part in message.parts:
        if isinstance(part, Text):
            flush()
            if part.text.strip():
                out.append(text_activity(part.text))
        elif isinstance(part, Card):
            flush()
            card = part
        elif part.panels:
            flush()
            out += panel_activities(part)
        else:
            images.append(part)
    flush()
    return out


def panel_activities(image: Image) -> list[Activity]:
    """A picture made for narrow cards: one card per panel, each panel drawn at the width a
    card shows it, so Teams shows it pixel for pixel (within a card's size limit)."""
    return [
        card_activity(adaptive_card(None, (panel,)), panel.alt_text or image.title)
        for panel in image.panels
    ]


def refresh_response(content: dict[str, Any]) -> dict[str, Any]:
    """The body of an `adaptiveCard/action` invoke response that replaces the card."""
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": content}


def message_response(text: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


def answered_card(
    answered: AnsweredCheckIn, links: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """An answered check-in (or introduction) redrawn: the card the button was on, the
    group's answer in plain words, and every answer still there to change it, the group's
    marked and none coloured. Three buttons under the answer (the answers, or after "couldn't
    meet" the two choices and the marked answer), each label whole (`action_row`); links,
    pause and the other answers in the "…" menu below."""
    card = answered.card or Card(title=answered.own_status or answered.text)
    own = tuple(b for b in card.buttons if codec.answer_of(b) is None)  # e.g. pause
    bare = replace(card, buttons=(), footer=None)
    body = card_body(bare)
    body += _text_blocks(answered.own_status or answered.status, weight="Bolder", spacing="Medium")
    marked = answered.answer.value
    if answered.choices:
        primary = [
            *answered.choices,
            *(b for b in answered.buttons if codec.answer_of(b) == marked),
        ]
        secondary = [b for b in answered.buttons if codec.answer_of(b) != marked]
        links = ()  # at most six actions in all: the choices matter more now
    else:
        primary, secondary = list(answered.buttons), []
    row = card_actions(replace(card, buttons=tuple(primary), links=()))
    more = card_actions(replace(card, buttons=(*secondary, *own)), links)
    for action in row + more:
        action.pop("style", None)  # neutral: "couldn't meet" is never drawn as a success
    for action in more:
        action["mode"] = "secondary"
    body += action_row(row)
    if card.footer:
        body += _text_blocks(card.footer, isSubtle=True, size="Small")
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": "\n".join((bare.fallback(), answered.own_status or answered.status)),
    }
    if more:
        content["actions"] = more
    return content


def with_next_step(content: dict[str, Any], offer: Button | None) -> dict[str, Any]:
    """An answered card with "We agreed a next step" as its action, when it is offered."""
    if offer is None:
        return content
    action = [{**a, "mode": "secondary"} for a in card_actions(Card(title="", buttons=(offer,)))]
    return {**content, "actions": [*content.get("actions", []), *action]}
