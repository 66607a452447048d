"""x.T of an array of more than two axes reverses every axis, as NumPy's, JAX's and PyTorch's .T do (PyTorch
2.13 with a deprecation warning), where gradcalc swapped the last two (np.sum(x.T * w) gave 3, NumPy 5);
x.mT and transpose(x) still swap the last two. The numbers are JAX's and PyTorch's (float64, jax.grad and
.backward(), run by hand in the oracle venv of tools/corpus_oracle.py)."""

import numpy as np
import pytest
from helpers import assert_error, central_differences, run

from gradcalc import compute

X = [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]
W = [[[0.0, 1.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]
X3 = np.arange(12.0).reshape(2, 3, 2)
W3 = X3 % 5


@pytest.mark.parametrize("text", ["L = np.sum(x.T * w)", "L = (x.T * w).sum()", "L = jnp.sum(x.T * w)"])
def test_dot_t_reverses_every_axis_as_the_frameworks(text):
    found = compute(text, x=np.array(X), w=np.array(W))
    assert found.value == 5.0       # JAX and PyTorch: 5
    assert np.array_equal(found.gradient["x"], [[[0.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]])
    assert np.array_equal(found.gradient["w"], [[[1.0, 5.0], [3.0, 7.0]], [[2.0, 6.0], [4.0, 8.0]]])


def test_dot_t_of_unequal_axes_and_its_gradient():
    found = compute("L = np.sum(x.T * w)", x=X3, w=W3)
    assert found.value == 121.0      # JAX: 121
    assert np.allclose(found.gradient["w"], [[[0.0, 6.0], [2.0, 8.0], [4.0, 10.0]], [[1.0, 7.0], [3.0, 9.0], [5.0, 11.0]]])
    numeric = central_differences(lambda v: compute("L = np.sum(x.T * w)", x=v, w=W3).value, X3)
    assert np.allclose(found.gradient["x"], numeric, atol=1e-6)
    hessian = compute("L = np.sum(x.T * x.T)", x=X3).hessian("x")
    assert np.allclose(hessian["matrix"], 2 * np.eye(12))


def test_mt_still_swaps_the_last_two_axes():
    found = compute("L = np.sum(x.mT * w)", x=np.array(X), w=np.array(W))
    assert found.value == 3.0        # PyTorch's x.mT: 3
    assert np.array_equal(found.gradient["x"], [[[0.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]])


def test_shapes_that_do_not_broadcast_after_dot_t_are_refused_as_numpy_does():
    result = run("L = np.sum(x.T * w)", "--x", "[[[1,2,3],[4,5,6]]]", "--w", "[[[1],[1],[1]],[[1],[1],[1]]]")
    assert_error(result, 2, "cannot combine shapes (3,2,1) and (2,3,1)")
