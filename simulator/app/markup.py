"""Numbers and small HTML pieces for the page: US$ and % formats, escaping, status dots,
tables, and the inspector's balance-sheet / loans / exposures tables.

Pure functions from values (or a model read through :mod:`simulator.views`) to HTML strings;
no Solara here, so each can be checked on its own.
"""

from __future__ import annotations

import html
import math
from typing import Any

from networks import STATUS_COLOURS
from simulator import views
from simulator.config import SHOCK_KINDS
from simulator.events import SEVERITY
from simulator.i18n import DEFAULT_LANGUAGE, gettext_for
from simulator.model import ContagionModel
from simulator.words import kind_word, status_label


# =============================================================================== formatting
def fmt_bn(x: float | None) -> str:
    """US$ billions for a table: $7.6B, $350M, −$1.2B; '–' for None."""
    if x is None or not math.isfinite(x):
        return "–"
    sign = "−" if x < 0 else ""
    a = abs(x)
    if a >= 100:
        return f"{sign}${a:,.0f}B"
    if a >= 1:
        return f"{sign}${a:,.1f}B"
    if a >= 0.0005:
        return f"{sign}${a * 1000:,.0f}M"
    return "$0"


def fmt_pct(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞"
    return f"{x * 100:.{digits}f}%"


def fmt_ratio(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "∞" if math.isinf(x) else f"{x:.2f}x"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def kind_label(kind: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A kind of institution, debt, contract or event as words in ``lang``."""
    return kind_word(kind, lang)


def _status_dot(status: str) -> str:
    return f"<span class='aic-dot' style='background:{STATUS_COLOURS.get(status, '#999')}'></span>"


def _severity_class(kind: str) -> str:
    level = SEVERITY.get(kind, 0)
    return "aic-sev-high" if level >= 8 else "aic-sev-mid" if level >= 5 else "aic-sev-low"


def _shock_help(lang: str = DEFAULT_LANGUAGE) -> str:
    _ = gettext_for(lang, "app")
    rows = "".join(
        f"<tr><td>{k}</td><td>[{lo:g}, {hi:g}]</td><td>{target}</td></tr>"
        for k, (lo, hi, target, *_rest) in SHOCK_KINDS.items()
    )
    head = f"<th>{_('kind')}</th><th>{_('size')}</th><th>{_('target')}</th>"
    return f"<table class='aic-table aic-small'><thead><tr>{head}</tr></thead>{rows}</table>"


# =============================================================================== inspector
def _table(headers: list[str], rows: list[list[str]], classes: str = "", attrs: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='aic-table {classes}' {attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headroom(x: float | None, as_pct: bool, lang: str = DEFAULT_LANGUAGE) -> str:
    _ = gettext_for(lang, "app")
    if x is None:
        return "–"
    if math.isinf(x):
        return f"<span class='aic-bad'>{_('none')}</span>" if x < 0 else "∞"
    text = _("{points:+.0f} pts").format(points=x * 100) if as_pct else f"{x:+.2f}x"
    return f"<span class='{'aic-bad' if x < 0 else 'aic-good'}'>{text}</span>"


def inspector_html(model: ContagionModel, name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Balance sheet, covenanted loans, largest exposures and round-trip ratio of ``name``, in ``lang``."""
    _ = gettext_for(lang, "app")
    bs = views.balance_sheet(model, name)
    fig = views.key_figures(model, name)
    status = status_label(bs["status"], lang) + (
        _(" since month {month}").format(month=fig["defaulted_month"]) if fig["defaulted_month"] is not None else ""
    )
    assets = [[_(views.ASSET_LINES[k]), fmt_bn(x)] for k, x in bs["assets_bn"].items() if abs(x) > 5e-4]
    liabilities = [[_(views.LIABILITY_LINES[k]), fmt_bn(x)] for k, x in bs["liabilities_bn"].items() if abs(x) > 5e-4]
    n = max(len(assets), len(liabilities))
    assets += [["", ""]] * (n - len(assets))
    liabilities += [["", ""]] * (n - len(liabilities))
    rows = [asset + liability for asset, liability in zip(assets, liabilities)]
    rows.append(
        [
            f"<b>{_('Total assets')}</b>",
            f"<b>{fmt_bn(bs['total_assets_bn'])}</b>",
            f"<b>{_('Equity (book)')}</b>",
            f"<b class='{'aic-bad' if bs['equity_bn'] < 0 else ''}'>{fmt_bn(bs['equity_bn'])}</b>",
        ]
    )
    sheet = _table(
        [_("Assets"), "", _("Liabilities"), ""],
        rows,
        "aic-bs",
        f"data-testid='balance-sheet' data-institution='{esc(name)}'",
    )
    gpus = ", ".join(f"{units:,.0f}k {gen}" for gen, units in bs["gpus_k"].items()) or _("none")
    rt = views.round_trip_of(model, name)
    figures = _(
        "Leverage {leverage} · market value of equity {market_value} · GPUs {gpus} · realised losses {realised} · "
        "unrealised {unrealised}"
    ).format(
        leverage=fmt_ratio(bs["leverage"]),
        market_value=fmt_bn(bs["market_value_bn"]),
        gpus=gpus,
        realised=fmt_bn(bs["realised_losses_bn"]),
        unrealised=fmt_bn(bs["unrealised_losses_bn"]),
    )
    summary = (
        f"<div class='aic-small'>{figures}</div>"
        f"<div class='aic-small' data-testid='round-trip'>{_('Round-trip ratio')} <b>{fmt_pct(rt)}</b> "
        f"<span class='aic-muted'>{_('(share of its contracted revenue owed by customers it funded)')}</span></div>"
    )

    loans = views.loans_of(model, name)
    if loans:
        loan_rows = []
        for loan in loans[:12]:
            flags = []
            if loan["accelerated"]:
                flags.append(f"<span class='aic-bad'>{_('accelerated')}</span>")
            elif loan["in_breach"]:
                flags.append(f"<span class='aic-bad'>{_('in breach')}</span>")
            if loan["waivers"]:
                waivers = _("{count} waivers") if loan["waivers"] > 1 else _("{count} waiver")
                flags.append(waivers.format(count=loan["waivers"]))
            ltv = (
                f"{fmt_pct(loan['ltv'])} / {fmt_pct(loan['ltv_covenant'])}"
                if loan["ltv_covenant"]
                else fmt_pct(loan["ltv"])
            )
            dscr = f"{fmt_ratio(loan['dscr'])} / {fmt_ratio(loan['dscr_covenant'])}" if loan["dscr_covenant"] else "–"
            loan_rows.append(
                [
                    esc(loan["lender"]),
                    kind_label(loan["kind"], lang),
                    fmt_bn(loan["principal_bn"]),
                    ltv,
                    _headroom(loan["ltv_headroom"], True, lang),
                    dscr,
                    _headroom(loan["dscr_headroom"], False, lang),
                    ", ".join(flags) or _("ok"),
                ]
            )
        loans_html = _table(
            [
                _("Lender"),
                _("Kind"),
                _("Owed"),
                _("LTV / cov."),
                _("Headroom"),
                _("DSCR / cov."),
                _("Headroom"),
                _("State"),
            ],
            loan_rows,
            "aic-loans",
            "data-testid='loans'",
        )
    else:
        loans_html = (
            f"<div class='aic-muted aic-small'>{_('It owes no loans, bonds or credit lines in the model.')}</div>"
        )

    exposures = views.largest_exposures(model, name, top=5)
    if exposures:
        exp_html = _table(
            [_("Counterparty"), _("Contract"), _("Amount"), _("% of its equity")],
            [
                [
                    esc(e["counterparty"]),
                    kind_label(e["kind"], lang),
                    fmt_bn(e["amount_bn"]),
                    fmt_pct(e["share_of_equity"]),
                ]
                for e in exposures
            ],
            "aic-exp",
            "data-testid='exposures'",
        )
    else:
        exp_html = f"<div class='aic-muted aic-small'>{_('It holds no claims on other institutions.')}</div>"

    return (
        f"<div class='aic-inspector' data-institution='{esc(name)}' data-status='{bs['status']}' "
        f"data-month='{bs['month']}'>"
        f"<div>{_status_dot(bs['status'])}<b>{esc(name)}</b> · {kind_label(bs['kind'], lang)} · {status} · "
        f"{_('month {month}').format(month=bs['month'])}</div>"
        f"<h4>{_('Balance sheet')}</h4>{sheet}{summary}"
        f"<h4>{_('Debt it owes, with covenant headroom')}</h4>{loans_html}"
        f"<h4>{_('Largest exposures (claims it holds)')}</h4>{exp_html}</div>"
    )
