"""--expect (numbers and formulas) and --check (backprop vs central differences), engine and CLI."""

import dataclasses
import json

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


def test_answer_may_use_named_intermediates():
    [verdict] = verdicts("t = x + y; z = t**2", {"x": 1, "y": 2}, "x=2*t")
    assert verdict.ok and verdict.points == 6


def test_random_points_stay_inside_the_domain():
    # log and sqrt near 0: points where the problem itself is undefined are not used.
    [verdict] = verdicts("log(x) + sqrt(y)", {"x": 0.01, "y": 0.001}, "x=1/x", "y=0.5/sqrt(y)")[:1]
    assert verdict.ok and verdict.points == 6


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
                     "expected": 6.0, "computed": 6.0, "ok": True, "points": 6, "failure": None}
    assert wrong["kind"] == "number" and wrong["ok"] is False and wrong["computed"] == 9.0


@pytest.mark.parametrize("spec, message, caret", [
    ("x=2*(x+", "in the answer x=…: the expression ends too early", "         ^"),
    ("x=2*(x+q)", "in the answer x=…: unknown name q", "         ^"),
    ("x=2*xx", "unknown name xx", "      ^^"),
    ("x=sinn(x)", "unknown function 'sinn'", "    ^^^^"),
    ("x=[1, 2", "not a number, an array of numbers, or a formula", None),
    ("w=2", "the expression has no input w", "  ^"),
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

def test_cli_check_prints_both_gradients_and_relative_error():
    result = run("sin(x)*y", "--x", "0.5", "--y", "2", "--check", "--plain")
    assert result.exit_code == 0, result.output
    assert "Gradient check: backprop vs central differences" in result.stdout
    assert "     input  backprop      numerical     relative error" in result.stdout
    assert "  ✓  x      1.755165124   1.755165124   " in result.stdout


def test_cli_check_catches_a_wrong_local_derivative(monkeypatch):
    # A broken op table entry (d sin = sin instead of cos) must be caught by the numerical check.
    broken = dataclasses.replace(ops.OPS["sin"], local=(lambda a, out: np.sin(a),))
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


def test_numerical_check_at_a_kink_is_reported_off():
    # relu's subgradient 0 at 0 is a convention; central differences straddle the kink.
    [check] = check_numerically(compute("relu(x)", x=1e-12))
    assert not check.ok and 0.4 < check.relative_error < 0.6


def test_numerical_gradient_of_array_output_is_of_the_sum():
    grad, _ = numerical_gradient(compute("x*x", x=[1.0, 2.0, 3.0]), "x")
    assert np.allclose(grad, [2, 4, 6])


FUNCTIONS = ["exp", "sin", "cos", "tanh", "sigmoid", "log", "sqrt"]


@given(st.sampled_from(FUNCTIONS), st.sampled_from(FUNCTIONS),
       st.floats(0.1, 3), st.floats(0.1, 3))
def test_numerical_check_agrees_with_backprop_on_random_compositions(f, g, x, y):
    result = compute(f"{f}(x*y) + {g}(x)/y", x=x, y=y)
    assert all(c.ok for c in check_numerically(result)), [c for c in check_numerically(result)]

