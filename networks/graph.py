"""Build and validate the deal graph.

The deal graph is a :class:`networkx.MultiDiGraph`:

* a **node** is an institution, keyed by an integer id, with attributes ``name`` (str), ``kind``
  (one of :data:`~networks.kinds.INSTITUTION_KINDS`) and any extras the caller passes
  (``status``, ``total_assets_bn``, ``equity_bn``, ...);
* an **edge** ``holder -> obligor`` is a contract, keyed by its string contract id, with
  attributes ``kind`` (one of :data:`~networks.kinds.EDGE_KINDS`), ``amount_bn``
  (US$ billions, finite, >= 0) and any extras.

The edge points from the party that holds the claim to the party that owes: a loan from
Blackstone to CoreWeave is ``Blackstone -> CoreWeave``; a compute contract under which OpenAI pays
CoreWeave is ``CoreWeave -> OpenAI``; Nvidia's equity stake in OpenAI is ``Nvidia -> OpenAI``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from networks.kinds import EDGE_KINDS, INSTITUTION_KINDS, STATUSES

__all__ = ["DealGraphError", "build_deal_graph", "node_by_name", "validate_deal_graph"]

_INSTITUTION_KEYS = ("id", "name", "kind")
_CONTRACT_KEYS = ("id", "holder", "obligor", "kind", "amount_bn")


class DealGraphError(ValueError):
    """An institution or contract does not fit the deal-graph vocabulary or structure."""


def build_deal_graph(
    institutions: Iterable[Mapping[str, Any]], contracts: Iterable[Mapping[str, Any]]
) -> nx.MultiDiGraph:
    """Build a validated deal graph from institution and contract records.

    Parameters
    ----------
    institutions : iterable of mappings
        Each has keys ``id`` (int), ``name`` (str) and ``kind`` (an institution kind); every
        other key is copied as a node attribute. A ``status``, if given, must be one of
        :data:`~networks.kinds.STATUSES`.
    contracts : iterable of mappings
        Each has keys ``id`` (str, becomes the edge key), ``holder`` and ``obligor`` (node ids;
        the edge runs holder -> obligor), ``kind`` (a contract kind) and ``amount_bn``
        (finite, >= 0, stored as float); every other key is copied as an edge attribute.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; the input mappings are not modified or kept.

    Raises
    ------
    DealGraphError
        If a record is not a mapping or lacks a required key; on a non-integer, duplicate or
        unknown node id; a duplicate institution name or contract id; an unknown institution
        kind, contract kind or status; a negative or non-finite amount; or a self-loop. The
        message names the offending record and what is allowed.

    Examples
    --------
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Blackstone", "kind": "private_credit"},
    ...      {"id": 1, "name": "CoreWeave", "kind": "neocloud", "status": "healthy"}],
    ...     [{"id": "bx-cw-1", "holder": 0, "obligor": 1, "kind": "loan", "amount_bn": 7.5}],
    ... )
    >>> G.nodes[1]["name"], G.edges[0, 1, "bx-cw-1"]["amount_bn"]
    ('CoreWeave', 7.5)
    >>> build_deal_graph([{"id": 0, "name": "Nvidia", "kind": "chipmaker"}], [])
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    networks.graph.DealGraphError: institution 0 ('Nvidia'): unknown kind 'chipmaker'; choose from ['chip_maker', ...]
    """
    G = nx.MultiDiGraph()
    names: dict[str, int] = {}
    for position, record in enumerate(institutions):
        node, attrs = _checked_institution(record, position, G, names)
        G.add_node(node, **attrs)
    keys: set[str] = set()
    for position, record in enumerate(contracts):
        holder, obligor, key, attrs = _checked_contract(record, position, G, keys)
        keys.add(key)
        G.add_edge(holder, obligor, key=key, **attrs)
    return G


def validate_deal_graph(G: nx.MultiDiGraph) -> None:
    """Check that an existing graph satisfies every rule of :func:`build_deal_graph`.

    Useful for graphs assembled elsewhere (e.g. a model's snapshot). The graph is not modified.

    Raises
    ------
    DealGraphError
        If ``G`` is not a MultiDiGraph or breaks any rule listed in :func:`build_deal_graph`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node(0, name="Nvidia", kind="chip_maker")
    >>> G.add_node(1, name="OpenAI", kind="ai_lab")
    >>> _ = G.add_edge(0, 1, key="nv-oai", kind="equity", amount_bn=-1.0)
    >>> validate_deal_graph(G)
    Traceback (most recent call last):
    ...
    networks.graph.DealGraphError: contract 'nv-oai' (0 -> 1): amount_bn must be a finite number >= 0, got -1.0
    """
    if not isinstance(G, nx.MultiDiGraph):
        raise DealGraphError(f"a deal graph must be a networkx.MultiDiGraph, got {type(G).__name__}")
    build_deal_graph(
        ({**attrs, "id": node} for node, attrs in G.nodes(data=True)),
        ({**attrs, "id": key, "holder": u, "obligor": v} for u, v, key, attrs in G.edges(keys=True, data=True)),
    )


def node_by_name(G: nx.MultiDiGraph) -> dict[str, int]:
    """Map each institution's ``name`` to its node id.

    Raises
    ------
    DealGraphError
        If a node has no ``name`` or two nodes share one.

    Examples
    --------
    >>> G = build_deal_graph([{"id": 7, "name": "Oracle", "kind": "hyperscaler"}], [])
    >>> node_by_name(G)
    {'Oracle': 7}
    """
    lookup: dict[str, int] = {}
    for node, name in G.nodes(data="name"):
        if name is None:
            raise DealGraphError(f"institution {node!r} has no 'name' attribute")
        if name in lookup:
            raise DealGraphError(f"institution name {name!r} is used by both {lookup[name]!r} and {node!r}")
        lookup[name] = node
    return lookup


# ----------------------------------------------------------------------------- record checks


def _checked_institution(
    record: Any, position: int, G: nx.MultiDiGraph, names: dict[str, int]
) -> tuple[int, dict[str, Any]]:
    where = f"institution #{position}"
    _require_mapping(record, where, _INSTITUTION_KEYS)
    node = record["id"]
    if not _is_int(node):
        raise DealGraphError(f"{where}: id must be an int, got {node!r}")
    node = int(node)
    name = record["name"]
    where = f"institution {node} ({name!r})"
    if not isinstance(name, str) or not name:
        raise DealGraphError(f"{where}: name must be a non-empty str")
    if node in G:
        raise DealGraphError(f"{where}: duplicate institution id {node} (already used by {G.nodes[node]['name']!r})")
    if name in names:
        raise DealGraphError(f"{where}: duplicate name {name!r} (already used by id {names[name]})")
    _require_member(record["kind"], INSTITUTION_KINDS, f"{where}: unknown kind")
    if "status" in record:
        _require_member(record["status"], STATUSES, f"{where}: unknown status")
    names[name] = node
    return node, {k: v for k, v in record.items() if k != "id"}


def _checked_contract(
    record: Any, position: int, G: nx.MultiDiGraph, keys: set[str]
) -> tuple[int, int, str, dict[str, Any]]:
    where = f"contract #{position}"
    _require_mapping(record, where, _CONTRACT_KEYS)
    key, holder, obligor = record["id"], record["holder"], record["obligor"]
    if not isinstance(key, str) or not key:
        raise DealGraphError(f"{where}: id must be a non-empty str, got {key!r}")
    where = f"contract {key!r} ({holder!r} -> {obligor!r})"
    for role, node in (("holder", holder), ("obligor", obligor)):
        if not _is_int(node) or int(node) not in G:
            raise DealGraphError(
                f"{where}: {role} {node!r} is not an institution id; known ids are {_preview(sorted(G))}"
            )
    holder, obligor = int(holder), int(obligor)
    if holder == obligor:
        raise DealGraphError(f"{where}: holder and obligor must differ (no self-loops)")
    if key in keys:
        raise DealGraphError(f"{where}: duplicate contract id {key!r}")
    _require_member(record["kind"], EDGE_KINDS, f"{where}: unknown kind")
    amount = record["amount_bn"]
    if not _is_real(amount) or not math.isfinite(amount) or amount < 0:
        raise DealGraphError(f"{where}: amount_bn must be a finite number >= 0, got {amount!r}")
    attrs = {k: v for k, v in record.items() if k not in ("id", "holder", "obligor")}
    attrs["amount_bn"] = float(amount)
    return holder, obligor, key, attrs


def _require_mapping(record: Any, where: str, keys: tuple[str, ...]) -> None:
    if not isinstance(record, Mapping):
        raise DealGraphError(f"{where}: expected a mapping, got {type(record).__name__}")
    missing = [k for k in keys if k not in record]
    if missing:
        raise DealGraphError(f"{where}: missing key(s) {missing}; required keys are {list(keys)}")


def _require_member(value: Any, allowed: tuple[str, ...], message: str) -> None:
    if value not in allowed:
        raise DealGraphError(f"{message} {value!r}; choose from {list(allowed)}")


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _preview(items: list, limit: int = 10) -> str:
    shown = ", ".join(map(repr, items[:limit]))
    return f"[{shown}{', ...' if len(items) > limit else ''}]"
