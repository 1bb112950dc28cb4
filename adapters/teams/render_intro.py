"""The introduction view → an Adaptive Card that fits a Teams chat (and a phone).

People first, then why them, who moves first with the links that do it (a chat prefilled
with a greeting and the question, a meeting with subject and attendees, email for partners
on another platform), the question, the check-in date. Three primary actions with their full
labels (We met / Not yet / Couldn't meet), in neutral colours, the chosen one marked when the
view carries an answer; "Another question", pause and the links as secondary actions. After a
check-in answer the same card is drawn again, with who answered what above the answers.
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
from bot.views import AnsweredCheckIn, IntroductionView, answer_labels

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
    *,
    answered: AnsweredCheckIn | None = None,
) -> dict[str, Any]:
    """The card for `reader`; `handles` are the partners' Teams names the sender keeps;
    `answered`: the group's answer, drawn under the card's text."""
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
    answers, marked = [], []
    for answer, label, chosen in answer_labels(labels):
        title = chosen if answer == view.answer else label
        button = _execute(Button(title, actions.CHECKIN, actions.checkin_value(intro, answer)))
        answers.append(button)
        if answer == view.answer:
            marked.append(button)
    more = [_execute(actions.another_question_button(labels.another_question, intro))]
    more += [{"type": "Action.OpenUrl", "title": label, "url": url} for label, url in links]
    if answered is not None:
        status = answered.own_status or answered.status
        body.append(_text(status, weight="Bolder", spacing="Medium"))
        if answered.choices:  # keep the group or move on, beside the answer given; the
            # links stay in the text above, so the card keeps to the six actions Teams draws
            more = [a for a in answers if a not in marked]
            answers = [*(_execute(b) for b in answered.choices), *marked]
    # The answers (three at most) in a row of their own in the body, each label whole on a
    # phone too; the rest behind the overflow menu.
    body += render.action_row(answers)
    more.append(_execute(actions.pause_button(labels.pause, view.programme)))
    fallback = [copy.summary] + ([answered.own_status or answered.status] if answered else [])
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": render.CARD_VERSION,
        "body": body,
        "actions": [{**a, "mode": "secondary"} for a in more],
        "fallbackText": "\n".join(fallback),
    }


def answered_card(answered: AnsweredCheckIn, handles: Mapping[PersonId, str]) -> dict[str, Any]:
    """The introduction after a check-in answer, from the view the answer carries: the same
    card, with who answered what and the answer marked among buttons that stay to change it
    (none coloured)."""
    view = answered.introduction_view
    assert view is not None, "an answer on a check-in is drawn by render.answered_card"
    return introduction_card(view, view.shared_reader(), handles, answered=answered)


def _execute(button: Button) -> dict[str, Any]:
    return {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action,
        "data": {"action": button.action, "value": button.value},
    }


def introduction_activity(
    view: IntroductionView,
    reader: PersonId | None = None,
    handles: Mapping[PersonId, str] | None = None,
) -> Any:
    """The card as a message, its notification naming the partners."""
    content = introduction_card(view, reader, handles)
    return render.card_activity(content, view.copy_for(reader).summary)
