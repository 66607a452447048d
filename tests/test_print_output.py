"""The last print shows the output even when its call holds commas (print(f(u, v)),
print(jax.grad(f)(u, v))): a comma inside the argument's brackets is not a second value. It was taken
as one, the print dropped and the last assignment (v) differentiated instead, with exit 0."""

import numpy as np
import pytest

import gradcalc

F = "def f(a, b):\n    return a*b + a\n"


@pytest.mark.parametrize("text, gradient", [
    (F + "u = 2.0\nv = 3.0\nprint(f(u, v))\n", {"u": 4.0, "v": 2.0}),
    # jax.grad differentiates by the first argument alone (argnums=0, JAX's default): JAX prints 4.0
    ("import jax\n" + F + "u = 2.0\nv = 3.0\nprint(jax.grad(f)(u, v))\n", {"u": 4.0}),
])
def test_a_print_of_a_call_with_several_arguments_is_the_output(text, gradient):
    result = gradcalc.compute(text)
    assert result.value == 8.0
    assert result.gradient == pytest.approx(gradient)


def test_a_print_of_a_call_with_numbers():
    result = gradcalc.compute(F + "print(f(2.0, 3.0))\n")
    assert result.value == 8.0
    assert result.gradient == pytest.approx({"a": 4.0, "b": 2.0})


def test_jax_grad_of_a_loss_with_data():
    result = gradcalc.compute("""\
import jax.numpy as jnp
from jax import grad
def loss(params, inputs):
    return jnp.sum(jnp.tanh(inputs * params))
w0 = jnp.array([0.1, 0.2])
xs = jnp.array([1.0, -2.0])
print(grad(loss)(w0, xs))
""")
    w0, xs = np.array([0.1, 0.2]), np.array([1.0, -2.0])
    assert result.value == pytest.approx(np.sum(np.tanh(xs * w0)))
    np.testing.assert_allclose(result.gradient["w0"], xs / np.cosh(xs * w0) ** 2)


def test_a_print_of_two_values_is_not_the_output():
    result = gradcalc.compute("x = 2.0\ny = x**2\nprint(x, y)\n")
    assert result.output_name == "y"
    assert result.value == 4.0
