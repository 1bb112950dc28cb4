"""Report charts: nothing clipped, legends only for what is drawn, kinds told apart without
colour, words from prompts/, and a card layout that stays legible at Teams' width."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image as PILImage

from bot.charts import (
    CARD_SCALE,
    CARD_WIDTH_PX,
    card_panels,
    report_chart,
    report_figure,
    report_panels,
)
from bot.reports.privacy import WITHHELD, LeadView, OrganisationView, RoundView
from bot.templates import Prompts

NAMES = [
    "Northfield Hospitals NHS Foundation Trust",
    "Carers' Centre",
    "Pennine Community Health and Wellbeing Partnership",
    "St Aidan's Hospice",
    "Riverside GP Federation",
    "Northfield Adult Social Care",
]


def view_of(
    names: list[str] = NAMES,
    *,
    kinds: dict[str, str] | None = None,
    rounds: int = 4,
    hidden: bool = True,
) -> LeadView:
    """A lead view with ties between neighbours, some hidden, and chosen kinds of node."""
    kinds = kinds or {}
    size = len(names)
    matrix: list[list[int | object | None]] = [[0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            value: int | object | None = 0
            if j == i + 1:
                value = 6 + i
            elif hidden and (i + j) % 3 == 0:
                value = None if (i + j) % 2 else WITHHELD
            if names[i] in kinds and kinds[names[i]] == "unlinked":
                value = 0
            if names[j] in kinds and kinds[names[j]] == "unlinked":
                value = 0
            matrix[i][j] = matrix[j][i] = value
    organisations = [
        OrganisationView(
            name=name,
            joined=9,
            active=9,
            paused=0,
            left=0,
            introductions=9,
            met_rate=0.5,
            ei_index=0.5,
            partners=2,
            betweenness=0.2,
            bridge=kinds.get(name) == "bridge",
            isolated=kinds.get(name) == "unlinked",
            weakly_linked=kinds.get(name) == "weak",
        )
        for name in names
    ]
    per_round = [
        RoundView(r, 10, 0.6, 8 if r != 2 else None, 5, 8 * r if r < 2 else None)
        for r in range(1, rounds + 1)
    ]
    return LeadView(
        programme="Northfield Partnership",
        min_count=5,
        organisations=names,
        rounds=rounds,
        introductions=10 * rounds,
        met=6 * rounds,
        met_rate=0.6 if rounds else None,
        ties_by_stage={"introduced": 5, "met": 9, "collaborating": None},
        cross_org_ties=8 * rounds,
        same_org_ties=0,
        matrix=matrix,  # type: ignore[arg-type]
        strength=matrix,  # type: ignore[arg-type]
        per_round=per_round,
        per_organisation=organisations,
        organisation_pairs_linked=size - 1,
        organisation_pairs_total=size * (size - 1) // 2,
        organisation_pairs_met=size - 1,
        density=0.3,
        people_density=0.01,
        ei_index=0.5,
        isolated_organisations=[n for n, k in kinds.items() if k == "unlinked"],
        weakly_linked_organisations=[n for n, k in kinds.items() if k == "weak"],
        bridging_organisations=[n for n, k in kinds.items() if k == "bridge"],
        unlinked_pairs=[],
        thin_pairs=[],
        role_pairs=[],
        tags=[],
        connectors=[],
        funnel_total=(
            {"introduced": 84, "met": 57, "step_agreed": 19, "step_taken": None}
            | {"collaborating": WITHHELD}
            if hidden
            else {"introduced": 84, "met": 57, "step_agreed": 19, "step_taken": 11}
            | {"collaborating": 7}
        ),
    )


KINDS = {NAMES[1]: "bridge", NAMES[3]: "weak", NAMES[5]: "unlinked"}


def texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def legend_labels(fig: Figure) -> list[str]:
    return [
        t.get_text()
        for ax in fig.get_axes()
        if (legend := ax.get_legend()) is not None
        for t in legend.get_texts()
    ]


@pytest.mark.parametrize("layout", ["wide", "card"])
@pytest.mark.parametrize("size", [2, 6, 16])
def test_no_label_is_clipped_or_cut(layout: str, size: int) -> None:
    names = [f"{NAMES[i % len(NAMES)]} {i}" for i in range(size)] if size > 6 else NAMES[:size]
    fig = report_figure(view_of(names, kinds=KINDS), layout=layout)  # type: ignore[arg-type]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    # Everything drawn (titles, tick labels, legends, names beside the nodes) is inside.
    drawn = fig.get_tightbbox(renderer)
    size_in = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, drawn
    assert drawn.x1 <= size_in[0] + 0.01 and drawn.y1 <= size_in[1] + 0.01, drawn
    assert not any("…" in t.get_text().lstrip("…") for t in texts(fig))


def test_legends_list_only_what_is_drawn() -> None:
    plain = report_figure(view_of(hidden=False))
    labels = legend_labels(plain)
    assert "more ties, wider line" in labels
    assert not any("fewer than" in label for label in labels)
    assert not any(word in " ".join(labels) for word in ("bridge", "weakly", "not linked"))
    key = [t.get_text() for t in texts(plain) if t.get_text().startswith("Ties between")]
    assert key == ["Ties between organisations"]  # no hidden cells, so no key for them

    mixed = legend_labels(report_figure(view_of(kinds=KINDS)))
    assert "fewer than 5 ties, or not shown" in mixed
    assert {"bridge: holds others together", "weakly linked", "not linked yet", "linked"} <= set(
        mixed
    )
    only_bridge = legend_labels(report_figure(view_of(kinds={NAMES[1]: "bridge"})))
    assert "bridge: holds others together" in only_bridge
    assert "weakly linked" not in only_bridge and "not linked yet" not in only_bridge


def test_kinds_of_organisation_are_told_apart_without_colour() -> None:
    fig = report_figure(view_of(kinds=KINDS))
    words = [t.get_text() for t in texts(fig)]
    assert any(NAMES[1].split()[0] in w and "(bridge)" in w for w in words)
    assert any("(weak link)" in w for w in words) and any("(not linked)" in w for w in words)
    network = next(ax for ax in fig.get_axes() if ax.collections and ax.get_aspect() == 1.0)
    markers = {
        tuple(collection.get_paths()[0].vertices.round(2).flatten())
        for collection in network.collections
    }
    assert len(markers) >= 3  # circle, diamond, triangle: shape as well as colour


def test_every_chart_word_comes_from_prompts(tmp_path: Path) -> None:
    for path in Prompts().folders[0].glob("chart_*.j2"):
        (tmp_path / path.name).write_text(f"X{path.stem.upper()}X", encoding="utf-8")
    for layout in ("wide", "card"):
        fig = report_figure(view_of(kinds=KINDS), Prompts(tmp_path), layout=layout)  # type: ignore[arg-type]
        seen = [" ".join(t.get_text().split()) for t in texts(fig)]
        assert any(t.startswith("XCHART_HEATMAP_TITLEX") for t in seen)
        assert "XCHART_NETWORK_TITLEX" in seen
        for text in seen:
            rest = re.sub(r"XCHART_[A-Z_]+X", "", text)
            for name in NAMES:
                rest = rest.replace(name, "")
            assert not re.search(r"[A-Za-z]", rest), text


def test_the_card_chart_is_drawn_at_twice_card_width_with_legible_type() -> None:
    view = view_of(kinds=KINDS)
    png = report_chart(view, layout="card")
    with PILImage.open(io.BytesIO(png)) as image:
        assert image.size[0] == CARD_WIDTH_PX * CARD_SCALE
        assert image.mode == "P"  # a small palette: small files
    fig = report_figure(view, layout="card")
    inches = fig.get_figwidth()
    for text in texts(fig):
        shown_px = text.get_fontsize() / 72 * (CARD_WIDTH_PX / inches)
        assert shown_px >= 12, (text.get_text(), shown_px)
    # Organisations by number on the card, with the names in a key.
    assert any(t.get_text().startswith("Numbers in the charts:") for t in texts(fig))


def test_card_panels_are_separate_pictures_small_enough_for_a_card() -> None:
    panels = report_panels(view_of(kinds=KINDS))
    assert len(panels) == 4  # heat map, organisation diagram, growth, funnel
    for png in panels:
        with PILImage.open(io.BytesIO(png)) as image:
            assert image.size[0] == CARD_WIDTH_PX * CARD_SCALE
        assert len(png) < 40 * 1024


def test_card_panels_are_drawn_at_the_width_a_card_shows_and_fit_inside_one() -> None:
    """What Teams gets: no resampling there, so each panel is drawn at card width and small
    enough for a card as it is (the old path shrank a 1,000-pixel chart to 32 colours)."""
    twenty = [f"Organisation number {n} of the partnership" for n in range(20)]
    for view in (view_of(kinds=KINDS), view_of(hidden=False), view_of(twenty)):
        panels = card_panels(view)
        assert len(panels) == 4
        for png in panels:
            with PILImage.open(io.BytesIO(png)) as image:
                assert image.size[0] == CARD_WIDTH_PX
            assert len(png) <= 28 * 1024


@pytest.mark.parametrize("layout", ["wide", "card"])
def test_the_funnel_shows_each_stage_its_share_and_hidden_steps_in_words(layout: str) -> None:
    fig = report_figure(view_of(), layout=layout)  # type: ignore[arg-type]
    seen = [" ".join(t.get_text().split()) for t in texts(fig)]
    assert "From introduction to working together" in seen
    for stage in ("introduced", "met", "agreed a next step", "took the step", "collaborating"):
        assert stage in seen, stage
    assert "84" in seen and "57 (68%)" in seen and "19 (23%)" in seen
    assert "<5" in seen and "n/s" in seen  # took the step: fewer than 5; collaborating: withheld
    assert any(t.endswith("<5: fewer than 5 · n/s: not shown") for t in seen)
    assert not any(t.startswith(("11 (", "7 (")) for t in seen)  # no exact hidden figure
    full = [" ".join(t.get_text().split()) for t in texts(report_figure(view_of(hidden=False)))]
    assert "11 (13%)" in full and "7 (8%)" in full
    assert not any("not shown" in t for t in full if "fewer" not in t)


def test_no_ties_across_organisations_is_said_not_drawn_as_empty_bars() -> None:
    for empty in ({}, dict.fromkeys(("introduced", "met", "step_agreed"), 0)):
        view = replace(view_of(hidden=False), funnel_total=empty)  # type: ignore[arg-type]
        fig = report_figure(view, layout="card")
        assert "No ties across organisations yet" in [t.get_text() for t in texts(fig)]
    hidden = {"introduced": WITHHELD, "met": None, "step_agreed": None, "step_taken": 0}
    view = replace(view_of(hidden=False), funnel_total=hidden | {"collaborating": None})
    seen = [t.get_text() for t in texts(report_figure(view, layout="card"))]
    assert "No ties across organisations yet" not in seen  # hidden is not none
    assert seen.count("<5") >= 3 and "n/s" in seen and "0" in seen


def test_a_programme_with_no_rounds_still_draws() -> None:
    view = replace(view_of(rounds=0, hidden=False), per_round=[], met_rate=None)
    for layout in ("wide", "card"):
        fig = report_figure(view, layout=layout)  # type: ignore[arg-type]
        assert "No rounds yet" in [t.get_text() for t in texts(fig)]
        assert report_chart(view, layout=layout).startswith(b"\x89PNG")  # type: ignore[arg-type]


@pytest.mark.parametrize("rounds", [1, 2, 30])
def test_the_growth_axis_counts_whole_rounds(rounds: int) -> None:
    for layout in ("wide", "card"):
        fig = report_figure(view_of(rounds=rounds, hidden=False), layout=layout)  # type: ignore[arg-type]
        FigureCanvasAgg(fig).draw()
        growth = [ax for ax in fig.axes if ax.get_xlabel() == "round"]
        assert len(growth) == 1
        low, high = growth[0].get_xlim()
        ticks = [t for t in growth[0].get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert all(1 <= t <= rounds for t in ticks)
        if rounds <= 6:
            assert ticks == list(range(1, rounds + 1))
