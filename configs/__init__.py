"""The scenarios (``*.yaml``), shipped as the package ``simulator.scenarios``.

``pyproject.toml`` maps that package name to this folder, so a wheel carries the scenarios and
``importlib.resources.files("simulator.scenarios")`` finds them in a wheel and in an editable
install alike (see ``simulator.config``). This file only makes the folder a package.
"""
