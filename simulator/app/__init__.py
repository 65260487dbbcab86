"""The Solara app (the visual model): the page in :mod:`simulator.app.page`, its pieces beside it.

Serve it with ``aicontagion app`` (see :mod:`simulator.app.server`) or
``solara run simulator.app``.

Solara, given a package, looks up ``Page`` here and also makes a route of every submodule that
has one -- here ``page.py``, which would show the page a second time under ``/page``. The
``routes`` list below gives Solara the one route instead. ``Page``, ``Layout`` and ``routes`` are
loaded on first use, so importing :mod:`simulator.app.server` (the command line) or
:mod:`simulator.app.params` does not import Solara's page machinery.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Layout", "Page", "routes"]


def __getattr__(name: str) -> Any:
    if name in ("Page", "Layout"):
        from simulator.app import page

        return getattr(page, name)
    if name == "routes":
        import solara

        from simulator.app.page import Layout, Page

        return [solara.Route(path="/", component=Page, layout=Layout)]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
