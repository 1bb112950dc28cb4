"""The introduction as a typed view: its people, why they were paired, who moves first, the
starter, the check-in date and the links, worked out once in the round write and stored in
the outbox; renderers only draw it.

Its words are rendered by the core (bot.compose) when the view is built: what is the same
for every reader once, and what depends on the reader (who is "you", the partners named in
the notification, the check-in date in their own time zone) once per reader of the copy.
A copy read by several people at once (a Slack group DM) has one set of words naming names.

`encode_view` / `decode_view` keep it in the outbox payload; rows queued before the view
existed hold a neutral Card and still decode (bot.outbox.decode_payload).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot import actions
from bot.accounts import Contact
from bot.db.models import Answer
from bot.events import Button, Card, Fact, Message
from bot.ids import IntroductionId, PersonId, ProgrammeId

VIEW_KIND = "introduction"
VIEW_VERSION = 1


@dataclass(frozen=True)
class IntroPerson:
    id: PersonId
    name: str
    role: str | None
    organisation: str
    platform: str
    email: str | None  # only when the person shares it
    timezone: str
    reach: str | None = None  # how to reach them, for people reading another copy


@dataclass(frozen=True)
class IntroStarter:
    key: str
    text: str
    line: str  # the starter in its sentence ("To get you started: …")


@dataclass(frozen=True)
class MailLink:
    person: PersonId
    label: str  # "Email Tom"
    url: str  # mailto: with subject and body


@dataclass(frozen=True)
class IntroCopy:
    """What the copy says that depends on who reads it (`reader` None: several at once)."""

    reader: PersonId | None
    summary: str  # notification and fallback text, naming the partner(s)
    heading: str  # "Meet Fatima Noor"
    first_move: str  # who moves first, and how
    checkin: str  # when the check-in comes, in the reader's time zone
    chat_label: str  # "Message Fatima" (a Teams chat with the partners)
    greeting: str  # prefilled in that chat: a greeting and the starter
    mail: tuple[MailLink, ...] = ()  # partners on another platform who share an email


@dataclass(frozen=True)
class IntroLabels:
    """The words on buttons and links that are the same for every reader."""

    context: str  # the small line naming the programme
    you: str
    suggest_time: str
    another_question: str
    met: str
    not_yet: str
    could_not_meet: str
    chosen_met: str  # the answer given, marked ("✓ We met")
    chosen_not_yet: str
    chosen_could_not_meet: str
    pause: str
    meeting: str  # Teams: set up a meeting


@dataclass(frozen=True)
class IntroLinks:
    """What a Teams meeting needs besides its attendees' Teams names (which the Teams sender
    keeps with their addresses): the subject, and emails the partners share."""

    subject: str
    attendees: tuple[tuple[PersonId, str], ...] = ()  # (person, shared email)


@dataclass(frozen=True)
class IntroductionView:
    introduction: IntroductionId
    programme: ProgrammeId | None
    programme_name: str
    platform: str  # the platform of this copy
    people: tuple[IntroPerson, ...]
    readers: tuple[PersonId, ...]  # who this copy is for, in the order of the row's recipients
    first_mover: PersonId
    why: str
    structure: str
    starter: IntroStarter
    checkin_due_at: datetime
    copies: tuple[IntroCopy, ...]
    labels: IntroLabels
    links: IntroLinks
    answer: Answer | None = None
    # How the one reader may reach their partners (stored addresses), set when the core
    # answers a click with the view; never stored
    contacts: tuple[Contact, ...] = ()

    def person(self, person: PersonId) -> IntroPerson:
        return next(p for p in self.people if p.id == person)

    @property
    def mover(self) -> IntroPerson:
        return self.person(self.first_mover)

    def reader_of(self, index: int) -> PersonId | None:
        """The reader of the row's `index`-th recipient's copy (None when unknown)."""
        return self.readers[index] if 0 <= index < len(self.readers) else None

    def shared_reader(self) -> PersonId | None:
        """The reader when one person reads the copy; None when several read it at once."""
        return self.readers[0] if len(self.readers) == 1 else None

    def copy_for(self, reader: PersonId | None) -> IntroCopy:
        for copy in self.copies:
            if copy.reader == reader:
                return copy
        return next((c for c in self.copies if c.reader is None), self.copies[0])

    def partners(self, reader: PersonId | None) -> tuple[IntroPerson, ...]:
        return tuple(p for p in self.people if p.id != reader)

    def elsewhere(self) -> tuple[IntroPerson, ...]:
        """The people not reading this copy with the others (on another platform or
        workspace): they are reached by email, if they share one."""
        return tuple(p for p in self.people if p.id not in self.readers)

    def for_reader(self, reader: PersonId) -> IntroductionView:
        """The copy one person sees on their own (Teams sends each person their own)."""
        return replace(self, readers=(reader,))


@dataclass(frozen=True)
class Slot:
    at: datetime  # UTC
    words: str  # in the first mover's time zone


@dataclass(frozen=True)
class SuggestedTimes:
    """Times to meet, offered to the group by one of them ("Suggest a time")."""

    introduction: IntroductionId
    title: str
    body: str
    slots: tuple[Slot, ...]
    works_for_me: str

    def message(self) -> Message:
        """As a neutral card: a button per time, for platforms without a drawing of their own."""
        buttons = tuple(
            actions.time_button(f"{self.works_for_me}: {slot.words}", self.introduction, slot.at)
            for slot in self.slots
        )
        return Message((Card(self.title, (self.body,), buttons=buttons),))


# ---------------------------------------------------------------- neutral card


def introduction_card(view: IntroductionView, reader: PersonId | None = None) -> Card:
    """The view as a neutral Card: for the terminal chat, plain-text fallbacks and adapters
    without a drawing of their own. People first, then why, the first move, the starter."""
    copy = view.copy_for(reader)
    labels = view.labels
    facts = []
    for person in view.people:
        label = person.name + (f" ({labels.you})" if person.id == reader else "")
        where = ", ".join(x for x in (person.role, person.organisation) if x)
        if person.reach:
            where += f" · {person.reach}"
        facts.append(Fact(label, where))
    return Card(
        title=copy.heading,
        sections=(view.why, copy.first_move, view.starter.line, view.structure, copy.checkin),
        facts=tuple(facts),
        buttons=answer_buttons(view),
    )


def answer_buttons(view: IntroductionView) -> tuple[Button, ...]:
    """We met / Not yet / Couldn't meet, the chosen one marked; then suggest a time and
    another question (what the platforms draw as the introduction's own actions); then pause."""
    labels = view.labels
    buttons = []
    for answer, label, chosen in answer_labels(labels):
        shown = chosen if answer == view.answer else label
        buttons.append(
            Button(shown, actions.CHECKIN, actions.checkin_value(view.introduction, answer))
        )
    buttons.append(actions.suggest_time_button(labels.suggest_time, view.introduction))
    buttons.append(actions.another_question_button(labels.another_question, view.introduction))
    buttons.append(actions.pause_button(labels.pause, view.programme))
    return tuple(buttons)


def answer_labels(labels: IntroLabels) -> tuple[tuple[Answer, str, str], ...]:
    """(answer, label, label when chosen), in the order they are offered."""
    return (
        (Answer.MET, labels.met, labels.chosen_met),
        (Answer.NOT_YET, labels.not_yet, labels.chosen_not_yet),
        (Answer.COULD_NOT_MEET, labels.could_not_meet, labels.chosen_could_not_meet),
    )


def introduction_message(view: IntroductionView, reader: PersonId | None = None) -> Message:
    return Message((introduction_card(view, reader),))


# ---------------------------------------------------------------- outbox payload


def encode_view(view: IntroductionView) -> str:
    # written out field by field: dataclasses.asdict deep-copies, which a round of many
    # thousands of introductions pays for
    data = {
        "view": VIEW_KIND,
        "version": VIEW_VERSION,
        "introduction": view.introduction,
        "programme": view.programme,
        "programme_name": view.programme_name,
        "platform": view.platform,
        "people": [vars(p) for p in view.people],
        "readers": list(view.readers),
        "first_mover": view.first_mover,
        "why": view.why,
        "structure": view.structure,
        "starter": vars(view.starter),
        "checkin_due_at": view.checkin_due_at.isoformat(),
        "copies": [{**vars(c), "mail": [vars(m) for m in c.mail]} for c in view.copies],
        "labels": vars(view.labels),
        "links": {"subject": view.links.subject, "attendees": list(view.links.attendees)},
        "answer": view.answer.value if view.answer is not None else None,
    }
    return json.dumps(data, sort_keys=True)


def is_view_payload(data: dict[str, Any]) -> bool:
    return data.get("view") == VIEW_KIND


def decode_view(data: dict[str, Any]) -> IntroductionView:
    """The view from its decoded payload; KeyError or ValueError when it is not one."""
    if not is_view_payload(data):
        raise ValueError("not an introduction view")
    links = data["links"]
    return IntroductionView(
        introduction=IntroductionId(int(data["introduction"])),
        programme=ProgrammeId(int(data["programme"])) if data["programme"] is not None else None,
        programme_name=str(data["programme_name"]),
        platform=str(data["platform"]),
        people=tuple(IntroPerson(**{**p, "id": PersonId(int(p["id"]))}) for p in data["people"]),
        readers=tuple(PersonId(int(r)) for r in data["readers"]),
        first_mover=PersonId(int(data["first_mover"])),
        why=str(data["why"]),
        structure=str(data["structure"]),
        starter=IntroStarter(**data["starter"]),
        checkin_due_at=datetime.fromisoformat(data["checkin_due_at"]),
        copies=tuple(_copy(c) for c in data["copies"]),
        labels=IntroLabels(**data["labels"]),
        links=IntroLinks(
            subject=str(links["subject"]),
            attendees=tuple((PersonId(int(p)), str(e)) for p, e in links["attendees"]),
        ),
        answer=Answer(data["answer"]) if data.get("answer") else None,
    )


def _copy(data: dict[str, Any]) -> IntroCopy:
    reader = data["reader"]
    return IntroCopy(
        **{
            **data,
            "reader": PersonId(int(reader)) if reader is not None else None,
            "mail": tuple(
                MailLink(PersonId(int(m["person"])), str(m["label"]), str(m["url"]))
                for m in data["mail"]
            ),
        }
    )


def view_from_payload(payload: str) -> IntroductionView | None:
    """The view a stored payload holds; None for a payload of another shape (older rows)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not is_view_payload(data):
        return None
    return decode_view(data)
