"""Exact solver for pairs mode on small instances (mixed-integer programme, solved by stages).

Variables: x_e (edge used as a pair), y_e (edge inside the trio), t_v (v in the trio),
u_v (v unplaced), z (a trio exists) and, for every pair of organisations, unit segments
w_k of the weak-tie value (marginal 1/(t+k), decreasing, so the optimum fills them in
order). Each person has pair-degree 1 - t_v - u_v and trio-degree 2 t_v; three vertices of
trio-degree two with three edges form a triangle, so at most one trio exists. The tiers are
solved one after another, each stage fixing the optimum of the previous ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .context import Context, IntArray, days_apart, org_repeats, same_role


@dataclass
class ExactResult:
    groups: IntArray  # (G, 3) padded with -1
    proven: bool


def fairness_cost(ctx: Context) -> np.ndarray:
    """Cost in [0, 1) of putting someone in a same-organisation pair (recent/frequent = high)."""
    top = float(max(int(ctx.same_last.max(initial=-1)) + 2, 1))
    cnt = ctx.same_count.astype(np.float64)
    out = (ctx.same_last + 1 + cnt / (cnt.max(initial=0.0) + 1.0)) / (top + 1.0)
    return np.asarray(out, dtype=np.float64)


def solve_exact(ctx: Context, people: IntArray, time_limit: float = 20.0) -> ExactResult:
    # scipy.optimize costs a second of imports: only the rounds that reach this pay it
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import coo_matrix

    n = int(people.size)
    if n < 2:
        return ExactResult(np.zeros((0, 3), dtype=np.int64), True)
    iu, ju = np.triu_indices(n, 1)
    a, b = people[iu], people[ju]
    allowed = ~ctx.excluded(a, b)
    iu, ju, a, b = iu[allowed], ju[allowed], a[allowed], b[allowed]
    m = int(iu.size)
    if m == 0:
        return ExactResult(np.zeros((0, 3), dtype=np.int64), True)
    same = (ctx.org[a] == ctx.org[b]).astype(np.float64)
    rep = ctx.met(a, b).astype(np.float64)
    oa = np.minimum(ctx.org[a], ctx.org[b])
    ob = np.maximum(ctx.org[a], ctx.org[b])
    k = ctx.k
    cross = oa != ob
    pair_code = oa * k + ob

    trio_ok = n >= 3
    nx = m
    ny = m if trio_ok else 0
    x0, y0 = 0, nx
    t0 = y0 + ny
    u0 = t0 + n
    z0 = u0 + n
    seg0 = z0 + 1
    # segments for each organisation pair present among cross edges
    codes = np.unique(pair_code[cross])
    sizes = np.bincount(ctx.org[people], minlength=k)
    seg_code: list[int] = []
    seg_val: list[float] = []
    for code in codes.tolist():
        x, y = divmod(code, k)
        cap = int(min(np.sum(pair_code == code), min(sizes[x], sizes[y]) + 2))
        t = ctx.ties[x, y]
        seg_code.extend([code] * cap)
        seg_val.extend(1.0 / (t + np.arange(1, cap + 1)))
    nseg = len(seg_code)
    nvar = seg0 + nseg

    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[np.ndarray] = []
    lbs: list[float] = []
    ubs: list[float] = []
    r = 0

    def add(rr: IntArray, cc: IntArray, vv: np.ndarray) -> None:
        rows.append(rr.astype(np.int64))
        cols.append(cc.astype(np.int64))
        vals.append(np.asarray(vv, dtype=np.float64))

    e_idx = np.arange(m)
    v_idx = np.arange(n)
    # pair degree: sum x + t + u = 1
    add(r + iu, x0 + e_idx, np.ones(m))
    add(r + ju, x0 + e_idx, np.ones(m))
    add(r + v_idx, t0 + v_idx, np.ones(n))
    add(r + v_idx, u0 + v_idx, np.ones(n))
    lbs += [1.0] * n
    ubs += [1.0] * n
    r += n
    # trio degree: sum y - 2t = 0
    if trio_ok:
        add(r + iu, y0 + e_idx, np.ones(m))
        add(r + ju, y0 + e_idx, np.ones(m))
    add(r + v_idx, t0 + v_idx, -2.0 * np.ones(n))
    lbs += [0.0] * n
    ubs += [0.0] * n
    r += n
    # sum t = 3 z
    add(np.full(n, r), t0 + v_idx, np.ones(n))
    add(np.array([r]), np.array([z0]), np.array([-3.0]))
    lbs.append(0.0)
    ubs.append(0.0)
    r += 1
    # segments: sum w = number of used edges between the two organisations
    if nseg:
        code_row = {c: r + i for i, c in enumerate(codes.tolist())}
        seg_rows = np.array([code_row[c] for c in seg_code])
        add(seg_rows, seg0 + np.arange(nseg), np.ones(nseg))
        ce = e_idx[cross]
        er = np.array([code_row[c] for c in pair_code[cross].tolist()])
        add(er, x0 + ce, -np.ones(ce.size))
        if trio_ok:
            add(er, y0 + ce, -np.ones(ce.size))
        lbs += [0.0] * len(codes)
        ubs += [0.0] * len(codes)
        r += len(codes)

    base_a = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, nvar)
    ).tocsr()

    integrality = np.ones(nvar, dtype=np.int64)
    integrality[seg0:] = 0
    lower = np.zeros(nvar)
    upper = np.ones(nvar)
    if not trio_ok:
        upper[t0 : t0 + n] = 0.0
        upper[z0] = 0.0

    def edge_obj(w: np.ndarray) -> np.ndarray:
        c = np.zeros(nvar)
        c[x0 : x0 + m] = w
        if trio_ok:
            c[y0 : y0 + m] = w
        return c

    w2 = float(n + 4)
    w1 = w2 * float(n + 4)
    c1 = edge_obj(same * w2 + rep)
    c1[u0 : u0 + n] = w1
    c4 = np.zeros(nvar)
    c4[seg0:] = -np.asarray(seg_val)
    c5 = edge_obj(org_repeats(ctx, a, b).astype(np.float64))
    fair = fairness_cost(ctx)[people]
    c6 = edge_obj(same * (fair[iu] + fair[ju]) / (n + 1.0))
    # tier 6: nobody in the trio twice in a row first, then fewest recent trio members
    c6[t0 : t0 + n] = 4.0 * ctx.trio_recent[people] + 16.0 * ctx.trio_last[people]

    # tiers 7 and 8, only when someone chose days or has a role: a shared weekday, then roles
    c7 = edge_obj(days_apart(ctx, a, b).astype(np.float64))
    c8 = edge_obj(same_role(ctx, a, b).astype(np.float64))

    extra_rows: list[np.ndarray] = []
    extra_ub: list[float] = []
    proven = True
    sol: np.ndarray | None = None
    stages: list[tuple[np.ndarray, float]] = [(c1, 0.5), (c4, 1e-7), (c5, 0.5), (c6, 1e-7)]
    stages += [(c, 0.5) for c in (c7, c8) if c.any()]
    stages[-1] = (stages[-1][0], 0.0)
    for stage, (cvec, slack) in enumerate(stages):
        if extra_rows:
            a_mat = LinearConstraint(
                _stack(base_a, extra_rows),
                np.concatenate([lbs, np.full(len(extra_ub), -np.inf)]),
                np.concatenate([ubs, extra_ub]),
            )
        else:
            a_mat = LinearConstraint(base_a, np.array(lbs), np.array(ubs))
        res = milp(
            cvec,
            integrality=integrality,
            bounds=(lower, upper),
            constraints=a_mat,
            options={"mip_rel_gap": 0.0, "time_limit": time_limit},
        )
        if res.x is None:
            if sol is None:
                raise RuntimeError("exact matching model has no solution")
            proven = False
            break
        if res.status != 0:
            proven = False
        sol = res.x
        if stage < len(stages) - 1:
            extra_rows.append(cvec)
            extra_ub.append(float(cvec @ sol) + slack)
    assert sol is not None
    xs = sol[x0 : x0 + m] > 0.5
    pairs = np.stack([a[xs], b[xs], np.full(int(xs.sum()), -1)], axis=1)
    groups = [pairs]
    if trio_ok:
        ts = sol[t0 : t0 + n] > 0.5
        if ts.any():
            trio = np.sort(people[ts])
            groups.append(trio.reshape(1, 3))
    return ExactResult(np.concatenate(groups).astype(np.int64), proven)


def _stack(base: object, extra: list[np.ndarray]) -> object:
    from scipy.sparse import csr_matrix, vstack

    return vstack([base, csr_matrix(np.vstack(extra))]).tocsr()
