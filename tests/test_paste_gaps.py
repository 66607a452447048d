"""Gaps in what gradcalc reads of pasted PyTorch, JAX, TensorFlow and NumPy, closed for the whole
dialect: each value checked against the library's own definition written out in numpy (or numbers
PyTorch printed, where said), and gradients against central differences."""

import re

import numpy as np
import pytest
from helpers import central_differences

from gradcalc import compute
from gradcalc.errors import GradcalcError

LOGITS = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0], [0.3, 0.3, -0.2]])
LABELS = np.array([1.0, 2.0, 0.0])
ROW = np.array([0.2, -1.3, 0.7, 2.0])


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _picked(x, t):
    """log softmax(x) at each row's label."""
    x, t = np.atleast_2d(x), np.atleast_1d(t).astype(int)
    return _log_softmax(x)[np.arange(len(t)), t]


def _check(text, values, reference, wrt="x"):
    found = compute(text, values)
    assert np.allclose(found.value, reference(**values), rtol=1e-12, atol=1e-14)
    others = {k: v for k, v in values.items() if k != wrt}
    numeric = central_differences(lambda v: np.sum(reference(**{wrt: v}, **others)), values[wrt])
    assert np.allclose(found.gradient[wrt], numeric, rtol=1e-6, atol=1e-8)
    return found


# -- 1. losses over classes with labels (class indices), PyTorch's usual target --------------------------

CLASS_LOSSES = [
    ("F.cross_entropy(x, t)", {"x": LOGITS, "t": LABELS}, lambda x, t: -_picked(x, t).mean()),
    ("F.cross_entropy(x, t)", {"x": ROW, "t": 3.0}, lambda x, t: -_picked(x, t).mean()),
    ("torch.nn.functional.cross_entropy(input=x, target=t)", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t).mean()),
    ("nn.CrossEntropyLoss()(x, t)", {"x": LOGITS, "t": LABELS}, lambda x, t: -_picked(x, t).mean()),
    ("import torch.nn as nn\ncriterion = nn.CrossEntropyLoss()\nloss = criterion(x, t)", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t).mean()),
    ("F.nll_loss(F.log_softmax(x, dim=1), t)", {"x": LOGITS, "t": LABELS}, lambda x, t: -_picked(x, t).mean()),
    ("F.nll_loss(x, t)", {"x": LOGITS, "t": LABELS},
     lambda x, t: -x[np.arange(3), t.astype(int)].mean()),
    ("nn.NLLLoss()(x, t)", {"x": ROW, "t": 1.0}, lambda x, t: -x[int(t)]),
    ("tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=x)", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t)),
    ("tf.keras.losses.sparse_categorical_crossentropy(t, x, from_logits=True)", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t)),
    # probabilities shaped like the logits, as before (PyTorch reads both)
    ("F.cross_entropy(x, t)", {"x": LOGITS, "t": np.array([[0.2, 0.5, 0.3], [0, 0, 1.0], [0.1, 0.1, 0.8]])},
     lambda x, t: -(t * _log_softmax(x)).sum() / 3),
    ("F.cross_entropy(x, F.one_hot(t, 3).float())", {"x": LOGITS, "t": LABELS}, lambda x, t: -_picked(x, t).mean()),
    ("F.cross_entropy(x, F.one_hot(t, num_classes=3))", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t).mean()),
    ("-jnp.sum(jax.nn.one_hot(t, 3) * jax.nn.log_softmax(x))", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t).sum()),
    ("-tf.reduce_sum(tf.one_hot(t, depth=3) * tf.nn.log_softmax(x), axis=1)", {"x": LOGITS, "t": LABELS},
     lambda x, t: -_picked(x, t)),
]


@pytest.mark.parametrize("text, values, reference", CLASS_LOSSES, ids=[c[0] for c in CLASS_LOSSES])
def test_a_loss_over_classes_reads_labels_as_the_library_does(text, values, reference):
    found = _check(text, values, reference)
    if np.ndim(values["t"]) < np.ndim(values["x"]):
        assert not np.any(found.gradient["t"])      # labels carry no gradient


def test_cross_entropy_with_labels_matches_the_numbers_pytorch_printed():
    # PyTorch 2.13 (float64): F.cross_entropy(logits, torch.tensor([1, 2, 0])); loss.backward()
    found = compute("import torch\nimport torch.nn.functional as F\n"
                    "logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0], [0.3, 0.3, -0.2]], requires_grad=True)\n"
                    "target = torch.tensor([1, 2, 0])\nloss = F.cross_entropy(logits, target)\nloss.backward()\n"
                    "print(logits.grad)")
    assert np.isclose(found.value, 0.5347244525480307, rtol=1e-13)
    assert np.allclose(found.gradient["logits"], [[0.07707463254071634, -0.12382276026274586, 0.04674812772202949],
                                                  [0.04156915827672936, 0.013837170763991895, -0.055406329040721215],
                                                  [-0.20544942293648308, 0.12788391039685024, 0.07756551253963288]],
                       rtol=1e-12)


@pytest.mark.parametrize("text, values, message, hint", [
    ("F.cross_entropy(x, t)", {"x": LOGITS, "t": np.array([1.0, 3.0, 0.0])},
     "a class index must be a whole number from 0 to 2, got 3", "0 … 2"),
    ("F.cross_entropy(x, t)", {"x": LOGITS, "t": np.array([1.0, 0.5, 0.0])},
     "a class index must be a whole number from 0 to 2, got 0.5", "0 … 2"),
    ("F.cross_entropy(x, t)", {"x": LOGITS, "t": np.array([1.0, 2.0])},
     "the target must be (3,) (class indices) or (3,3) (probabilities), got (2,)", "one class index"),
    ("tf.nn.sparse_softmax_cross_entropy_with_logits(t, x)", {"x": LOGITS, "t": LOGITS},
     "the target must be (3,) (class indices), got (3,3)", "one class index"),
    ("F.one_hot(t)", {"t": LABELS}, "the number of classes must be a whole number written in the call",
     "F.one_hot(t, 3)"),
    ("tf.keras.losses.sparse_categorical_crossentropy(t, x)", {"x": LOGITS, "t": LABELS},
     "Keras clips them to [1e-7, 1 − 1e-7] first", "from_logits=True"),
])
def test_a_target_that_is_no_label_says_what_it_must_be(text, values, message, hint):
    with pytest.raises(GradcalcError) as caught:
        compute(text, values)
    assert message in caught.value.message and hint in caught.value.hint
    assert caught.value.exit_code == 2


# -- 2. several .backward() calls: PyTorch adds each one's gradients into .grad ----------------------------

X0, W0 = 2.0, -1.5
ACCUMULATING = [
    # (program, value, ∂/∂x, ∂/∂w): d/dx of what .grad holds at the end, by hand
    ("y = x**2\ny.backward()\nz = x**3\nz.backward()\nprint(x.grad)", X0 ** 2 + X0 ** 3, 2 * X0 + 3 * X0 ** 2, None),
    ("y = x**2 * w\ny.backward()\nz = x * w\nz.backward()", X0 ** 2 * W0 + X0 * W0, 2 * X0 * W0 + W0, X0 ** 2 + X0),
    ("y = x**2\ny.backward(retain_graph=True)\ny.backward()", 2 * X0 ** 2, 4 * X0, None),
    ("y = x**2\ny.backward(retain_graph=True)\ny = x**3\ny.backward()\ny = 5*x\ny.backward()",
     X0 ** 2 + X0 ** 3 + 5 * X0, 2 * X0 + 3 * X0 ** 2 + 5, None),
    # cleared between: only what comes after counts
    ("y = x**2\ny.backward()\nx.grad.zero_()\nz = x**3\nz.backward()", X0 ** 3, 3 * X0 ** 2, None),
    ("y = x**2\ny.backward()\nx.grad = None\nz = x**3\nz.backward()", X0 ** 3, 3 * X0 ** 2, None),
    ("y = x**2 * w\ny.backward()\nx.grad.data.zero_()\nw.grad.zero_()\nz = x * w\nz.backward()", X0 * W0, W0, X0),
    ("opt = torch.optim.SGD([x, w], lr=0.1)\ny = x**2 * w\ny.backward()\nopt.zero_grad()\nz = x * w\nz.backward()",
     X0 * W0, W0, X0),
    ("y = x**2\ny.backward()\nz = x**3\nx.grad.zero_()\nz.backward()\nv = 4*x\nv.backward()", X0 ** 3 + 4 * X0,
     3 * X0 ** 2 + 4, None),
]


@pytest.mark.parametrize("program, value, dx, dw", ACCUMULATING, ids=[c[0].replace("\n", "; ") for c in ACCUMULATING])
def test_gradients_of_several_backward_calls_add_up_as_in_pytorch(program, value, dx, dw):
    head = "import torch\nx = torch.tensor(2.0, requires_grad=True)\n" + \
        ("w = torch.tensor(-1.5, requires_grad=True)\n" if re.search(r"\bw\b", program) else "")
    found = compute(head + program)
    assert np.isclose(found.value, value, rtol=1e-13)
    assert np.isclose(found.gradient["x"], dx, rtol=1e-13)
    if dw is not None:
        assert np.isclose(found.gradient["w"], dw, rtol=1e-13)


def test_the_sum_that_several_backward_calls_differentiate_is_noted():
    found = compute("x = torch.tensor(2.0, requires_grad=True)\ny = x**2\ny.backward()\nz = x**3\nz.backward()")
    assert found.output_name == "Σ"
    assert any("the sum of what the 2 .backward() calls were asked of (y, z)" in note for note in found.graph.notes)


@pytest.mark.parametrize("program, message, hint", [
    ("y = x**2\ny.backward()\ny.backward()", "a second y.backward(): PyTorch frees the graph",
     "y.backward(retain_graph=True) the first time"),
    ("y = x**2 * w\ny.backward()\nx.grad.zero_()\nz = x * w\nz.backward()",
     "clearing x's gradient but not w's between two .backward() calls is not read", "one .backward() at a time"),
    ("y = x**2\n(y * 2).backward()\nz = x**3\nz.backward()", "one of several .backward() calls is of an expression",
     "name it first: loss = …, then loss.backward()"),
    ("from micrograd.engine import Value\nx = Value(2.0)\ny = x * x\ny.backward()\nz = x * 3\nz.backward()",
     "a second .backward() of a micrograd Value is not read", "one .backward()"),
])
def test_backward_calls_pytorch_would_refuse_or_mix_are_refused_with_a_hint(program, message, hint):
    head = "x = torch.tensor(2.0, requires_grad=True)\nw = torch.tensor(-1.5, requires_grad=True)\n"
    with pytest.raises(GradcalcError) as caught:
        compute(program if "Value" in program else head + program)
    assert message in caught.value.message and hint in caught.value.hint and caught.value.exit_code == 2


# -- 4. modules imported under another name -----------------------------------------------------------

ALIASED = [
    ("import torch as t\nx = t.tensor(0.5, requires_grad=True)\ny = t.sin(x) * t.exp(x)\ny.backward()",
     {}, lambda x: np.sin(x) * np.exp(x)),
    ("import numpy as onp\nonp.exp(x) * onp.pi + onp.sum(x)", {"x": 0.5}, lambda x: np.exp(x) * np.pi + x),
    ("import torch.nn.functional as fn\ndef f(x):\n    return fn.softplus(x) * fn.sigmoid(x)\nf(x)", {"x": 0.5},
     lambda x: np.log1p(np.exp(x)) / (1 + np.exp(-x))),
    ("from torch.nn import functional\nfunctional.softplus(x)", {"x": 0.5}, lambda x: np.log1p(np.exp(x))),
    ("import jax.numpy as np\nnp.tanh(x) ** 2", {"x": 0.5}, lambda x: np.tanh(x) ** 2),
    ("from jax import numpy as jn\njn.cos(x)", {"x": 0.5}, np.cos),
    ("import tensorflow as tfl\ntfl.math.reduce_sum(tfl.square(x))", {"x": np.array([0.5, -1.0])}, lambda x: np.sum(x ** 2)),
    # the same with torch's own words: no_grad, nn objects, autograd.grad
    ("import torch as t\nx = t.tensor(0.5, requires_grad=True)\nwith t.no_grad():\n    c = x * 2\ny = c * x\ny.backward()",
     {}, lambda x: np.float64(2 * 0.5) * x),
    ("import torch as t\nact = t.nn.Tanh()\nact(x)", {"x": 0.5}, np.tanh),
]


@pytest.mark.parametrize("program, values, reference", ALIASED, ids=[c[0].split("\n")[0] for c in ALIASED])
def test_a_module_imported_under_another_name_is_read_as_that_module(program, values, reference):
    found = compute(program, values)
    x = values.get("x", 0.5)
    assert np.allclose(found.value, reference(x), rtol=1e-12)
    numeric = central_differences(lambda v: np.sum(reference(v)), x)
    assert np.allclose(found.gradient["x"], numeric, rtol=1e-6)


def test_an_aliased_call_keeps_its_caret_where_it_was_written():
    with pytest.raises(GradcalcError) as caught:
        compute("import torch as t\nx = t.tensor(1.0, requires_grad=True)\ny = t.sum(x, dim=0)\ny.backward()")
    assert caught.value.span == (len("import torch as t\nx = t.tensor(1.0, requires_grad=True)\ny = "),
                                 len("import torch as t\nx = t.tensor(1.0, requires_grad=True)\ny = t.sum(x, dim=0)"))


# -- 3. for loops with bounds written in the loop, unrolled ----------------------------------------------

V3 = np.array([0.5, -1.0, 2.0])
LOOPS = [
    ("y = x\nfor i in range(3):\n    y = y * x\ny", {"x": 1.3}, lambda x: x ** 4),
    ("y = x\nfor i in range(3): y = y * x\ny", {"x": 1.3}, lambda x: x ** 4),
    ("s = 0.0\nfor i in range(3):\n    s = s + v[i] * x**i\ns", {"x": 1.3, "v": V3},
     lambda x, v: v[0] + v[1] * x + v[2] * x ** 2),
    ("s = 0.0\nfor i in range(1, 7, 2):\n    s += i * x\ns", {"x": 1.3}, lambda x: 9 * x),
    ("s = 0.0\nfor i in range(2, -1, -1):\n    s = s * x + v[i]\ns", {"x": 1.3, "v": V3},      # Horner
     lambda x, v: v[0] + v[1] * x + v[2] * x ** 2),
    ("s = 0.0\nfor k in range(1, 3):\n    for j in range(2):\n        s = s + k * x**j\ns", {"x": 1.3},
     lambda x: 3 + 3 * x),
    ("y = 0.0\nfor w in [0.5, -2, 3.0]:\n    y = y + torch.tanh(w * x)\ny", {"x": 1.3},
     lambda x: np.tanh(0.5 * x) + np.tanh(-2 * x) + np.tanh(3 * x)),
    # a tiny recurrent net (PyTorch), its loss differentiated through both steps
    ("h = x\nfor t in range(2):\n    h = torch.tanh(0.7 * h + 0.1)  # step t\nloss = (h - 1)**2\nloss.backward()",
     {"x": 1.3}, lambda x: (np.tanh(0.7 * np.tanh(0.7 * x + 0.1) + 0.1) - 1) ** 2),
    ("def f(x):\n    return x**2\ny = x\nfor i in range(3):\n    y = f(y)\ny", {"x": 1.3}, lambda x: x ** 8),
    ("for i in range(3):\n    print(i)\nx**2", {"x": 1.3}, lambda x: x ** 2),
    # a loop inside a def, a break the text decides (gradcalc/pyflow.py)
    ("def f(x):\n    for i in range(3):\n        x = x * 2\n    return x\nf(x)", {"x": 1.3}, lambda x: 8 * x),
    ("for i in range(3):\n    if i == 1:\n        break\n    x = x * 2\nx", {"x": 1.3}, lambda x: 2 * x),
]


@pytest.mark.parametrize("program, values, reference", LOOPS, ids=[c[0].replace("\n", "; ") for c in LOOPS])
def test_a_for_loop_with_bounds_written_in_it_is_unrolled(program, values, reference):
    found = _check(program, values, reference)
    assert any("unrolled" in note for note in found.graph.notes)


@pytest.mark.parametrize("program, message, hint", [
    ("y = x\nfor i in range(n):\n    y = y * x", "a loop is read over what the text fixes",
     "for i in [0.5, 1.0, 2.0]:"),
    ("y = x\nfor i in range(len(v)):\n    y = y * v[i]", "a loop is read over what the text fixes",
     "for i in range(3): for v of 3 elements"),
    ("y = x\nfor i in range(5000):\n    y = y * x", "a loop of 5000 steps is more than gradcalc unrolls (1000)",
     "sum(x*y)"),
    ("for i in range(3):\n    loss = (w * x - 1)**2\n    loss.backward()\n    w = w - 0.1 * w.grad",
     "a .backward() inside a loop (a training loop) is not read", "paste one step"),
])
def test_a_loop_gradcalc_does_not_unroll_says_what_to_write(program, message, hint):
    with pytest.raises(GradcalcError) as caught:
        compute(program, {"x": 1.3, "v": V3, "n": 3.0, "w": 0.5})
    assert message in caught.value.message and hint in caught.value.hint and caught.value.exit_code == 2


def test_each_unrolled_step_points_at_the_loop_body():
    with pytest.raises(GradcalcError) as caught:
        compute("y = x\nfor i in range(3):\n    y = y * v[i+3]", {"x": 1.3, "v": V3})
    assert caught.value.exit_code == 2
    start, end = caught.value.span
    assert "y = x\nfor i in range(3):\n    y = y * "[:start].count("\n") == 2     # on the body's line


# -- 5. PyTorch's activation objects, made with settings or not, named or called at once ----------------

M = np.array([[1.0, -2.0], [0.5, 3.0]])


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _leaky(slope):
    return lambda x: np.where(x > 0, x, slope * x)


OBJECTS = [
    ("act = nn.Softmax(dim=1)\nact(x)", lambda x: _softmax(x, 1)),
    ("nn.Softmax(dim=0)(x)", lambda x: _softmax(x, 0)),
    ("torch.nn.Softmax(dim=-1)(x)", lambda x: _softmax(x, -1)),
    ("nn.LogSoftmax(dim=1)(x)", lambda x: np.log(_softmax(x, 1))),
    ("nn.Softmax(1)(x)", lambda x: _softmax(x, 1)),
    ("nn.ReLU()(x)", lambda x: np.maximum(x, 0)),
    ("nn.ReLU(inplace=True)(x)", lambda x: np.maximum(x, 0)),
    ("import torch.nn as nn\nrelu = nn.ReLU(inplace=True)\nrelu(x).sum()", lambda x: np.maximum(x, 0).sum()),
    ("nn.Sigmoid()(x)", lambda x: 1 / (1 + np.exp(-x))),
    ("act = nn.Tanh()\ny = act(x)", np.tanh),
    ("nn.LeakyReLU(0.2)(x)", _leaky(0.2)),
    ("act = nn.LeakyReLU(negative_slope=0.3, inplace=True)\ndef f(x):\n    return act(x).sum()\nf(x)",
     lambda x: _leaky(0.3)(x).sum()),
    ("layer = nn.Softmax(dim=0)\nw = torch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)\n"
     "loss = (layer(w) * x).sum()\nloss.backward()", None),
]


@pytest.mark.parametrize("program, reference", OBJECTS, ids=[c[0].replace("\n", "; ") for c in OBJECTS])
def test_an_activation_object_computes_its_function_with_its_settings(program, reference):
    if reference is None:       # the gradient w.r.t. w, where the object is applied
        w = np.array([[0.5, 1.0], [2.0, -1.0]])
        found = compute(program, {"x": M})
        assert np.isclose(found.value, (_softmax(w, 0) * M).sum(), rtol=1e-12)
        numeric = central_differences(lambda v: (_softmax(v, 0) * M).sum(), w)
        assert np.allclose(found.gradient["w"], numeric, rtol=1e-6, atol=1e-9)
        return
    found = compute(program, {"x": M})
    assert np.allclose(found.value, reference(M), rtol=1e-12)
    weights = np.array([[0.3, -1.1], [2.0, 0.7]]) if np.ndim(found.value) else 1.0   # tells the axes apart
    if np.ndim(found.value):
        found = compute(program, {"x": M}, upstream=weights)
    numeric = central_differences(lambda v: np.sum(reference(v) * weights), M)
    assert np.allclose(found.gradient["x"], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("program, message, hint", [
    ("act = nn.ELU(alpah=0.5)\nact(x)", "F.elu has no parameter alpah", "F.elu(x, alpha=1.0)"),   # alpha= is read
    ("loss = nn.MSELoss(reduction='max')\nloss(x, x)", "reduction='max' is not one of 'mean', 'sum' and 'none'",
     "'sum'"),
])
def test_an_object_whose_settings_gradcalc_does_not_read_says_so(program, message, hint):
    with pytest.raises(GradcalcError) as caught:
        compute(program, {"x": M})
    assert message in caught.value.message and hint in caught.value.hint and caught.value.exit_code == 2


# -- 6. a function's body pasted without its def: the return on the last line is the output --------------

@pytest.mark.parametrize("program, reference", [
    ("  y = x**2\n  return y", lambda x: x ** 2),
    ("  log_p = jax.nn.log_sigmoid(x)\n  log_not_p = jax.nn.log_sigmoid(-x)\n  return -0.3 * log_p - 0.7 * log_not_p",
     lambda x: 0.3 * np.log1p(np.exp(-x)) + 0.7 * np.log1p(np.exp(x))),
    ("t = x * 2\nreturn -t + 1", lambda x: -2 * x + 1),      # return -t: no continuation of the line before
])
def test_a_return_on_the_last_line_gives_the_output(program, reference):
    found = _check(program, {"x": np.array([0.5, -1.2, 2.0])}, reference)
    assert any("the return on the last line" in note for note in found.graph.notes)


def test_a_return_before_other_lines_is_refused_saying_what_to_write():
    with pytest.raises(GradcalcError) as caught:
        compute("y = x**2\nreturn y\nz = 3*x", {"x": 2.0})
    assert "return is not read here" in caught.value.message and "write y alone" in caught.value.hint


# -- 6. an element assigned: x[i] = v (CS231n's margins[y] = 0) ------------------------------------------

@pytest.mark.parametrize("program, values, reference, wrt", [
    ("m = x * 2\nm[1] = 0\nm.sum()", {"x": V3}, lambda x: 2 * x[0] + 2 * x[2], "x"),
    ("m = x * 2\nm[-1] = v * 3\nm.sum()", {"x": V3, "v": 0.7}, lambda x, v: 2 * x[0] + 2 * x[1] + 3 * v, "v"),
    ("m = x * 2\nm[-1] = v * 3\nm.sum()", {"x": V3, "v": 0.7}, lambda x, v: 2 * x[0] + 2 * x[1] + 3 * v, "x"),
    ("m = x * 1\nm[y] = m[y] ** 2\n(m * m).sum()", {"x": V3, "y": 2.0},
     lambda x, y: x[0] ** 2 + x[1] ** 2 + x[2] ** 4, "x"),
    # CS231n's half-vectorized SVM loss, as printed in the notes
    ("def L_i_vectorized(x, y, W):\n  delta = 1.0\n  scores = W.dot(x)\n"
     "  margins = np.maximum(0, scores - scores[y] + delta)\n  margins[y] = 0\n  loss_i = np.sum(margins)\n"
     "  return loss_i", {"x": np.array([1.0, 2.0, -1.0]), "y": 1.0,
                         "W": np.array([[0.2, -0.5, 0.1], [1.5, 0.3, 2.1], [0.0, 0.25, 0.2]])},
     lambda x, y, W: np.sum(np.delete(np.maximum(0, W @ x - (W @ x)[1] + 1.0), 1)), "W"),
])
def test_an_element_assigned_is_that_element_replaced(program, values, reference, wrt):
    found = compute(program, values)
    assert np.allclose(found.value, reference(**values), rtol=1e-12)
    others = {k: v for k, v in values.items() if k != wrt}
    numeric = central_differences(lambda v: reference(**{wrt: v}, **others), values[wrt])
    assert np.allclose(found.gradient[wrt], numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("program, message, hint", [
    ("m = x * 1\nm[1] = x\nm", "x[i] = v is read for a vector x, one whole number i and one number v",
     "one formula"),
    ("m = x * 1\nm[5] = 0\nm", "an index must be a whole number from -3 to 2, got 5", ""),
    ("m = x * 1\nm[0:2] = 0\nm", "assigning to part of a value (m[0:2] = 0) is not read",
     "np.where((np.arange(n) >= 0) * (np.arange(n) < 2) > 0, 0, m)"),
    ("m = x * 1\nm[1] += 1\nm", "m[1] += … is not read", "write m[1] = m[1] + 1"),
    ("m = x * 1\nm[1] -= 1\nm", "m[1] -= … is not read", "write m[1] = m[1] - 1"),
])
def test_an_assignment_to_part_gradcalc_does_not_read_says_what_to_write(program, message, hint):
    with pytest.raises(GradcalcError) as caught:
        compute(program, {"x": V3})
    assert message in caught.value.message and hint in caught.value.hint and caught.value.exit_code == 2


def test_the_where_a_slice_hint_writes_computes_the_same_thing():
    found = compute("m = x * 1\nm = np.where((np.arange(3) >= 0) * (np.arange(3) < 2) > 0, 0, m)\nm.sum()", {"x": V3})
    assert np.isclose(found.value, V3[2]) and np.allclose(found.gradient["x"], [0, 0, 1])


# -- 6. ||x|| in math text: the norm, as \|x\| and ‖x‖ are -----------------------------------------------

@pytest.mark.parametrize("text, values, reference", [
    ("||x||", {"x": np.array([1.0, -2.0, 2.0])}, lambda x: np.sqrt(np.sum(x ** 2))),
    ("||x - y||^2", {"x": np.array([1.0, -2.0]), "y": np.array([0.5, 1.0])}, lambda x, y: np.sum((x - y) ** 2)),
    ("0.5 ||x||^2 + 3", {"x": np.array([1.0, -2.0])}, lambda x: 0.5 * np.sum(x ** 2) + 3),
    ("||x + 10||", {"x": -8.0}, lambda x: abs(x + 10)),       # of a number: its absolute value
])
def test_double_bars_are_the_norm(text, values, reference):
    _check(text, values, reference)


def test_double_bars_with_a_single_bar_inside_are_refused():
    with pytest.raises(GradcalcError) as caught:
        compute("||x| - |y||", {"x": 1.0, "y": 2.0})
    assert "can be read two ways" in caught.value.message and "norm(…)" in caught.value.hint


# -- 6. x^{(i)}, the i-th example in machine-learning notes ------------------------------------------------

XS, YS = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0])


@pytest.mark.parametrize("text, values, reference, wrt", [
    (r"\frac{1}{2m}\sum_{i=1}^{m} (\theta_0 + \theta_1 x^{(i)} - y^{(i)})^2",
     {"x": XS, "y": YS, "m": 3.0, "theta_0": 0.5, "theta_1": 2.0},
     lambda x, y, m, theta_0, theta_1: np.sum((theta_0 + theta_1 * x - y) ** 2) / (2 * m), "theta_1"),
    (r"J = -\frac{1}{m}\sum_{i=1}^{m} \left[y^{(i)} \log h^{(i)} + (1 - y^{(i)}) \log(1 - h^{(i)})\right]",
     {"h": np.array([0.2, 0.7, 0.9]), "y": np.array([0.0, 1.0, 1.0]), "m": 3.0},
     lambda h, y, m: -np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)) / m, "h"),
])
def test_a_superscript_example_index_in_a_sum_is_an_element(text, values, reference, wrt):
    found = compute(text, values)
    assert np.allclose(found.value, reference(**values), rtol=1e-12)
    others = {k: v for k, v in values.items() if k != wrt}
    numeric = central_differences(lambda v: reference(**{wrt: v}, **others), values[wrt])
    assert np.allclose(found.gradient[wrt.replace("theta", "θ")], numeric, rtol=1e-6, atol=1e-9)


def test_a_superscript_example_index_outside_a_sum_says_what_it_means():
    with pytest.raises(GradcalcError) as caught:
        compute("x^{(i)} + 1", {"w": XS})       # x has no value: the sum, or x, is asked for
    assert "the i-th example's x" in caught.value.message and r"\sum_{i=1}^{m}" in caught.value.hint
    assert 'an array for every example' in caught.value.hint


def test_a_superscript_in_brackets_is_a_power_where_the_exponent_has_a_value():
    assert np.isclose(compute("x^{(i)}", {"x": 2.0, "i": 3.0}).value, 8.0)


# -- 6. JAX's has_aux=True: the function returns (value, aux), the value is differentiated -----------------

AUX_LOSS = "def loss(w, x):\n    y = jnp.tanh(w * x)\n    return jnp.sum(y**2), y\n"


@pytest.mark.parametrize("program", [
    AUX_LOSS + "g = jax.grad(loss, has_aux=True)(w, x)",
    AUX_LOSS + "grad_fn = jax.grad(loss, has_aux=True)\ngrads, aux = grad_fn(w, x)",
    AUX_LOSS + "grads, aux = jax.grad(loss, has_aux=True)(w, x)",
    AUX_LOSS + "grad_fn = jax.grad(loss, argnums=0, has_aux=True)\ng = grad_fn(w, x)",
    AUX_LOSS.replace("jnp.", "torch.") + "g = torch.func.grad(loss, has_aux=True)(w, x)",
])
def test_has_aux_differentiates_the_first_value(program):
    x = np.array([1.0, 2.0])
    found = compute(program, {"w": 0.5, "x": x})
    assert np.isclose(found.value, np.sum(np.tanh(0.5 * x) ** 2), rtol=1e-12)
    numeric = central_differences(lambda w: np.sum(np.tanh(w * x) ** 2), 0.5)
    assert np.isclose(found.gradient["w"], numeric, rtol=1e-6)
    assert any("has_aux=True" in note for note in found.graph.notes)


@pytest.mark.parametrize("text, values, value", [
    # an accent's element in a sum: \hat{y}_i and \hat{y}^{(i)} name y_hat's elements (\hat{y}_i crashed before)
    (r"\frac{1}{m}\sum_{i=1}^{m} (\hat{y}_i - y_i)^2", {"y_hat": np.array([1.0, 2.0]), "y": np.zeros(2), "m": 2.0}, 2.5),
    (r"\frac{1}{m}\sum_{i=1}^{m} (\hat{y}^{(i)} - y^{(i)})^2", {"y_hat": np.array([1.0, 2.0]), "y": np.zeros(2), "m": 2.0},
     2.5),
    # outside a sum, the example at hand: x given a value is x
    (r"\frac{1}{2} \left(\hat{y}^{(i)} - y^{(i)}\right)^2", {"y_hat": 2.5, "y": 1.0}, 1.125),
])
def test_an_example_superscript_beside_an_accent_or_a_given_value(text, values, value):
    assert np.isclose(compute(text, values).value, value, rtol=1e-13)


def test_the_readers_together_match_the_numbers_pytorch_printed():
    # an alias, an activation object with a setting, a def, a loop, an element assigned, backward():
    # PyTorch 2.13 in float64 printed these for the same program
    found = compute("import torch as t\nimport torch.nn as nn\nact = nn.Softmax(dim=0)\ndef step(h, w):\n"
                    "    return t.tanh(w * h)\nx = t.tensor([0.5, -1.0], requires_grad=True)\n"
                    "w = t.tensor(0.7, requires_grad=True)\nh = x\nfor k in range(3):\n    h = step(h, w)\n"
                    "p = act(h)\np[0] = 0.5 * p[0]\nloss = p.sum()\nloss.backward()\nprint(x.grad)")
    assert np.isclose(found.value, 0.6967016769280547, rtol=1e-13)
    assert np.allclose(found.gradient["x"], [-0.03347090819917689, 0.02020933293333779], rtol=1e-12)
    assert np.isclose(found.gradient["w"], -0.1889602737306801, rtol=1e-12)
