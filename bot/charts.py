"""Report charts as PNG bytes (matplotlib, off-screen, colour-blind-safe palette)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bot.reports import Report

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def _short(name: str, width: int = 24) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def report_chart(report: Report) -> bytes:
    """Heat map of ties between organisations beside the growth of cross-organisation ties."""
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, 5.2), dpi=110, gridspec_kw={"width_ratios": [1.1, 1]}
    )
    names = [_short(n) for n in report.organisations]
    size = len(names)
    image = left.imshow(report.matrix or [[0]], cmap="cividis", vmin=0)
    left.set_xticks(range(size), names, rotation=40, ha="right", fontsize=9)
    left.set_yticks(range(size), names, fontsize=9)
    peak = max((max(row) for row in report.matrix), default=0)
    for i in range(size):
        for j in range(size):
            value = report.matrix[i][j]
            left.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=9,
                color="black" if value > peak * 0.6 else "white",
            )
    left.set_title("Ties between organisations", fontsize=12)
    fig.colorbar(image, ax=left, fraction=0.046, pad=0.04, label="ties")
    rounds = [row["round"] for row in report.cross_org_ties_per_round]
    totals = [row["cross_org_ties_total"] for row in report.cross_org_ties_per_round]
    new = [row["new_cross_org_ties"] for row in report.cross_org_ties_per_round]
    right.bar(rounds, new, color=OKABE_ITO[1], label="new this round")
    right.plot(rounds, totals, color=OKABE_ITO[0], marker="o", linewidth=2.5, label="total")
    right.set_title("Cross-organisation ties by round", fontsize=12)
    right.set_xlabel("round")
    right.set_ylabel("ties")
    if rounds:
        right.set_xticks(rounds)
    right.grid(axis="y", alpha=0.3)
    right.legend(frameon=False)
    fig.suptitle(
        f"{report.programme}: met rate {report.met_rate:.0%}, "
        f"{report.cross_org_ties} cross-organisation ties",
        fontsize=13,
    )
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
