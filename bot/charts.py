"""Report charts as PNG bytes (matplotlib, off-screen), drawn from the lead view only.

Two layouts: `wide` (a browser, Slack, the CLI's --png) puts the heat map and the
organisation diagram side by side above growth per round and the funnel of tie stages;
`card` is made for a chat card about 500 pixels wide (Teams): the panels one under another,
organisations numbered with a key, larger type, drawn at twice that width for sharp text and
reduced to a small palette so it fits inside a card. `report_panels` gives the card's panels
as separate pictures.

Figures are built with the object API, never pyplot's global state, so reports drawn in
worker threads at the same time cannot get in each other's way. Layout is constrained, so
labels are measured and never clipped. The drawing and its colour rules live in
`bot.chart_panels`; every word comes from prompts/chart_*.j2.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any, Literal

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure

from bot.chart_funnel import draw_funnel
from bot.chart_panels import (
    GREY,
    INK,
    NAMED_NODES,
    OKABE_ITO,
    Style,
    Words,
    draw_growth,
    draw_heatmap,
    draw_network,
    wrap,
)
from bot.reports import Report, lead_view
from bot.reports.privacy import LeadView
from bot.templates import Prompts

Layout = Literal["wide", "card"]
CARD_WIDTH_PX = 500  # as a Teams card shows it
CARD_SCALE = 2  # drawn at twice that, for sharp text on high-density screens
CARD_INCHES = 5.0
WIDE = Style(fontsize=13, name_width=18)
CARD = Style(fontsize=10.5, numbered=True, node_size=520, legend_columns=1)
Draw = Callable[[Axes, LeadView, Words, Style], None]


@lru_cache(maxsize=1)
def _shipped_prompts() -> Prompts:
    return Prompts()


def _view(report: Report | LeadView) -> LeadView:
    return report if isinstance(report, LeadView) else lead_view(report)


def _words(view: LeadView, prompts: Prompts | None) -> Words:
    return Words(prompts or _shipped_prompts(), view.min_count)


def _mix(colour: str, share: float) -> tuple[int, int, int]:
    """`colour` laid over white at `share` opacity."""
    r, g, b = to_rgb(colour)
    return tuple(round(255 * (share * c + 1 - share)) for c in (r, g, b))  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _card_palette() -> list[tuple[int, int, int]]:
    """The few colours a card picture may use: the chart's own, their lighter mixes (lines
    drawn see-through, anti-aliased edges), a grey ramp for text, and steps of the heat map."""
    colours = [_mix(c, share) for c in (*OKABE_ITO, INK) for share in (1.0, 0.7, 0.45, 0.2, 0.1)]
    colours += [_mix(GREY, share) for share in (1.0, 0.6)]
    ramp = colormaps["Blues"]
    colours += [tuple(round(255 * v) for v in ramp(i / 7)[:3]) for i in range(8)]  # type: ignore[misc]
    return list(dict.fromkeys(colours))


def _png(fig: Figure, *, palette: bool = False) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    if not palette:
        return buffer.getvalue()
    from PIL import Image as PILImage

    colours = _card_palette()
    chart = PILImage.new("P", (1, 1))
    chart.putpalette([v for rgb in colours for v in rgb] + [255, 255, 255] * (256 - len(colours)))
    image = PILImage.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    reduced = image.quantize(palette=chart, dither=PILImage.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _figure(size: tuple[float, float], dpi: float) -> Figure:
    """A figure whose layout measures every label, with a little room at the edges."""
    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(w_pad=0.08, h_pad=0.08)  # type: ignore[union-attr,call-arg]
    return fig


def _card_figure(height: float, scale: float = CARD_SCALE) -> Figure:
    return _figure((CARD_INCHES, height), CARD_WIDTH_PX * scale / CARD_INCHES)


def _key(target: Figure | SubFigure, view: LeadView, words: Words, fontsize: float) -> None:
    """The numbered organisations, for charts that show numbers for names."""
    lines = words("numbered_key", names=view.organisations).splitlines()
    per_column = max(22, -(-len(lines) // 3))
    columns = [lines[i : i + per_column] for i in range(0, len(lines), per_column)]
    for index, column in enumerate(columns):
        target.text(
            0.03 + index / len(columns),
            0.98,
            "\n".join(column),
            ha="left",
            va="top",
            fontsize=fontsize,
            linespacing=1.4,
        )


def _card_heights(view: LeadView, words: Words) -> dict[str, float]:
    size = max(len(view.organisations), 2)
    key_lines = len(words("numbered_key", names=view.organisations).splitlines())
    return {
        "heatmap": 1.2 + min(3.4, 0.4 * size + 0.4),
        "network": 4.3,
        "growth": 3.3,
        "funnel": 3.0,
        "key": 0.2 + 0.24 * key_lines,
    }


def _split(fig: Figure | SubFigure, rows: int, cols: int, **kwargs: Any) -> list[SubFigure]:
    parts = fig.subfigures(rows, cols, **kwargs)
    return [parts] if isinstance(parts, SubFigure) else list(parts.flat)


PANELS: dict[str, Draw] = {
    "heatmap": draw_heatmap,
    "network": draw_network,
    "growth": draw_growth,
    "funnel": draw_funnel,
}


def report_figure(
    report: Report | LeadView, prompts: Prompts | None = None, *, layout: Layout = "wide"
) -> Figure:
    """The whole report picture as a figure (drawn, not yet encoded)."""
    view = _view(report)
    words = _words(view, prompts)
    headline = words("headline", view=view)
    if layout == "card":
        heights = _card_heights(view, words)
        fig = _card_figure(sum(heights.values()) + 0.7)
        fig.suptitle(wrap(headline, 50), fontsize=CARD.fontsize + 2, fontweight="bold")
        parts = _split(fig, len(heights), 1, height_ratios=list(heights.values()))
        for part, name in zip(parts, heights, strict=True):
            if name == "key":
                _key(part, view, words, CARD.fontsize)
            else:
                PANELS[name](part.add_subplot(), view, words, CARD)
        return fig
    fig = _figure((15, 12.5), 100)
    fig.suptitle(wrap(headline, 110), fontsize=17, fontweight="bold")
    crowded = len(view.organisations) > NAMED_NODES
    style = replace(WIDE, numbered=True) if crowded else WIDE
    top, bottom = _split(fig, 2, 1, height_ratios=[1.3, 1])
    left, right = _split(top, 1, 2, width_ratios=[1.1, 1])
    draw_heatmap(left.add_subplot(), view, words, style)
    draw_network(right.add_subplot(), view, words, style)
    if crowded:  # numbers in the charts, names in a key beside the growth and the funnel
        growth, funnel, key = _split(bottom, 1, 3, width_ratios=[1.4, 1.1, 1.3])
        _key(key, view, words, WIDE.fontsize - 2)
    else:
        growth, funnel = _split(bottom, 1, 2, width_ratios=[1.3, 1])
    draw_growth(growth.add_subplot(), view, words, WIDE)
    draw_funnel(funnel.add_subplot(), view, words, WIDE)
    return fig


def report_chart(
    report: Report | LeadView, prompts: Prompts | None = None, *, layout: Layout = "wide"
) -> bytes:
    """The chat picture: every panel in one PNG, for a wide screen or a narrow card."""
    fig = report_figure(report, prompts, layout=layout)
    return _png(fig, palette=layout == "card")


def panel_figure(
    report: Report | LeadView,
    name: str,
    prompts: Prompts | None = None,
    *,
    layout: Layout = "card",
    scale: float = CARD_SCALE,
    key: bool = True,
) -> Figure:
    """One panel (`heatmap`, `network`, `growth` or `funnel`) as its own figure (on a card, with the
    key to the numbered organisations below it unless `key` is False)."""
    view = _view(report)
    words = _words(view, prompts)
    if layout == "card":
        heights = _card_heights(view, words)
        if name in ("growth", "funnel") or not key:
            fig = _card_figure(heights[name], scale)
            PANELS[name](fig.add_subplot(), view, words, CARD)
            return fig
        fig = _card_figure(heights[name] + heights["key"], scale)
        chart, below = _split(fig, 2, 1, height_ratios=[heights[name], heights["key"]])
        PANELS[name](chart.add_subplot(), view, words, CARD)
        _key(below, view, words, CARD.fontsize)
        return fig
    size = max(len(view.organisations), 2)
    figsize = {"heatmap": (4 + 0.9 * size, 2.5 + 0.8 * size), "network": (8, 7.5)}
    fig = _figure(figsize.get(name, (8, 5)), 100)
    PANELS[name](fig.add_subplot(), view, words, Style(fontsize=12))
    return fig


def report_panels(
    report: Report | LeadView, prompts: Prompts | None = None, *, layout: Layout = "card"
) -> list[bytes]:
    """Heat map, organisation diagram, growth and the funnel of tie stages as four PNGs (for a
    card: each small enough to sit inside one)."""
    return [
        _png(panel_figure(report, name, prompts, layout=layout), palette=layout == "card")
        for name in PANELS
    ]


CARD_IMAGE_BYTES = 28 * 1024  # an inline image beyond this makes Teams reject the card


def card_panels(report: Report | LeadView, prompts: Prompts | None = None) -> list[bytes]:
    """The card's panels for a chat card (Teams), each drawn at the width the card shows it
    (CARD_WIDTH_PX), so it is shown pixel for pixel and stays small enough for one card. With
    many organisations the diagram leaves its key to the heat map's, above it, to fit."""
    view = _view(report)
    out = []
    for name in PANELS:
        png = _png(panel_figure(view, name, prompts, layout="card", scale=1), palette=True)
        if len(png) > CARD_IMAGE_BYTES and name == "network":
            figure = panel_figure(view, name, prompts, layout="card", scale=1, key=False)
            png = _png(figure, palette=True)
        out.append(png)
    return out


def heatmap_png(report: Report | LeadView, prompts: Prompts | None = None) -> bytes:
    return _png(panel_figure(report, "heatmap", prompts, layout="wide"))


def network_png(report: Report | LeadView, prompts: Prompts | None = None) -> bytes:
    return _png(panel_figure(report, "network", prompts, layout="wide"))


def growth_png(report: Report | LeadView, prompts: Prompts | None = None) -> bytes:
    return _png(panel_figure(report, "growth", prompts, layout="wide"))
