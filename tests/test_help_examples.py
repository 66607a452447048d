"""The examples in `gradcalc --help` and `gradcalc check --help` run as shown: each command line, in
a folder holding the examples (and the sheet check's help writes out), is graded or computed, never
refused (exit 2) nor a crash."""

import shlex
import shutil
from pathlib import Path

import pytest

from gradcalc.cli.app import EPILOG
from gradcalc.cli.sheet import SHEET_EPILOG
from helpers import run

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def commands(epilog: str) -> list[str]:
    return [line.strip() for line in epilog.splitlines() if line.strip().startswith("gradcalc ")]


def help_sheet() -> tuple[str, str]:
    """The sheet check's help shows, and the file name it gives it."""
    lines = SHEET_EPILOG.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("A sheet is TOML"))
    name = lines[start].rsplit("(", 1)[1].rstrip("):") if lines[start].endswith(".toml):") else None
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("  ") or line.strip().startswith("gradcalc "):
            break
        body.append(line[2:])
    return name, "\n".join(body) + "\n"


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    for path in EXAMPLES.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    name, text = help_sheet()
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_line(line: str):
    words = shlex.split(line, comments=True)
    assert words[0] == "gradcalc"
    words, target = words[1:], None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    result = run(*words)
    if target:
        Path(target).write_text(result.stdout)
    return result


@pytest.mark.parametrize("line", commands(SHEET_EPILOG) + commands(EPILOG))
def test_a_help_example_runs_as_shown(folder, line):
    result = run_line(line)
    assert result.exit_code in (0, 1), (line, result.output)
    assert "internal error" not in result.stderr


def test_the_check_help_sheet_is_graded_as_shown(folder):
    name, _ = help_sheet()
    first = commands(SHEET_EPILOG)[0]
    assert name in first
    result = run_line(first)
    assert result.exit_code == 0, result.output


def test_a_sheet_with_points_says_how_a_teacher_grades_their_own(folder):
    _, text = help_sheet()
    Path("mine.toml").write_text(text.replace("[problem.expect]", "points = 2\n[problem.expect]"))
    refused = run("check", "mine.toml")
    assert refused.exit_code == 2
    assert "if you wrote this sheet, grade it by its own rules: gradcalc check SHEET.toml --teacher-sheet" \
        in refused.stderr
    assert run("check", "mine.toml", "--teacher-sheet").exit_code == 0
