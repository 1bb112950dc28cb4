"""The three report panels (heat map, organisation diagram, growth per round), drawn on a
matplotlib Axes from the lead view only. Every word comes from prompts/chart_*.j2.

Colour-blind-safe: the Okabe–Ito palette for categories and one hue for the heat map, and
every colour is doubled by something else — a hatch and a label for hidden cells, a marker
shape and a word beside the name for bridge / weakly linked / not linked organisations, a
line style for thin links. Legends list only what the panel draws. Names are wrapped, never
cut; on a narrow card organisations are numbered, with a key.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import networkx as nx
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from bot.reports.privacy import LeadView
from bot.templates import Prompts

# Labels are people's and organisations' names: data, never math ("$" is a dollar sign).
matplotlib.rcParams["text.parse_math"] = False

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
BLUE, ORANGE, GREEN, PINK, SKY, VERMILION, YELLOW = OKABE_ITO
GREY = "#BBBBBB"
INK = "#222222"

# Above this many organisations the cells are too small to carry numbers: the colour (and
# grey for hidden cells) carries them, and the tables hold the figures.
LABELLED_CELLS = 12
# Above this many, names crowd each other: organisations are numbered, with a key.
NAMED_NODES = 8


@dataclass(frozen=True)
class Style:
    """How big things are drawn; `numbered` puts numbers for names (narrow cards)."""

    fontsize: float = 11
    numbered: bool = False
    name_width: int = 18  # characters a wrapped name line may take
    node_size: float = 900
    legend_columns: int = 2


class Words:
    """The chart's words: prompts/chart_NAME.j2, with the suppression threshold `k`."""

    def __init__(self, prompts: Prompts, k: int) -> None:
        self.prompts = prompts
        self.k = k

    def __call__(self, name: str, **context: Any) -> str:
        return self.prompts.render(f"chart_{name}", k=self.k, **context)


def wrap(text: str, width: int) -> str:
    """Whole words on lines of about `width` characters; a long word is broken, not cut."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def kind_of(view: LeadView, name: str) -> str:
    line = next((o for o in view.per_organisation if o.name == name), None)
    if line is None:
        return "linked"
    if line.bridge:
        return "bridge"
    if line.isolated:
        return "unlinked"
    if line.weakly_linked:
        return "weak"
    return "linked"


def draw_heatmap(ax: Axes, view: LeadView, words: Words, style: Style) -> None:
    size = len(view.organisations)
    fs = style.fontsize
    values = [[float(v) if isinstance(v, int) else math.nan for v in row] for row in view.matrix]
    peak = max((v for row in values for v in row if not math.isnan(v)), default=0.0) or 1.0
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad=GREY)
    image = ax.imshow(values or [[0.0]], cmap=cmap, vmin=0, vmax=peak)
    labelled = size <= LABELLED_CELLS
    fewer = withheld = False
    for i in range(size):
        for j in range(size):
            value = view.matrix[i][j]
            if isinstance(value, int):
                if labelled:
                    dark = value > peak * 0.5
                    ax.text(
                        j,
                        i,
                        f"{value:,}",
                        ha="center",
                        va="center",
                        fontsize=fs,
                        fontweight="bold",
                        color="white" if dark else INK,
                        in_layout=False,
                    )
                continue
            fewer, withheld = fewer or value is None, withheld or value is not None
            if labelled:
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor=GREY,
                        hatch="//" if style.numbered else "///",
                        edgecolor="white",
                    )
                )
                label = words("cell_fewer") if value is None else words("cell_withheld")
                ax.text(
                    j, i, label, ha="center", va="center", fontsize=fs, color=INK, in_layout=False
                )
    # Columns by number, rows by number and name (or number only, where a key names them):
    # no crowded, rotated names to collide. Many columns take smaller numbers.
    numbers = [str(n) for n in range(1, size + 1)]
    small = max(fs * min(1.0, 12 / max(size, 1)), 9.0 if style.numbered else 7.0)
    ax.set_xticks(range(size), numbers, fontsize=small)
    ax.xaxis.tick_top()
    rows = (
        numbers
        if style.numbered
        else [
            f"{wrap(name, style.name_width)}  {n}" for n, name in enumerate(view.organisations, 1)
        ]
    )
    ax.set_yticks(range(size), rows, fontsize=small if style.numbered else fs - 1)
    key = words("heatmap_key", labelled=labelled, fewer=fewer, withheld=withheld)
    title = words("heatmap_title") + (f"\n{key}" if key else "")
    ax.set_title(title, fontsize=fs + 1, loc="left", pad=fs * 2.4)
    if not labelled or not style.numbered:  # on a card the numbers in the cells suffice
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
        bar.set_label(wrap(words("heatmap_scale"), 60), fontsize=fs - 1)
        bar.ax.tick_params(labelsize=fs - 2)
        bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))


def draw_growth(ax: Axes, view: LeadView, words: Words, style: Style) -> None:
    fs = style.fontsize
    rounds = [line.round for line in view.per_round]
    new = [line.new_cross_org_ties for line in view.per_round]
    met = [line.new_cross_org_ties_met for line in view.per_round]
    new_bars = [v if isinstance(v, int) else 0 for v in new]
    met_bars = [
        m if isinstance(m, int) and isinstance(n, int) else 0 for m, n in zip(met, new, strict=True)
    ]
    if any(new_bars):
        ax.bar(rounds, new_bars, color=SKY, label=words("growth_new"), width=0.6)
    if any(met_bars):
        ax.bar(
            rounds,
            met_bars,
            color=BLUE,
            label=words("growth_met"),
            width=0.6,
            hatch="..",
            edgecolor="white",
            linewidth=0,
        )
    hidden = words("cell_fewer")
    for r, value in zip(rounds, new, strict=True):
        if not isinstance(value, int):
            text = hidden if value is None else words("cell_withheld")
            ax.text(r, 0, text, ha="center", va="bottom", fontsize=fs - 1, color=INK)
    points = [
        (line.round, line.cross_org_ties_total)
        for line in view.per_round
        if isinstance(line.cross_org_ties_total, int)
    ]
    if points:
        ax.plot(
            [r for r, _ in points],
            [t for _, t in points],
            color=VERMILION,
            marker="o",
            markersize=fs * 0.6,
            linewidth=3,
            label=words("growth_total"),
        )
        last_round, last_total = points[-1]
        ax.annotate(
            f"{last_total:,}",
            (last_round, last_total),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=fs,
            color=VERMILION,
            fontweight="bold",
        )
    ax.set_title(words("growth_title"), fontsize=fs + 2, loc="left")
    ax.set_xlabel(words("growth_x"), fontsize=fs)
    ax.set_ylabel(wrap(words("growth_y"), 22 if style.numbered else 40), fontsize=fs)
    if rounds:  # whole rounds only, even when there are too few for the locator to choose
        ax.set_xlim(min(rounds) - 0.6, max(rounds) + 0.6)
        if len(rounds) <= (6 if style.numbered else 12):
            ax.set_xticks(rounds)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6 if style.numbered else 12, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if not rounds:
        ax.text(
            0.5,
            0.5,
            words("no_rounds"),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=fs,
        )
        ax.set_xticks([])
    ax.tick_params(labelsize=fs - 1)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    if handles:  # under the whole panel, where the layout keeps it clear of the axis label
        ax.figure.legend(
            handles,
            labels,
            loc="outside lower left",
            frameon=False,
            fontsize=fs - 1,
            ncol=1 if style.numbered else 3,
        )
    ax.set_ylim(bottom=0)
    ax.set_ylim(0, max(ax.get_ylim()[1], 1) * (1.35 if style.numbered else 1.15))


MARKERS = {"linked": "o", "bridge": "D", "weak": "^", "unlinked": "o"}
FACES = {"linked": BLUE, "bridge": VERMILION, "weak": YELLOW, "unlinked": "white"}
EDGE_STYLES = {"unlinked": "--"}


def _node_handle(kind: str, words: Words, size: float) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=MARKERS[kind],
        markersize=size,
        markerfacecolor=FACES[kind],
        markeredgecolor=INK,
        label=words(f"legend_{kind}"),
    )


def draw_network(ax: Axes, view: LeadView, words: Words, style: Style) -> None:
    """Organisations as markers, linked where ties exist; wider lines for more ties."""
    fs = style.fontsize
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
    edges = max(graph.number_of_edges(), 1)
    widest = (6.0 if style.numbered else 10.0) * min(1.0, math.sqrt(20 / edges))
    alpha = 0.75 if edges <= 20 else 0.45
    thin = wide = False
    for a, b, data in graph.edges(data=True):
        value = data["ties"]
        (x1, y1), (x2, y2) = positions[a], positions[b]
        if isinstance(value, int):
            wide = True
            ax.plot(
                [x1, x2],
                [y1, y2],
                color=BLUE,
                linewidth=1.0 + widest * value / peak,
                alpha=alpha,
                zorder=1,
                solid_capstyle="butt",
            )
        else:
            thin = True
            ax.plot([x1, x2], [y1, y2], color=GREY, linewidth=1.5, linestyle="--", zorder=1)
    kinds: set[str] = set()
    numbered = style.numbered
    for number, name in enumerate(view.organisations, 1):
        x, y = positions[name]
        kind = kind_of(view, name)
        kinds.add(kind)
        ax.scatter(
            [x],
            [y],
            s=style.node_size,
            marker=MARKERS[kind],
            color=FACES[kind],
            edgecolors=INK,
            linewidths=1.5,
            linestyle=EDGE_STYLES.get(kind, "-"),
            zorder=2,
        )
        label = str(number) if numbered else wrap(name, style.name_width)
        if kind != "linked":
            label += ("  " if numbered else "\n") + f"({words('node_tag', kind=kind)})"
        length = math.hypot(x, y) or 1.0
        dx, dy = x / length, y / length
        offset = math.sqrt(style.node_size) * 0.75
        ax.annotate(
            label,
            (x, y),
            textcoords="offset points",
            xytext=(offset * dx, offset * dy),
            ha="left" if dx > 0.3 else "right" if dx < -0.3 else "center",
            va="bottom" if dy > 0.3 else "top" if dy < -0.3 else "center",
            fontsize=fs,
            fontweight="bold" if numbered else "normal",
            color=INK,
            zorder=3,
            annotation_clip=False,
        )
    handles: list[Artist] = []
    if wide:
        handles.append(Line2D([], [], color=BLUE, linewidth=6, label=words("legend_wide")))
    if thin:
        handles.append(
            Line2D([], [], color=GREY, linewidth=1.5, linestyle="--", label=words("legend_thin"))
        )
    if kinds - {"linked"}:
        marker = math.sqrt(style.node_size) * 0.45
        order = ("linked", "bridge", "weak", "unlinked")
        handles += [_node_handle(kind, words, marker) for kind in order if kind in kinds]
    if handles:
        ax.legend(
            handles=handles,
            frameon=False,
            fontsize=fs - 1,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.02),
            ncol=style.legend_columns,
            handlelength=2.5,
            borderaxespad=0,
        )
    # A (sub)figure title, not the axes' own: the layout then keeps it clear of the names
    # that stand above the top circles.
    ax.figure.suptitle(words("network_title"), fontsize=fs + 2, x=0.02, ha="left")
    ax.margins(0.45 if style.numbered else 0.62, 0.25 if style.numbered else 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
