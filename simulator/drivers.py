"""Exogenous drivers (phase 1, shocks): AI demand, GPU values and rents, rates, crypto,
sentiment, and the scenario's scheduled shocks.

State here is a handful of scalars and per-generation arrays; all randomness comes from the
model's numpy Generator, so a seed fixes the path.
"""

from __future__ import annotations

import numpy as np

from agents.names import CREDIT_CLASSES, CreditClass
from simulator.config import Scenario


class Drivers:
    """Market-wide state that moves each month.

    Attributes
    ----------
    ai_revenue_index : float
        AI end-customer revenue relative to month 0.
    expected_ai_index : float
        What month-0 prices assumed it would be now (``expected_ai_revenue_growth_per_year``,
        slowing like actual growth towards ``long_run_growth_per_year``).
    ai_growth_per_year, expected_growth_per_year : float
        This month's growth of AI revenue, actual (before noise) and priced in.
    crypto_index : float
        Crypto prices relative to month 0.
    sentiment : float
        Market sentiment index (1 = calm late-2025 markets).
    base_rate_per_year : float
    fundamental_price_bn : ndarray
        Fundamental value of each GPU generation, US$ bn per thousand GPUs.
    discount : ndarray
        Fire-sale discount factor per generation (1 = none); the market price is
        ``fundamental_price_bn * discount``.
    rental_bn_per_k_month : ndarray
        Rent per thousand GPUs per month at full utilisation.
    depreciation_per_year : ndarray
        Current depreciation rate per generation (steepens when a newer generation launches).
    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator):
        m = scenario.markets
        self.scenario = scenario
        self.rng = rng
        gens = m.gpu.generations
        self.generation_names = [g.name for g in gens]
        self.ai_growth_per_year = m.demand.ai_revenue_growth_per_year
        self.expected_growth_per_year = m.demand.expected_ai_revenue_growth_per_year
        self.ai_revenue_index = 1.0
        self.expected_ai_index = 1.0
        self.crypto_index = 1.0
        self.sentiment = m.sentiment.initial
        self.base_rate_per_year = m.rates.base_rate_per_year
        self.fundamental_price_bn = np.array([g.price_bn_per_k for g in gens])
        self.discount = np.ones(len(gens))
        self.rental_bn_per_k_month = np.array([g.rental_bn_per_k_month for g in gens])
        self.opening_rental_bn_per_k_month = self.rental_bn_per_k_month.copy()
        self.base_depreciation = np.array([g.depreciation_per_year for g in gens])
        self.launch_month = np.array([g.launch_month for g in gens])
        self.extra_depreciation = np.zeros(len(gens))
        self._newest: dict[int, int] = {}  # month -> newest generation on sale (launch dates are fixed)
        # depreciation_per_year() changes only when a generation launches or a shock steepens it
        self._depreciation: tuple[tuple[int, int], np.ndarray] | None = None
        self._shocks_applied = 0
        # Monthly volatilities and crypto drift (scenario constants, computed once).
        d = m.demand
        self._ai_vol_per_month = d.ai_revenue_volatility_per_year / np.sqrt(12.0)
        self._crypto_vol_per_month = d.crypto_volatility_per_year / np.sqrt(12.0)
        self._crypto_drift_per_month = (
            np.log1p(d.crypto_drift_per_year) / 12.0 if d.crypto_drift_per_year > -1 else -1.0
        )
        self.idle_compute_share = 0.0  # share of contracted GPU capacity given up (set by the model)
        # Credit markets, by CreditClass: calm spreads, the duration that turns a class's price
        # discount into yield, the discount of forced sales (1 = none; heals each month), and
        # the bonds the model's borrowers issued in the last three months (US$ bn).
        credit = m.credit
        self._calm_spreads = np.array([m.rates.spreads_per_year[c] for c in CREDIT_CLASSES])
        self._class_duration = np.array([credit.maturity_years[c] for c in CREDIT_CLASSES])
        self._quoted = np.array([c in credit.quoted for c in CREDIT_CLASSES], dtype=float)
        self.credit_discount = np.ones(len(CREDIT_CLASSES))
        self.issued_bn_3m = 0.0
        self._spreads: tuple | None = None
        # Outside securities of each class: one representative bond, priced at par at month 0.
        self.floating_classes = np.array([c in credit.floating for c in CREDIT_CLASSES])
        self.class_years = self._class_duration
        self.opening_class_rates = self.market_rates_per_year(self.floating_classes, np.arange(len(CREDIT_CLASSES)))
        self.revenue_scale: dict[int, float] = {}  # institution index -> share of outside revenue kept

    # ----------------------------------------------------------------- derived
    @property
    def market_price_bn(self) -> np.ndarray:
        return self.fundamental_price_bn * self.discount

    @property
    def rent_index(self) -> float:
        """GPU rents relative to month 0 (they deflate at ``rental_deflation_per_year``)."""
        return float(self.rental_bn_per_k_month[0] / self.opening_rental_bn_per_k_month[0])

    @property
    def rental_deflation_per_year(self) -> float:
        """How fast GPU rents fall now: ``rental_deflation_per_year``, faster by
        ``rent_glut_sensitivity`` x the share of contracted capacity customers have given up
        (``idle_compute_share``), at most 95% a year.
        """
        g = self.scenario.markets.gpu
        return min(g.rental_deflation_per_year + g.rent_glut_sensitivity * self.idle_compute_share, 0.95)

    @property
    def demand_ratio(self) -> float:
        """AI demand relative to what was priced in (1 = as expected)."""
        return self.ai_revenue_index / self.expected_ai_index

    def launched(self, month: int) -> np.ndarray:
        return self.launch_month <= month

    def newest_generation(self, month: int) -> int:
        newest = self._newest.get(month)
        if newest is None:
            launched = self.launched(month).nonzero()[0]
            newest = self._newest[month] = int(launched[np.argmax(self.launch_month[launched])])
        return newest

    def depreciation_per_year(self, month: int) -> np.ndarray:
        """Each generation depreciates faster once a newer one has launched (read-only array,
        recomputed only when a generation launches or ``add_depreciation`` changes it).
        """
        newest = self.newest_generation(month)
        key = (newest, self._shocks_applied)
        if self._depreciation is None or self._depreciation[0] != key:
            superseded = self.launch_month < self.launch_month[newest]
            steepen = self.scenario.markets.gpu.next_gen_extra_depreciation_per_year * superseded
            # clipped to [0, 0.99] (np.minimum/np.maximum: np.clip's wrapper costs more than the work)
            rate = np.minimum(np.maximum(self.base_depreciation + steepen + self.extra_depreciation, 0.0), 0.99)
            rate.flags.writeable = False
            self._depreciation = (key, rate)
        return self._depreciation[1]

    def add_depreciation(self, generations: np.ndarray, extra_per_year: float) -> None:
        """A shock: ``generations`` depreciate ``extra_per_year`` faster from now on."""
        self.extra_depreciation[generations] += extra_per_year
        self._shocks_applied += 1

    def spreads_per_year(self) -> np.ndarray:
        """The spread over the base rate of each credit class now (``CreditClass`` order): its
        calm level -- for quoted classes widened as sentiment falls below 1 and by recent heavy
        bond issuance -- plus the yield a forced sale's discount adds while it lasts (the discount
        over the class's duration). Government bonds carry none of it. Read-only array, cached
        until a driver moves.
        """
        key = (self.sentiment, self.issued_bn_3m, self.credit_discount.tobytes())
        if self._spreads is None or self._spreads[0] != key:
            r = self.scenario.markets.rates
            widen = 1.0 + r.spread_sentiment_sensitivity * max(0.0, 1.0 - self.sentiment)
            moved = self._quoted * (widen - 1.0)  # (quoted classes only)
            spreads = (
                self._calm_spreads * (1.0 + moved)
                + self._quoted * r.issuance_spread_per_year * self.issued_bn_3m / 100.0
            )
            spreads += (1.0 - self.credit_discount) / self._class_duration
            spreads[CreditClass.GOVERNMENT] = self._calm_spreads[CreditClass.GOVERNMENT]
            spreads.flags.writeable = False
            self._spreads = (key, spreads)
        return self._spreads[1]

    def credit_spread_per_year(self) -> float:
        """The investment-grade spread now."""
        return float(self.spreads_per_year()[CreditClass.INVESTMENT_GRADE])

    def market_rate_per_year(self, floating: bool, credit_class: int = CreditClass.INVESTMENT_GRADE) -> float:
        """The rate new debt of ``credit_class`` is priced against now: its spread, plus the base
        rate for fixed-rate debt (floating-rate debt pays the base rate on top of its contractual
        rate).
        """
        return float(self.spreads_per_year()[credit_class]) + (0.0 if floating else self.base_rate_per_year)

    def market_rates_per_year(self, floating: np.ndarray, credit_class: np.ndarray) -> np.ndarray:
        """``market_rate_per_year`` for many rows at once."""
        return self.spreads_per_year()[credit_class] + np.where(floating, 0.0, self.base_rate_per_year)

    def hit_credit_market(self, credit_class: int, price_factor: float) -> None:
        """A forced sale in ``credit_class``'s market fetched ``price_factor`` of its value: the
        class's discount deepens (and widens its spread) until it heals.
        """
        self.credit_discount[credit_class] *= price_factor

    # ----------------------------------------------------------------- monthly update
    def advance(
        self,
        month: int,
        overhang: np.ndarray | None = None,
        idle_compute_share: float = 0.0,
        issued_bn_3m: float = 0.0,
    ) -> None:
        """Move the exogenous drivers from month-1 to ``month`` (before shocks apply). A
        generation with GPUs still waiting to sell (``overhang``, thousands) keeps its fire-sale
        discount: it heals only once the market has cleared; ``idle_compute_share`` (of contracted
        GPU capacity given up by customers) speeds up rent deflation; ``issued_bn_3m`` (bonds the
        model's borrowers issued in the last three months, US$ bn) widens credit spreads.
        """
        self.idle_compute_share = idle_compute_share
        self.issued_bn_3m = issued_bn_3m
        recovery = self.scenario.markets.credit.discount_recovery_per_month
        self.credit_discount = 1.0 - (1.0 - self.credit_discount) * (1.0 - recovery)
        m = self.scenario.markets
        d = m.demand
        vol = self._ai_vol_per_month
        growth = np.log1p(self.ai_growth_per_year) / 12.0
        self.ai_revenue_index *= float(np.exp(growth - 0.5 * vol**2 + vol * self.rng.standard_normal()))
        self.expected_ai_index *= (1.0 + self.expected_growth_per_year) ** (1.0 / 12.0)
        # Growth rates, actual and expected alike, slow towards the long-run rate.
        slow = 0.5 ** (1.0 / d.growth_half_life_months)
        self.ai_growth_per_year = (
            d.long_run_growth_per_year + (self.ai_growth_per_year - d.long_run_growth_per_year) * slow
        )
        self.expected_growth_per_year = (
            d.long_run_growth_per_year + (self.expected_growth_per_year - d.long_run_growth_per_year) * slow
        )
        cvol, cdrift = self._crypto_vol_per_month, self._crypto_drift_per_month
        self.crypto_index *= float(np.exp(cdrift - 0.5 * cvol**2 + cvol * self.rng.standard_normal()))
        # Generations not yet on sale keep their launch price.
        dep = self.depreciation_per_year(month) * self.launched(month - 1)
        # A GPU is worth the rents it will earn: rents falling faster than month-0 prices assumed
        # cut its value in proportion (the surprise compounds month by month).
        deflation = self.rental_deflation_per_year
        expected = m.gpu.expected_rental_deflation_per_year
        if expected is None:
            expected = m.gpu.rental_deflation_per_year
        surprise = 1.0 if deflation == expected else ((1.0 - deflation) / (1.0 - expected)) ** (1.0 / 12.0)
        self.fundamental_price_bn = self.fundamental_price_bn * (1.0 - dep) ** (1.0 / 12.0) * surprise
        self.rental_bn_per_k_month = self.rental_bn_per_k_month * (1.0 - deflation) ** (1.0 / 12.0)
        heal = m.gpu.discount_recovery_per_month
        healed = 1.0 - (1.0 - self.discount) * (1.0 - heal)
        self.discount = healed if overhang is None else np.where(overhang > 1e-12, self.discount, healed)
        s = m.sentiment
        noise = s.volatility_per_month * self.rng.standard_normal()
        # Sentiment reverts towards a level set by how AI demand compares with expectations.
        anchor = s.initial * min(1.0, self.demand_ratio) ** s.demand_sensitivity
        self.sentiment += s.mean_reversion_per_month * (anchor - self.sentiment) + noise

    def hit_sentiment(self, amount: float) -> None:
        self.sentiment = min(max(float(self.sentiment - amount), 0.05), 2.0)
