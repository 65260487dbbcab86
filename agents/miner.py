"""Crypto miners turned GPU hosts: bitcoin revenue plus GPU hosting, financed with high-yield
bonds, convertibles and GPU-backed loans.

Their mining revenue moves with the crypto price index (``revenue_driver: crypto`` in the
config), and their GPU business behaves like a neocloud's -- so crypto collateral and rental
income can fall together ("double leverage"). They follow every neocloud rule
(``agents.neocloud``): spot rental, and when short of cash credit lines, the central bank, then
GPU sales.

Which phase asks what (all inherited from ``agents.neocloud.Neocloud``)
---------------------------------------------------------------------
===============  =========================================================
phase            method
===============  =========================================================
raise_liquidity  ``liquidity_actions`` (and the default ``gpus_to_sell``)
(world)          ``spot_share``, ``spot_utilisation``
===============  =========================================================
"""

from __future__ import annotations

from agents.names import InstitutionKind
from agents.neocloud import Neocloud, NeocloudRules


class MinerRules(NeocloudRules):
    pass


class Miner(Neocloud):
    kind = InstitutionKind.MINER
    Rules = MinerRules
    rules: MinerRules
