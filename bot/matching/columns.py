"""Past pairs as columns: the facts of a list of `PastPair` without one object per row.

A history of millions of rows costs a second or more per million as `PastPair` objects, and the
engine turns them straight back into arrays. `HistoryColumns` hands it the arrays; it is still a
`Sequence[PastPair]`, so code that walks the history row by row keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple, overload

import numpy as np
import numpy.typing as npt

from .models import PastPair

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class HistoryArrays(NamedTuple):
    """History by participant and organisation index, as the engine keys them."""

    a: IntArray  # participant index, -1 when not a participant now
    b: IntArray
    round: IntArray
    org_a: IntArray  # organisation index, -1 unknown now, -2 not recorded
    org_b: IntArray
    met: BoolArray


def _no_orgs() -> IntArray:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class HistoryColumns(Sequence[PastPair]):
    """Row i is `PastPair(round[i], ids[a[i]], ids[b[i]], orgs[org_a[i]], orgs[org_b[i]], met[i])`.

    `ids` and `orgs` are tables of distinct names; `org_a`/`org_b` may be left empty (no
    organisation recorded) or hold -1 where a row has none.
    """

    ids: Sequence[str]
    round: IntArray
    a: IntArray
    b: IntArray
    met: BoolArray
    orgs: Sequence[str] = ()
    org_a: IntArray = field(default_factory=_no_orgs)
    org_b: IntArray = field(default_factory=_no_orgs)

    def __post_init__(self) -> None:
        m = self.round.shape[0]
        shapes = {self.a.shape, self.b.shape, self.met.shape}
        if shapes != {(m,)}:
            raise ValueError("history columns differ in length")
        organisations = {self.org_a.shape, self.org_b.shape}
        if (self.org_a.size or self.org_b.size) and organisations != {(m,)}:
            raise ValueError("organisation columns differ in length from the history")

    def __len__(self) -> int:
        return int(self.round.shape[0])

    @overload
    def __getitem__(self, i: int) -> PastPair: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[PastPair]: ...
    def __getitem__(self, i: int | slice) -> PastPair | Sequence[PastPair]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return PastPair(
            int(self.round[i]),
            self.ids[int(self.a[i])],
            self.ids[int(self.b[i])],
            self._org(self.org_a, i),
            self._org(self.org_b, i),
            bool(self.met[i]),
        )

    def __iter__(self) -> Iterator[PastPair]:
        return (self[i] for i in range(len(self)))

    def _org(self, column: IntArray, i: int) -> str | None:
        if column.size == 0 or column[i] < 0:
            return None
        return self.orgs[int(column[i])]

    def arrays(self, index: Mapping[str, int], org_index: Mapping[str, int]) -> HistoryArrays:
        """The columns re-keyed to `index` (participants) and `org_index` (organisations)."""
        remap = _remap(self.ids, index)
        m = len(self)
        if self.org_a.size:
            orgs = np.append(_remap(self.orgs, org_index), -2)  # -1 in a row: not recorded
            oa, ob = orgs[self.org_a], orgs[self.org_b]
        else:
            oa, ob = np.full(m, -2, dtype=np.int64), np.full(m, -2, dtype=np.int64)
        return HistoryArrays(
            remap[self.a], remap[self.b], self.round.astype(np.int64), oa, ob, self.met
        )


def _remap(names: Sequence[str], index: Mapping[str, int]) -> IntArray:
    return np.fromiter(map(index.get, names, repeat(-1)), dtype=np.int64, count=len(names))
