"""The engine on a large network: the design needs no institution x institution matrix.

A ring-and-chords network of banks (every bank lends to a few others) is far beyond the default
scenario's 23 institutions; from ``SPARSE_CLEARING_FROM`` institutions the clearing works on a
sparse liabilities matrix. The run must give the same results as the dense clearing, never build
a dense n x n array, and keep every accounting identity.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulator.phases.resolve_defaults as resolve_defaults
from simulator import ContagionModel
from simulator.config import build_scenario
from simulator.obligations import Obligations
from tests.conftest import check_invariants
from tests.test_channels import mini

N_BANKS = 300


def bank_network(n: int = N_BANKS, seed: int = 3) -> dict:
    """``n`` banks, each lending to the next two around a ring and to one random other."""
    rng = np.random.default_rng(seed)
    institutions = {
        f"Bank {i:03d}": {
            "kind": "bank",
            "cash_bn": float(rng.uniform(0.05, 0.3)),
            "other_assets_bn": 1.0,
            "other_liabilities_bn": 0.9,
        }
        for i in range(n)
    }
    names = list(institutions)
    debts = {}
    for i in range(n):
        for k, j in enumerate({(i + 1) % n, (i + 2) % n, int(rng.integers(n))} - {i}):
            debts[f"loan_{i}_{k}"] = {
                "kind": "loan",
                "holder": names[i],
                "obligor": names[j],
                "principal_bn": float(rng.uniform(0.05, 0.2)),
                "rate_per_year": 0.05,
                "maturity_month": 2 + int(rng.integers(6)),
            }
    raw = mini(institutions, debts)
    raw["shocks"] = [{"month": 1, "kind": "failure", "target": names[0]}]
    raw["months"] = 6
    return raw


def run(months: int = 6) -> ContagionModel:
    model = ContagionModel(build_scenario(bank_network(), "bank network"), rng=0)
    for _ in range(months):
        model.step()
        check_invariants(model)
    return model


def test_a_large_network_clears_without_a_dense_matrix(monkeypatch):
    assert N_BANKS >= resolve_defaults.SPARSE_CLEARING_FROM

    def no_dense(self):
        raise AssertionError(f"a dense {self.n_agents + 1} x {self.n_agents + 1} liabilities matrix was built")

    monkeypatch.setattr(Obligations, "matrix", no_dense)
    model = run()
    assert model.datacollector.get_model_vars_dataframe()["defaults_total"].iloc[-1] >= 1


def test_sparse_and_dense_clearing_agree(monkeypatch):
    sparse = run()
    monkeypatch.setattr(resolve_defaults, "SPARSE_CLEARING_FROM", 10**9)
    dense = run()
    a, b = sparse.datacollector.get_model_vars_dataframe(), dense.datacollector.get_model_vars_dataframe()
    for column in a.columns:
        np.testing.assert_allclose(
            a[column].astype(float), b[column].astype(float), rtol=1e-9, atol=1e-9, err_msg=column
        )
    assert [(e.month, e.kind, e.actor, e.counterparty) for e in sparse.events] == [
        (e.month, e.kind, e.actor, e.counterparty) for e in dense.events
    ]
    assert [e.amount_bn for e in sparse.events] == pytest.approx([e.amount_bn for e in dense.events], rel=1e-9)
