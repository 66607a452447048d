"""Math text as textbooks and papers write it (README: How gradcalc reads what you paste): Greek names,
π, typographic operators, brackets and braces as grouping; derivatives against SymPy."""

import pytest
import sympy as sp
from helpers import assert_error, run

from gradcalc import compute


def test_lennard_jones_as_printed_matches_sympy():
    # 4ε[(σ/r)^12 − (σ/r)^6]: Greek names, a typographic minus, brackets as grouping.
    eps, sigma, r = sp.symbols("epsilon sigma r", positive=True)
    exact = 4 * eps * ((sigma / r) ** 12 - (sigma / r) ** 6)
    point = {eps: 0.8, sigma: 1.1, r: 1.3}
    found = compute("4ε[(σ/r)^12 − (σ/r)^6]", {"ε": 0.8, "σ": 1.1, "r": 1.3})
    assert found.value == pytest.approx(float(exact.subs(point)), rel=1e-13)
    for name, symbol in (("ε", eps), ("σ", sigma), ("r", r)):
        assert found.gradient[name] == pytest.approx(float(sp.diff(exact, symbol).subs(point)), rel=1e-12)


@pytest.mark.parametrize("text, values, expected", [
    ("2πr", {"r": 1.5}, 3 * 3.141592653589793),
    ("πr²", {"r": 2.0}, 4 * 3.141592653589793),
    ("π/4 + x", {"x": 0.0}, 0.7853981633974483),
    ("γ·x₁ ∗ 2 – 1", {"γ": 3.0, "x₁": 2.0}, 11.0),
    ("x ⋅ y", {"x": 3.0, "y": 2.0}, 6.0),
    ("2{x + 1}", {"x": 1.0}, 4.0),
    ("[x/2 + 1]*3", {"x": 1.0}, 4.5),
    ("µ*x", {"µ": 2.0, "x": 3.0}, 6.0),
])
def test_math_text_reads_as_meant(text, values, expected):
    assert compute(text, values).value == pytest.approx(expected, rel=1e-14)


def test_a_greek_name_is_an_option_too():
    result = run("γ*x**2", "--γ", "2", "--x", "3", "-q")
    assert result.exit_code == 0 and result.stdout.split() == ["18", "9", "12"]


def test_other_alphabets_stay_refused():
    # Cyrillic х looks like x: a name of it would silently be another variable.
    result = run("х + 1", "--x", "1")
    assert_error(result, 2, "unexpected character 'х'")
    assert "looks like 'x'" in result.stderr


def test_brackets_that_could_be_an_index_are_refused_with_both_readings():
    result = run("x[i+1]", "--x", "[1, 2]", "--i", "0")
    assert_error(result, 2, "x[i+1] can be read two ways")
    assert "for a product, write x*(i+1)" in result.stderr


@pytest.mark.parametrize("written, expected", [
    ("[2., 3.]", "5"), ("[.5, 1]", "1.5"), ("pi/4", "0.7853981634"), ("1/3", "0.3333333333"),
    ("2π", "6.283185307"), ("-e", "-2.718281828"), ("sqrt(2)/2", "0.7071067812"),
    ("[[pi, 1/2], [2., .5]]", "6.141592654"),
])
def test_values_as_people_type_them(written, expected):
    result = run("sum(a)", "--a", written, "-q")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == expected


@pytest.mark.parametrize("written, message", [
    ("x+1", "the value of --a is not a number: 'x+1'"),
    ("[1, y]", "the value of --a is not a number: 'y'"),
    ("1/0", "the value of --a, '1/0': division by zero"),
    ('[1, "a"]', "the value of a is not all numbers"),
])
def test_values_that_are_not_numbers_are_refused(written, message):
    assert_error(run("sum(a)", "--a", written), 2, message)
