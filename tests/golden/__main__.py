"""``python -m tests.golden``: rewrite the golden baseline (``--check`` compares instead)."""

import sys

from tests.golden import main

sys.exit(main(sys.argv[1:]))
