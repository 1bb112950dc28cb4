"""Builds the neutral messages the bot sends on its own (introductions, check-ins, nudges,
follow-ups)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot import actions
from bot.db.models import Answer
from bot.events import Button, Card, Fact, Message
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


def introduction_message(
    prompts: Prompts,
    *,
    introduction_id: int,
    programme: str,
    members: list[GroupMember],
    recipients: set[int],
    platform: str,
    why: str,
    starter: str,
    checkin_days: int,
    programme_id: int | None = None,
) -> Message:
    """One introduction for the members reached on `platform`; others are named with a way
    to reach them (their platform, and email where they share it)."""
    facts = []
    for member in members:
        label = member.name + (
            " (you)" if member.person_id in recipients and len(recipients) == 1 else ""
        )
        where = prompts.render("intro_person", role=member.role, organisation=member.organisation)
        if member.person_id not in recipients and member.platform != platform:
            where += " · " + prompts.render(
                "intro_reach", platform=member.platform, email=member.email
            )
        facts.append(Fact(label, where))
    card = Card(
        title=prompts.render("intro_title", programme=programme),
        sections=(
            prompts.render("intro_lead", names=[m.name for m in members], count=len(members)),
            why,
            prompts.render("intro_structure", count=len(members)),
            prompts.render("intro_starter", starter=starter),
            prompts.render("intro_checkin", days=checkin_days),
        ),
        facts=tuple(facts),
        buttons=(
            *checkin_buttons(prompts, introduction_id),
            actions.pause_button(prompts.render("button_pause"), programme_id),
        ),
    )
    return Message((card,))


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
