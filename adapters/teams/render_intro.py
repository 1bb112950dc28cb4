"""The introduction view → an Adaptive Card that fits a Teams chat (and a phone).

People first, then why them, who moves first with the links that do it (a chat prefilled
with a greeting and the question, a meeting with subject and attendees, email for partners
on another platform), the question, the check-in date. Three primary actions with their full
labels (We met / Not yet / Couldn't meet), in neutral colours, the chosen one marked when the
view carries an answer; "Another question", pause and the links as secondary actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from adapters.teams import render
from bot import actions
from bot.events import Button, Card, Message
from bot.ids import PersonId
from bot.views import IntroductionView, answer_labels

CHAT_URL = "https://teams.microsoft.com/l/chat/0/0"
MEETING_URL = "https://teams.microsoft.com/l/meeting/new"


def _handles(handles: Sequence[str]) -> str:
    return ",".join(quote(h, safe="@.") for h in handles)


def chat_link(handles: Sequence[str], message: str, topic: str | None = None) -> str:
    """A chat with these people (UPNs or emails), the first message typed in for them."""
    url = f"{CHAT_URL}?users={_handles(handles)}"
    if topic and len(handles) > 1:
        url += "&topicName=" + quote(topic, safe="")
    return url + "&message=" + quote(message, safe="")


def with_group_chats(message: Message, handles: Mapping[PersonId, str]) -> Message:
    """The message for one reader: each card's group chat (a circle's) becomes a link that
    opens a chat with the people in it the sender has a Teams name for (their sign-in name
    kept with their Teams address, else an email they share: nothing else), its topic and
    first message filled in. The reader is never in `handles`; with nobody to chat with,
    there is no link."""
    parts = list(message.parts)
    for index, part in enumerate(parts):
        if not isinstance(part, Card) or part.chat is None:
            continue
        chat = part.chat
        found = [handles[PersonId(p)] for p in chat.people if PersonId(p) in handles]
        links = part.links
        if found:
            links = ((chat.label, chat_link(found, chat.greeting, chat.topic)), *links)
        parts[index] = replace(part, links=links, chat=None)
    return replace(message, parts=tuple(parts))


def meeting_link(handles: Sequence[str], subject: str) -> str:
    return f"{MEETING_URL}?subject={quote(subject, safe='')}&attendees={_handles(handles)}"


def attendees(
    view: IntroductionView,
    reader: PersonId | None,
    known: Mapping[PersonId, str],
    *,
    chat: bool,
) -> list[str]:
    """Who a chat or a meeting is with: each partner's Teams name where the sender keeps one,
    else the email they share. A chat reaches only people on Teams; a meeting invitation
    reaches an email address anywhere."""
    shared = dict(view.links.attendees)
    found = []
    for partner in view.partners(reader):
        if chat and partner.platform != "teams":
            continue
        handle = known.get(partner.id) or shared.get(partner.id)
        if handle:
            found.append(handle)
    return found


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": render.escape_markdown(text), "wrap": True, **extra}


def _person(view: IntroductionView, person: PersonId, reader: PersonId | None) -> dict[str, Any]:
    found = view.person(person)
    items = [
        _text(found.name, weight="Bolder"),
        _text(", ".join(x for x in (found.role, found.organisation) if x), spacing="None"),
    ]
    if found.reach:
        items.append(_text(found.reach, isSubtle=True, spacing="None", size="Small"))
    return {"type": "Container", "spacing": "Small", "items": items}


def _link(label: str, url: str) -> str:
    return f"[{render.escape_markdown(label)}]({url.replace(')', '%29').replace(' ', '%20')})"


def introduction_card(
    view: IntroductionView,
    reader: PersonId | None = None,
    handles: Mapping[PersonId, str] | None = None,
) -> dict[str, Any]:
    """The card for `reader`; `handles` are the partners' Teams names the sender keeps."""
    copy = view.copy_for(reader)
    labels = view.labels
    intro = view.introduction
    body: list[dict[str, Any]] = [
        _text(labels.context, isSubtle=True, size="Small"),
        _text(copy.heading, weight="Bolder", size="Medium", spacing="None"),
    ]
    partners = view.partners(reader)
    if len(partners) == 1:  # the heading names them: what they do, where, straight under it
        body += _person(view, partners[0].id, reader)["items"][1:]
    else:
        body += [_person(view, p.id, reader) for p in partners]
    body.append(_text(view.why, spacing="Medium"))
    body.append(_text(copy.first_move, weight="Bolder", spacing="Medium"))
    links: list[tuple[str, str]] = []
    known = handles or {}
    in_chat = attendees(view, reader, known, chat=True)
    if in_chat:
        links.append((copy.chat_label, chat_link(in_chat, copy.greeting, view.links.subject)))
    invited = attendees(view, reader, known, chat=False)
    if invited:
        links.append((labels.meeting, meeting_link(invited, view.links.subject)))
    links += [(mail.label, mail.url) for mail in copy.mail]
    if links:
        line = " · ".join(_link(label, url) for label, url in links)
        body.append({"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"})
    body.append(
        {
            "type": "Container",
            "style": "emphasis",
            "spacing": "Medium",
            "items": [_text(view.starter.line)],
        }
    )
    body.append(_text(view.structure, isSubtle=True, size="Small"))
    body.append(_text(copy.checkin, spacing="Small"))
    # The answers as the card's own row of three, with nothing beside them, so each keeps
    # its full label; the rest behind the overflow menu of a row of their own.
    answers = []
    for answer, label, chosen in answer_labels(labels):
        title = chosen if answer == view.answer else label
        answers.append(
            _execute(Button(title, actions.CHECKIN, actions.checkin_value(intro, answer)))
        )
    # each in a column as wide as its label, so a phone's width still shows them whole
    columns = [
        {"type": "Column", "width": "auto", "items": [{"type": "ActionSet", "actions": [a]}]}
        for a in answers
    ]
    body.append({"type": "ColumnSet", "spacing": "Medium", "columns": columns})
    actions_ = [
        _execute(actions.another_question_button(labels.another_question, intro), secondary=True)
    ]
    actions_ += [
        {"type": "Action.OpenUrl", "title": label, "url": url, "mode": "secondary"}
        for label, url in links
    ]
    actions_.append(_execute(actions.pause_button(labels.pause, view.programme), secondary=True))
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": render.CARD_VERSION,
        "body": body,
        "actions": actions_,
        "fallbackText": copy.summary,
    }


def _execute(button: Button, *, secondary: bool = False) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action,
        "data": {"action": button.action, "value": button.value},
    }
    if secondary:
        action["mode"] = "secondary"
    return action


def introduction_activity(
    view: IntroductionView,
    reader: PersonId | None = None,
    handles: Mapping[PersonId, str] | None = None,
) -> Any:
    """The card as a message, its notification naming the partners."""
    content = introduction_card(view, reader, handles)
    return render.card_activity(content, view.copy_for(reader).summary)
