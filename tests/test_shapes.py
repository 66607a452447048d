"""Axes of size 1 taken away or put in, as pasted code spells it: x.squeeze(), torch.unsqueeze(x, 1),
np.expand_dims(x, 0), tf.squeeze, x[:, None], x[np.newaxis]. Values against numpy's, gradients against
central differences and against the same sums written out by hand."""

import json

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run

from gradcalc import compute

V = np.array([0.4, -0.9, 1.3])
ROW = np.array([[0.5, -1.2, 2.0]])                        # (1, 3)
COLUMN = np.array([[0.7], [-0.2]])                        # (2, 1)
CUBE = np.array([[[1.5], [-0.5], [0.25]]])                # (1, 3, 1)
M = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])       # (2, 3)
W3 = np.array([0.3, -1.1, 2.5])                           # weights shaped like the result
W31 = np.array([[0.3], [-1.1], [2.5]])
W13 = np.array([[0.3, -1.1, 2.5]])
W2 = np.array([-0.6, 1.7])
W213 = np.array([[[0.3, -1.1, 2.5]], [[0.9, 0.2, -0.4]]])

# (text, values, numpy's value of the expression)
CASES = [
    ("(w * x.squeeze()).sum()", {"x": ROW, "w": W3}, lambda x, w: (w * np.squeeze(x)).sum()),
    ("(w * x.squeeze(0)).sum()", {"x": ROW, "w": W3}, lambda x, w: (w * np.squeeze(x, 0)).sum()),
    ("(w * torch.squeeze(x, dim=-1)).sum()", {"x": COLUMN, "w": W2}, lambda x, w: (w * x[:, 0]).sum()),
    ("(w * np.squeeze(x, axis=(0, 2))).sum()", {"x": CUBE, "w": W3}, lambda x, w: (w * x[0, :, 0]).sum()),
    ("(w * tf.squeeze(x, [0])).sum()", {"x": ROW, "w": W3}, lambda x, w: (w * x[0]).sum()),
    ("(w * jnp.squeeze(x)).sum()", {"x": CUBE, "w": W3}, lambda x, w: (w * x.ravel()).sum()),
    ("(w * x.unsqueeze(1)).sum()", {"x": V, "w": W31}, lambda x, w: (w * x[:, None]).sum()),
    ("(w * torch.unsqueeze(x, 0)).sum()", {"x": V, "w": W13}, lambda x, w: (w * x[None, :]).sum()),
    ("(w * np.expand_dims(x, 0)).sum()", {"x": V, "w": W13}, lambda x, w: (w * np.expand_dims(x, 0)).sum()),
    ("(w * tf.expand_dims(x, -1)).sum()", {"x": V, "w": W31}, lambda x, w: (w * np.expand_dims(x, -1)).sum()),
    ("(w * jnp.expand_dims(x, axis=1)).sum()", {"x": M, "w": W213},
     lambda x, w: (w * np.expand_dims(x, 1)).sum()),
    ("(w * x[:, None]).sum()", {"x": V, "w": W31}, lambda x, w: (w * x[:, None]).sum()),
    ("(w * x[None, :]).sum()", {"x": V, "w": W13}, lambda x, w: (w * x[None, :]).sum()),
    ("(w * x[None]).sum()", {"x": V, "w": W13}, lambda x, w: (w * x[None]).sum()),
    ("(w * x[:, np.newaxis]).sum()", {"x": V, "w": W31}, lambda x, w: (w * x[:, np.newaxis]).sum()),
    ("(w * x[:, None, 1:]).sum()", {"x": M, "w": np.array([[[0.5, -2.0]], [[1.5, 0.25]]])},
     lambda x, w: (w * x[:, None, 1:]).sum()),
    ("(w * x[0, None]).sum()", {"x": M, "w": W13}, lambda x, w: (w * x[0, None]).sum()),
    ("(x[:, None] - x[None, :]) ** 2", {"x": V}, lambda x: (x[:, None] - x[None, :]) ** 2),
    ("(w * lax.squeeze(x, (0,))).sum()", {"x": ROW, "w": W3}, lambda x, w: (w * x[0]).sum()),
    ("(w * jax.lax.expand_dims(x, dimensions=[1])).sum()", {"x": V, "w": W31}, lambda x, w: (w * x[:, None]).sum()),
    ("x.unsqueeze(0).squeeze(0) * x", {"x": V}, lambda x: x * x),
]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_a_shape_spelling_computes_numpys_value(text, values, reference):
    found = compute(text, values)
    expected = reference(*values.values())
    assert np.shape(found.value) == np.shape(expected)
    np.testing.assert_allclose(found.value, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_gradients_through_shape_spellings_match_central_differences(text, values, reference):
    found = compute(text, values)
    for name, expected in numeric_gradients(text, values).items():
        assert np.shape(found.gradient[name]) == np.shape(values[name])
        np.testing.assert_allclose(found.gradient[name], expected, rtol=1e-6, atol=1e-6, err_msg=name)


def test_the_gradient_of_a_weighted_sum_through_unsqueeze_is_written_out_by_hand():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    found = compute("(w * v.unsqueeze(1)).sum()", {"v": np.array([1.0, 2.0]), "w": w})
    assert found.value == 1 * 1 + 2 * 1 + 3 * 2 + 4 * 2
    np.testing.assert_array_equal(found.gradient["v"], [3.0, 7.0])           # the rows of w summed
    np.testing.assert_array_equal(found.gradient["w"], [[1.0, 1.0], [2.0, 2.0]])


@pytest.mark.parametrize("text, x, message, hint", [
    ("x.squeeze(1)", "[[1, 2, 3]]", "cannot squeeze axis 1 of shape (1,3): its length is 3, not 1",
     "write the value itself"),
    ("np.squeeze(x, axis=(0, 1))", "[[1, 2, 3]]", "cannot squeeze axis 1 of shape (1,3)", "PyTorch"),
    ("x.squeeze(2)", "[[1, 2, 3]]", "axis 2 is out of range for squeeze of shape (1,3)", "0 and 1"),
    ("x.unsqueeze(2)", "[1, 2]", "axis 2 is out of range for putting in an axis", "-2 to 1"),
    ("np.expand_dims(x, -3)", "[1, 2]", "axis -3 is out of range for putting in an axis", "-2 to 1"),
    ("x.unsqueeze(0.5)", "[1, 2]", "the axis of unsqueeze must be a whole number", "axis=0"),
    ("x[:, :, None]", "[1, 2]", "too many indices", "at most 1 index"),
    ("x[:, None]", "3", "cannot index a scalar", "index a vector"),
])
def test_a_wrong_axis_is_bad_input_with_a_caret_and_a_hint(text, x, message, hint):
    result = run(text, "--x", x)
    assert_error(result, 2, message, caret_line="  " + "^" * len(text))
    assert "hint: " in result.stderr and hint in result.stderr


def test_none_among_index_arrays_is_refused():
    result = run("x[i, None]", "--x", "[1, 2]", "--i", "[0, 1]")
    assert_error(result, 2, "None among index arrays is not read")
    assert "hint: " in result.stderr


@pytest.mark.parametrize("text", ["x.squeeze() ** 3", "x.unsqueeze(0).squeeze(0) ** 3", "(x[None] ** 3).sum()"])
def test_higher_derivatives_pass_through_the_axes_of_size_1(text):
    result = run(text, "--x", "2", "--order", "3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["derivative"]["values"] == [12.0, 12.0, 6.0]     # 3x², 6x, 6 at 2


def test_the_hessian_passes_through_unsqueeze():
    found = compute("((x[:, None] * x[None, :]) ** 2).sum()", {"x": np.array([1.0, 2.0])})
    assert found.value == 25.0                                          # (Σ x²)²
    np.testing.assert_allclose(found.gradient["x"], [20.0, 40.0])       # 4 (Σ x²) x
    result = run("(x.unsqueeze(1) ** 3).sum()", "--x", "[1, 2]", "--hessian", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hessian"]["matrix"] == [[6.0, 0.0], [0.0, 12.0]]     # 6x on the diagonal
