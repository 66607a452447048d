"""softmax and log_softmax written bare take an axis as torch, JAX and SciPy do (dim=, axis= or by
position), and compute what F.softmax(X, dim=…) computes; the axis was refused with a hint that dropped
it (softmax(x): the last axis, another result for a matrix)."""

import numpy as np
import pytest

import gradcalc

X = np.array([[1.0, 2.0], [3.0, 4.0]])
W = np.array([[1.0, 0.0], [0.0, 2.0]])


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("function, reference", [
    ("softmax", _softmax), ("log_softmax", lambda x, axis: np.log(_softmax(x, axis)))])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_an_axis_given_every_way_is_the_same_softmax(function, reference, axis):
    expected = float(np.sum(reference(X, axis) * W))
    results = [gradcalc.compute(f"sum({function}(X, {spelled})*W)", X=X, W=W)
               for spelled in (f"dim={axis}", f"axis={axis}", f"{axis}")]
    results.append(gradcalc.compute(f"sum(F.{function}(X, dim={axis})*W)", X=X, W=W))
    for result in results:
        assert result.value == pytest.approx(expected)
        np.testing.assert_allclose(result.gradient["X"], results[-1].gradient["X"], rtol=1e-12)
    h, grad = 1e-6, np.zeros_like(X)
    for index in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[index] = h
        grad[index] = (np.sum(reference(X + step, axis) * W) - np.sum(reference(X - step, axis) * W)) / (2 * h)
    np.testing.assert_allclose(results[0].gradient["X"], grad, atol=1e-7)


def test_the_default_is_the_last_axis():
    assert gradcalc.compute("sum(softmax(X)*W)", X=X, W=W).value == \
        pytest.approx(gradcalc.compute("sum(softmax(X, dim=-1)*W)", X=X, W=W).value)
