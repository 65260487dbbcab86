"""Notebooks are committed without outputs (the nbstripout hook in .pre-commit-config.yaml
strips them), so they diff cleanly and no stale figure or number is ever shown as a result.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def leftovers(nb: nbformat.NotebookNode) -> list[str]:
    """What an executed notebook left behind: one line per code cell with outputs or an
    execution count (empty for a clean notebook).
    """
    problems = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {number} has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {number} has execution count {cell.execution_count}")
    return problems


def all_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_the_notebooks_are_found():
    names = {p.relative_to(NOTEBOOKS).as_posix() for p in all_notebooks()}
    assert "classic_models.ipynb" in names
    assert "solutions/01_circular_deals_solutions.ipynb" in names  # solutions are checked too


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_notebook_is_committed_without_outputs(path: Path):
    problems = leftovers(nbformat.read(path, as_version=4))
    assert not problems, (
        f"{path.relative_to(NOTEBOOKS.parent)}: {'; '.join(problems)}. "
        "Strip it with `.venv/bin/nbstripout FILE` (or install the pre-commit hook)."
    )


def test_an_executed_notebook_is_caught():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("1 + 1"),
            nbformat.v4.new_code_cell("print('x')"),
        ]
    )
    assert leftovers(nb) == []
    nb.cells[1].execution_count = 3
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n")]
    assert leftovers(nb) == ["cell 2 has execution count 3", "cell 3 has 1 output(s)"]
