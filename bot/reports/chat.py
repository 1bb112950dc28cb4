"""The report in chat: a summary card and one chart, from the lead view only.

The report is for the asker alone (`Message.private`), with a "Share to channel" button when
it was asked somewhere others are; a shared report is posted where it was asked (`post_to`).
"""

from __future__ import annotations

from sqlmodel import Session

from bot.db.models import Programme
from bot.events import Button, Card, ConversationRef, Fact, Image, Message, Share
from bot.reports.build import build_report
from bot.reports.load import load_report_input
from bot.reports.privacy import LeadView, lead_view
from bot.templates import Prompts

FUNNEL_PAIRS_SHOWN = 3  # the organisation pairs with most ties; the rest are in the full report


def percent(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.0%}"


def funnel_sections(view: LeadView, prompts: Prompts) -> tuple[str, ...]:
    """The funnel over all ties across organisations, then the pairs with most ties (only
    pairs whose count of ties is shown, so the order gives nothing hidden away)."""
    total = prompts.render("report_funnel", view=view)
    counted = [(f.counts.get("introduced"), f) for f in view.funnel]
    ranked = sorted(
        ((n, f) for n, f in counted if isinstance(n, int) and n > 0),
        key=lambda item: (-item[0], item[1].organisation_a, item[1].organisation_b),
    )
    shown = [f for _, f in ranked]
    lines = prompts.render(
        "report_funnel_pairs",
        view=view,
        funnel_lines=shown[:FUNNEL_PAIRS_SHOWN],
        more=max(0, len(shown) - FUNNEL_PAIRS_SHOWN),
    )
    return tuple(text for text in (total, lines) if text)


def report_card(
    view: LeadView, prompts: Prompts, *, shared_by: str | None = None, shared: bool = False
) -> Card:
    context = {"view": view, "percent": percent}
    footer = prompts.render("report_footer", **context)
    if shared:
        footer = prompts.render("report_shared_by", name=shared_by) + " " + footer
    return Card(
        title=prompts.render("report_title", programme=view.programme),
        sections=tuple(
            text
            for text in (
                prompts.render("report_summary", **context),
                prompts.render("report_gaps", **context),
                *funnel_sections(view, prompts),
            )
            if text
        ),
        facts=tuple(
            Fact(
                prompts.render("report_round_label", row=row),
                prompts.render("report_round_line", row=row, **context),
            )
            for row in view.per_round[-6:]
        ),
        footer=footer,
    )


def report_message(
    session: Session,
    programme: Programme,
    prompts: Prompts,
    min_count: int,
    *,
    share: Button | None = None,
    post_to: ConversationRef | None = None,
    shared_by: str | None = None,
) -> Message:
    """For the asker alone, or (`post_to`) posted for everyone where a lead shared it."""
    report = build_report(load_report_input(session, programme), min_count=min_count)
    return view_message(
        lead_view(report), prompts, share=share, post_to=post_to, shared_by=shared_by
    )


def view_message(
    view: LeadView,
    prompts: Prompts,
    *,
    share: Button | None = None,
    post_to: ConversationRef | None = None,
    shared_by: str | None = None,
) -> Message:
    from bot.charts import PANELS, card_panels, report_chart

    panels = tuple(
        Image(
            title="",  # each panel carries its title in the picture
            alt_text=prompts.render(f"chart_{name}_title"),
            png=png,
            filename=f"crossties-{name}.png",
        )
        for name, png in zip(PANELS, card_panels(view, prompts), strict=True)
    )
    chart = Image(
        title=prompts.render("report_chart_title", programme=view.programme),
        alt_text=prompts.render("report_chart_alt", view=view, percent=percent),
        png=report_chart(view, prompts),
        filename="crossties-report.png",
        panels=panels,
    )
    card = report_card(view, prompts, shared_by=shared_by, shared=post_to is not None)
    if post_to is not None:
        return Message((card, chart), post_to=post_to)
    offer = Share(share, prompts.render("report_private")) if share is not None else None
    return Message((card, chart), private=True, share=offer)
