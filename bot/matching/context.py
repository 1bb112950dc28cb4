"""Index-based view of a request: organisations, history and exclusions as arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from .columns import HistoryColumns
from .models import MatchRequest, Participant, Score

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_EULER = 0.5772156649015329
_CHUNK = 1 << 20
# Fixed reference instant so that timezone offsets (and hence results) are reproducible.
_TZ_REFERENCE = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)


# digamma(x) for x > 10 by its asymptotic series, with the coefficients and the order of
# operations of the Cephes `psi` that scipy.special.digamma uses: harmonic numbers come out
# bit for bit as they did through scipy, so matching results are unchanged, and `match` need
# not import scipy.special (a quarter of a second) for them.
_PSI_ASYMPTOTIC = (
    8.33333333333333333333e-2,
    -2.10927960927960927961e-2,
    7.57575757575757575758e-3,
    -4.16666666666666666667e-3,
    3.96825396825396825397e-3,
    -8.33333333333333333333e-3,
    8.33333333333333333333e-2,
)
# digamma(x) for the integers x = 1..10: 1 + 1/2 + ... + 1/(x-1) - γ, summed in that order.
_PSI_SMALL = np.array(
    [sum(1.0 / i for i in range(1, x)) - _EULER for x in range(1, 11)], dtype=np.float64
)


def _harmonic_by_series(arr: FloatArray) -> FloatArray:
    """digamma(arr + 1) + γ for a flat array of non-negative integers."""
    x = arr + 1.0
    z = np.reciprocal(x * x)
    poly = z * _PSI_ASYMPTOTIC[0]  # Horner's rule, as Cephes `polevl`, then times z
    for coefficient in _PSI_ASYMPTOTIC[1:-1]:
        poly += coefficient
        poly *= z
    poly += _PSI_ASYMPTOTIC[-1]
    poly *= z
    psi = np.log(x)
    psi -= 0.5 / x
    psi -= poly
    small = x <= 10.0
    if small.any():
        psi[small] = _PSI_SMALL[arr[small].astype(np.intp)]
    psi += _EULER
    return psi


_TABLE_SIZE = 1 << 16  # H(0..65535), looked up: most counts and ties in a round are small
_HARMONIC_TABLE = _harmonic_by_series(np.arange(_TABLE_SIZE, dtype=np.float64))


def harmonic(n: npt.ArrayLike) -> FloatArray:
    """H(n) = 1 + 1/2 + ... + 1/n for non-negative integers (H(0) = 0): digamma(n+1) + γ."""
    given = np.asarray(n, dtype=np.float64)
    if given.size == 0:
        return given.copy()
    if given.max() < _TABLE_SIZE:
        return _HARMONIC_TABLE[given.astype(np.intp)]
    return _harmonic_by_series(given.reshape(-1)).reshape(given.shape)


def weak_tie_value(counts: FloatArray, ties: FloatArray) -> float:
    """Sum over organisation pairs of 1/(1+t) + ... + 1/(c+t)."""
    mask = counts > 0
    if not mask.any():
        return 0.0
    c = counts[mask]
    t = ties[mask]
    return float(np.sum(harmonic(c + t) - harmonic(t)))


def validate(request: MatchRequest) -> None:
    if request.group_size not in (2, 3):
        raise ValueError(f"group_size must be 2 or 3, got {request.group_size!r}")
    seen: set[str] = set()
    for p in request.participants:
        if p.id in seen:
            raise ValueError(f"duplicate participant id {p.id!r}")
        seen.add(p.id)


def _tz_offset(name: str | None) -> float:
    if not name:
        return float("nan")
    try:
        off = _TZ_REFERENCE.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return float("nan")
    return float("nan") if off is None else off.total_seconds() / 3600.0


@dataclass
class Context:
    """Everything the engines need, keyed by participant index (ids sorted)."""

    ids: list[str]
    index: dict[str, int]
    org_names: list[str]
    org: IntArray  # organisation index per participant
    sizes: IntArray  # participants per organisation
    rep_keys: IntArray  # sorted keys of pairs that met before
    excl_keys: IntArray  # sorted keys of excluded pairs
    ties: FloatArray  # K x K past links between organisations that met (diagonal zero)
    trio_recent: BoolArray  # in a trio in one of the last three rounds
    trio_last: BoolArray  # in a trio in the last round
    same_last: IntArray  # last round (rank, -1 = never) in a same-organisation pair
    same_count: IntArray
    role: IntArray  # role index, -1 unknown
    tz: FloatArray  # UTC offset in hours, nan unknown
    met_org: BoolArray  # n x K: met someone of that (other) organisation before
    days: IntArray  # weekdays that suit them as bits (Monday 1), 0 = any day

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def k(self) -> int:
        return len(self.org_names)

    def keys(self, a: IntArray, b: IntArray) -> IntArray:
        lo = np.minimum(a, b).astype(np.int64)
        hi = np.maximum(a, b).astype(np.int64)
        return lo * np.int64(max(self.n, 1)) + hi

    def met(self, a: IntArray, b: IntArray) -> BoolArray:
        return _contains(self.rep_keys, self.keys(a, b))

    def excluded(self, a: IntArray, b: IntArray) -> BoolArray:
        return _contains(self.excl_keys, self.keys(a, b))


def _contains(sorted_keys: IntArray, keys: IntArray) -> BoolArray:
    if sorted_keys.size == 0 or keys.size == 0:
        return np.zeros(keys.shape, dtype=np.bool_)
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, sorted_keys.size - 1)
    return np.asarray(sorted_keys[pos] == keys, dtype=np.bool_)


def _sorted_unique(keys: IntArray) -> IntArray:
    """np.unique by sorting (faster than hashing for millions of history rows)."""
    if keys.size == 0:
        return keys
    k = np.sort(keys)
    return k[np.r_[True, k[1:] != k[:-1]]]


def _lookup(table: dict[str, int], keys: Iterable[str | None], m: int, none: int) -> IntArray:
    """Indices of keys in table: -1 when unknown, `none` when the key is None."""
    lookup: dict[str | None, int] = {None: none}
    lookup.update(table)
    get = lookup.get
    return np.fromiter(map(get, keys, repeat(-1)), dtype=np.int64, count=m)


def build_context(request: MatchRequest) -> Context:
    validate(request)
    people: list[Participant] = sorted(request.participants, key=lambda p: p.id)
    ids = [p.id for p in people]
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    org_names = sorted({p.organisation for p in people})
    org_index = {name: i for i, name in enumerate(org_names)}
    k = len(org_names)
    org = np.fromiter((org_index[p.organisation] for p in people), dtype=np.int64, count=n)
    sizes = np.bincount(org, minlength=k).astype(np.int64)
    roles = sorted({p.role for p in people if p.role})
    role_index = {r: i for i, r in enumerate(roles)}
    role = np.fromiter(
        (role_index.get(p.role, -1) if p.role else -1 for p in people), dtype=np.int64, count=n
    )
    tz_cache: dict[str | None, float] = {}
    tz_list = []
    for p in people:
        if p.timezone not in tz_cache:
            tz_cache[p.timezone] = _tz_offset(p.timezone)
        tz_list.append(tz_cache[p.timezone])
    tz = np.asarray(tz_list, dtype=np.float64)
    days = np.fromiter(
        (sum(1 << d for d in p.days) if p.days else 0 for p in people), dtype=np.int64, count=n
    )

    hist = request.history
    m = len(hist)
    if isinstance(hist, HistoryColumns):  # columns straight from a file: no object per row
        ha, hb, rounds, oa, ob, happened = hist.arrays(index, org_index)
    else:
        ha = _lookup(index, map(attrgetter("a"), hist), m, -1)
        hb = _lookup(index, map(attrgetter("b"), hist), m, -1)
        rounds = np.fromiter(map(attrgetter("round"), hist), dtype=np.int64, count=m)
        happened = np.fromiter(map(attrgetter("met"), hist), dtype=np.bool_, count=m)
        oa = _lookup(org_index, map(attrgetter("org_a"), hist), m, -2)
        ob = _lookup(org_index, map(attrgetter("org_b"), hist), m, -2)
    # Unknown organisation at the time: fall back to the current one if still a participant.
    fa = oa == -2
    oa[fa] = np.where(ha[fa] >= 0, org[np.maximum(ha[fa], 0)], -1)
    fb = ob == -2
    ob[fb] = np.where(hb[fb] >= 0, org[np.maximum(hb[fb], 0)], -1)

    both = (ha >= 0) & (hb >= 0) & (ha != hb)
    nn = np.int64(max(n, 1))
    pa, pb = ha[both], hb[both]
    rep_keys = _sorted_unique(np.minimum(pa, pb) * nn + np.maximum(pa, pb))

    ties = np.zeros((k, k), dtype=np.float64)
    # Tiers 4 and 5 count only introductions that happened; tier 3 counts every one.
    cross = (oa >= 0) & (ob >= 0) & (oa != ob) & happened
    if cross.any():
        flat = np.bincount(oa[cross] * k + ob[cross], minlength=k * k).reshape(k, k)
        ties = (flat + flat.T).astype(np.float64)

    trio_recent = np.zeros(n, dtype=np.bool_)
    trio_last = np.zeros(n, dtype=np.bool_)
    same_last = np.full(n, -1, dtype=np.int64)
    same_count = np.zeros(n, dtype=np.int64)
    if m:
        uniq_rounds = _sorted_unique(rounds)
        last3 = uniq_rounds[-3:]
        sel = (ha != hb) & np.isin(rounds, last3)
        if sel.any():
            r_rank = np.searchsorted(last3, rounds[sel])
            people_in = np.concatenate([ha[sel], hb[sel]])
            rr = np.concatenate([r_rank, r_rank])
            known = people_in >= 0
            codes = rr[known] * nn + people_in[known]
            uc, cnt = np.unique(codes, return_counts=True)
            trio_codes = uc[cnt >= 2]
            trio_recent[trio_codes % nn] = True
            last_rank = len(last3) - 1
            trio_last[trio_codes[trio_codes // nn == last_rank] % nn] = True
        same = both & (oa == ob) & (oa >= 0)
        if same.any():
            rank = np.searchsorted(uniq_rounds, rounds[same])
            for side in (ha[same], hb[same]):
                np.maximum.at(same_last, side, rank)
                np.add.at(same_count, side, 1)

    met_org = np.zeros((n, k), dtype=np.bool_)
    cells = met_org.reshape(-1)  # a view: writing a cell writes met_org
    for lo in range(0, m, _CHUNK):  # in slices, so millions of rows need little memory
        part = slice(lo, lo + _CHUNK)
        for who, other in ((ha[part], ob[part]), (hb[part], oa[part])):
            ok = cross[part] & (who >= 0)
            cells[who[ok] * k + other[ok]] = True

    excl: list[int] = []
    for pair in request.exclusions:
        members = [index[x] for x in pair if x in index]
        if len(members) == 2 and members[0] != members[1]:
            lo, hi = min(members), max(members)
            excl.append(lo * int(nn) + hi)
    excl_keys = _sorted_unique(np.asarray(excl, dtype=np.int64))  # np.unique imports numpy.ma

    return Context(
        ids=ids,
        index=index,
        org_names=org_names,
        org=org,
        sizes=sizes,
        rep_keys=rep_keys.astype(np.int64),
        excl_keys=excl_keys,
        ties=ties,
        trio_recent=trio_recent,
        trio_last=trio_last,
        same_last=same_last,
        same_count=same_count,
        role=role,
        tz=tz,
        met_org=met_org,
        days=days,
    )


def group_pairs(groups: IntArray) -> tuple[IntArray, IntArray]:
    """All pairs inside groups given as an (G, 3) array padded with -1."""
    if groups.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    a = [groups[:, 0], groups[:, 0], groups[:, 1]]
    b = [groups[:, 1], groups[:, 2], groups[:, 2]]
    aa = np.concatenate(a)
    bb = np.concatenate(b)
    ok = (aa >= 0) & (bb >= 0)
    return aa[ok], bb[ok]


def org_pair_counts(ctx: Context, a: IntArray, b: IntArray) -> FloatArray:
    k = ctx.k
    oa, ob = ctx.org[a], ctx.org[b]
    cross = oa != ob
    lo = np.minimum(oa[cross], ob[cross])
    hi = np.maximum(oa[cross], ob[cross])
    return np.bincount(lo * k + hi, minlength=k * k).reshape(k, k).astype(np.float64)


def org_repeats(ctx: Context, a: IntArray, b: IntArray) -> IntArray:
    """Per pair: how many of its two people already met the other's organisation (0-2)."""
    oa, ob = ctx.org[a], ctx.org[b]
    seen = ctx.met_org[a, ob].astype(np.int64) + ctx.met_org[b, oa]
    return np.where(oa != ob, seen, 0)


def days_apart(ctx: Context, a: IntArray, b: IntArray) -> BoolArray:
    """Per pair: both chose weekdays and no day suits both."""
    da, db = ctx.days[a], ctx.days[b]
    return np.asarray((da != 0) & (db != 0) & ((da & db) == 0), dtype=np.bool_)


def same_role(ctx: Context, a: IntArray, b: IntArray) -> BoolArray:
    """Per pair: both have the same known role."""
    ra = ctx.role[a]
    return np.asarray((ra >= 0) & (ra == ctx.role[b]), dtype=np.bool_)


def score_indices(ctx: Context, groups: IntArray) -> Score:
    a, b = group_pairs(groups)
    counts = org_pair_counts(ctx, a, b)
    same = int(np.sum(ctx.org[a] == ctx.org[b]))
    repeats = int(np.sum(ctx.met(a, b)))
    tie = weak_tie_value(counts, ctx.ties)
    is_trio = groups[:, 2] >= 0 if groups.size else np.zeros(0, dtype=np.bool_)
    trio_members = groups[is_trio].ravel()
    trio_recent = int(np.sum(ctx.trio_recent[trio_members]))
    placed = int(np.sum(groups >= 0))
    return Score(
        groups=int(groups.shape[0]),
        trios=int(np.sum(is_trio)),
        same_org_pairs=same,
        repeat_pairs=repeats,
        weak_tie_value=tie,
        org_repeats=int(np.sum(org_repeats(ctx, a, b))),
        trio_recent=trio_recent,
        unplaced=ctx.n - placed,
        days_apart=int(np.sum(days_apart(ctx, a, b))),
        same_role_pairs=int(np.sum(same_role(ctx, a, b))),
    )


def groups_to_array(ctx: Context, groups: Sequence[Sequence[str]]) -> IntArray:
    out = np.full((len(groups), 3), -1, dtype=np.int64)
    seen: set[str] = set()
    for g, members in enumerate(groups):
        if not 2 <= len(members) <= 3:
            raise ValueError(f"group {g} has {len(members)} members; groups hold 2 or 3")
        for j, pid in enumerate(members):
            if pid not in ctx.index:
                raise ValueError(f"unknown participant id {pid!r} in group {g}")
            if pid in seen:
                raise ValueError(f"participant {pid!r} appears in more than one group")
            seen.add(pid)
            out[g, j] = ctx.index[pid]
    return out


def array_to_groups(ctx: Context, groups: IntArray) -> tuple[tuple[str, ...], ...]:
    ids = ctx.ids
    result = []
    for row in groups.tolist():
        result.append(tuple(sorted(ids[i] for i in row if i >= 0)))
    return tuple(sorted(result))
