"""The instructor material in docs/teaching/ names things that exist.

The lesson plans, handout and index tell instructors exactly what to type, and the glossary says
where each term lives in the code and the outputs. These tests read the pages and check every
`aicontagion` command parses and loads its scenario with its --set values, every module and
function named in the glossary imports, every event kind and output column named exists, every
app panel named is on the page, and every relative link and repository path resolves.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest

from agents.names import EVENT_KINDS
from simulator.cli import BadInput, build_parser, load
from simulator.records import AGENT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
TEACHING = ROOT / "docs" / "teaching"
PAGES = ["README.md", "lesson_plan_45min.md", "lesson_plan_90min.md", "handout.md", "glossary.md"]
GLOSSARY = (TEACHING / "glossary.md").read_text(encoding="utf-8")
ELSEWHERE: set[str] = set()  # pages linked before they exist (none: every linked page is here)


def _text(name: str) -> str:
    return (TEACHING / name).read_text(encoding="utf-8")


def _commands() -> list[tuple[str, str]]:
    """Every `aicontagion ...` command in the pages (code blocks and inline code), as (page, text)."""
    found = []
    for name in PAGES:
        text = _text(name)
        lines = [m.group(1) for m in re.finditer(r"`(aicontagion [^`]+)`", text)]
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
            lines += [line.strip() for line in block.splitlines() if line.strip().startswith("aicontagion ")]
        for line in lines:
            for part in line.split("&&"):
                command = part.split("  #", 1)[0].split(" # ", 1)[0].strip()
                # (a bare `aicontagion run` in prose names the command, it is not one to type)
                bare = command in ("aicontagion run", "aicontagion report")
                if command.startswith("aicontagion ") and "..." not in command and not bare:
                    found.append((name, command))
    return found


COMMANDS = _commands()


def test_the_pages_give_commands():
    kinds = {shlex.split(c)[1] for _, c in COMMANDS}
    assert {"run", "report", "app", "scenarios"} <= kinds
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize(("page", "command"), COMMANDS, ids=[f"{p}: {c}" for p, c in COMMANDS])
def test_every_command_parses_and_its_scenario_loads(page, command):
    argv = shlex.split(command)[1:]
    try:
        args = build_parser().parse_args(argv)
    except (SystemExit, BadInput) as exc:  # the parser's ways of refusing
        pytest.fail(f"{page}: `{command}` does not parse ({exc})")
    if args.command == "run":
        try:
            load(args.scenario, args.overrides)
        except BadInput as exc:
            pytest.fail(f"{page}: `{command}`: {exc}")
    if args.command == "app" and args.scenario:
        load(args.scenario, [])


def test_the_check_on_commands_can_fail():
    with pytest.raises(BadInput):
        load("ai_winter", ["waiver_propensty=0"])
    with pytest.raises(BadInput):
        load("no_such_scenario", [])


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            fields = {
                *getattr(obj, "model_fields", ()),
                *getattr(obj, "__dataclass_fields__", ()),
                *getattr(obj, "_fields", ()),
            }
            obj = getattr(obj, attr) if hasattr(obj, attr) or attr not in fields else fields
        return obj
    raise ModuleNotFoundError(dotted)


DOTTED = sorted(
    name
    for name in set(re.findall(r"`((?:simulator|agents|networks)\.[A-Za-z_][\w.]*)`", GLOSSARY))
    if not name.endswith((".csv", ".jsonl", ".json", ".md"))  # output files, not code
)


@pytest.mark.parametrize("dotted", DOTTED)
def test_every_module_and_function_the_glossary_names_exists(dotted):
    try:
        _resolve(dotted)
    except (ModuleNotFoundError, AttributeError) as exc:
        pytest.fail(f"glossary.md names `{dotted}`, which does not exist ({exc})")


def test_the_glossary_names_code_and_the_resolver_can_fail():
    assert len(DOTTED) >= 30
    with pytest.raises(AttributeError):
        _resolve("simulator.phases.covenants.no_such_function")


def _backticked_after(word: str, text: str) -> set[str]:
    """Names in backticks in the list that follows ``word`` (``events `a`, `b` and `c```)."""
    names: set[str] = set()
    pattern = rf"\b{word}s?\s+((?:`[^`]+`(?:,?\s+(?:and\s+|or\s+)?|\s+/\s+)?)+)"
    for match in re.finditer(pattern, text):
        names |= set(re.findall(r"`([^`]+)`", match.group(1)))
    return names


def test_every_event_kind_named_exists():
    named = set()
    for page in PAGES:
        named |= {n for n in _backticked_after("event", _text(page)) if re.fullmatch(r"[a-z_]+", n)}
    assert len(named) >= 15
    assert not named - set(EVENT_KINDS), f"not event kinds: {sorted(named - set(EVENT_KINDS))}"


@pytest.fixture(scope="module")
def model_columns() -> set[str]:
    from simulator import ContagionModel

    model = ContagionModel("neocloud_default", rng=0)
    model.run_for(1)
    return {"month", *model.datacollector.get_model_vars_dataframe().columns}


def test_every_output_column_named_exists(model_columns):
    named = _backticked_after("column", GLOSSARY) | set(re.findall(r"`([a-z_]+_<sector>)`", GLOSSARY))
    named |= set(re.findall(r"`((?:realised|unrealised|equity_shortfall|market_value_shortfall)_bn_total)`", GLOSSARY))
    columns = model_columns | {"month", "institution", "name", *AGENT_COLUMNS}
    checked = 0
    for name in named:
        if name.endswith(".csv") or name.startswith("..."):
            continue
        concrete = name.replace("<sector>", "total").replace("*", "H100")
        assert concrete in columns, f"glossary.md names the column `{name}`, which no output has"
        checked += 1
    assert checked >= 10


def test_every_app_panel_named_is_on_the_page():
    panels = (ROOT / "simulator" / "app" / "panels.py").read_text(encoding="utf-8")
    named = set(
        re.findall(r"\*(Deal network|Time series|Event log|Inspector|Systemic risk now|Circular deals)\*", GLOSSARY)
    )
    assert len(named) == 6
    for name in named:  # (a panel's title is a translated message: <b>{_('Event log')}</b>)
        assert f"<b>{name}</b>" in panels or f"<b>{{_('{name}')}}</b>" in panels, name


@pytest.mark.parametrize("page", PAGES)
def test_links_and_repository_paths_resolve(page):
    text = _text(page)
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if target.startswith("http") or target in ELSEWHERE:
            continue
        assert (TEACHING / target).exists(), f"{page}: link to {target}"
    for path in re.findall(r"`((?:docs|configs|scripts|simulator|tests)/[\w./-]+\.(?:md|py|yaml))`", text):
        assert (ROOT / path).exists(), f"{page}: `{path}` does not exist"
