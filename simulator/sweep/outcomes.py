"""Outcomes: a small, safe language for "what happened in a run", used by tipping points and
scenario discovery.

An outcome is a condition on one run's measures: the numbers a sweep keeps for every run, by
their dotted names (``simulator.sweep.measures``: ``defaults_total``,
``losses_bn.realised_losses_bn.total``, ``defaults_by_kind.neocloud``, ``defaulted.CoreWeave``, ...):

=========================================================  ==========================================
``defaulted("CoreWeave")``                                 the named institution is in default at the end
``defaults >= 3``                                          at least 3 institutions in default at the end
``realised_losses_bn > 50``                                realised losses above US$ 50 bn
``defaults_by_kind.neocloud >= 1 and not defaulted("Oracle")``  combined with ``and``, ``or``, ``not``
``realised_losses_bn - losses_bn.realised_losses_bn.by_sector.bank > 10``  arithmetic: ``+ - * /``
=========================================================  ==========================================

Grammar (Python's expression syntax, of which only this is allowed)::

    outcome    := outcome "or" outcome | outcome "and" outcome | "not" outcome
                | "(" outcome ")" | comparison | defaulted
    comparison := number OP number [OP number ...]     OP: <  <=  >  >=  ==  !=
    number     := NUMBER | MEASURE | number ("+" | "-" | "*" | "/") number | "-" number | "(" number ")"
    defaulted  := defaulted("Institution name")           (the name in quotes, exactly as in the scenario)

Short names (``ALIASES``): ``defaults`` is ``defaults_total``, and each loss measure
(``realised_losses_bn``, ``unrealised_losses_bn``, ``equity_shortfall_bn``,
``market_value_shortfall_bn``) is its total, ``losses_bn.<measure>.total`` (US$ bn).
``defaulted("X")`` reads the measure ``defaulted.X`` (1 if X is in default at the end, else 0).

Names are checked when the outcome is compiled (:func:`compile_outcome`), against the measures
a run can have: an unknown name, a number where a condition is needed (``defaults`` alone),
``true``, a function other than ``defaulted``, a subscript, a lambda or anything else is an
:class:`OutcomeError` naming the problem and what is allowed. The text is parsed by :mod:`ast`
and evaluated by walking the tree; nothing is ever passed to ``eval``.

A measure a run does not have (a shortfall without a counterfactual, ``first_default.month``
when nothing defaulted; NaN in a sweep's table) reads as NaN, and every comparison with NaN is
false. A division by zero gives infinity (or NaN for 0/0).
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from simulator.config import ConfigError

DEFAULTED_PREFIX = "defaulted."
"""Measures ``defaulted.<institution>``: 1 if the institution is in default at the end of the run, else 0."""
ALIASES = {
    "defaults": "defaults_total",
    **{m: f"losses_bn.{m}.total" for m in ("realised_losses_bn", "unrealised_losses_bn", "equity_shortfall_bn",
                                          "market_value_shortfall_bn")},
}  # fmt: skip
"""Short names an outcome may use for a measure."""
MAX_LENGTH = 2000
"""Longest outcome text accepted, characters."""
EXAMPLES = 'defaulted("CoreWeave"), defaults >= 3, realised_losses_bn > 50'

_COMPARISONS: dict[type, Callable[[float, float], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
_ARITHMETIC: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: _divide(a, b),
}


def _divide(a: float, b: float) -> float:
    """``a / b``, with IEEE results instead of ZeroDivisionError: +-inf, or NaN for 0/0."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


Observation = Mapping[str, Any]
"""One run's measures, by dotted name (numbers; a missing one reads as NaN)."""


class OutcomeError(ConfigError):
    """An outcome expression is invalid, or cannot be evaluated on a run; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """A compiled outcome: call it on an observation to learn whether the outcome happened.

    Attributes
    ----------
    text : str
        The expression as given.
    measures : frozenset of str
        The measures it reads (after aliases).
    institutions : frozenset of str
        The institutions named in ``defaulted(...)`` (they read ``defaulted.<name>``).
    institution : str or None
        The institution if the outcome is just ``defaulted("<institution>")``, else None.
    """

    text: str
    measures: frozenset[str]
    institutions: frozenset[str]
    institution: str | None
    _test: Callable[[Observation], bool]

    def __call__(self, observation: Observation) -> bool:
        return self._test(observation)


def defaulted_outcome(institution: str) -> str:
    """The outcome text "``institution`` is in default at the end of the run"."""
    return f"defaulted({institution!r})"


def compile_outcome(text: Any, measures: Collection[str], absent: Collection[str] = ()) -> Outcome:
    """Parse and check an outcome expression (see the module docstring for the language).

    Parameters
    ----------
    text : str
        The expression, e.g. ``'defaults >= 3 and defaulted("Oracle")'``.
    measures : collection of str
        The measure names a run can have (dotted); ``defaulted(...)`` may name every
        institution with a measure ``defaulted.<name>``.
    absent : collection of str
        Figures a run may lack as a whole (``simulator.sweep.measures.absent_figures``, e.g.
        ``first_default`` before any default): a name under one (``first_default.month``) is
        accepted too.

    Raises
    ------
    OutcomeError
        Naming the outcome, the problem and what is allowed.

    Examples
    --------
    >>> happened = compile_outcome('defaults >= 2 and defaulted("A")', {"defaults_total", "defaulted.A"})
    >>> happened({"defaults_total": 3.0, "defaulted.A": 1.0})
    True
    >>> compile_outcome("defaults", {"defaults_total"})
    Traceback (most recent call last):
    ...
    simulator.sweep.outcomes.OutcomeError: outcome 'defaults': a number, not a condition; compare it, e.g. defaults >= 3 (examples: defaulted("CoreWeave"), defaults >= 3, realised_losses_bn > 50)
    """
    if not isinstance(text, str):
        raise OutcomeError(
            f"outcome: expected the expression as text, got {text!r} ({type(text).__name__}); e.g. {EXAMPLES}"
        )
    shown = text if len(text) <= 80 else text[:77] + "..."
    where = f"outcome {shown!r}"
    if not text.strip():
        raise OutcomeError(f"outcome: the expression is empty; e.g. {EXAMPLES}")
    if len(text) > MAX_LENGTH:
        raise OutcomeError(f"{where}: {len(text)} characters, at most {MAX_LENGTH} allowed")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        column = f" at column {exc.offset}" if exc.offset else ""
        raise OutcomeError(f"{where}: not a valid expression{column} ({exc.msg}); e.g. {EXAMPLES}") from None
    except (ValueError, RecursionError) as exc:  # (a NUL byte; nesting deeper than the parser takes)
        raise OutcomeError(f"{where}: not a valid expression ({exc}); e.g. {EXAMPLES}") from None
    checker = _Compiler(where, frozenset(measures), tuple(f"{a}." for a in absent))
    try:
        kind, test = checker.compile(tree.body)
    except RecursionError:
        raise OutcomeError(f"{where}: nested too deeply") from None
    if kind != "condition":
        raise OutcomeError(f"{where}: a number, not a condition; compare it, e.g. defaults >= 3 (examples: {EXAMPLES})")
    single = isinstance(tree.body, ast.Call) and len(checker.used_institutions) == 1
    institution = next(iter(checker.used_institutions)) if single else None
    return Outcome(text, frozenset(checker.used_measures), frozenset(checker.used_institutions), institution, test)


class _Compiler:
    """Turns an expression tree into a function of an observation, checking every node."""

    def __init__(self, where: str, measures: frozenset[str], under_absent: tuple[str, ...] = ()):
        self.where, self.measures, self.under_absent = where, measures, under_absent
        self.institutions = frozenset(m[len(DEFAULTED_PREFIX) :] for m in measures if m.startswith(DEFAULTED_PREFIX))
        self.used_measures: set[str] = set()
        self.used_institutions: set[str] = set()

    def fail(self, node: ast.AST, problem: str) -> OutcomeError:
        column = getattr(node, "col_offset", None)
        at = f" (column {column + 1})" if column is not None else ""
        return OutcomeError(f"{self.where}: {problem}{at}")

    def compile(self, node: ast.AST) -> tuple[str, Callable[[Observation], Any]]:
        """("condition" or "number", function of an observation) for ``node``."""
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(value, "and/or") for value in node.values]
            if isinstance(node.op, ast.And):
                return "condition", lambda obs: all(part(obs) for part in parts)
            return "condition", lambda obs: any(part(obs) for part in parts)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                inner = self.condition(node.operand, "not")
                return "condition", lambda obs: not inner(obs)
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                value = self.number(node.operand, "a sign")
                sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
                return "number", lambda obs: sign * value(obs)
            raise self.fail(node, "'~' is not allowed; use 'not' for a negation")
        if isinstance(node, ast.Compare):
            ops = []
            for op in node.ops:
                if type(op) not in _COMPARISONS:
                    raise self.fail(node, "only the comparisons < <= > >= == != are allowed (not 'in' or 'is')")
                ops.append(_COMPARISONS[type(op)])
            operands = [self.number(x, "a comparison") for x in (node.left, *node.comparators)]

            def compare(obs: Observation) -> bool:
                values = [operand(obs) for operand in operands]
                return all(op(a, b) for op, a, b in zip(ops, values, values[1:]))

            return "condition", compare
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _ARITHMETIC:
                raise self.fail(node, "only the arithmetic + - * / is allowed")
            left, right = self.number(node.left, "arithmetic"), self.number(node.right, "arithmetic")
            arithmetic = _ARITHMETIC[type(node.op)]
            return "number", lambda obs: arithmetic(left(obs), right(obs))
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                what = "true/false" if isinstance(node.value, bool) else repr(node.value)
                raise self.fail(
                    node,
                    f"{what} is not allowed here: numbers and measure names only (a name in quotes only inside defaulted(...))",
                )
            constant = float(node.value)
            if not math.isfinite(constant):
                raise self.fail(node, f"{node.value!r} is not a finite number")
            return "number", lambda obs: constant
        if isinstance(node, (ast.Name, ast.Attribute)):
            return "number", self.measure(node)
        if isinstance(node, ast.Call):
            return "condition", self.defaulted(node)
        raise self.fail(node, f"{type(node).__name__.lower()} expressions are not allowed; e.g. {EXAMPLES}")

    def condition(self, node: ast.AST, context: str) -> Callable[[Observation], bool]:
        kind, test = self.compile(node)
        if kind != "condition":
            raise self.fail(node, f"{context} needs a condition (a comparison or defaulted(...)), not a number")
        return test

    def number(self, node: ast.AST, context: str) -> Callable[[Observation], float]:
        kind, value = self.compile(node)
        if kind != "number":
            raise self.fail(node, f"{context} needs numbers, not a condition")
        return value

    def measure(self, node: ast.Name | ast.Attribute) -> Callable[[Observation], float]:
        written = _dotted_name(node)
        if written is None:
            raise self.fail(node, "'.' only joins the parts of a measure's name (losses_bn.realised_losses_bn.total)")
        if written == "defaulted":
            raise self.fail(node, 'defaulted needs an institution: defaulted("CoreWeave")')
        name = ALIASES.get(written, written)
        if name not in self.measures and not name.startswith(self.under_absent):
            close = difflib.get_close_matches(written, [*self.measures, *ALIASES], n=3, cutoff=0.7)
            if close:
                raise self.fail(node, f"unknown measure {written!r}; did you mean {' or '.join(close)}?")
            shown = sorted(m for m in self.measures if not m.startswith(DEFAULTED_PREFIX))
            raise self.fail(node, f"unknown measure {written!r}; known: {sorted(ALIASES)} and {shown}")
        self.used_measures.add(name)
        return lambda obs: _number(obs.get(name))

    def defaulted(self, node: ast.Call) -> Callable[[Observation], bool]:
        if not isinstance(node.func, ast.Name) or node.func.id != "defaulted":
            what = f"function {node.func.id!r}" if isinstance(node.func, ast.Name) else "calling an expression"
            raise self.fail(node, f'{what} is not allowed; the only function is defaulted("Institution")')
        if node.keywords or len(node.args) != 1:
            raise self.fail(node, 'defaulted takes one institution name in quotes: defaulted("CoreWeave")')
        arg = node.args[0]
        if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
            raise self.fail(node, 'defaulted takes an institution name in quotes: defaulted("CoreWeave")')
        institution = arg.value
        if institution not in self.institutions:
            close = difflib.get_close_matches(institution, list(self.institutions), n=3)
            hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
            raise self.fail(node, f"unknown institution {institution!r}; {hint}known: {sorted(self.institutions)}")
        self.used_institutions.add(institution)
        key = DEFAULTED_PREFIX + institution
        self.used_measures.add(key)
        return lambda obs: _number(obs.get(key)) >= 0.5


def _dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _number(value: Any) -> float:
    """A measure's value as a float: NaN where the run does not have it."""
    if value is None or isinstance(value, str):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
