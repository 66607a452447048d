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


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_key_on_a_terminal_wraps_between_words(monkeypatch, columns):
    # A terminal folds a long line at its edge, mid-name (sigmoid(⏎w*x + b)); on one, the key is
    # wrapped between words instead (cli.output.on_screen, as all plain text on a terminal): every word
    # whole, the same words in the same order, a formula continued under "formula:".
    piped = run(SHEET, "--key").stdout
    monkeypatch.setattr("gradcalc.cli.output._stdout_is_a_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))
    shown = run(SHEET, "--key").stdout
    assert shown.split() == piped.split()
    for line in shown.splitlines():
        assert len(line) <= columns or " " not in line.strip(), line
    if columns == 60:
        assert "   ∂z/∂w = 0.5   formula: x*sigmoid(w*x + b)*(1 -" in shown.splitlines()
        assert "                          sigmoid(w*x + b))" in shown.splitlines()
    tested = run(SHEET, "--self-test").stdout
    assert all(len(line) <= columns or " " not in line.strip() for line in tested.splitlines())


def test_the_key_continues_a_formula_under_it_and_other_lines_four_in():
    from gradcalc.render.sheet import formula_column

    assert formula_column("   ∂z/∂w = 0.5   formula: x*sigmoid(w*x + b)") == 26
    assert formula_column("1. A sigmoid neuron (p3): sigmoid(w*x + b) at w = 0.5") is None


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


def student_keys(tmp_path, names: str) -> list[list[str]]:
    """The rows of --key --answers for a names file (its text after the student heading)."""
    (tmp_path / "names.csv").write_text("student\n" + names)
    result = run(SHEET, "--key", "--answers", str(tmp_path / "names.csv"))
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def test_key_for_every_student_uses_their_names(tmp_path):
    rows = student_keys(tmp_path, "Ada\nBen\n")
    assert rows[0][:3] == ["student", "square.x", "square.y"]
    assert [row[0] for row in rows[1:]] == ["Ada", "Ben"] and rows[1][1:] == rows[2][1:]   # one point for all


def test_key_for_every_student_writes_a_formula_like_name_inert(tmp_path):
    rows = student_keys(tmp_path, '"=HYPERLINK(""http://evil"")"\n-1+cmd\n')
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"http://evil\")", "'-1+cmd"]


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


# The key written as the sheet's rule accepts it (issue 25: sigfigs = 3 printed 0.3525055683 and the
# self-test typed 17 figures, so a copied key and the sheet's own self-test were marked wrong).

GRADEBOOK = str(EXAMPLES / "gradebook.toml")
ROUNDED = """[[problem]]
id = "r"
expression = "x**2 + sin(x)"
at = { x = 0.7 }
answers = { x = { decimals = 2 }, z = { sigfigs = [3, 2] } }
"""


def test_self_test_writes_the_key_with_the_sheets_figures():
    result = run(GRADEBOOK, "--self-test")
    assert result.exit_code == 0, result.output
    assert "✓ the key's values earn full marks (5 checked)" in result.stdout
    assert "✓ the values changed by 1% earn nothing (5 checked)" in result.stdout


@pytest.mark.parametrize("rule", ["decimals = 2", "sigfigs = 3", "sigfigs = [3, -1]", "decimals = 3"])
def test_self_test_of_a_one_problem_sheet_with_rounding(tmp_path, rule):
    sheet = tmp_path / "one.toml"
    sheet.write_text(f'{rule}\n[[problem]]\nexpression = "exp(x)"\nat = {{ x = 1.3 }}\nanswers = ["x"]\n')
    result = run(str(sheet), "--self-test")
    assert result.exit_code == 0, result.output
    assert "✓ the values changed by 1% earn nothing (1 checked)" in result.stdout


def test_self_test_still_fails_a_rule_that_lets_one_percent_through(tmp_path):
    sheet = tmp_path / "one.toml"   # 3.669… written to 1 figure is 4; changed by 1%, still 4
    sheet.write_text('sigfigs = 1\n[[problem]]\nexpression = "exp(x)"\nat = { x = 1.3 }\nanswers = ["x"]\n')
    result = run(str(sheet), "--self-test")
    assert result.exit_code == 1
    assert "✗ the values changed by 1% earn nothing (1 checked)\n    p1.x = 4 is right" in result.stdout


def test_key_prints_each_answer_as_its_rule_accepts_it(tmp_path):
    assert "∂z/∂w = 0.353   formula:" in run(GRADEBOOK, "--key").stdout
    sheet = tmp_path / "rounded.toml"
    sheet.write_text(ROUNDED)
    plain = run(str(sheet), "--key")
    assert plain.exit_code == 0, plain.output
    assert "   z = 1.13 " in plain.stdout and "   ∂z/∂x = 2.16 " in plain.stdout   # 1.134…, 2.1648…
    data = json.loads(run(str(sheet), "--key", "--json").stdout)
    answers = {a["column"]: a for p in data["problems"] for a in p["answers"]}
    assert answers["r.z"]["written"] == "1.13" and answers["r.z"]["value"] == pytest.approx(0.49 + 0.644217687)
    assert answers["r.x"]["written"] == "2.16" and answers["r.x"]["value"] == pytest.approx(1.4 + 0.764842187)
    latex = run(str(sheet), "--key", "--latex").stdout
    assert "= 1.13" in latex and "= 2.16" in latex
    assert "\\right)\\right) = 0.353\n" in run(GRADEBOOK, "--key", "--latex").stdout


def test_a_key_copied_from_the_json_earns_full_marks(tmp_path):
    sheet = tmp_path / "rounded.toml"
    sheet.write_text(ROUNDED)
    answers = {a["column"]: a["written"] for p in json.loads(run(str(sheet), "--key", "--json").stdout)["problems"]
               for a in p["answers"]}
    book = tmp_path / "answers.csv"
    book.write_text("student," + ",".join(answers) + "\nAda," + ",".join(answers.values()) + "\n")
    result = run(str(sheet), "--answers", str(book))
    assert result.exit_code == 0, result.output


def test_format_without_answers_shows_a_format_example():
    result = run(SHEET, "--format", "canvas")
    assert result.exit_code == 2
    assert "--format needs --answers" in result.stderr
    assert "--answers ANSWERS.csv --format FORMAT" in result.stderr and "--report" not in result.stderr
