"""The funnel panel: how far ties across organisations went, from introduction to working
together (introduced → met → next step agreed → step taken → collaborating), drawn from the
lead view only, so each step is the figure a lead may see (hidden steps say why, in words).

One bar per step, longest first, each labelled with its count and its share of the ties
introduced; a hidden step is a grey hatched stub labelled as the heat map labels its cells.
"""

from __future__ import annotations

from matplotlib.axes import Axes

from bot.chart_panels import BLUE, GREEN, GREY, INK, Style, Words, wrap
from bot.reports.funnel import FUNNEL
from bot.reports.privacy import LeadView

STUB = 0.04  # a hidden step's stub, as a share of the longest bar


def draw_funnel(ax: Axes, view: LeadView, words: Words, style: Style) -> None:
    fs = style.fontsize
    total = view.funnel_total
    values = [total.get(step, 0) for step in FUNNEL]
    shown = [v for v in values if isinstance(v, int)]
    peak = max(shown, default=0) or 1  # every step hidden: stubs alone, at their own scale
    # The title heads the whole panel, wrapped to its width: the bars' own width is small
    # beside the stage names, and a key may stand to the right.
    panel = ax.figure
    chars = max(20, int(panel.bbox.width / panel.dpi * 72 / ((fs + 2) * 0.6)))
    panel.suptitle(wrap(words("funnel_title"), chars), x=0.02, ha="left", fontsize=fs + 2)
    if not total or all(v == 0 for v in values):  # hidden steps are not nothing
        ax.text(
            0.5,
            0.5,
            words("funnel_empty"),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=fs,
        )
        ax.set_axis_off()
        return
    introduced = values[0] if isinstance(values[0], int) and values[0] >= words.k else None
    rows = list(range(len(FUNNEL)))
    for row, step, value in zip(rows, FUNNEL, values, strict=True):
        colour = GREEN if step == "collaborating" else BLUE
        end = float(value) if isinstance(value, int) else peak * STUB  # the label goes after it
        if isinstance(value, int):
            ax.barh(row, value, color=colour, height=0.62)
            label = f"{value:,}"
            if introduced and row > 0:
                label = words("funnel_share", count=value, of_introduced=value / introduced)
        else:
            ax.barh(
                row,
                peak * STUB,
                color="white",
                edgecolor=GREY,
                hatch="///",
                height=0.62,
                linewidth=1,
            )
            label = words("cell_fewer") if value is None else words("cell_withheld")
        ax.text(
            end + peak * 0.02,
            row,
            label,
            va="center",
            ha="left",
            fontsize=fs,
            color=INK,
            fontweight="bold" if row == 0 else "normal",
        )
    ax.set_yticks(rows)
    names = [wrap(words("funnel_stage", stage=step), 22) for step in FUNNEL]
    ax.set_yticklabels(names)
    ax.invert_yaxis()  # introduced at the top, as a funnel narrows downwards
    ax.set_xlim(0, peak * 1.45)  # room for the labels beyond the longest bar
    ax.set_xticks([])  # every bar carries its number
    hidden = [v for v in values if not isinstance(v, int)]
    width = 48 if style.numbered else 60
    lines = [wrap(words("funnel_x"), width)]
    if hidden:  # what the stubs mean, under the bars where the layout keeps room for it
        fewer = any(v is None for v in hidden)
        lines.append(wrap(words("funnel_hidden", fewer=fewer, withheld=len(hidden) > fewer), width))
    ax.set_xlabel("\n".join(lines), fontsize=fs - 1)
    ax.tick_params(axis="y", length=0, labelsize=fs)
    ax.spines[["top", "right", "left", "bottom"]].set_visible(False)
