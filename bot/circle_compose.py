"""The neutral messages of problem circles: a topic's card (with its Join button), the
message a formed circle gets (with the workshop structure), and the circle's check-in.

Every sentence comes from prompts/ (circle_*.j2); people are listed people-first: their
name, then their role and organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot import actions
from bot.compose import first_name, mailto
from bot.events import Button, Card, GroupChat, Message, Text
from bot.templates import Prompts


@dataclass(frozen=True)
class TopicView:
    id: int
    programme: str
    title: str
    description: str
    organisations: tuple[str, ...]
    signups: int
    forms_at: datetime
    status: str
    signed_up: bool = False  # the reader


@dataclass(frozen=True)
class CircleMate:
    person_id: int
    name: str
    role: str | None
    organisation: str
    platform: str | None
    email: str | None  # only when the person shares it


def topic_card(prompts: Prompts, topic: TopicView, *, timezone: str | None, now: datetime) -> Card:
    """One topic: what it is about, who it affects, when it forms, and a Join button."""
    when = {"moment": topic.forms_at, "timezone": timezone, "now": now}
    buttons: tuple[Button, ...] = ()
    if topic.status == "open" and not topic.signed_up:
        label = prompts.render("button_circle_join")
        buttons = (actions.circle_join_button(label, topic.id),)
    footer = prompts.render("circle_topic_footer", title=topic.title, signed_up=topic.signed_up)
    return Card(
        title=prompts.render("circle_topic_title", title=topic.title),
        sections=(
            topic.description,
            prompts.render("circle_topic_affects", organisations=list(topic.organisations)),
            prompts.render("circle_topic_when", count=topic.signups, status=topic.status, **when),
            prompts.render("circle_topic_about"),
        ),
        buttons=buttons,
        footer=footer if topic.signed_up else None,
    )


def proposal_card(
    prompts: Prompts, topic: TopicView, *, proposer: str, timezone: str | None, now: datetime
) -> Card:
    """A member's proposed topic, for a coordinator: what it is, who proposed it, whom it
    affects, and Approve / Decline."""
    when = {"moment": topic.forms_at, "timezone": timezone, "now": now}
    return Card(
        title=prompts.render("circle_proposal_title", title=topic.title),
        sections=(
            prompts.render(
                "circle_proposal_body", proposer=proposer, programme=topic.programme, **when
            ),
            topic.description,
            prompts.render("circle_topic_affects", organisations=list(topic.organisations)),
        ),
        buttons=actions.circle_decide_buttons(
            topic.id,
            prompts.render("button_circle_approve"),
            prompts.render("button_circle_decline"),
        ),
        footer=prompts.render("circle_proposal_footer"),
    )


def topics_message(
    prompts: Prompts,
    programme: str,
    topics: Sequence[TopicView],
    *,
    timezone: str | None,
    now: datetime,
    proposals: Sequence[tuple[TopicView, str]] = (),
) -> Message:
    """The answer to `circles`: a line, then one card per open topic; for a coordinator,
    the proposals waiting for them (with the proposer's name) after them."""
    head = prompts.render("circles_list", programme=programme, count=len(topics))
    parts: list[Text | Card] = [Text(head)]
    parts += [topic_card(prompts, t, timezone=timezone, now=now) for t in topics]
    if proposals:
        waiting = prompts.render(
            "circle_proposals_waiting", count=len(proposals), programme=programme
        )
        parts.append(Text(waiting))
        parts += [
            proposal_card(prompts, t, proposer=who, timezone=timezone, now=now)
            for t, who in proposals
        ]
    return Message(tuple(parts), ephemeral=True)


def circle_message(
    prompts: Prompts,
    *,
    title: str,
    description: str,
    members: Sequence[CircleMate],
    recipients: set[int],
    platform: str,
    checkin_days: int,
    checkin_at: datetime,
    timezone: str | None,
    now: datetime,
) -> Message:
    """A formed circle, for the members reached on `platform`; members elsewhere are named
    with where to reach them, and an email link for those who share an address. On Teams
    (no group chats for bots) each member's card opens a group chat with the others there."""
    lines = []
    mail: list[tuple[str, str]] = []
    for mate in members:
        reach = None
        if mate.person_id not in recipients and mate.platform != platform:
            reach = prompts.render("intro_reach", platform=mate.platform, email=mate.email)
            if mate.email:
                label = prompts.render("intro_mail_label", name=first_name(mate.name))
                body = prompts.render("circle_mail_body", name=first_name(mate.name), title=title)
                mail.append((label, mailto(mate.email, title, body)))
        lines.append(
            prompts.render(
                "circle_member",
                name=mate.name,
                role=mate.role,
                organisation=mate.organisation,
                reach=reach,
            )
        )
    card = Card(
        title=prompts.render("circle_title", title=title),
        sections=(
            prompts.render("circle_lead", count=len(members)),
            "\n".join(lines),
            description,
            prompts.render("circle_structure", count=len(members)),
            prompts.render("circle_arrange", name=members[0].name),
            prompts.render(
                "circle_checkin_note",
                days=checkin_days,
                checkin_at=checkin_at,
                timezone=timezone,
                now=now,
            ),
        ),
        links=tuple(mail),
        chat=_group_chat(prompts, title, members, platform),
    )
    return Message((card,))


def _group_chat(
    prompts: Prompts, title: str, members: Sequence[CircleMate], platform: str
) -> GroupChat | None:
    """Teams only: a chat with the circle's members on Teams (each reader's link leaves them
    out), its first message typed in for them."""
    here = [m for m in members if m.platform == "teams"]
    if platform != "teams" or len(here) < 2:
        return None
    return GroupChat(
        label=prompts.render("circle_chat_label"),
        topic=title,
        greeting=prompts.render(
            "circle_chat_greeting", title=title, arranger=first_name(members[0].name)
        ),
        people=tuple(m.person_id for m in here),
    )


def checkin_message(prompts: Prompts, *, circle_id: int, title: str, names: list[str]) -> Message:
    card = Card(
        title=prompts.render("circle_checkin_title"),
        sections=(prompts.render("circle_checkin_body", title=title, names=names),),
        buttons=actions.circle_checkin_buttons(
            circle_id,
            prompts.render("button_met"),
            prompts.render("button_not_yet"),
            prompts.render("button_could_not_meet"),
        ),
    )
    return Message((card,))
