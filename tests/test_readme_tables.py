"""The README's function table is written by tools/readme_tables.py from the ops, never by hand."""

import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "readme_tables.py"


def test_the_readme_function_table_is_what_the_ops_say():
    done = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_a_table_edited_by_hand_is_written_back():
    tool = runpy.run_path(str(TOOL))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    edited = readme.replace("| `exp(x)` | out; out = exp(x) |", "| `exp(x)` | exp(x) |")
    assert edited != readme and tool["updated"](edited) == readme
    without_markers = readme.replace(tool["END"], "")
    try:
        tool["updated"](without_markers)
    except SystemExit as stop:
        assert "lacks the markers" in str(stop)
    else:
        raise AssertionError("a README without the markers was accepted")
