"""Agent kinds by name: the one place that maps a config's ``kind`` to its class."""

from __future__ import annotations

from agents.ai_lab import AiLab
from agents.bank import Bank
from agents.base import Institution
from agents.central_bank import CentralBank
from agents.chip_maker import ChipMaker
from agents.hyperscaler import Hyperscaler
from agents.insurer import Insurer
from agents.leveraged_fund import LeveragedFund
from agents.miner import Miner
from agents.names import InstitutionKind
from agents.neocloud import Neocloud
from agents.pension import Pension
from agents.private_credit import PrivateCreditFund
from agents.retail import RetailSavers
from agents.spv import SPV

AGENT_CLASSES: dict[InstitutionKind, type[Institution]] = {
    InstitutionKind(cls.kind): cls
    for cls in (
        ChipMaker,
        Hyperscaler,
        AiLab,
        Neocloud,
        Miner,
        SPV,
        PrivateCreditFund,
        LeveragedFund,
        Bank,
        Insurer,
        Pension,
        RetailSavers,
        CentralBank,
    )
}
assert list(AGENT_CLASSES) == list(InstitutionKind), "every institution kind needs exactly one class"


def agent_class(kind: str) -> type[Institution]:
    """The agent class of an institution kind."""
    try:
        return AGENT_CLASSES[InstitutionKind(kind)]
    except ValueError:
        raise ValueError(f"unknown institution kind {kind!r}; choose from {list(InstitutionKind)}") from None
