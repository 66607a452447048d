"""Notation from paper and notes: products written without * ((x+1)(x-1), sin(x)cos(x), 2x), superscript
powers (x², x⁻¹), √, `f(x) = …`, and precise hints for what stays refused (x(y), sin^2(x), x y)."""

import json
import logging

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.parse import parse
from helpers import assert_error, numeric_gradients, run

POINT = {"x": 0.7, "y": 1.3, "a": 2.0, "b": 0.4, "c": -1.5}


def used(text, point=POINT):
    return {name: point[name] for name in parse(text).variables}


def assert_same(text, explicit, point=POINT):
    """`text` means exactly `explicit` (written with * and **): same value and gradient, and the
    gradient agrees with central differences."""
    got, want = compute(text, used(text, point)), compute(explicit, used(explicit, point))
    assert got.value == pytest.approx(want.value, rel=1e-13, abs=1e-15), (text, explicit)
    assert got.gradient.keys() == want.gradient.keys()
    numeric = numeric_gradients(text, used(text, point))
    # central differences lose about ε·|f|/h to rounding: a gradient of 0 beside f ≈ 50 reads ±1e-8
    noise = 1e-8 * max(1.0, float(np.max(np.abs(got.value))))
    for name, grad in got.gradient.items():
        assert grad == pytest.approx(want.gradient[name], rel=1e-13, abs=1e-15), (text, name)
        assert grad == pytest.approx(float(numeric[name]), rel=1e-6, abs=noise), (text, name)
    return got


# -- what each form means ---------------------------------------------------------------------------

PRODUCTS = [
    # the newcomer trial's examples
    ("(x+1)(x-1)", "(x+1)*(x-1)"),
    ("sin(x)cos(x)", "sin(x)*cos(x)"),
    ("(x+1)sin(x)", "(x+1)*sin(x)"),
    ("(x+1)x", "(x+1)*x"),
    ("2(x+1)(x-1)", "2*(x+1)*(x-1)"),
    # what #13 accepted keeps its meaning
    ("2x", "2*x"), ("3(x+1)", "3*(x+1)"), ("2pi + x", "2*pi + x"), ("2x**2", "2*x**2"),
    ("-2x", "-2*x"), ("2sin(x)", "2*sin(x)"), ("2 (x + 1)", "2*(x+1)"),
    # more of the same
    ("exp(-x)(1 + x)", "exp(-x)*(1+x)"), ("(x+y)(x-y)(x+2)", "(x+y)*(x-y)*(x+2)"),
    ("3sin(x)cos(y)", "3*sin(x)*cos(y)"), ("sin(x)^2cos(x)", "sin(x)**2*cos(x)"),
    ("(x+1)(x-1) + (y+1)(y-1)", "(x+1)*(x-1) + (y+1)*(y-1)"), ("tanh(x)y", "tanh(x)*y"),
]

PRECEDENCE = [
    # A product written without * is a *: same precedence, left to right (SymPy, Wolfram).
    ("1/2x", "1/2*x"),                     # (1/2)·x, with a note
    ("a/(b)(c)", "a/b*c"),                 # (a/b)·c
    ("x/2(x+1)", "x/2*(x+1)"),
    ("(x+1)(x-1)/(x+2)(x-2)", "(x+1)*(x-1)/(x+2)*(x-2)"),
    ("-(x)(y)", "-x*y"),
    ("2^(x)(y)", "2**x*y"),                # a power takes one factor: (2^x)·y
    ("e^(-x)(1 + x)", "e**(-x)*(1+x)"),
    ("x^2y", "x**2*y"),                    # x²·y, as in LaTeX and Wolfram
    ("e^2x", "e**2*x"),                    # e²·x, with a note
    ("(x+1)^2(x-1)", "(x+1)**2*(x-1)"),
    ("2^-x(y)", None),                     # x(y) is a call: refused below
]

SUPERSCRIPTS_AND_ROOTS = [
    ("x²", "x**2"), ("x³ + y²", "x**3 + y**2"), ("x⁻¹", "x**-1"), ("x⁻²", "x**-2"), ("(x+y)²", "(x+y)**2"),
    ("3x²y", "3*x**2*y"), ("x²(x+1)", "x**2*(x+1)"), ("-x²", "-(x**2)"), ("e^x²", "e**(x**2)"),
    ("x¹⁰", "x**10"), ("sin(x)²", "sin(x)**2"), ("2²x", "4*x"),
    ("√x", "sqrt(x)"), ("√(x+y)", "sqrt(x+y)"), ("2√x", "2*sqrt(x)"), ("√2x", "sqrt(2)*x"),
    ("√x²", "sqrt(x)**2"), ("√(x²)", "sqrt(x**2)"), ("√x^3", "sqrt(x)**3"), ("√√x", "sqrt(sqrt(x))"), ("x√y", "x*sqrt(y)"),
    ("(x+1)√y", "(x+1)*sqrt(y)"), ("1/√(x²+y²)", "1/sqrt(x**2+y**2)"),
]


@pytest.mark.parametrize("text, explicit", PRODUCTS + [p for p in PRECEDENCE if p[1]]
                         + [p for p in SUPERSCRIPTS_AND_ROOTS if p[1]])
def test_each_form_means_its_explicit_spelling(text, explicit):
    assert_same(text, explicit)


@pytest.mark.parametrize("text, explicit", PRODUCTS[:5] + SUPERSCRIPTS_AND_ROOTS[:3] + [("√(x+y)", "")])
def test_golden_values_and_gradients(text, explicit):
    x, y = POINT["x"], POINT["y"]
    golden = {
        "(x+1)(x-1)": (x * x - 1, {"x": 2 * x}),
        "sin(x)cos(x)": (np.sin(x) * np.cos(x), {"x": np.cos(2 * x)}),
        "(x+1)sin(x)": ((x + 1) * np.sin(x), {"x": np.sin(x) + (x + 1) * np.cos(x)}),
        "(x+1)x": (x * x + x, {"x": 2 * x + 1}),
        "2(x+1)(x-1)": (2 * x * x - 2, {"x": 4 * x}),
        "x²": (x * x, {"x": 2 * x}),
        "x³ + y²": (x ** 3 + y * y, {"x": 3 * x * x, "y": 2 * y}),
        "x⁻¹": (1 / x, {"x": -1 / x ** 2}),
        "√(x+y)": (np.sqrt(x + y), {"x": 0.5 / np.sqrt(x + y), "y": 0.5 / np.sqrt(x + y)}),
    }
    value, gradient = golden[text]
    result = compute(text, used(text))
    assert result.value == pytest.approx(value, rel=1e-14)
    assert result.gradient == pytest.approx(gradient, rel=1e-14)


def test_through_the_command_line():
    out = json.loads(run("(x+1)(x-1) + x²√y", "--x", "3", "--y", "4", "--json").stdout)
    assert out["value"] == pytest.approx(8 + 2 * 9)
    assert out["gradient"] == {"x": pytest.approx(6 + 2 * 2 * 3), "y": pytest.approx(9 / 4)}
    assert run("sin(x)cos(x)", "--x", "0.5", "-q").stdout.split() == ["0.4207354924", "0.5403023059"]


# -- a round trip through --symbolic and --latex --------------------------------------------------------

@pytest.mark.parametrize("text", ["(x+1)(x-1)", "sin(x)cos(x)", "2(x+1)(x-1)y", "x²y + √(x+y)", "x⁻¹ + 1/2x",
                                  "(x+1)^2(x-1)", "f(x, y) = (x+y)(x-y)"])
def test_the_symbolic_formulas_read_back(text):
    # --symbolic prints each gradient in gradcalc's syntax: given back, it is the gradient, here and elsewhere.
    for point in (POINT, {"x": 1.9, "y": 0.2}):
        result = compute(text, used(text, point))
        for name, formula in result.formulas().items():
            back = compute(formula, used(formula, point)).value
            assert back == pytest.approx(result.gradient[name], rel=1e-12), (text, name, formula)


def test_symbolic_and_latex_print_the_product_as_a_product():
    out = run("(x+1)(x-1)", "--x", "2", "--symbolic", "--plain").stdout
    assert "∂z/∂x = 2·x" in out
    latex = run("√x·x²", "--x", "2", "--symbolic", "--latex").stdout
    assert r"\frac{\partial z}{\partial x} &= \frac{5 x^{3/2}}{2}" in latex
    trace = run("x² + x⁻¹", "--x", "2", "--plain").stdout
    assert "x^2" in trace and "x^(-1)" in trace and "²" not in trace    # the exponent is shown as 2


# -- notes where conventions differ --------------------------------------------------------------------

def test_a_division_before_a_product_without_star_is_noted():
    out = run("1/2x", "--x", "4", "--plain").stdout
    assert ("note: 1/2x is read as (1/2)·x: a product written without * binds like *, left to right "
            "(as in SymPy and Wolfram); if 2x is the denominator, write 1/(2x)") in out
    assert "note: a/(b)(c) is read as (a/(b))·(c)" in run("a/(b)(c)", "--a", "1", "--b", "2", "--c", "3",
                                                          "--plain").stdout


def test_a_power_before_a_product_without_star_is_noted():
    out = run("e^2x", "--x", "1", "--plain").stdout
    assert "note: e^2x is read as e^2·x: a power takes only the number after it; for the whole product " \
           "as the exponent, write e^(2x)" in out


@pytest.mark.parametrize("text", ["2x", "(x+1)(x-1)", "x²y", "1/(2x)", "x**2*y"])
def test_no_note_where_the_reading_is_plain(text):
    assert "note:" not in run(text, "--x", "1", "--y", "1", "--plain").stdout


def test_one_note_of_each_kind():
    out = run(" + ".join(["1/2x", "1/3x", "e^2x", "e^3x"]), "--x", "1", "--plain").stdout
    assert out.count("note:") == 2


# -- f(x) = … ------------------------------------------------------------------------------------------------

def test_a_definition_names_the_output_and_its_inputs():
    result = compute("f(x) = x**2", x=3.0)
    assert result.output_name == "f" and result.value == 9 and result.gradient == {"x": 6}
    both = compute("f(x, y) = x**2", x=3.0, y=1.0)      # y is an input even if unused: ∂f/∂y = 0
    assert both.gradient == {"x": 6, "y": 0}
    out = json.loads(run("f(x) = (x+1)(x-1)", "--x", "2", "--json").stdout)
    assert out["output"] == "f" and out["gradient"] == {"x": 4}
    assert "∂f/∂x = 4" in run("f(x) = (x+1)(x-1)", "--x", "2", "--plain").stdout


def test_a_definition_lists_plain_names():
    assert_error(run("f(2) = x", "--x", "1"), 2, "f(…) = … lists the names of its inputs, and 2 is not one",
                 "    ^")
    assert_error(run("t = x + 1; f(t) = t", "--x", "1"), 2, "t is not one")


def test_a_defined_function_called_later_is_evaluated_there():
    # f(3): the number written for the parameter is the input x at 3, as jax.grad(f)(3.0) reads it
    # (README: How gradcalc reads what you paste), so the gradient is f′(3).
    result = run("f(x) = x**2; f(3)", "-q")
    assert result.exit_code == 0 and result.stdout.split() == ["9", "6"]


# -- what stays refused, each with a hint -----------------------------------------------------------------

@pytest.mark.parametrize("text, message, caret, hint", [
    ("(x+1)2", "unexpected '2'", "       ^", "a number multiplies without * only when it comes first"),
    ("x 2", "unexpected '2'", "    ^", "write *2 here"),
    ("relu^-1(x)", "relu is a function", "  ^^^^", "gradcalc has no inverse of relu"),
    ("f(x)", "unknown function 'f'", "  ^", "f is not a function; to multiply, write f*(...)"),
    ("sin^(1/2) x", "sin^(1/2) x has no one reading", "  ^^^^^^^^^", "write sin(...)**(1/2)"),
    ("√-x", "unexpected '-'", "   ^", "write √(-x)"),
    ("xⁿ", "unexpected character 'ⁿ'", "   ^", "type '**n' instead"),
])
def test_refused_with_a_hint_and_the_caret_in_place(text, message, caret, hint):
    result = run(text, "--x", "0.5", "--y", "1", "--a", "1", "--b", "1", "--c", "1")
    assert_error(result, 2, message, caret)
    assert hint in result.stderr.splitlines()[-1]


def test_a_root_takes_the_atom_after_it():
    # √x² is (√x)², as in Wolfram: at x = -1 that is outside sqrt's domain, while √(x²) is 1.
    assert run("√x²", "--x", "-1", "-q").exit_code == 3
    assert run("√(x²)", "--x", "-1", "-q").stdout.split() == ["1", "-1"]
    assert compute("√x[1]", x=[4.0, 9.0]).value == 3.0


def test_carets_after_superscripts_and_roots_stay_under_the_column():
    # one character each: the caret under a math error after them is where it was
    result = run("x² + √(x - 2)", "--x", "1")
    assert result.exit_code == 3
    assert "       ^^^^^^^^" in result.stderr.splitlines()
    result = run("(x+1)(x-1)/(x - 1)", "--x", "1")
    assert result.exit_code == 3
    assert "  ^^^^^^^^^^^^^^^^^^" in result.stderr.splitlines()


# -- the grammar: one documented conflict, the same graph from Lark -----------------------------------------

def test_the_only_conflict_is_a_name_before_a_parenthesis(caplog):
    # NAME ( … ) is a call, never a name times a group: Lark resolves that shift/reduce conflict as a
    # shift, and it must stay the only one (a new conflict would change a meaning silently).
    from lark import Lark, logger

    from gradcalc.parse import LARK_OPTIONS, grammar_text

    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="lark"):
            Lark(grammar_text(), debug=True, **LARK_OPTIONS)
    finally:
        logger.removeHandler(caplog.handler)
    conflicts = [r.getMessage() for r in caplog.records if "conflict" in r.getMessage().lower()]
    assert conflicts and set(conflicts) == {"Shift/Reduce conflict for terminal LPAR: (resolving as shift)"}
    details = [r.getMessage() for r in caplog.records if r.getMessage().startswith(" * ")]
    assert set(details) == {" * <word : NAME>"}


# -- random products: with and without * -------------------------------------------------------------------

OPERANDS = ["(x+1)", "sin(x)", "x²", "√(y+2)", "(x-y)³", "exp(y)", "cos(x)y", "2", "0.5", "3x"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "*", "/", "+", "-"]), st.sampled_from(OPERANDS)),
                min_size=1, max_size=6), st.sampled_from(OPERANDS))
def test_a_missing_star_is_a_star(pairs, first):
    text, explicit = first, first
    for op, operand in pairs:
        # a number after an operand never multiplies, nor does a name before a name (x y) or a
        # parenthesis (x(y) is a call)
        if op == "" and (operand[0].isdigit() or text[-1].isalpha() and operand[0] not in "√"):
            op = "*"
        text += op + operand
        explicit += (op or "*") + operand
    assert_same(text, explicit)


def test_a_constant_function_is_computed_not_an_input():
    # f(x) = 2 is a function of x that is 2 everywhere: its output is no input with a default.
    found = compute("f(x) = 2", x=1.0)
    assert found.value == 2.0 and found.gradient == {"x": 0.0}


def test_names_side_by_side_that_have_no_values_say_how_to_multiply():
    # xy is x·y only when x and y are given values and xy is not (tests/test_math_text.py); with
    # some pieces missing it stays one name, and the hint says how to multiply what was given.
    for text, values, hint in [("xy", ["--x", "1"], "give --xy VALUE"),
                               ("2ab", ["--a", "1"], "give --ab VALUE")]:
        result = run(text, *values)
        assert result.exit_code == 2 and f"hint: {hint}" in result.stderr, result.stderr


def test_a_statement_computed_for_nothing_is_an_error():
    # A formula pasted with a line break is two statements; answering with the second alone was a
    # different formula's answer (with only a note).
    broken = run("(x+1)\n(x-1)", "--x", "3", "-q")
    assert_error(broken, 2, "(x+1) is computed for nothing", "  line 1: (x+1)")
    assert "join them" in broken.stderr and "name it: t = (x+1)" in broken.stderr
    for program in ("t = x + 1; z = t*2", "apple = 100\nx*apple", "c = x; c += 1; c*2"):
        assert run(program, "--x", "3", "-q").stderr == ""   # the trace-only note on c, c₂ too


@pytest.mark.parametrize("text, value", [
    ("x**2\n- 3*x", 0.0),                        # a line starting with an operator continues
    ("x**2\n  + 3*x\n  - 1", 17.0),
    ("2*x  # the first part\n  * x", 18.0),       # a comment on the joined line is dropped
    ("t = x\n* 2", 6.0),                         # * / ** @ cannot start a statement: always continue
    ("max(x,\n    2*x)", 6.0),                    # inside brackets, as Python joins them
    ("x \\\n + 1", 4.0),                          # a trailing backslash
    ("t = x\n\n-t", -3.0),                       # after a blank line: a statement of its own
])
def test_lines_that_continue_a_formula(text, value):
    assert compute(text, x=3.0).value == pytest.approx(value)


def test_a_sign_after_a_named_statement_is_ambiguous():
    result = run("t = x\n- 1", "--x", "3")
    assert_error(result, 2, "a line that starts with - after a named statement can be read two ways",
                 "  line 2: - 1")
    assert "name it: out = -1" in result.stderr
