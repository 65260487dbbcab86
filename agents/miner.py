"""Crypto miners turned GPU hosts: bitcoin revenue plus GPU hosting, financed with high-yield
bonds, convertibles and GPU-backed loans.

Their mining revenue moves with the crypto price index, and their GPU business behaves like a
neocloud's -- so crypto collateral and rental income can fall together ("double leverage").
They follow the neocloud's rules when short of cash.
"""

from __future__ import annotations

from agents.neocloud import Neocloud, NeocloudRules


class MinerRules(NeocloudRules):
    pass


class Miner(Neocloud):
    kind = "miner"
    Rules = MinerRules
