"""Two languages: English (the source text) and Simplified Chinese, through gettext catalogues.

Every user-facing text is written in English in the code, the lessons and the teaching docs; its
Chinese translation lives in a standard gettext catalogue (``.po``), one per *domain*:

========  ===========================================================================
domain    what it translates
========  ===========================================================================
app       the Solara app's labels and the command line's printed text
events    the event log's sentences (``simulator.events``)
lessons   the guided lessons' texts (``configs/lessons/*.yaml``)
teaching  the glossary and the student handout (``docs/teaching/``)
========  ===========================================================================

The catalogues are ``simulator/locale/<locale>/LC_MESSAGES/<domain>.po``. Babel extracts the
English messages into them (``docs/translating.md`` says how) and reads them back here: a
catalogue is compiled in memory the first time it is used, so there is no compiled ``.mo`` file
to keep in step with its ``.po``. Entries marked fuzzy or left empty fall back to English.

``translations(lang, domain)`` returns a :class:`gettext.NullTranslations`; ``gettext_for``
its ``gettext``. ``N_`` marks a message for extraction where it is defined and translated later
(labels in tables, templates filled in later).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from simulator.config import ConfigError

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
"""The languages aicontagion speaks: code -> its name in that language."""

DEFAULT_LANGUAGE = "en"

LOCALES: dict[str, str] = {"zh": "zh_CN"}
"""The gettext locale folder of each translated language (English is the source text)."""

DOMAINS: tuple[str, ...] = ("app", "events", "lessons", "teaching")
"""The catalogues (see the module docstring)."""

LOCALE_DIR = Path(__file__).parent / "locale"
"""Where the catalogues live: ``simulator/locale/<locale>/LC_MESSAGES/<domain>.po``."""


def check_language(lang: str, field: str = "lang") -> str:
    """``lang`` if aicontagion speaks it, else a :class:`ConfigError` naming ``field`` and the
    choices.
    """
    if lang not in LANGUAGES:
        choices = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
        raise ConfigError(f"{field}: {lang!r} is not a language aicontagion speaks; choose one of {choices}")
    return lang


def catalogue_path(lang: str, domain: str) -> Path:
    """The ``.po`` file of ``domain`` in ``lang`` (a translated language)."""
    if domain not in DOMAINS:
        raise ValueError(f"domain: {domain!r} is not one of {', '.join(DOMAINS)}")
    return LOCALE_DIR / LOCALES[check_language(lang)] / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str, domain: str) -> gettext.NullTranslations:
    """The translations of ``domain`` into ``lang``: English passes text through unchanged; a
    missing catalogue also does (every message then reads in English).
    """
    check_language(lang)
    if domain not in DOMAINS:
        raise ValueError(f"domain: {domain!r} is not one of {', '.join(DOMAINS)}")
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    path = catalogue_path(lang, domain)
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=LOCALES[lang], domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # fuzzy entries are not yet checked: English instead
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str, domain: str) -> Callable[[str], str]:
    """``gettext`` of ``domain`` in ``lang``: the translation of a message, or the message."""
    return translations(lang, domain).gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here (it is translated later)."""
    return message
