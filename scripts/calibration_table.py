"""Where each number of the default scenario comes from, as a Markdown page.

Reads ``configs/baseline_2025.yaml`` and lists every number in it with the comment on its line:
``# source: ...`` (a figure from late-2025 reporting, short names as in the sources table) or
``# assumption: ...`` (a choice where the sources are silent). A number whose own line has no
such comment takes the nearest enclosing line's (``securities_bn:  # source: ...`` covers the
class sizes under it), shown as "(from <parent>)". Numbers with neither are listed at the end,
not given a source.

    python scripts/calibration_table.py            # rewrite docs/teaching/calibration_sources.md
    python scripts/calibration_table.py --check    # exit 1 if the committed page is stale
    python scripts/calibration_table.py --unsourced  # print the numbers without a comment

The page is generated, so it cannot drift from the config: tests/test_calibration_table.py
checks the committed page equals this script's output.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "baseline_2025.yaml"
PAGE = ROOT / "docs" / "teaching" / "calibration_sources.md"

SOURCES: tuple[tuple[str, str], ...] = (
    ("ATL-1", 'The Atlantic, "Something Ominous Is Happening in the AI Economy", Rogé Karma, 2025-12-10.'),
    ("ATL-2", 'The Atlantic, "Here\'s How the AI Crash Happens" (as summarised in a Dec 2025 commentary).'),
    ("TRI", '"The impossible trinity of AI: compute race, bond-market stability, monetary independence", '
     "strategic briefing, Dec 2025."),
    ("CPF", '"Compute-power financing: why Wall Street thinks a subprime crisis is brewing", Dec 2025 '
     "(cites SemiAnalysis, Epoch AI, Reuters, VanEck, TheMinerMag)."),
    ("MAC", "Commentary on AI, Treasury debt and the dollar, Dec 2025 (cites US Treasury, CBO)."),
    ("CALIBRATION.md", "The project's calibration notes: the five sources above, plus approximate public "
     "figures (annual reports, regulators' statistics) for holders and payouts, marked `approx.`."),
)  # fmt: skip
"""The short names the config's ``# source:`` comments use, and what they stand for."""

UNITS: tuple[tuple[str, str], ...] = (
    ("_bn_per_month", "US$ bn a month"),
    ("_bn_per_k_month", "US$ bn per thousand GPUs a month"),
    ("price_bn_per_k", "US$ bn per thousand GPUs"),
    ("_per_year", "per year"),
    ("_per_month", "per month"),
    ("_bn", "US$ bn"),
    ("_month", "month"),
    ("months", "months"),
    ("_years", "years"),
    ("_k", "thousand GPUs"),
)
"""Units by field-name suffix (configs/README.md), first match wins."""


@dataclass(frozen=True)
class Number:
    """One number in the config: its dotted path, value, line and the comment that covers it."""

    path: str
    value: float | int
    line: int  # 1-based line in the config
    comment: str  # the covering comment's text, without '#'; '' if none
    inherited_from: str  # the parent path whose line carries the comment; '' if its own line

    @property
    def basis(self) -> str:
        """'source', 'assumption' or '' (neither)."""
        text = self.comment.lower()
        if "source:" in text:
            return "source"
        if "assumption" in text:
            return "assumption"
        return ""

    @property
    def unit(self) -> str:
        leaf = self.path.rsplit(".", 1)[-1]
        for suffix, unit in UNITS:
            if leaf.endswith(suffix):
                return unit
        parent = self.path.split(".")
        if len(parent) >= 2 and parent[-2] in ("securities_bn", "depth_bn"):
            return "US$ bn"
        if len(parent) >= 2 and parent[-2] == "gpus_k":
            return "thousand GPUs"
        if len(parent) >= 2 and parent[-2] == "spreads_per_year":
            return "per year"
        if len(parent) >= 2 and parent[-2] == "maturity_years":
            return "years"
        return ""


def line_comment(line: str) -> str:
    """The text after the first '#' outside quotes on a YAML line ('' if none)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


def _is_number(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag in (
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    )


def _covering(comment: str) -> bool:
    text = comment.lower()
    return "source:" in text or "assumption" in text


def numbers(config: Path = CONFIG) -> list[Number]:
    """Every number in ``config`` in file order, with the comment covering it."""
    text = config.read_text(encoding="utf-8")
    lines = text.splitlines()
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError(f"{config}: expected a mapping at the top level")
    found: list[Number] = []

    def comment_at(node_line: int) -> str:
        return line_comment(lines[node_line]) if 0 <= node_line < len(lines) else ""

    def walk(node: yaml.Node, path: str, ancestors: list[tuple[str, int]]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                walk(value, name, [*ancestors, (name, key.start_mark.line)])
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                label = _item_label(item, i)
                walk(item, f"{path}[{label}]", [*ancestors, (f"{path}[{label}]", item.start_mark.line)])
        elif _is_number(node):
            value = yaml.safe_load(node.value)
            own = comment_at(node.start_mark.line)
            if own and _covering(own):
                found.append(Number(path, value, node.start_mark.line + 1, own, ""))
                return
            # the nearest enclosing line (not this one) whose comment names a source or assumption
            for parent, parent_line in reversed(ancestors[:-1]):
                if parent_line == node.start_mark.line:
                    continue
                parent_comment = comment_at(parent_line)
                if parent_comment and _covering(parent_comment):
                    found.append(Number(path, value, node.start_mark.line + 1, parent_comment, parent))
                    return
            found.append(Number(path, value, node.start_mark.line + 1, own, ""))

    walk(root, "", [])
    return found


def _item_label(item: yaml.Node, index: int) -> str:
    """A list item's label: its ``name:`` if it has one, else its index."""
    if isinstance(item, yaml.MappingNode):
        for key, value in item.value:
            if key.value == "name" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return str(index)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _value(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _section(path: str) -> str:
    parts = path.split(".")
    if parts[0] in ("institutions", "debts", "stakes", "contracts") and len(parts) > 1:
        return f"{parts[0]}.{parts[1]}"
    if parts[0] == "markets" and len(parts) > 1:
        return f"markets.{parts[1].split('[')[0]}"
    return parts[0]


def render(config: Path = CONFIG) -> str:
    """The whole Markdown page for ``config``."""
    rows = numbers(config)
    rel = config.relative_to(ROOT) if config.is_relative_to(ROOT) else config
    n_source = sum(r.basis == "source" for r in rows)
    n_assumption = sum(r.basis == "assumption" for r in rows)
    unsourced = [r for r in rows if not r.basis]
    out: list[str] = [
        "# Where each calibrated number comes from",
        "",
        "<!-- Generated by scripts/calibration_table.py from configs/baseline_2025.yaml: do not edit by",
        "     hand; run `python scripts/calibration_table.py` after changing the config. -->",
        "",
        f"Every number in `{rel}` (the default scenario, which every other scenario extends), with",
        "the comment on its line: **source** (a figure from late-2025 public reporting; the short",
        "names are in the table below) or **assumption** (an illustrative choice where the sources",
        "are silent: balance-sheet sizes, GPU prices, contract timing, behavioural parameters). A",
        "number without a comment of its own is covered by the nearest enclosing line's comment, shown",
        "as *(from ...)*. The network is an illustration of the mechanisms, not a forecast of any",
        "company.",
        "",
        f"**{len(rows)} numbers: {n_source} cite a source, {n_assumption} are marked as assumptions,"
        f" {len(unsourced)} carry neither** (listed at the end).",
        "",
        "Units follow the field names (`configs/README.md`): `_bn` US$ billions, `_bn_per_month` US$",
        "billions a month, `_per_year` rates and growth per year (0.05 = 5%), `_month` months (month 0",
        "is January 2026), `_k` thousands of GPUs, `price_bn_per_k` US$ billions per thousand GPUs",
        "(0.016 = US$16k a GPU).",
        "",
        "## The sources",
        "",
        "| short name | source |",
        "|---|---|",
        *(f"| {name} | {_cell(text)} |" for name, text in SOURCES),
        "",
        "How a source is used matters: a comment such as *source: TRI (...); split assumed* means the",
        "total comes from the source and how the model divides it is an assumption.",
        "",
        "## Numbers that cite a source",
        "",
        "| field | value | unit | source |",
        "|---|---|---|---|",
    ]
    for r in rows:
        if r.basis == "source":
            out.append(f"| `{r.path}` | {_value(r.value)} | {r.unit} | {_cell(_with_parent(r))} |")
    out += ["", "## All numbers, section by section", ""]
    section = None
    for r in rows:
        s = _section(r.path)
        if s != section:
            section = s
            out += ["", f"### `{s}`", "", "| field | value | unit | basis | comment |", "|---|---|---|---|---|"]
        field = r.path[len(s) + 1 :] if r.path != s and r.path.startswith(s + ".") else r.path
        basis = r.basis or "**none**"
        out.append(f"| `{field}` | {_value(r.value)} | {r.unit} | {basis} | {_cell(_with_parent(r))} |")
    out += [
        "",
        "## Numbers with neither a source nor an assumption comment",
        "",
        "These numbers carry no `# source:` or `# assumption` comment on their line or an enclosing",
        "line. They are model settings or contract terms the sources do not give (interest rates,",
        "maturities, launch months, equity betas, rule parameters, sector-by-sector splits); treat",
        "them as assumptions until someone documents them. `tests/test_calibration_table.py` fails",
        "if a new one appears.",
        "",
        "| field | value | line |",
        "|---|---|---|",
        *(f"| `{r.path}` | {_value(r.value)} | {r.line} |" for r in unsourced),
        "",
    ]
    return "\n".join(out)


def _with_parent(r: Number) -> str:
    return f"{r.comment} *(from `{r.inherited_from}`)*" if r.inherited_from else r.comment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed page differs from the config")
    parser.add_argument("--unsourced", action="store_true", help="print the numbers without a source or assumption")
    parser.add_argument("--out", type=Path, default=PAGE, help=f"the page to write (default {PAGE.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if args.unsourced:
        for r in numbers():
            if not r.basis:
                print(f"{r.line:4d}  {r.path} = {_value(r.value)}")
        return 0
    page = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != page:
            print(f"{args.out} is stale: run python scripts/calibration_table.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(page, encoding="utf-8")
    print(f"Wrote {args.out} ({len(page.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
