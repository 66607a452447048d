"""A LaTeX sum's upper bound is read: \\sum_{i=1}^{n} adds the terms 1 to n of its summand over the arrays
whose elements it names, where gradcalc summed the whole array whatever the bound (\\sum_{i=1}^{2} x_i^2
with x = [1, 2, 3] was 14). A bound past the arrays' length, or no whole number, is refused (exit 2, the
caret on the bound); a bound name without a value (\\frac{1}{N}\\sum_{i=1}^{N}) is the arrays' length.
The numbers are SymPy's (the oracle venv of tools/corpus_oracle.py: the sums written out term by term
over real symbols, differentiated by sp.diff); the gradients also against central differences."""

import numpy as np
import pytest
from helpers import assert_error, central_differences, run

from gradcalc import compute

_MAE = r"\frac{1}{N}\sum_{i=1}^{N} |y_i - \hat{y}_i|"
_Y = {"y": [1.0, 2.0, 3.0], "y_hat": [1.5, 2.0, 2.0]}

# (text, values, SymPy's value, SymPy's gradient)
CASES = [
    (r"\sum_{i=1}^{2} x_i^2", {"x": [1.0, 2.0, 3.0]}, 5.0, {"x": [2.0, 4.0, 0.0]}),
    (_MAE, {**_Y, "N": 2.0}, 0.25, {"y": [-0.5, 0.0, 0.0], "y_hat": [0.5, 0.0, 0.0]}),
    # N without a value: the number of terms, the arrays' length
    (_MAE, _Y, 0.5, {"y": [-1 / 3, 0.0, 1 / 3], "y_hat": [1 / 3, 0.0, -1 / 3]}),
    (r"\sum_{i=0}^{n-1} x_i", {"x": [1.0, 2.0, 3.0], "n": 2.0}, 3.0, {"x": [1.0, 1.0, 0.0]}),
    (r"\prod_{i=1}^{2} x_i", {"x": [2.0, 3.0, 4.0]}, 6.0, {"x": [3.0, 2.0, 0.0]}),
    (r"\prod_{i=1}^{n} x_i", {"x": [2.0, 3.0, 4.0], "n": 2.0}, 6.0, {"x": [3.0, 2.0, 0.0]}),
    # a summand without the index: n terms, each the same
    (r"\sum_{i=1}^{3} c^2", {"c": 2.0}, 12.0, {"c": 12.0}),
    (r"\sum_{i=1}^{n} c^2", {"c": 2.0, "n": 3.0}, 12.0, {"c": 12.0}),
    (r"\sum_{k=1}^{2}\sum_{l=1}^{1} W_{k,l}^2", {"W": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}, 10.0,
     {"W": [[2.0, 0.0], [6.0, 0.0], [0.0, 0.0]]}),
    # the last term's index, given a value, is the bound too
    (r"w_1 x_1 + \cdots + w_d x_d + b", {"w": [1.0, 2.0, 3.0], "x": [1.0, 1.0, 1.0], "b": 0.0, "d": 2.0}, 3.0,
     {"w": [1.0, 1.0, 0.0], "x": [1.0, 2.0, 0.0]}),
]


@pytest.mark.parametrize("text, values, value, gradient", CASES)
def test_a_sum_adds_the_terms_its_bounds_say(text, values, value, gradient):
    found = compute(text, {name: np.array(given) for name, given in values.items()})
    assert np.isclose(found.value, value, rtol=1e-12, atol=1e-12)
    for name, expected in gradient.items():
        assert np.allclose(found.gradient[name], expected, rtol=1e-12, atol=1e-12), name


@pytest.mark.parametrize("n", range(5))
def test_the_gradient_of_a_bounded_sum_is_its_central_differences(n):
    x, w = np.array([0.7, -1.3, 2.1, 0.4]), np.array([1.5, -0.5, 2.0, 3.0])
    found = compute(r"\sum_{i=1}^{n} w_i x_i^3", x=x, w=w, n=float(n))
    assert np.isclose(found.value, np.sum(w[:n] * x[:n] ** 3))
    for name, at in (("x", x), ("w", w)):
        def f(v, name=name):
            return compute(r"\sum_{i=1}^{n} w_i x_i^3", **{"x": x, "w": w, name: v, "n": float(n)}).value
        assert np.allclose(found.gradient[name], central_differences(f, at), atol=1e-6), name


def test_higher_derivatives_go_through_the_bound():
    # d/dc of 3c³ at 2: 36, 36, 18 (Taylor mode); the Hessian of x_1³ + x_2³: diag(6x_1, 6x_2, 0)
    assert np.allclose(compute(r"\sum_{i=1}^{n} c^3", c=2.0, n=3.0).derivative(3, wrt="c")["values"], [36.0, 36.0, 18.0])
    hessian = compute(r"\sum_{i=1}^{n} x_i^3", x=np.array([1.0, 2.0, 3.0]), n=2.0).hessian("x")
    assert np.allclose(hessian["matrix"], np.diag([6.0, 12.0, 0.0]))


def test_a_bound_name_without_a_value_says_it_is_the_arrays_length():
    result = run(_MAE, "--y", "[1,2,3]", "--y_hat", "[1.5,2,2]", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "0.5"
    assert "N, a sum's upper bound, has no value: it is read as the number of terms, len(y)" in result.stderr


@pytest.mark.parametrize("text, options, message, caret", [
    # x_4 does not exist
    (r"\sum_{i=1}^{n} x_i^2", ["--x", "[1,2,3]", "--n", "4"],
     "the sum's upper bound asks for 4 terms, but its arrays have 3", "              ^"),
    (r"\sum_{i=1}^{n} x_i", ["--x", "[1,2,3]", "--n", "2.5"], "a whole number ≥ 0, got 2.5", "              ^"),
    (r"\sum_{i=1}^{\infty} x_i", ["--x", "[1,2,3]"], "the LaTeX command \\infty is not read", "              ^^^^^^"),
    # one N, two arrays of different lengths
    (r"\frac{1}{n}\sum_{i=1}^{n} x_i + \frac{1}{n}\sum_{j=1}^{n} y_j", ["--x", "[1,2,3]", "--y", "[1,2]"],
     "asks for 3 terms, but its arrays have 2", " " * 57 + "^"),
    (r"\sum_{k=1}^{3}\sum_{l=1}^{2} W_{k,l}", ["--W", "[[1,2],[3,4]]"], "asks for 3 terms, but its arrays have 2",
     None),
    (r"\sum_i 3", [], "without its index i, and without an upper bound", None),
    # no x_i: adding the array n times is an array, not what such a sum means
    (r"\sum_{i=1}^{n} (y - t)^2", ["--y", "[1,2]", "--t", "[0,0]", "--n", "2"], "names no element of its index",
     None),
])
def test_a_bound_that_cannot_be_read_is_refused_at_the_bound(text, options, message, caret):
    result = run(text, *options)
    assert_error(result, 2, message, caret_line=caret)
    assert "hint: " in result.stderr
