"""Bring the ``app`` and ``events`` catalogues up to date with the English in the code.

    PYTHONPATH=. .venv/bin/python scripts/update_catalogues.py          # update the .po files
    PYTHONPATH=. .venv/bin/python scripts/update_catalogues.py --check  # exit 1 if one is stale

Babel's Python extractor finds the messages under ``simulator/`` (``_("...")`` and
``N_("...")`` for ``app``, ``say("...", ...)`` for ``events``: ``simulator.i18n.PYTHON_SOURCES``)
and Babel's catalogue update merges them into
``simulator/locale/zh_CN/LC_MESSAGES/{app,events}.po``: translations are kept, new messages come
in with an empty ``msgstr`` (or marked fuzzy with a guess), removed ones are dropped. Then
translate the new entries (docs/translating.md) and run tests/test_translations_app.py.
Running it twice changes nothing. (The ``lessons`` and ``teaching`` catalogues have their own
script, scripts/update_content_catalogues.py.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.i18n import LOCALES, PYTHON_SOURCES, catalogue_path, extract_python, updated_catalogue  # noqa: E402


def untranslated(po: bytes, lang: str, domain: str) -> list[str]:
    """The messages of a catalogue with no translation, or a fuzzy one."""
    import io

    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(po), locale=LOCALES[lang], domain=domain)
    return [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a catalogue is stale")
    args = parser.parse_args(argv)
    stale = False
    for lang in LOCALES:
        for domain in PYTHON_SOURCES:
            path = catalogue_path(lang, domain)
            existing = path.read_bytes() if path.exists() else None
            fresh = updated_catalogue(extract_python(domain, ROOT), lang, domain, existing)
            rel = path.relative_to(ROOT)
            todo = untranslated(fresh, lang, domain)
            if fresh == existing:
                print(f"{rel}: up to date; {len(todo)} to translate")
                continue
            stale = True
            if args.check:
                print(f"{rel}: STALE (run scripts/update_catalogues.py)")
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fresh)
            print(f"{rel}: updated; {len(todo)} to translate")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
