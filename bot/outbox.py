"""The outbox: every message to send is a row, written with the change that caused it.

`queue` is called inside a use case's transaction; delivery (bot.delivery) sends rows later.
An idempotency key makes a second `queue` of the same message a no-op, so a job that runs
twice never sends twice.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot import accounts
from bot.db.models import Outbox
from bot.events import Button, Card, ChoiceList, Fact, GroupChat, Image, Message, Part, Text
from bot.intro_view import IntroductionView, decode_view, introduction_message, is_view_payload


def _choices_field(card: Card) -> dict[str, Any]:
    if card.choices is None:
        return {}
    return {"choices": [card.choices.placeholder, card.choices.submit]}


def _choices_of(item: dict[str, Any]) -> ChoiceList | None:
    pair = item.get("choices")
    return ChoiceList(str(pair[0]), str(pair[1])) if pair else None


def _chat_field(card: Card) -> dict[str, Any]:
    if card.chat is None:
        return {}
    chat = card.chat
    return {"chat": [chat.label, chat.topic, chat.greeting, list(chat.people)]}


def _chat_of(item: dict[str, Any]) -> GroupChat | None:
    found = item.get("chat")
    if not found:
        return None
    label, topic, greeting, people = found
    return GroupChat(str(label), str(topic), str(greeting), tuple(int(p) for p in people))


def encode_message(message: Message) -> str:
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, Text):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, Card):
            parts.append(
                {
                    "type": "card",
                    "title": part.title,
                    "sections": list(part.sections),
                    "facts": [[f.label, f.value] for f in part.facts],
                    "buttons": [[b.label, b.action, b.value, b.style] for b in part.buttons],
                    "footer": part.footer,
                    "links": [list(link) for link in part.links],
                    **_choices_field(part),
                    **_chat_field(part),
                }
            )
        else:
            parts.append(
                {
                    "type": "image",
                    "title": part.title,
                    "alt_text": part.alt_text,
                    "filename": part.filename,
                    "png": base64.b64encode(part.png).decode("ascii"),
                }
            )
    return json.dumps({"parts": parts, "ephemeral": message.ephemeral}, sort_keys=True)


def decode_payload(payload: str) -> tuple[Message, IntroductionView | None]:
    """A stored payload: an introduction view (with its neutral message, for senders that
    draw no view of their own), or a message (every other row, and introductions queued
    before the view existed)."""
    data = json.loads(payload)
    if isinstance(data, dict) and is_view_payload(data):
        view = decode_view(data)
        return introduction_message(view, view.shared_reader()), view
    return _message(data), None


def decode_message(payload: str) -> Message:
    return decode_payload(payload)[0]


def _message(data: dict[str, Any]) -> Message:
    parts: list[Part] = []
    for item in data.get("parts", []):
        kind = item.get("type")
        if kind == "text":
            parts.append(Text(item["text"]))
        elif kind == "card":
            parts.append(
                Card(
                    title=item["title"],
                    sections=tuple(item["sections"]),
                    facts=tuple(Fact(label, value) for label, value in item["facts"]),
                    buttons=tuple(
                        Button(label, action, value, style)
                        for label, action, value, style in item["buttons"]
                    ),
                    footer=item.get("footer"),
                    links=tuple((label, url) for label, url in item.get("links", [])),
                    choices=_choices_of(item),
                    chat=_chat_of(item),
                )
            )
        elif kind == "image":
            parts.append(
                Image(
                    item["title"],
                    item["alt_text"],
                    base64.b64decode(item["png"]),
                    item.get("filename", "chart.png"),
                )
            )
    return Message(tuple(parts), ephemeral=bool(data.get("ephemeral", False)))


def queue(
    session: Session,
    now: datetime,
    *,
    key: str,
    platform: str,
    workspace: str,
    recipients: Sequence[str],
    kind: str,
    message: Message,
    programme_id: int | None = None,
    introduction_id: int | None = None,
) -> bool:
    """Add a message to send; False if one with this key was already queued."""
    if session.exec(select(Outbox.id).where(Outbox.idempotency_key == key)).first() is not None:
        return False
    session.add(
        Outbox(
            idempotency_key=key,
            platform=platform,
            workspace=workspace,
            recipients=json.dumps(list(recipients)),
            kind=kind,
            payload=encode_message(message),
            programme_id=programme_id,
            introduction_id=introduction_id,
            next_try_at=now,
            created_at=now,
        )
    )
    return True


def queue_to(
    session: Session,
    now: datetime,
    person_id: int,
    *,
    key: str,
    kind: str,
    message: Message | Callable[[], Message],
    programme_id: int | None = None,
    introduction_id: int | None = None,
) -> bool | None:
    """Queue a message to one person, on the first account they can be reached on; None when
    there is none (then `message`, if a function, is not called to build it); otherwise as
    `queue`: False if one with this key was already queued."""
    account = accounts.first_reachable(session, person_id)
    if account is None:
        return None
    return queue(
        session,
        now,
        key=key,
        platform=account.platform,
        workspace=account.workspace,
        recipients=[account.user_id],
        kind=kind,
        message=message if isinstance(message, Message) else message(),
        programme_id=programme_id,
        introduction_id=introduction_id,
    )


def last_card(
    session: Session,
    introduction_id: int,
    platform: str,
    workspace: str,
    *,
    kinds: Sequence[str] | None = None,
) -> Card | None:
    """The latest card sent on one platform and workspace about an introduction (of one of
    `kinds`, when given)."""
    query = select(Outbox).where(
        Outbox.introduction_id == introduction_id,
        Outbox.platform == platform,
        Outbox.workspace == workspace,
    )
    if kinds is not None:
        query = query.where(col(Outbox.kind).in_(tuple(kinds)))
    row = session.exec(query.order_by(col(Outbox.id).desc())).first()
    if row is None:
        return None
    for part in decode_payload(row.payload)[0].parts:
        if isinstance(part, Card):
            return part
    return None


def last_view(
    session: Session, introduction_id: int, platform: str, workspace: str
) -> IntroductionView | None:
    """The latest introduction view queued on one platform and workspace (None for
    introductions queued before the view existed)."""
    rows = session.exec(
        select(Outbox.payload)
        .where(
            Outbox.introduction_id == introduction_id,
            Outbox.platform == platform,
            Outbox.workspace == workspace,
            Outbox.kind == "introduction",
        )
        .order_by(col(Outbox.id).desc())
    ).all()
    for payload in rows:
        view = decode_payload(payload)[1]
        if view is not None:
            return view
    return None
