"""Python's control flow in a pasted program (gradcalc/pyflow.py): for loops over what the text fixes
unrolled, ifs and whiles decided by the values given taken where they run (the gradient through the branch
taken), break and continue. Each case's value and gradients are the numbers PyTorch 2.13 printed running
the same text eagerly (float64, the values given as tensors with requires_grad=True, out.sum().backward()),
in the oracle venv of tools/corpus_oracle.py (/work/notes/pyflow/oracle.py). What gradcalc cannot compute
as Python does is refused (exit 2, a caret, a hint)."""

import time

import numpy as np
import pytest

from gradcalc import compute
from gradcalc.errors import GradcalcError

# (name, text, values, PyTorch's value, PyTorch's gradient of the value's sum)
CASES = [
    ('while-if-pos', 'def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c\nout = f(a)',
     {'a': 0.37},
     1515.52, {'a': 4096.0}),
    ('while-if-neg', 'def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c\nout = f(a)',
     {'a': -0.37},
     -151552.0, {'a': 409600.0}),
    ('while-if-vec', 'def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c\nout = f(a)',
     {'a': [0.3, -0.2]},
     [1228.8, -819.2], {'a': [4096.0, 4096.0]}),
    ('for-break', 'y = 0.0\nfor i in range(20):\n    t = x ** i / (i + 1)\n    y = y + t\n    if t < 0.01:\n        break\nout = y',
     {'x': 0.5},
     1.3822916666666665, {'x': 1.1729166666666666}),
    ('for-continue', 's = 0.0\nfor v in [1.0, 2.0, 3.0, 4.0]:\n    if v * x > 3:\n        continue\n    s = s + v * x\nout = s',
     {'x': 1.2},
     3.5999999999999996, {'x': 3.0}),
    ('enumerate-zip', 'total = 0.0\nfor k, (w, b) in enumerate(zip([w1, w2], [b1, b2])):\n    total = total + (k + 1) * torch.tanh(w * x + b)\nout = total',
     {'x': 0.7, 'w1': 0.5, 'w2': -1.5, 'b1': 0.1, 'b2': 0.3},
     -0.8483988995245665, {'x': -1.3787568101594678, 'w1': 0.5754008605583376, 'w2': 0.8352201315938641, 'b1': 0.8220012293690538, 'b2': 1.1931716165626631}),
    ('static-if-in-loop', 'y = x\nfor i in range(4):\n    if i % 2 == 0:\n        y = y * x\n    else:\n        y = y + x\nout = y',
     {'x': 1.3},
     5.187, {'x': 8.67}),
    ('static-while', 'n = 0\ny = x\nwhile n < 3:\n    y = torch.sin(y)\n    n += 1\nout = y',
     {'x': 0.9},
     0.6485216365594381, {'x': 0.33527198791950436}),
    ('nested-for', 'y = x\nfor i in range(3):\n    for j in range(2):\n        y = y * x + i - j\nout = y',
     {'x': 0.8},
     2.9121152000000006, {'x': 3.7070080000000014}),
    ('elif-high', 'if x > 1:\n    y = x ** 2\nelif x > 0:\n    y = x ** 3\nelse:\n    y = -x\nout = y',
     {'x': 1.5},
     2.25, {'x': 3.0}),
    ('elif-mid', 'if x > 1:\n    y = x ** 2\nelif x > 0:\n    y = x ** 3\nelse:\n    y = -x\nout = y',
     {'x': 0.5},
     0.125, {'x': 0.75}),
    ('elif-low', 'if x > 1:\n    y = x ** 2\nelif x > 0:\n    y = x ** 3\nelse:\n    y = -x\nout = y',
     {'x': -0.5},
     0.5, {'x': -1.0}),
    ('if-no-else', 'y = x * 2\nif y.sum() > 0:\n    y = y * 3\nout = (y * y).sum()',
     {'x': [0.5, -0.2]},
     10.440000000000001, {'x': [36.0, -14.400000000000002]}),
    ('if-no-else-untaken', 'y = x * 2\nif y.sum() > 0:\n    y = y * 3\nout = (y * y).sum()',
     {'x': [-0.5, 0.2]},
     1.1600000000000001, {'x': [-4.0, 1.6]}),
    ('params-list', 'params = [w1, w2]\nh = x\nfor W in params:\n    h = torch.tanh(W * h)\nout = h',
     {'x': 0.6, 'w1': 1.5, 'w2': -0.8},
     -0.517587122089872, {'x': -0.42776872668161803, 'w1': -0.1711074906726472, 'w2': 0.5244042287058684}),
    ('break-inner', 'y = x\nfor i in range(5):\n    if y > 2:\n        y = y + 100\n        break\n    y = y * x\nout = y',
     {'x': 1.6},
     102.56, {'x': 3.2}),
]


def _given(values):
    return {name: np.array(value, dtype=float) if isinstance(value, list) else value for name, value in values.items()}


@pytest.mark.parametrize("name, text, values, value, gradient", CASES, ids=[case[0] for case in CASES])
def test_control_flow_gives_pytorchs_numbers(name, text, values, value, gradient):
    found = compute(text, _given(values))
    assert np.allclose(found.value, value, rtol=1e-9, atol=1e-12)
    for input_name, expected in gradient.items():
        assert np.allclose(found.gradient[input_name], expected, rtol=1e-9, atol=1e-12), input_name


def _refused(text, values, *words):
    with pytest.raises(GradcalcError) as caught:
        compute(text, _given(values))
    error = caught.value
    assert error.exit_code == 2 and error.hint, error.render()
    for word in words:
        assert word in error.render(), error.render()
    return error


def test_a_loop_too_long_to_unroll_is_refused_at_once():
    started = time.process_time()
    error = _refused("y = x\nfor i in range(10**9):\n    y = y + x\ny", {"x": 1.0}, "1000000000 steps", "range(10**9)")
    assert error.span[0] == len("y = x\nfor i in ")
    assert time.process_time() - started < 5


def test_a_while_loop_the_text_never_ends_is_refused():
    _refused("y = x\nwhile True:\n    y = y * 2\ny", {"x": 1.0}, "more than 1000 steps")


def test_a_while_loop_still_running_at_these_values_is_refused_where_it_runs():
    error = _refused("y = x\nwhile y > 0:\n    y = y + 1\ny", {"x": 1.0}, "still runs after 1000 steps")
    assert "while" in error.render()
    # the same loop ends at once at other values
    assert compute("y = x\nwhile y > 0:\n    y = y + 1\ny", x=-1.0).value == -1.0


def test_an_if_on_an_array_is_refused_as_python_refuses_it():
    _refused("if x > 0:\n    y = x * 2\nelse:\n    y = x\ny", {"x": np.array([1.0, -1.0])}, "one number")


def test_a_training_loop_is_refused():
    _refused("for epoch in range(3):\n    loss = (w * x - 1) ** 2\n    loss.backward()\nloss",
             {"w": 0.5, "x": 2.0}, "training loop")


def test_break_outside_a_loop_is_refused():
    _refused("y = x\nif x > 0:\n    break\ny", {"x": 1.0}, "outside a loop")


def test_a_loop_over_what_the_text_does_not_fix_is_refused_with_a_hint():
    _refused("y = x\nfor w in ws:\n    y = y * w\ny", {"x": 1.0, "ws": np.array([1.0, 2.0])}, "for w in ws")


def test_a_statement_in_a_branch_decided_by_the_values_that_is_not_an_assignment_is_refused():
    _refused("y = x\nif x > 0:\n    y[0] = 1.0\ny", {"x": 1.0}, "not read")


def test_an_if_the_text_decides_keeps_its_branch_and_the_setting_is_no_input():
    found = compute("scale = True\nif scale:\n    y = 3 * x\nelse:\n    y = x\ny", x=2.0)
    assert found.value == 6.0 and found.gradient == {"x": 3.0}


def test_the_error_after_a_loop_points_at_the_pasted_text():
    text = "y = x\nfor i in range(3):\n    y = y * x\nz = y + q\nz"
    with pytest.raises(GradcalcError) as caught:
        compute(text, x=1.0)
    assert caught.value.text == text and text[caught.value.span[0]:caught.value.span[1]] == "q"


# -- decorators, parameters and lines as Python writes them ------------------------------------------------

def test_a_def_under_torch_no_grad_carries_no_gradient_as_in_pytorch():
    # PyTorch 2.13: y = 16, x.grad = 6 (only x ** 2's: scale(x) is computed without a graph)
    text = "@torch.no_grad()\ndef scale(v):\n    w = v * 2\n    return w + 1\ny = scale(x) + x ** 2\ny.backward()"
    found = compute(text, x=3.0)
    assert found.value == 16.0 and found.gradient["x"] == 6.0


def test_keyword_only_parameters_are_read():
    # PyTorch 2.13: 11.25 and x.grad = 15
    text = "def f(a, *, k=2.0):\n    return k * a ** 2\ny = f(x) + f(x, k=3.0)\ny.backward()"
    found = compute(text, x=1.5)
    assert found.value == pytest.approx(11.25) and found.gradient["x"] == pytest.approx(15.0)


def test_a_parameter_named_lambda_underscore_is_a_name():
    # JAX (x64): selu and the gradient of its sum at [-0.5, 0.3, 1.2]
    text = ("def selu(x, alpha=1.67, lambda_=1.05):\n"
            "  return lambda_ * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)")
    found = compute(text, x=np.array([-0.5, 0.3, 1.2]))
    assert np.allclose(found.value, [-0.6899484881938972, 0.315, 1.26], rtol=1e-12)
    assert np.allclose(found.gradient["x"], [1.0635515118061027, 1.05, 1.05], rtol=1e-12)


def test_a_backslash_at_a_lines_end_joins_it_to_the_next():
    # PyTorch 2.13: -0.26 and w.grad = [3.6, 2.0]
    text = "loss = (w ** 2).sum() \\\n     + w.sum() * 3\nloss.backward()"
    found = compute(text, w=np.array([0.3, -0.5]))
    assert found.value == pytest.approx(-0.26) and np.allclose(found.gradient["w"], [3.6, 2.0])


# -- classes: their methods read as functions (self.x as x) ------------------------------------------------

def test_a_class_is_read_as_its_methods_the_hand_written_derivative_left_out():
    # ML-From-Scratch's Sigmoid; PyTorch 2.13: 0.6681877721681662 and x.grad = 0.2217128732931091
    text = ("class Sigmoid():\n    def __init__(self): pass \n\n    def function(self, x):\n        return 1 / (1 + np.exp(-x))"
            "\n\n    def gradient(self, x):\n        return self.function(x) * (1 - self.function(x))")
    found = compute(text, x=0.7)
    assert found.value == pytest.approx(0.6681877721681662, rel=1e-12)
    assert found.gradient["x"] == pytest.approx(0.2217128732931091, rel=1e-12)
    assert any("gradient (a derivative written by hand) left out" in note for note in found.graph.notes)


def test_init_settings_are_inputs_with_their_defaults_and_call_is_the_program():
    # PyTorch 2.13: [-0.14, 1.5] and x.grad = [0.2, 1.0]
    text = ("class LeakyReLU():\n    def __init__(self, alpha=0.2):\n        self.alpha = alpha\n\n"
            "    def __call__(self, x):\n        return np.where(x >= 0, x, self.alpha * x)")
    found = compute(text, x=np.array([-0.7, 1.5]))
    assert np.allclose(found.value, [-0.14, 1.5]) and np.allclose(found.gradient["x"], [0.2, 1.0])
    assert compute(text, x=np.array([-0.7, 1.5]), alpha=0.1).value[0] == pytest.approx(-0.07)


def test_a_method_pasted_alone_with_its_indentation_reads_self_attributes_as_inputs():
    # CS231n's Neuron.forward (its def forgets self, as the notes print it); PyTorch 2.13's numbers
    text = ("  def forward(inputs):\n    cell_body_sum = np.sum(inputs * self.weights) + self.bias\n"
            "    firing_rate = 1.0 / (1.0 + math.exp(-cell_body_sum))\n    return firing_rate")
    found = compute(text, inputs=np.array([0.5, -1.2, 2.0]), weights=np.array([0.3, 0.1, -0.4]), bias=0.2)
    assert found.value == pytest.approx(0.36123682485115804, rel=1e-12)
    assert np.allclose(found.gradient["weights"], [0.11537239061130591, -0.2768937374671342, 0.46148956244522366])
    assert found.gradient["bias"] == pytest.approx(0.23074478122261183, rel=1e-12)


def test_a_caret_in_a_class_points_at_the_pasted_text():
    text = "class C:\n    def f(self, x):\n        return x + q"
    with pytest.raises(GradcalcError) as caught:
        compute(text, x=1.0)
    assert caught.value.text == text and text[caught.value.span[0]:caught.value.span[1]] == "q"


# -- return inside an if: the def's value where its first return runs ------------------------------------------

_G = ("def g(x):\n    if x > 0:\n        y = x ** 2\n        if y > 4:\n            return y * 10\n    else:\n"
      "        return -x\n    return y + 1\nout = g(x)")


@pytest.mark.parametrize("x, value, gradient", [(3.0, 90.0, 60.0), (1.0, 2.0, 2.0), (-2.0, 2.0, -1.0)])
def test_a_return_inside_an_if_ends_the_def_where_it_runs_as_in_pytorch(x, value, gradient):
    found = compute(_G, x=x)       # PyTorch 2.13's numbers for g(torch.tensor(x, requires_grad=True))
    assert found.value == pytest.approx(value) and found.gradient["x"] == pytest.approx(gradient)
    assert not any("_go" in note for note in found.graph.notes)


@pytest.mark.parametrize("x, value, gradient", [(2.0, 16.0, 24.0), (4.0, 12.566370614359172, 3.141592653589793)])
def test_an_early_return_then_the_last_line(x, value, gradient):
    # JAX's cookbook f without its try: PyTorch 2.13's numbers
    found = compute("def f(x):\n    if x < 3:\n        return 2 * x ** 3\n    return math.pi * x\nf(x)", x=x)
    assert found.value == pytest.approx(value) and found.gradient["x"] == pytest.approx(gradient)


def test_a_def_that_may_end_without_a_return_is_refused():
    _refused("def f(x):\n    if x > 0:\n        return x\nf(x)", {"x": 1.0}, "may reach its end without a return")


def test_a_name_a_return_may_leave_unassigned_is_refused():
    _refused("def h(x):\n    if x > 0:\n        y = x\n    if x > 5:\n        return 1.0\n    return y\nh(x)", {"x": 3.0},
             "y is assigned only where")


# -- a function bound to a name, a GradientTape inside a helper ---------------------------------------------

def test_a_library_function_bound_to_a_name_is_that_function():
    # PyTorch's nn tutorial: loss_func = F.cross_entropy; PyTorch 2.13's numbers
    text = ("loss_func = F.cross_entropy\n\ndef model(xb):\n    return xb @ w\n\nprint(loss_func(model(xb), yb))")
    found = compute(text, xb=np.array([[0.1, 0.5, -0.3], [0.0, 0.9, 0.2]]),
                    w=np.array([[0.2, -0.1], [0.3, 0.1], [-0.05, 0.2]]), yb=np.array([0.0, 1.0]))
    assert found.value == pytest.approx(0.6780746637449653, rel=1e-12)
    assert np.allclose(found.gradient["w"], [[-0.022446436534632904, 0.022446436534632908],
                                             [0.1273722552011289, -0.1273722552011289],
                                             [0.12058474024263058, -0.12058474024263058]], rtol=1e-10)
    assert any("loss_func is F.cross_entropy" in note for note in found.graph.notes)


def test_a_def_bound_to_a_name_last_is_the_program():
    found = compute("def nll(input, target):\n    return -(input * target).sum()\n\nloss_func = nll",
                    input=np.array([0.5, -1.0]), target=np.array([1.0, 0.0]))
    assert found.value == -0.5 and np.allclose(found.gradient["input"], [-1.0, 0.0])


def test_a_gradient_tape_inside_a_helper_is_its_question():
    # TensorFlow's eager guide: grad_log1pexp(tf.constant(0.)) is 0.5 (PyTorch 2.13: log(1 + e^x) at 0, 0.5)
    text = ("def log1pexp(x):\n  return tf.math.log(1 + tf.exp(x))\n\ndef grad_log1pexp(x):\n"
            "  with tf.GradientTape() as tape:\n    tape.watch(x)\n    value = log1pexp(x)\n"
            "  return tape.gradient(value, x)\n\ngrad_log1pexp(tf.constant(0.)).numpy()")
    found = compute(text)
    assert found.value == pytest.approx(0.6931471805599453) and found.gradient["x"] == pytest.approx(0.5)


# -- comprehensions over what the text fixes --------------------------------------------------------------

def test_a_comprehension_over_what_the_text_fixes_is_unrolled():
    # PyTorch 2.13: 19.5, and x.grad 11, y.grad 6, w1/w2/w3.grad 1, 2, 4
    text = ("ws = [w1, w2, w3]\ntotal = sum(w * x ** k for k, w in enumerate(ws))\nsq = [v ** 2 for v in (x, y)]\n"
            "out = total + sum(sq)")
    found = compute(text, x=2.0, y=3.0, w1=0.5, w2=-1.0, w3=2.0)
    assert found.value == 19.5
    assert found.gradient == pytest.approx({"x": 11.0, "y": 6.0, "w1": 1.0, "w2": 2.0, "w3": 4.0})


def test_a_comprehension_too_long_to_unroll_is_refused():
    _refused("total = sum(x ** k for k in range(10**9))\ntotal", {"x": 0.5}, "more than gradcalc unrolls")


def test_star_unpacking_of_an_array_written_out():
    # Deep Learning with PyTorch, ch. 5: model(t_u, *params); PyTorch 2.13: 0.625 and params.grad = [-2.5, -1.5]
    text = ("t = torch.tensor([1.0, 2.0])\nc = torch.tensor([2.0, 3.5])\n\ndef model(t, w, b):\n    return w * t + b\n\n"
            "params = torch.tensor([1.0, 0.5], requires_grad=True)\nloss = ((model(t, *params) - c) ** 2).mean()\n"
            "loss.backward()\nparams.grad")
    found = compute(text)
    assert found.value == pytest.approx(0.625) and np.allclose(found.gradient["params"], [-2.5, -1.5])


def test_a_unit_test_method_is_read_as_its_lines():
    # joelgrus/autograd's test, written with PyTorch's names: PyTorch 2.13 gives 6 and t1.grad = [1, 1, 1]
    text = ("    def test_simple_sum(self):\n        t1 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
            "        t2 = t1.sum()\n\n        t2.backward()\n\n        assert t1.grad.data.tolist() == [1, 1, 1]")
    found = compute(text)
    assert found.value == 6.0 and np.allclose(found.gradient["t1"], [1.0, 1.0, 1.0])


@pytest.mark.parametrize("reset, dy", [("True", 0.0), ("False", 6.0)])
def test_an_if_the_text_decides_around_a_tapes_reset(reset, dy):
    # TensorFlow's guide: with reset = True, t.reset() throws out y_sq's recording, dz/dy is None (PyTorch 2.13 with
    # (y * y).detach(): 0); with reset = False, 2y = 6
    text = (f"x = tf.Variable(2.0)\ny = tf.Variable(3.0)\nreset = {reset}\n\nwith tf.GradientTape() as t:\n  y_sq = y * y\n"
            "  if reset:\n    # Throw out all the tape recorded so far.\n    t.reset()\n  z = x * x + y_sq\n\n"
            "grad = t.gradient(z, {'x': x, 'y': y})")
    found = compute(text)
    assert found.value == 13.0 and found.gradient["x"] == 4.0 and found.gradient.get("y", 0.0) == dy


def test_a_name_unpacked_into_names_is_indexed():
    # PyTorch 2.13: 0.25 and p.grad = [-1.0, -1.0]
    text = "def loss(params, x):\n    w, b = params\n    return ((w * x + b) ** 2).sum()\nout = loss(p, x)"
    found = compute(text, p=np.array([0.5, -1.0]), x=np.array([1.0, 2.0]))
    assert found.value == pytest.approx(0.25) and np.allclose(found.gradient["p"], [-1.0, -1.0])


def test_loops_inside_loops_too_long_to_unroll_are_refused_at_once():
    started = time.process_time()
    _refused("y = x\nfor i in range(1000):\n    for j in range(1000):\n        y = y + x * i - j\ny", {"x": 1.0},
             "more than the 50,000 statements")
    _refused("y = x\nfor i in range(10**9):\n    while y < 10:\n        y = y + x\ny", {"x": 1.0}, "statements")
    assert time.process_time() - started < 5
