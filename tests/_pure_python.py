"""Straightforward pure-Python reference implementations (lists, dicts, loops).

Used as independent oracles by the tests and as the baseline of
``benchmarks/bench_kernels.py``.  They are deliberately simple: no numpy in
the inner loops, edge lists instead of matrices.

Edge lists are ``[(i, j, w), ...]`` with ``w > 0``:
* for clearing, ``(i, j, w)`` means node ``i`` owes ``w`` to node ``j``;
* for DebtRank / threshold cascades, ``(i, j, w)`` means node ``i`` is exposed
  to node ``j`` for ``w``.
"""

from __future__ import annotations

import random


def edges_from_matrix(m):
    """Edge list from a dense (list-of-lists / ndarray) or scipy.sparse matrix."""
    try:
        import scipy.sparse as sp

        if sp.issparse(m):
            c = m.tocoo()
            return [(int(i), int(j), float(w)) for i, j, w in zip(c.row, c.col, c.data) if w != 0]
    except ImportError:  # pragma: no cover
        pass
    out = []
    for i, row in enumerate(m):
        for j, w in enumerate(row):
            if w != 0:
                out.append((i, j, float(w)))
    return out


def clearing_picard(n, edges, external, alpha=1.0, beta=1.0, tol=1e-15, max_iter=1_000_000):
    """Greatest clearing vector by Picard iteration from full payment.

    ``p <- Φ(p)`` with ``Φ_i(p) = p̄_i`` if ``e_i + x_i >= p̄_i`` else
    ``alpha e_i + beta x_i`` (Eisenberg–Noe when ``alpha = beta = 1``),
    ``x_i = sum_j Π_ji p_j``.  The iterates decrease to the greatest clearing
    vector (Rogers & Veraart 2013).  Returns ``(payments, defaulted)``.
    """
    pbar = [0.0] * n
    for i, _, w in edges:
        pbar[i] += w
    rel = [(i, j, w / pbar[i]) for i, j, w in edges]
    p = pbar[:]
    for _ in range(max_iter):
        x = [0.0] * n
        for i, j, pi in rel:
            x[j] += pi * p[i]
        new = [0.0] * n
        change = 0.0
        for i in range(n):
            if external[i] + x[i] >= pbar[i]:
                new[i] = pbar[i]
            else:
                new[i] = alpha * external[i] + beta * x[i]
            d = abs(new[i] - p[i])
            if d > change:
                change = d
        p = new
        if change <= tol:
            break
    x = [0.0] * n
    for i, j, pi in rel:
        x[j] += pi * p[i]
    defaulted = [external[i] + x[i] < pbar[i] and p[i] < pbar[i] for i in range(n)]
    return p, defaulted


def debtrank_original(n, edges, equity, shock):
    """Battiston et al. (2012) DebtRank, one node at a time."""
    impact = [[] for _ in range(n)]  # impact[j] = [(i, W_ij)]: who is hit when j is distressed
    for i, j, w in edges:
        impact[j].append((i, min(1.0, w / equity[i])))
    h = list(shock)
    state = ["D" if v > 0 else "U" for v in h]
    steps = 0
    while "D" in state:
        steps += 1
        new_h = h[:]
        for j in range(n):
            if state[j] == "D":
                for i, wij in impact[j]:
                    new_h[i] += wij * h[j]
        new_h = [min(1.0, v) for v in new_h]
        new_state = state[:]
        for i in range(n):
            if state[i] == "D":
                new_state[i] = "I"
            elif state[i] == "U" and new_h[i] > 0:
                new_state[i] = "D"
        h, state = new_h, new_state
    return h


def debtrank_linear(n, edges, equity, shock, tol=1e-13, max_iter=100_000):
    """Bardoscia et al. (2015) linear DebtRank."""
    lam = [(i, j, w / equity[i]) for i, j, w in edges]
    h = list(shock)
    dh = list(shock)
    for _ in range(max_iter):
        inc = [0.0] * n
        for i, j, weight in lam:
            inc[i] += weight * dh[j]
        new_h = [min(1.0, h[i] + inc[i]) for i in range(n)]
        dh = [new_h[i] - h[i] for i in range(n)]
        h = new_h
        if max(dh) <= tol:
            break
    return h


def threshold_cascade(n, edges, capital, initially_defaulted, recovery=0.0):
    """Furfine cascade: default when loss strictly exceeds capital."""
    defaulted = list(initially_defaulted)
    while True:
        loss = [0.0] * n
        for i, j, w in edges:
            if defaulted[j]:
                loss[i] += (1.0 - recovery) * w
        new = [defaulted[i] or loss[i] > capital[i] for i in range(n)]
        if new == defaulted:
            return defaulted
        defaulted = new


def gai_kapadia_draw(n, mean_degree, capital_ratio=0.04, interbank_share=0.20, seed=0):
    """One Gai–Kapadia draw in pure Python; returns the number of defaulted banks.

    Builds the directed Erdős–Rényi graph pair by pair (``n (n-1)`` Bernoulli
    trials), wipes out one random bank's external assets and cascades with the
    float test ``loss > capital`` (the straightforward implementation).
    """
    rnd = random.Random(seed)
    p = mean_degree / (n - 1)
    creditors = [[] for _ in range(n)]
    k = [0] * n
    for debtor in range(n):
        for creditor in range(n):
            if creditor != debtor and rnd.random() < p:
                creditors[debtor].append(creditor)
                k[creditor] += 1
    shock = rnd.randrange(n)
    defaulted = [False] * n
    defaulted[shock] = True
    loss = [0.0] * n
    frontier = [shock]
    while frontier:
        nxt = []
        for d in frontier:
            for c in creditors[d]:
                if defaulted[c]:
                    continue
                loss[c] += interbank_share / k[c]
                if loss[c] > capital_ratio:
                    defaulted[c] = True
                    nxt.append(c)
        frontier = nxt
    return sum(defaulted)
