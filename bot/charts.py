"""Report charts as PNG bytes (matplotlib, off-screen), drawn from the lead view only.

Figures are built with the object API, never pyplot's global state, so reports drawn in
worker threads at the same time cannot get in each other's way.

Colour-blind-safe: the Okabe–Ito palette for categories and one hue for the heat map, and
every colour is doubled by a label, a hatch or a line style. Suppressed figures are drawn as
hatched grey with "<k", never as their value.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from bot.reports import Report, lead_view
from bot.reports.privacy import LeadView

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
BLUE, ORANGE, GREEN, PINK, SKY, VERMILION, YELLOW = OKABE_ITO
GREY = "#BBBBBB"
INK = "#222222"


def _short(name: str, width: int = 22) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _wrap(name: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(_short(name, 40), width)) or name


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _view(report: Report | LeadView) -> LeadView:
    return report if isinstance(report, LeadView) else lead_view(report)


# Above this many organisations the cells are too small to carry numbers at chat size:
# the colour (and grey for hidden cells) carries them, and the tables hold the figures.
LABELLED_CELLS = 12


def draw_heatmap(ax: Axes, view: LeadView, *, fontsize: int = 11) -> None:
    size = len(view.organisations)
    k = view.min_count
    values = [[float(v) if isinstance(v, int) else math.nan for v in row] for row in view.matrix]
    peak = max((v for row in values for v in row if not math.isnan(v)), default=0.0) or 1.0
    # One hue from white to deep blue: more ties, darker; hidden cells grey. Readable
    # without colour vision, since the hidden cells are also labelled or hatched.
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad=GREY)
    image = ax.imshow(values or [[0.0]], cmap=cmap, vmin=0, vmax=peak)
    labelled = size <= LABELLED_CELLS
    for i in range(size):
        for j in range(size):
            value = view.matrix[i][j]
            if not labelled:
                continue
            if not isinstance(value, int):
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, facecolor=GREY, hatch="///", edgecolor="white"
                    )
                )
                label = f"<{k}" if value is None else "n/s"
                ax.text(
                    j,
                    i,
                    label,
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color=INK,
                    in_layout=False,
                )
            else:
                dark = value > peak * 0.5
                ax.text(
                    j,
                    i,
                    f"{value:,}",
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    fontweight="bold",
                    color="white" if dark else INK,
                    in_layout=False,
                )
    names = [_short(n, 26) for n in view.organisations]
    ax.set_xticks(range(size), names, rotation=35, ha="right", fontsize=fontsize)
    ax.set_yticks(range(size), names, fontsize=fontsize)
    legend = f"<{k}: fewer than {k} · n/s: not shown" if labelled else f"grey: fewer than {k}"
    ax.set_title(
        f"Ties between organisations\n{legend}",
        fontsize=fontsize + 1,
        loc="left",
    )
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
    bar.set_label("ties (diagonal: within one organisation)", fontsize=fontsize - 1)
    bar.ax.tick_params(labelsize=fontsize - 2)


def draw_growth(ax: Axes, view: LeadView, *, fontsize: int = 11) -> None:
    rounds = [line.round for line in view.per_round]
    new = [line.new_cross_org_ties for line in view.per_round]
    met = [line.new_cross_org_ties_met for line in view.per_round]
    new_bars = [v if isinstance(v, int) else 0 for v in new]
    met_bars = [
        m if isinstance(m, int) and isinstance(n, int) else 0 for m, n in zip(met, new, strict=True)
    ]
    ax.bar(
        rounds,
        new_bars,
        color=SKY,
        label="new ties this round",
        width=0.6,
    )
    ax.bar(
        rounds,
        met_bars,
        color=BLUE,
        label="… of which met",
        width=0.6,
    )
    for r, value in zip(rounds, new, strict=True):
        if not isinstance(value, int):
            ax.text(r, 0, view.text(value), ha="center", va="bottom", fontsize=fontsize, color=INK)
    shown = [(line.round, line.cross_org_ties_total) for line in view.per_round]
    points = [(r, t) for r, t in shown if isinstance(t, int)]
    if points:
        ax.plot(
            [r for r, _ in points],
            [t for _, t in points],
            color=VERMILION,
            marker="o",
            markersize=7,
            linewidth=3,
            label="total so far",
        )
        last_round, last_total = points[-1]
        ax.annotate(
            f"{last_total:,}",
            (last_round, last_total),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=fontsize,
            color=VERMILION,
            fontweight="bold",
        )
    ax.set_title("Cross-organisation ties, round by round", fontsize=fontsize + 3, loc="left")
    ax.set_xlabel("round", fontsize=fontsize)
    ax.set_ylabel("ties across organisations", fontsize=fontsize)
    if rounds:
        ax.set_xticks(rounds)
    else:
        ax.text(0.5, 0.5, "No rounds yet", ha="center", va="center", transform=ax.transAxes)
    ax.tick_params(labelsize=fontsize - 1)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=fontsize - 1, loc="upper left")
    ax.set_ylim(bottom=0)
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.12)


def draw_network(ax: Axes, view: LeadView, *, fontsize: int = 11) -> None:
    """Organisations as circles, linked where ties exist; wider lines for more ties."""
    k = view.min_count
    graph = nx.Graph()
    graph.add_nodes_from(view.organisations)
    for i, a in enumerate(view.organisations):
        for j in range(i + 1, len(view.organisations)):
            value = view.matrix[i][j]
            if value != 0:
                graph.add_edge(a, view.organisations[j], ties=value)
    positions = nx.circular_layout(graph) if len(graph) > 2 else nx.spring_layout(graph, seed=1)
    shown = [d["ties"] for _, _, d in graph.edges(data=True) if isinstance(d["ties"], int)]
    peak = max(shown, default=1) or 1
    # Many links: thinner and lighter lines, so the diagram stays a diagram, not a blob.
    edges = max(graph.number_of_edges(), 1)
    widest = 10.0 if edges <= 20 else max(1.5, 10.0 * math.sqrt(20 / edges))
    alpha = 0.75 if edges <= 20 else 0.45
    for a, b, data in graph.edges(data=True):
        value = data["ties"]
        (x1, y1), (x2, y2) = positions[a], positions[b]
        if not isinstance(value, int):
            ax.plot([x1, x2], [y1, y2], color=GREY, linewidth=1.5, linestyle="--", zorder=1)
        else:
            width = 1.0 + widest * value / peak
            ax.plot([x1, x2], [y1, y2], color=BLUE, linewidth=width, alpha=alpha, zorder=1)
    lines = {line.name: line for line in view.per_organisation}
    for name, (x, y) in positions.items():
        line = lines.get(name)
        colour = BLUE
        if line is not None and line.bridge:
            colour = VERMILION
        elif line is not None and line.isolated:
            colour = GREY
        elif line is not None and line.weakly_linked:
            colour = YELLOW
        ax.scatter([x], [y], s=900, color=colour, edgecolors=INK, linewidths=1.5, zorder=2)
        # Labels sit outside the ring, pointing away from the centre.
        length = math.hypot(x, y) or 1.0
        dx, dy = x / length, y / length
        ax.annotate(
            _wrap(name),
            (x, y),
            textcoords="offset points",
            xytext=(26 * dx, 26 * dy),
            ha="left" if dx > 0.3 else "right" if dx < -0.3 else "center",
            va="bottom" if dy > 0.3 else "top" if dy < -0.3 else "center",
            fontsize=fontsize,
            color=INK,
            zorder=3,
        )
    handles = [
        Line2D([], [], color=BLUE, linewidth=6, label="more ties, wider line"),
        Line2D(
            [],
            [],
            color=GREY,
            linewidth=1.5,
            linestyle="--",
            label=f"fewer than {k} ties, or not shown",
        ),
        Patch(facecolor=VERMILION, edgecolor=INK, label="bridge (holds others together)"),
        Patch(facecolor=YELLOW, edgecolor=INK, label="weakly linked"),
        Patch(facecolor=GREY, edgecolor=INK, label="not linked yet"),
    ]
    ax.legend(
        handles=handles,
        frameon=False,
        fontsize=fontsize - 2,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=2,
    )
    ax.set_title("Which organisations are linked", fontsize=fontsize + 3, loc="left", pad=36)
    ax.margins(0.62, 0.3)
    ax.set_aspect("equal")
    ax.axis("off")


def _one_panel(draw: Callable[..., None], view: LeadView, figsize: tuple[float, float]) -> bytes:
    fig = Figure(figsize=figsize, dpi=100)
    draw(fig.subplots(), view, fontsize=12)
    fig.tight_layout()
    return _png(fig)


def heatmap_png(report: Report | LeadView) -> bytes:
    view = _view(report)
    size = max(len(view.organisations), 2)
    return _one_panel(draw_heatmap, view, (4 + 0.9 * size, 2.5 + 0.8 * size))


def growth_png(report: Report | LeadView) -> bytes:
    return _one_panel(draw_growth, _view(report), (8, 5))


def network_png(report: Report | LeadView) -> bytes:
    return _one_panel(draw_network, _view(report), (8, 7.5))


def report_chart(report: Report | LeadView) -> bytes:
    """The chat picture: the heat map and the organisation diagram above growth per round."""
    view = _view(report)
    fig = Figure(figsize=(15, 12.5), dpi=100)
    # Fixed margins rather than tight_layout: names are cut to 26 characters, so the room
    # they need is known, and measuring every label costs a third of the drawing time.
    grid = fig.add_gridspec(
        2,
        2,
        height_ratios=[1.25, 1],
        width_ratios=[1.1, 1],
        left=0.17,
        right=0.98,
        top=0.91,
        bottom=0.06,
        wspace=0.32,
        hspace=0.5,
    )
    draw_heatmap(fig.add_subplot(grid[0, 0]), view, fontsize=13)
    draw_network(fig.add_subplot(grid[0, 1]), view, fontsize=13)
    draw_growth(fig.add_subplot(grid[1, :]), view, fontsize=13)
    rate = f"met rate {view.met_rate:.0%}" if view.met_rate is not None else "met rate not shown"
    fig.suptitle(
        f"{view.programme}: {view.text(view.cross_org_ties)} cross-organisation ties, {rate}, "
        f"{view.organisation_pairs_linked} of {view.organisation_pairs_total} "
        "organisation pairs linked",
        fontsize=17,
        fontweight="bold",
    )
    return _png(fig)
