"""JAX's transforms asked in a pasted program (jax.grad with argnums, has_aux, value_and_grad,
jacfwd/jacrev of one value, a name bound to a transform, tuple unpacking, random keys): gradcalc shows
the function's value and the gradients JAX returns, and nothing else.

Each case's expected numbers are JAX's own (tests/jax_cases.py: what JAX 0.10.2 returned, float64,
when the program itself was run in the oracle venv of tools/corpus_oracle.py), never written by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_error, run

from jax_cases import CASES, F, LOSS, ORACLE, UPSTREAM

from gradcalc import compute
from gradcalc.errors import GradcalcError

@pytest.mark.parametrize("case", CASES)
def test_a_transform_asked_shows_what_jax_returns(case):
    program, _, _ = CASES[case]
    found = compute(program, upstream=UPSTREAM.get(case))
    expected = ORACLE[case]
    if "grad" in program or "jac" in program:      # a transform asked: the gradients JAX returns, in order
        assert list(found.gradient) == list(expected["gradient"])
    np.testing.assert_allclose(found.value, expected["value"], rtol=1e-12, atol=1e-14)
    for name, value in expected["gradient"].items():
        np.testing.assert_allclose(found.gradient[name], value, rtol=1e-12, atol=1e-14)


def test_a_name_bound_to_the_gradient_is_not_shown_as_the_value():
    # dfdy = jax.grad(f, argnums=1)(x, y): dfdy is ∂f/∂y in JAX; the output is f's value, named f, and
    # a note says what dfdy holds (it was shown as dfdy = f's value, with both gradients)
    result = run(CASES["argnums-1-assigned"][0])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert not any(line.strip().startswith("dfdy =") for line in lines)
    assert any(line.strip().startswith("f =") for line in lines) and any("∂f/∂y =" in line for line in lines)
    assert not any("∂f/∂x" in line for line in lines[lines.index("Result"):])
    assert "dfdy is ∂f/∂y" in result.output


@pytest.mark.parametrize("program, message, hint", [
    # a gradient computed with: JAX's number is another one
    (F + "x = 2.0\ny = 0.7\ng = jax.grad(f)(x, y)\nz = g * 2", "g holds ∂f/∂x", "computes nothing with a gradient"),
    (F + "x = 2.0\ny = 0.7\nz = 2 * jax.grad(f)(x, y)", "is used inside a formula", "on a line of its own"),
    (F + "h = jax.grad(f)\nz = h(2.0, 0.7) + 1", "is used inside a formula", "on a line of its own"),
    # JAX holds the other arguments fixed: y computed from x, or f reading x itself, would add paths
    (F + "x = 2.0\ny = 3 * x\njax.grad(f)(x, y)", "y is computed from x", "give y as a number of its own"),
    ("import jax\ndef f(a):\n    return a * x\nx = 2.0\njax.grad(f)(x)", "f reads x itself", "as a parameter"),
    (F + "x = 2.0\njax.grad(f)(x, x)", "x is x", "give x as a number of its own"),
    (F + "x = 2.0\njax.grad(f)(2 * x, 1.0)", "by its argument 2 * x, which is not a name", "name it first"),
    # unpacking what JAX does not return as a tuple
    (F + "x = 2.0\ny = 0.7\na, b = jax.grad(f)(x, y)", "unpacked into 2 names", "argnums=(0, 1)"),
    (F + "x = 2.0\ny = 0.7\njax.grad(f, argnums=2)(x, y)", "argnums picks argument 2", "counts them from 0"),
    (F + "x = 2.0\ny = 0.7\ngx = jax.grad(f)(x, y)\ngy = jax.grad(f)(y, x)", "asks a second question",
     "keep one of the two lines"),
    (F + "jax.grad(f, holomorphic=True)(1.0, 2.0)", "holomorphic=True is not read", "leave it out"),
    # a derivative rule of the program's own, and JAX's forward and pullback transforms
    ("import jax\n@jax.custom_jvp\ndef f(x):\n    return jnp.sin(x)\n", "@jax.custom_jvp gives the function a "
     "derivative rule of its own", "remove the @custom_jvp/@custom_vjp line"),
    ("def f(x):\n    return x**2\nf.defvjp(f_fwd, f_bwd)\n", "f.defvjp gives the function a derivative rule",
     "the same numbers"),
    # a linearize or vjp whose result is not unpacked into the value and the function
    ("import jax\ndef f(x):\n    return x**2\nf_jvp = jax.linearize(f, 2.0)[1]\nprint(f_jvp(3.0))",
     "jax.linearize computes", "f(2.0 + t*v) by t at t = 0"),
    ("import jax\ndef f(x):\n    return x**2\nprint(jax.vjp(f, 2.0))", "jax.vjp computes", "--upstream V"),
    ("import jax\ndef vgrad(f, x):\n    y, vjp_fn = jax.vjp(f, x)\n    return vjp_fn(1.0)[0]\n", "jax.vjp computes",
     "--upstream V"),
    # a lambda passed to grad is read with its own parameter names only; an array item holds one value
    ("from jax import grad\ng = grad(lambda x: x**2)(3.0)", "called with the lambda's own parameter names",
     "name the lambda first, f = lambda x: x**2, and write jax.grad(f)(3.0)"),
    ("import jax.numpy as jnp\ny = jnp.sum(jnp.array([x, 2.0]) ** 2)\n", "is a (2,) array, where gradcalc reads one "
     "value an item", "write one value per item"),
    # JAX's maps, loops and branches, a gradient inside a function, a container of arrays, .at beyond one index
    (F + "y = jax.vmap(f)(x, x)", "jax.vmap maps a function over its argument's leading axis", "once a row"),
    ("import jax\ny = jax.lax.fori_loop(0, 3, body, x)", "jax.lax.fori_loop is a loop", "as one formula"),
    ("import jax\ny = jax.lax.cond(x > 0, f, g, x)", "jax.lax.cond chooses a function", "jnp.where(pred"),
    (F + "def step(w):\n    g = jax.grad(f)(w, 1.0)\n    return w - 0.1 * g\nstep(2.0)",
     "jax.grad inside a function's body is not read", "ask it at the top level"),
    ("import jax\ndef loss(p):\n    return p['w'] ** 2\njax.grad(loss)({'w': 2.0})", "a container of arrays",
     "def loss(W, b): …) and write jax.grad(loss, (0, 1))(W, b)"),
    ("import jax.numpy as jnp\nx = jnp.array([1.0, 2.0])\ny = x.at[0:2].set(0.0)", "is read for one index",
     "x.at[i].set(v)"),
    (F + "J = jax.jacrev(f, has_aux=True)(1.0, 2.0)", "with has_aux=True is not read",
     "jax.grad(f, has_aux=True): the same gradient"),
    # a gradient shown inside a print's f-string (it was skipped, and the last assignment differentiated)
    ("import jax\ndef h(x, y):\n    return x**2 + 3*x*y + y**2\ndh_dy = jax.grad(h, argnums=1)\nx, y = 2.0, 1.0\n"
     "print(f\"dh/dy = {dh_dy(x, y)}\")", "a gradient asked inside the text a print shows is not read",
     "ask it on a line of its own, g = dh_dy(…)"),
    (F + "x = 1.5\ny = 0.7\nprint(f'{jax.grad(f)(x, y)}')", "inside the text a print shows", "g = jax.grad(…)"),
])
def test_what_jax_computes_otherwise_is_refused_with_a_hint(program, message, hint):
    result = run(program, "--x", "[1, 2]") if "[x, 2.0]" in program else run(program)
    assert_error(result, 2, message)
    assert hint in result.stderr


def test_random_keys_are_skipped_and_their_draws_are_the_values_given():
    program = LOSS.replace("W = jnp.array([0.2, -0.4, 0.9])\nb = 0.15\n", "") + (
        "key = jax.random.PRNGKey(0)\nkey, W_key, b_key = jax.random.split(key, 3)\n"
        "W = jax.random.normal(W_key, (3,))\nb = jax.random.normal(b_key, ())\n"
        "W_grad, b_grad = grad(loss, (0, 1))(W, b)")
    found = compute(program, {"W": np.array([0.2, -0.4, 0.9]), "b": 0.15})
    expected = ORACLE["argnums-tuple-unpacked"]           # the same loss at the same values
    np.testing.assert_allclose(found.value, expected["value"], rtol=1e-12)
    np.testing.assert_allclose(found.gradient["W"], expected["gradient"]["W"], rtol=1e-12)
    assert "random keys" in " ".join(found.graph.notes)
    with pytest.raises(GradcalcError) as error:       # no value given: JAX's draws cannot be reproduced
        compute(program)
    assert error.value.exit_code == 2 and "random numbers are not read" in str(error.value)
    assert "W's value (shape 3)" in error.value.hint


def test_the_norm_at_zero_is_not_a_number_as_in_jax():
    # JAX: jax.grad(jnp.linalg.norm)(jnp.zeros(2)) is [nan, nan]; gradcalc says the derivative is not
    # finite there (exit 3), where its own norm passes 0 (PyTorch's convention)
    result = run("import jax.numpy as jnp\ny = jnp.linalg.norm(x)", "--x", "[0, 0]")
    assert_error(result, 3, "the derivative of sqrt(0) is inf")
