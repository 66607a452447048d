"""Masks as pasted code writes them: x[x > 0], x[~torch.isnan(x)] (d2l's nansum), np.extract, tf.boolean_mask,
~ of a mask, np/torch.logical_not/and/or, torch.isnan and tf.math.is_nan; where(c) with a condition alone gives
indices and is refused. Values against numpy's; the gradient of the elements taken is 1 where the mask holds and
0 elsewhere (PyTorch: x[x > 0].sum().backward() leaves x.grad = (x > 0)), also against central differences."""

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run

from gradcalc import compute

X = np.array([1.2, -2.0, 3.0, 0.5])
M = np.array([[1.5, 2.5], [-3.0, 0.25]])

CASES = [
    ("(x[x > 0] ** 2).sum()", {"x": X}, lambda x: (x[x > 0] ** 2).sum()),
    ("x[~torch.isnan(x)].sum()", {"x": X}, lambda x: x[~np.isnan(x)].sum()),
    ("x[np.logical_and(x > 0, x < 2)] @ np.array([2.0, 3.0])", {"x": X},
     lambda x: x[np.logical_and(x > 0, x < 2)] @ np.array([2.0, 3.0])),
    ("(m[m >= 1] ** 3).sum()", {"m": M}, lambda m: (m[m >= 1] ** 3).sum()),
    ("np.extract(m < 1, m) @ np.array([1.0, -1.0])", {"m": M}, lambda m: np.extract(m < 1, m) @ np.array([1.0, -1.0])),
    ("(x[~(x > 2.5)] * x[np.logical_or(x < 0, x > 2)].sum()).sum()", {"x": X},
     lambda x: (x[~(x > 2.5)] * x[np.logical_or(x < 0, x > 2)].sum()).sum()),
    ("(np.logical_not(x > 1) * x ** 2).sum()", {"x": X}, lambda x: (np.logical_not(x > 1) * x ** 2).sum()),
    # True and False written out are a mask (they were read as the indices 1 and 0)
    ("(x[[True, False, True, False]] ** 2).sum()", {"x": X}, lambda x: (x[[True, False, True, False]] ** 2).sum()),
    ("keep = np.array([False, True, True, True])\ny = (x[keep] * x[keep]).sum()", {"x": X},
     lambda x: (x[np.array([False, True, True, True])] ** 2).sum()),
    ("(m[[[True, False], [False, True]]] ** 3).sum()", {"m": M}, lambda m: (m[np.array([[True, False], [False, True]])] ** 3).sum()),
    ("(m[[False, True]] * 2).sum()", {"m": M}, lambda m: (m[np.array([False, True])] * 2).sum()),
]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_a_mask_takes_numpys_elements(text, values, reference):
    found = compute(text, values)
    np.testing.assert_allclose(found.value, reference(*values.values()), rtol=1e-12)


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_gradients_through_a_mask_match_central_differences(text, values, reference):
    found = compute(text, values)
    for name, expected in numeric_gradients(text, values).items():
        np.testing.assert_allclose(found.gradient[name], expected, rtol=1e-6, atol=1e-6, err_msg=name)


def test_the_gradient_of_the_elements_taken_is_the_mask_as_pytorch_gives_it():
    found = compute("x[x > 0].sum()", {"x": X})
    np.testing.assert_array_equal(found.gradient["x"], [1.0, 0.0, 1.0, 1.0])


def test_the_tilde_of_a_comparison_is_its_logical_not():
    found = compute("~(x > 0) * x", {"x": X})        # ~ was refused as an unexpected character
    np.testing.assert_array_equal(found.value, [0.0, -2.0, 0.0, 0.0])
    np.testing.assert_array_equal(found.gradient["x"], [0.0, 1.0, 0.0, 0.0])


def test_d2l_s_nansum_reads_with_the_tilde():
    program = ("def nansum(x):\n    # Define nansum, as pytorch doesn't offer it inbuilt.\n    return x[~torch.isnan(x)].sum()\n\n"
               "def joint_entropy(p_xy):\n    joint_ent = -p_xy * torch.log2(p_xy)\n    out = nansum(joint_ent)\n    return out\n\n"
               "joint_entropy(torch.tensor([[0.1, 0.5], [0.1, 0.3]]))")
    found = compute(program, {})
    p = np.array([[0.1, 0.5], [0.1, 0.3]])
    assert found.value == pytest.approx(-(p * np.log2(p)).sum(), rel=1e-12)


@pytest.mark.parametrize("text, message, hint", [
    ("~x", "~ is read as the logical not of a mask", "~(x > 0)"),
    ("torch.where(x > 0)", "where with only a condition gives the indices where it holds", "x[c]"),
    ("np.where(x > 0, x)", "where with only a condition gives the indices", "where(c, x, y)"),
])
def test_what_is_no_mask_or_gives_indices_is_refused(text, message, hint):
    result = run(text, "--x", "[1, -2, 3]")
    assert_error(result, 2, message)
    assert hint in result.stderr


def test_a_mask_of_the_rows_takes_rows_as_pytorch_does():
    # PyTorch: x[r] with r = [False, True] of [[1, 2], [3, 4]], (x[r]**2).sum() = 25, x.grad [[0, 0], [6, 8]]
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    for text in ("(x[r > 0] ** 2).sum()", "(tf.boolean_mask(x, r) ** 2).sum()"):
        found = compute(text, {"x": x, "r": np.array([0.0, 1.0])})
        assert found.value == 25.0
        np.testing.assert_array_equal(found.gradient["x"], [[0.0, 0.0], [6.0, 8.0]])
    result = run("tf.boolean_mask(x, r, axis=1)", "--x", "[[1, 2]]", "--r", "[1, 0]")
    assert_error(result, 2, "a mask from another axis than the first is not read")
    result = run("x[r > 0]", "--x", "[[1, 2]]", "--r", "[1, 0, 1]")
    assert_error(result, 2, "a mask is read with the array's shape (1,2) or that of its first axes, got (3,)")


@pytest.mark.parametrize("text", ["x[np.array([1, 0, 1, 1], dtype=bool)].sum()",
                                  "m = torch.tensor([1, 0, 1, 1], dtype=torch.bool)\ny = x[m].sum()",
                                  "x[jnp.array([1, 0, 1, 1], dtype='bool')].sum()"])
def test_a_mask_made_with_dtype_bool_is_refused_not_read_as_indices(text):
    # x[[1, 0, 1, 1]] takes elements 1, 0, 1, 1: NumPy's x[mask] takes elements 0, 2, 3
    result = run(text, "--x", "[1.2, -2.0, 3.0, 0.5]")
    assert_error(result, 2, "dtype=bool is a mask")
    assert "hint: write the mask's items as True and False" in result.stderr
