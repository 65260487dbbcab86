"""The Examples sections of the docstrings run as tests, so the documentation stays true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [  # the modules whose docstrings carry Examples
    "networks.graph",
    "networks.analytics",
    "networks.layout",
    "networks.synthetic",
    "simulator.kernels.clearing",
    "simulator.kernels.fire_sales",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring examples: remove it from MODULES"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
