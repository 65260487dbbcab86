"""Vocabularies of the deal graph and how they are drawn: institution kinds (sectors), edge
kinds and statuses, with their colours and line styles.

The names come from :mod:`agents.names` (the one module of names); every other module in
:mod:`networks` takes its allowed values from here. Adding a kind of institution or contract is a
line in ``agents.names`` plus a colour or style here.

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

# The names themselves are defined once, in agents.names (the only module of agents this package
# imports); this module adds how each is drawn.
from agents.names import (
    EDGE_KINDS,
    FUNDING_KINDS,
    INSTITUTION_KINDS,
    REVENUE_KINDS,
    SECTOR_LABELS,
    STATUSES,
)

__all__ = [
    "EDGE_KINDS",
    "EDGE_STYLES",
    "FUNDING_KINDS",
    "GENERATION_COLOURS",
    "INSTITUTION_KINDS",
    "REVENUE_KINDS",
    "SECTOR_COLOURS",
    "SECTOR_LABELS",
    "STATUSES",
    "STATUS_COLOURS",
]

#: One colour per sector, the same in every figure (Tol "muted" + extras, colour-blind friendly).
SECTOR_COLOURS: MappingProxyType[str, str] = MappingProxyType(
    {
        "chip_maker": "#332288",
        "hyperscaler": "#88CCEE",
        "ai_lab": "#44AA99",
        "neocloud": "#CC6677",
        "miner": "#DDCC77",
        "spv": "#999933",
        "private_credit": "#AA4499",
        "leveraged_fund": "#661100",
        "bank": "#6699CC",
        "insurer": "#117733",
        "pension": "#882255",
        "retail": "#EE8866",
        "central_bank": "#555555",
    }
)
assert tuple(SECTOR_COLOURS) == INSTITUTION_KINDS

#: One colour per GPU generation, in the order of the scenario's generations (Tol "bright").
GENERATION_COLOURS: tuple[str, ...] = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377")

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
