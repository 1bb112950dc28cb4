"""One rule for every CSV cell the project writes: never something a spreadsheet runs.

A cell starting with = + - @, a tab or a carriage return gets a leading apostrophe, unless it is a
plain number (such as -12 or -0.5000), which a spreadsheet reads as the number it is. Ids and
names are neutralised on output rather than refused on input: an id such as "@jo" or "+44…" from
a staff directory is legitimate and must not stop a coordinator.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(cell: str) -> str:
    if cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
