"""Scans and order as NumPy, PyTorch, JAX and TensorFlow spell them: cumsum, cumprod, sort (ascending and
descending), median (NumPy's and JAX's mean of the middle two; PyTorch's lower middle), and argmax, argmin,
argsort as indices with no gradient (x[np.argmax(x)], x[np.argsort(x)]). Values against numpy's, gradients
against central differences away from ties, and at ties and zeros PyTorch 2.13's and JAX's numbers (float64, run
by hand in the oracle venv): a stable sort's order, median's shares, cumprod's exact gradient at zeros."""

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run

from gradcalc import compute

X = np.array([0.7, -1.3, 2.1, 0.4, 1.6])
W = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
M = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
WM = np.array([[0.3, -1.1, 2.5], [0.9, 0.2, -0.4]])
TIES = np.array([3.0, 1.0, 3.0, 2.0, 1.0])

CASES = [
    ("(np.cumsum(x) * w).sum()", {"x": X, "w": W}, lambda x, w: (np.cumsum(x) * w).sum()),
    ("(torch.cumsum(m, dim=1) ** 2 * v).sum()", {"m": M, "v": WM}, lambda m, v: (np.cumsum(m, 1) ** 2 * v).sum()),
    ("(tf.math.cumsum(m) * v).sum()", {"m": M, "v": WM}, lambda m, v: (np.cumsum(m, 0) * v).sum()),
    ("(m.cumsum(0) * v).sum()", {"m": M, "v": WM}, lambda m, v: (np.cumsum(m, 0) * v).sum()),
    ("(torch.cumprod(x, 0) * w).sum()", {"x": X, "w": W}, lambda x, w: (np.cumprod(x) * w).sum()),
    ("(jnp.cumprod(m, axis=1) * v).sum()", {"m": M, "v": WM}, lambda m, v: (np.cumprod(m, 1) * v).sum()),
    ("(np.sort(x) * w).sum()", {"x": X, "w": W}, lambda x, w: (np.sort(x) * w).sum()),
    ("(torch.sort(m, dim=0)[0] * v).sum()", {"m": M, "v": WM}, lambda m, v: (np.sort(m, 0) * v).sum()),
    ("(torch.sort(x, descending=True).values * w).sum()", {"x": X, "w": W}, lambda x, w: (-np.sort(-x) * w).sum()),
    ("(tf.sort(m, direction='DESCENDING') * v).sum()", {"m": M, "v": WM}, lambda m, v: (-np.sort(-m) * v).sum()),
    ("np.median(x) * np.median(m)", {"x": X, "m": M}, lambda x, m: np.median(x) * np.median(m)),
    ("torch.median(m) + x.median()", {"m": M, "x": X}, lambda m, x: np.sort(m.ravel())[2] + np.median(x)),
    ("x[np.argmax(x)] * x[torch.argmin(x)]", {"x": X}, lambda x: x[np.argmax(x)] * x[np.argmin(x)]),
    ("(x[np.argsort(x)] * w).sum()", {"x": X, "w": W}, lambda x, w: (x[np.argsort(x)] * w).sum()),
    ("(m[0, np.argsort(m[1])] * v[0]).sum()", {"m": M, "v": WM}, lambda m, v: (m[0, np.argsort(m[1])] * v[0]).sum()),
]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_a_scan_or_order_computes_numpys_value(text, values, reference):
    found = compute(text, values)
    np.testing.assert_allclose(found.value, reference(*values.values()), rtol=1e-12)


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_gradients_through_scans_and_order_match_central_differences(text, values, reference):
    found = compute(text, values)
    for name, expected in numeric_gradients(text, values).items():
        np.testing.assert_allclose(found.gradient[name], expected, rtol=1e-6, atol=1e-6, err_msg=name)


# (text, x, PyTorch's or JAX's value, its gradient): the sums are weighted by w = 1 … 5
FRAMEWORKS = [
    # PyTorch and JAX: a stable sort, tied elements keep their order (descending too)
    ("(torch.sort(x)[0] * w).sum()", TIES, 36.0, [4.0, 1.0, 5.0, 3.0, 2.0]),
    ("(jnp.sort(x) * w).sum()", TIES, 36.0, [4.0, 1.0, 5.0, 3.0, 2.0]),
    ("(torch.sort(x, descending=True)[0] * w).sum()", TIES, 24.0, [1.0, 4.0, 2.0, 3.0, 5.0]),
    # torch.median: the lower middle, tied elements share it; jnp.median: the stably sorted middle, ½ each of two
    ("torch.median(x)", np.array([2.0, 1.0, 2.0, 3.0, 2.0]), 2.0, [1 / 3, 0.0, 1 / 3, 0.0, 1 / 3]),
    ("torch.median(x)", np.array([1.0, 4.0, 2.0, 3.0]), 2.0, [0.0, 0.0, 1.0, 0.0]),
    ("jnp.median(x)", np.array([1.0, 4.0, 2.0, 3.0]), 2.5, [0.0, 0.0, 0.5, 0.5]),
    ("jnp.median(x)", np.array([2.0, 1.0, 2.0, 3.0, 2.0]), 2.0, [0.0, 0.0, 1.0, 0.0, 0.0]),
    ("jnp.median(x)", np.array([2.0, 2.0, 1.0, 3.0]), 2.0, [0.5, 0.5, 0.0, 0.0]),
    # cumprod at zeros: PyTorch's and JAX's exact gradient
    ("(torch.cumprod(x, 0) * w).sum()", np.array([2.0, 0.0, 3.0, 0.0, 5.0]), 2.0, [1.0, 22.0, 0.0, 0.0, 0.0]),
    ("(torch.cumprod(x, 0) * w).sum()", np.array([2.0, -1.0, 3.0, 0.5, 5.0]), -107.0,
     [-53.5, 109.0, -35.0, -174.0, -15.0]),
    ("(torch.cumsum(x, 0) * w).sum()", np.array([2.0, -1.0, 3.0, 0.5, 5.0]), 81.5, [15.0, 14.0, 12.0, 9.0, 5.0]),
    # argmax: the first of tied elements (NumPy, PyTorch and JAX)
    ("x[np.argmax(x)] * w[np.argmax(x)]", TIES, 3.0, [1.0, 0.0, 0.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("text, x, value, gradient", FRAMEWORKS, ids=[f"{c[0]} at {c[1].tolist()}" for c in FRAMEWORKS])
def test_ties_and_zeros_as_the_frameworks_take_them(text, x, value, gradient):
    found = compute(text, {"x": x, "w": W[:len(x)]})
    assert found.value == pytest.approx(value, abs=1e-12)
    np.testing.assert_allclose(found.gradient["x"], gradient, atol=1e-12)


def test_the_hessian_passes_through_cumsum_and_sort():
    for text in ("(np.cumsum(x) ** 3).sum()", "(np.sort(x) ** 3 * w).sum()", "(torch.cumprod(x, 0) * w).sum()"):
        result = run(text, "--x", str(X.tolist()), "--w", str(W.tolist()), "--hessian", "--json")
        assert result.exit_code == 0, (text, result.output)


@pytest.mark.parametrize("text, message, hint", [
    ("np.median(x, axis=0)", "a median along an axis is not read yet", "median(x)"),
    ("tf.math.cumsum(x, exclusive=True)", "an exclusive or reversed cumsum is not read", "flip"),
    ("torch.cumsum(x)", "torch.cumsum needs its argument axis", "torch.cumsum(x, axis"),
    ("np.argmax(x, keepdims=True)", "argmax with keepdims or descending is not read", "argmax(x, axis)"),
    ("np.sort(x, axis=1)", "axis 1 is out of range", "0"),
])
def test_what_is_not_read_is_refused_with_a_hint(text, message, hint):
    result = run(text, "--x", "[1, 2, 3]")
    assert_error(result, 2, message)
    assert hint in result.stderr
