"""trace, diag, det and inv of a matrix, as NumPy, JAX, PyTorch and TensorFlow spell them: values against
numpy's, gradients against central differences at many matrices (hypothesis), and PyTorch 2.13's and JAX's own
numbers (float64, run by hand in the oracle venv): ∂det/∂A = det·A⁻ᵀ (the cofactors, also where A is singular),
∂L/∂A of A⁻¹ = −A⁻ᵀ·(∂L/∂A⁻¹)·A⁻ᵀ; a singular matrix has no inverse (exit 3)."""

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc import compute

A = np.array([[2.0, -1.0, 0.5], [1.0, 3.0, -2.0], [0.0, 1.5, 1.0]])
W = np.array([[0.3, -1.1, 2.5], [0.9, 0.2, -0.4], [1.0, 2.0, 3.0]])
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
V = np.array([1.0, -2.0, 0.5])
R = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])

CASES = [
    ("np.linalg.det(A)", {"A": A}, lambda A: np.linalg.det(A)),
    ("torch.det(A) * torch.linalg.det(A @ A)", {"A": A}, lambda A: np.linalg.det(A) * np.linalg.det(A @ A)),
    ("tf.linalg.det(A + 2 * W)", {"A": A, "W": W}, lambda A, W: np.linalg.det(A + 2 * W)),
    ("(W * np.linalg.inv(A)).sum()", {"A": A, "W": W}, lambda A, W: (W * np.linalg.inv(A)).sum()),
    ("(W * torch.inverse(A) @ A.T).sum()", {"A": A, "W": W}, lambda A, W: (W * np.linalg.inv(A) @ A.T).sum()),
    ("(jnp.linalg.inv(A) @ v).sum() + A.inverse()[0, 2]", {"A": A, "v": V},
     lambda A, v: (np.linalg.inv(A) @ v).sum() + np.linalg.inv(A)[0, 2]),
    ("jnp.trace(A @ A.T)", {"A": A}, lambda A: np.trace(A @ A.T)),
    ("np.trace(x) * torch.trace(x @ x.T)", {"x": R}, lambda x: np.trace(x) * np.trace(x @ x.T)),
    ("tf.linalg.trace(W * A) + A.trace()", {"A": A, "W": W}, lambda A, W: np.trace(W * A) + np.trace(A)),
    ("(torch.diag(A) ** 2 * v).sum()", {"A": A, "v": V}, lambda A, v: (np.diag(A) ** 2 * v).sum()),
    ("(W * np.diag(v)).sum() ** 2", {"W": W, "v": V}, lambda W, v: (W * np.diag(v)).sum() ** 2),
    ("(np.diag(x) ** 3).sum()", {"x": R}, lambda x: (np.diag(x) ** 3).sum()),
    ("(tf.linalg.diag_part(x) * x.diagonal()).sum()", {"x": R}, lambda x: (np.diagonal(x) ** 2).sum()),
    ("det(A) + trace(inv(A)) + diag(A).sum()", {"A": A},
     lambda A: np.linalg.det(A) + np.trace(np.linalg.inv(A)) + np.diag(A).sum()),
]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_a_linear_algebra_spelling_computes_numpys_value(text, values, reference):
    found = compute(text, values)
    expected = reference(*values.values())
    assert np.shape(found.value) == np.shape(expected)
    np.testing.assert_allclose(found.value, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_gradients_through_linear_algebra_match_central_differences(text, values, reference):
    found = compute(text, values)
    for name, expected in numeric_gradients(text, values).items():
        np.testing.assert_allclose(found.gradient[name], expected, rtol=1e-6, atol=1e-6, err_msg=name)


MATRICES = st.lists(st.floats(-3, 3, allow_nan=False), min_size=9, max_size=9).map(
    lambda xs: np.array(xs).reshape(3, 3) + 4 * np.eye(3))     # diagonally dominant: far from singular


@settings(max_examples=25, deadline=None)
@given(MATRICES)
def test_det_and_inv_gradients_match_central_differences_at_many_matrices(a):
    for text in ("np.linalg.det(A) * W.sum()", "(W * np.linalg.inv(A)).sum()", "np.trace(np.linalg.inv(A) @ A @ A @ W)"):
        found = compute(text, {"A": a, "W": W})
        numeric = numeric_gradients(text, {"A": a, "W": W})["A"]
        np.testing.assert_allclose(found.gradient["A"], numeric, rtol=1e-5, atol=1e-6, err_msg=text)


def test_pytorch_s_and_jax_s_numbers():
    found = compute("torch.linalg.det(A)", {"A": A})           # torch: 13.75 and A.grad
    assert found.value == pytest.approx(13.75, abs=1e-12)
    np.testing.assert_allclose(found.gradient["A"], [[6.0, -1.0, 1.5], [1.75, 2.0, -3.0], [0.5, 4.5, 7.0]],
                               atol=1e-12)
    found = compute("(W * torch.linalg.inv(A)).sum()", {"A": A, "W": W})
    assert found.value == pytest.approx(1.1145454545454547, abs=1e-12)
    np.testing.assert_allclose(found.gradient["A"], [
        [-0.0936198347107438, -0.4207603305785124, -0.8161322314049589],
        [0.1054214876033058, 0.20515702479338843, 0.08680991735537195],
        [-0.5423471074380165, -0.579305785123967, -0.6183140495867769]], atol=1e-12)
    found = compute("(W * torch.diag(v)).sum() ** 2", {"W": W, "v": V})
    assert found.value == pytest.approx(1.96, abs=1e-12)
    np.testing.assert_allclose(found.gradient["v"], [0.84, 0.56, 8.4], atol=1e-12)
    # JAX's value_and_grad of jnp.trace(W @ W.T) at [[1, 2], [3, 4]] (heldout's jaxyt-matrix-trace): 30, 2W
    found = compute("jnp.trace(W @ W.T)", {"W": np.array([[1.0, 2.0], [3.0, 4.0]])})
    assert found.value == 30.0
    np.testing.assert_array_equal(found.gradient["W"], [[2.0, 4.0], [6.0, 8.0]])


def test_det_of_a_singular_matrix_has_the_cofactors_as_its_gradient():
    # PyTorch and JAX: [[4, 4, -4], [-2, -2, 2], [0, 0, 0]] (PyTorch's last row is 1e-16 of rounding)
    found = compute("np.linalg.det(S)", {"S": SINGULAR})
    assert found.value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(found.gradient["S"], [[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]],
                               atol=1e-12)


def test_the_inverse_of_a_singular_matrix_is_a_math_error():
    result = run("np.linalg.inv(S)", "--S", "[[1, 2], [2, 4]]")
    assert_error(result, 3, "the matrix is singular (its determinant is 0): it has no inverse",
                 caret_line="  ^^^^^^^^^^^^^^^^")
    assert "hint: " in result.stderr


@pytest.mark.parametrize("text, x, message", [
    ("np.linalg.det(x)", "[[1, 2, 3], [4, 5, 6]]", "det takes a square matrix, got shape (2,3)"),
    ("torch.inverse(x)", "[1, 2]", "inv takes a square matrix, got shape (2,)"),
    ("np.trace(x)", "[1, 2]", "trace takes a matrix, got shape (2,)"),
    ("np.diag(x)", "3", "diag takes a vector"),
    ("np.diag(x, k=1)", "[1, 2]", "a diagonal other than the main one"),
    ("np.diagonal(x)", "[1, 2]", "diagonal takes a matrix"),
])
def test_what_is_not_a_matrix_is_bad_input_with_a_hint(text, x, message):
    result = run(text, "--x", x)
    assert_error(result, 2, message)
    assert "hint: " in result.stderr


def test_the_hessian_of_det_is_symmetric_and_matches_differences_of_the_gradient():
    text = "np.linalg.det(A)"
    found = compute(text, {"A": A})
    result = run(text, "--A", str(A.tolist()), "--hessian", "--json")
    assert result.exit_code == 0, result.output
    import json

    hessian = np.array(json.loads(result.stdout)["hessian"]["matrix"])
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-12)
    step = 1e-5
    shifted = A.copy()
    shifted[0, 1] += step
    up = compute(text, {"A": shifted}).gradient["A"]
    shifted[0, 1] -= 2 * step
    down = compute(text, {"A": shifted}).gradient["A"]
    np.testing.assert_allclose(hessian[1], np.ravel((up - down) / (2 * step)), atol=1e-6)
    assert found.gradient["A"][0, 1] == pytest.approx(-1.0)
