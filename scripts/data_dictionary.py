"""Render ``docs/data-dictionary.md`` from the data dictionary in the code.

    python scripts/data_dictionary.py          # rewrite the file
    python scripts/data_dictionary.py --check  # fail when the file differs (a test runs this)

The dictionary is ``src/tokarc/dataset/_dictionary.py``; the same descriptions go into every
export's ``datapackage.json`` and into ``tokarc browse``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tokarc.dataset._dictionary import markdown  # noqa: E402

TARGET = ROOT / "docs" / "data-dictionary.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the file differs")
    args = parser.parse_args(argv)
    text = markdown() + "\n"
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(
                f"{TARGET.relative_to(ROOT)} is out of date: run scripts/data_dictionary.py",
                file=sys.stderr,
            )
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
