"""The report as one self-contained HTML page: tables, and the charts inline as base64 PNGs.

Rendered with Jinja2 autoescaping on: organisation names, professions and tags are typed by
people and may contain markup, which must stay text. The page also carries a Content Security
Policy that allows no script at all and images only from data: URLs, so even a mistake in
escaping could not run anything or fetch anything.
"""

from __future__ import annotations

import base64
from datetime import datetime

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.formatting import register as register_formatting
from bot.reports.privacy import LeadView
from bot.templates import Prompts

TEMPLATE = "report_page.j2"


def page_environment(prompts: Prompts) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in prompts.folders]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    register_formatting(env)
    env.filters["percent"] = lambda v: "not shown" if v is None else f"{v:.0%}"
    env.filters["signed"] = lambda v: "not shown" if v is None else f"{v:+.2f}"
    return env


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(view: LeadView, prompts: Prompts, *, generated: datetime) -> str:
    from bot.charts import growth_png, heatmap_png, network_png

    charts = {
        "heatmap": data_url(heatmap_png(view, prompts)),
        "network": data_url(network_png(view, prompts)),
        "growth": data_url(growth_png(view, prompts)),
    }
    template = page_environment(prompts).get_template(TEMPLATE)
    return template.render(
        view=view,
        charts=charts,
        generated=f"{generated:%d %B %Y, %H:%M} UTC",
    )
