# The two commands of the README. Each does all set-up first (scripts/bootstrap.sh is idempotent).
#   make run   - run the default scenario end to end (outputs in runs/baseline_2025)
#   make test  - run the whole test suite (what CI runs, via .ci/run)
.PHONY: run test bench app golden

run:
	@bash scripts/bootstrap.sh
	.venv/bin/aicontagion run baseline_2025 --seed 42 --out runs/baseline_2025

test:
	@bash scripts/bootstrap.sh --test
	.venv/bin/python -m pytest -q -p no:cacheprovider

bench:
	@bash scripts/bootstrap.sh
	.venv/bin/python benchmarks/bench_engine.py
	.venv/bin/python benchmarks/bench_kernels.py

app:
	@bash scripts/bootstrap.sh --test
	.venv/bin/aicontagion app

# Rewrite the golden baseline (tests/golden/) on purpose; say in the commit which results moved and why.
golden:
	@bash scripts/bootstrap.sh
	.venv/bin/python -m tests.golden
