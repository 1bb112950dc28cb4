"""`scripts/gallery`: every message kind on every platform as a PNG in docs/gallery/, and
docs/conversations.md showing them with what each message is for."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tests.gallery.draw import draw, missing_tools
from tests.gallery.kinds import MISSING, PURPOSES
from tests.gallery.samples import Shot, sample_shots

ROOT = Path(__file__).resolve().parents[2]


def conversations(shots: Sequence[Shot]) -> str:
    """The page that shows each picture with a line on what the message is for."""
    lines = [
        "# Conversations",
        "",
        "Every message Crossties sends, as a person sees it on each platform. The pictures are",
        "made by `scripts/gallery` from sample data run through the real core and the adapters'",
        "own renderers: Teams cards are drawn by Microsoft's `adaptivecards` renderer with a",
        "Teams-like host config at desktop chat width (470 px card; the introductions also at a",
        "320 px phone width), Slack Block Kit by a small HTML rendering at a phone width (390 px).",
        "Re-run `scripts/gallery` after changing a message, and look at the result.",
        "",
    ]
    by_kind: dict[str, list[Shot]] = {}
    for shot in shots:
        by_kind.setdefault(shot.kind, []).append(shot)
    for kind, (title, purpose) in PURPOSES.items():
        if kind not in by_kind:
            continue
        lines += [f"## {title}", "", purpose, ""]
        for shot in by_kind[kind]:
            label = shot.platform.capitalize() + (f" ({shot.variant})" if shot.variant else "")
            lines += [f"**{label}**", "", f"![{title}, {label}](gallery/{shot.name}.png)", ""]
    if MISSING:
        lines += ["## Not sent today", ""]
        lines += [f"- **{kind}**: {why}" for kind, why in MISSING.items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/gallery", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    parser.add_argument("--only", help="draw only pictures whose name contains this")
    args = parser.parse_args(argv)
    problem = missing_tools()
    if problem:
        print(f"gallery: {problem}", file=sys.stderr)
        return 2
    started = time.monotonic()
    shots = sample_shots()
    sampled = time.monotonic()
    chosen = [s for s in shots if not args.only or args.only in s.name]
    drawn = draw([(s.name, s.platform, s.payload, s.variant) for s in chosen], args.out)
    if not args.only:
        (args.out.parent / "conversations.md").write_text(conversations(shots), encoding="utf-8")
    for picture in drawn:
        size = picture.png.stat().st_size // 1024
        print(
            f"{picture.png.relative_to(ROOT) if picture.png.is_relative_to(ROOT) else picture.png}"
            f"  {size} KiB"
        )
        for line in picture.problems:
            print(f"    renderer: {line}")
        for label in picture.cut:
            print(f"    cut short: {label}")
    print(
        f"{len(drawn)} pictures; sampling {sampled - started:.1f} s, "
        f"drawing {time.monotonic() - sampled:.1f} s; missing kinds: {', '.join(MISSING) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
