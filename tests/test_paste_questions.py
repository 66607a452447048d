"""What a pasted program asks, read as it asks it: tape.gradient of a dict or list of targets is the
gradient of their sum (TensorFlow's rule), the sources of tape.gradient/torch.autograd.grad and JAX's
argnums pick the gradients reported and their order, DeZero's Variable(np.array(np.pi / 4)) is an
input. Expected values from the libraries' documentation or central differences."""

import math

import numpy as np
import pytest

import gradcalc
from gradcalc.errors import GradcalcError


def _central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("targets", ["{'y0': y0, 'y1': y1}", "[y0, y1]", "(y0, y1)", "{\"a\": y0, \"b\": y1}"])
def test_several_targets_are_differentiated_summed(targets):
    # The TF guide: tape.gradient({'y0': y0, 'y1': y1}, x) prints 3.75 (2x - 1/x² at 2)
    result = gradcalc.compute(f"""\
x = tf.Variable(2.0)
with tf.GradientTape() as tape:
  y0 = x**2
  y1 = 1 / x

print(tape.gradient({targets}, x).numpy())""")
    assert result.gradient == {"x": pytest.approx(3.75)}
    assert result.value == pytest.approx(4.5)


def test_several_targets_of_different_shapes_sum_each_over_its_elements():
    result = gradcalc.compute("""\
x = tf.Variable([1.0, 2.0, 3.0])
with tf.GradientTape() as tape:
  y0 = x * x
  y1 = tf.reduce_sum(tf.sin(x))
g = tape.gradient([y0, y1], x)""")
    x = np.array([1.0, 2.0, 3.0])
    f = lambda x: np.sum(x * x) + np.sum(np.sin(x))  # noqa: E731
    expected = [_central(lambda t: f(np.where(np.arange(3) == k, t, x)), x[k]) for k in range(3)]
    np.testing.assert_allclose(result.gradient["x"], expected, rtol=1e-6)


def test_tape_gradient_in_print_by_an_intermediate():
    # the TF guide: dz/dy = 2y = 18 at y = x² = 9
    result = gradcalc.compute("""\
x = tf.constant(3.0)
with tf.GradientTape() as tape:
  tape.watch(x)
  y = x * x
  z = y * y
print(tape.gradient(z, y).numpy())""")
    assert result.gradient == {"y": 18.0}


@pytest.mark.parametrize("call, order", [("tape.gradient(r, [v1, v0])", ["v1", "v0"]),
                                         ("tape.gradient(r, [v0])", ["v0"]),
                                         ("tape.gradient(target=r, sources=v1)", ["v1"])])
def test_tape_gradient_reports_the_sources_asked_in_their_order(call, order):
    result = gradcalc.compute(f"""\
v0 = tf.Variable(2.0)
v1 = tf.Variable(3.0)
with tf.GradientTape() as tape:
  r = v0 * v1**2
g = {call}""")
    assert list(result.gradient) == order
    assert {"v0": 9.0, "v1": 12.0}.items() >= result.gradient.items()


def test_autograd_grad_reports_the_inputs_asked_in_their_order():
    result = gradcalc.compute("""\
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
c = torch.tensor(5.0, requires_grad=True)
y = a * b * c
gb, ga = torch.autograd.grad(y, [b, a])""")
    assert list(result.gradient) == ["b", "a"]
    assert result.gradient == {"b": 10.0, "a": 15.0}
    picked = gradcalc.compute("""\
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
y = a * b
g = torch.autograd.grad(y, [a, b])[1]""")
    assert picked.gradient == {"b": 2.0}


def test_two_questions_of_a_tape_that_is_not_persistent_are_refused():
    # TensorFlow raises there (a non-persistent tape answers once); a persistent one's are both answered
    with pytest.raises(GradcalcError) as error:
        gradcalc.compute("""\
x = tf.Variable(2.0)
with tf.GradientTape() as tape:
  y0 = x**2
  y1 = 1 / x
print(tape.gradient(y0, x).numpy())
print(tape.gradient(y1, x).numpy())""")
    assert "second question" in str(error.value)
    assert error.value.hint and "one of the two" in error.value.hint


def test_a_seed_in_tape_gradient_starts_the_backward_pass_never_ignored():
    found = gradcalc.compute("""\
x = tf.Variable([1.0, 2.0])
with tf.GradientTape() as tape:
  y = x * x
g = tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0]))""")
    # vᵀ·∂y/∂x, as torch.autograd.grad(x * x, x, grad_outputs=torch.tensor([1.0, 2.0])) gives: [2, 8]
    assert found.gradient["x"].tolist() == [2.0, 8.0] and found.seeded


F = """\
import jax
def f(x, y):
  return x * y**2
print(jax.grad(f{args})(2.0, 0.5))"""


@pytest.mark.parametrize("args, expected", [
    (", argnums=1", {"y": 2.0}), (", 1", {"y": 2.0}), (", argnums=(1, 0)", {"y": 2.0, "x": 0.25}),
    (", argnums=0", {"x": 0.25}), ("", {"x": 0.25})])     # argnums=0 by default, as in JAX
def test_jax_argnums_picks_the_gradients_and_their_order(args, expected):
    # JAX: ∂(x·y²)/∂y = 2xy = 2 and ∂/∂x = y² = 0.25 at (2, 0.5)
    result = gradcalc.compute(F.format(args=args))
    assert result.gradient == expected
    assert list(result.gradient) == list(expected)


def test_jax_argnums_names_the_argument_passed():
    result = gradcalc.compute("""\
import jax
def loss(W, b):
  return W * W * b
w0 = 3.0
b0 = 2.0
print(jax.grad(loss, 1)(w0, b0))""")
    assert result.gradient == {"b0": 9.0}


def test_jax_argnums_past_the_arguments_is_refused():
    with pytest.raises(GradcalcError) as error:
        gradcalc.compute(F.format(args=", argnums=2"))
    assert "argument 2" in str(error.value)


def test_dezero_variable_of_a_computed_number_is_an_input():
    # DeZero's step27: x = Variable(np.array(np.pi / 4)); sin(x).backward(); x.grad = cos(π/4)
    result = gradcalc.compute("""\
x = Variable(np.array(np.pi / 4))
y = sin(x)
y.backward()
print(x.grad)""")
    assert result.value == pytest.approx(math.sin(math.pi / 4))
    assert result.gradient == {"x": pytest.approx(math.cos(math.pi / 4))}
    torch = gradcalc.compute("x = torch.tensor(2.0 ** 0.5 * 3, requires_grad=True)\ny = x * x\ny.backward()")
    assert torch.gradient == {"x": pytest.approx(2 * 3 * 2 ** 0.5)}


def test_requires_grad_on_a_computed_value_is_refused_not_carried_back():
    # PyTorch's blitz: a = ((a * 3) / (a - 1)); a.requires_grad_(True) makes a new leaf, a.grad = 2a there,
    # not the gradient by the first a (gradcalc gave that, exit 0). From paste2's branch (2f49ce8).
    with pytest.raises(GradcalcError) as error:
        gradcalc.compute("a = torch.randn(2, 2)\na = ((a * 3) / (a - 1))\na.requires_grad_(True)\n"
                         "b = (a * a).sum()\nb.backward()\nprint(a.grad)", {"a": [[0.5, -1.0], [2.0, 0.25]]})
    assert "new leaf" in str(error.value) and "torch.tensor(VALUE, requires_grad=True)" in error.value.hint
    leaf = gradcalc.compute("a = torch.randn(2, 2)\na.requires_grad_(True)\nb = (a * a).sum()\nb.backward()",
                            {"a": [[0.5, -1.0], [2.0, 0.25]]})
    np.testing.assert_allclose(leaf.gradient["a"], [[1.0, -2.0], [4.0, 0.5]])
