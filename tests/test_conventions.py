"""What the frameworks compute where conventions differ (0 × ∞, kinks, ties, what passes a gradient),
each case written with the number the framework's own code printed (PyTorch 2.13, JAX with x64,
TensorFlow 2.21) and the framework rule it follows: gradcalc computes that number, or refuses."""

from __future__ import annotations

import json

import numpy as np
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


# -- kinks and ties, by library (dialects.KINKS) -----------------------------------------------------
# Each expected gradient is what the library printed for sum(f(x)) at these points (torch 2.13, JAX x64,
# TF 2.21).
AT = "[0, 6, -1, 1]"


@pytest.mark.parametrize("text, gradient", [
    # PyTorch's hardtanh backward masks (x > min_val) & (x < max_val): 0 at the bounds; relu6 is
    # hardtanh(0, 6); JAX's relu6 jvp and TF's Relu6Grad mask the same open interval
    ("F.relu6(x)", [0, 0, 0, 1]), ("jax.nn.relu6(x)", [0, 0, 0, 1]), ("tf.nn.relu6(x)", [0, 0, 0, 1]),
    ("F.hardtanh(x)", [1, 0, 0, 0]),
    # jax.nn.hard_tanh is where(x > 1, 1, where(x < -1, -1, x)): 1 at ±1
    ("jax.nn.hard_tanh(x)", [1, 0, 1, 1]),
    # jnp.clip is minimum(maximum(x, lo), hi), a tie ½; torch.clamp and tf.clip_by_value pass 1 at a bound
    ("jnp.clip(x, 0., 1.)", [0.5, 0, 0, 0.5]), ("torch.clamp(x, 0., 1.)", [1, 0, 0, 1]),
    ("tf.clip_by_value(x, 0., 1.)", [1, 0, 0, 1]), ("jnp.clip(x, 0.)", [0.5, 1, 0, 1]),
    # TF's _MaximumGrad gives x the gradient where x >= y (a tie all to the first), _MinimumGrad x <= y;
    # torch.maximum and jnp.maximum share a tie, ½ each; jnp.fmax is where(x > y, x, y)
    ("tf.maximum(x, 0.)", [1, 1, 0, 1]), ("tf.math.maximum(0., x)", [0, 1, 0, 1]),
    ("tf.minimum(x, 0.)", [1, 0, 1, 0]), ("jnp.maximum(x, 0.)", [0.5, 1, 0, 1]),
    ("torch.maximum(x, torch.zeros_like(x))", [0.5, 1, 0, 1]), ("jnp.fmax(x, 0.)", [0, 1, 0, 1]),
    # JAX's abs jvp is select(x >= 0, t, -t): 1 at 0; torch's and TF's sign(0) = 0
    ("jnp.abs(x)", [1, 1, -1, 1]), ("torch.abs(x)", [0, 1, -1, 1]), ("tf.abs(x)", [0, 1, -1, 1]),
    ("jnp.linalg.norm(x, 1)", [1, 1, -1, 1]),
    # jax.nn.leaky_relu is where(x >= 0, x, slope·x): 1 at 0; torch's and TF's the slope
    ("jax.nn.leaky_relu(x)", [1, 1, 0.01, 1]), ("F.leaky_relu(x)", [0.01, 1, 0.01, 1]),
    ("tf.nn.leaky_relu(x)", [0.2, 1, 0.2, 1]),
])
def test_each_library_kink_and_tie(text, gradient):
    result = run(f"sum({text})", "--x", AT, "-q")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1]) == gradient


@pytest.mark.parametrize("text", ["jnp.linalg.norm(x)", "tf.norm(x)", "tf.math.reduce_euclidean_norm(x)"])
def test_the_norm_of_a_zero_vector_is_nan_in_jax_and_tensorflow(text):
    # jnp.linalg.norm and tf.norm are sqrt(Σx²): their gradient at a zero vector is nan
    result = run(text, "--x", "[0, 0]")
    assert result.exit_code == 3 and "sqrt(0)" in result.stderr


@pytest.mark.parametrize("text", ["torch.norm(x)", "torch.linalg.norm(x)", "np.linalg.norm(x)"])
def test_the_norm_of_a_zero_vector_is_0_in_pytorch(text):
    # PyTorch's norm backward masks x = 0: x.grad = [0, 0]
    assert run(text, "--x", "[0, 0]", "-q").stdout.split() == ["0", "[0,", "0]"]


@pytest.mark.parametrize("text, at, gradient", [
    # torch documents that max(dim)/min(dim) return the first index of tied values; its backward
    # gives that index the whole gradient: x.max(dim=0).values at [1, 1, 0] → x.grad [1, 0, 0]
    ("x.max(dim=0).values", "[1, 1, 0]", [1, 0, 0]), ("torch.max(x, 0)[0]", "[1, 1, 0]", [1, 0, 0]),
    ("torch.max(x, dim=0, keepdim=True).values", "[1, 1, 0]", [1, 0, 0]),
    ("x.min(dim=0).values", "[0, 1, 0]", [1, 0, 0]),
    ("x.max(dim=1).values", "[[1, 1], [1, 0]]", [[1, 0], [1, 0]]),
    # without dim, and torch.amax, the tie is shared evenly (as in JAX and tf.reduce_max)
    ("x.max()", "[1, 1, 0]", [0.5, 0.5, 0]), ("x.amax(dim=0)", "[1, 1, 0]", [0.5, 0.5, 0]),
    ("jnp.max(x, axis=0)", "[1, 1, 0]", [0.5, 0.5, 0]), ("tf.reduce_max(x, axis=0)", "[1, 1, 0]", [0.5, 0.5, 0]),
])
def test_pytorch_max_along_a_dim_gives_a_tie_to_the_first_index(text, at, gradient):
    result = run(f"sum({text})", "--x", at, "-q")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.split("\n", 1)[1]) == gradient


# -- a gradient PyTorch takes of one number only -------------------------------------------------------
# torch: y = x * x with x = torch.tensor([1., 2.]); y.backward() raises "grad can be implicitly created
# only for scalar outputs", and so does torch.autograd.grad(y, x); a one-element y (numel() == 1) is
# fine, as is y.backward(torch.ones_like(y)) (x.grad = [2, 4]) and DeZero's backward (seeded with ones).

NONSCALAR = "import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x * x\n"


@pytest.mark.parametrize("line, hint", [
    ("y.backward()", "y.sum().backward()"),
    ("g = torch.autograd.grad(y, x)", "torch.autograd.grad(y.sum(), …)"),
    ("(x * x).backward()", "(x * x).sum().backward()"),
])
def test_a_backward_of_an_array_is_refused_as_pytorch_raises(line, hint):
    result = run(NONSCALAR + line)
    assert result.exit_code == 2, result.output
    assert "grad can be implicitly created only for scalar outputs" in result.stderr
    assert hint in result.stderr and "--upstream" in result.stderr and "^^^" in result.stderr


@pytest.mark.parametrize("program, gradient", [
    (NONSCALAR + "y.sum().backward()", "[2, 4]"),
    (NONSCALAR + "y.backward(torch.ones_like(y))", "[2, 4]"),
    ("import torch\nx = torch.tensor([3.0], requires_grad=True)\ny = x * x\ny.backward()", "[6]"),
    ("x = Variable(np.array([1.0, 2.0]))\ny = x * x\ny.backward()\nprint(x.grad)", "[2, 4]"),    # DeZero
])
def test_a_backward_pytorch_takes_is_read(program, gradient):
    result = run(program, "-q")
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()).endswith(gradient)


def test_the_hint_computes_the_same():
    # --upstream [1, 1] is y.backward(gradient=torch.ones(2)): x.grad = [2, 4]
    result = run(NONSCALAR + "y.backward()", "--upstream", "[1, 1]", "-q")
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()).endswith("[2, 4]")


# -- a custom gradient rule is refused without a hint to remove it -------------------------------------
# JAX's custom_jvp example (f = sin with the rule 2·cos) prints grad(f)(0.5) = 1.755, and the
# clip_gradient custom_vjp gives another number than its formula's; removing the decorator would
# compute the formula's derivative (cos(0.5) = 0.878), another number.

@pytest.mark.parametrize("decorator", ["@partial(jax.custom_vjp, nondiff_argnums=(0, 1))", "@tf.custom_gradient"])
def test_a_custom_gradient_rule_is_refused_without_suggesting_to_drop_it(decorator):
    result = run(f"{decorator}\ndef f(x):\n  return jnp.sin(x)\nprint(f(0.5))")
    assert result.exit_code == 2, result.output
    assert "gradient rule of its own" in result.stderr and "remove" not in result.stderr


@pytest.mark.parametrize("decorator", ["@jax.custom_jvp", "@custom_jvp"])
def test_jaxs_custom_rules_are_refused(decorator):
    # (helper jax's message: its hint removes the rule only where it is the formula's exact derivative)
    result = run(f"{decorator}\ndef f(x):\n  return jnp.sin(x)\nprint(f(0.5))")
    assert result.exit_code == 2, result.output


# -- defaults the libraries take ------------------------------------------------------------------------
# scipy.special.softmax and jax.scipy.special.softmax default to axis=None: the whole array. JAX x64:
# jax.grad(lambda x: jax.scipy.special.softmax(x)[0, 0]) at [[1, 2], [3, 5]] is the row below.

@pytest.mark.parametrize("text, value, gradient", [
    ("scipy.special.softmax(x)[0, 0]", 0.01521942886415593,
     [[0.014987797849204825, -0.0006296383788491076], [-0.0017115345637259416, -0.012646624906629777]]),
    ("jax.scipy.special.softmax(x)[0, 0]", 0.01521942886415593,
     [[0.014987797849204825, -0.0006296383788491076], [-0.0017115345637259416, -0.012646624906629777]]),
    ("jax.scipy.special.log_softmax(x)[0, 0]", -4.185182452603812,
     [[0.984780571135844, -0.04137069692096015], [-0.11245721367093255, -0.8309526605439513]]),
])
def test_scipy_softmax_is_over_the_whole_array_by_default(text, value, gradient):
    data = json.loads(run(text, "--x", "[[1, 2], [3, 5]]", "--json").stdout)
    assert data["value"] == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(data["gradient"]["x"], gradient, rtol=1e-10)


@pytest.mark.parametrize("text", ["F.softmax(x)", "F.log_softmax(x)", "x.softmax()", "nn.Softmax()(x)"])
def test_pytorch_softmax_without_dim_asks_for_it(text):
    # PyTorch's implicit dim is 0 for 3-D input, not the last axis, and it warns that it is deprecated
    result = run(f"{text}[0, 0, 0]", "--x", "[[[1, 2], [3, 5]]]")
    assert result.exit_code == 2 and "implicit dim" in result.stderr and "dim=-1" in result.stderr


def test_pythons_sum_of_a_matrix_adds_its_rows():
    # Python's built-in sum iterates a NumPy array's first axis: sum(W*W) of [[1, 2], [3, 4]] is [10, 20]
    program = "import numpy as np\nW = np.array([[1.0, 2.0], [3.0, 4.0]])\nprint(sum(W*W))"
    assert run(program, "-q").stdout.split()[:2] == ["[10,", "20]"]
    # after from numpy import *, sum is NumPy's: every element
    assert run(program.replace("import numpy as np", "from numpy import *").replace("np.", ""),
               "-q").stdout.split()[0] == "30"
    # a formula's sum is gradcalc's: every element
    assert run("sum(W*W)", "--W", "[[1, 2], [3, 4]]", "-q").stdout.split()[0] == "30"


# -- Jacobians -----------------------------------------------------------------------------------------
# tape.jacobian(y, x), torch.autograd.functional.jacobian(f, x) and jax.jacobian(f)(x) print a matrix,
# never the column sums the gradient of y's sum would be: shown as --jacobian's table (PyTorch's numbers:
# softmax's Jacobian at [1, 2], and sin(x)·x[0]'s)

@pytest.mark.parametrize("program, matrix", [
    ("x = tf.Variable([1.0, 2.0])\nwith tf.GradientTape() as tape:\n  y = tf.nn.softmax(x)\nj = tape.jacobian(y, x)",
     [[0.19661193324148185, -0.19661193324148188], [-0.19661193324148188, 0.19661193324148185]]),
    ("def f(x):\n    return torch.sin(x) * x[0]\nx = torch.tensor([1.0, 2.0])\n"
     "print(torch.autograd.functional.jacobian(f, x))", [[1.3817732906760363, 0.0], [0.9092974268256817, -0.4161468365471424]]),
    ("def f(x):\n    return jnp.sin(x) * x[0]\nprint(jax.jacobian(f)(jnp.array([1.0, 2.0])))",
     [[1.3817732906760363, 0.0], [0.9092974268256817, -0.4161468365471424]]),
])
def test_a_jacobian_is_its_matrix_not_summed(program, matrix):
    result = run(program, "-q")
    assert result.exit_code == 0, result.output
    np.testing.assert_allclose([[float(v) for v in line.split()] for line in result.stdout.splitlines()], matrix,
                               rtol=1e-9)


# -- what a TensorFlow tape watches ----------------------------------------------------------------------
# The GradientTape guide's example prints 6.0 for x0 and None for x1 (trainable=False), x2 (a tensor
# computed before the tape) and x3 (a tf.constant); an unwatched tf.constant alone gives None; a value
# computed under stop_recording() takes no gradient (TF: None for y there).

TF_TRAINABLE = """x0 = tf.Variable(3.0, name='x0')
x1 = tf.Variable(3.0, name='x1', trainable=False)
x2 = tf.Variable(2.0, name='x2') + 1.0
x3 = tf.constant(3.0, name='x3')

with tf.GradientTape() as tape:
  y = (x0**2) + (x1**2) + (x2**2)

grad = tape.gradient(y, [x0, x1, x2, x3])
"""


def test_the_sources_a_tape_does_not_watch_are_not_given_a_gradient():
    result = run(TF_TRAINABLE, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gradient"] == {"x0": 6.0}
    note = run(TF_TRAINABLE, "-q").output
    assert "x1, a tf.Variable made with trainable=False" in note and "x3, a tf.constant" in note
    assert "TensorFlow gives None" in note


def test_an_unwatched_constant_alone_is_refused_as_tensorflow_gives_none():
    program = "x = tf.constant(3.0)\nwith tf.GradientTape() as tape:\n  y = x**2\ndy_dx = tape.gradient(y, x)"
    result = run(program)
    assert result.exit_code == 2 and "gives None" in result.stderr and "tape.watch(x)" in result.stderr
    # watched, TF's guide gives 6
    watched = program.replace("  y = x**2", "  tape.watch(x)\n  y = x**2")
    assert run(watched, "-q").stdout.split()[-1] == "6"


def test_sources_unpacked_from_a_tuple_are_watched_as_their_own_values():
    # Géron's chapter 12: c1, c2 = tf.constant(5.), tf.constant(3.) through a def: TF gives [None, None]
    program = ("def f(w1, w2):\n    return 3 * w1 ** 2 + 2 * w1 * w2\n\nc1, c2 = tf.constant(5.), tf.constant(3.)\n"
               "with tf.GradientTape() as tape:\n    z = f(c1, c2)\n\ngradients = tape.gradient(z, [c1, c2])\n")
    result = run(program)
    assert result.exit_code == 2 and "c1 is not watched" in result.stderr and "gives None" in result.stderr
    # one of them a Variable: its gradient, the constant's None (TF: [36.0, None])
    mixed = program.replace("c1, c2 = tf.constant(5.), tf.constant(3.)", "c1, c2 = tf.Variable(5.), tf.constant(3.)")
    result = run(mixed, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gradient"] == {"c1": 36.0}


def test_stop_recording_takes_no_gradient():
    program = ("x = tf.Variable(2.0)\ny = tf.Variable(3.0)\nwith tf.GradientTape() as t:\n  x_sq = x * x\n"
               "  with t.stop_recording():\n    y_sq = y * y\n  z = x_sq + y_sq\ngrad = t.gradient(z, {'x': x, 'y': y})")
    result = run(program, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[-2:] == ["4", "0"]      # TF: 4.0 and None (no gradient)


# -- Python's own max and min keep the first of equal values ------------------------------------------
# max(a, b) replaces a by b only when b > a, so at a tie the result is a, and PyTorch's tensors passed to
# it give all the gradient to a (PyTorch 2.13, x = y = 0; None printed for a tensor the result is not).

@pytest.mark.parametrize("line, x_grad, y_grad", [
    ("L = max(x, 0) + x", 2.0, 0.0), ("L = max(0, x) + x", 1.0, 0.0), ("L = min(x, 0) + x", 2.0, 0.0),
    ("L = max(x, y, 0)", 1.0, 0.0), ("L = max(y, x)*3 + min(y, x)", 0.0, 4.0),
])
def test_python_s_max_and_min_give_a_tie_to_the_first_argument(line, x_grad, y_grad):
    text = ("import torch\nx = torch.tensor(0.0, requires_grad=True)\ny = torch.tensor(0.0, requires_grad=True)\n"
            f"{line}\nL.backward()\n")
    result = run(text, "--json")
    assert result.exit_code == 0, result.output
    gradient = json.loads(result.stdout)["gradient"]
    assert (gradient["x"], gradient["y"]) == (x_grad, y_grad)


def test_gradcalc_s_own_max_of_two_shares_a_tie():
    # max(x, y) written as gradcalc's formula is its maximum, ½ each at a tie (as torch.maximum)
    gradient = json.loads(run("max(x, y)", "--x", "1", "--y", "1", "--json").stdout)["gradient"]
    assert gradient == {"x": 0.5, "y": 0.5}
