"""The shipped LALR tables (gradcalc/_lalr_tables.py) are what the installed Lark builds from the grammar.

The generator reads Lark's private attributes (parse_table, rule_builders), which a new Lark may
change: pyproject bounds lark to the versions CI runs this test on (.ci/run: the newest release
and .ci/lowest.txt's)."""

from pathlib import Path

import gradcalc
from gradcalc.parse import generate_tables


def test_the_installed_lark_builds_the_shipped_tables(tmp_path):
    fresh = tmp_path / "tables.py"
    generate_tables(str(fresh))
    shipped = Path(gradcalc.__file__).with_name("_lalr_tables.py").read_text(encoding="utf-8")
    # The first line names the Lark version that wrote the file; everything after it must agree.
    assert fresh.read_text(encoding="utf-8").split("\n", 1)[1] == shipped.split("\n", 1)[1]
