"""max(X, 1) of an array X has two readings: NumPy's maximum(X, 1) (Python's max of two values) and
the largest along axis 1, as sum(X, 1), mean(X, 1), np.max(X, 1) and X.max(1) read it. It is refused
with both spellings, each of which computes what it says; max(x, 0) (ReLU) and max of numbers stay
the elementwise maximum."""

import numpy as np
import pytest

import gradcalc
from gradcalc.errors import GradcalcError
from helpers import assert_error, run

X = [[1.0, 2.0], [3.0, 0.5]]


@pytest.mark.parametrize("text, axis, other", [
    ("sum(max(X, 1))", "max(X, axis=1)", "maximum(X, 1)"),
    ("sum(min(X, 1))", "min(X, axis=1)", "minimum(X, 1)"),
    ("sum(max(X, -1))", "max(X, axis=-1)", "maximum(X, -1)"),
])
def test_max_of_an_array_and_an_axis_is_refused_with_both_readings(text, axis, other):
    result = run(text, "--X", "[[1,2],[3,0.5]]")
    assert_error(result, 2, "has two readings")
    assert axis in result.stderr and other in result.stderr
    assert "^" in result.stderr
    with pytest.raises(GradcalcError):
        gradcalc.compute(text, X=X)


@pytest.mark.parametrize("text, value, grad", [
    ("sum(maximum(X, 1))", 7.0, [[0.5, 1], [1, 0]]),        # elementwise: 1, 2, 3, 1
    ("sum(max(X, axis=1))", 5.0, [[0, 1], [1, 0]]),         # the rows' largest: 2 + 3
    ("sum(np.max(X, 1))", 5.0, [[0, 1], [1, 0]]),
    ("sum(minimum(X, 1))", 3.5, [[0.5, 0], [0, 1]]),
    ("sum(min(X, axis=1))", 1.5, [[1, 0], [0, 1]]),
    ("sum(max(X, 0))", 6.5, [[1, 1], [1, 1]]),               # ReLU: the elementwise maximum
    ("sum(max(X, 0.5))", 6.5, [[1, 1], [1, 0.5]]),           # not an integer: no axis
])
def test_each_reading_computes_what_it_says(text, value, grad):
    result = gradcalc.compute(text, X=X)
    assert result.value == value
    np.testing.assert_array_equal(result.gradient["X"], grad)


@pytest.mark.parametrize("text, value", [("max(x, 1)", 3.0), ("min(x, 1)", 1.0), ("max(x, -1)", 3.0)])
def test_max_of_numbers_is_the_larger(text, value):
    assert gradcalc.compute(text, x=3).value == value
    assert run(text, "--x", "3").exit_code == 0
