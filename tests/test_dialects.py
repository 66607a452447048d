"""The dialects (gradcalc/dialects.py): each library's spelling gives the library's own value, checked
against numpy written out here, and gradients against central differences."""

import json
import math

import numpy as np
import pytest
from helpers import assert_error, numeric_gradients, run

from gradcalc import compute
from gradcalc import dialects

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
V = np.array([0.4, -0.9, 1.3])
W = np.array([[0.2, -0.5], [1.1, 0.4], [-0.3, 0.8]])
P = np.array([0.2, 0.7, 0.9])        # probabilities
T = np.array([0.0, 1.0, 1.0])        # targets
Z = np.array([[[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], [[3.0, 1.0, -2.0], [0.0, 4.0, 0.5]]])   # 2×2×3


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _erf(x):
    return np.vectorize(math.erf)(x)


# (text, values, the library's value written with numpy)
CASES = [
    ("np.sum(x, axis=0)", {"x": X}, lambda x: x.sum(axis=0)),
    ("np.sum(x, axis=1, keepdims=True)", {"x": X}, lambda x: x.sum(axis=1, keepdims=True)),
    ("x.sum(dim=1, keepdim=True)", {"x": X}, lambda x: x.sum(axis=1, keepdims=True)),
    ("x.sum(1)", {"x": X}, lambda x: x.sum(axis=1)),
    ("torch.sum(x, dim=-1)", {"x": X}, lambda x: x.sum(axis=-1)),
    ("x.mean()", {"x": X}, lambda x: x.mean()),
    ("np.mean(x, axis=0, keepdims=True)", {"x": X}, lambda x: x.mean(axis=0, keepdims=True)),
    ("tf.reduce_sum(x, 1)", {"x": X}, lambda x: x.sum(axis=1)),
    ("tf.reduce_mean(x)", {"x": X}, lambda x: x.mean()),
    ("tf.math.reduce_max(x)", {"x": X}, lambda x: x.max()),
    ("x.max()", {"x": X}, lambda x: x.max()),
    ("x.pow(2).sum()", {"x": V}, lambda x: (x ** 2).sum()),
    ("(2*x).exp().sum()", {"x": V}, lambda x: np.exp(2 * x).sum()),
    ("x.tanh()", {"x": V}, np.tanh),
    ("x.relu()", {"x": V}, lambda x: np.maximum(x, 0)),
    ("x.exp().sum(dim=1)", {"x": X}, lambda x: np.exp(x).sum(axis=1)),
    ("x.mm(w).clamp(min=0)", {"x": X, "w": W}, lambda x, w: np.maximum(x @ w, 0)),
    ("x.matmul(w).sum()", {"x": X, "w": W}, lambda x, w: (x @ w).sum()),
    ("v.dot(v)", {"v": V}, lambda v: v @ v),
    ("x.t()", {"x": X}, lambda x: x.T),
    ("x.T", {"x": X}, lambda x: x.T),
    ("torch.clamp(v, min=-0.5, max=1)", {"v": V}, lambda v: np.clip(v, -0.5, 1)),
    ("np.clip(v, a_min=0, a_max=None)", {"v": V}, lambda v: np.clip(v, 0, None)),
    ("tf.clip_by_value(v, -1, 1)", {"v": V}, lambda v: np.clip(v, -1, 1)),
    ("np.square(v)", {"v": V}, np.square),
    ("square(v) + add(v, 1)", {"v": V}, lambda v: v ** 2 + v + 1),
    ("tf.multiply(v, v)", {"v": V}, lambda v: v * v),
    ("torch.mm(x, w)", {"x": X, "w": W}, lambda x, w: x @ w),
    ("np.dot(x, w)", {"x": X, "w": W}, lambda x, w: x @ w),
    ("jnp.tanh(jnp.dot(x, w))", {"x": X, "w": W}, lambda x, w: np.tanh(x @ w)),
    ("jax.nn.relu(v)", {"v": V}, lambda v: np.maximum(v, 0)),
    ("jax.nn.gelu(v)", {"v": V}, _gelu_tanh),
    ("jax.nn.gelu(v, approximate=False)", {"v": V}, lambda v: v * 0.5 * (1 + _erf(v / math.sqrt(2)))),
    ("F.gelu(v)", {"v": V}, lambda v: v * 0.5 * (1 + _erf(v / math.sqrt(2)))),
    ("jax.nn.softmax(x)", {"x": X}, _softmax),
    ("F.softmax(x, dim=0)", {"x": X}, lambda x: _softmax(x, 0)),
    ("F.softmax(x, dim=1)", {"x": X}, lambda x: _softmax(x, 1)),
    ("F.log_softmax(x, dim=1)", {"x": X}, lambda x: np.log(_softmax(x, 1))),
    ("jax.nn.log_softmax(x, axis=0)", {"x": X}, lambda x: np.log(_softmax(x, 0))),
    ("scipy.special.logsumexp(x)", {"x": X}, lambda x: np.log(np.exp(x).sum())),
    ("torch.logsumexp(x, dim=1)", {"x": X}, lambda x: np.log(np.exp(x).sum(axis=1))),
    ("torch.logsumexp(x, 0, keepdim=True)", {"x": X}, lambda x: np.log(np.exp(x).sum(axis=0, keepdims=True))),
    ("tf.reduce_logsumexp(x, axis=1)", {"x": X}, lambda x: np.log(np.exp(x).sum(axis=1))),
    ("F.mse_loss(v, t)", {"v": V, "t": T}, lambda v, t: ((v - t) ** 2).mean()),
    ("F.l1_loss(v, t)", {"v": V, "t": T}, lambda v, t: np.abs(v - t).mean()),
    ("F.binary_cross_entropy(p, t)", {"p": P, "t": T},
     lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()),
    ("F.binary_cross_entropy_with_logits(v, t)", {"v": V, "t": T},
     lambda v, t: -(t * np.log(1 / (1 + np.exp(-v))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-v)))).mean()),
    ("tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=v)", {"v": V, "t": T},
     lambda v, t: -(t * np.log(1 / (1 + np.exp(-v))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-v))))),
    ("tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=v)", {"v": V, "t": T},
     lambda v, t: -(t * np.log(_softmax(v))).sum()),
    ("tf.nn.leaky_relu(v)", {"v": V}, lambda v: np.where(v > 0, v, 0.2 * v)),
    ("F.leaky_relu(v)", {"v": V}, lambda v: np.where(v > 0, v, 0.01 * v)),
    ("F.leaky_relu(v, negative_slope=0.1)", {"v": V}, lambda v: np.where(v > 0, v, 0.1 * v)),
    ("torch.var(v)", {"v": V}, lambda v: v.var(ddof=1)),
    ("torch.std(v, unbiased=False)", {"v": V}, lambda v: v.std()),
    ("np.var(v)", {"v": V}, lambda v: v.var()),
    ("np.std(v, ddof=1)", {"v": V}, lambda v: v.std(ddof=1)),
    ("np.linalg.norm(v)", {"v": V}, np.linalg.norm),
    ("np.linalg.norm(v, ord=1)", {"v": V}, lambda v: np.linalg.norm(v, 1)),
    ("np.linalg.norm(v, 3)", {"v": V}, lambda v: np.linalg.norm(v, 3)),
    ("torch.norm(x)", {"x": X}, np.linalg.norm),
    ("np.logaddexp(v, t)", {"v": V, "t": T}, np.logaddexp),
    ("scipy.special.expit(v)", {"v": V}, lambda v: 1 / (1 + np.exp(-v))),
    ("scipy.special.logit(p)", {"p": P}, lambda p: np.log(p / (1 - p))),
    ("scipy.special.xlogy(t + 1, p)", {"t": T, "p": P}, lambda t, p: (t + 1) * np.log(p)),
    ("F.logsigmoid(v)", {"v": V}, lambda v: np.log(1 / (1 + np.exp(-v)))),
    ("F.linear(x, w.T)", {"x": X, "w": W}, lambda x, w: x @ w),
    ("F.linear(x, w.T, b)", {"x": X, "w": W, "b": np.array([0.1, -0.2])}, lambda x, w, b: x @ w + b),
    ("lax.stop_gradient(v) * v", {"v": V}, lambda v: v * v),
    ("tf.squared_difference(v, t)", {"v": V, "t": T}, lambda v, t: (v - t) ** 2),
    ("tf.nn.l2_loss(v)", {"v": V}, lambda v: (v ** 2).sum() / 2),
    ("torch.rsqrt(p)", {"p": P}, lambda p: p ** -0.5),
    ("x.exp().sum(dim=1, keepdim=True).log()", {"x": X}, lambda x: np.log(np.exp(x).sum(axis=1, keepdims=True))),
    ("math.log(p, 2) + math.pi", {"p": P[0]}, lambda p: math.log(p, 2) + math.pi),
    ("np.exp(-v) * np.pi + torch.e", {"v": V}, lambda v: np.exp(-v) * np.pi + np.e),
    ("x.reshape(3, 2)", {"x": X}, lambda x: x.reshape(3, 2)),
    ("x.view(-1) * v.repeat", {"x": X, "v.repeat": None}, None),
    ("(x.view(-1) ** 2).sum()", {"x": X}, lambda x: (x.reshape(-1) ** 2).sum()),
    ("x.reshape(3, -1) @ w.T", {"x": X, "w": W}, lambda x, w: x.reshape(3, -1) @ w.T),
    ("np.reshape(x, 6)", {"x": X}, lambda x: np.reshape(x, 6)),
    ("x.flatten()", {"x": X}, lambda x: x.flatten()),
    ("np.max(x, axis=0)", {"x": X}, lambda x: x.max(axis=0)),
    ("x.max(dim=1)[0]", {"x": X}, lambda x: x.max(axis=1)),
    ("x.max(dim=1).values", {"x": X}, lambda x: x.max(axis=1)),
    ("torch.max(x, 1)[0]", {"x": X}, lambda x: x.max(axis=1)),
    ("x.max(axis=1)[0]", {"x": X}, lambda x: x.max(axis=1)[0]),
    ("x - x.max(dim=1, keepdim=True)[0]", {"x": X}, lambda x: x - x.max(axis=1, keepdims=True)),
    ("np.min(x, axis=1, keepdims=True)", {"x": X}, lambda x: x.min(axis=1, keepdims=True)),
    ("x.amin(0)", {"x": X}, lambda x: x.min(axis=0)),
    ("tf.reduce_max(x, axis=1)", {"x": X}, lambda x: x.max(axis=1)),
    ("F.sum(x, axis=0)", {"x": X}, lambda x: x.sum(axis=0)),                     # DeZero's functions as F
    ("mean(square(log(x + 2) - log(v + 2)), axis=-1)", {"x": X, "v": V},        # Keras' MSLE, bare names
     lambda x, v: np.mean(np.square(np.log(x + 2) - np.log(v + 2)), axis=-1)),
    ("x.t().item", {"x": None}, None),
    ("(x.t() @ x).sum() + x.sum().double()", {"x": X}, lambda x: (x.T @ x).sum() + x.sum()),
    # Tuples (and TensorFlow's lists) as shapes and axes, in every library's spelling
    ("np.zeros((2, 3)) + x", {"x": X}, lambda x: np.zeros((2, 3)) + x),
    ("np.ones((3,)) * v", {"v": V}, lambda v: np.ones((3,)) * v),
    ("torch.ones((2, 3)) * x", {"x": X}, lambda x: np.ones((2, 3)) * x),
    ("jnp.zeros((2, 3)) - x", {"x": X}, lambda x: -x),
    ("tf.ones([2, 3]) * x", {"x": X}, lambda x: np.ones((2, 3)) * x),
    ("np.array((0.5, 1.0, 2.0)) * v", {"v": V}, lambda v: np.array((0.5, 1.0, 2.0)) * v),
    ("x.sum(axis=(0, 1))", {"x": X}, lambda x: x.sum(axis=(0, 1))),
    ("jnp.mean(x, axis=(0, 1))", {"x": X}, lambda x: x.mean(axis=(0, 1))),
    ("x.mean(dim=(0, 1), keepdim=True)", {"x": X}, lambda x: x.mean(axis=(0, 1), keepdims=True)),
    ("np.sum(x ** 2, axis=(1, 0), keepdims=True)", {"x": X}, lambda x: np.sum(x ** 2, axis=(1, 0), keepdims=True)),
    ("tf.reduce_mean(x, axis=[0, 1])", {"x": X}, lambda x: x.mean()),
    ("torch.sum(z, (2, 1))", {"z": Z}, lambda z: z.sum(axis=(2, 1))),
    ("torch.sum(z, dim=(0, -1))", {"z": Z}, lambda z: z.sum(axis=(0, -1))),
    ("z.mean(axis=(-3, 2), keepdims=True) * z", {"z": Z}, lambda z: z.mean(axis=(0, 2), keepdims=True) * z),
    ("tf.reduce_max(z, axis=[0, 2])", {"z": Z}, lambda z: z.max(axis=(0, 2))),
    ("jax.nn.softmax(x, axis=(0, 1))", {"x": X}, lambda x: np.exp(x) / np.exp(x).sum()),
    ("jax.scipy.special.logsumexp(z, axis=(1, 2))", {"z": Z}, lambda z: np.log(np.exp(z).sum(axis=(1, 2)))),
    ("x.reshape((3, 2))", {"x": X}, lambda x: x.reshape((3, 2))),
    ("np.reshape(x, (3, -1))", {"x": X}, lambda x: x.reshape((3, -1))),
    ("np.reshape(x, newshape=(3, 2))", {"x": X}, lambda x: x.reshape((3, 2))),
    ("jnp.reshape(x, [6])", {"x": X}, lambda x: x.reshape(6)),
    ("x.view((6,))", {"x": X}, lambda x: x.reshape(6)),
    ("tf.reshape(x, [3, 2])", {"x": X}, lambda x: x.reshape(3, 2)),
    ("F.reshape(x, (6,))", {"x": X}, lambda x: x.reshape(6)),                      # DeZero's
]
CASES = [case for case in CASES if case[2] is not None]


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_a_library_spelling_computes_the_library_value(text, values, reference):
    found = compute(text, values)
    np.testing.assert_allclose(found.value, reference(*values.values()), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text, values, reference", CASES, ids=[c[0] for c in CASES])
def test_gradients_of_library_spellings_match_central_differences(text, values, reference):
    if "stop_gradient" in text:
        return     # by design not the derivative of the value (tested below)
    found = compute(text, values)
    numeric = numeric_gradients(text, values)
    for name, expected in numeric.items():
        np.testing.assert_allclose(found.gradient[name], expected, rtol=1e-6, atol=1e-6, err_msg=name)


def test_stop_gradient_and_detach_pass_no_gradient():
    for text in ("lax.stop_gradient(v) * v", "v.detach() * v", "tf.stop_gradient(v) * v", "v.data * v"):
        np.testing.assert_allclose(compute(text, v=V).gradient["v"], V)   # only the second factor's


def test_the_trace_labels_a_number_a_library_call_implies():
    result = run("np.square(x)", "--x", "3", "--plain")
    assert "x^2" in result.stdout


def test_every_table_entry_builds():
    # Each spelling of every namespace and method, called with its required arguments, builds a graph.
    from gradcalc.parse import parse

    for module, table in list(dialects.NAMESPACES.items()) + [("", dialects.METHODS)]:
        for function, spelling in table.items():
            needed = [p for p in spelling.params if p not in spelling.defaults]
            if module:
                text = f"{module}.{function}({', '.join('a' + str(i) for i in range(len(needed)))})"
            else:
                text = f"a0.{function}({', '.join('a' + str(i) for i in range(1, len(needed)))})"
            try:
                parse(text)
            except Exception as error:   # refusals must be GradcalcErrors with a hint
                from gradcalc.errors import GradcalcError

                assert isinstance(error, GradcalcError) and error.hint, (text, error)


@pytest.mark.parametrize("text, message, hint", [
    ("np.sum(x, axis=1.5)", "np.sum: the axis of sum must be a whole number", "axis=0"),
    ("F.mse_loss(x)", "F.mse_loss needs its argument y", "F.mse_loss(x, y, reduction='mean')"),
    ("np.sum(x, axis=0, axis=1)", "np.sum got axis twice", "np.sum(x, axis=None"),
    ("torch.frobnicate(x)", "unknown function 'torch.frobnicate'", "gradcalc reads these of torch"),
    ("x.reshape(4)", "cannot reshape shape (2,3) (6 numbers) into (4,)", "-1 stands for whatever size"),
    ("x.reshape(-1, -1)", "x.reshape: the shape must be whole numbers written in the call", "x.view(-1)"),
    ("x.max(1)[0]", "x.max(1)[0] can be read two ways", "x.max(dim=1).values"),
    ("x.max(dim=1)[1]", "the indices of a max or min carry no gradient", ".values"),
    ("np.prod(x, axis=0)", "prod along an axis is not supported yet", "prod(x)"),
    ("x.sum(axis=(0, 0))", "x.sum: an axis of sum is named twice", "axis=(0, 1)"),
    ("x.sum(axis=(0, -2))", "an axis of sum is named twice for shape (2,3)", "name each axis once"),
    ("x.sum(axis=(0, 2))", "axis 2 is out of range for sum of shape (2,3)", "0 and 1"),
    ("x.sum(axis=(0, 0.5))", "the axis of sum must be a whole number or a tuple of them", "axis=(0, 1)"),
    ("np.zeros((2, x))", "the shape of np.zeros must be numbers written in the call", "(2, 3)"),
    ("x.reshape((2, 3), 1)", "the shape must be whole numbers written in the call", "x.reshape((2, 3))"),
    ("x + (1, 2)", "(1, 2) is a tuple of 2 values, not one value", "np.zeros((2, 3))"),
    ("(x, 2*x)", "the output (x, 2*x) is a tuple of 2 values", "(x, if it is that one)"),
    ("x, 2*x", "the output x, 2*x is a tuple of 2 values", "run gradcalc once for each value"),
    ("a, b = f(x)", "unexpected '='", "unpacking is not read: name one value, a = f(x)[0] takes the first"),
    ("f(x, (1, 2)) = x", "f(…) = … lists the names of its inputs, and (1, 2) is not one", "plain names"),
    ("f(x, True) = x", "f(…) = … lists the names of its inputs, and True is not one", "plain names"),
    ("tf.reduce_sum(x, axis=[[0, 1]])", "axis of tf.reduce_sum must be a number or a list of numbers", "axis=(0, 1)"),
])
def test_dialect_slips_are_explained(text, message, hint):
    result = run(text, "--x", "[[1, 2, 3], [4, 5, 6]]")
    assert_error(result, 2, message)
    if hint:
        assert hint in result.stderr


# -- comparisons, where, a if c else b ------------------------------------------------------------------

@pytest.mark.parametrize("text, x, value, grad", [
    ("np.where(x > 0., x, 1.)", 2.0, 2.0, 1.0),
    ("np.where(x > 0., x, 1.)", -2.0, 1.0, 0.0),
    ("x**2 if x > 0 else -x", 3.0, 9.0, 6.0),
    ("x**2 if x > 0 else -x", -3.0, 3.0, -1.0),
    ("torch.where(x <= 1, 0.5*x**2, x - 0.5)", 0.5, 0.125, 0.5),    # a Huber loss with delta 1
    ("torch.where(x <= 1, 0.5*x**2, x - 0.5)", 3.0, 2.5, 1.0),
    ("(x >= 1)*x + (x != 2)", 3.0, 4.0, 1.0),
    ("lax.select(x < 0, -x, x)", -1.5, 1.5, -1.0),
])
def test_comparisons_are_masks_and_where_sends_the_gradient_to_the_branch_taken(text, x, value, grad):
    found = compute(text, x=x)
    assert found.value == pytest.approx(value) and found.gradient["x"] == pytest.approx(grad)
    assert numeric_gradients(text, {"x": x})["x"] == pytest.approx(grad, abs=1e-6)


def test_the_jax_faq_safe_log_has_a_finite_gradient_at_zero():
    # JAX FAQ: where(x > 0, log(where(x > 0, x, 1)), 0) keeps log away from 0, so no nan reaches the
    # gradient; gradcalc follows the branch taken and gives 0 at x = 0 and 1/x elsewhere.
    text = "jnp.where(x > 0, jnp.log(jnp.where(x > 0, x, 1)), 0)"
    assert compute(text, x=0.0).gradient["x"] == 0.0
    assert compute(text, x=2.0).gradient["x"] == pytest.approx(0.5)
    values = compute("sum(np.where(v > 0, np.log(np.where(v > 0, v, 1)), 0))", v=np.array([0.0, 2.0, 4.0]))
    np.testing.assert_allclose(values.gradient["v"], [0.0, 0.5, 0.25])


def test_where_on_arrays_matches_numpy():
    v = np.array([-1.0, 0.5, 2.0])
    found = compute("sum(np.where(v > 0, v**2, 3*v))", v=v)
    assert found.value == pytest.approx(np.where(v > 0, v ** 2, 3 * v).sum())
    np.testing.assert_allclose(found.gradient["v"], np.where(v > 0, 2 * v, 3.0))


@pytest.mark.parametrize("text,point,gradient", [("torch.clamp(x, min=0).sum()", "[-1, 2]", [0.0, 1.0]),
                                                 ("x.clamp(max=1)", "3", 0.0), ("F.relu(x).clamp(max=1)", "0.5", 1.0)])
@pytest.mark.parametrize("form", ["--json", "--plain", "-q"])
def test_one_sided_clamp_shows_in_every_output(text, point, gradient, form):
    # The missing bound was an infinite constant node: --json and the tables stopped with exit 70.
    from click.testing import CliRunner
    from gradcalc.cli import main

    result = CliRunner().invoke(main, [text, "--x", point, form])
    assert result.exit_code == 0, result.output
    if form == "--json":
        assert json.loads(result.stdout)["gradient"]["x"] == gradient


@pytest.mark.parametrize("text,point", [("np.clip(x, 0, None)", "-2"), ("np.sum(x, axis=None)", "[1, 2]"),
                                        ("x.sum(dim=None, keepdim=False)", "[1, 2]"),
                                        ("np.sum(x, axis=1, keepdims=True)", "[[1, 2]]")])
def test_a_word_written_as_a_setting_makes_no_node(text, point):
    # True, False and None written as settings are read when the program is read: no constant node
    # (None's was a NaN nothing used, which --json could not write).
    from click.testing import CliRunner
    from gradcalc.cli import main
    from gradcalc.parse import parse

    graph = parse(text)
    assert all(node.op is not None or node.name is not None or not np.isnan(graph.constants[node.id]).any()
               for node in graph.nodes)
    assert all(graph.text[node.span[0]:node.span[1]] not in ("None", "True", "False") for node in graph.nodes)
    result = CliRunner().invoke(main, [text, "--x", point, "--json"])
    assert result.exit_code == 0, result.output
    assert all(node["value"] is not None for node in json.loads(result.stdout)["nodes"])


@pytest.mark.parametrize("text, word", [("x + None", "None"), ("None", "None"), ("sin(True)", "True"),
                                        ("t = None; x", "None"), ("[None, 1]", "None"), ("-False", "False"),
                                        ("np.clip(x, True, 2)", "True"), ("x[True]", "True"),
                                        ("x + np.newaxis", "np.newaxis")])
def test_a_word_where_a_value_is_needed_is_bad_input(text, word):
    result = run(text, "--x", "[1, 2]")
    assert_error(result, 2, f"{word} is not a number")
    assert "setting of a call" in result.stderr


@pytest.mark.parametrize("text, reference", [
    ("torch.clamp(v, min=0.1)", lambda v: np.maximum(v, 0.1)), ("v.clamp(max=0.5)", lambda v: np.minimum(v, 0.5)),
    ("np.clip(v, None, 0.5)", lambda v: np.minimum(v, 0.5)), ("np.clip(v, a_min=-0.5, a_max=None)", lambda v: np.maximum(v, -0.5)),
])
def test_a_one_sided_clamp_has_no_other_bound(text, reference):
    # The missing bound is no node at all (it was the largest float, a number the trace showed).
    from gradcalc.parse import parse

    found = compute(text, v=V)
    np.testing.assert_allclose(found.value, reference(V))
    np.testing.assert_allclose(found.gradient["v"], numeric_gradients(text, {"v": V})["v"], atol=1e-6)
    graph = parse(text)
    assert all(np.abs(value).max() < 1e300 for value in graph.constants.values())


def test_a_one_sided_clamp_passes_the_gradient_at_its_bound():
    # PyTorch's convention: clamp(x, min=m) passes x's gradient on x ≥ m, the bound included.
    assert compute("torch.clamp(x, min=0)", x=0.0).gradient["x"] == 1.0
    assert compute("x.clamp(max=1)", x=1.0).gradient["x"] == 1.0
    assert compute("x.clamp(max=1)", x=1.5).gradient["x"] == 0.0


# -- programs pasted whole: values written in the code, prints, backward(), def and lambda -------------

MICROGRAD_README = """from micrograd.engine import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
g.backward()
print(f'{a.grad:.4f}') # prints 138.8338, i.e. the numerical value of dg/da
print(f'{b.grad:.4f}') # prints 645.5773, i.e. the numerical value of dg/db
"""


def test_the_micrograd_readme_program_gives_its_gradients_with_no_option():
    # micrograd's README prints 24.7041, 138.8338 and 645.5773.
    result = run(MICROGRAD_README, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["output"] == "g"
    assert round(data["value"], 4) == 24.7041
    assert round(data["gradient"]["a"], 4) == 138.8338 and round(data["gradient"]["b"], 4) == 645.5773
    assert "the output is g, as g.backward() asks" in result.stderr


def test_an_option_overrides_a_value_written_in_the_code():
    program = MICROGRAD_README.replace("Value(-4.0)", "Value(1.5)")
    expected = compute(program)
    found = compute(MICROGRAD_README, a=1.5)
    assert found.value == pytest.approx(expected.value)
    assert found.gradient["a"] == pytest.approx(expected.gradient["a"])
    numeric = numeric_gradients(MICROGRAD_README, {"a": 1.5, "b": 2.0})
    assert found.gradient["a"] == pytest.approx(numeric["a"], rel=1e-6)
    assert found.gradient["b"] == pytest.approx(numeric["b"], rel=1e-6)


@pytest.mark.parametrize("program, value, gradient", [
    ("a = Value(-4.0); a**2", 16.0, {"a": -8.0}),
    ("x = torch.tensor([2., 3.], requires_grad=True)\ny = (x**2).sum()\ny.backward()\nprint(x.grad)",
     13.0, {"x": [4.0, 6.0]}),
    ("x = np.array([1.0, 2.0])\nnp.sum(x**3)", 9.0, {"x": [3.0, 12.0]}),
    ("x = jnp.array(2.0)\njnp.sin(x)", math.sin(2.0), {"x": math.cos(2.0)}),
    ("x = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n  y = x**2\ndy_dx = tape.gradient(y, x)\n"
     "dy_dx.numpy()", 9.0, {"x": 6.0}),
    ("c = tf.constant([1.0, 2.0])\nw = tf.Variable(0.5)\ntf.reduce_sum(c * w)", 1.5, {"c": [0.5, 0.5], "w": 3.0}),
    ("a = Value(2.0, label='a'); b = Value(-3.0, label='b')\nc = a*b; c.label = 'c'\nc", -6.0, {"a": -3.0, "b": 2.0}),
    ("x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)\ny = x**3\nprint(y)", 8.0, {"x": 12.0}),
    ("x = Variable(np.array(1.5))\ny = x * x\ny.backward()", 2.25, {"x": 3.0}),      # DeZero
    ("x = Tensor([1.0, -2.0], requires_grad=True)\n(x * x).sum()", 5.0, {"x": [2.0, -4.0]}),   # tinygrad
    ("w = torch.zeros(2, requires_grad=True) + x\nw.sum()", 1.0, {"x": 2.0}),
    ("x = Tensor.eye(3, requires_grad=True)\ny = Tensor([[2.0, 0, -2.0]])\nz = y.matmul(x).sum()\nz.backward()",
     0.0, {"x": [[2.0] * 3, [0.0] * 3, [-2.0] * 3]}),    # tinygrad's README (y, made without requires_grad, has no .grad)
    ("x = np.eye(2)\n(x * 3).sum()", 6.0, {"x": [[3.0, 3.0], [3.0, 3.0]]}),
    ("t = jnp.array([True, False, True])\n(t * 2).sum()", 4.0, {"t": [2.0, 2.0, 2.0]}),
])
def test_values_written_in_the_code_make_inputs(program, value, gradient):
    found = compute(program, x=0.5) if "x =" not in program and " + x" in program else compute(program)
    assert found.value == pytest.approx(value)
    for name, expected in gradient.items():
        np.testing.assert_allclose(found.gradient[name], expected)


@pytest.mark.parametrize("program, name", [("w = torch.randn(3, requires_grad=True)\n(w**2).sum()", "w"),
                                           ("x = np.random.randn(3)\n(x**2).sum()", "x"),
                                           ("jax.random.normal(key) * 2", "x")])
def test_random_numbers_are_refused_asking_for_a_value(program, name):
    result = run(program)
    assert_error(result, 2, "random numbers are not read")
    assert f"--{name}" in result.stderr


@pytest.mark.parametrize("program, values, value, gradient", [
    ("def f(x):\n    return x**2 + 3*x", {"x": 2.0}, 10.0, {"x": 7.0}),
    ("def f(x): return x**2", {"x": 3.0}, 9.0, {"x": 6.0}),
    ("def f(x): y = 2*x; return y*x\nf(3.0)", {}, 18.0, {"x": 12.0}),
    ("f = lambda x: x**2 + 1", {"x": 3.0}, 10.0, {"x": 6.0}),
    ("f = lambda x, y: x*y", {"x": 3.0, "y": 4.0}, 12.0, {"x": 4.0, "y": 3.0}),
    ('def f(x, a=0.5):\n    """A docstring."""\n    h = a*x\n    return h*x', {"x": 2.0}, 2.0, {"x": 2.0, "a": 4.0}),
    ("def sigmoid(z):\n    return 1/(1+np.exp(-z))\n\ndef loss(w):\n    h = sigmoid(w*x)\n    return (h - y)**2\n\n"
     "loss(w)", {"x": 2.0, "y": 1.0, "w": 0.5}, (1 / (1 + math.exp(-1)) - 1) ** 2, None),
    ("import jax\nimport jax.numpy as jnp\n\ndef f(x):\n    return jnp.sin(x) * x\n\njax.grad(f)(3.0)", {},
     math.sin(3) * 3, {"x": math.sin(3) + 3 * math.cos(3)}),
    ("def f(x):\n  return x**3\ndf = jax.grad(f)\nprint(df(2.0))", {}, 8.0, {"x": 12.0}),
    ("f = lambda t: t**2\nout = f(x) + f(2*x)", {"x": 1.0}, 5.0, {"x": 10.0}),
    ("def f(x, y):\n    return x * y\nf(y=a, x=b)", {"a": 2.0, "b": 5.0}, 10.0, {"a": 5.0, "b": 2.0}),
    ("x = 3.0\ny = x**2\nprint(y)", {}, 9.0, {"x": 6.0}),
    ("a = Value(3.0)\nb = a**2\nprint(b.data)", {}, 9.0, {"a": 6.0}),
    ("y = x**3\ny.backward(torch.ones_like(y), retain_graph=True)", {"x": 2.0}, 8.0, {"x": 12.0}),
    ("def f(x, y):\n    return x*y\njax.grad(f, argnums=(0, 1))(2.0, 3.0)", {}, 6.0, {"x": 3.0, "y": 2.0}),
    ("@jax.jit\ndef f(x: float) -> float:\n    return x**2", {"x": 3.0}, 9.0, {"x": 6.0}),
    ("lambda x: torch.sin(x)", {"x": 0.7}, math.sin(0.7), {"x": math.cos(0.7)}),
    ("def f(x):\n# a comment at the margin\n    return x**3", {"x": 2.0}, 8.0, {"x": 12.0}),
    ("def f(x):\n    t = x * 2\n    return -t * x", {"x": 2.0}, -8.0, {"x": -8.0}),
    ("def f(x):\n    with torch.no_grad():\n        c = x ** 2\n    return x - c", {"x": 0.7}, 0.21, {"x": 1.0}),
    ("with torch.no_grad():\n    c = x ** 2\ny = x - c", {"x": 0.7}, 0.21, {"x": 1.0}),
    ("x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\ndy_dx = g.gradient(y, x)",
     {}, 9.0, {"x": 6.0}),
    ("def f(x):\n    x = x * 2\n    return x + 1\nf(x)", {"x": 1.0}, 3.0, {"x": 2.0}),
    # lambdas, read by the grammar (a text without other Python is never read by the pre-pass)
    ("f = lambda x, a=0.5: a*x**2", {"x": 2.0}, 2.0, {"x": 2.0, "a": 4.0}),
    ("g = lambda x: x**2\nprint(g(3.0))", {}, 9.0, {"x": 6.0}),
    ("def f(x):\n    g = lambda t: t**2\n    return g(x) + x", {"x": 3.0}, 12.0, {"x": 7.0}),
    ("import torch\nf = lambda x: x * torch.tensor([1., 2.], dtype=torch.float64)\nf(x).sum()", {"x": 3.0}, 9.0,
     {"x": 3.0}),
    ("sq = lambda t: t * t\ncube = lambda t: sq(t) * t\ncube(x) + sq(x)", {"x": 2.0}, 12.0, {"x": 16.0}),
    ("f = lambda x, y: x*y\nf(y=a, x=b)", {"a": 2.0, "b": 5.0}, 10.0, {"a": 5.0, "b": 2.0}),
])
def test_functions_are_evaluated_at_the_given_values(program, values, value, gradient):
    found = compute(program, values)
    assert found.value == pytest.approx(value)
    numeric = numeric_gradients(program, {**{k: v for k, v in found.inputs.items()}, **values})
    for name in found.inputs if "no_grad" not in program else ():   # no_grad: by design not d/dx
        assert found.gradient[name] == pytest.approx(numeric[name], abs=1e-6), name
    for name, expected in (gradient or {}).items():
        assert found.gradient[name] == pytest.approx(expected)


@pytest.mark.parametrize("program, note", [
    ("def f(x):\n    return x**2", "the output is f(x), the function defined last"),
    ("import numpy as np\nx = 2.0\nprint(np.exp(x))", "the output is what the last print shows"),
    ("y = x**2\ny.backward()", "the output is y, as y.backward() asks"),
    ("import torch\nx**2", "read as Python: import lines skipped"),
])
def test_what_was_taken_as_the_output_is_noted(program, note):
    result = run(program, "--x", "2")
    assert result.exit_code == 0, result.output
    assert note in result.output


@pytest.mark.parametrize("program, message, hint", [
    ("for w in ws:\n    x = x*w", "for w in ws: a loop is read over what the text fixes",
     "for w in [0.5, 1.0, 2.0]:"),
    ("if x > 0:\n    y = x", "y is assigned only where a condition decided by the values holds", "an else too"),
    ("while True:\n  x = x + 1", "the while loop runs more than 1000 steps", "one formula"),
    ("y = x if b is None else x*b", "is None tests whether a value was given", "write the branch"),
    ("return x**2\ny = 3*x", "return is not read here", "write x**2 alone"),
    ("y = lambda x: x**2 + lambda z: z", "unexpected", ""),
    ("jax.grad(lambda x: x**2)(3.0)", "is read when called with the lambda's own parameter names",
     "f = lambda x: x**2, and write jax.grad(f)(3.0)"),
    ("np.sum(x) + (lambda t: t)", "a lambda is a function, not a value", "f = lambda x: …"),
    ("f = lambda x: lambda y: x*y", "a lambda that returns a lambda is not read", "lambda x, y: …"),
    ("f = lambda x, x: x", "the parameter x is named twice", "name each parameter once"),
    ("f = lambda x, a=b: a*x", "the default of a must be a number", "give a its value with --a"),
    ("f = lambda x: (x**2, x)", "the output (x**2, x) is a tuple of 2 values", "x**2, if it is that one"),
    ("f = lambda t: f(t)\nf(x)", "f calls itself", "recursion"),
    ("@my_decorator\ndef f(x):\n    return x", "decorators are not read", "remove the @ line"),
    ("def f(x):\n    try:\n        y = x\n    except ValueError:\n        y = -x\n    return y", "Python's try statement is not read",
     "paste the lines"),
    ("def f(x):\n    y = x*2", "f returns nothing", "end f with return"),
    ("def f(x):\n    return f(x)\nf(x)", "f calls itself", "recursion"),
    ("def f(x, y):\n    return x*y\nf(x)", "f needs its argument y", "f(x, y)"),
    ("def f(x, *args):\n    return x", "the parameter *args is not read", "plain parameters"),
    ("class Net:\n    pass", "Python's class statement is not read", "paste the formula"),
    ("y = x**2\nx.grad.zero_()\nz = 2*x.grad", "a step that uses .grad is not read", "computes the gradients"),
    ("y = x**2\nq.backward()", "q.backward() asks for the gradient of q", "paste the lines"),
    ("y = x**2\n(y * 2).backward(v)", "backward(v) seeds the backward pass", "out.backward(v)"),   # y.backward(v) is read
    ("import numpy as np", "the program computes nothing", "paste the lines"),
])
def test_python_statements_gradcalc_does_not_read_say_what_to_type(program, message, hint):
    result = run(program, "--x", "2")
    assert_error(result, 2, message)
    assert hint in result.stderr


@pytest.mark.parametrize("program, message, hint", [
    ("def f(x):\n    return (x**2, x)", "the output (x**2, x) is a tuple of 2 values",
     "return x**2, if it is that one"),
    ("def f(x):\n    return x**2, x", "the output x**2, x is a tuple of 2 values", "has_aux=True differentiates the first"),
    ("def f(x):\n    return x**2, 3*x\ny = f(x) + 1", "f(x) is a tuple of 2 values, not one value", "write f(x)[0]"),
    ("def f(x):\n    return x**2, 3*x\ny = f(x)[2]", "a tuple of 2 values is indexed by one whole number, 0 to 1",
     "f(x)[0]"),
    ("def loss(w):\n    return w**2, w\ngrads, aux, more = jax.grad(loss, has_aux=True)(x)",
     "gives (∂loss/∂x, aux), 2 values, unpacked into 3 names", "write one name for each value"),
])
def test_a_tuple_where_one_value_is_needed_says_what_to_write(program, message, hint):
    result = run(program, "--x", "2")
    assert_error(result, 2, message)
    assert hint in result.stderr


@pytest.mark.parametrize("program, value, gradient", [
    ("def f(x):\n    return x**2, 3*x\ny = f(x)[0] + f(x)[1]", 10.0, 7.0),
    ("def f(x):\n    return (x**2, 3*x)\nf(x)[-1]", 6.0, 3.0),
    ("(x, 2*x)[1]", 4.0, 2.0),
])
def test_a_value_taken_from_a_returned_tuple_is_read(program, value, gradient):
    found = compute(program, x=2.0)
    assert found.value == pytest.approx(value) and found.gradient["x"] == pytest.approx(gradient)
    assert numeric_gradients(program, {"x": 2.0})["x"] == pytest.approx(gradient, abs=1e-6)


def test_a_name_that_is_a_python_keyword_elsewhere_stays_a_name():
    # lambda, if and for are read as Python only where they make a statement: lambda only with
    # parameters and a colon after it (the grammar's LAMBDA token), so a wavelength stays a name.
    assert compute("lambda*x + 1", {"lambda": 2.0, "x": 1.0}).value == 3.0
    assert compute("h*c/lambda", {"lambda": 0.5, "h": 2.0, "c": 3.0}).value == 12.0
    assert compute("lambda x", {"lambda": 2.0, "x": 1.5}).value == 3.0      # a product, as math text writes it
    assert compute("form = x*2; form + 1", x=1.0).value == 3.0


# -- an untaken branch undefined at the point ------------------------------------------------------------

SAFE_LOG = "jnp.where(x > 0, jnp.log(jnp.where(x > 0, x, 1.)), 0.)"     # the JAX FAQ's safe log


@pytest.mark.parametrize("text", [SAFE_LOG, "np.log(x) if x > 0 else 0."])
def test_an_untaken_branch_undefined_at_the_point_does_not_poison_the_answer(text):
    at_zero = compute(text, x=0.0)
    assert np.isfinite(at_zero.value) and at_zero.gradient["x"] in (0.0, -0.0)
    for x in (0.5, 2.0):   # elsewhere the gradient is the function's, by central differences
        assert compute(text, x=x).gradient["x"] == pytest.approx(numeric_gradients(text, {"x": x})["x"], abs=1e-6)
    if " if " in text:     # Python's conditional of an array: Python raises, and so does gradcalc's backward
        return
    v = np.array([0.0, 0.5, 2.0])
    found = compute(f"sum({text.replace('x', 'v')})", v=v)
    numeric = [numeric_gradients(text, {"x": x})["x"] if x else 0.0 for x in v]
    np.testing.assert_allclose(found.gradient["v"], numeric, atol=1e-6)


@pytest.mark.parametrize("text", ["jnp.where(x > 0, jnp.log(x), 0.)", "torch.where(x <= 0, 0., x * np.log(x))",
                                  "jnp.where(x != 0, jnp.sin(x) / x, 1.)"])
def test_a_naive_where_at_its_undefined_point_is_refused_as_the_frameworks_give_nan(text):
    # jax.grad of the naive where at 0 is nan (the reason for the JAX FAQ's safe log), and so is
    # PyTorch's: the 0 where passes to the branch it did not take times that branch's infinite derivative.
    assert_error(run(text, "--x", "0"), 3, "0 × inf is nan")
    assert compute(text, x=2.0).gradient["x"] == pytest.approx(numeric_gradients(text, {"x": 2.0})["x"], abs=1e-6)


def test_an_untaken_branch_shows_in_every_output():
    # log(c) at c = 0 in the branch not taken, no gradient asked of c: the forward pass's -inf shows
    args = ("jnp.where(x > 0, jnp.log(c), 0.) + x", "--x", "[0, 1]", "--c", "[0, 1]", "--wrt", "x")
    for form in ("--json", "--plain", "-q", "--latex", "--dot"):
        result = run(*args, form)
        assert result.exit_code == 0, (form, result.output)
    data = json.loads(run(*args, "--json").stdout)
    assert [1.0, 1.0] == data["gradient"]["x"]
    assert any(node["value"] == [None, 0.0] for node in data["nodes"])     # log([0, 1]): -inf is null


@pytest.mark.parametrize("text, x, message", [
    ("log(x)*0", 0.0, "log(0)"), ("1/(1/x)", 0.0, "1 / 0"), ("np.log(x) if x < 1 else 0.", 0.0, "log(0)"),
    ("jnp.where(jnp.log(x) > 0, 1., 2.)", 0.0, "log(0)"), ("t = log(x); 2*x", 0.0, "log(0)"),
    ("jnp.where(x > 0, jnp.log(x), 0.) + log(x)", 0.0, "log(0)"),
])
def test_a_value_not_finite_outside_an_untaken_branch_is_a_math_error(text, x, message):
    result = run(text, "--x", str(x))
    assert_error(result, 3, message)


# -- integer-array indexing ---------------------------------------------------------------------------

PROBS = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.25, 0.5], [0.1, 0.1, 0.8]])
LABELS = np.array([1.0, 0.0, 2.0, 2.0])


@pytest.mark.parametrize("text, values, reference", [
    ("-np.sum(np.log(probs[range(4), y]))", {"probs": PROBS, "y": LABELS},
     lambda probs, y: -np.log(probs[range(4), y.astype(int)]).sum()),
    ("-np.log(probs[range(N), y]).mean()", {"probs": PROBS, "y": LABELS, "N": 4.0},
     lambda probs, y, N: -np.log(probs[range(4), y.astype(int)]).mean()),
    ("(v[[0, 2, 2, 0]] * w).sum()", {"v": V, "w": np.array([1.0, 2.0, 3.0, 4.0])},
     lambda v, w: (v[[0, 2, 2, 0]] * w).sum()),
    ("(x[[1, 0], [2, 0]] ** 2).sum()", {"x": X}, lambda x: (x[[1, 0], [2, 0]] ** 2).sum()),
    ("(x[:, i] ** 3).sum()", {"x": X, "i": np.array([2.0, 2.0, 0.0])}, lambda x, i: (x[:, i.astype(int)] ** 3).sum()),
    ("x[i] * x[j]", {"x": V, "i": 2.0, "j": 0.0}, lambda x, i, j: x[2] * x[0]),
    ("v[range(3)] @ v", {"v": V}, lambda v: v @ v),
])
def test_integer_array_indexing_scatters_gradients_back(text, values, reference):
    found = compute(text, values)
    np.testing.assert_allclose(found.value, reference(*values.values()), rtol=1e-12)
    indices = {"y", "N", "i", "j"}
    numeric = numeric_gradients(text, values, wrt=[name for name in values if name not in indices])
    for name in values:
        expected = np.zeros_like(values[name]) if name in indices else numeric[name]   # indices get 0
        np.testing.assert_allclose(found.gradient[name], expected, atol=1e-6, err_msg=name)


def test_a_position_taken_twice_gets_both_upstreams():
    found = compute("(v[[0, 0, 2]] * w).sum()", v=V, w=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(found.gradient["v"], [3.0, 0.0, 3.0])      # np.add.at: 1 + 2 at 0


@pytest.mark.parametrize("text, values, message", [
    ("v[y]", {"y": "1.5"}, "an index must hold whole numbers"),
    ("v[y]", {"y": "[0, 3]"}, "an index is out of range for axis 0"),
    ("range(N) * 2", {"N": "3"}, "range(n) of a value is read only as an index"),
    ("v[range(N)]", {"N": "-1"}, "range(n) needs one whole number n ≥ 0"),
    ("range(1.5)", {}, "range needs a whole number n ≥ 0, got 1.5"),
])
def test_integer_array_indexing_slips_are_explained(text, values, message):
    args = [text, "--v", "[1, 2, 3]"] + [part for name, value in values.items() for part in (f"--{name}", value)]
    assert_error(run(*args), 2, message)


# -- a name given a value is that variable ------------------------------------------------------------

@pytest.mark.parametrize("text, values, value", [
    ("norm + beta", {"norm": 1.0, "beta": 2.0}, 3.0), ("var * 2", {"var": 1.5}, 3.0),
    ("x / norm", {"x": 4.0, "norm": 2.0}, 2.0), ("sum * gamma", {"sum": 2.0, "gamma": 3.0}, 6.0),
    ("np.sum(x) + sum", {"x": V, "sum": 1.0}, V.sum() + 1.0),
])
def test_a_name_given_a_value_is_that_variable_even_when_a_function_has_the_name(text, values, value):
    found = compute(text, values)
    assert found.value == pytest.approx(value)
    for name, expected in numeric_gradients(text, values).items():
        np.testing.assert_allclose(found.gradient[name], expected, atol=1e-6)


def test_a_function_name_without_a_value_says_call_it():
    result = run("norm + 1")
    assert_error(result, 2, "norm is a function")
    assert "call it: norm(...)" in result.stderr and "--norm VALUE" in result.stderr
    assert run("sin x", "--x", "1", "--sin", "2", "-q").stdout.split()[0] == "2"    # given: the variable sin
    assert run("sin x", "--x", "0", "-q").stdout.split()[0] == "0"                 # not given: sin(x)
    assert run("var*2", "--var", "var=2", "-q").stdout.split()[0] == "4"


def test_a_max_along_an_axis_gives_the_first_of_ties_the_gradient_in_pytorch():
    # torch's x.max(dim=1) returns the first index of tied values, and its backward gives it all
    found = compute("x.max(dim=1).values.sum()", x=np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 4.0]]))
    np.testing.assert_allclose(found.gradient["x"], [[0, 1, 0], [1, 0, 0]])
    found = compute("np.max(x, axis=1).sum()", x=np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 4.0]]))
    np.testing.assert_allclose(found.gradient["x"], [[0, 1, 0], [0.5, 0, 0.5]])   # numpy's: shared


# -- hints say exactly what to type, and it computes what was meant --------------------------------------

@pytest.mark.parametrize("text, message, hint", [
    ("x.^2", "unexpected '.^'", "Octave's .^ is ** here: write x**2"),
    ("x.*y + x./y", "unexpected '.*'", "write x*y + x/y"),
    ("x'", "unexpected character", "x' is Octave's transpose, x.T here: write x.T"),
    ("(x+1)'", "unexpected character", "write (x+1).T"),
    ("A'*B", "unexpected character", "write A.T*B (Octave's * between two matrices is @ here"),
    ("'abc'", "unexpected character", "gradcalc has no strings"),
    ("x and y", "Python's and is not read here", "(a > 0) * (b > 0)"),
    ("not x", "Python's not is not read here", "1 - (x > 0)"),
    ("x is y", "Python's is is not read here", "write == to compare"),
    ("square(x) + detach(x)", None, None),
])
def test_pasted_syntax_of_other_languages_gets_the_exact_retyping(text, message, hint):
    result = run(text, "--x", "2", "--y", "3", "--A", "1", "--B", "2")
    if message is None:      # square and detach were "did you mean sqrt/tanh?", which changes the maths
        assert result.exit_code == 0, result.output
        return
    assert_error(result, 2, message)
    assert hint in result.stderr
    retyped = result.stderr.split("write ", 1)[1].split(" (")[0].strip()
    if "Octave" in hint and "T" not in retyped:   # the retyping computes what the Octave text meant
        assert compute(retyped, x=2.0, y=3.0).value == pytest.approx(
            {"x**2": 4.0, "x*y + x/y": 6 + 2 / 3}[retyped])


PYTORCH_AUTOGRAD_TUTORIAL = """import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w)+b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

loss.backward()
print(w.grad)
print(b.grad)
"""


def test_random_values_given_as_options_make_the_pasted_tutorial_run():
    # PyTorch's autograd tutorial, pasted whole: w and b are random there, so they are asked for.
    w, b = np.linspace(-1, 1, 15).reshape(5, 3), np.array([0.1, -0.2, 0.3])
    found = compute(PYTORCH_AUTOGRAD_TUTORIAL, w=w, b=b)
    z = np.ones(5) @ w + b
    assert found.value == pytest.approx(np.mean(np.log1p(np.exp(z))))
    np.testing.assert_allclose(found.gradient["b"], 1 / (1 + np.exp(-z)) / 3)
    numeric = numeric_gradients(PYTORCH_AUTOGRAD_TUTORIAL, {"w": w, "b": b, "x": np.ones(5), "y": np.zeros(3)})
    np.testing.assert_allclose(found.gradient["w"], numeric["w"], atol=1e-6)
    result = run(PYTORCH_AUTOGRAD_TUTORIAL)
    assert_error(result, 2, "random numbers are not read")
    assert 'give w\'s value (shape 5×3) with --w, e.g. --w "[[0.1, 0.1, 0.1], [0.1, 0.1, 0.1]' in result.stderr


@pytest.mark.parametrize("text, message", [
    ("np.argwhere(x)", "np.argwhere gives indices, which carry no gradient"),
    ("x.nonzero()", ".nonzero() gives indices"), ("np.kron(x, x)", "np.kron is not supported yet"),
    ("kron(x, x)", "kron is not supported yet"), ("x.kron(x)", ".kron() is not supported yet"),
    ("np.sinc(x)", "np.sinc is not supported yet"), ("torch.floor(x)", "torch.floor is piecewise constant"),
    ("np.linalg.slogdet(x)", "np.linalg.slogdet is not supported yet"),
    # near-misses a newcomer met: rrelu ~ relu, softshrink ~ softsign (selu, kl_div, factorial, lgamma, nll_loss are
    # read now)
    ("F.rrelu(x)", "F.rrelu is not supported yet"), ("F.softshrink(x)", "F.softshrink is not supported yet"),
    ("scipy.special.loggamma(x)", "scipy.special.loggamma is not supported yet"),
])
def test_a_library_function_gradcalc_lacks_is_never_offered_as_another(text, message):
    # "did you mean np.amax / sum / sin?" would compute another thing
    result = run(text, "--x", "[0.1, 0.2]")
    assert_error(result, 2, message)
    assert "did you mean" not in result.stderr and "write factorial*" not in result.stderr


def test_gamma_given_a_value_is_still_the_variable_where_it_is_not_called():
    # gamma(x+1) is Γ(x + 1) now (tests/test_special.py), as norm(x) is norm with --norm given
    result = run("gamma*(x+1)", "--gamma", "2", "--x", "1", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["4", "2", "2"]


def test_an_untaken_branch_in_a_batch_is_judged_row_by_row():
    # --points: the same rule as one point; rows where a value not finite reaches the answer fail alone
    result = run(SAFE_LOG, "--points", "-", input="x\n0\n2\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["0,0.0,0.0", "2,0.6931471805599453,0.5"]
    # the naive where's gradient at 0 is nan in JAX: that row fails, the other stands
    result = run("jnp.where(x > 0, jnp.log(x), 0.)", "--points", "-", input="x\n0\n2\n")
    assert_error(result, 3, "line 2: the derivative of log(0) is inf")
    result = run("log(x) + 1", "--points", "-", input="x\n0\n1\n")
    assert_error(result, 3, "line 2: log of a non-positive number: log(0)")


JAX_README_TANH = """def tanh(x):  # Define a function
  y = jnp.exp(-2.0 * x)
  return (1.0 - y) / (1.0 + y)

grad_tanh = grad(tanh)  # Obtain its gradient function
print(grad_tanh(1.0))   # Evaluate it at x = 1.0
# prints 0.4199743
"""
TF_TAPE = ("import tensorflow as tf\nx = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n  y = x**2\n"
           "dy_dx = tape.gradient(y, x)\n")


@pytest.mark.parametrize("args, value, gradient", [
    (["print(x**2)  # hi", "--x", "3"], "9", "6"),                     # a comment after the last print
    (["def f(x): return x**2\nprint(f(3.0))  # hello"], "9", "6"),
    (["print(x**2 +  # the square\n      x)  # and x", "--x", "3"], "12", "7"),     # a print over lines
    ([JAX_README_TANH], "0.761594156", "0.4199743416"),                 # JAX's README, as pasted
    (["def f(x): return x**2\nprint(jax.grad(f)(3.0))"], "9", "6"),    # grad(f)(x) inside the print
    (["def f(x): return x**2\nprint(jax.grad(f)(3.0))  # 6.0"], "9", "6"),
    ([TF_TAPE + "print(dy_dx.numpy())"], "9", "6"),                      # the gradient shown, as a bare line
    ([TF_TAPE + "print(dy_dx)  # tf.Tensor(6.0)"], "9", "6"),
    (["def f(x): return x**2\nprint(jax.jit(jax.grad(f))(3.0))"], "9", "6"),   # jit changes no value
    (["def f(x): return x**2\njit(grad(f))(3.0)"], "9", "6"),
])
def test_the_prints_a_pasted_program_ends_with_are_read_as_the_bare_lines(args, value, gradient):
    result = run(*args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # a program's output is named after its function (f, tanh) when it asks jax.grad of one
    output = "y" if "tape" in args[0] else "tanh" if "tanh" in args[0] else "f" if "grad" in args[0] else "z"
    assert f"  {output} = {value}" in lines and f"  ∂{output}/∂x = {gradient}" in lines, result.stdout


@pytest.mark.parametrize("program, order", [
    ("print(grad(grad(grad(tanh)))(1.0))", 3),
    ("grad(grad(tanh))(1.0)", 2),
    ("jax.grad(jax.grad(tanh))(1.0)", 2),
    ("g = grad(tanh)\ngrad(g)(1.0)", 2),                        # was silently tanh's first derivative
    ("g = grad(tanh)\nh = jax.grad(g)\nprint(h(1.0))", 2),
    ("jax.jit(grad(grad(tanh)))(1.0)", 2),
])
def test_a_higher_derivative_through_grad_of_grad_is_that_order(program, order):
    # JAX: grad(grad(jnp.tanh))(1.0) = -0.6397000084, grad(grad(grad(jnp.tanh)))(1.0) = 0.6216266808
    result = run("def tanh(x):\n  return jnp.tanh(x)\n" + program, "-q")
    assert result.stdout == {2: "-0.6397000084\n", 3: "0.6216266808\n"}[order], result.output


@pytest.mark.parametrize("program", ["jax.hessian(tanh)(1.0)", "print(hessian(tanh)(1.0))",
                                     "print(jax.jacfwd(jax.grad(tanh))(1.0))"])
def test_a_hessian_of_a_pasted_function_is_its_hessian(program):
    result = run("def tanh(x):\n  return jnp.tanh(x)\n" + program, "-q")
    assert result.stdout == "-0.6397000084\n", result.output


def test_a_transform_of_a_transform_with_settings_stays_refused():
    result = run("def f(x, y):\n  return jnp.tanh(x*y)\nprint(grad(grad(f, argnums=1))(1.0, 2.0))")
    assert_error(result, 2, "asks for a higher derivative")
    assert "--order K" in result.stderr


@pytest.mark.parametrize("text", ["np.log(x, 2)", "jnp.log(x, 2)", "torch.log(x, 2)", "tf.math.log(x, 2)"])
def test_a_second_argument_to_an_array_library_log_is_no_base(text):
    result = run(text, "--x", "3")      # numpy's second argument is out=, never a base
    assert_error(result, 2, "takes one argument: its second is no base")
    assert "log2" in result.stderr
    result = run("math.log(x, 2)", "--x", "8")     # math.log's is
    assert result.exit_code == 0 and "  z = 3" in result.stdout.splitlines(), result.output


# -- the first lines of common tutorials ------------------------------------------------------------------

@pytest.mark.parametrize("program, start", [
    ("import torch\nx = torch.arange(4.0)\nx.requires_grad_(True)\ny = 2 * torch.dot(x, x)\ny.backward()\nx.grad",
     np.arange(4.0)),                                                   # d2l's autograd chapter
    ("import jax.numpy as jnp\nx = jnp.arange(3.)\njnp.sum(jnp.tanh(x))", np.arange(3.0)),   # JAX quickstart
    ("x = np.arange(1, 7, 2.0)\nnp.sum(x**3)", np.arange(1, 7, 2.0)),
    ("x = np.arange(0, 1, 0.25)\nnp.sum(x**3)", np.arange(0, 1, 0.25)),
    ("x = tf.range(5.0, 1.0, -1.5)\ntf.reduce_sum(x**3)", np.arange(5.0, 1.0, -1.5)),
    ("x = torch.arange(4, dtype=torch.float32)\n(x**3).sum()", np.arange(4.0)),
])
def test_arange_written_in_the_code_makes_an_input_with_its_numbers(program, start):
    found = compute(program)
    np.testing.assert_array_equal(found.inputs["x"], start)
    reference = {"x": 2 * start @ start} if "dot" in program else {"x": np.tanh(start).sum()} if "tanh" in program \
        else {"x": (start ** 3).sum()}
    assert found.value == pytest.approx(reference["x"])
    numeric = numeric_gradients(program, {"x": start})["x"]
    np.testing.assert_allclose(found.gradient["x"], numeric, atol=1e-6)
    if "**3" in program:       # a value given overrides the one written
        given = run(program, "--x", json.dumps([2.0] * len(start)), "-q")
        assert given.stdout.splitlines() == [str(8 * len(start)), json.dumps([12] * len(start))]


@pytest.mark.parametrize("text, message", [
    ("np.arange(5, 1)", "np.arange: this makes no numbers"),
    ("np.arange(0, 1, 0)", "np.arange: start, stop and step must be numbers written in the call, step not 0"),
    ("torch.arange(x)", "torch.arange(n) of a value is read only as an index"),   # probs[torch.arange(N), y] is read
    ("np.arange(1e7)", "np.arange: this makes 10000000 numbers"),
])
def test_arange_that_makes_no_array_is_explained(text, message):
    result = run(text, "--x", "3")
    assert_error(result, 2, message)
    assert "arange(4.0)" in result.stderr or "write a number there" in result.stderr


@pytest.mark.parametrize("program, hint", [
    ("w = torch.randn([])\ny = w**2", "give w's value (a number) with --w, e.g. --w 0.5"),
    ("w = torch.randn(())\ny = w**2", "give w's value (a number) with --w, e.g. --w 0.5"),
    ("w = np.random.randn()\ny = w**2", "give w's value (a number) with --w, e.g. --w 0.5"),
    ("w = torch.randn([3, 2])\ny = w**2", "give w's value (shape 3×2) with --w"),
    ("w = tf.random.normal([3])\ny = w**2", "give w's value (shape 3) with --w, e.g. --w \"[0.1, 0.1, 0.1]\""),
    ("w = tf.Variable(tf.random.normal((3, 2)), name='w')\ny = w**2", "give w's value (shape 3×2) with --w"),
])
def test_a_random_scalar_or_wrapped_random_value_asks_for_its_value_by_name(program, hint):
    result = run(program)
    assert_error(result, 2, "random numbers are not read")
    assert hint in result.stderr
    assert "w = " in result.stderr.splitlines()[1]          # the line shown is the one pasted


TF_GRADIENT_TAPE_GUIDE = """
w = tf.Variable(tf.random.normal((3, 2)), name='w')
b = tf.Variable(tf.zeros(2, dtype=tf.float32), name='b')
x = [[1., 2., 3.]]

with tf.GradientTape(persistent=True) as tape:
  y = x @ w + b
  loss = tf.reduce_mean(y**2)

[dl_dw, dl_db] = tape.gradient(loss, [w, b])
"""


def test_the_tensorflow_gradient_tape_guide_runs_given_w():
    w = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 6.0]])
    result = run(TF_GRADIENT_TAPE_GUIDE, "--w", json.dumps(w.tolist()), "-q")
    assert result.exit_code == 0, result.output
    found = compute(TF_GRADIENT_TAPE_GUIDE, w=w)
    x = np.array([[1.0, 2.0, 3.0]])
    y = x @ w
    assert found.value == pytest.approx((y ** 2).mean())
    np.testing.assert_allclose(found.gradient["w"], x.T @ y)            # ∂mean(y²)/∂w = xᵀ(2y/2)
    np.testing.assert_allclose(found.gradient["b"], y[0])
    numeric = numeric_gradients(TF_GRADIENT_TAPE_GUIDE, {"w": w, "b": np.zeros(2), "x": x})
    np.testing.assert_allclose(found.gradient["w"], numeric["w"], atol=1e-6)


DOCTEST_SESSION = """>>> import torch
>>> x = torch.tensor([1., 2.], requires_grad=True)
>>> y = (x**3).sum()
>>> y
tensor(9., grad_fn=<SumBackward0>)
>>> y.backward()
>>> x.grad
tensor([ 3., 12.])"""

IPYTHON_SESSION = """In [1]: import jax.numpy as jnp

In [2]: def f(x):
   ...:     return jnp.sin(x) * x
   ...:

In [3]: f(2.0)
Out[3]: Array(1.8185949, dtype=float32)"""


@pytest.mark.parametrize("session, value, gradient", [
    (DOCTEST_SESSION, 9.0, {"x": [3.0, 12.0]}),
    (IPYTHON_SESSION, 2 * math.sin(2.0), {"x": math.sin(2.0) + 2 * math.cos(2.0)}),
    (">>> x = 2.0\n>>> def f(t):\n...     return t**3\n...\n>>> f(x)\n8.0", 8.0, {"x": 12.0}),
])
def test_a_pasted_session_is_read_without_its_prompts_and_printed_lines(session, value, gradient):
    found = compute(session)
    assert found.value == pytest.approx(value)
    for name, expected in gradient.items():
        np.testing.assert_allclose(found.gradient[name], expected)
    result = run(session, "--plain")
    assert result.exit_code == 0 and "read as a pasted session" in result.output, result.output


def test_an_error_in_a_pasted_session_shows_the_line_as_pasted_with_the_caret_under_it():
    result = run(">>> x = 2.0\n>>> y = x +* 3")
    assert_error(result, 2, "unexpected '*'", "  line 2: >>> y = x +* 3")
    lines = result.stderr.splitlines()
    assert lines[2].index("^") == lines[1].index("*")
    assert run("x = 2.0\ny = x... 3").stderr.startswith("error: ")      # no prompt: not a session


X3 = np.array([[1.0, -2.0], [3.0, 0.5], [-1.5, 2.0]])


@pytest.mark.parametrize("program, reference", [
    ("num_examples = X.shape[0]\nloss = np.sum(X**2) / num_examples", lambda x: np.sum(x ** 2) / x.shape[0]),  # CS231n
    ("loss = np.sum(X**2) / X.shape[-1]", lambda x: np.sum(x ** 2) / x.shape[-1]),
    ("loss = np.sum(X**3) / len(X)", lambda x: np.sum(x ** 3) / len(x)),
    ("loss = np.sum(np.exp(X)) / X.size", lambda x: np.sum(np.exp(x)) / x.size),
    ("loss = np.sum(X) * X.shape[1] ** 2", lambda x: np.sum(x) * x.shape[1] ** 2),
])
def test_sizes_read_off_a_given_value_are_numbers_with_no_gradient(program, reference):
    found = compute(program, X=X3)
    assert found.value == pytest.approx(reference(X3))
    numeric = numeric_gradients(program, {"X": X3})["X"]        # a size does not move with X's numbers
    np.testing.assert_allclose(found.gradient["X"], numeric, atol=1e-6)
    result = run(program, "--X", json.dumps(X3.tolist()), "--plain")
    assert result.exit_code == 0 and ("len(X)" if "len(" in program else "X.shape") in result.stdout, result.output


def test_a_size_past_the_axes_is_refused():
    result = run("X.shape[2] * X", "--X", "[1, 2]")
    assert_error(result, 2, "index 2 is out of range for axis 0 of shape (1,)")


@pytest.mark.parametrize("program, values, value, gradient", [
    ("import jax\nimport jax.numpy as jnp\njax.grad(jnp.sin)(1.0)", {}, math.sin(1.0), math.cos(1.0)),
    ("from jax import grad\nimport jax.numpy as jnp\ngrad_tanh = grad(jnp.tanh)\nprint(grad_tanh(2.0))", {},   # JAX quickstart
     math.tanh(2.0), 1 - math.tanh(2.0) ** 2),
    ("x = 0.5\nprint(jax.grad(jnp.exp)(x))", {}, math.exp(0.5), math.exp(0.5)),
    ("import jax\njax.grad(jnp.sin)(1.0)", {"x": 2.0}, math.sin(2.0), math.cos(2.0)),     # --x overrides
])
def test_grad_of_a_library_function_is_its_derivative_at_the_number_given(program, values, value, gradient):
    found = compute(program, values)
    assert found.value == pytest.approx(value)
    assert found.gradient["x"] == pytest.approx(gradient)
    numeric = numeric_gradients(program, {"x": found.inputs["x"]})["x"]
    assert found.gradient["x"] == pytest.approx(numeric, abs=1e-6)


def test_a_library_function_passed_uncalled_says_call_it():
    result = run("grad(jnp.tanh)")
    assert_error(result, 2, "jnp.tanh is a function")
    assert "call it: jnp.tanh(...)" in result.stderr


@pytest.mark.parametrize("text", [
    "np.linalg.norm(A, 1)", "np.linalg.norm(A, 2)", "jnp.linalg.norm(A, ord=np.inf)", r"\|A\|_1", r"\|A\|_2",
    r"\|A\|_\infty", "torch.linalg.norm(A, 1)", "torch.linalg.norm(A, ord=2)",
])
def test_a_matrix_norm_of_an_order_is_refused_not_taken_entrywise(text):
    # numpy, JAX and torch.linalg take a matrix's operator norm there (max column sum, largest singular
    # value, max row sum): the vector formula on the entries would be another number.
    result = run(text, "--A", "[[1, 2], [3, 4]]")
    assert_error(result, 2, "operator norm")


def test_torch_norm_of_a_matrix_is_of_its_elements():
    # torch.norm and Tensor.norm with no dim take all the elements as one vector (torch.norm(A, p=1)
    # is Σ|a|), unlike torch.linalg.norm and numpy
    A = np.array([[1.0, -2.0], [3.0, 4.0]])
    for text, expected, gradient in [
        ("torch.norm(A, p=1)", 10.0, np.sign(A)), ("A.norm(1)", 10.0, np.sign(A)), ("A.norm(p=1)", 10.0, np.sign(A)),
        ("torch.norm(A, p=2)", 30 ** 0.5, A / 30 ** 0.5), ("torch.norm(A, 3)", 100 ** (1 / 3), None),
        ("torch.norm(A, p=np.inf)", 4.0, np.array([[0, 0], [0, 1.0]])),
    ]:
        result = compute(text, {"A": A})
        assert result.value == pytest.approx(expected, rel=1e-12), text
        if gradient is not None:
            np.testing.assert_allclose(result.gradient["A"], gradient, rtol=1e-12)


@pytest.mark.parametrize("text, expected", [
    ("np.linalg.norm(x, 1)", 4.0), ("np.linalg.norm(x, np.inf)", 3.0), ("np.linalg.norm(x, 2)", 10 ** 0.5),
    (r"\|x\|_1", 4.0), (r"\|x\|_\infty", 3.0), (r"\|x\|_2", 10 ** 0.5), ("np.linalg.norm(A)", 30 ** 0.5),
])
def test_norms_of_an_order_on_vectors(text, expected):
    values = {"x": [1.0, -3.0], "A": [[1.0, 2.0], [3.0, 4.0]]}
    assert compute(text, {k: v for k, v in values.items() if k in text.replace("np.linalg.norm", "")}).value \
        == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("program, note", [
    # TF's tape with g.watch(x): it listed 'requires_grad, zero_grad, labels, asserts', none of them there
    ("x = tf.constant(3.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n  y = x * x\ndy_dx = g.gradient(y, x)\n"
     "print(dy_dx)\n", "read as Python: .grad and grad(…), with … :, tape.watch(…) skipped"),
    # d2l's x.grad == 4 * x after backward() checks the gradient: no update step
    ("import torch\n\nx = torch.arange(4.0)\nx.requires_grad_(True)\nx.grad\ny = 2 * torch.dot(x, x)\ny\n"
     "y.backward()\nx.grad\nx.grad == 4 * x\n",
     "read as Python: import lines, .backward(), .grad and grad(…), requires_grad skipped"),
    ("import torch\nx = torch.tensor(2.0, requires_grad=True)\nassert x > 0\nx.retain_grad()\ny = x**2\n"
     "y.backward()\n", "read as Python: import lines, .backward(), retain_grad(), asserts skipped"),
    ("import torch\nw = torch.tensor(2.0, requires_grad=True)\nL = w**2\nL.backward()\n"
     "with torch.no_grad():\n    w -= 0.1 * w.grad\n", "the update step after .backward()"),
])
def test_the_read_as_python_note_names_only_what_was_skipped(program, note):
    result = run(program, "-q")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "read as Python" in line]
    assert len(notes) == 1 and note in notes[0], result.stderr
