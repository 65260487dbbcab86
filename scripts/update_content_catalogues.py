"""Update the ``lessons`` and ``teaching`` catalogues and regenerate the Chinese teaching pages.

    python scripts/update_content_catalogues.py            # extract, update, regenerate
    python scripts/update_content_catalogues.py --check    # exit 1 if any of them is stale

Extracts the English texts of the guided lessons (``configs/lessons/*.yaml``) and of the glossary
and handout (``docs/teaching/glossary.md``, ``handout.md``) with Babel, merges them into
``simulator/locale/zh_CN/LC_MESSAGES/lessons.po`` and ``teaching.po`` (new texts empty, changed
texts fuzzy with their old translation), and renders ``docs/teaching/zh/glossary.md`` and
``handout.md`` from the English pages and ``teaching.po``. Running it twice changes nothing the
second time. It then lists the messages still to translate (empty or fuzzy): write the Chinese
into their ``msgstr``, remove the ``#, fuzzy`` line, and run it again (the Chinese pages are
rendered from the catalogue). ``docs/teaching/README.md`` describes the workflow.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.content_catalogues import CONTENT_DOMAINS, ROOT, generated_files, missing_translations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a catalogue or a Chinese page is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, content in generated_files().items():
        if path.exists() and path.read_bytes() == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for path in stale:
        print(f"{'stale' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    if args.check:
        if stale:
            print("run: python scripts/update_content_catalogues.py", file=sys.stderr)
        return 1 if stale else 0
    for domain in CONTENT_DOMAINS:
        todo = missing_translations(domain)
        print(f"{domain}: {len(todo)} message(s) to translate" + (":" if todo else ""))
        for line in todo:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
