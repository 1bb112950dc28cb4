"""Neutral messages for what the handlers found: cards and lines, words from `prompts/`."""

from __future__ import annotations

import json
from typing import Any

from bot import actions
from bot.compose import checkin_buttons
from bot.events import Button, Card, Fact, Message, Text
from bot.formatting import zone_label
from bot.templates import Prompts
from bot.usecases import checkins, rounds, ties
from bot.usecases.profile import ProfileView


def profile(prompts: Prompts, view: ProfileView) -> Message:
    facts = (
        Fact(prompts.render("label_name"), view.name or "—"),
        Fact(prompts.render("label_organisation"), view.organisation or "—"),
        Fact(prompts.render("label_role"), view.role or "—"),
        Fact(prompts.render("label_timezone"), zone_label(view.timezone)),
        Fact(
            prompts.render("label_share_email"),
            prompts.render("profile_share_email", share=view.share_email),
        ),
        *tuple(
            Fact(name, prompts.render("profile_membership", status=status, until=until))
            for name, status, until in view.memberships
        ),
    )
    card = Card(
        title=prompts.render("profile_title"),
        facts=facts,
        footer=prompts.render("profile_footer"),
    )
    return Message((card,), ephemeral=True)


def current_match(prompts: Prompts, info: checkins.CurrentIntroduction) -> Message:
    card = Card(
        title=prompts.render("match_title", round=info.round_number, programme=info.programme),
        facts=tuple(
            Fact(n, prompts.render("intro_person", role=r, organisation=o))
            for n, o, r in info.partners
        ),
        sections=(
            prompts.render("intro_starter", starter=info.starter),
            prompts.render("match_answer", answer=info.my_answer),
        ),
        buttons=(
            *checkin_buttons(prompts, info.introduction_id),
            actions.another_question_button(
                prompts.render("button_another_question"), info.introduction_id, on_match=True
            ),
        ),
    )
    return Message((card,), ephemeral=True)


def ties_card(prompts: Prompts, views: list[ties.TieView]) -> Message:
    card = Card(
        title=prompts.render("ties_title", count=len(views)),
        facts=tuple(
            Fact(
                v.name,
                prompts.render(
                    "tie_line",
                    organisation=v.organisation,
                    stage=v.stage,
                    since=v.since,
                    collaborations=v.collaborations,
                ),
            )
            for v in views
        ),
    )
    return Message((card,), ephemeral=True)


def preview(prompts: Prompts, plan: rounds.RoundPlan) -> Message:
    lines = tuple(
        " + ".join(f"{n} ({o})" for n, o in zip(g.names, g.organisations, strict=True))
        for g in plan.groups[:50]
    )
    card = Card(
        title=prompts.render("preview_title", plan=plan),
        sections=(prompts.render("preview_summary", plan=plan), *lines),
        buttons=(Button(prompts.render("button_run_round"), "round run", "", "primary"),),
    )
    return Message((card,), ephemeral=True)


def forget_confirmation(prompts: Prompts) -> Message:
    card = Card(
        title=prompts.render("forget_title"),
        sections=(prompts.render("forget_confirm"),),
        buttons=(actions.forget_button(prompts.render("button_forget")),),
    )
    return Message((card,), ephemeral=True)


def programmes_card(
    prompts: Prompts, text: str, mine: list[tuple[int, str]], creates: bool
) -> Message:
    """The programmes here, with a form button per programme coordinated (`mine`: id, name)
    and one for a new programme."""
    buttons = [
        actions.form_button(prompts.render("button_edit_programme", programme=name), programme_id)
        for programme_id, name in mine
    ]
    if creates:
        buttons.append(actions.form_button(prompts.render("button_new_programme"), None, "primary"))
    card = Card(title=prompts.render("programmes_title"), sections=(text,), buttons=tuple(buttons))
    return Message((card,), ephemeral=True)


def my_data(prompts: Prompts, record: dict[str, Any]) -> Message:
    """What is held about a person in plain words, then the same as JSON to keep."""
    words = prompts.render("my_data", record=record)
    return Message((Text(words), Text(json.dumps(record, default=str, indent=2))), ephemeral=True)
