"""Who is tied to whom: the deal graph, its analytics, layouts and synthetic generators.

The deal graph is a :class:`networkx.MultiDiGraph` of institutions (integer node ids) and
contracts (edges keyed by contract id, directed from the holder of a claim to the obligor).
This package imports nothing from the rest of aicontagion but the names in :mod:`agents.names`.
"""

from networks.analytics import (
    Claim,
    circular_deals,
    counterparty_concentration,
    exposure_matrices_by_kind,
    exposure_matrix,
    herfindahl_index,
    largest_exposures,
    round_trip_ratio,
    sector_exposures,
    strength,
)
from networks.graph import DealGraphError, build_deal_graph, node_by_name, validate_deal_graph
from networks.kinds import (
    EDGE_KINDS,
    EDGE_STYLES,
    FUNDING_KINDS,
    GENERATION_COLOURS,
    INSTITUTION_KINDS,
    REVENUE_KINDS,
    SECTOR_COLOURS,
    SECTOR_LABELS,
    STATUS_COLOURS,
    STATUSES,
)
from networks.layout import draw_deal_graph, sector_layout
from networks.synthetic import directed_erdos_renyi_edges, random_deal_graph, random_interbank_liabilities

__all__ = [
    "EDGE_KINDS",
    "EDGE_STYLES",
    "FUNDING_KINDS",
    "GENERATION_COLOURS",
    # vocabularies
    "INSTITUTION_KINDS",
    "REVENUE_KINDS",
    "SECTOR_COLOURS",
    "SECTOR_LABELS",
    "STATUSES",
    "STATUS_COLOURS",
    # analytics
    "Claim",
    # building
    "DealGraphError",
    "build_deal_graph",
    "circular_deals",
    "counterparty_concentration",
    "directed_erdos_renyi_edges",
    "draw_deal_graph",
    "exposure_matrices_by_kind",
    "exposure_matrix",
    "herfindahl_index",
    "largest_exposures",
    "node_by_name",
    # synthetic
    "random_deal_graph",
    "random_interbank_liabilities",
    "round_trip_ratio",
    "sector_exposures",
    # drawing
    "sector_layout",
    "strength",
    "validate_deal_graph",
]
