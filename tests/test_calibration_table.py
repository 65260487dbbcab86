"""docs/teaching/calibration_sources.md is generated from configs/baseline_2025.yaml and is up to date,
and every number in the config says where it comes from (a ``# source:`` or ``# assumption``
comment) -- except a known list of numbers that carry neither, which may shrink but not grow.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "calibration_table.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("calibration_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibration_table"] = module
    spec.loader.exec_module(module)
    return module


ct = _load_script()

# Numbers in baseline_2025.yaml with neither a source nor an assumption comment on their line or an
# enclosing line (interest rates, maturities, betas, rule parameters the sources do not give). When
# one gains a comment, remove it here; a number missing from this list must carry a comment.
KNOWN_UNSOURCED = frozenset(
    {
        "months",
        "markets.gpu.generations[H100].launch_month",
        "markets.gpu.generations[Blackwell].launch_month",
        "markets.rates.spreads_per_year.government",
        "markets.sentiment.initial",
        "markets.demand.expected_ai_revenue_growth_per_year",
        "resolution.max_rounds",
        "institutions.Oracle.equity_beta",
        "institutions.OpenAI.equity_beta",
        "institutions.Anthropic.equity_beta",
        "institutions.xAI.equity_beta",
        "institutions.CoreWeave.equity_beta",
        "institutions.CoreWeave.revenue_bn_per_month",
        "institutions.CoreWeave.rules.spot_share",
        "institutions.Lambda.equity_beta",
        "institutions.Lambda.rules.spot_share",
        "institutions.Crusoe.equity_beta",
        "institutions.Crusoe.rules.spot_share",
        "institutions.Miner Alpha.equity_beta",
        "institutions.Miner Alpha.rules.spot_share",
        "institutions.Miner Beta.equity_beta",
        "institutions.Miner Beta.rules.spot_share",
        "institutions.US Life Insurers.rules.target_capital_ratio",
        "institutions.US Life Insurers.rules.redemption_sensitivity",
        "institutions.US Life Insurers.rules.risk_weight_investment_grade",
        "institutions.US Life Insurers.rules.risk_weight_high_yield",
        "institutions.US Life Insurers.rules.risk_weight_abs_senior",
        "institutions.US Life Insurers.rules.risk_weight_abs_junior",
        "institutions.US Life Insurers.rules.risk_weight_equity",
        "institutions.US Life Insurers.rules.risk_weight_fund_share",
        "institutions.US Life Insurers.rules.risk_weight_real",
        "institutions.Pension Funds.rules.target_capital_ratio",
        "institutions.Pension Funds.rules.redemption_sensitivity",
        "institutions.Pension Funds.rules.risk_weight_investment_grade",
        "institutions.Pension Funds.rules.risk_weight_high_yield",
        "institutions.Pension Funds.rules.risk_weight_private",
        "institutions.Pension Funds.rules.risk_weight_equity",
        "institutions.Pension Funds.rules.risk_weight_fund_share",
        "institutions.Bank B.rules.risk_weight_other",
        "institutions.Bank B.rules.min_capital_ratio",
        "institutions.Bank B.rules.target_capital_ratio",
        "institutions.Bank B.rules.stress_equity_ratio",
        "institutions.Bank B.rules.excess_capital_payout_per_month",
        "debts.blackstone_coreweave_gpu_loan.maturity_month",
        "debts.blackstone_coreweave_gpu_loan.collateral.units_k",
        "debts.bank_a_coreweave_term_loan.rate_per_year",
        "debts.bank_a_coreweave_term_loan.maturity_month",
        "debts.bank_a_coreweave_revolver.principal_bn",
        "debts.bank_a_coreweave_revolver.rate_per_year",
        "debts.bank_a_coreweave_revolver.maturity_month",
        "debts.coreweave_bonds_insurers.rate_per_year",
        "debts.coreweave_bonds_insurers.maturity_month",
        "debts.coreweave_bonds_pensions.rate_per_year",
        "debts.coreweave_bonds_pensions.maturity_month",
        "debts.coreweave_bonds_blue_owl.rate_per_year",
        "debts.coreweave_bonds_blue_owl.maturity_month",
        "debts.blue_owl_lambda_gpu_loan.rate_per_year",
        "debts.blue_owl_lambda_gpu_loan.amortisation_per_month",
        "debts.blue_owl_lambda_gpu_loan.maturity_month",
        "debts.blue_owl_lambda_gpu_loan.collateral.units_k",
        "debts.blue_owl_crusoe_loan.rate_per_year",
        "debts.blue_owl_crusoe_loan.maturity_month",
        "debts.bank_a_crusoe_loan.rate_per_year",
        "debts.bank_a_crusoe_loan.maturity_month",
        "debts.blue_owl_xai_gpu_loan.rate_per_year",
        "debts.blue_owl_xai_gpu_loan.amortisation_per_month",
        "debts.blue_owl_xai_gpu_loan.maturity_month",
        "debts.blue_owl_xai_gpu_loan.collateral.units_k",
        "debts.miner_alpha_bonds_blackstone.rate_per_year",
        "debts.miner_alpha_bonds_blackstone.maturity_month",
        "debts.miner_alpha_bonds_insurers.rate_per_year",
        "debts.miner_alpha_bonds_insurers.maturity_month",
        "debts.miner_alpha_bonds_pensions.rate_per_year",
        "debts.miner_alpha_bonds_pensions.maturity_month",
        "debts.bank_b_miner_alpha_gpu_loan.rate_per_year",
        "debts.bank_b_miner_alpha_gpu_loan.amortisation_per_month",
        "debts.bank_b_miner_alpha_gpu_loan.maturity_month",
        "debts.bank_b_miner_alpha_gpu_loan.collateral.units_k",
        "debts.miner_beta_bonds_blue_owl.rate_per_year",
        "debts.miner_beta_bonds_blue_owl.maturity_month",
        "debts.miner_beta_bonds_insurers.rate_per_year",
        "debts.miner_beta_bonds_insurers.maturity_month",
        "debts.miner_beta_bonds_pensions.rate_per_year",
        "debts.miner_beta_bonds_pensions.maturity_month",
        "debts.blue_owl_miner_beta_gpu_loan.rate_per_year",
        "debts.blue_owl_miner_beta_gpu_loan.amortisation_per_month",
        "debts.blue_owl_miner_beta_gpu_loan.maturity_month",
        "debts.blue_owl_miner_beta_gpu_loan.collateral.units_k",
        "debts.oracle_bonds_insurers.rate_per_year",
        "debts.oracle_bonds_insurers.maturity_month",
        "debts.oracle_bonds_pensions.rate_per_year",
        "debts.bank_a_oracle_loan.rate_per_year",
        "debts.bank_a_oracle_loan.maturity_month",
        "debts.bank_a_oracle_revolver.principal_bn",
        "debts.bank_a_oracle_revolver.rate_per_year",
        "debts.bank_a_oracle_revolver.maturity_month",
        "debts.meta_bonds_insurers.rate_per_year",
        "debts.meta_bonds_insurers.maturity_month",
        "debts.meta_bonds_pensions.rate_per_year",
        "debts.meta_bonds_pensions.maturity_month",
        "debts.alphabet_bonds_insurers.rate_per_year",
        "debts.alphabet_bonds_insurers.maturity_month",
        "debts.alphabet_bonds_pensions.rate_per_year",
        "debts.alphabet_bonds_pensions.maturity_month",
        "debts.microsoft_bonds_insurers.rate_per_year",
        "debts.microsoft_bonds_insurers.maturity_month",
        "debts.bank_a_blackstone_credit_line.rate_per_year",
        "debts.bank_b_blue_owl_credit_line.rate_per_year",
        "debts.spv_abs_senior_insurers.rate_per_year",
        "debts.spv_abs_senior_insurers.maturity_month",
        "debts.spv_abs_senior_pensions.rate_per_year",
        "debts.spv_abs_senior_pensions.maturity_month",
        "debts.spv_abs_senior_leveraged.rate_per_year",
        "debts.spv_abs_senior_leveraged.maturity_month",
        "debts.spv_abs_mezzanine_leveraged.rate_per_year",
        "debts.spv_abs_mezzanine_leveraged.maturity_month",
        "debts.spv_abs_mezzanine_pensions.rate_per_year",
        "debts.spv_abs_mezzanine_pensions.maturity_month",
        "debts.spv_abs_mezzanine_blue_owl.rate_per_year",
        "debts.spv_abs_mezzanine_blue_owl.maturity_month",
    }
)


def test_the_committed_page_is_what_the_script_generates():
    committed = ct.PAGE.read_text(encoding="utf-8")
    assert committed == ct.render(), (
        "docs/teaching/calibration_sources.md is stale: run python scripts/calibration_table.py"
    )


def test_the_check_option_passes_on_the_committed_page_and_fails_on_a_stale_one(tmp_path):
    ok = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    stale = tmp_path / "stale.md"
    stale.write_text(ct.render().replace("| 0.0419 |", "| 0.05 |"), encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--out", str(stale)], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 1
    assert "stale" in bad.stderr


def test_every_number_says_where_it_comes_from_except_the_known_ones():
    unsourced = {n.path for n in ct.numbers() if not n.basis}
    new = sorted(unsourced - KNOWN_UNSOURCED)
    assert not new, f"numbers in configs/baseline_2025.yaml without a '# source:' or '# assumption' comment: {new}"
    documented = sorted(KNOWN_UNSOURCED - unsourced)
    assert not documented, f"these now carry a comment (or are gone): remove them from KNOWN_UNSOURCED: {documented}"


def test_the_page_lists_every_number_of_the_config_with_its_value():
    page = ct.PAGE.read_text(encoding="utf-8")
    rows = ct.numbers()
    assert len(rows) > 400  # the default scenario is large: a parser that missed a section would show here
    listed = set()
    section = ""
    body = page.split("## All numbers, section by section", 1)[1].split("\n## ", 1)[0]
    for line in body.splitlines():
        if line.startswith("### `"):
            section = line[5:-1]
        elif line.startswith("| `"):
            field, value = (cell.strip() for cell in line.split("|")[1:3])
            field = field.strip("`")
            listed.add((field if field == section else f"{section}.{field}", value))
    assert listed == {(n.path, ct._value(n.value)) for n in rows}
    # figures quoted in docs/validation.md and CALIBRATION.md, with their source
    by_path = {n.path: n for n in rows}
    assert by_path["markets.rates.base_rate_per_year"].value == pytest.approx(0.0419)
    assert by_path["markets.rates.base_rate_per_year"].basis == "source"
    assert "TRI" in by_path["markets.rates.base_rate_per_year"].comment
    assert by_path["debts.blackstone_coreweave_gpu_loan.principal_bn"].basis == "source"
    assert by_path["institutions.Nvidia.cash_bn"].basis == "assumption"


def test_numbers_are_classified_by_their_own_line_then_the_nearest_enclosing_line(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        "months: 12\n"
        "markets:\n"
        "  rates:\n"
        "    base_rate_per_year: 0.04   # source: TRI, Dec 2025 (10-year Treasury)\n"
        "    spread: 0.01               # assumption: calm\n"
        "holder:\n"
        "  securities_bn:               # source: CALIBRATION.md (general account)\n"
        "    government: 250.0\n"
        "    private: 800.0             # assumption: approx.\n"
        "  rules: {a: 1.5, b: 2}        # assumption: both\n"
        "  name: 'a # not a comment'\n"
        "  flags: {on: true}\n"
        "  rate_per_year: 0.095         # (as above)\n",
        encoding="utf-8",
    )
    found = {n.path: n for n in ct.numbers(config)}
    assert set(found) == {
        "months",
        "markets.rates.base_rate_per_year",
        "markets.rates.spread",
        "holder.securities_bn.government",
        "holder.securities_bn.private",
        "holder.rules.a",
        "holder.rules.b",
        "holder.rate_per_year",
    }
    assert found["markets.rates.base_rate_per_year"].basis == "source"
    assert found["markets.rates.spread"].basis == "assumption"
    assert found["holder.securities_bn.government"].basis == "source"
    assert found["holder.securities_bn.government"].inherited_from == "holder.securities_bn"
    assert found["holder.securities_bn.private"].basis == "assumption"
    assert found["holder.securities_bn.private"].inherited_from == ""
    assert found["holder.rules.b"].basis == "assumption"
    assert found["months"].basis == ""
    assert found["holder.rate_per_year"].basis == ""  # a comment that names neither does not count
    assert found["holder.rate_per_year"].line == 13
