"""Two languages: English (the source text) and Simplified Chinese, through gettext catalogues.

Every user-facing text is written in English in the code, the lessons and the teaching docs; its
Chinese translation lives in a standard gettext catalogue (``.po``), one per *domain*:

========  ===========================================================================
domain    what it translates
========  ===========================================================================
app       the Solara app's labels and the command line's printed text
events    the event log's sentences (``simulator.events``)
lessons   the guided lessons' texts (``configs/lessons/*.yaml``)
scenarios the scenarios' descriptions (``configs/*.yaml``)
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
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from simulator.config import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from babel.messages.catalog import Catalog

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
"""The languages aicontagion speaks: code -> its name in that language."""

DEFAULT_LANGUAGE = "en"

LOCALES: dict[str, str] = {"zh": "zh_CN"}
"""The gettext locale folder of each translated language (English is the source text)."""

DOMAINS: tuple[str, ...] = ("app", "events", "lessons", "scenarios", "teaching")
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


# ----------------------------------------------------------------------------- keeping catalogues up to date


@dataclass(frozen=True)
class PythonSource:
    """Where a domain's messages are in the Python code: the marking calls (Babel keywords: a
    call's name -> which argument is the message, ``None`` for the first) and the files left out.
    """

    keywords: dict[str, None]
    exclude: tuple[str, ...]


PYTHON_SOURCES: dict[str, PythonSource] = {
    "app": PythonSource({"_": None, "N_": None}, ("simulator/i18n.py", "simulator/lessons.py")),
    "events": PythonSource({"say": None}, ("simulator/i18n.py",)),
}
"""The domains whose English messages are in the Python code under ``simulator/``, and the
calls that mark them: ``_("...")`` (the ``app`` domain's gettext) and ``N_("...")`` for the
``app`` domain, ``say("...", ...)`` (:func:`simulator.events.say`) for the ``events`` domain.
``exclude``: files whose marked strings belong to another domain (``simulator/lessons.py``
translates through the ``lessons`` domain)."""

CATALOGUE_DATE = "2026-11-29 00:00+0000"
"""The date written into the catalogues' headers (fixed, so that updating an up-to-date
catalogue changes nothing)."""


def extract_python(domain: str, root: Path | None = None) -> Catalog:
    """The English messages of ``domain`` (one of :data:`PYTHON_SOURCES`) found by Babel's Python
    extractor in ``root/simulator`` (``root``: the checkout, by default the one holding this
    module), each with the files it is in.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    spec = PYTHON_SOURCES[domain]
    root = Path(__file__).parent.parent if root is None else Path(root)
    excluded = set(spec.exclude)
    template = Catalog(domain=domain, project="aicontagion", fuzzy=False, creation_date=_catalogue_date())
    found = extract_from_dir(
        root / "simulator",
        method_map=[("**.py", "python")],
        keywords=spec.keywords,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        path = f"simulator/{filename}"
        if path in excluded or not isinstance(message, str) or not message:
            continue
        template.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return template


def updated_catalogue(template: Catalog, lang: str, domain: str, existing: bytes | None) -> bytes:
    """The ``.po`` file of ``domain`` in ``lang`` brought up to date with ``template`` (the
    messages just extracted) by Babel's catalogue update: translations of messages still there
    are kept, new messages come in untranslated (or fuzzy, with Babel's guess from a similar old
    message), messages no longer in the sources are dropped. ``existing``: the current file's
    bytes (``None`` if there is none). Deterministic: the same inputs give the same bytes (file
    references without line numbers, so moving code does not make a catalogue stale).
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    locale = LOCALES[check_language(lang)]
    if existing is None:
        catalog = Catalog(locale=locale, domain=domain, project="aicontagion", fuzzy=False)
    else:
        catalog = read_po(io.BytesIO(existing), locale=locale, domain=domain)
    catalog.update(template, update_header_comment=False)
    catalog.project, catalog.version = "aicontagion", ""
    catalog.creation_date = catalog.revision_date = _catalogue_date()
    catalog.fuzzy = False
    catalog.last_translator = "aicontagion contributors"
    catalog.language_team = f"{LANGUAGES[lang]} ({LOCALES[lang]})"
    catalog.msgid_bugs_address = "the aicontagion issue tracker"
    catalog.header_comment = (
        f"# {LANGUAGES[lang]} translations of aicontagion's {domain!r} messages.\n"
        "# Updated by scripts/update_catalogues.py; see docs/translating.md.\n"
        "#"
    )
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, ignore_obsolete=True, include_previous=False)
    return buffer.getvalue()


def _catalogue_date():
    from datetime import datetime

    return datetime.strptime(CATALOGUE_DATE, "%Y-%m-%d %H:%M%z")


def scenario_description(description: str, lang: str) -> str:
    """A scenario's ``description`` in ``lang`` (the ``scenarios`` catalogue), its whitespace
    collapsed as the catalogue keeps it; a description without a translation (a scenario of
    one's own) stays as written.
    """
    text = " ".join(description.split())
    return gettext_for(lang, "scenarios")(text) if text else text
