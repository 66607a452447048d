"""Arrays joined and axes moved, as pasted code spells it: np.concatenate, torch.cat, tf.concat, np/torch/tf.stack,
x.permute, np.transpose(x, axes), torch.transpose(x, 0, 2), np.swapaxes; and the casts and 0-d shapes that
change no number (tf.cast(x, tf.float32), torch.ones(())). Values against numpy's, gradients against central
differences, and PyTorch 2.13's own numbers (float64, run by hand in the oracle venv) where PyTorch's reading
is the question (which axes torch.transpose swaps)."""

import json

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run

from gradcalc import compute

M = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])       # (2, 3)
R = np.array([[1.0, 2.0, -3.0]])                          # (1, 3)
V = np.array([0.4, -0.9, 1.3])
U = np.array([1.1, 0.2, -0.5])
W33 = np.array([[0.3, -1.1, 2.5], [0.9, 0.2, -0.4], [1.0, 2.0, 3.0]])
CUBE = np.arange(24.0).reshape(2, 3, 4) / 10
W432 = np.linspace(-1, 1, 24).reshape(4, 3, 2)
W423 = np.linspace(-1, 1, 24).reshape(4, 2, 3)

# (text, values, numpy's value of the expression)
CASES = [
    ("(w * np.concatenate([x, y]) ** 2).sum()", {"x": M, "y": R, "w": W33},
     lambda x, y, w: (w * np.concatenate([x, y]) ** 2).sum()),
    ("(np.concatenate((x, x * y), axis=1) ** 3).sum()", {"x": M, "y": M},
     lambda x, y: (np.concatenate((x, x * y), axis=1) ** 3).sum()),
    ("torch.cat([x, y, x], dim=0).pow(2).mean()", {"x": M, "y": R},
     lambda x, y: (np.concatenate([x, y, x]) ** 2).mean()),
    ("tf.reduce_sum(tf.concat([x, y], -1) ** 2 * np.arange(6.0))", {"x": V, "y": U},
     lambda x, y: (np.concatenate([x, y]) ** 2 * np.arange(6.0)).sum()),
    ("jnp.concatenate([x, y], axis=None) @ np.arange(9.0)", {"x": M, "y": R},
     lambda x, y: np.concatenate([x.ravel(), y.ravel()]) @ np.arange(9.0)),
    ("(np.stack([x, y]) ** 2 * x).sum()", {"x": V, "y": U}, lambda x, y: (np.stack([x, y]) ** 2 * x).sum()),
    ("(torch.stack((x, 2 * y), dim=1) @ np.array([2.0, -1.0])).pow(2).sum()", {"x": V, "y": U},
     lambda x, y: ((np.stack([x, 2 * y], axis=1) @ np.array([2.0, -1.0])) ** 2).sum()),
    ("tf.stack([x, y, x * y], axis=-1).sum(axis=0) @ np.array([1.0, 2.0, 3.0])", {"x": M, "y": M},
     lambda x, y: np.stack([x, y, x * y], axis=-1).sum(axis=0) @ np.array([1.0, 2.0, 3.0])),
    ("np.stack([a, b * a, b]) @ np.array([1.0, -2.0, 0.5])", {"a": 1.5, "b": -0.5},
     lambda a, b: np.stack([a, b * a, b]) @ np.array([1.0, -2.0, 0.5])),
    ("(w * torch.transpose(c, 0, 2) ** 2).sum()", {"c": CUBE, "w": W432},
     lambda c, w: (w * np.swapaxes(c, 0, 2) ** 2).sum()),
    ("(w * c.permute(2, 0, 1) ** 3).sum()", {"c": CUBE, "w": W423},
     lambda c, w: (w * np.transpose(c, (2, 0, 1)) ** 3).sum()),
    ("(w * np.transpose(c, (2, 0, 1)) ** 3).sum()", {"c": CUBE, "w": W423},
     lambda c, w: (w * np.transpose(c, (2, 0, 1)) ** 3).sum()),
    ("(w * tf.transpose(c, perm=[2, 0, 1]) ** 3).sum()", {"c": CUBE, "w": W423},
     lambda c, w: (w * np.transpose(c, (2, 0, 1)) ** 3).sum()),
    ("(w * c.transpose(2, 0, 1) ** 3).sum()", {"c": CUBE, "w": W423},
     lambda c, w: (w * np.transpose(c, (2, 0, 1)) ** 3).sum()),
    ("(w * np.transpose(c) ** 2).sum()", {"c": CUBE, "w": W432}, lambda c, w: (w * np.transpose(c) ** 2).sum()),
    ("(w * np.swapaxes(c, 0, -1) ** 2).sum()", {"c": CUBE, "w": W432},
     lambda c, w: (w * np.swapaxes(c, 0, -1) ** 2).sum()),
    ("(x.transpose(0, 1) @ x).sum()", {"x": M}, lambda x: (x.T @ x).sum()),
    ("tf.cast(x, tf.float32) ** 2 * x.to(torch.float64)", {"x": V}, lambda x: x ** 3),
    ("(x.astype(np.float32) * torch.ones(())).sum()", {"x": M}, lambda x: x.sum()),
    ("np.nansum(x * y)", {"x": M, "y": M}, lambda x, y: np.nansum(x * y)),
]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_a_joining_spelling_computes_numpys_value(text, values, reference):
    found = compute(text, values)
    expected = reference(*values.values())
    assert np.shape(found.value) == np.shape(expected)
    np.testing.assert_allclose(found.value, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_gradients_through_joining_match_central_differences(text, values, reference):
    found = compute(text, values)
    for name, expected in numeric_gradients(text, values).items():
        assert np.shape(found.gradient[name]) == np.shape(values[name])
        np.testing.assert_allclose(found.gradient[name], expected, rtol=1e-6, atol=1e-6, err_msg=name)


# PyTorch 2.13's numbers (float64): torch.transpose(c, 0, 2) swaps axes 0 and 2 of a 3-d tensor (gradcalc
# swapped the last two before), and the gradient of cat and stack is the upstream cut back into the parts.
def test_pytorch_s_cat_stack_transpose_and_permute_numbers():
    x, y = M, R
    found = compute("(w * torch.cat([x, y], dim=0) ** 2).sum()", {"x": x, "y": y, "w": W33})
    assert found.value == pytest.approx(46.338, abs=1e-12)
    np.testing.assert_allclose(found.gradient["x"], [[0.3, 2.64, 10.0], [2.7, 0.12, 0.56]], atol=1e-12)
    np.testing.assert_allclose(found.gradient["y"], [[2.0, 8.0, -18.0]], atol=1e-12)
    found = compute("(w * torch.transpose(c, 0, 2) ** 2).sum()", {"c": CUBE, "w": W432})
    assert found.value == pytest.approx(7.6, abs=1e-12)
    np.testing.assert_allclose(np.ravel(found.gradient["c"])[:6], [
        -0.0, -0.09565217391304348, 0.017391304347826098, 0.33913043478260874, -0.6608695652173914,
        -0.30434782608695654], atol=1e-12)
    found = compute("(w * c.permute(2, 0, 1) ** 3).sum()", {"c": CUBE, "w": W423})
    assert found.value == pytest.approx(20.152, abs=1e-12)
    np.testing.assert_allclose(np.ravel(found.gradient["c"])[-3:], [-0.5752173913043482, 6.944347826086958,
                                                                     15.869999999999997], atol=1e-12)
    found = compute("(torch.stack([a, b], dim=1) @ torch.tensor([2.0, -1.0])).pow(2).sum()",
                    {"a": np.array([1.0, 2.0]), "b": np.array([3.0, -1.0])})
    assert found.value == 26.0
    np.testing.assert_array_equal(found.gradient["a"], [-4.0, 20.0])
    np.testing.assert_array_equal(found.gradient["b"], [2.0, -10.0])


def test_the_gradient_of_concatenate_is_the_upstream_cut_back_by_hand():
    found = compute("np.concatenate([x, y]) @ np.array([1.0, 2.0, 3.0, 4.0, 5.0])",
                    {"x": np.array([1.0, 1.0]), "y": np.array([1.0, 1.0, 1.0])})
    np.testing.assert_array_equal(found.gradient["x"], [1.0, 2.0])
    np.testing.assert_array_equal(found.gradient["y"], [3.0, 4.0, 5.0])


@pytest.mark.parametrize("text", ["(np.concatenate([x, x ** 2]) ** 2).sum()", "(torch.stack([x, x]) ** 3).sum()",
                                  "(np.transpose(x[None] * x[None], (1, 0)) ** 2).sum()"])
def test_higher_derivatives_pass_through_joining(text):
    result = run(text, "--x", "[2]", "--hessian", "--json")
    assert result.exit_code == 0, result.output
    found = compute(text, {"x": np.array([2.0])})
    step = 1e-4
    up = compute(text, {"x": np.array([2.0 + step])}).gradient["x"][0]
    down = compute(text, {"x": np.array([2.0 - step])}).gradient["x"][0]
    hessian = np.ravel(json.loads(result.stdout)["hessian"]["matrix"])[0]
    assert hessian == pytest.approx((up - down) / (2 * step), rel=1e-6)
    assert found.gradient["x"][0] != 0


def test_order_reads_concatenate_and_stack_as_linear():
    result = run("(np.concatenate([np.stack([x, 2 * x]), x[None]]) ** 3).sum()", "--x", "2", "--order", "3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["derivative"]["values"] == [120.0, 120.0, 60.0]    # 10x³: 30x², 60x, 60


@pytest.mark.parametrize("text, values, message, hint", [
    ("np.concatenate([x, y])", ("--x", "2", "--y", "3"), "a single number cannot be concatenated", "stack"),
    ("np.concatenate([x, y])", ("--x", "[1, 2]", "--y", "[[1, 2]]"), "concatenate joins arrays with as many axes",
     "reshape"),
    ("torch.cat([x, y], dim=1)", ("--x", "[[1, 2]]", "--y", "[[1], [2]]"), "cannot be joined along axis 1",
     "agree on every other axis"),
    ("np.stack([x, y])", ("--x", "[1, 2]", "--y", "[1, 2, 3]"), "cannot be joined along axis 0", "stack needs"),
    ("x.permute(1, 1)", ("--x", "[[1, 2]]",), "are not an order of the 2 axes", "(1, 0)"),
    ("x.permute(0, 1, 2)", ("--x", "[[1, 2]]",), "are not an order of the 2 axes", "name each"),
    ("torch.transpose(x, 0, 2)", ("--x", "[[1, 2]]",), "axis 2 is out of range", "0 and 1"),
])
def test_joining_what_does_not_fit_is_bad_input_with_a_caret_and_a_hint(text, values, message, hint):
    result = run(text, *values)
    assert_error(result, 2, message, caret_line="  " + "^" * len(text))
    assert "hint: " in result.stderr and hint in result.stderr


@pytest.mark.parametrize("text, message", [
    ("np.concatenate(x)", "takes a list or tuple of arrays written in the call"),
    ("tf.cast(x, tf.int32) * 2", "a cast to int32 changes the numbers"),
    ("x.astype(np.bool_)", "a cast to bool_ changes the numbers"),
    ("torch.transpose(x, 0)", "transpose takes two axes to swap"),
])
def test_what_gradcalc_does_not_read_the_same_is_refused(text, message):
    result = run(text, "--x", "[[1, 2], [3, 4]]")
    assert_error(result, 2, message)
    assert "hint: " in result.stderr


def test_a_float_cast_keeps_the_gradient_and_nansum_passes_it_to_numbers():
    found = compute("tf.reduce_sum(tf.where(tf.math.is_nan(x), tf.zeros_like(x), x) ** 2)", {"x": V})
    np.testing.assert_allclose(found.gradient["x"], 2 * V)
    found = compute("torch.isnan(x).sum() + x.sum()", {"x": V})
    assert found.value == pytest.approx(V.sum())
    np.testing.assert_array_equal(found.gradient["x"], [1.0, 1.0, 1.0])


@pytest.mark.parametrize("text, reference", [
    ("(w * x[..., None]).sum()", lambda x, w: (w * x[..., None]).sum()),
    ("(x[..., 1] ** 3).sum()", lambda x, w: (x[..., 1] ** 3).sum()),
    ("(x[None, ...] * x[..., None, 0]).sum()", lambda x, w: (x[None, ...] * x[..., None, 0]).sum()),
    ("(x[0, ..., 1:] ** 2).sum()", lambda x, w: (x[0, ..., 1:] ** 2).sum()),
])
def test_an_ellipsis_stands_for_the_axes_not_named(text, reference):
    # PyTorch: (x[..., None] * w).sum() = 30 with x.grad = w's column, (x[..., 1]**3).sum() = 72, x.grad [[0, 12], [0, 48]]
    x, w = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[[1.0], [2.0]], [[3.0], [4.0]]])
    found = compute(text, {"x": x, "w": w} if "w" in text else {"x": x})
    assert found.value == pytest.approx(reference(x, w))
    numeric = numeric_gradients(text, {"x": x, "w": w} if "w" in text else {"x": x})["x"]
    np.testing.assert_allclose(found.gradient["x"], numeric, atol=1e-6)
    if text.startswith("(x[..., 1]"):
        np.testing.assert_array_equal(found.gradient["x"], [[0.0, 12.0], [0.0, 48.0]])


def test_an_ellipsis_twice_is_refused():
    result = run("x[..., ...]", "--x", "[[1, 2]]")
    assert_error(result, 2, "has ... twice")
