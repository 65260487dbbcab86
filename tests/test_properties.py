"""Property-based tests: random perturbations of the baseline either run with every invariant
holding (accounting, no negative holdings, no NaN) or are rejected up front with a clear
ConfigError -- never a crash mid-run. The test counts both outcomes and fails unless most drawn
cases actually ran, so it cannot pass by rejecting everything.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from simulator import ContagionModel
from simulator.config import SHOCK_KINDS, Channels, ConfigError, build_scenario
from tests.conftest import check_invariants, raw_copy

finite = dict(allow_nan=False, allow_infinity=False)
INSTITUTIONS = [
    "Nvidia",
    "Oracle",
    "OpenAI",
    "CoreWeave",
    "Lambda",
    "Miner Alpha",
    "Blackstone",
    "Blue Owl",
    "Bank B",
    "US Life Insurers",
]
EXAMPLES = 40
MONTHS = 12


TARGETS = {  # targets a shock kind takes (SHOCK_KINDS[kind][2])
    "none": [None],
    "institution": INSTITUTIONS,
    "generation": [None, "all", "H100", "Blackwell"],
    "contract": ["openai_oracle_compute"],
    "fund": ["Blackstone", "Blue Owl"],
}
ANY_TARGET = [None, "H100", "Blackwell", *INSTITUTIONS, "openai_oracle_compute"]


@st.composite
def shocks(draw):
    kind = draw(st.sampled_from(sorted(map(str, SHOCK_KINDS))))
    lo, hi, target_kind, _ = SHOCK_KINDS[kind]
    # Mostly a size and target the schema allows; sometimes anything (which must then be
    # rejected cleanly).
    valid = draw(st.integers(0, 9)) > 0
    size = draw(st.floats(lo, hi, **finite) if valid else st.floats(-1.5, 2.0, **finite))
    target = draw(st.sampled_from(TARGETS[target_kind] if valid else ANY_TARGET))
    return {"month": draw(st.integers(0, 10)), "kind": kind, "target": target, "size": size}


@st.composite
def perturbations(draw):
    return {
        "cash_scale": draw(st.floats(0.0, 3.0, **finite)),
        "debt_scale": draw(st.floats(0.0, 3.0, **finite)),
        "contract_scale": draw(st.floats(0.0, 3.0, **finite)),
        "rate_shift": draw(st.floats(-0.05, 0.3, **finite)),
        "ltv": draw(st.floats(0.1, 3.0, **finite)),
        "depth": draw(st.floats(0.5, 500.0, **finite)),
        "growth": draw(st.floats(-0.95, 3.0, **finite)),
        "channels": draw(st.dictionaries(st.sampled_from(sorted(Channels.model_fields)), st.booleans(), max_size=5)),
        "shocks": draw(st.lists(shocks(), max_size=3)),
        "central_bank": draw(st.booleans()),
    }


CALM = {
    "cash_scale": 1.0,
    "debt_scale": 1.0,
    "contract_scale": 1.0,
    "rate_shift": 0.0,
    "ltv": 0.8,
    "depth": 15.0,
    "growth": 1.0,
    "channels": {},
    "shocks": [],
    "central_bank": False,
}


def apply(raw: dict, p: dict) -> dict:
    raw = raw_copy(raw)
    for inst in raw["institutions"].values():
        inst["cash_bn"] = inst.get("cash_bn", 0.0) * p["cash_scale"]
    for debt in raw["debts"].values():
        debt["principal_bn"] *= p["debt_scale"]
        if debt.get("limit_bn") is not None:
            debt["limit_bn"] *= p["debt_scale"]
        debt["rate_per_year"] += p["rate_shift"]  # may go negative: must be rejected
        if debt.get("ltv_covenant") is not None:
            debt["ltv_covenant"] = p["ltv"]
    for contract in raw["contracts"].values():
        contract["monthly_payment_bn"] *= p["contract_scale"]
    raw["markets"]["gpu"]["market_depth_bn"] = p["depth"]
    raw["markets"]["demand"]["ai_revenue_growth_per_year"] = p["growth"]
    raw["channels"] = dict(p["channels"])
    raw["shocks"] = [dict(s) for s in p["shocks"]]
    raw["central_bank"] = {"enabled": p["central_bank"]}
    return raw


def run_or_reject(raw: dict, p: dict) -> str:
    """Return "ran" after MONTHS months with every invariant holding, or "rejected" with a clear error."""
    try:
        model = ContagionModel(build_scenario(apply(raw, p), "perturbed"), rng=0)
    except ConfigError as exc:
        message = str(exc)
        assert "perturbed" in message and ":" in message  # names the source and a field
        assert "Traceback" not in message
        return "rejected"
    for _ in range(MONTHS):
        model.step()
        check_invariants(model)
    df = model.datacollector.get_model_vars_dataframe()
    # A sector's capital ratio is undefined (None) once none of its institutions survives, and
    # the shortfalls against a counterfactual are None when there is none to compare with.
    maybe_none = [c for c in df.columns if c.startswith("capital_ratio_") or "shortfall_bn" in c]
    defined = df.drop(columns=maybe_none)
    values = defined.to_numpy(dtype=float)
    assert np.isfinite(values).all(), defined.columns[~np.isfinite(values).all(axis=0)].tolist()
    for column in df.columns.difference(defined.columns):  # (the raw values: pandas shows None as NaN)
        assert all(v is None or math.isfinite(v) for v in model.datacollector.model_vars[column]), column
    for event in model.events:
        assert math.isfinite(event.amount_bn), event
    return "ran"


def test_perturbed_baseline_runs_cleanly_or_is_rejected_up_front(baseline_raw):
    outcomes: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(p=perturbations())
    @example(p={**CALM, "rate_shift": -0.05})  # always one case the schema must reject (a negative rate)
    def check(p):
        outcomes.append(run_or_reject(baseline_raw, p))

    check()
    ran, rejected = outcomes.count("ran"), outcomes.count("rejected")
    print(f"{ran} ran, {rejected} rejected")
    assert ran + rejected >= EXAMPLES
    assert ran >= EXAMPLES // 2, f"only {ran} of {ran + rejected} drawn cases ran ({rejected} rejected)"
    assert rejected >= 1, "no drawn case was invalid: the rejection path went untested"


def test_a_sector_without_survivors_has_no_capital_ratio(baseline_raw):
    """The only insurer fails with nothing to its name: its sector's capital ratio is undefined
    (None) from then on, not NaN, and the run goes on (a case the property test drew).
    """
    p = {
        "cash_scale": 0.0,
        "debt_scale": 0.0,
        "contract_scale": 0.0,
        "rate_shift": 0.0,
        "ltv": 1.0,
        "depth": 1.0,
        "growth": 0.0,
        "channels": {},
        "shocks": [{"month": 1, "kind": "failure", "target": "US Life Insurers", "size": 0.0}],
        "central_bank": False,
    }
    assert run_or_reject(baseline_raw, p) == "ran"
