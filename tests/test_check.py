"""--expect (numbers and formulas) and --check (backprop vs central differences), engine and CLI."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc import ops
from gradcalc.check import check_answers, check_numerically, numerical_gradient, parse_answer
from gradcalc.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def verdicts(text, values, *specs, **options):
    return check_answers(compute(text, values), [parse_answer(s) for s in specs], **options)


# --- expected answers: the engine --------------------------------------------------------------

@pytest.mark.parametrize("spec, ok", [
    ("x=6", True), ("x=6.0000001", True), ("x=6.01", False), ("x=-6", False),
    ("x=2*(x+y)", True), ("x=2*x + 2*y", True), ("y=2*(x+y)", True),
    ("x=3*(x+y)", False),          # wrong at the given point already
    ("x=x+y+3", False),            # 6 at (1, 2), but wrong anywhere else
    ("x=2*y+2", False),            # 6 at (1, 2), right only on the line y = x + 1... not near it
    ("z=9", True), ("z=(x+y)**2", True), ("z=10", False),
    ("x=12/2", True),              # arithmetic without variables is a number
])
def test_answers_right_and_wrong(spec, ok):
    [verdict] = verdicts("(x+y)**2", {"x": 1, "y": 2}, spec)
    assert verdict.ok is ok, verdict.failure


def test_formula_right_only_at_the_given_point_says_where_it_fails():
    [verdict] = verdicts("(x+y)**2", {"x": 1, "y": 2}, "x=x+y+3")
    assert verdict.expected == 6 and verdict.computed == 6
    assert verdict.failure.startswith("right at the given point only: at x = ")
    assert verdict.points == 2  # the first random point already shows it


def test_right_formula_is_compared_at_six_points():
    [verdict] = verdicts("sin(x)*y", {"x": 0.5, "y": 2}, "x=cos(x)*y")
    assert verdict.ok and verdict.points == 6


def test_random_points_are_reproducible():
    first = verdicts("(x+y)**2", {"x": 1, "y": 2}, "x=x+y+3")[0].failure
    assert first == verdicts("(x+y)**2", {"x": 1, "y": 2}, "x=x+y+3")[0].failure
    assert first != verdicts("(x+y)**2", {"x": 1, "y": 2}, "x=x+y+3", seed=1)[0].failure


@pytest.mark.parametrize("spec, ok", [
    ("t=2*t", True), ("t=6", True), ("t=2*(x+y)", True), ("t=t", False),
    ("z=9", True), ("z=(x+y)**2", True),
    ("z=t**2", False),   # the value is asked: t is what the answer should compute, not use (#21)
])
def test_answers_about_a_named_intermediate(spec, ok):
    # ∂z/∂t for `t = x + y; z = t**2` is the gradient flowing into t: the backward pass's middle.
    [verdict] = verdicts("t = x + y; z = t**2", {"x": 1, "y": 2}, spec, keep_going=True)
    assert verdict.ok is ok, verdict.failure
    assert verdict.quantity == ("z" if spec.startswith("z") else "∂z/∂t")


def test_answers_about_inputs_left_out_of_wrt():
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--wrt", "x", "--expect", "y=6", "--expect",
                 "x=2*(x+y)", "-q")
    assert (result.exit_code, result.stdout) == (0, "6\n")


def test_answer_may_use_named_intermediates():
    [verdict] = verdicts("t = x + y; z = t**2", {"x": 1, "y": 2}, "x=2*t")
    assert verdict.ok and verdict.points == 6


def test_random_points_stay_inside_the_domain():
    # log and sqrt near 0: points where the problem itself is undefined are not used.
    [verdict] = verdicts("log(x) + sqrt(y)", {"x": 0.01, "y": 0.001}, "x=1/x", "y=0.5/sqrt(y)")[:1]
    assert verdict.ok and verdict.points == 6


@pytest.mark.parametrize("text, values, specs", [
    ("relu(w*x + b)", {"w": 0.5, "x": 2, "b": -0.5}, ["w=x", "x=w", "b=1"]),   # active: w·x + b = 0.5
    ("relu(w*x + b)", {"w": 0.5, "x": 2, "b": -1.5}, ["w=0*x", "x=0*w"]),      # inactive: −0.5
    ("abs(x)", {"x": 0.05}, ["x=1+0*x"]),
    ("abs(x)*y", {"x": -0.01, "y": 3}, ["x=-y", "y=abs(x)"]),
    ("max(x*y)", {"x": [1.0, 2.0, 2.1], "y": 1.0}, ["y=max(x)"]),
])
def test_formula_answers_near_a_kink_are_compared_on_the_same_side(text, values, specs):
    # The nearby points stay on the given point's side of every relu, abs, sign and max.
    for verdict in verdicts(text, values, *specs):
        assert verdict.ok, verdict.failure
        assert verdict.answer.formula is None or verdict.points == 6


def test_wrong_answer_near_a_kink_is_still_caught():
    [verdict] = verdicts("relu(w*x + b)", {"w": 0.5, "x": 2, "b": -0.5}, "w=w*x+b+1.5")   # 2 here only
    assert not verdict.ok and verdict.failure.startswith("right at the given point only")


def test_at_a_kink_only_the_given_point_is_compared():
    [verdict] = verdicts("relu(x)", {"x": 0.0}, "x=0*x")   # every point nearby is on another side
    assert verdict.ok and verdict.points == 1


def test_answer_undefined_at_the_point_is_wrong():
    [verdict] = verdicts("x**2", {"x": 1}, "x=2*x/(x-1)")
    assert not verdict.ok and verdict.expected is None and "division by zero" in verdict.failure


def test_array_answers():
    assert verdicts("x*x", {"x": [1, 2]}, "x=[2, 4]")[0].ok
    assert verdicts("x*x", {"x": [1, 2]}, "x=2*x")[0].ok
    assert not verdicts("x*x", {"x": [1, 2]}, "x=[2, 5]")[0].ok
    assert not verdicts("x*x", {"x": [1, 2]}, "x=[2, 4, 6]")[0].ok  # shapes differ


def test_tolerance():
    assert not verdicts("x/3", {"x": 1}, "x=0.333")[0].ok
    assert verdicts("x/3", {"x": 1}, "x=0.333", rtol=1e-2)[0].ok
    assert verdicts("x/3", {"x": 1}, "x=0.333", rtol=0, atol=1e-3)[0].ok


# --- expected answers: the command line ---------------------------------------------------------

def test_cli_all_right_exit_0():
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--expect", "x=2*(x+y)", "--expect", "y=6",
                 "--plain")
    assert result.exit_code == 0, result.output
    assert "Expected answers: 2 of 2 right" in result.stdout
    assert "✓  ∂z/∂x = 2*(x+y)  6         6         given + 5 nearby" in result.stdout
    assert "(seed 0: the same points every run)" in result.stdout
    assert result.stderr == ""


def test_cli_wrong_answer_exit_1_marks_it():
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--expect", "x=x+y+3", "--expect", "y=7",
                 "--plain")
    assert result.exit_code == 1
    assert "Expected answers: 0 of 2 right" in result.stdout
    assert "✗  ∂z/∂y = 7      7         6         given point" in result.stdout
    assert "right at the given point only" in result.stdout
    assert result.stderr == "error: 2 of 2 expected answers are wrong (x, y)\n"


def test_cli_quiet_keeps_bare_numbers_and_exit_code():
    result = run("x**2", "--x", "3", "--expect", "x=7", "-q")
    assert result.exit_code == 1 and result.stdout == "9\n6\n"


def test_cli_json_carries_the_verdicts():
    result = run("x**2", "--x", "3", "--expect", "x=2*x", "--expect", "z=8", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["value"] == 9 and data["ok"] is False and data["seed"] == 0
    right, wrong = data["expect"]
    assert right == {"name": "x", "answer": "2*x", "quantity": "∂z/∂x", "kind": "formula",
                     "expected": 6.0, "computed": 6.0, "ok": True, "compared_at": 6, "failure": None,
                     "notes": [],
                     "status": "right", "first_wrong": False, "from_yours": None, "follow_through": None,
                     "diagnosis": None}
    assert wrong["kind"] == "number" and wrong["ok"] is False and wrong["computed"] == 9.0
    assert wrong["status"] == "wrong" and wrong["first_wrong"] is True
    assert wrong["diagnosis"]["mistake"] is None and data["diagnosis"] == wrong["diagnosis"]


@pytest.mark.parametrize("spec, message, caret", [
    ("x=2*(x+", "in the answer x=…: the expression ends too early", "         ^"),
    ("x=2*(x+q)", "in the answer x=…: unknown name q", "         ^"),
    ("x=2*xq", "unknown name xq", "      ^^"),      # xx would be x·x (README: names written together)
    ("x=sinn(x)", "unknown function 'sinn'", "    ^^^^"),
    ("x=[1, 2", "not a number, an array of numbers, or a formula", None),
    ("x=1e999", "in the answer x=…: not a finite number", "    ^^^^^"),      # inf, like 1e999*0
    ("x=-1e999", "not a finite number", None),
    ("x=1e999*0", "the number 1e999 is too large for a 64-bit float", None),
    ("x=[1, NaN]", "not a finite number", None),                           # JSON's NaN and Infinity
    ("x=[Infinity]", "not a finite number", None),
    ("w=2", "the expression has no input or named value w", "  ^"),
    ("2*x", "must be NAME=ANSWER", None),
    ("x=", "must be NAME=ANSWER", None),
])
def test_cli_bad_answer_exit_2_with_caret_in_the_answer(spec, message, caret):
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--expect", spec)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert message in lines[0]
    if caret is not None:
        assert caret in lines, result.stderr


def test_unknown_name_in_answer_suggests_a_close_one():
    result = run("apple*tax", "--apple", "2", "--tax", "1.1", "--expect", "apple=taxx")
    assert result.exit_code == 2 and "did you mean tax?" in result.stderr


# --- the numerical gradient check ---------------------------------------------------------------

@pytest.mark.parametrize("picture", ["--dot", "--mermaid", "--tree"])
@pytest.mark.parametrize("checking, named", [(["--expect", "y=5"], "--expect"), (["--check"], "--check")])
def test_checks_with_a_picture_on_stdout_are_refused(picture, checking, named):
    # The picture is the whole output: checks run unseen would only have changed the exit code.
    result = run("x*y", "--x", "2", "--y", "3", *checking, picture)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[0] == f"error: {named} cannot be combined with {picture}"


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz's dot")
def test_checks_run_beside_a_picture_drawn_into_a_file(tmp_path):
    result = run("x*y", "--x", "2", "--y", "3", "--expect", "y=5", "--render", str(tmp_path / "g.svg"))
    assert result.exit_code == 1 and "✗  ∂z/∂y = 5" in result.stdout
    assert (tmp_path / "g.svg").exists()


def test_cli_check_prints_both_gradients_and_relative_error():
    result = run("sin(x)*y", "--x", "0.5", "--y", "2", "--check", "--plain")
    assert result.exit_code == 0, result.output
    assert "Gradient check: backprop vs central differences" in result.stdout
    assert "     input  backprop      numerical     relative error" in result.stdout
    assert "  ✓  x      1.755165124   1.755165124   " in result.stdout


def _broken_sin():
    """sin's entry of the op table with a wrong local derivative: d sin = sin instead of cos."""
    broken = copy.copy(ops.OPS["sin"])
    broken.local = (lambda m, a, out: np.sin(a),)
    return broken


def test_cli_check_catches_a_wrong_local_derivative(monkeypatch):
    # A broken op table entry (d sin = sin instead of cos) must be caught by the numerical check.
    broken = _broken_sin()
    monkeypatch.setitem(ops.OPS, "sin", broken)
    result = run("sin(x)*y", "--x", "0.5", "--y", "2", "--check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    x_check, y_check = data["check"]
    assert not x_check["ok"] and x_check["relative_error"] > 0.1
    assert y_check["ok"]
    assert "differs from the numerical gradient" in result.stderr


@pytest.mark.parametrize("text, values", [
    ("log(x)*1e6 + sin(x)", {"x": 1e-7}),   # a step of 6e-6 would leave the domain
    ("x**2 + 1e6", {"x": 1}),               # large value, small gradient: rounding dominates
    ("x**3", {"x": 0}),                     # truncation error cancelled by Richardson
    ("sqrt(x)", {"x": 1e-9}),
    ("exp(10*x)", {"x": 1}),
    ("W*x", {"W": [[1, 2], [3, 4]], "x": [0.5, -1]}),
])
def test_numerical_check_passes_hard_cases(text, values):
    assert all(c.ok for c in check_numerically(compute(text, values)))


def test_numerical_check_on_a_kink_is_not_checkable_and_says_why():
    # relu's subgradient 0 at 0 is a convention; central differences straddle the kink: neither
    # ✓ nor ✗ (a bare ✗ before, #21), and the reason is given.
    [check] = check_numerically(compute("relu(x)", x=0))
    assert not check.ok and check.status == "not checkable" and check.numerical == 0.5
    assert check.near_kink == "on a kink (relu)"
    # Beside the kink the step is scaled to the point, so it no longer straddles it.
    [check] = check_numerically(compute("relu(x)", x=1e-12))
    assert check.ok


def test_numerical_gradient_of_array_output_is_of_the_sum():
    grad, _, _ = numerical_gradient(compute("x*x", x=[1.0, 2.0, 3.0]), "x")
    assert np.allclose(grad, [2, 4, 6])


def test_large_array_is_checked_at_a_seeded_sample_of_elements():
    result = compute("sum(x*x*w)", x=np.linspace(0.1, 2, 500), w=np.linspace(1, 3, 500))
    checks = check_numerically(result)
    assert all(c.ok and (c.checked, c.size) == (20, 500) for c in checks)
    again = check_numerically(result)
    assert np.array_equal(checks[0].numerical, again[0].numerical)   # the same elements every run


def test_sampled_check_still_catches_a_wrong_derivative(monkeypatch):
    broken = _broken_sin()
    monkeypatch.setitem(ops.OPS, "sin", broken)
    [check] = check_numerically(compute("sum(sin(x))", x=np.linspace(0.1, 2, 500)))
    assert not check.ok and check.checked == 20


def test_check_with_a_chosen_upstream_gradient():
    # Backward seeded with ∂L/∂z = u differentiates Σ u·z; the numerical side must do the same.
    result = compute("x*x", x=[1.0, 2.0], upstream=[3.0, -1.0])
    [check] = check_numerically(result)
    assert check.ok and np.allclose(check.numerical, [6.0, -4.0])


def test_an_answer_under_upstream_is_named_as_the_result_names_it():
    # with --upstream the gradients are ∂L/∂x (the Result says so): the answer table said ∂z/∂x
    given = ("x*x", "--x", "[1,2]", "--upstream", "[3,5]", "--plain")
    right = run(*given, "--expect", "x=2*x*[3,5]")
    assert right.exit_code == 0, right.output
    assert "∂L/∂x = [6, 20]" in right.stdout and "✓  ∂L/∂x = 2*x*[3,5]" in right.stdout
    assert "∂z/∂x" not in right.stdout
    wrong = run(*given, "--expect", "x=[3,10]", "--json")
    [entry] = json.loads(wrong.stdout)["expect"]
    assert entry["quantity"] == "∂L/∂x" and "∂L/∂x = [3, 10] + [3, 10]" in entry["diagnosis"]["sentence"]
    # a program naming its own L: the loss is then `loss`, in the table and the answers alike
    named = run("L = x*x", "--x", "[1,2]", "--upstream", "[3,5]", "--expect", "x=[6,20]", "--plain")
    assert "∂loss/∂x = [6, 20]" in named.stdout and "✓  ∂loss/∂x = [6,20]" in named.stdout
    # without --upstream it stays ∂z/∂x
    assert "✓  ∂z/∂x = 2*x" in run("x*x", "--x", "2", "--expect", "x=2*x", "--plain").stdout


def test_cli_check_notes_a_sample():
    result = run("sum(x*x)", "--x", str(np.linspace(0, 1, 50).tolist()), "--check", "--plain")
    assert result.exit_code == 0, result.output
    assert "x: 20 of 50 elements compared, drawn at random (seed 0)" in result.stdout


@given(st.sampled_from([("sin", "cos({})"), ("exp", "exp({})"), ("tanh", "1 - tanh({})**2"),
                        ("log", "1/({})"), ("sqrt", "0.5/sqrt({})")]),
       st.floats(0.2, 3), st.floats(0.2, 3), st.floats(0.05, 1))
def test_formula_answers_right_everywhere_pass_and_right_only_here_fail(fg, x, y, slope):
    f, derivative = fg
    text, inner = f"{f}(x*y)", "x*y"
    right = f"x=({derivative.format(inner)})*y"
    # The same answer plus a term that vanishes at the given point: right there, wrong near it.
    coincidence = f"x=({derivative.format(inner)})*y + {slope!r}*(x - {x!r})"
    [ok, wrong] = verdicts(text, {"x": x, "y": y}, right, coincidence)
    assert ok.ok, ok.failure
    assert not wrong.ok and wrong.expected == pytest.approx(wrong.computed)
    assert wrong.failure.startswith("right at the given point only")


def test_rich_rendering_marks_answers_and_checks():
    from rich.console import Console

    from gradcalc.check import run_checks
    from gradcalc.render.check import render_rich

    checks = run_checks(compute("x*y", x=2, y=3), [parse_answer("x=y"), parse_answer("y=3")], True)
    console = Console(record=True, width=120, force_terminal=True)
    console.print(render_rich(checks))
    text = console.export_text()
    assert "Expected answers: 1 of 2 right" in text and "✓" in text and "✗" in text
    assert "Gradient check: backprop vs central differences" in text


def test_rich_rendering_of_a_sheet():
    from rich.console import Console

    from gradcalc.render.sheet import render_rich
    from gradcalc.sheet import grade, load_sheet

    console = Console(record=True, width=150, force_terminal=True)
    console.print(render_rich(grade(load_sheet(SHEET), sheet_tolerance=True)))
    text = console.export_text()
    assert text.startswith("Week 1") and "Score: 3 of 3 points (4 of 4 answers right)" in text



def test_sheet_heading_keeps_a_matrix_on_one_line_and_counts_in_the_singular():
    from rich.console import Console

    from gradcalc.render.sheet import render_plain, render_rich
    from gradcalc.sheet import grade, load_sheet

    report = grade(load_sheet("[[problem]]\nexpression='sum(W@x)'\nat={W=[[1, 2], [3, 4]], x=[1, 1]}\n"
                              "expect={x='[4, 6]'}"))
    heading = "1. problem 1: sum(W@x) at W = [[1, 2], [3, 4]], x = [1, 1] — 1 of 1 point"
    plain = render_plain(report).splitlines()
    assert heading in plain and plain[-1] == "Score: 1 of 1 point (1 of 1 answer right)"
    console = Console(record=True, width=100, force_terminal=True)   # wider than the heading only
    console.print(render_rich(report))
    assert heading in console.export_text().splitlines()

FUNCTIONS = ["exp", "sin", "cos", "tanh", "sigmoid", "log", "sqrt"]


@given(st.sampled_from(FUNCTIONS), st.sampled_from(FUNCTIONS),
       st.floats(0.1, 3), st.floats(0.1, 3))
def test_numerical_check_agrees_with_backprop_on_random_compositions(f, g, x, y):
    result = compute(f"{f}(x*y) + {g}(x)/y", x=x, y=y)
    assert all(c.ok for c in check_numerically(result)), [c for c in check_numerically(result)]



# --- homework sheets: gradcalc check SHEET.toml ------------------------------------------------

EXAMPLE_SHEET = Path(__file__).resolve().parent.parent / "examples" / "homework.toml"

SHEET = """
title = "Week 1"
[[problem]]
name = "Sum squared"
expression = "(x+y)**2"
at = { x = 1, y = 2 }
points = 2
[problem.expect]
x = "2*(x+y)"
y = 6
[[problem]]
expression = "t = x*y; z = sin(t)"
at = { x = 0.5, y = 2 }
[problem.expect]
x = "cos(t)*y"
z = 0.8414709848
"""


def sheet(text, *options):
    """A sheet of the test's own, a teacher's (--teacher-sheet: its points apply)."""
    return run("check", "-", "--teacher-sheet", *options, input=text)


def handin(text, *options):
    return run("check", "-", *options, input=text)


def test_sheet_all_right_scores_full_marks():
    result = sheet(SHEET, "--plain", "--rtol", "1e-9")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Week 1"
    assert "1. Sum squared: (x+y)**2 at x = 1, y = 2 — 2 of 2 points" in lines
    assert "2. problem 2: t = x*y; z = sin(t) at x = 0.5, y = 2 — 1 of 1 point" in lines
    assert lines[-1] == "Score: 3 of 3 points (4 of 4 answers right)"
    assert result.stderr == ""


def test_sheet_wrong_answers_partial_credit_and_exit_1():
    wrong = SHEET.replace('y = 6', 'y = "x+y+3"').replace('z = 0.8414709848', 'z = 0.84')
    result = sheet(wrong, "--plain")
    assert result.exit_code == 1
    assert "— 1 of 2 points" in result.stdout and "— 0.5 of 1 point" in result.stdout
    assert "right at the given point only" in result.stdout
    assert result.stdout.splitlines()[-1] == "Score: 1.5 of 3 points (2 of 4 answers right)"
    assert result.stderr == "error: 2 of 4 answers are wrong\n"


def test_sheet_json_report():
    data = json.loads(sheet(SHEET, "--json", "--rtol", "1e-9").stdout)
    assert (data["score"], data["total"], data["right"], data["answers"], data["ok"]) == (3, 3, 4, 4, True)
    assert [p["earned"] for p in data["problems"]] == [2, 1]
    assert data["problems"][1]["expect"][0]["compared_at"] == 6


def test_sheet_tolerance_from_the_sheet_and_the_command_line():
    loose = "rtol = 1e-3\n" + SHEET.replace("0.8414709848", "0.8415").replace("points = 2\n", "")
    assert handin(loose, "--plain", "--sheet-tolerance").exit_code == 0   # the old name of --teacher-sheet
    assert handin(loose, "--plain", "--teacher-sheet").exit_code == 0
    assert handin(loose, "--plain", "--rtol", "1e-3").exit_code == 0
    assert handin(loose, "--plain", "--rtol", "1e-9").exit_code == 1
    assert handin("rtol = 1e-9\n" + SHEET.replace("points = 2\n", ""), "--plain").exit_code == 0   # stricter


def test_a_sheet_cannot_loosen_its_own_tolerance():
    for key, loose in (("rtol", "0.001"), ("rtol", "1000000000"), ("atol", "1"), ("atol", "1e300")):
        result = handin(f"{key} = {loose}\n" + SHEET.replace("0.8414709848", "0.8415"), "--plain")
        assert result.exit_code == 2 and result.stdout == ""
        assert (f"a hand-in cannot set the rules it is graded by; this one sets {key} = {loose} (the sheet); "
                "points = 2 (problem 1 (Sum squared))\n") in result.stderr
        assert "--rules TEACHER.toml" in result.stderr and "--teacher-sheet" in result.stderr


@pytest.mark.parametrize("line, message", [
    ("rtol = inf", "rtol must be a finite number ≥ 0, but it is infinite"),
    ("rtol = nan", "rtol must be a finite number ≥ 0, but it is not a number (nan)"),
    ("atol = -1e-3", "atol must be a finite number ≥ 0, but it is negative: -0.001"),
    ("rtol = 1e999", "rtol must be a finite number ≥ 0, but it is infinite"),
    ('title = ["a"]', "title must be text in quotes, got an array"),
    ("problem = [1, 2]", "problem 1 must be a table, got a number"),
    ("title = " + "[" * 100000 + "]" * 100000, "nested too deeply to read"),
    ("x = " + "9" * 5000, "has a number gradcalc cannot read"),
])
def test_malformed_sheet_values_are_bad_input(line, message):
    if line.startswith("title"):
        text = SHEET.replace('title = "Week 1"', line)
    else:
        text = line + "\n" + SHEET if not line.startswith("problem") else line + "\n"
    result = sheet(text, "--plain", "--sheet-tolerance")
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("old, new, message", [
    ("points = 2", "points = nan", "points must be a finite number ≥ 0, but it is not a number (nan)"),
    ("points = 2", "points = inf", "points must be a finite number ≥ 0, but it is infinite"),
    ("points = 2", "points = " + "9" * 400, "points must be a finite number ≥ 0, but it is beyond"),
    ("points = 2", 'points = "2"', "points must be a finite number ≥ 0, but it is not a number"),
    ("at = { x = 1, y = 2 }", "at = { x = [true, 1], y = 2 }", "x[0] is true"),
    ("at = { x = 1, y = 2 }", "at = { x = nan, y = 2 }", "the value of x is not a number (nan)"),
    ("at = { x = 1, y = 2 }", "at = { x = " + "9" * 400 + ", y = 2 }", "the value of x is beyond"),
    ('name = "Sum squared"', "name = 3", "name must be text in quotes, got a number"),
])
def test_malformed_problem_values_are_bad_input(old, new, message):
    assert old in SHEET
    result = sheet(SHEET.replace(old, new, 1), "--plain")
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("answer", ["nan", "inf", "1e999", "9" * 400, "[true, 2]", "[1, nan]",
                                    "[" + "9" * 400 + "]"])
def test_non_finite_or_non_numeric_answers_in_a_sheet_are_graded_malformed(answer):
    text = SHEET.replace('x = "2*(x+y)"', f"x = {answer}", 1)
    assert text != SHEET
    result = sheet(text, "--json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout, parse_constant=_no_constant)
    verdict = data["problems"][0]["expect"][0]
    assert verdict["ok"] is False and "malformed" in json.dumps(verdict)


def _no_constant(name):
    raise AssertionError(f"{name} is not JSON")


def test_example_sheet_grades_with_one_coincidence_caught():
    result = run("check", str(EXAMPLE_SHEET), "--plain")   # a hand-in on its own: a point a problem
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "Score: 2.5 of 3 points (7 of 8 answers right)"
    assert "✗  ∂z/∂y = x+y+3" in result.stdout
    result = run("check", str(EXAMPLE_SHEET), "--plain", "--rules", str(EXAMPLE_SHEET.parent / "week3.toml"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "Score: 5 of 6 points (7 of 8 answers right)"
    assert "✗  ∂z/∂y = x+y+3" in result.stdout


@pytest.mark.parametrize("text, message", [
    ("title = ", "is not valid TOML"),
    ("title = 'x'", "has no problems"),
    ("titel = 'x'\n[[problem]]\nexpression='x'\nexpect={x=1}", "unknown key 'titel'"),
    ("[[problem]]\nexpresion='x'\nexpect={x=1}", "problem 1: unknown key 'expresion'"),
    ("[[problem]]\nexpect={x=1}", "problem 1: no expression"),
    ("[[problem]]\nexpression='x'", "problem 1: no expected answers"),
    ("[[problem]]\nname='A'\nexpression='x+'\nat={x=1}\nexpect={x=1}", "problem 1 (A): the expression ends"),
    ("[[problem]]\nexpression='x'\nat={x=1}\nexpect={q=1}", "problem 1: [problem.expect] q: the expression has no"),
    ("[[problem]]\nexpression='x'\nat={y=1}\nexpect={x=1}", "problem 1: no value for x"),
    ("[[problem]]\nexpression='x'\nat={x=1}\nexpect={x=1}\npoints=-1", "points must be a finite number ≥ 0, but it is negative: -1"),
])
def test_malformed_sheet_exit_2(text, message):
    result = sheet(text)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr.splitlines()[0]


def test_sheet_missing_point_value_says_to_add_it_to_at():
    result = sheet("[[problem]]\nexpression='x*y'\nat={x=1}\nexpect={x=1}")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: problem 1: no value for y"
    assert result.stderr.splitlines()[-1] == "hint: add y = VALUE to the problem's at = { … }"


def test_sheet_malformed_answers_are_wrong_and_the_rest_graded():
    text = SHEET.replace('x = "2*(x+y)"', 'x = "2*(x+q)"').replace('x = "cos(t)*y"', 'x = "cos(t*y"')
    result = sheet(text, "--plain")
    assert result.exit_code == 1
    out = result.stdout
    assert "✗  ∂z/∂x = 2*(x+q)  malformed  6         not compared" in out
    assert "  ✗ ∂z/∂x = 2*(x+q): malformed: in the answer x=…: unknown name q\n    x=2*(x+q)\n" \
           "           ^\n    hint: an answer may use x, y\n" in out
    assert "malformed: in the answer x=…: the expression ends" in out
    assert out.splitlines()[-1] == "Score: 1.5 of 3 points (2 of 4 answers right)"
    assert result.stderr == "error: 2 of 4 answers are wrong (2 malformed)\n"
    data = json.loads(sheet(text, "--json").stdout)
    first = data["problems"][0]["expect"][0]
    assert (first["kind"], first["ok"], first["expected"], first["computed"]) == ("malformed", False, None, 6)


def test_malformed_answer_on_the_command_line_is_still_bad_input():
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--expect", "x=2*(x+q)", "--expect", "y=6")
    assert result.exit_code == 2 and result.stdout == "" and "unknown name q" in result.stderr


def test_sheet_math_error_exit_3_names_the_problem():
    result = sheet("[[problem]]\nname='L'\nexpression='log(x)'\nat={x=-1}\nexpect={x=1}")
    assert result.exit_code == 3 and result.stderr.startswith("error: problem 1 (L): log of a non-positive")


@pytest.mark.parametrize("args, code, stdout", [
    (["check", "--var", "check=3", "-q"], 0, "3\n1\n"),       # `check` as an expression
    (["check*2", "--var", "check=3", "-q"], 0, "6\n2\n"),
    (["check + x", "--var", "check=1", "--x", "2", "-q"], 0, "3\n1\n1\n"),
])
def test_check_as_an_expression_still_works(args, code, stdout):
    result = run(*args)
    assert (result.exit_code, result.stdout) == (code, stdout), result.output


def test_names_that_are_options_are_hinted_with_var():
    result = run("check*points + x")
    assert result.exit_code == 2
    assert "hint: give --var check=VALUE --var points=VALUE --x VALUE" in result.stderr
    # --help and --version are click's own, not in the option list: --help VALUE would show the help
    result = run("help*version")
    assert result.exit_code == 2
    assert "hint: give --var help=VALUE --var version=VALUE" in result.stderr
    assert run("help*version", "--var", "help=3", "--var", "version=2", "-q").stdout.split()[0] == "6"


def test_check_dispatch_from_the_real_command_line():
    # Without CliRunner the arguments come from sys.argv: the dispatch must read them there too.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "gradcalc", "check", str(EXAMPLE_SHEET), "--json"],
                          capture_output=True, text=True, cwd=EXAMPLE_SHEET.parent.parent)
    assert done.returncode == 1 and json.loads(done.stdout)["score"] == 2.5


@pytest.mark.parametrize("args", [
    ["--json", "-"], ["-", "--json"], ["--rtol", "1e-9", "--json", "-"], ["--rtol=1e-9", "-", "--json"],
    ["--plain", "--precision", "3", "-", "--json"],
])
def test_check_options_before_or_after_the_sheet(args):
    result = run("check", *args, "--teacher-sheet", input=SHEET)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["score"] == 3


def test_check_with_options_of_the_main_command_is_an_expression():
    # --var and --x are not the grader's options: `check` is then an expression with a variable check.
    result = run("check", "--json", "--var", "check=3")
    assert result.exit_code == 0 and json.loads(result.stdout)["value"] == 3
    result = run("check", "--x", "2", "--var", "check=3")
    assert result.exit_code == 0 and "note: --x is not used" in result.stderr


def test_check_alone_asks_for_a_sheet():
    result = run("check")
    assert result.exit_code == 2 and "SHEET.toml" in result.stderr


def test_check_help_describes_the_sheet():
    result = run("check", "--help")
    assert result.exit_code == 0 and "[[problem]]" in result.stdout
    assert "gradcalc check homework.toml" in run("--help").stdout


# --- formulas of one shape share a parse (a class where every answer differs in its numbers) -----

def _graph_facts(graph):
    return (graph.text, graph.nodes, graph.output, graph.variables, graph.constants, graph.defaults,
            graph.notes, graph.versions)


@pytest.mark.parametrize("first, second", [
    ("(2*(x+y))*1.0042/1.0042", "(2*(x+y))*1.0917/1.0917"),
    ("2*x + 3.5", "7*x + 9.25"),       # the same shape needs numbers of the same lengths
    ("x**2 + 1e10", "x**3 + 1e99"),
    ("x**2 + 1e10", "x**3 + 1e99"),
    ("-2*x", "-3*x"),                  # a sign folded into the number: parsed anew
    ("x + 1e99", "x + 1e999"),         # beyond a float: the error of a parse of its own
    ("sum(x, 0)", "sum(x, 1)"),        # an axis is read when the program is read
    ("x[0] + 1", "x[1] + 2"),          # so is an index
    ("1/2x", "1/3x"),                  # a note quotes the text
    ("x² + 2", "x³ + 3"),
    ("t = 2; t*x", "t = 3; t*x"),      # a default value
    ("max(x, 2, 3)", "max(x, 4, 5)"),
    ("f(x) = 2", "f(x) = 3"),
    ("2xy + 1.5", "3xy + 2.5"),        # read as math text when x and y are given
    ("2 x y", "3 x y"),
])
def test_a_formula_of_a_shape_seen_before_is_the_graph_its_own_parse_gives(first, second):
    from gradcalc.check import parse_formula
    from gradcalc.errors import GradcalcError
    from gradcalc.parse import parse

    def outcome(parser, text):
        try:
            return _graph_facts(parser(text))
        except GradcalcError as error:
            return error.render()

    for text in (first, second, first):
        assert outcome(parse_formula, text) == outcome(parse, text)
    given = ("x", "y")      # math text: 2xy is 2·x·y when x and y are given values
    for text in (first, second, first):
        assert outcome(lambda t: parse_formula(t, names=given), text) == \
            outcome(lambda t: parse(t, names=given), text)


def test_formulas_of_one_shape_are_judged_by_their_own_numbers():
    result = compute("(x+y)**2", {"x": 1, "y": 2})
    answers = [parse_answer("x=2*(x+y)*1.25/1.25"), parse_answer("x=2*(x+y)*1.25/1.50"),
               parse_answer("x=2*(x+y)*1.50/1.50")]
    assert [v.ok for v in check_answers(result, answers)] == [True, False, True]


def test_a_formula_of_a_shape_seen_before_is_not_parsed_again(monkeypatch):
    from gradcalc import check

    parsed = []
    parse = check.parse
    monkeypatch.setattr(check, "parse", lambda text, *args, **names: parsed.append(text) or parse(text, *args, **names))
    for i in range(10, 20):
        check.parse_formula(f"(2*(x+y))*1.{i}/1.{i} + sigmoid(x*0.{i})")
    assert parsed == ["(2*(x+y))*1.10/1.10 + sigmoid(x*0.10)"]
