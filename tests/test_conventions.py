"""What the frameworks compute where conventions differ (0 × ∞, kinks, ties, what passes a gradient),
each case written with the number the framework's own code printed (PyTorch 2.13, JAX with x64,
TensorFlow 2.21) and the framework rule it follows: gradcalc computes that number, or refuses."""

from __future__ import annotations

import pytest

from tests.helpers import run


# -- 0 × ∞ on a gradient path is nan ----------------------------------------------------------------
# PyTorch's SqrtBackward is grad / (2·result): at 0 a 0 upstream gives 0/0 = nan; JAX's sqrt jvp
# divides the same way. torch.sqrt(x)**2, sqrt(x)*sqrt(x), x**0.5*x**0.5 at 0: x.grad = nan (and
# jax.grad nan). gradcalc exits 3 in every mode rather than print 0.

@pytest.mark.parametrize("text", ["sqrt(x)**2", "sqrt(x)*sqrt(x)", "x**0.5*x**0.5", "x*sqrt(x)"])
@pytest.mark.parametrize("options", [("-q",), ("--mode", "forward"), ("--check",), ("--hessian",),
                                     ("--symbolic",)])
def test_zero_times_an_infinite_derivative_is_nan_so_refused(text, options):
    result = run(text, "--x", "0", *options)
    assert result.exit_code == 3, result.output
    assert "0 × inf is nan" in result.stderr and "^" in result.stderr


def test_zero_times_infinity_in_a_batch_fails_that_row_only():
    result = run("sqrt(x)**2", "--points", "-", input="x\n0\n4\n")
    assert result.exit_code == 3
    assert "line 2" in result.stderr and "sqrt(0)" in result.stderr


@pytest.mark.parametrize("text, gradient", [
    # torch: torch.sqrt(x).detach() + x → x.grad 1; JAX: lax.stop_gradient(jnp.sqrt(x)) + x → 1
    ("stop_gradient(sqrt(x)) + x", "1"),
    ("torch.sqrt(x).detach() + x", "1"),
    # a comparison has no gradient at all: (sqrt(x) > 0) * x at 0 gives 0 in both; a where's condition
    # likewise: torch.where(torch.sqrt(x) >= 0, x, 2*x) → 1
    ("(sqrt(x) > 0)*x", "0"),
    ("where(sqrt(x) >= 0, x, 2*x)", "1"),
])
def test_no_gradient_path_behind_stop_gradient_or_a_comparison(text, gradient):
    result = run(text, "--x", "0", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[-1] == gradient


# -- what leaves the graph: the value passes, no gradient --------------------------------------------
# PyTorch: x.item() is a Python float (x = torch.tensor(3., requires_grad=True); (x.item()*x).backward()
# gives x.grad = 3); float(x) likewise; TensorFlow's x.numpy() is a NumPy array the tape does not see
# (tape.gradient(x * x.numpy(), x) = 3); detach(), jax.lax.stop_gradient, tf.stop_gradient as before.

@pytest.mark.parametrize("text", ["x.item()*x", "float(x)*x", "x * x.numpy()", "x.detach()*x",
                                  "jax.lax.stop_gradient(x)*x", "tf.stop_gradient(x)*x", "x.data*x",
                                  "x.detach().numpy()*x"])
def test_a_value_taken_out_of_the_graph_carries_no_gradient(text):
    result = run(text, "--x", "3", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["9", "3"]


def test_a_cast_keeps_the_gradient():
    # x.float() and x.double() are casts: torch's (x.float()*x).backward() gives 2x = 6
    assert run("x.float()*x", "--x", "3", "-q").stdout.split() == ["9", "6"]


def test_pytorch_detach_and_item_in_one_program():
    # torch: z = y.detach()*x + torch.sin(x).item()*x at x = 3 → x.grad = 9 + sin(3) = 9.14112000806
    program = ("x = torch.tensor(3.0, requires_grad=True)\ny = x ** 2\n"
               "z = y.detach() * x + torch.sin(x).item() * x\nz.backward()")
    result = run(program, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[-1] == "9.141120008"


def test_tensorflow_numpy_in_a_tape():
    program = ("x = tf.Variable(3.0)\nwith tf.GradientTape() as tape:\n  y = x * x.numpy()\n"
               "print(tape.gradient(y, x))")
    result = run(program, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[-1] == "3"
