"""Tests for networks/: the deal graph, its analytics, layout, drawing and synthetic generators.

Most checks are closed-form answers on small hand-built graphs.
"""

import copy
import math

import matplotlib

matplotlib.use("Agg")

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import is_color_like

from networks import (
    EDGE_KINDS,
    EDGE_STYLES,
    FUNDING_KINDS,
    INSTITUTION_KINDS,
    REVENUE_KINDS,
    SECTOR_LABELS,
    STATUS_COLOURS,
    STATUSES,
    Claim,
    DealGraphError,
    build_deal_graph,
    circular_deals,
    counterparty_concentration,
    directed_erdos_renyi_edges,
    draw_deal_graph,
    exposure_matrices_by_kind,
    exposure_matrix,
    herfindahl_index,
    largest_exposures,
    node_by_name,
    random_deal_graph,
    round_trip_ratio,
    sector_exposures,
    sector_layout,
    strength,
    validate_deal_graph,
)

NVIDIA, OPENAI, COREWEAVE, ORACLE, BLACKSTONE = 0, 1, 2, 3, 4


def institution(id, name, kind, **extra):
    return {"id": id, "name": name, "kind": kind, **extra}


def contract(id, holder, obligor, kind, amount_bn, **extra):
    return {"id": id, "holder": holder, "obligor": obligor, "kind": kind, "amount_bn": amount_bn, **extra}


INSTITUTIONS = [
    institution(NVIDIA, "Nvidia", "chip_maker", total_assets_bn=111.0),
    institution(OPENAI, "OpenAI", "ai_lab", status="stressed"),
    institution(COREWEAVE, "CoreWeave", "neocloud", total_assets_bn=33.0, status="breached"),
    institution(ORACLE, "Oracle", "hyperscaler", total_assets_bn=131.0),
    institution(BLACKSTONE, "Blackstone", "private_credit"),
]


@pytest.fixture
def triangle():
    """Nvidia -> OpenAI -> CoreWeave -> Nvidia, plus Oracle and Blackstone hanging off it."""
    return build_deal_graph(
        INSTITUTIONS,
        [
            contract("nv-oai", NVIDIA, OPENAI, "equity", 100.0),
            contract("oai-cw", OPENAI, COREWEAVE, "equity", 0.35),
            contract("cw-nv", COREWEAVE, NVIDIA, "compute_contract", 6.3),
            contract("nv-orcl", NVIDIA, ORACLE, "chip_sale", 10.0),
            contract("nv-oai-chips", NVIDIA, OPENAI, "chip_sale", 30.0),
            contract("bx-cw-1", BLACKSTONE, COREWEAVE, "loan", 2.0),
            contract("bx-cw-2", BLACKSTONE, COREWEAVE, "loan", 5.5, maturity="2030-03"),
            contract("cw-orcl", COREWEAVE, ORACLE, "compute_contract", 3.7),
        ],
    )


# ----------------------------------------------------------------------------- vocabularies


def test_vocabularies_are_consistent():
    assert set(FUNDING_KINDS).isdisjoint(REVENUE_KINDS)
    assert set(EDGE_KINDS) == set(FUNDING_KINDS) | set(REVENUE_KINDS)
    assert len(set(EDGE_KINDS)) == len(EDGE_KINDS) == 9
    assert len(set(INSTITUTION_KINDS)) == len(INSTITUTION_KINDS) == 13
    assert set(SECTOR_LABELS) == set(INSTITUTION_KINDS)
    assert set(EDGE_STYLES) == set(EDGE_KINDS)
    assert tuple(STATUS_COLOURS) == STATUSES == ("healthy", "stressed", "breached", "defaulted")
    assert all(is_color_like(c) for c in STATUS_COLOURS.values())
    assert len(set(STATUS_COLOURS.values())) == 4
    styles = {(s["linestyle"], s["color"]) for s in EDGE_STYLES.values()}
    assert len(styles) == len(EDGE_KINDS)
    assert all(is_color_like(s["color"]) for s in EDGE_STYLES.values())


# ----------------------------------------------------------------------------- building


def test_build_copies_attributes_and_keys(triangle):
    G = triangle
    assert isinstance(G, nx.MultiDiGraph)
    assert sorted(G) == [0, 1, 2, 3, 4]
    assert G.nodes[COREWEAVE] == {
        "name": "CoreWeave", "kind": "neocloud", "total_assets_bn": 33.0, "status": "breached"
    }  # fmt: skip
    assert G.edges[BLACKSTONE, COREWEAVE, "bx-cw-2"] == {
        "kind": "loan", "amount_bn": 5.5, "maturity": "2030-03"
    }  # fmt: skip
    assert G.number_of_edges(BLACKSTONE, COREWEAVE) == 2
    assert node_by_name(G) == {"Nvidia": 0, "OpenAI": 1, "CoreWeave": 2, "Oracle": 3, "Blackstone": 4}
    validate_deal_graph(G)


def test_build_does_not_mutate_or_keep_inputs():
    institutions = [institution(np.int64(5), "Nvidia", "chip_maker"), institution(6, "Oracle", "hyperscaler")]
    contracts = [contract("c", np.int64(5), 6, "chip_sale", 1)]
    before = copy.deepcopy((institutions, contracts))
    G = build_deal_graph(institutions, contracts)
    assert (institutions, contracts) == before
    assert all(type(n) is int for n in G)
    assert type(G.edges[5, 6, "c"]["amount_bn"]) is float
    institutions[0]["name"] = "changed"
    assert G.nodes[5]["name"] == "Nvidia"


GOOD_NODES = [institution(0, "Nvidia", "chip_maker"), institution(1, "OpenAI", "ai_lab")]


@pytest.mark.parametrize(
    ("institutions", "contracts", "expected"),
    [
        (
            [institution(0, "Nvidia", "chipmaker")],
            [],
            ["institution 0 ('Nvidia')", "unknown kind 'chipmaker'", "chip_maker"],
        ),
        ([*GOOD_NODES, institution(1, "Oracle", "hyperscaler")], [], ["duplicate institution id 1", "'OpenAI'"]),
        ([*GOOD_NODES, institution(2, "OpenAI", "ai_lab")], [], ["duplicate name 'OpenAI'"]),
        ([institution("0", "Nvidia", "chip_maker")], [], ["id must be an int", "'0'"]),
        ([institution(True, "Nvidia", "chip_maker")], [], ["id must be an int"]),
        ([{"id": 0, "kind": "bank"}], [], ["institution #0", "missing key(s) ['name']"]),
        ([institution(0, "Nvidia", "chip_maker", status="zombie")], [], ["unknown status 'zombie'", "defaulted"]),
        (
            GOOD_NODES,
            [contract("c1", 0, 1, "equty", 1.0)],
            ["contract 'c1' (0 -> 1)", "unknown kind 'equty'", "compute_contract"],
        ),
        (
            GOOD_NODES,
            [contract("c1", 0, 1, "equity", 1.0), contract("c1", 1, 0, "loan", 2.0)],
            ["duplicate contract id 'c1'"],
        ),
        (
            GOOD_NODES,
            [contract("c1", 0, 9, "loan", 1.0)],
            ["contract 'c1'", "obligor 9 is not an institution id", "[0, 1]"],
        ),
        (GOOD_NODES, [contract("c1", 9, 0, "loan", 1.0)], ["holder 9 is not an institution id"]),
        (GOOD_NODES, [contract("c1", 0, 1, "loan", -1.0)], ["contract 'c1'", "finite number >= 0", "-1.0"]),
        (GOOD_NODES, [contract("c1", 0, 1, "loan", math.nan)], ["finite number >= 0", "nan"]),
        (GOOD_NODES, [contract("c1", 0, 1, "loan", math.inf)], ["finite number >= 0", "inf"]),
        (GOOD_NODES, [contract("c1", 0, 1, "loan", "7")], ["finite number >= 0", "'7'"]),
        (GOOD_NODES, [contract("c1", 1, 1, "loan", 1.0)], ["contract 'c1' (1 -> 1)", "self-loops"]),
        (GOOD_NODES, [contract(3, 0, 1, "loan", 1.0)], ["contract #0", "id must be a non-empty str"]),
        (GOOD_NODES, [{"id": "c1", "holder": 0, "obligor": 1, "kind": "loan"}], ["missing key(s) ['amount_bn']"]),
    ],
)
def test_build_rejects_bad_records_with_clear_messages(institutions, contracts, expected):
    with pytest.raises(DealGraphError) as info:
        build_deal_graph(institutions, contracts)
    assert isinstance(info.value, ValueError)
    for fragment in expected:
        assert fragment in str(info.value)


def test_validate_deal_graph_catches_edits(triangle):
    G = triangle.copy()
    G.edges[NVIDIA, OPENAI, "nv-oai"]["kind"] = "warrant"
    with pytest.raises(DealGraphError, match=r"contract 'nv-oai'.*unknown kind 'warrant'"):
        validate_deal_graph(G)
    with pytest.raises(DealGraphError, match="MultiDiGraph"):
        validate_deal_graph(nx.DiGraph(triangle))


def test_node_by_name_rejects_duplicates():
    G = nx.MultiDiGraph()
    G.add_node(0, name="Nvidia", kind="chip_maker")
    G.add_node(1, name="Nvidia", kind="chip_maker")
    with pytest.raises(DealGraphError, match="'Nvidia' is used by both 0 and 1"):
        node_by_name(G)


# ----------------------------------------------------------------------------- analytics


def test_circular_deals_finds_the_triangle(triangle):
    before = nx.to_dict_of_dicts(triangle)
    assert circular_deals(triangle) == [[NVIDIA, OPENAI, COREWEAVE]]
    assert nx.to_dict_of_dicts(triangle) == before
    assert circular_deals(triangle, max_length=2) == []
    assert circular_deals(triangle, kinds="equity") == []
    assert circular_deals(triangle, kinds=["equity", "compute_contract"]) == [[0, 1, 2]]
    assert circular_deals(triangle, max_length=None) == [[0, 1, 2]]


def test_circular_deals_rotation_and_order():
    nodes = [institution(i, f"N{i}", "bank") for i in range(5)]
    arcs = [(4, 3), (3, 4), (3, 1), (1, 2), (2, 3), (0, 4), (4, 0)]
    G = build_deal_graph(nodes, [contract(f"c{i}", u, v, "loan", 1.0) for i, (u, v) in enumerate(arcs)])
    assert circular_deals(G) == [[0, 4], [3, 4], [1, 2, 3]]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_circular_deals_rejects_bad_length(triangle, bad):
    with pytest.raises(ValueError, match="max_length must be a positive int"):
        circular_deals(triangle, max_length=bad)


def test_unknown_kind_filter_is_an_error(triangle):
    with pytest.raises(DealGraphError, match=r"unknown contract kind\(s\) \['loans'\]; choose from"):
        circular_deals(triangle, kinds=["loan", "loans"])


def test_round_trip_ratio_exact_share(triangle):
    # Nvidia's revenue: $30B chips to OpenAI (which it funded) + $10B to Oracle (which it did not).
    ratios = round_trip_ratio(triangle)
    assert ratios[NVIDIA] == pytest.approx(30.0 / 40.0)
    # CoreWeave sells compute to Nvidia and Oracle but funded neither; others have no revenue.
    assert ratios == {NVIDIA: 0.75, OPENAI: 0.0, COREWEAVE: 0.0, ORACLE: 0.0, BLACKSTONE: 0.0}


def test_round_trip_ratio_counts_every_funding_kind_and_zero_revenue():
    G = build_deal_graph(
        [
            institution(0, "CoreWeave", "neocloud"),
            institution(1, "Poolside", "ai_lab"),
            institution(2, "Microsoft", "hyperscaler"),
        ],
        [
            contract("cl", 0, 1, "credit_line", 0.5),
            contract("cc1", 0, 1, "compute_contract", 2.0),
            contract("cc2", 0, 1, "compute_contract", 1.0),
            contract("lease", 0, 2, "lease", 1.0),
            contract("zero", 2, 0, "compute_contract", 0.0),
        ],
    )
    assert round_trip_ratio(G) == {0: 0.75, 1: 0.0, 2: 0.0}


def test_exposure_matrix_entries(triangle):
    E = exposure_matrix(triangle)
    assert E.shape == (5, 5)
    assert E[BLACKSTONE, COREWEAVE] == 7.5  # two loans summed
    assert E[NVIDIA, OPENAI] == 130.0  # equity + chips
    assert E[COREWEAVE, NVIDIA] == 6.3
    assert E.sum() == pytest.approx(100 + 0.35 + 6.3 + 10 + 30 + 7.5 + 3.7)
    loans = exposure_matrix(triangle, kinds="loan")
    assert loans.sum() == 7.5 and loans[BLACKSTONE, COREWEAVE] == 7.5
    sub = exposure_matrix(triangle, nodelist=[COREWEAVE, BLACKSTONE])
    assert sub.tolist() == [[0.0, 0.0], [7.5, 0.0]]
    sparse = exposure_matrix(triangle, sparse=True)
    assert sparse.format == "csr"
    np.testing.assert_array_equal(sparse.toarray(), E)


def test_exposure_matrices_by_kind_sum_to_total(triangle):
    by_kind = exposure_matrices_by_kind(triangle)
    assert list(by_kind) == list(EDGE_KINDS)
    np.testing.assert_allclose(sum(by_kind.values()), exposure_matrix(triangle))
    assert by_kind["chip_sale"][NVIDIA, OPENAI] == 30.0
    assert not by_kind["bond"].any()


@pytest.mark.parametrize(("nodelist", "message"), [([0, 0], "duplicate"), ([0, 99], r"not in the graph: \[99\]")])
def test_exposure_matrix_rejects_bad_nodelist(triangle, nodelist, message):
    with pytest.raises(DealGraphError, match=message):
        exposure_matrix(triangle, nodelist=nodelist)


def test_sector_exposures(triangle):
    assert sector_exposures(triangle) == {
        ("chip_maker", "hyperscaler"): 10.0,
        ("chip_maker", "ai_lab"): 130.0,
        ("ai_lab", "neocloud"): 0.35,
        ("neocloud", "chip_maker"): 6.3,
        ("neocloud", "hyperscaler"): 3.7,
        ("private_credit", "neocloud"): 7.5,
    }
    assert next(iter(sector_exposures(triangle))) == ("chip_maker", "hyperscaler")
    assert sector_exposures(triangle, kinds="loan") == {("private_credit", "neocloud"): 7.5}


def test_counterparty_concentration_and_herfindahl(triangle):
    assert counterparty_concentration(triangle, COREWEAVE) == [
        (NVIDIA, pytest.approx(6.3 / 10.0)), (ORACLE, pytest.approx(3.7 / 10.0))
    ]  # fmt: skip
    assert counterparty_concentration(triangle, COREWEAVE, kinds=FUNDING_KINDS, direction="in") == [
        (BLACKSTONE, pytest.approx(7.5 / 7.85)), (OPENAI, pytest.approx(0.35 / 7.85))
    ]  # fmt: skip
    assert counterparty_concentration(triangle, OPENAI) == []
    hhi = herfindahl_index(triangle)
    assert hhi[COREWEAVE] == pytest.approx(0.63**2 + 0.37**2)
    assert hhi[NVIDIA] == pytest.approx(0.75**2 + 0.25**2)
    assert hhi[OPENAI] == 0.0
    with pytest.raises(nx.NodeNotFound, match="99"):
        counterparty_concentration(triangle, 99)
    with pytest.raises(ValueError, match="unknown direction 'up'"):
        counterparty_concentration(triangle, NVIDIA, direction="up")


def test_largest_exposures(triangle):
    assert largest_exposures(triangle, NVIDIA, top=2) == [
        Claim(OPENAI, "nv-oai", "equity", 100.0),
        Claim(OPENAI, "nv-oai-chips", "chip_sale", 30.0),
    ]
    assert [c.contract for c in largest_exposures(triangle, BLACKSTONE, top=None)] == ["bx-cw-2", "bx-cw-1"]
    assert largest_exposures(triangle, NVIDIA, kinds="chip_sale", top=None)[-1].obligor == ORACLE
    assert largest_exposures(triangle, ORACLE) == []
    with pytest.raises(ValueError, match="top"):
        largest_exposures(triangle, NVIDIA, top=-1)


def test_strength(triangle):
    out, into = strength(triangle), strength(triangle, "in")
    assert out[NVIDIA] == 140.0 and into[COREWEAVE] == pytest.approx(7.85)
    assert strength(triangle, "in", kinds="loan")[COREWEAVE] == 7.5
    E = exposure_matrix(triangle)
    np.testing.assert_allclose([out[n] for n in sorted(triangle)], E.sum(axis=1))
    np.testing.assert_allclose([into[n] for n in sorted(triangle)], E.sum(axis=0))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_analytics_invariants_on_random_graphs(seed):
    G = random_deal_graph(rng=seed)
    validate_deal_graph(G)
    ratios = round_trip_ratio(G)
    assert set(ratios) == set(G) and all(0.0 <= r <= 1.0 for r in ratios.values())
    E = exposure_matrix(G)
    assert E.sum() == pytest.approx(sum(a for _, _, a in G.edges(data="amount_bn")))
    assert sum(sector_exposures(G).values()) == pytest.approx(E.sum())
    for cycle in circular_deals(G, max_length=4):
        assert cycle[0] == min(cycle) and 2 <= len(cycle) <= 4
        assert all(G.has_edge(u, v) for u, v in zip(cycle, cycle[1:] + cycle[:1]))


# ----------------------------------------------------------------------------- layout and drawing


def test_sector_layout_is_fixed_and_ignores_edges(triangle):
    pos = sector_layout(triangle)
    bare = nx.MultiDiGraph()
    bare.add_nodes_from(reversed(list(triangle.nodes(data=True))))  # other insertion order, no edges
    assert sector_layout(bare) == pos
    rewired = triangle.copy()
    rewired.remove_edges_from(list(rewired.edges(keys=True))[:3])
    rewired.add_edge(ORACLE, BLACKSTONE, key="new", kind="equity", amount_bn=1.0)
    assert sector_layout(rewired) == pos
    assert all(math.isclose(math.hypot(x, y), 1.0) for x, y in pos.values())
    assert pos[NVIDIA] == pytest.approx((0.0, 1.0))  # first sector centred at the top
    big = sector_layout(triangle, radius=3.0)
    assert big[ORACLE] == pytest.approx(tuple(3 * c for c in pos[ORACLE]))


def test_sector_layout_groups_sectors_clockwise_in_order():
    nodes = [institution(i, f"B{i}", "bank") for i in (7, 3)] + [institution(5, "Nvidia", "chip_maker")]
    nodes += [institution(9, "Lambda", "neocloud"), institution(1, "CoreWeave", "neocloud")]
    G = build_deal_graph(nodes, [])
    pos = sector_layout(G)
    # 5 nodes + 3 sectors = 8 slots of 45 degrees: Nvidia | gap | CoreWeave, Lambda | gap | B3, B7 | gap
    clockwise = {n: (90 - math.degrees(math.atan2(y, x))) % 360 for n, (x, y) in pos.items()}
    assert clockwise == pytest.approx({5: 0.0, 1: 90.0, 9: 135.0, 3: 225.0, 7: 270.0})
    reordered = sector_layout(G, sector_order=["bank"])  # banks first, the rest in default order
    assert (90 - math.degrees(math.atan2(reordered[3][1], reordered[3][0]))) % 360 == pytest.approx(337.5)


def test_sector_layout_rejects_unknown_kinds(triangle):
    with pytest.raises(DealGraphError, match="sector_order has unknown kind"):
        sector_layout(triangle, sector_order=["banks"])
    G = nx.MultiDiGraph()
    G.add_node(0, name="?", kind="hedge_fund")
    with pytest.raises(DealGraphError, match="unknown kind 'hedge_fund'"):
        sector_layout(G)
    with pytest.raises(ValueError, match="radius"):
        sector_layout(triangle, radius=0)


def test_draw_deal_graph_saves_png(triangle, tmp_path):
    import matplotlib.pyplot as plt

    before = copy.deepcopy(nx.node_link_data(triangle, edges="links"))
    ax = draw_deal_graph(triangle, highlight_cycles=circular_deals(triangle), title="Nvidia's circle")
    assert ax.get_title() == "Nvidia's circle"
    assert {t.get_text() for t in ax.texts} >= {"Nvidia", "CoreWeave", "CHIP MAKERS"}
    path = tmp_path / "deal_graph.png"
    ax.figure.savefig(path, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert nx.node_link_data(triangle, edges="links") == before
    plt.close(ax.figure)

    fig, ax2 = plt.subplots()
    assert draw_deal_graph(triangle, ax=ax2, pos=nx.circular_layout(triangle)) is ax2
    plt.close(fig)


def test_draw_deal_graph_errors(triangle):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with pytest.raises(DealGraphError, match=r"\[0, 3\] uses 3 -> 0, which is not a contract"):
        draw_deal_graph(triangle, ax=ax, highlight_cycles=[[0, 3]])
    G = triangle.copy()
    G.nodes[NVIDIA]["status"] = "zombie"
    with pytest.raises(DealGraphError, match="unknown status 'zombie'"):
        draw_deal_graph(G, ax=ax)
    with pytest.raises(DealGraphError, match="no position"):
        draw_deal_graph(triangle, ax=ax, pos={0: (0.0, 0.0)})
    plt.close(fig)


# ----------------------------------------------------------------------------- synthetic


def test_random_deal_graph_is_valid_and_deterministic():
    G = random_deal_graph(rng=42)
    validate_deal_graph(G)
    assert G.number_of_nodes() == 22 and G.number_of_edges() > 20
    assert nx.utils.graphs_equal(G, random_deal_graph(rng=np.random.default_rng(42)))
    assert not nx.utils.graphs_equal(G, random_deal_graph(rng=43))
    assert random_deal_graph(n_per_kind=0, rng=1).number_of_nodes() == 0
    assert random_deal_graph(n_per_kind=2, rng=1).number_of_nodes() == 26
    assert random_deal_graph(density=0, rng=1).number_of_edges() == 0
    with pytest.raises(DealGraphError, match="unknown kind"):
        random_deal_graph({"hedge_fund": 1})
    with pytest.raises(DealGraphError, match="non-negative int"):
        random_deal_graph({"bank": -1})


def test_directed_erdos_renyi_edges():
    rng = np.random.default_rng(7)
    n, d = 2000, 5.0
    src, dst = directed_erdos_renyi_edges(n, d, rng)
    assert src.dtype == dst.dtype == np.int64
    assert not np.any(src == dst)
    assert len(np.unique(src * n + dst)) == len(src)
    assert src.min() >= 0 and max(src.max(), dst.max()) < n
    # Binomial(n(n-1), d/(n-1)): mean n*d = 10000, sd ~ 100.
    assert abs(len(src) - n * d) < 500
    s2, d2 = directed_erdos_renyi_edges(n, d, np.random.default_rng(7))
    np.testing.assert_array_equal(src, s2)
    np.testing.assert_array_equal(dst, d2)
    src, dst = directed_erdos_renyi_edges(4, 3, rng)
    assert sorted(zip(src.tolist(), dst.tolist())) == [(i, j) for i in range(4) for j in range(4) if i != j]
    assert directed_erdos_renyi_edges(1, 0, rng)[0].size == 0
    with pytest.raises(ValueError, match="mean_degree"):
        directed_erdos_renyi_edges(10, 10, rng)
    with pytest.raises(ValueError, match="n must be"):
        directed_erdos_renyi_edges(-1, 0, rng)
