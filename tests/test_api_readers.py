"""Differentiation APIs in pasted code read as the library computes them: a Jacobian (jax.jacfwd/jacrev/
jacobian, torch.func.jacrev, tape.jacobian) is --jacobian's table, a Hessian (jax.hessian, torch.func.hessian,
jacfwd(grad(f)), tape.jacobian of a tape.gradient) --hessian's, grad(grad(f)) and a gradient differentiated
again (nested GradientTapes, torch.autograd.grad after create_graph=True) --order's. Each case's numbers are
what JAX 0.8 (float64) and PyTorch 2.13 printed for it, run by hand in the oracle venv of
tools/corpus_oracle.py; TensorFlow's are its guide's printed values (no TensorFlow there), checked with the
same computation in PyTorch."""

import json

import numpy as np
import pytest
from helpers import assert_error, run

JACFWD = '''import jax
import jax.numpy as jnp

def f(x):
  return jnp.asarray(
    [x[0], 5*x[2], 4*x[1]**2 - 2*x[2], x[2] * jnp.sin(x[0])])

print(jax.{}(f)(jnp.array([1., 2., 3.])))'''
JAX_JACOBIAN = [[1.0, 0.0, 0.0], [0.0, 0.0, 5.0], [0.0, 16.0, -2.0], [1.6209069176044193, 0.0, 0.8414709848078965]]

PREDICT = '''def predict(weight, bias, x):
    return F.linear(x, weight, bias).tanh()

ft_jac_weight, ft_jac_bias = jacrev(predict, argnums=(0, 1))(weight, bias, x)'''
PREDICT_AT = ("--weight", "[[0.5, -0.2, 0.1], [0.3, 0.8, -0.5], [-0.4, 0.1, 0.2]]", "--bias", "[0.1, -0.2, 0.05]",
              "--x", "[1.0, -0.5, 2.0]")


def _json(*args) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("transform", ["jacfwd", "jacrev", "jacobian"])
def test_jax_jacobian_of_a_vector_function(transform):
    data = _json(JACFWD.format(transform))
    np.testing.assert_allclose(data["jacobian"]["blocks"]["x"], JAX_JACOBIAN, rtol=1e-12)
    assert data["jacobian"]["rows"] == ["f[0]", "f[1]", "f[2]", "f[3]"]


def test_torch_func_jacrev_by_two_arguments():
    blocks = _json(PREDICT, *PREDICT_AT)["jacobian"]["blocks"]
    np.testing.assert_allclose(blocks["weight"], [
        [[0.48691736114834167, -0.24345868057417083, 0.9738347222966833], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0.25743319670309406, -0.12871659835154703, 0.5148663934061881], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [1.0, -0.5, 2.0]]], atol=1e-15)
    np.testing.assert_allclose(blocks["bias"], [[0.48691736114834167, 0, 0], [0, 0.25743319670309406, 0], [0, 0, 1.0]],
                               atol=1e-15)
    assert set(blocks) == {"weight", "bias"}       # argnums=(0, 1): not x


def test_the_jacobian_is_the_output_of_quiet():
    assert run(JACFWD.format("jacrev"), "-q").stdout.splitlines() == \
        ["1 0 0", "0 0 5", "0 16 -2", "1.620906918 0 0.8414709848"]


def test_tape_jacobian_by_a_scalar_source():
    program = ("x = tf.linspace(-10.0, 10.0, 200+1)\ndelta = tf.Variable(0.0)\n\nwith tf.GradientTape() as tape:\n"
               "  y = tf.nn.sigmoid(x+delta)\n\ndy_dx = tape.jacobian(y, delta)")
    data = _json(program)["jacobian"]
    assert data["method"] == "forward" and data["variables"] == ["delta"] and len(data["rows"]) == 201
    column = np.asarray(data["blocks"]["delta"])
    np.testing.assert_allclose(column[:3], [4.5395807735951673e-05, 5.016964743765515e-05, 5.544545018390097e-05])
    assert column[100] == 0.25


def test_a_jacobian_asked_of_one_value_is_its_gradient_alone():
    program = "def f(x, y):\n  return x * jnp.sin(y)\n\nJ = jax.jacrev(f)(2.0, 0.5)"
    data = _json(program)
    assert "jacobian" not in data and data["gradient"] == {"x": pytest.approx(0.479425538604203)}


# -- Hessians --

def test_jax_hessian():
    program = (">>> import jax\n>>>\n>>> g = lambda x: x[0]**3 - 2*x[0]*x[1] - x[1]**6\n"
               ">>> print(jax.hessian(g)(jax.numpy.array([1., 2.])))")
    assert _json(program)["hessian"]["matrix"] == [[6.0, -2.0], [-2.0, -480.0]]
    assert run(program, "-q").stdout == "6 -2\n-2 -480\n"


@pytest.mark.parametrize("spelled", ["hessian(f)", "torch.func.hessian(f)", "jacfwd(jacrev(f))", "jax.jacfwd(jax.grad(f))"])
def test_hessian_spellings(spelled):
    program = f"def f(x):\n  return x.sin().sum()\n\nhess = {spelled}(x)"
    matrix = _json(program, "--x", "[0.1, 0.2, 0.3]")["hessian"]["matrix"]
    np.testing.assert_allclose(matrix, np.diag([-0.09983341664682815, -0.19866933079506122, -0.29552020666133955]),
                               atol=1e-17)


# -- higher derivatives of one variable --

def test_grad_of_grad_of_a_library_function():
    program = "print(grad(grad(jnp.tanh))(2.0))\nprint(grad(grad(grad(jnp.tanh)))(2.0))"
    data = _json(program)["derivative"]
    assert data["order"] == 3
    np.testing.assert_allclose(data["values"][1:], [-0.13621868742711296, 0.25265406509806265], rtol=1e-12)


def test_grad_of_a_name_bound_to_grad():
    program = ("f = lambda x: x**3 + 2*x**2 - 3*x + 1\n\ndfdx = jax.grad(f)\nd2fdx = jax.grad(dfdx)\n"
               "d3fdx = jax.grad(d2fdx)\n\nprint(dfdx(1.0))\nprint(d2fdx(1.0))\nprint(d3fdx(1.0))")
    assert _json(program)["derivative"]["values"] == [4.0, 10.0, 6.0]


def test_nested_gradient_tapes():
    # the TF guide prints dy_dx: 3.0, d2y_dx2: 6.0
    program = ("x = tf.Variable(1.0)\n\nwith tf.GradientTape() as t2:\n  with tf.GradientTape() as t1:\n"
               "    y = x * x * x\n  dy_dx = t1.gradient(y, x)\nd2y_dx2 = t2.gradient(dy_dx, x)\n\n"
               "print('dy_dx:', dy_dx.numpy())\nprint('d2y_dx2:', d2y_dx2.numpy())")
    data = _json(program)
    assert data["gradient"] == {"x": 3.0} and data["derivative"]["values"] == [3.0, 6.0]


def test_torch_autograd_grad_of_a_gradient():
    program = ("x = torch.tensor([2.0], requires_grad=True)\ny = x**3\n"
               "dy_dx = torch.autograd.grad(y, x, create_graph=True)[0]\nd2y_dx2 = torch.autograd.grad(dy_dx, x)[0]\n"
               "print(d2y_dx2)")
    assert _json(program)["derivative"]["values"] == [[12.0], [12.0]]     # PyTorch: tensor([12.])
    # of an array x, PyTorch raises at the second call ('grad can be implicitly created only for scalar outputs')
    assert_error(run(program.replace("y = x**3", "y = (x**3).sum()"), "--x", "[2.0, 1.0]"), 2,
                 "PyTorch differentiates one number only")


def test_a_gradient_of_a_gradient_by_another_input_stays_refused():
    program = ("with tf.GradientTape() as t2:\n  with tf.GradientTape() as t1:\n    y = x * x * w\n"
               "  dy_dx = t1.gradient(y, x)\nd2 = t2.gradient(dy_dx, w)")
    assert_error(run(program, "--x", "1", "--w", "2"), 2, "itself a gradient, is a second derivative")


# -- torch.autograd.functional --

EXP_REDUCER = (">>> def exp_reducer(x):\n...   return x.exp().sum(dim=1)\n>>> inputs = torch.rand(2, 2)\n"
               ">>> jacobian(exp_reducer, inputs)")
INPUTS = ("--inputs", "[[0.49, 0.77], [0.09, 0.13]]")


def test_torch_functional_jacobian():
    blocks = _json(EXP_REDUCER, *INPUTS)["jacobian"]["blocks"]
    np.testing.assert_allclose(blocks["inputs"], [[[1.632316219955379, 2.159766253784915], [0.0, 0.0]],
                                                  [[0.0, 0.0], [1.0941742837052104, 1.1388283833246218]]], rtol=1e-12)
    spelled = EXP_REDUCER.replace("jacobian(", "torch.autograd.functional.jacobian(")
    assert _json(spelled, *INPUTS)["jacobian"]["blocks"] == blocks


def test_torch_functional_jacobian_of_a_tuple_of_inputs():
    program = "def adder(x, y):\n    return 2 * x * y + 3 * y\nJ = jacobian(adder, (x, y), create_graph=True)"
    blocks = _json(program, "--x", "[1.0, 2.0]", "--y", "[0.5, 0.25]")["jacobian"]["blocks"]
    assert blocks == {"x": [[1.0, 0.0], [0.0, 0.5]], "y": [[5.0, 0.0], [0.0, 7.0]]}


def test_torch_functional_hessian():
    program = (">>> def pow_reducer(x):\n...   return x.pow(3).sum()\n>>> inputs = torch.rand(2, 2)\n"
               ">>> hessian(pow_reducer, inputs)")
    np.testing.assert_allclose(_json(program, *INPUTS)["hessian"]["matrix"], np.diag([2.94, 4.62, 0.54, 0.78]))


def test_a_functional_setting_that_changes_the_numbers_is_not_read():
    # strict, vectorize and create_graph change no number; anything else is not read as a Jacobian
    result = run("def f(x):\n    return x * 2\nJ = jacobian(f, x, 3)", "--x", "[1.0, 2.0]")
    assert result.exit_code == 2


# -- SymPy's diff: the derivative asked, with SymPy's own numbers at the point (symbols real=True) --

@pytest.mark.parametrize("program, expected", [
    (">>> diff(cos(x), x)\n-sin(x)", -0.7173560908995228),
    ("import sympy as sp\nx = sp.symbols('x')\nexpr = sp.exp(x**2)\nprint(expr.diff(x))", 3.034369406887923),
    ("import sympy\nx = sympy.Symbol('x')\nprint(sympy.diff(sympy.Abs(x)**3, x, 2))", 4.800000000000001),
    (">>> diff(x**4, x, x, x)\n24⋅x\n>>> diff(x**4, x, 3)\n24⋅x", 19.200000000000003),
    ("from sympy import symbols, diff, sin\nx = symbols('x', real=True)\nd = diff(sin(x)*x, (x, 2))",
     2 * np.cos(0.8) - 0.8 * np.sin(0.8)),
])
def test_sympy_diff_is_the_derivative_it_asks(program, expected):
    data = _json(program, "--x", "0.8")
    found = data["derivative"]["value"] if "derivative" in data else data["gradient"]["x"]
    assert found == pytest.approx(expected, rel=1e-12)


def test_sympy_mixed_second_derivative_is_the_hessian():
    data = _json("x, y = symbols('x y')\ndiff(x**2*y**3, x, y)", "--x", "0.8", "--y", "0.5")
    np.testing.assert_allclose(data["hessian"]["matrix"], [[0.25, 1.2], [1.2, 1.92]])


def test_sympy_refusals_say_why():
    assert_error(run(">>> expr = exp(x*y*z)\n>>> diff(expr, x, y, y, z, z, z, z)", "--x", "0.5", "--y", "0.4",
                     "--z", "0.3"), 2, "a mixed partial derivative of order 7")
    assert_error(run("diff(x**4, x)\ndiff(x**3, x)", "--x", "1"), 2, "asks a second question")


# -- jvp and vjp: the tangent along a direction (forward mode, --tangent) and the cotangent (--upstream) --

def test_tangent_option_is_the_jacobian_vector_product():
    # torch.autograd.functional.jvp(lambda x, w: torch.tanh(w @ x), (x, W), (ẋ, Ẇ))[1] = [0, 0.37473975909504115]
    data = _json("y = tanh(W @ x)", "--x", "[0.5, -1]", "--W", "[[1, 2], [0.5, -0.3]]", "--tangent", "x=[1, 0]",
                 "--tangent", "W=[[0, 1], [0, 0]]")
    np.testing.assert_allclose(data["jvp"][0]["value"], [0.0, 0.37473975909504115], atol=1e-15)
    assert data["jvp"][0]["tangents"] == {"x": [1.0, 0.0], "W": [[0.0, 1.0], [0.0, 0.0]]}
    assert run("x**3", "--x", "2", "--tangent", "x=0.5", "-q").stdout == "6\n"
    assert_error(run("x*y", "--x", "2", "--y", "1", "--tangent", "z=1"), 2, "no input of the program")
    assert_error(run("x*y", "--x", "[2, 1]", "--y", "1", "--tangent", "x=1"), 2, "the tangent of x has shape")


def test_the_api_jvp():
    from gradcalc import compute

    found = compute("y = a * sin(x)", x=0.5, a=[1.0, 2.0]).jvp({"x": 2.0})
    np.testing.assert_allclose(found["value"], [2 * np.cos(0.5), 4 * np.cos(0.5)])


@pytest.mark.parametrize("program, expected", [
    (">>> import jax\n>>>\n>>> primals, tangents = jax.jvp(jax.numpy.sin, (0.1,), (0.2,))\n>>> print(primals)\n"
     "0.09983342\n>>> print(tangents)\n0.19900084", 0.19900083305560516),
    ("def f(x):\n  y = sin(x) * 2.\n  z = - y + x\n  return z\n\nx, xdot = 3., 1.\ny, ydot = jvp(f, (x,), (xdot,))\n"
     "print(y)\nprint(ydot)", 2.979984993200891),
])
def test_jax_jvp(program, expected):
    assert _json(program)["jvp"][0]["value"] == pytest.approx(expected, rel=1e-12)


def test_torch_functional_jvp_and_vjp():
    values = ("--inputs", "[[0.49, 0.77, 0.09, 0.13], [0.31, 0.63, 0.49, 0.9]]")
    reducer = ">>> def exp_reducer(x):\n...   return x.exp().sum(dim=1)\n>>> inputs = torch.rand(2, 4)\n"
    found = _json(reducer + ">>> v = torch.tensor([[1., 0, 0, 2], [0, 1, 0, 0]])\n>>> jvp(exp_reducer, inputs, v)",
                  *values)["jvp"][0]["value"]
    np.testing.assert_allclose(found, [3.9099729866046227, 1.8776105792643432], rtol=1e-12)
    data = _json(reducer + ">>> v = torch.tensor([1., -2.])\n>>> vjp(exp_reducer, inputs, v)", *values)
    np.testing.assert_allclose(data["gradient"]["inputs"], [
        [1.632316219955379, 2.159766253784915, 1.0941742837052104, 1.1388283833246218],
        [-2.7268502282643556, -3.7552211585286863, -3.264632439910758, -4.9192062223139]], rtol=1e-12)
    assert data["upstream"] is None or data["upstream"] == [1.0, -2.0]


def test_jax_linearize_gives_a_tangent_per_call():
    # JAX's docs print -5.007528 and -6.676704 (float32); float64: -5.007528006136127, -6.676704008181503
    program = (">>> import jax\n>>> import jax.numpy as jnp\n>>>\n>>> def f(x): return 3. * jnp.sin(x) + jnp.cos(x / 2.)\n"
               "...\n>>> y, f_jvp = jax.linearize(f, 2.)\n>>> print(y)\n3.2681944\n>>> print(f_jvp(3.))\n-5.007528\n"
               ">>> print(f_jvp(4.))\n-6.676704")
    data = _json(program)
    assert data["value"] == pytest.approx(3.2681945863451847, rel=1e-12)
    np.testing.assert_allclose([one["value"] for one in data["jvp"]], [-5.007528006136127, -6.676704008181503],
                               rtol=1e-12)


def test_jax_vjp_then_its_pullback():
    # jax.vjp(f, x)[1](v)[0] with f(x) = sin(x)·x, x = [1, 2], v = [1, -1]
    program = ("def f(x):\n  return jnp.sin(x) * x\nx = jnp.array([1.0, 2.0])\nv = jnp.array([1.0, -1.0])\n"
               "y, f_vjp = jax.vjp(f, x)\ng = f_vjp(v)[0]")
    np.testing.assert_allclose(_json(program)["gradient"]["x"], [1.3817732906760363, -0.0770037537313969], rtol=1e-12)
    assert_error(run(program.replace("f_vjp(v)", "f_vjp(2 * v)")), 2, "is read with one cotangent, a name")


def test_autograd_primitive_is_refused_as_a_rule_of_its_own():
    program = ("@primitive\ndef logsumexp(x):\n    return np.log(np.sum(np.exp(x)))\n\n"
               "def make_grad_logsumexp(ans, x):\n    return lambda g: g * np.exp(x - ans)\n\n"
               "logsumexp.defgrad(make_grad_logsumexp)")
    result = run(program, "--x", "[1, 2]")
    assert_error(result, 2, "@primitive gives the function a gradient rule of its own")
    assert "remove" not in result.stderr     # removing it would give the formula's derivative: no such hint


def test_tf_batch_jacobian():
    # TF's docs: batch_jacobian is [[[2, 0], [0, 4]], [[6, 0], [0, 8]]]; TF computes each y[:, i]'s gradient (of
    # its sum over the batch) by x, which is PyTorch's jacobian(lambda x: (x * x)[:, i].sum(), x) for each i
    program = ("with tf.GradientTape() as g:\n  x = tf.constant([[1., 2.], [3., 4.]], dtype=tf.float32)\n  g.watch(x)\n"
               "  y = x * x\nbatch_jacobian = g.batch_jacobian(y, x)")
    assert _json(program)["batch_jacobian"]["array"] == [[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]]
    assert run(program, "-q").stdout == "2 0\n0 4\n6 0\n0 8\n"
    # an example reading another's: the sum over the batch, as TF's loop computes it
    coupled = program.replace("y = x * x", "y = x * x[0]")
    assert _json(coupled)["batch_jacobian"]["array"] == [[[5.0, 0.0], [0.0, 8.0]], [[1.0, 0.0], [0.0, 2.0]]]


def test_a_gradient_named_in_a_comment_is_not_read():
    # the TF docs' batch_jacobian example ends with a comment naming the result: no computation reads it
    program = ("with tf.GradientTape() as g:\n  x = tf.constant([[1., 2.], [3., 4.]], dtype=tf.float32)\n  g.watch(x)\n"
               "  y = x * x\nbatch_jacobian = g.batch_jacobian(y, x)\n# batch_jacobian is [[[2,  0], [0,  4]], [[6,  0], [0,  8]]]")
    assert run(program, "-q").stdout == "2 0\n0 4\n6 0\n0 8\n"
    assert_error(run("x = tf.Variable(2.0)\nwith tf.GradientTape() as t:\n  y = x * x\ng = t.gradient(y, x)\nz = g * 2"),
                 2, "g holds a gradient, which the program reads")


def test_torch_functional_hvp_and_vhp():
    # torch.autograd.functional.hvp(pow_reducer, inputs, ones)[1], and hvp/vhp of (x**2 * y.sin()).sum()
    program = (">>> def pow_reducer(x):\n...   return x.pow(3).sum()\n>>> inputs = torch.rand(2, 2)\n"
               ">>> v = torch.ones(2, 2)\n>>> hvp(pow_reducer, inputs, v)")
    np.testing.assert_allclose(_json(program, *INPUTS)["hvp"][0]["value"]["inputs"], [[2.94, 4.62], [0.54, 0.78]])
    two = ("def f(x, y):\n    return (x**2 * y.sin()).sum()\nu = torch.tensor([1., 0.])\nw = torch.tensor([0., 2.])\n"
           "H = torch.autograd.functional.{}(f, (x, y), (u, w))")
    values = ("--x", "[1, 2]", "--y", "[0.5, -1]")
    for kind in ("hvp", "vhp"):
        found = _json(two.format(kind), *values)["hvp"][0]["value"]
        np.testing.assert_allclose(found["x"], [0.958851077208406, 4.322418446945118], rtol=1e-12)
        np.testing.assert_allclose(found["y"], [1.7551651237807455, 6.731767878463172], rtol=1e-12)


def test_the_api_hvp():
    from gradcalc import compute

    found = compute("sum(x**2 * sin(y))", x=[1.0, 2.0], y=[0.5, -1.0]).hvp({"x": [1.0, 0.0], "y": [0.0, 2.0]})
    np.testing.assert_allclose(found["value"]["y"], [1.7551651237807455, 6.731767878463172], rtol=1e-12)
