"""The canonical contagion models, as a library of plain functions on arrays (no Mesa, nothing
of the engine): the engine's clearing and fire-sale phases call these same functions.

* ``clearing`` -- Eisenberg-Noe and Rogers-Veraart greatest clearing vectors;
* ``cascades`` -- DebtRank, threshold cascades, Gai-Kapadia;
* ``fire_sales`` -- Greenwood-Landier-Thesmar, Caccioli et al., Cifuentes-Ferrucci-Shin and
  the price-impact functions.

Each is also importable under its original name: ``simulator.clearing``,
``simulator.cascades``, ``simulator.fire_sales``.
"""

from simulator.kernels import cascades, clearing, fire_sales

__all__ = ["cascades", "clearing", "fire_sales"]
