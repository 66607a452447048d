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
]


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
    ("F.mse_loss(x)", "F.mse_loss needs its argument y", "F.mse_loss(x, y)"),
    ("np.sum(x, axis=0, axis=1)", "np.sum got axis twice", "np.sum(x, axis=None"),
    ("torch.frobnicate(x)", "unknown function 'torch.frobnicate'", "gradcalc reads these of torch"),
    ("x.reshape(2, 3)", "reshape is not supported yet", "give the value in the shape"),
    ("np.max(x, axis=0)", "np.max: max along an axis is not supported yet", "max(x) takes the max of every"),
    ("x.max(dim=1)", "x.max: max along an axis is not supported yet", "max(x) takes the max of every"),
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
                                        ("np.clip(x, True, 2)", "True"), ("x[None]", "None")])
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
