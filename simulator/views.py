"""Read-only views of a running model, for the Solara app, notebooks and tests.

Every function takes a :class:`~simulator.model.ContagionModel` (plus names) and returns plain
Python values -- dicts, lists, floats -- describing its *current* state. None of them changes the
model, and none imports Solara, so a notebook can call them as well as the app::

    >>> from simulator import ContagionModel
    >>> from simulator import views
    >>> model = ContagionModel("neocloud_default", seed=7)
    >>> model.run_for(4)
    >>> views.status_counts(model)                                  # doctest: +SKIP
    {'healthy': 16, 'stressed': 1, 'breached': 0, 'defaulted': 6}
    >>> views.balance_sheet(model, "Blue Owl")["equity_bn"]          # doctest: +SKIP
    >>> [e.message for e in views.events_for_month(model, kinds="default")]   # doctest: +SKIP

Money is in US$ billions, ratios are plain numbers (LTV 0.85 = 85 %), months count from 0 (the
opening balance sheet).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.instruments import NO_COLLATERAL
from agents.names import DEBT_KINDS, EVENT_KINDS, InstitutionKind
from networks import FUNDING_KINDS, STATUSES, exposure_matrix, round_trip_ratio
from networks import circular_deals as _circular_deals
from networks import largest_exposures as _largest_exposures
from simulator.counterfactual import new_to_the_shock
from simulator.events import Event
from simulator.i18n import N_
from simulator.records import LOSS_MEASURES

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

__all__ = [
    "ASSET_LINES",
    "LIABILITY_LINES",
    "balance_sheet",
    "circular_deals",
    "default_focus",
    "event_log",
    "events_for_month",
    "exposure_inputs",
    "first_new_event",
    "key_figures",
    "largest_exposures",
    "loans_of",
    "loss_measures",
    "round_trip",
    "status_counts",
    "systemic_ranking",
]

#: Balance-sheet lines, in the order they are shown (key -> label).
ASSET_LINES: dict[str, str] = {
    "cash": N_("Cash"),
    "gpus": N_("GPUs (secondary-market value)"),
    "real_assets": N_("Data centres, land and power"),
    "debt_held": N_("Loans, bonds and ABS held"),
    "stakes_held": N_("Equity stakes and fund shares"),
    "securities": N_("Bonds and loans of outside issuers (at market)"),
    "other": N_("Other assets (outside the model)"),
}
LIABILITY_LINES: dict[str, str] = {
    **{
        kind: {
            "loan": N_("Loans owed"),
            "bond": N_("Bonds owed"),
            "credit_line": N_("Credit lines drawn"),
            "abs_tranche": N_("ABS tranches issued"),
        }[kind]
        for kind in DEBT_KINDS
    },
    "other": N_("Other liabilities (outside the model)"),
}

_NEGLIGIBLE_BN = 1e-9


# --------------------------------------------------------------------------- lookups
def _index(model: ContagionModel, name: str) -> int:
    try:
        return model.index_of[name]
    except (KeyError, TypeError):
        raise KeyError(f"no institution {name!r}; known: {list(model.names)}") from None


def _finite_or_none(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- statuses
def status_counts(model: ContagionModel) -> dict[str, int]:
    """Number of institutions in each status, in the order healthy, stressed, breached, defaulted."""
    counts = dict.fromkeys(STATUSES, 0)
    for agent in model.institutions:
        counts[agent.status] = counts.get(agent.status, 0) + 1
    return counts


def key_figures(model: ContagionModel, name: str) -> dict[str, Any]:
    """The few numbers shown when an institution is selected or hovered in the network.

    Keys: name, kind, status, total_assets_bn, equity_bn (book), cash_bn, leverage
    (assets / equity; None if equity <= 0), ltv (highest LTV of its GPU-backed loans; None if
    none), dscr (debt-service coverage, last three months; None if it has no debt service),
    defaulted_month (None if it has not defaulted), and the four loss measures of
    ``loss_measures``.
    """
    i = _index(model, name)
    agent = model.institutions[i]
    led = model.ledger
    assets = float(led.assets_bn()[i])
    equity = float(led.equity_bn()[i])
    return {
        "name": agent.name,
        "kind": agent.kind,
        "status": agent.status,
        "total_assets_bn": assets,
        "equity_bn": equity,
        "cash_bn": float(led.cash_bn[i]),
        "leverage": assets / equity if equity > 0 else None,
        "ltv": getattr(agent, "ltv", None),
        "dscr": getattr(agent, "dscr", None),
        "defaulted_month": agent.defaulted_month,
        **loss_measures(model, name),
    }


def loss_measures(model: ContagionModel, name: str) -> dict[str, float | None]:
    """An institution's four loss measures at the last month end (US$ bn; see
    ``simulator.records.LOSS_MEASURES``): ``realised_losses_bn``, ``unrealised_losses_bn``,
    ``equity_shortfall_bn`` and ``market_value_shortfall_bn`` (the last two None without a
    counterfactual).
    """
    i = _index(model, name)
    month_end = model.state.memory.month_end
    return {measure: getattr(month_end, measure)[i] for measure in LOSS_MEASURES}


def first_new_event(model: ContagionModel, kind: str) -> Event | None:
    """The first event of ``kind`` (an ``EventKind``, e.g. ``"covenant_breach"`` or
    ``"default"``) that the run's counterfactual does not have -- another institution (for a
    breach: another borrower and lender), or the same one at least a month earlier; without a
    counterfactual, simply the first event of ``kind``.
    """
    cf = model.counterfactual
    if cf is not None:
        cf.at(model.month)
    return new_to_the_shock(model.events, None if cf is None else cf.events, kind)


def default_focus(model: ContagionModel) -> str:
    """A sensible institution to inspect first: the largest borrower under covenants.

    Covenanted debt (LTV, DSCR or minimum liquidity) is where a cascade starts, so its biggest
    borrower is the most instructive default. Falls back to the largest borrower, then to the
    first institution.
    """
    d = model.ledger.debt
    if len(d):
        covenanted = np.isfinite(d.ltv_covenant) | (d.dscr_covenant > 0) | (d.min_liquidity_bn > 0)
        for mask in (covenanted & d.active, d.active):
            owed = np.bincount(d.obligor[mask], weights=d.principal_bn[mask], minlength=len(model.names))
            if owed.max(initial=0.0) > 0:
                return model.names[int(np.argmax(owed))]
    return model.names[0]


# --------------------------------------------------------------------------- balance sheet
def balance_sheet(model: ContagionModel, name: str) -> dict[str, Any]:
    """An institution's balance sheet now, marked to market.

    Returns a dict with

    * ``assets_bn``: ``{line: amount}`` for the keys of :data:`ASSET_LINES` (GPUs at the current
      secondary-market price, debt held at the holder's mark, stakes at the issuer's value);
    * ``liabilities_bn``: ``{line: amount}`` for the keys of :data:`LIABILITY_LINES` (debt at
      outstanding principal);
    * ``total_assets_bn``, ``total_liabilities_bn``, ``equity_bn`` (= assets - liabilities,
      the same as ``model.ledger.equity_bn()``), ``market_value_bn`` (value of 100 % of its
      equity: market capitalisation, or NAV for funds and SPVs), ``leverage`` (assets / equity,
      None if equity <= 0), ``gpus_k`` (``{generation: thousands of GPUs}``), the four loss
      measures of ``loss_measures``, plus ``name``, ``kind``, ``status`` and ``month``.

    Raises
    ------
    KeyError
        If there is no institution called ``name``.
    """
    i = _index(model, name)
    led, d, s = model.ledger, model.ledger.debt, model.ledger.stakes
    agent = model.institutions[i]
    held = d.holder == i
    owed = (d.obligor == i) & (d.principal_bn > _NEGLIGIBLE_BN)
    assets = {
        "cash": float(led.cash_bn[i]),
        "gpus": float(led.gpu_value_bn()[i]),
        "real_assets": float(led.real_assets_bn[i]),
        "debt_held": float(led.debt_asset_values_bn()[held].sum()),
        "stakes_held": float(led.stake_values_bn()[s.holder == i].sum()),
        "securities": float(led.securities_value_bn()[i]),
        "other": float(led.other_assets_bn[i]),
    }
    liabilities = {kind: float(d.principal_bn[owed & (d.kind == k)].sum()) for k, kind in enumerate(DEBT_KINDS)}
    liabilities["other"] = float(led.other_liabilities_bn[i])
    total_assets = sum(assets.values())
    total_liabilities = sum(liabilities.values())
    equity = total_assets - total_liabilities
    return {
        "name": agent.name,
        "kind": agent.kind,
        "status": agent.status,
        "month": int(model.month),
        "assets_bn": assets,
        "liabilities_bn": liabilities,
        "total_assets_bn": total_assets,
        "total_liabilities_bn": total_liabilities,
        "equity_bn": equity,
        "market_value_bn": float(led.equity_value_bn[i]),
        "leverage": total_assets / equity if equity > 0 else None,
        "gpus_k": {
            g: float(led.gpu_units_k[i, k])
            for k, g in enumerate(model.generation_names)
            if led.gpu_units_k[i, k] > _NEGLIGIBLE_BN
        },
        **loss_measures(model, name),
    }


def loans_of(model: ContagionModel, name: str, role: str = "borrower") -> list[dict[str, Any]]:
    """The debt an institution owes (``role="borrower"``) or holds (``role="lender"``), with
    its covenants and the headroom left before each one breaks.

    Tests are measured as the engine measures them (:func:`simulator.valuation.covenant_measures`):
    LTV = principal / (pledged GPUs x current price); DSCR = the borrower's operating cash flow
    / its debt service over the last three months. Headroom is positive while the covenant
    holds: ``ltv_headroom = ltv_covenant - ltv`` (in LTV points, 0.05 = 5 points),
    ``dscr_headroom = dscr - dscr_covenant`` and ``liquidity_headroom_bn = cash -
    min_liquidity_bn``; None where there is no such covenant (or the test is undefined).

    Each dict: id, kind, lender, borrower, principal_bn, rate_per_year (incl. the base rate if
    floating), maturity_month, collateral (generation or None), collateral_units_k,
    collateral_value_bn, ltv, ltv_covenant, ltv_headroom, dscr, dscr_covenant, dscr_headroom,
    min_liquidity_bn, liquidity_headroom_bn, in_breach (this month), accelerated, waivers.
    Largest principal first; closed or fully repaid debt is left out.

    Raises
    ------
    KeyError
        Unknown institution.
    ValueError
        ``role`` is not "borrower" or "lender".
    """
    from simulator.valuation import covenant_measures  # the engine's own definition of the tests

    if role not in ("borrower", "lender"):
        raise ValueError(f"unknown role {role!r}; choose from ['borrower', 'lender']")
    i = _index(model, name)
    d = model.ledger.debt
    if not len(d):
        return []
    m = covenant_measures(model.state)
    side = d.obligor if role == "borrower" else d.holder
    rows = np.flatnonzero((side == i) & d.active & (d.principal_bn > _NEGLIGIBLE_BN))
    base = float(model.drivers.base_rate_per_year)
    loans = []
    for row in rows:
        secured = d.collateral_gen[row] != NO_COLLATERAL
        ltv = float(m["ltv"][row]) if secured and m["collateral_bn"][row] > 0 else None
        if secured and ltv is None:
            ltv = math.inf  # collateral gone: the LTV test cannot pass
        ltv_cov = _finite_or_none(d.ltv_covenant[row])
        dscr = _finite_or_none(m["dscr"][row])
        dscr_cov = float(d.dscr_covenant[row]) or None
        min_liq = float(d.min_liquidity_bn[row]) or None
        cash = float(m["cash"][row])
        loans.append(
            {
                "id": d.ids[row],
                "kind": DEBT_KINDS[d.kind[row]],
                "lender": model.names[d.holder[row]],
                "borrower": model.names[d.obligor[row]],
                "principal_bn": float(d.principal_bn[row]),
                "rate_per_year": float(d.rate_per_year[row] + (base if d.floating[row] else 0.0)),
                "maturity_month": int(d.maturity_month[row]),
                "collateral": model.generation_names[d.collateral_gen[row]] if secured else None,
                "collateral_units_k": float(d.collateral_units_k[row]) if secured else 0.0,
                "collateral_value_bn": float(m["collateral_bn"][row]) if secured else 0.0,
                "ltv": ltv,
                "ltv_covenant": ltv_cov,
                "ltv_headroom": (ltv_cov - ltv) if ltv_cov is not None and ltv is not None else None,
                "dscr": dscr,
                "dscr_covenant": dscr_cov,
                "dscr_headroom": (dscr - dscr_cov) if dscr_cov is not None and dscr is not None else None,
                "min_liquidity_bn": min_liq,
                "liquidity_headroom_bn": (cash - min_liq) if min_liq is not None else None,
                "in_breach": bool(d.in_breach[row]),
                "accelerated": bool(d.accelerated[row]),
                "waivers": int(d.waivers[row]),
            }
        )
    loans.sort(key=lambda loan: (-loan["principal_bn"], loan["id"]))
    return loans


def largest_exposures(model: ContagionModel, name: str, top: int | None = 5) -> list[dict[str, Any]]:
    """The biggest claims an institution holds on others (all contract kinds), largest first.

    Amounts as in the deal graph (:meth:`ContagionModel.deal_graph`): outstanding principal for
    debt, current value for stakes, payments still to come for contracts. Each dict:
    counterparty, contract, kind, amount_bn, share_of_equity (amount / its book equity; None
    if its equity is <= 0).
    """
    i = _index(model, name)
    G = model.deal_graph()
    equity = float(G.nodes[i]["equity_bn"])
    return [
        {
            "counterparty": model.names[c.obligor],
            "contract": c.contract,
            "kind": c.kind,
            "amount_bn": float(c.amount_bn),
            "share_of_equity": float(c.amount_bn) / equity if equity > 0 else None,
        }
        for c in _largest_exposures(G, i, top=top)
    ]


def round_trip(model: ContagionModel, name: str | None = None) -> dict[str, float] | float:
    """Round-trip ratio: the share of revenue owed by customers the institution itself funded.

    (:func:`networks.round_trip_ratio` on the current deal graph.) Returns ``{name: ratio}`` for
    every institution, or one ratio if ``name`` is given.
    """
    ratios = round_trip_ratio(model.deal_graph())
    if name is not None:
        return float(ratios[_index(model, name)])
    return {model.names[i]: float(r) for i, r in sorted(ratios.items())}


def round_trip_of(model: ContagionModel, name: str) -> float:
    """One institution's round-trip ratio (see :func:`round_trip`)."""
    return float(round_trip_ratio(model.deal_graph())[_index(model, name)])


def circular_deals(model: ContagionModel, max_length: int = 4) -> list[dict[str, Any]]:
    """Circular deals now: cycles of claims in the deal graph (:func:`networks.circular_deals`).

    Each dict: ``nodes`` (node ids, the first repeated at the end is *not* included), ``names``,
    ``links`` (one per arc: ``{"from", "to", "kinds", "amount_bn"}``, all contracts from one
    institution to the next) and ``amount_bn`` (the smallest link: the most that can go all the
    way round). Largest ``amount_bn`` first.
    """
    G = model.deal_graph()
    deals: list[dict[str, Any]] = []
    for cycle in _circular_deals(G, max_length=max_length):
        links: list[dict[str, Any]] = []
        for u, v in zip(cycle, cycle[1:] + cycle[:1]):
            data = G.get_edge_data(u, v) or {}
            kinds = sorted({e["kind"] for e in data.values()})
            links.append(
                {
                    "from": model.names[u],
                    "to": model.names[v],
                    "kinds": kinds,
                    "amount_bn": float(sum(e["amount_bn"] for e in data.values())),
                }
            )
        deals.append(
            {
                "nodes": list(cycle),
                "names": [model.names[n] for n in cycle],
                "links": links,
                "amount_bn": min(link["amount_bn"] for link in links),
            }
        )
    deals.sort(key=lambda deal: (-deal["amount_bn"], len(deal["nodes"]), deal["nodes"]))
    return deals


# --------------------------------------------------------------------------- systemic risk
def exposure_inputs(model: ContagionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The DebtRank inputs for the current network: ``(exposures, equity, alive)``.

    Mapping from the deal graph to DebtRank (Battiston et al. 2012; Bardoscia et al. 2015):

    * ``exposures[i, j]`` (US$ bn) = the sum of ``amount_bn`` over the *funding* contracts
      (:data:`networks.FUNDING_KINDS`: equity, loan, bond, credit line, ABS tranche, fund
      share) that institution ``i`` holds on ``j`` -- what ``i`` loses if ``j`` is wiped out.
      Revenue contracts (compute, leases, chip sales) are future income, not balance-sheet
      claims, and are left out.
    * ``equity[i]`` = ``i``'s book equity (assets - liabilities, marked to market). DebtRank
      then propagates relative losses with the impact matrix
      ``W[i, j] = min(1, exposures[i, j] / equity[i])``.
    * ``alive[i]`` is False for institutions that have already defaulted or have no positive
      equity left: they are out of the cascade (their rows and columns are zeroed).
    """
    G = model.deal_graph()
    n = len(model.names)
    exposures = exposure_matrix(G, kinds=FUNDING_KINDS, nodelist=range(n))
    equity = np.array([float(G.nodes[i]["equity_bn"]) for i in range(n)])
    alive = np.array([not a.defaulted for a in model.institutions]) & (equity > _NEGLIGIBLE_BN)
    exposures[~alive, :] = 0.0
    exposures[:, ~alive] = 0.0
    np.fill_diagonal(exposures, 0.0)
    return exposures, equity, alive


def systemic_ranking(model: ContagionModel, method: str = "linear", top: int | None = None) -> list[tuple[str, float]]:
    """Which institutions would do the most damage if they failed now, by DebtRank.

    For each institution ``j`` still standing (the central bank excepted), ``j`` alone is
    shocked to default (relative equity loss 1) and
    :func:`simulator.cascades.debtrank` propagates the losses over the exposure network of
    :func:`exposure_inputs`. The score is the equity the *rest* of the network would lose,
    in US$ bn: DebtRank ``R`` (net of the initial shock) with equity-share weights
    ``v_i = equity_i / sum(equity)``, times ``sum(equity)``.

    Parameters
    ----------
    method : {"linear", "original"}
        DebtRank variant (Bardoscia et al. 2015 / Battiston et al. 2012).
    top : int, optional
        Keep only the ``top`` largest.

    Returns
    -------
    list of (name, score_bn)
        Largest first (ties by name). Institutions with no exposed creditors score 0.
    """
    from simulator.kernels.cascades import debtrank

    exposures, equity, alive = exposure_inputs(model)
    idx = np.flatnonzero(alive)
    if len(idx) == 0:
        return []
    sub_exposures = exposures[np.ix_(idx, idx)]
    sub_equity = equity[idx]
    total = float(sub_equity.sum())
    weights = sub_equity / total
    ranking = []
    for k, j in enumerate(idx):
        if model.kinds[j] == InstitutionKind.CENTRAL_BANK:
            continue
        if not sub_exposures[:, k].any():  # nobody holds a claim on j: no contagion from it
            ranking.append((model.names[j], 0.0))
            continue
        shocked = np.zeros(len(idx))
        shocked[k] = 1.0
        result = debtrank(sub_exposures, sub_equity, shocked, weights=weights, method=method)
        ranking.append((model.names[j], max(float(result.R), 0.0) * total))
    ranking.sort(key=lambda item: (-item[1], item[0]))
    return ranking if top is None else ranking[:top]


# --------------------------------------------------------------------------- events
def _kind_filter(kinds: str | Iterable[str] | None) -> frozenset[str] | None:
    if kinds is None:
        return None
    chosen = frozenset([kinds] if isinstance(kinds, str) else kinds)
    unknown = sorted(chosen.difference(EVENT_KINDS))
    if unknown:
        raise ValueError(f"unknown event kind(s) {unknown}; choose from {list(EVENT_KINDS)}")
    return chosen


def event_log(
    model: ContagionModel,
    kinds: str | Iterable[str] | None = None,
    institution: str | None = None,
    months: tuple[int, int] | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Events newest first, optionally filtered.

    Parameters
    ----------
    kinds : str or iterable of str, optional
        Keep only these event kinds (:data:`agents.names.EVENT_KINDS`).
    institution : str, optional
        Keep only events in which this institution acts or is the counterparty.
    months : (first, last), optional
        Keep only events of months ``first..last`` (inclusive).
    limit : int, optional
        At most this many (the newest).

    Raises
    ------
    ValueError
        An unknown event kind.
    KeyError
        An unknown institution.
    """
    chosen = _kind_filter(kinds)
    if institution is not None:
        _index(model, institution)
    first, last = months if months is not None else (-math.inf, math.inf)
    out = []
    for event in reversed(model.events):
        if not first <= event.month <= last:
            continue
        if chosen is not None and event.kind not in chosen:
            continue
        if institution is not None and institution not in (event.actor, event.counterparty):
            continue
        out.append(event)
        if limit is not None and len(out) >= limit:
            break
    return out


def events_for_month(
    model: ContagionModel,
    month: int | None = None,
    kinds: str | Iterable[str] | None = None,
    institution: str | None = None,
) -> list[Event]:
    """The events of one month (default: the current month), newest first.

    Filters as in :func:`event_log`.
    """
    month = model.month if month is None else int(month)
    return event_log(model, kinds=kinds, institution=institution, months=(month, month))
