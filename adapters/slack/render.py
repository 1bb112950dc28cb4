"""Neutral messages → Block Kit (built with slack_sdk.models.blocks), with a plain-text fallback.

Every piece of text that reaches a mrkdwn field is escaped (`&`, `<`, `>`), so a name such as
`<!channel>` or `<https://x|click>` shows as typed and can never ping or link. Plain-text
fields (headers, buttons) are not parsed by Slack at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot import actions as codec
from bot.events import Button, Card, Image, Message, Text
from bot.views import AnsweredCheckIn

ACTION_PREFIX = "ct"  # action_id = "ct|<neutral action>|<n>"
CONFIRMED_ACTIONS = {"round run", "forget"}
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FALLBACK = 3900
MAX_BUTTON_CHOICES = 5
MAX_CHOICE_BUTTONS = 3  # a list the core offers as one (`Card.choices`): buttons up to this


def escape(text: str) -> str:
    """Make user-supplied text inert in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = 150) -> PlainTextObject:
    return PlainTextObject(text=clip(text, limit) or " ", emoji=True)


def mrkdwn(text: str, limit: int = MAX_SECTION) -> MarkdownTextObject:
    """Escaped mrkdwn; the limit applies to what Slack receives."""
    return MarkdownTextObject(text=clip(escape(text), limit) or " ")


def action_id(action: str, index: int) -> str:
    return f"{ACTION_PREFIX}|{action}|{index}"


def parse_action_id(value: str) -> str | None:
    parts = value.split("|")
    if len(parts) < 3 or parts[0] != ACTION_PREFIX:
        return None
    return "|".join(parts[1:-1])


def button(item: Button, index: int, *, confirm_text: str | None = None) -> ButtonElement:
    style = None if item.style == "default" else item.style
    confirm = None
    if item.action in CONFIRMED_ACTIONS or confirm_text:
        confirm = ConfirmObject(
            title=plain(item.label, 100),
            text=mrkdwn(confirm_text or item.label + "?", 300),
            confirm=plain("Yes", 30),
            deny=plain("Cancel", 30),
        )
    return ButtonElement(
        text=plain(item.label, 75),
        action_id=action_id(item.action, index),
        value=item.value[:2000],
        style=style,
        confirm=confirm,
    )


def card_blocks(card: Card, *, block_prefix: str = "card") -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=plain(card.title))]
    sections = [SectionBlock(text=mrkdwn(s)) for s in card.sections if s.strip()]
    facts = [
        MarkdownTextObject(text=clip(f"*{escape(f.label)}*\n{escape(f.value)}", MAX_FIELD))
        for f in card.facts
    ]
    # the opening line, then who or what it is about (fields), then the rest
    blocks += sections[:1]
    for start in range(0, len(facts), 10):
        blocks.append(SectionBlock(fields=facts[start : start + 10]))
    blocks += sections[1:]
    for label, url in card.links:
        if url.startswith(("https://", "http://", "mailto:")):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=f"<{url}|{escape(label)}>")))
    if _as_select(card.buttons) or _listed_choices(card):
        options = [Option(text=plain(b.label, 75), value=b.value) for b in card.buttons[:100]]
        hint = card.choices.placeholder if card.choices else card.buttons[0].label + " …"
        select = StaticSelectElement(
            placeholder=plain(hint),
            action_id=action_id(card.buttons[0].action, 0),
            options=options,
        )
        blocks.append(ActionsBlock(block_id=f"{block_prefix}-select", elements=[select]))
    elif card.buttons:
        elements = [button(b, i) for i, b in enumerate(card.buttons[:25])]
        blocks.append(ActionsBlock(block_id=f"{block_prefix}-actions", elements=elements))
    if card.footer:
        blocks.append(ContextBlock(elements=[mrkdwn(card.footer, 2000)]))
    return blocks


def _as_select(buttons: Sequence[Button]) -> bool:
    """Many choices of one kind (e.g. which organisation to join) read better as a select."""
    return (
        len(buttons) > MAX_BUTTON_CHOICES
        and len({b.action for b in buttons}) == 1
        and all(len(b.value) <= 150 for b in buttons)
    )


def _listed_choices(card: Card) -> bool:
    """Choices the core offers as one list: a select once they outnumber a short row."""
    return (
        card.choices is not None
        and len(card.buttons) > MAX_CHOICE_BUTTONS
        and all(len(b.value) <= 150 for b in card.buttons)
    )


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=mrkdwn(chunk)) for chunk in _chunks(text, MAX_SECTION - 200)]


def _chunks(text: str, size: int) -> list[str]:
    """Split on line breaks so escaping never cuts an entity in half."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            out.append(line[:size])
            line = line[size:]
        if len(current) + len(line) + 1 > size and current:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current or not out:
        out.append(current)
    return out


def fallback(message: Message) -> str:
    """The notification and screen-reader text: escaped, never empty."""
    return clip(escape(message.plain()), MAX_FALLBACK) or " "


def blocks_of(message: Message) -> list[Block]:
    """Blocks for everything but images (uploaded separately); at most 50."""
    blocks: list[Block] = []
    for index, part in enumerate(message.parts):
        if isinstance(part, Text):
            blocks.extend(text_blocks(part.text))
        elif isinstance(part, Card):
            if blocks:
                blocks.append(DividerBlock())
            blocks.extend(card_blocks(part, block_prefix=f"card{index}"))
    return blocks[:50]


def images_of(message: Message) -> list[Image]:
    return [part for part in message.parts if isinstance(part, Image)]


def to_dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def status_block(text: str) -> ContextBlock:
    """Who has answered a check-in so far (replaced on each answer)."""
    return ContextBlock(block_id="ct-status", elements=[mrkdwn(text, 2000)])


def with_status(blocks: Sequence[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The original message's blocks with the answer line added or replaced."""
    kept = [b for b in blocks if b.get("block_id") != "ct-status"]
    return [*kept, status_block(text).to_dict()]


ANSWER_BLOCKS = ("ct-status", "ct-answers", "ct-choices")


def answered_blocks(
    blocks: Sequence[dict[str, Any]], answered: AnsweredCheckIn, *, own: bool = False
) -> list[dict[str, Any]]:
    """The message the button was on, with the group's answer in words and every answer kept
    to change it: the group's marked, none coloured (so "couldn't meet" never looks like a
    success); after "couldn't meet", the two choices. Drawn again on each answer. `own`: the
    message is the person's alone (a DM), so the answer is worded for them ("You said …")."""
    kept: list[dict[str, Any]] = []
    at: int | None = None  # where the answers were: they are drawn there again
    for block in blocks:
        if block.get("block_id") in ANSWER_BLOCKS:
            at = len(kept) if at is None else at
            continue
        if block.get("type") == "actions":
            elements = [
                e
                for e in block.get("elements", [])
                if parse_action_id(str(e.get("action_id", "")))
                not in (codec.CHECKIN, codec.NEXT_ROUND)
            ]
            if len(elements) < len(block.get("elements", [])):
                at = len(kept) if at is None else at
            if not elements:
                continue
            block = {**block, "elements": elements}
        kept.append(block)
    added: list[Block] = [status_block(answered.own_status if own else answered.status)]
    for block_id, buttons in (("ct-answers", answered.buttons), ("ct-choices", answered.choices)):
        if buttons:
            elements = [button(replace(b, style="default"), i) for i, b in enumerate(buttons)]
            added.append(ActionsBlock(block_id=block_id, elements=elements))
    at = len(kept) if at is None else at
    return [*kept[:at], *to_dicts(added), *kept[at:]]


NEXT_STEP_BLOCK = "ct-next-step"


def with_next_step(blocks: Sequence[dict[str, Any]], offer: Button | None) -> list[dict[str, Any]]:
    """The answered message with "We agreed a next step" at the end, when it is offered."""
    kept = [b for b in blocks if b.get("block_id") != NEXT_STEP_BLOCK]
    if offer is None:
        return kept
    actions = ActionsBlock(block_id=NEXT_STEP_BLOCK, elements=[button(offer, 0)])
    return [*kept, actions.to_dict()]
