# The two commands of the README. Each does all set-up first (scripts/bootstrap.sh is idempotent).
#   make run   - run the default scenario end to end (outputs in runs/baseline_2025)
#   make test  - the code-health checks (make lint), then the whole test suite (what CI runs, via .ci/run)
.PHONY: run test lint bench app golden

run:
	@bash scripts/bootstrap.sh
	.venv/bin/aicontagion run baseline_2025 --seed 42 --out runs/baseline_2025

test: lint
	@bash scripts/bootstrap.sh --test
	.venv/bin/python -m pytest -q -p no:cacheprovider -n auto

# Code health: formatting and lint (ruff), types (mypy), the import contracts (import-linter).
lint:
	@bash scripts/bootstrap.sh
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/lint-imports --no-cache

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
