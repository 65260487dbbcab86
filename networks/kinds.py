"""Vocabularies of the deal graph: institution kinds, contract kinds, statuses and drawing styles.

Every other module in :mod:`networks` takes its allowed values from here, so adding a new kind
of institution or contract is a one-line change in this file (plus a colour/label for drawing).

Colours come from colour-blind-safe palettes: statuses use a lightness ramp
(green → yellow → orange → dark red) that stays ordered in greyscale, and contract kinds use
Paul Tol's "muted" qualitative scheme [1]_ together with distinct line styles, so no kind is told
apart by hue alone.

References
----------
.. [1] P. Tol, "Colour Schemes", SRON technical note SRON/EPS/TN/09-002 (2021),
   https://personal.sron.nl/~pault/
"""

from __future__ import annotations

from types import MappingProxyType

#: Institution kinds, in the order sectors are laid out and listed: the chip maker sells to the
#: hyperscalers, AI labs and neoclouds who run the compute; miners and SPVs host it; private
#: credit, banks, insurers and pensions finance it; retail and the central bank sit at the edge.
INSTITUTION_KINDS: tuple[str, ...] = (
    "chip_maker",
    "hyperscaler",
    "ai_lab",
    "neocloud",
    "miner",
    "spv",
    "private_credit",
    "bank",
    "insurer",
    "pension",
    "retail",
    "central_bank",
)

#: Contracts through which a holder *funds* an obligor (the holder provided money).
FUNDING_KINDS: tuple[str, ...] = (
    "equity",
    "loan",
    "bond",
    "credit_line",
    "abs_tranche",
    "fund_share",
)

#: Contracts through which a holder *earns revenue* from an obligor (the obligor is a customer).
REVENUE_KINDS: tuple[str, ...] = (
    "compute_contract",
    "lease",
    "chip_sale",
)

#: All contract kinds: funding first, then revenue.
CONTRACT_KINDS: tuple[str, ...] = FUNDING_KINDS + REVENUE_KINDS

#: Institution statuses, from best to worst.
STATUSES: tuple[str, ...] = ("healthy", "stressed", "breached", "defaulted")

#: Human-readable sector labels, one per institution kind.
SECTOR_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "chip_maker": "Chip makers",
        "hyperscaler": "Hyperscalers",
        "ai_lab": "AI labs",
        "neocloud": "Neoclouds",
        "miner": "Crypto miners",
        "spv": "SPVs",
        "private_credit": "Private credit",
        "bank": "Banks",
        "insurer": "Insurers",
        "pension": "Pension funds",
        "retail": "Retail investors",
        "central_bank": "Central bank",
    }
)

#: Node fill colour per status (a colour-blind-safe lightness ramp, ordered also in greyscale).
STATUS_COLOURS: MappingProxyType[str, str] = MappingProxyType(
    {
        "healthy": "#1A9850",  # green
        "stressed": "#F6D32D",  # yellow / amber
        "breached": "#F08C00",  # orange
        "defaulted": "#A50F15",  # dark red
    }
)

#: Matplotlib line style and colour per contract kind (Tol "muted" palette). Funding contracts
#: are cool colours, revenue contracts warm ones; debt-like claims are dashed or dotted.
EDGE_STYLES: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        kind: MappingProxyType({"linestyle": linestyle, "color": color})
        for kind, linestyle, color in (
            ("equity", "solid", "#332288"),  # indigo
            ("loan", "dashed", "#88CCEE"),  # cyan
            ("bond", "dashdot", "#44AA99"),  # teal
            ("credit_line", "dotted", "#117733"),  # green
            ("abs_tranche", "dashed", "#999933"),  # olive
            ("fund_share", "dotted", "#AA4499"),  # purple
            ("compute_contract", "solid", "#CC6677"),  # rose
            ("lease", "dashed", "#882255"),  # wine
            ("chip_sale", "solid", "#DDCC77"),  # sand
        )
    }
)
