"""np.inner and np.vdot as NumPy computes them, where both were read as @: inner contracts the LAST axes
of both (A @ B.T for matrices, where A @ B was printed), vdot flattens both first (a matrix's vdot is one
number). Each case's numbers are JAX's (jnp.inner / jnp.vdot and jax.grad, float64, run by hand in the
oracle venv of tools/corpus_oracle.py); arrays of more axes are refused for inner (exit 2, caret, hint)."""

import numpy as np
import pytest
from helpers import assert_error, run

from gradcalc import compute

A, B = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [2.0, 1.0]]
a, b = [1.0, 2.0], [3.0, 4.0]

# (text, values, JAX's value, JAX's gradients)
CASES = [
    ("L = np.sum(np.inner(A, B))", {"A": A, "B": B}, 18.0, {"A": [[3.0, 1.0], [3.0, 1.0]], "B": [[4.0, 6.0], [4.0, 6.0]]}),
    ("L = jnp.sum(jnp.inner(A, B))", {"A": A, "B": B}, 18.0, {"A": [[3.0, 1.0], [3.0, 1.0]], "B": [[4.0, 6.0], [4.0, 6.0]]}),
    ("L = np.vdot(A, B)", {"A": A, "B": B}, 11.0, {"A": [[1.0, 0.0], [2.0, 1.0]], "B": [[1.0, 2.0], [3.0, 4.0]]}),
    ("L = np.sum(np.inner(A, b))", {"A": A, "b": b}, 36.0, {"A": [[3.0, 4.0], [3.0, 4.0]], "b": [4.0, 6.0]}),
    ("L = np.inner(a, b)", {"a": a, "b": b}, 11.0, {"a": [3.0, 4.0], "b": [1.0, 2.0]}),
    ("L = np.vdot(a, b)", {"a": a, "b": b}, 11.0, {"a": [3.0, 4.0], "b": [1.0, 2.0]}),
]


@pytest.mark.parametrize("text, values, value, gradient", CASES)
def test_inner_and_vdot_give_jaxs_numbers(text, values, value, gradient):
    found = compute(text, {name: np.array(given) for name, given in values.items()})
    assert np.isclose(found.value, value, rtol=1e-12)
    for name, expected in gradient.items():
        assert np.allclose(found.gradient[name], expected, rtol=1e-12), name


def test_inner_of_a_stack_is_refused():
    result = run("np.sum(np.inner(A, B))", "--A", "[[[1,2],[3,4]]]", "--B", "[[1,0],[2,1]]")
    assert_error(result, 2, "np.inner of a (1,2,2) array is read for vectors and matrices only",
                 caret_line="         ^^^^^^^^^^^^^^")
    assert "A @ B.T" in result.stderr
