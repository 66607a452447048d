"""Writes the README's function table from gradcalc's table of operations (gradcalc.ops.docs).

    python tools/readme_tables.py           rewrite the table in README.md
    python tools/readme_tables.py --check   exit 1 if README.md's table is not what the ops say

The table stands between two marker comments, which Markdown does not show; tests/test_readme_tables.py
runs --check, so an op whose entry changed fails the suite until this script is run.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN = "<!-- function table: written by tools/readme_tables.py from gradcalc.ops, do not edit -->\n"
END = "<!-- end of function table -->\n"


def updated(readme: str) -> str:
    """The README with the text between the markers replaced by the table the ops give today."""
    sys.path.insert(0, str(ROOT))
    from gradcalc.ops import function_table_markdown

    before, begin, rest = readme.partition(BEGIN)
    _, end, after = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"error: {README.name} lacks the markers {BEGIN.strip()} … {END.strip()}")
    return before + BEGIN + function_table_markdown() + END + after


def main(argv: list[str]) -> int:
    readme = README.read_text(encoding="utf-8")
    wanted = updated(readme)
    if argv[1:] == ["--check"]:
        if wanted != readme:
            print(f"{README.name}'s function table is out of date: run python tools/readme_tables.py",
                  file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    if wanted != readme:
        README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
