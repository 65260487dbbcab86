"""Balance sheets of every institution, kept as arrays, with double-entry bookkeeping.

The ledger is the one adapter between the agents (who decide) and the arrays (which hold
what they own and owe). Every change of state goes through a method here that records both
sides: the balance-sheet quantity that moves and the profit-and-loss (P&L) or capital entry it
causes. That makes two independent statements of each institution's equity:

* from the balance sheet: ``assets - liabilities`` (marked to market), and
* from the flows: ``opening equity + cumulative P&L + capital raised``,

and the accounting tests check that they agree to 1e-9 every tick. Cash that enters or leaves
the modelled system (end-customer revenue, operating costs, outside buyers, default costs, ...)
is recorded by name in ``exogenous_bn``, so that the change in total cash equals the named
exogenous flows exactly.

Units: US$ billions; GPU quantities in thousands of units; prices in US$ billions per thousand
GPUs.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from agents.instruments import ContractBook, DebtBook, PledgeBook, StakeBook
from agents.names import CREDIT_CLASSES

PNL_CATEGORIES = ("operating", "valuation", "fire_sale", "credit")
"""P&L categories: ``operating`` (revenues, costs, interest, depreciation of GPUs and data
centres), ``valuation`` (equity stakes and NAVs marked to market), ``fire_sale`` (price impact
of forced sales: discounts realised by sellers and marked by every holder, and their healing),
``credit`` (write-offs, impairments, ABS marks, default costs, liquidation haircuts).
Contagion losses reported by sector are ``-(fire_sale + credit)``."""
OPERATING, VALUATION, FIRE_SALE, CREDIT = range(4)


def is_scalar(x) -> bool:
    """True for a single number or index (Python or numpy scalar, or a 0-d array): like
    ``np.ndim(x) == 0``, which costs about 1 µs on a Python scalar, but cheap on the arrays and
    numbers the ledger and the obligations are handed in their hot paths.
    """
    if isinstance(x, np.ndarray):
        return x.ndim == 0
    return isinstance(x, (int, float, np.number)) or np.ndim(x) == 0


def _like(values, shape: tuple) -> np.ndarray:
    """``values`` as a float array of ``shape`` (a scalar is repeated); cheap when it already is."""
    if isinstance(values, np.ndarray) and values.shape == shape:
        return values if values.dtype == np.float64 else values.astype(float)
    if is_scalar(values):
        repeated = np.empty(shape)
        repeated.fill(float(values))
        return repeated
    return np.broadcast_to(np.asarray(values, dtype=float), shape)


def _indices(index) -> np.ndarray:
    """``index`` (one institution or row, or an array of them) as a 1-D array, like
    ``np.atleast_1d`` but without its Python overhead when it already is one.
    """
    if isinstance(index, np.ndarray) and index.ndim == 1:
        return index
    return np.atleast_1d(index)


def _scatter(index: np.ndarray, values, size: int) -> np.ndarray:
    """Sum ``values`` into a length-``size`` array at ``index`` (a vectorised group-by)."""
    if not len(index):  # numpy returns integer zeros for an empty index
        return np.zeros(size)
    if not (isinstance(values, np.ndarray) and values.shape == index.shape and values.dtype == np.float64):
        values = _like(values, index.shape)  # (checked inline first: this is called ~60 times a month)
    return np.bincount(index, weights=values, minlength=size)


NEGATIVE_DUST_BN = 1e-9
"""How far below zero a balance may end from floating-point rounding (US$ bn: under a dollar).
Every payment method cuts what it moves so that no cash, principal or holding ends lower."""


def _within(index: np.ndarray, amount: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``amount`` (>= 0, one per entry of ``index``), cut so that the entries of each index take
    at most ``limit[index]`` together -- pro rata when they would take more. Returns ``amount``
    itself when nothing is cut.
    """
    total = np.bincount(index, weights=amount, minlength=len(limit))
    over = (total > limit) & (total > 0)
    if not over.any():
        return amount
    scale = np.ones(len(limit))
    scale[over] = np.maximum(limit[over], 0.0) / total[over]
    return amount * scale[index]


def _paid_at_most_once(index: np.ndarray, amount: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``amount`` with entries capped at ``limit[index]`` each and, where an index appears more
    than once, together (several dues on one debt row, one GPU lot, one stake).
    """
    amount = np.minimum(np.maximum(amount, 0.0), limit[index])
    if len(index) > 1 and len(set(index.tolist())) < len(index):
        amount = _within(index, amount, limit)
    return amount


class Ledger:
    """All balance sheets and the contract book.

    Parameters
    ----------
    n_agents : int
        Number of institutions (indices 0..n-1).
    n_generations : int
        Number of GPU generations.
    """

    def __init__(self, n_agents: int, n_generations: int):
        n, g = n_agents, n_generations
        self.n_agents, self.n_generations = n, g
        # Assets
        self.cash_bn = np.zeros(n)
        self.other_assets_bn = np.zeros(n)  # businesses and securities outside the model, at book
        self.real_assets_bn = np.zeros(n)  # data-centre shells, land, power
        self.gpu_units_k = np.zeros((n, g))
        self.gpu_price_bn = np.zeros(g)  # secondary-market price per thousand GPUs
        # Bonds and loans of issuers outside the model, by credit class (CREDIT_CLASSES): face
        # value (par at month 0, what they cost) and the price of each class per unit of face.
        self.securities_face_bn = np.zeros((n, len(CREDIT_CLASSES)))
        self.securities_price = np.ones(len(CREDIT_CLASSES))
        self.securities_credit = np.ones(len(CREDIT_CLASSES))  # the credit part of each price (1 = sound)
        # Liabilities owed to parties outside the model (deposits, policy reserves, trade debt)
        self.other_liabilities_bn = np.zeros(n)
        # Issuers' equity: value of 100% of each institution (market cap, or NAV for funds)
        self.equity_value_bn = np.zeros(n)
        self.shares_outstanding = np.ones(n)
        # The contract book
        self.debt = DebtBook()
        self.stakes = StakeBook()
        self.contracts = ContractBook()
        self.pledges = PledgeBook()  # collateral pledged to the central bank
        # Flow statements
        # cumulative profit and loss per agent and category (see PNL_CATEGORIES)
        self.pnl_bn = np.zeros((n, len(PNL_CATEGORIES)))
        self._pnl_columns = self._columns_of(self.pnl_bn)  # what book() adds to
        self.capital_bn = np.zeros(n)  # cumulative equity raised (+) or returned (-)
        # Loss measures (US$ bn, per institution): losses realised so far -- written off, or taken
        # as a discount to cost on an asset sold or liquidated -- cumulative and never
        # decreasing; and impairments of real assets still held (see unrealised_losses_bn).
        self.realised_losses_bn = np.zeros(n)
        self.real_asset_impairment_bn = np.zeros(n)
        self.opening_equity_bn = np.zeros(n)
        self.exogenous_bn: dict[str, float] = defaultdict(float)
        self.opening_cash_bn = 0.0
        # ``version`` counts changes to the balance sheet: every method below that changes what
        # a valuation reads bumps it, so a view computed at one version is current while the
        # version is unchanged (``simulator.state.Views.refresh``). Code that writes the arrays directly
        # must call ``changed()``.
        self.version = 0

    def changed(self) -> None:
        """Record a change made by writing balance-sheet arrays directly (building the world)."""
        self.version += 1

    # ------------------------------------------------------------------ valuation
    def gpu_value_bn(self) -> np.ndarray:
        return self.gpu_units_k @ self.gpu_price_bn

    def stake_values_bn(self) -> np.ndarray:
        s = self.stakes
        price = self.equity_value_bn / self.shares_outstanding
        return s.units * price[s.issuer]

    def debt_asset_values_bn(self) -> np.ndarray:
        d = self.debt
        return d.principal_bn * d.value_factor

    def securities_value_bn(self) -> np.ndarray:
        """Outside securities per institution at market (US$ bn)."""
        return self.securities_face_bn @ self.securities_price

    def assets_bn(self) -> np.ndarray:
        """Total assets per institution, marked to market (US$ bn)."""
        n = self.n_agents
        # Summed left to right into one new array (in place: no temporary per term). The book
        # columns are float arrays already, so np.bincount is called directly (an empty book
        # gives integer zeros, which add exactly like float ones).
        total = self.cash_bn + self.other_assets_bn
        total += self.real_assets_bn
        total += self.gpu_value_bn()
        total += self.securities_value_bn()
        total += np.bincount(self.debt.holder, weights=self.debt_asset_values_bn(), minlength=n)
        total += np.bincount(self.stakes.holder, weights=self.stake_values_bn(), minlength=n)
        return total

    def liabilities_bn(self) -> np.ndarray:
        """Total liabilities per institution (US$ bn)."""
        d = self.debt
        # (np.bincount directly, as in assets_bn)
        return self.other_liabilities_bn + np.bincount(d.obligor, weights=d.principal_bn, minlength=self.n_agents)

    def equity_bn(self) -> np.ndarray:
        """Book equity from the balance sheet: assets minus liabilities, marked to market (US$ bn)."""
        return self.assets_bn() - self.liabilities_bn()

    def equity_from_flows_bn(self) -> np.ndarray:
        """Equity from the flow statements: opening equity + cumulative P&L + capital."""
        return self.opening_equity_bn + self.pnl_bn.sum(axis=1) + self.capital_bn

    @staticmethod
    def _columns_of(pnl: np.ndarray) -> tuple:
        return tuple(pnl[:, k] for k in range(pnl.shape[1]))

    def book(self, delta_bn: np.ndarray, category: int = OPERATING) -> None:
        """Record a P&L change per agent (length-n array) in ``category``."""
        # Through views of the columns taken once (slicing a column costs as much as the
        # addition, and almost every ledger method books); fresh ones if pnl_bn was rebound.
        column = self._pnl_columns[category]
        if column.base is not self.pnl_bn:
            self._pnl_columns = self._columns_of(self.pnl_bn)
            column = self._pnl_columns[category]
        column += delta_bn

    def realise(self, agent, loss_bn) -> None:
        """Add realised losses (US$ bn; gains count as none, so the total never decreases)."""
        agent = _indices(agent)
        self.realised_losses_bn += _scatter(agent, np.maximum(_like(loss_bn, agent.shape), 0.0), self.n_agents)

    def unrealised_losses_bn(self, value_in_use_bn: np.ndarray) -> np.ndarray:
        """Losses marked on assets still held, which can recover (US$ bn, per institution): GPUs
        carried below ``value_in_use_bn`` (impaired), loans, bonds and tranches marked below par,
        stakes and fund shares worth less than they cost, and real assets impaired.
        """
        n, d, s = self.n_agents, self.debt, self.stakes
        gpus = self.gpu_units_k @ np.maximum(value_in_use_bn - self.gpu_price_bn, 0.0)
        debt = np.bincount(d.holder, weights=d.principal_bn * np.maximum(1.0 - d.value_factor, 0.0), minlength=n)
        stakes = np.bincount(s.holder, weights=np.maximum(s.basis_bn - self.stake_values_bn(), 0.0), minlength=n)
        securities = self.securities_face_bn @ np.maximum(1.0 - self.securities_price, 0.0)
        return gpus + debt + stakes + securities + self.real_asset_impairment_bn

    def losses_bn(self) -> np.ndarray:
        """Cumulative contagion losses per agent (fire-sale and credit; positive = loss), US$ bn."""
        return -(self.pnl_bn[:, FIRE_SALE] + self.pnl_bn[:, CREDIT])

    def open_books(self) -> None:
        """Freeze the opening balance sheet; flows are measured from here."""
        self.changed()
        self.opening_equity_bn = self.equity_bn()
        self.stakes.basis_bn = self.stake_values_bn()  # stakes held at the opening cost their value
        self.realised_losses_bn[:] = 0.0
        self.real_asset_impairment_bn[:] = 0.0
        self.pnl_bn[:] = 0.0
        self.capital_bn[:] = 0.0
        self.exogenous_bn.clear()
        self.opening_cash_bn = float(self.cash_bn.sum())

    def total_exogenous_bn(self) -> float:
        return float(sum(self.exogenous_bn.values()))

    # ------------------------------------------------------------------ cash flows
    def transfer(self, payer, payee, amount_bn, *, income: bool = True) -> np.ndarray:
        """Move cash between institutions; as revenue/expense if ``income`` else as a swap.

        A payer whose cash would end below zero pays only what its cash covers (its payments
        in this call cut pro rata). Returns the amounts moved (US$ bn).
        """
        self.version += 1
        payer, payee = _indices(payer), _indices(payee)
        amount = _like(amount_bn, payer.shape)
        n = self.n_agents
        net = _scatter(payee, amount, n) - _scatter(payer, amount, n)
        before = self.cash_bn.copy()  # (undone exactly: adding and subtracting again leaves rounding)
        self.cash_bn += net
        if self.cash_bn.min() < -NEGATIVE_DUST_BN:  # someone is overdrawn: undo, cut, pay again
            self.cash_bn[:] = before
            amount = self._affordable(payer, np.maximum(amount, 0.0), payee=payee)
            net = _scatter(payee, amount, n) - _scatter(payer, amount, n)
            self.cash_bn += net
        if income:
            self.book(net)
        return amount

    def _affordable(
        self, payer: np.ndarray, amount: np.ndarray, payee: np.ndarray | None = None, receipts: np.ndarray | None = None
    ) -> np.ndarray:
        """``amount`` (>= 0, paid by ``payer``), cut for every payer whose cash would end below
        zero to what its cash alone covers (receipts in the same call -- to ``payee``, or
        ``receipts`` -- may shrink as others are cut, so they are not counted on).
        """
        n = self.n_agents
        original, capped = amount, np.zeros(n, dtype=bool)
        while True:
            received = np.zeros(n) if payee is None else _scatter(payee, amount, n)
            if receipts is not None:
                received = received + receipts
            short = (self.cash_bn + received - _scatter(payer, amount, n) < -NEGATIVE_DUST_BN) & ~capped
            if not short.any():
                return amount
            capped |= short
            amount = _within(payer, original, np.where(capped, np.maximum(self.cash_bn, 0.0), np.inf))

    def exogenous(self, agent, amount_bn, name: str, *, entry: str = "pnl", category: int = OPERATING) -> np.ndarray:
        """Cash in (+) or out (-) of the modelled system, recorded under ``name``.

        ``entry`` says what balances the cash: ``"pnl"`` (revenue or cost), ``"capital"``
        (equity raised or returned) or ``"none"`` (the caller books the other side itself, with
        the amounts returned). Outflows are cut where cash would end below zero. Returns the
        amounts moved (US$ bn).
        """
        self.version += 1
        agent = _indices(agent)
        amount = _like(amount_bn, agent.shape)
        delta = _scatter(agent, amount, self.n_agents)
        before = self.cash_bn.copy()  # (undone exactly: adding and subtracting again leaves rounding)
        self.cash_bn += delta
        if self.cash_bn.min() < -NEGATIVE_DUST_BN:  # an outflow beyond its cash: undo, cut, pay again
            self.cash_bn[:] = before
            inflow = np.maximum(amount, 0.0)
            outflow = self._affordable(agent, np.maximum(-amount, 0.0), receipts=_scatter(agent, inflow, self.n_agents))
            amount = inflow - outflow
            delta = _scatter(agent, amount, self.n_agents)
            self.cash_bn += delta
        self.exogenous_bn[name] += float(amount.sum())
        if entry == "pnl":
            self.book(delta, category)
        elif entry == "capital":
            self.capital_bn += delta
        elif entry != "none":
            raise ValueError(f"unknown entry {entry!r}; choose from ['pnl', 'capital', 'none']")
        return amount

    def spend_on_real_assets(self, agent, amount_bn, name: str) -> None:
        """Capitalised spending paid outside the model (construction, power): cash -> real assets
        (no more than its cash covers).
        """
        self.version += 1
        agent = _indices(agent)
        spent = -self.exogenous(agent, -np.maximum(_like(amount_bn, agent.shape), 0.0), name, entry="none")
        self.real_assets_bn += _scatter(agent, spent, self.n_agents)

    # ------------------------------------------------------------------ debt
    def pay_principal(self, rows, amount_bn) -> None:
        """Obligors repay ``amount_bn`` of principal on debt ``rows`` to the holders: never more
        than a row's principal (also when several dues name one row) nor than the obligor's cash.

        A holder that had marked the claim below par books the difference as a gain.
        """
        self.version += 1
        d = self.debt
        rows = _indices(rows)
        amount = _paid_at_most_once(rows, _like(amount_bn, rows.shape), d.principal_bn)
        holder = d.holder[rows]
        amount = self.transfer(d.obligor[rows], holder, amount, income=False)
        self.book(_scatter(holder, amount * (1.0 - d.value_factor[rows]), self.n_agents), CREDIT)
        np.subtract.at(d.principal_bn, rows, amount)

    def draw_credit(self, rows, amount_bn) -> None:
        """Obligors draw ``amount_bn`` more on credit lines ``rows``; the holder pays cash (no more
        than it has).
        """
        self.version += 1
        d = self.debt
        rows = _indices(rows)
        amount = np.maximum(_like(amount_bn, rows.shape), 0.0)
        if len(rows) > 1 and len(set(rows.tolist())) < len(rows):  # several draws on one line: one each
            rows, where = np.unique(rows, return_inverse=True)
            amount = np.bincount(where, weights=amount)
        amount = self.transfer(d.holder[rows], d.obligor[rows], amount, income=False)
        # New money is lent at par (at today's rate): keep the holder's carrying value consistent.
        old_value = d.principal_bn[rows] * d.value_factor[rows]
        old_rate_value = d.principal_bn[rows] * d.rate_factor[rows]
        np.add.at(d.principal_bn, rows, amount)
        with np.errstate(invalid="ignore", divide="ignore"):
            positive = d.principal_bn[rows] > 0
            vf = np.where(positive, (old_value + amount) / d.principal_bn[rows], 1.0)
            rf = np.where(positive, (old_rate_value + amount) / d.principal_bn[rows], 1.0)
        d.value_factor[rows] = vf
        d.rate_factor[rows] = rf

    def write_off(self, rows, amount_bn) -> None:
        """Extinguish ``amount_bn`` of principal (at most what is left of each row): the holder
        loses its carrying value, the obligor gains the liability it no longer owes.
        """
        self.version += 1
        d = self.debt
        rows = _indices(rows)
        amount = _paid_at_most_once(rows, _like(amount_bn, rows.shape), d.principal_bn)
        n = self.n_agents
        self.book(
            _scatter(d.obligor[rows], amount, n) - _scatter(d.holder[rows], amount * d.value_factor[rows], n), CREDIT
        )
        self.realise(d.holder[rows], amount)  # the principal is lost for good
        np.subtract.at(d.principal_bn, rows, amount)

    def mark_debt(self, rows, credit_factor) -> None:
        """Holders re-mark debt ``rows`` for credit: at ``credit_factor`` (the share of principal
        they expect to recover, or the ABS waterfall's cover; 1 = par) times the row's market-rate
        factor.
        """
        self.version += 1
        d = self.debt
        rows = _indices(rows)
        new = _like(credit_factor, rows.shape) * d.rate_factor[rows]
        self.book(_scatter(d.holder[rows], d.principal_bn[rows] * (new - d.value_factor[rows]), self.n_agents), CREDIT)
        d.value_factor[rows] = new

    def mark_debt_rates(self, rows, rate_factor) -> None:
        """Holders re-mark debt ``rows`` for market rates: the credit part of the mark stays, the
        rate part becomes ``rate_factor`` (a valuation gain or loss).
        """
        self.version += 1
        d = self.debt
        rows = _indices(rows)
        new_rate = _like(rate_factor, rows.shape)
        new = d.value_factor[rows] / d.rate_factor[rows] * new_rate
        self.book(
            _scatter(d.holder[rows], d.principal_bn[rows] * (new - d.value_factor[rows]), self.n_agents), VALUATION
        )
        d.value_factor[rows] = new
        d.rate_factor[rows] = new_rate

    def credit_factor(self, rows) -> np.ndarray:
        """The credit part of the mark of debt ``rows`` (value factor without the rate part)."""
        d = self.debt
        return d.value_factor[rows] / d.rate_factor[rows]

    # ------------------------------------------------------------------ outside securities
    def mark_securities(self, new_price) -> None:
        """Re-price every credit class of outside securities (per unit of face): valuation."""
        new_price = np.asarray(new_price, dtype=float)
        if (new_price == self.securities_price).all():
            return
        self.version += 1
        self.book(self.securities_face_bn @ (new_price - self.securities_price), VALUATION)
        self.securities_price = new_price.copy()

    def sell_securities_outside(self, seller, credit_class, face_bn, sale_price, name: str) -> np.ndarray:
        """Sell ``face_bn`` (at most what each holds) of outside securities of ``credit_class``
        at ``sale_price`` per unit of face: below the mark a fire-sale loss, below par (their
        cost) a realised loss. Returns the proceeds (US$ bn).
        """
        self.version += 1
        seller, credit_class = _indices(seller), _indices(credit_class)
        face = _paid_at_most_once(
            seller * self.securities_face_bn.shape[1] + credit_class,
            _like(face_bn, seller.shape),
            self.securities_face_bn.ravel(),
        )
        price = _like(sale_price, seller.shape)
        proceeds = face * price
        np.subtract.at(self.securities_face_bn, (seller, credit_class), face)
        self.exogenous(seller, proceeds, name, entry="none")
        self.book(-_scatter(seller, face * (self.securities_price[credit_class] - price), self.n_agents), FIRE_SALE)
        self.realise(seller, face * (1.0 - price))
        return proceeds

    # ------------------------------------------------------------------ GPUs
    def mark_gpus(self, new_price_bn, category: int = FIRE_SALE) -> None:
        """Revalue every GPU at new prices (per thousand units); ``category`` is OPERATING for
        scheduled depreciation and FIRE_SALE for fire-sale discounts and their healing.
        """
        new_price_bn = np.asarray(new_price_bn, dtype=float)
        if (new_price_bn == self.gpu_price_bn).all():
            return  # unchanged: nothing to book, and cached views stay current
        self.version += 1
        self.book(self.gpu_units_k @ (new_price_bn - self.gpu_price_bn), category)
        self.gpu_price_bn = new_price_bn.copy()

    def sell_gpus_outside(self, seller, gen, units_k, price_bn, name: str) -> None:
        """Sell GPUs to buyers outside the model at ``price_bn`` per thousand (a fire sale if
        below the mark); the difference to the mark is a realised gain or loss. No seller sells
        more than it holds of a generation.
        """
        self.version += 1
        seller, gen = _indices(seller), _indices(gen)
        units = self._gpus_held(seller, gen, _like(units_k, seller.shape))
        price = _like(price_bn, seller.shape)
        np.subtract.at(self.gpu_units_k, (seller, gen), units)
        proceeds = units * price
        self.exogenous(seller, proceeds, name, entry="none")
        self.book(_scatter(seller, units * (price - self.gpu_price_bn[gen]), self.n_agents), FIRE_SALE)
        self.realise(seller, units * (self.gpu_price_bn[gen] - price))  # the discount taken on their book value

    def _gpus_held(self, owner: np.ndarray, gen: np.ndarray, units: np.ndarray) -> np.ndarray:
        """``units`` of each (owner, generation) lot, cut to what the owner holds."""
        return _paid_at_most_once(owner * self.n_generations + gen, units, self.gpu_units_k.ravel())

    def central_bank_buys_gpus(self, bank: int, seller, gen, units_k, price_bn, name: str) -> None:
        """A central bank buys GPUs as buyer of last resort, paying with reserves it creates (no
        seller sells more than it holds).
        """
        self.version += 1
        seller, gen = _indices(seller), _indices(gen)
        units = self._gpus_held(seller, gen, _like(units_k, seller.shape))
        price = _like(price_bn, seller.shape)
        paid = units * price
        np.subtract.at(self.gpu_units_k, (seller, gen), units)
        np.add.at(self.gpu_units_k, (np.full(seller.shape, bank), gen), units)
        self.cash_bn += _scatter(seller, paid, self.n_agents)
        self.other_liabilities_bn[bank] += float(paid.sum())
        self.exogenous_bn[name] += float(paid.sum())
        self.book(_scatter(seller, units * (price - self.gpu_price_bn[gen]), self.n_agents), FIRE_SALE)
        self.realise(seller, units * (self.gpu_price_bn[gen] - price))
        # The central bank carries the GPUs at the market mark: the gap to what it paid is its loss.
        self.book(
            _scatter(np.full(seller.shape, bank), units * (self.gpu_price_bn[gen] - price), self.n_agents), FIRE_SALE
        )

    def buy_new_gpus(self, buyer, seller, gen: int, amount_bn, unit_price_bn: float) -> None:
        """``buyer`` pays ``seller`` (the chip maker) ``amount_bn`` for new GPUs of ``gen`` at
        ``unit_price_bn`` per thousand (no more than its cash covers).

        The chip maker books revenue; the buyer books GPUs at the market mark, so a fire-sale
        discount on the secondary market is the buyer's immediate (fire-sale) loss.
        """
        self.version += 1
        buyer, seller = _indices(buyer), _indices(seller)
        amount = np.maximum(_like(amount_bn, buyer.shape), 0.0)  # (no negative purchases)
        n = self.n_agents
        sales = _scatter(seller, amount, n)
        if (self.cash_bn - _scatter(buyer, amount, n) + sales).min(initial=0.0) < -NEGATIVE_DUST_BN:
            amount = self._affordable(buyer, np.maximum(amount, 0.0), payee=seller)
            sales = _scatter(seller, amount, n)
        units = amount / unit_price_bn
        self.cash_bn -= _scatter(buyer, amount, n)
        self.cash_bn += sales
        self.book(sales)
        np.add.at(self.gpu_units_k[:, gen], buyer, units)  # (a buyer may appear more than once)
        self.book(_scatter(buyer, units * self.gpu_price_bn[gen] - amount, n), FIRE_SALE)

    # ------------------------------------------------------------------ equity
    def mark_equity(self, new_equity_value_bn) -> np.ndarray:
        """Issuers' equity values move (market caps, NAVs): holders book the change.
        Returns the change in each institution's equity (US$ bn).
        """
        self.version += 1
        new = np.asarray(new_equity_value_bn, dtype=float)
        s = self.stakes
        delta_per_unit = (new - self.equity_value_bn) / self.shares_outstanding
        change = _scatter(s.holder, s.units * delta_per_unit[s.issuer], self.n_agents)
        self.book(change, VALUATION)
        self.equity_value_bn = new.copy()
        return change

    def mark_issuer(self, issuer: int, new_value_bn: float, rows: np.ndarray | None = None) -> np.ndarray:
        """Re-mark one issuer's equity value; its holders book the change. Returns the change in
        each institution's equity (US$ bn). ``rows``: the issuer's stake rows, if known.
        """
        self.version += 1
        s = self.stakes
        if rows is None:
            rows = (s.issuer == issuer).nonzero()[0]
        per_unit = (new_value_bn - self.equity_value_bn[issuer]) / self.shares_outstanding[issuer]
        change = _scatter(s.holder[rows], s.units[rows] * per_unit, self.n_agents)
        self.book(change, VALUATION)
        self.equity_value_bn[issuer] = new_value_bn
        return change

    def issue_shares(self, issuer: int, amount_bn: float, holder: int | None, name: str) -> None:
        """``issuer`` raises ``amount_bn`` of new equity at the current price per share.

        ``holder`` is the buying institution, or None for investors outside the model. The
        issuer's equity value rises by the new money (post-money), so existing holders keep
        their value while their share is diluted. A buying institution pays at most its cash.
        """
        self.version += 1
        if not amount_bn > 0:
            return
        price = self.equity_value_bn[issuer] / self.shares_outstanding[issuer]
        if not price > 0:
            raise ValueError(f"cannot issue shares of institution {issuer}: its equity value is 0")
        if holder is not None and amount_bn > self.cash_bn[holder] + NEGATIVE_DUST_BN:
            amount_bn = max(float(self.cash_bn[holder]), 0.0)  # a buyer pays no more than its cash
        new_units = amount_bn / price
        if holder is None:
            self.exogenous(issuer, amount_bn, name, entry="capital")
        else:
            self.cash_bn[holder] -= amount_bn
            self.cash_bn[issuer] += amount_bn
            self.capital_bn[issuer] += amount_bn
            self._add_units(holder, issuer, new_units, amount_bn)
        self.shares_outstanding[issuer] += new_units
        self.equity_value_bn[issuer] += amount_bn

    def return_capital(self, issuer, amount_bn, name: str) -> np.ndarray:
        """Issuers pay ``amount_bn`` (at most their cash) to shareholders outside the model --
        dividends and buybacks, booked as buybacks at the current price, so value per share is
        unchanged and the shares bought back are cancelled. One issuer per entry. Returns what
        each paid (US$ bn).
        """
        issuer = _indices(issuer)
        paid = -self.exogenous(issuer, -np.maximum(_like(amount_bn, issuer.shape), 0.0), name, entry="capital")
        shares = self.shares_outstanding[issuer]
        price = np.divide(self.equity_value_bn[issuer], shares, out=np.zeros(len(issuer)), where=shares > 0)
        bought = (paid > 0) & (price > 0)
        if bought.any():
            who = issuer[bought]
            self.shares_outstanding[who] -= np.minimum(paid[bought] / price[bought], shares[bought] * (1 - 1e-9))
            self.equity_value_bn[who] = np.maximum(self.equity_value_bn[who] - paid[bought], 0.0)
        return paid

    def _add_units(self, holder: int, issuer: int, units: float, cost_bn: float) -> None:
        self.version += 1
        s = self.stakes
        rows = ((s.holder == holder) & (s.issuer == issuer)).nonzero()[0]
        if len(rows):
            s.units[rows[0]] += units
            s.basis_bn[rows[0]] += cost_bn
        else:
            s.add(
                f"stake:{holder}:{issuer}", kind="equity", holder=holder, issuer=issuer, units=units, basis_bn=cost_bn
            )

    def redeem_units(self, rows, amount_bn) -> None:
        """Fund investors in stake ``rows`` are paid ``amount_bn`` cash at NAV per unit; their
        units are cancelled and the fund returns that capital. No more units than each holding
        (also when several requests name one stake), and no more cash than the fund has.
        """
        self.version += 1
        s = self.stakes
        rows = _indices(rows)
        amount = _like(amount_bn, rows.shape)
        issuer = s.issuer[rows]
        price = self.equity_value_bn[issuer] / self.shares_outstanding[issuer]
        positive = price > 0
        units = _paid_at_most_once(rows, np.where(positive, amount / np.where(positive, price, 1.0), 0.0), s.units)
        paid = units * price
        moved = self.transfer(issuer, s.holder[rows], paid, income=False)
        if moved is not paid:  # the fund's cash ran short: fewer units are redeemed
            paid = moved
            units = np.where(positive, paid / np.where(positive, price, 1.0), 0.0)
        self.capital_bn -= _scatter(issuer, paid, self.n_agents)
        # The holders' cost of the units redeemed; a redemption below cost is a realised loss.
        held = s.units[rows]
        cost = s.basis_bn[rows] * np.divide(units, held, out=np.zeros(len(rows)), where=held > 0)
        self.realise(s.holder[rows], cost - paid)
        np.subtract.at(s.basis_bn, rows, cost)
        np.subtract.at(s.units, rows, units)
        np.subtract.at(self.shares_outstanding, issuer, units)
        np.subtract.at(self.equity_value_bn, issuer, paid)

    def sell_stakes_outside(self, rows, share_sold, haircut: float, name: str) -> None:
        """Holders sell ``share_sold`` of stake ``rows`` to outside buyers at (1 - haircut) x
        value; the haircut is a realised loss. Buyers outside the model are not tracked. Shares
        naming one stake add up to at most all of it.
        """
        self.version += 1
        s = self.stakes
        rows = _indices(rows)
        share = _paid_at_most_once(rows, _like(share_sold, rows.shape), np.ones(len(s)))
        value = self.stake_values_bn()[rows] * share
        proceeds = value * (1.0 - haircut)
        self.exogenous(s.holder[rows], proceeds, name, entry="none")
        self.book(-_scatter(s.holder[rows], value - proceeds, self.n_agents), FIRE_SALE)
        self.realise(s.holder[rows], s.basis_bn[rows] * share - proceeds)  # against what the units cost
        np.subtract.at(s.basis_bn, rows, s.basis_bn[rows] * share)
        if len(set(rows.tolist())) == len(rows):
            s.units[rows] *= 1.0 - share
        else:  # several sales of one stake: its units fall by their shares together
            total = np.bincount(rows, weights=share, minlength=len(s))
            sold = np.unique(rows)
            s.units[sold] *= 1.0 - total[sold]

    def sell_debt_outside(self, rows, share_sold, haircut: float, name: str) -> None:
        """Holders sell ``share_sold`` of debt ``rows`` to outside buyers at (1 - haircut) x
        their mark. The claim leaves the model (the obligor now owes an outside creditor, held
        in its ``other_liabilities_bn``). Shares naming one row add up to at most all of it.
        """
        self.version += 1
        d = self.debt
        rows = _indices(rows)
        share = _like(share_sold, rows.shape)
        principal = _paid_at_most_once(rows, d.principal_bn[rows] * share, d.principal_bn)
        value = principal * d.value_factor[rows]
        proceeds = value * (1.0 - haircut)
        self.exogenous(d.holder[rows], proceeds, name, entry="none")
        self.book(-_scatter(d.holder[rows], value - proceeds, self.n_agents), FIRE_SALE)
        self.realise(d.holder[rows], principal - proceeds)  # the discount to par taken
        np.subtract.at(d.principal_bn, rows, principal)
        np.add.at(self.other_liabilities_bn, d.obligor[rows], principal)

    def revalue_real_assets(self, agent, new_value_bn, category: int = OPERATING) -> None:
        """Re-mark real assets (data centres) of ``agent`` at ``new_value_bn``."""
        self.version += 1
        agent = _indices(agent)
        new = _like(new_value_bn, agent.shape)
        self.book(_scatter(agent, new - self.real_assets_bn[agent], self.n_agents), category)
        self.real_assets_bn[agent] = new

    def impair_real_assets(self, agent: int, new_value_bn: float) -> None:
        """Write real assets (a data centre) down to ``new_value_bn``: an unrealised loss, kept in
        ``real_asset_impairment_bn`` while the assets are held.
        """
        old = float(self.real_assets_bn[agent])
        new = min(max(float(new_value_bn), 0.0), old)
        self.revalue_real_assets(agent, new, CREDIT)
        self.real_asset_impairment_bn[agent] += old - new

    def liquidate_other_assets(self, agent: int, recovery: float, name: str) -> float:
        """Sell an institution's other and real assets outside at ``recovery`` x book."""
        self.version += 1
        book = self.other_assets_bn[agent] + self.real_assets_bn[agent]
        proceeds = book * recovery
        self.other_assets_bn[agent] = 0.0
        self.real_assets_bn[agent] = 0.0
        self.exogenous(agent, proceeds, name, entry="none")
        self.pnl_bn[agent, CREDIT] -= book - proceeds
        self.realise(agent, book - proceeds)
        return proceeds

    def borrow_outside(self, agent: int, amount_bn: float, name: str) -> None:
        """Borrow from investors outside the model (e.g. a bond sold to the market)."""
        self.version += 1
        self.other_liabilities_bn[agent] += amount_bn
        self.exogenous(agent, amount_bn, name, entry="none")

    def sell_other_assets(self, agent: int, book_bn: float, name: str, haircut: float = 0.0) -> float:
        """Sell ``book_bn`` (book value; at most what it holds) of other assets outside at
        ``(1 - haircut)`` x book; the haircut is a fire-sale loss. Returns the proceeds.
        """
        self.version += 1
        book_bn = min(max(float(book_bn), 0.0), float(self.other_assets_bn[agent]))
        proceeds = book_bn * (1.0 - haircut)
        self.other_assets_bn[agent] -= book_bn
        self.exogenous(agent, proceeds, name, entry="none")
        self.pnl_bn[agent, FIRE_SALE] -= book_bn - proceeds
        self.realise(agent, book_bn - proceeds)
        return proceeds

    def lend_new_reserves(self, row: int, name: str) -> None:
        """A central bank funds the new loan ``row`` by creating reserves: the borrower gets
        cash, the central bank owes the reserves (its ``other_liabilities_bn``).
        """
        self.version += 1
        d = self.debt
        amount = float(d.principal_bn[row])
        self.cash_bn[d.obligor[row]] += amount
        self.other_liabilities_bn[d.holder[row]] += amount
        self.exogenous_bn[name] += amount

    # ------------------------------------------------------------------ the central bank
    def live_pledges(self, obligor: int | None = None) -> np.ndarray:
        """Rows of the pledge book that still secure a loan (its principal not repaid), of one
        obligor or of all.
        """
        p, d = self.pledges, self.debt
        if not len(p):
            return np.zeros(0, dtype=np.int64)
        live = d.active[p.loan_row] & (d.principal_bn[p.loan_row] > 1e-12)
        if obligor is not None:
            live &= d.obligor[p.loan_row] == obligor
        return live.nonzero()[0]

    def pledged(self, obligor: int, kind: int) -> dict[int, float]:
        """What ``obligor`` has pledged to live loans, of one collateral ``kind``: ref -> quantity."""
        p = self.pledges
        out: dict[int, float] = defaultdict(float)
        for k in self.live_pledges(obligor).tolist():
            if p.kind[k] == kind:
                out[int(p.ref[k])] += float(p.quantity[k])
        return out

    def seize_collateral(
        self, row: int, kind: int, ref: int, quantity: float, new_id: str, gpu_price_bn: float | None = None
    ) -> float:
        """The holder of debt ``row`` (a secured lender) takes ``quantity`` of collateral of
        ``kind`` (``agents.decisions.CollateralKind``: 0 a debt row, 1 securities of a credit class,
        2 GPUs of a generation, 3 other assets) from the obligor, valued at its mark -- GPUs at
        ``gpu_price_bn`` per thousand if given (the secondary market), else at their carrying
        price; the claim falls by that value (at most its principal). For the obligor it is a sale
        at that value (below its carrying value a loss, below cost realised, as in a sale); the
        lender carries what it took as the obligor did and books the difference to its claim's mark.
        Returns the value taken (US$ bn).
        """
        self.version += 1
        d = self.debt
        obligor, holder = int(d.obligor[row]), int(d.holder[row])
        if kind == 0:
            quantity = min(quantity, float(d.principal_bn[ref]))
            carry = price = float(d.value_factor[ref])
            cost, category = 1.0, CREDIT
        elif kind == 1:
            quantity = min(quantity, float(self.securities_face_bn[obligor, ref]))
            carry = price = float(self.securities_price[ref])
            cost, category = 1.0, CREDIT
        elif kind == 2:
            quantity = min(quantity, float(self.gpu_units_k[obligor, ref]))
            carry = cost = float(self.gpu_price_bn[ref])
            price, category = (carry if gpu_price_bn is None else float(gpu_price_bn)), FIRE_SALE
        else:
            quantity = min(quantity, float(self.other_assets_bn[obligor]))
            carry = price = cost = 1.0
            category = CREDIT
        if price <= 0:
            return 0.0
        quantity = min(max(quantity, 0.0), float(d.principal_bn[row]) / price)
        value = quantity * price
        if value <= 0:
            return 0.0
        if kind == 0:
            d.split(ref, quantity, new_id, holder)
        elif kind == 1:
            self.securities_face_bn[obligor, ref] -= quantity
            self.securities_face_bn[holder, ref] += quantity
        elif kind == 2:
            self.gpu_units_k[obligor, ref] -= quantity
            self.gpu_units_k[holder, ref] += quantity
        else:
            self.other_assets_bn[obligor] -= quantity
            self.other_assets_bn[holder] += quantity
        self.realise(obligor, quantity * (cost - price))
        self.pnl_bn[obligor, category] += value - quantity * carry
        self.pnl_bn[holder, CREDIT] += quantity * carry - value * float(d.value_factor[row])
        d.principal_bn[row] -= value
        return value

    def central_bank_buys_securities(
        self, bank: int, seller, credit_class, face_bn, sale_price, name: str
    ) -> np.ndarray:
        """A central bank buys outside securities at ``sale_price`` per unit of face as buyer of
        last resort, paying with reserves it creates; the seller books it as a sale (below the mark
        a fire-sale loss, below par a realised loss), the central bank carries them at the mark.
        Returns what it paid (US$ bn).
        """
        self.version += 1
        seller, credit_class = _indices(seller), _indices(credit_class)
        width = self.securities_face_bn.shape[1]
        face = _paid_at_most_once(
            seller * width + credit_class, _like(face_bn, seller.shape), self.securities_face_bn.ravel()
        )
        price = _like(sale_price, seller.shape)
        paid = face * price
        np.subtract.at(self.securities_face_bn, (seller, credit_class), face)
        np.add.at(self.securities_face_bn, (np.full(seller.shape, bank), credit_class), face)
        self.cash_bn += _scatter(seller, paid, self.n_agents)
        self.other_liabilities_bn[bank] += float(paid.sum())
        self.exogenous_bn[name] += float(paid.sum())
        gap = face * (self.securities_price[credit_class] - price)  # the mark above the price paid
        self.book(-_scatter(seller, gap, self.n_agents), FIRE_SALE)
        self.realise(seller, face * (1.0 - price))
        self.book(_scatter(np.full(seller.shape, bank), gap, self.n_agents), FIRE_SALE)
        return paid

    def central_bank_buys_debt(
        self, bank: int, row: int, share: float, haircut: float, new_id: str, name: str
    ) -> float:
        """A central bank buys ``share`` of debt ``row`` at ``(1 - haircut)`` x its mark as buyer of
        last resort, paying with reserves it creates: the share becomes a row of its own on the same
        terms. The seller books it as a sale; the central bank carries it at the mark. Returns what
        it paid (US$ bn).
        """
        self.version += 1
        d = self.debt
        seller = int(d.holder[row])
        principal = min(max(share, 0.0), 1.0) * float(d.principal_bn[row])
        if principal <= 0:
            return 0.0
        mark = float(d.value_factor[row])
        paid = principal * mark * (1.0 - haircut)
        d.split(row, principal, new_id, bank)
        self.cash_bn[seller] += paid
        self.other_liabilities_bn[bank] += paid
        self.exogenous_bn[name] += paid
        gap = principal * mark - paid
        self.pnl_bn[seller, FIRE_SALE] -= gap
        self.realise(seller, principal - paid)
        self.pnl_bn[bank, FIRE_SALE] += gap
        return paid

    def repay_outside(self, agent, amount_bn, name: str) -> None:
        """Pay creditors outside the model (``other_liabilities_bn``): cash leaves the system. No
        more than is owed to them, nor than the payer's cash.
        """
        self.version += 1
        agent = _indices(agent)
        amount = _paid_at_most_once(agent, _like(amount_bn, agent.shape), self.other_liabilities_bn)
        paid = -self.exogenous(agent, -amount, name, entry="none")
        self.other_liabilities_bn -= _scatter(agent, paid, self.n_agents)

    def write_down_other_liabilities(self, agent: int, amount_bn: float) -> None:
        """Outside creditors (depositors, policyholders) lose ``amount_bn`` of their claim."""
        self.version += 1
        amount = min(amount_bn, self.other_liabilities_bn[agent])
        self.other_liabilities_bn[agent] -= amount
        self.pnl_bn[agent, CREDIT] += amount
