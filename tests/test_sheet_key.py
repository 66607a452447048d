"""gradcalc check SHEET --key (the answer key) and --self-test (issue 25), through the command line."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEET, ANSWERS = str(EXAMPLES / "class.toml"), str(EXAMPLES / "answers.csv")


def run(*args, input=None):
    return CliRunner().invoke(main, ["check", *args], input=input)


def test_key_prints_every_expected_answer():
    result = run(SHEET, "--key")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:4] == [
        "Answer key: Backpropagation, week 3",
        "1. Square of a sum (square): (x+y)**2 at x = 1, y = 2",
        "   ∂z/∂x = 6   formula: 2*(x + y)",
        "   ∂z/∂y = 6   formula: 2*(x + y)"]
    assert "∂price/∂apple_price = 1.1" in result.stdout and "formula: tax" in result.stdout
    assert "∂z/∂w = 0.5   formula: x*sigmoid(w*x + b)*(1 - sigmoid(w*x + b))" in result.stdout


def test_key_as_json_and_latex():
    data = json.loads(run(SHEET, "--key", "--json").stdout)
    answers = {a["column"]: (a["value"], a["formula"]) for p in data["problems"] for a in p["answers"]}
    assert answers["square.x"] == (6, "2*(x + y)") and answers["shop.price"][0] == pytest.approx(715)
    assert data["student"] is None and data["varying"] == []
    latex = run(SHEET, "--key", "--latex")
    assert latex.exit_code == 0
    assert r"\frac{\partial z}{\partial x} &= 2 \left(x + y\right) = 6 \\" in latex.stdout
    assert latex.stdout.count(r"\begin{align*}") == 3


@pytest.mark.parametrize("args, message", [
    (["--latex"], "--latex prints the answer key as LaTeX"),
    (["--key", "--self-test"], "--key and --self-test are separate runs"),
    (["--key", "--latex", "--json"], "--latex and --json are two forms"),
    (["--key", "--answers", ANSWERS, "--report", "out"], "--report goes with grading, not with --key"),
])
def test_key_option_conflicts_are_exit_2(args, message):
    result = run(SHEET, *args)
    assert result.exit_code == 2 and message in result.stderr


def test_key_for_every_student_uses_their_names(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("student\nAda\nBen\n")
    result = run(SHEET, "--key", "--answers", str(names))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["student", "square.x", "square.y"]
    assert [row[0] for row in rows[1:]] == ["Ada", "Ben"] and rows[1][1:] == rows[2][1:]   # one point for all


def test_self_test_passes_a_good_sheet():
    result = run(SHEET, "--self-test")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "The sheet passes its self-test."
    assert "✓ the values changed by 1% earn nothing (6 checked)" in result.stdout


def test_self_test_says_what_fails_exit_1(tmp_path):
    loose = tmp_path / "loose.toml"
    loose.write_text('rtol = 0.05\n[[problem]]\nexpression = "(x+y)**2"\nat = { x = 1, y = 2 }\nanswers = ["x"]\n')
    result = run(str(loose), "--self-test")
    assert result.exit_code == 1
    assert "✗ the values changed by 1% earn nothing (1 checked)\n    p1.x = 6.07 is right" in result.stdout
    assert "the sheet fails 2 of 5 self-test checks" in result.stderr
    data = json.loads(run(str(loose), "--self-test", "--json").stdout)
    assert data["ok"] is False and [c["ok"] for c in data["checks"]] == [True, True, True, False, False]
