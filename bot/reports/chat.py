"""The report in chat: a summary card and one chart, from the lead view only."""

from __future__ import annotations

from sqlmodel import Session

from bot.db.models import Programme
from bot.events import Card, Fact, Image, Message
from bot.reports.build import build_report
from bot.reports.load import load_report_input
from bot.reports.privacy import LeadView, lead_view
from bot.templates import Prompts


def percent(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.0%}"


def report_card(view: LeadView, prompts: Prompts) -> Card:
    context = {"view": view, "percent": percent}
    return Card(
        title=prompts.render("report_title", programme=view.programme),
        sections=tuple(
            text
            for text in (
                prompts.render("report_summary", **context),
                prompts.render("report_gaps", **context),
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
        footer=prompts.render("report_footer", **context),
    )


def report_message(
    session: Session, programme: Programme, prompts: Prompts, min_count: int
) -> Message:
    from bot.charts import report_chart

    report = build_report(load_report_input(session, programme), min_count=min_count)
    view = lead_view(report)
    chart = Image(
        title=prompts.render("report_chart_title", programme=programme.name),
        alt_text=prompts.render("report_chart_alt", view=view, percent=percent),
        png=report_chart(view, prompts),
        filename="crossties-report.png",
    )
    return Message((report_card(view, prompts), chart), ephemeral=False)
