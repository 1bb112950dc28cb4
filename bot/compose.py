"""Builds what the bot sends on its own: the introduction view (bot.intro_view) with its words,
and the neutral check-in, nudge and follow-up messages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from bot import actions
from bot.db.models import Answer
from bot.events import Button, Card, Message
from bot.formatting import DEFAULT_ZONE
from bot.ids import IntroductionId, PersonId, ProgrammeId
from bot.intro_view import (
    IntroCopy,
    IntroductionView,
    IntroLabels,
    IntroLinks,
    IntroPerson,
    IntroStarter,
    MailLink,
)
from bot.templates import Prompts

CHECKIN_ACTION = actions.CHECKIN  # older names, kept for callers
PAUSE_ACTION = actions.PAUSE
PAUSE_WEEKS = actions.PAUSE_WEEKS
pause_value = actions.pause_value


@dataclass(frozen=True)
class GroupMember:
    person_id: int
    name: str
    organisation: str
    role: str | None
    platform: str | None
    email: str | None  # only when the person shares it
    timezone: str = DEFAULT_ZONE  # the person's own, else the programme's


def checkin_buttons(
    prompts: Prompts, introduction_id: int, chosen: Answer | None = None
) -> tuple[Button, ...]:
    """The three answers; with `chosen`, every one neutral and the chosen one marked, so an
    answer can be changed and nobody reads "couldn't meet" as a success."""
    buttons = actions.checkin_buttons(
        introduction_id,
        prompts.render("button_met"),
        prompts.render("button_not_yet"),
        prompts.render("button_could_not_meet"),
    )
    if chosen is None:
        return buttons
    return tuple(
        replace(
            button,
            label=prompts.render("answer_marked", label=button.label)
            if actions.answer_of(button) == chosen.value
            else button.label,
            style="default",
        )
        for button in buttons
    )


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def intro_labels(prompts: Prompts, programme: str) -> IntroLabels:
    """The words on the introduction's buttons: once per round where the prompts keep a memo
    (bot.usecases.round_text.CachedPrompts), else rendered here."""
    memo: dict[object, object] | None = getattr(prompts, "memo", None)
    if memo is not None:
        found = memo.get(("intro_labels", programme))
        if isinstance(found, IntroLabels):
            return found
    labels = IntroLabels(
        context=prompts.render("intro_context", programme=programme),
        you=prompts.render("intro_you"),
        suggest_time=prompts.render("button_suggest_time"),
        another_question=prompts.render("button_another_question"),
        met=prompts.render("button_met"),
        not_yet=prompts.render("button_not_yet"),
        could_not_meet=prompts.render("button_could_not_meet"),
        chosen_met=prompts.render("intro_chosen", label=prompts.render("button_met")),
        chosen_not_yet=prompts.render("intro_chosen", label=prompts.render("button_not_yet")),
        chosen_could_not_meet=prompts.render(
            "intro_chosen", label=prompts.render("button_could_not_meet")
        ),
        pause=prompts.render("button_pause"),
        meeting=prompts.render("teams_link_meeting"),
    )
    if memo is not None:
        memo[("intro_labels", programme)] = labels
    return labels


def introduction_view(
    prompts: Prompts,
    *,
    introduction_id: int,
    programme_id: int | None,
    programme: str,
    members: list[GroupMember],
    readers: list[int],
    platform: str,
    first_mover: int,
    why: str,
    starter_key: str,
    starter: str,
    checkin_at: datetime,
    now: datetime,
    answer: Answer | None = None,
) -> IntroductionView:
    """One copy of an introduction for the `readers` reached together on `platform` (a Slack
    group DM, or each Teams member's own chat); the words for each reader, and for all of
    them at once, are rendered here."""
    reading = set(readers)
    people = tuple(
        IntroPerson(
            id=PersonId(m.person_id),
            name=m.name,
            role=m.role,
            organisation=m.organisation,
            platform=m.platform or platform,
            email=m.email,
            timezone=m.timezone,
            reach=None
            if m.person_id in reading
            else prompts.render("intro_reach", platform=m.platform, email=m.email),
        )
        for m in members
    )
    labels = intro_labels(prompts, programme)
    # the subject of an email or a Teams meeting: only rendered where there will be one
    linked = platform == "teams" or any(m.email for m in members if m.person_id not in reading)
    subject = prompts.render("intro_subject", names=[m.name for m in members]) if linked else ""
    view = IntroductionView(
        introduction=IntroductionId(introduction_id),
        programme=ProgrammeId(programme_id) if programme_id is not None else None,
        programme_name=programme,
        platform=platform,
        people=people,
        readers=tuple(PersonId(r) for r in readers),
        first_mover=PersonId(first_mover),
        why=why,
        structure=prompts.render("intro_structure", count=len(members)),
        starter=IntroStarter(
            starter_key, starter, prompts.render("intro_starter", starter=starter)
        ),
        checkin_due_at=checkin_at,
        copies=(),
        labels=labels,
        links=IntroLinks(
            subject=subject,
            attendees=tuple((p.id, p.email) for p in people if p.email),
        ),
        answer=answer,
    )
    # Teams gives each member a copy of their own; Slack one copy read by all in a group DM
    # (and, for several Teams readers, words for all at once too, for plain-text uses)
    wanted: list[int | None] = list(readers)
    if len(readers) > 1:
        wanted = [None] if platform != "teams" else [*readers, None]
    copies = tuple(_copy(prompts, view, reader, now) for reader in wanted)
    return replace(view, copies=copies)


def _copy(prompts: Prompts, view: IntroductionView, reader: int | None, now: datetime) -> IntroCopy:
    me = PersonId(reader) if reader is not None else None
    partners = view.partners(me)
    elsewhere = [p for p in view.elsewhere() if p.id != me]
    mover = view.mover
    first_names = [first_name(p.name) for p in partners]
    teams = view.platform == "teams"  # the chat link and its greeting are Teams' own
    chat_label = prompts.render("intro_chat_label", names=first_names) if teams else ""
    mail = tuple(
        MailLink(
            p.id,
            prompts.render("intro_mail_label", name=first_name(p.name)),
            mailto(
                p.email,
                view.links.subject,
                prompts.render(
                    "intro_mail_body",
                    name=first_name(p.name),
                    programme=view.programme_name,
                    starter=view.starter.text,
                    sender=view.person(me).name if me is not None else None,
                ),
            ),
        )
        for p in elsewhere
        if p.email
    )
    # the one tap that makes the first move on this copy
    if view.platform == "slack" and me is None:
        how, label = "slots", view.labels.suggest_time
    elif view.platform == "teams" and len(elsewhere) < len(partners):
        how, label = "chat", chat_label
    elif mail:
        how, label = "email", mail[0].label
    else:
        how, label = "reply", ""
    reader_zone = view.person(me).timezone if me is not None else mover.timezone
    return IntroCopy(
        reader=me,
        summary=prompts.render(
            "intro_summary", people=[f"{p.name} ({p.organisation})" for p in partners]
        ),
        heading=prompts.render(
            "intro_heading", shared=me is None, names=[p.name for p in partners]
        ),
        first_move=prompts.render(
            "intro_first_move",
            shared=me is None,
            you=me == mover.id,
            mover=first_name(mover.name),
            how=how,
            label=label,
        ),
        checkin=prompts.render(
            "intro_checkin", checkin_at=view.checkin_due_at, timezone=reader_zone, now=now
        ),
        chat_label=chat_label,
        greeting=(
            prompts.render("intro_greeting", names=first_names, starter=view.starter.text)
            if teams
            else ""
        ),
        mail=mail,
    )


def mailto(address: str | None, subject: str, body: str) -> str:
    """A mailto: link with its subject and body (RFC 6068: spaces as %20, lines as CRLF)."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        "mailto:"
        + quote(address or "", safe="@")
        + "?subject="
        + quote(subject, safe="")
        + "&body="
        + quote(body, safe="")
    )


def with_starter(
    prompts: Prompts, view: IntroductionView, key: str, text: str, now: datetime
) -> IntroductionView:
    """The same introduction asking another question: every sentence that quotes it again."""
    swapped = replace(
        view, starter=IntroStarter(key, text, prompts.render("intro_starter", starter=text))
    )
    readers: list[int | None] = [c.reader for c in view.copies]
    return replace(swapped, copies=tuple(_copy(prompts, swapped, r, now) for r in readers))


def checkin_message(
    prompts: Prompts,
    *,
    introduction_id: int,
    partners: list[str],
    kind: str = "checkin",
    introduced: datetime,
    now: datetime,
    timezone: str | None = None,
    chosen: Answer | None = None,
) -> Message:
    """A check-in, nudge or follow-up (`kind`), saying how long ago the introduction was in
    the reader's time zone; with `chosen`, as redrawn once the group has answered."""
    assert kind in ("checkin", "nudge", "followup")
    words = {"partners": partners, "introduced": introduced, "now": now, "timezone": timezone}
    card = Card(
        title=prompts.render(f"{kind}_title"),
        sections=(prompts.render(f"{kind}_body", **words),),
        buttons=checkin_buttons(prompts, introduction_id, chosen),
    )
    return Message((card,))
