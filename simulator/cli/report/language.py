"""The report's language: ``build_report(..., lang="zh")`` writes the page in it.

The page's functions translate their words with :func:`_` (the ``app`` gettext domain,
:mod:`simulator.i18n`) into the language of the report being built, set for the time of the
build by :func:`report_language` (a context variable: two reports built at once in two threads
do not mix languages).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from simulator.i18n import DEFAULT_LANGUAGE, check_language, gettext_for

__all__ = ["_", "current_language", "report_language"]

_LANGUAGE: ContextVar[str] = ContextVar("aicontagion_report_language", default=DEFAULT_LANGUAGE)


def _(message: str) -> str:
    """``message`` (English, a message of the ``app`` domain) in the report's language."""
    return gettext_for(_LANGUAGE.get(), "app")(message)


def current_language() -> str:
    """The language of the report being built."""
    return _LANGUAGE.get()


@contextmanager
def report_language(lang: str) -> Iterator[None]:
    """Build the report in ``lang`` inside this block (ConfigError naming ``--lang`` if it is not
    a language aicontagion speaks).
    """
    token = _LANGUAGE.set(check_language(lang, "--lang"))
    try:
        yield
    finally:
        _LANGUAGE.reset(token)
