"""--help fits the terminal: at 60, 80 and 120 columns no line runs past the edge, the examples
break only between shell words (with ` \\`, so a copied example still runs), prose between words."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gradcalc.cli import main
from gradcalc.cli.helptext import fit

ROOT = Path(__file__).resolve().parent.parent


def help_at(columns: int, *command: str) -> str:
    # A process of its own: click's formatter reads the width as on a terminal (CliRunner forces 80).
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "gradcalc", *command, "--help"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def examples_of(text: str) -> list[str]:
    """The examples as --help shows them, each joined back into one line (comments dropped)."""
    section = text.split("Examples:", 1)[1].split("Exit codes", 1)[0]
    commands, current = [], None
    for line in section.splitlines():
        body = line.strip()
        if current is not None:
            current += " " + body.removesuffix("\\").strip()
        elif body.startswith("gradcalc "):
            current = body.removesuffix("\\").strip()
        if current is not None and not body.endswith("\\"):
            commands.append(re.sub(r"\s{2,}# .*", "", current))
            current = None
    return commands


@pytest.mark.parametrize("command", [(), ("check",)])
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_help_fits_the_width(columns, command):
    text = help_at(columns, *command)
    too_wide = [line for line in text.splitlines() if len(line) > columns]
    assert not too_wide, too_wide


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_help_examples_are_whole_commands_at_every_width(columns):
    shown = examples_of(help_at(columns))
    written = examples_of(main.epilog)
    assert len(shown) == len(written) >= 15
    assert [shlex.split(c) for c in shown] == [shlex.split(c) for c in written]


def test_help_wraps_prose_between_words():
    text = help_at(60)
    words = " ".join(text.split())
    assert "4 --check not checkable at this point" in words and "--chec k" not in words
    assert "--expect y=6" in text   # an option stays on the line of its value


def test_fit_puts_a_comment_that_does_not_fit_above_its_command():
    lines = fit('  gradcalc "sin(x)" --x 0.5 --order 4   # d⁴z/dx⁴ = sin(x)', 40).splitlines()
    assert lines == ["  # d⁴z/dx⁴ = sin(x)", '  gradcalc "sin(x)" --x 0.5 --order 4']
    assert fit('  gradcalc "x" --x 1   # one', 40) == '  gradcalc "x" --x 1   # one'


def test_check_help_keeps_its_sheet_readable_at_60_columns():
    text = help_at(60, "check")
    assert '    x = "2*(x+y)"' in text.splitlines()   # a comment that does not fit goes above it
    assert "    # a formula: also compared at 5 random points near the" in text
    assert "row per student (student,p1.x,p1.z):" in " ".join(text.split())
