"""JAX's transforms asked in a pasted program, and what JAX returns for each: the cases of
tests/test_jax_transforms.py. ORACLE is JAX 0.10.2's output (float64) for each program run as it is,
printed by `python tests/jax_cases.py` in the oracle venv of tools/corpus_oracle.py (`--check` compares
with the table here): the expected numbers are never written by hand.
"""

from __future__ import annotations

import sys

import numpy as np

F = "import jax\nimport jax.numpy as jnp\n\ndef f(x, y):\n    return x**2 * jnp.sin(y)\n\n"
LOSS = """\
import jax
import jax.numpy as jnp
from jax import grad, value_and_grad

inputs = jnp.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30]])
targets = jnp.array([1.0, 0.0, 1.0])

def loss(W, b):
    preds = jax.nn.sigmoid(jnp.dot(inputs, W) + b)
    return -jnp.sum(jnp.log(preds * targets + (1 - preds) * (1 - targets)))

W = jnp.array([0.2, -0.4, 0.9])
b = 0.15
"""
AUX = """\
import jax
import jax.numpy as jnp

def loss(w, x):
    pred = jnp.tanh(w * x)
    return jnp.sum(pred ** 2), pred

w = jnp.array([0.5, -1.0])
x = jnp.array([2.0, 0.3])
"""

# id → (program, what gradcalc reports: {gradient name: the JAX expression holding it}, the JAX
# expression of the value shown). The program is run as it is by JAX to record ORACLE.
CASES = {
    "argnums-1-assigned": (F + "x = 1.5\ny = 0.7\ndfdy = jax.grad(f, argnums=1)(x, y)", {"y": "dfdy"}, "f(x, y)"),
    "argnums-default": (F + "x = 1.5\ny = 0.7\njax.grad(f)(x, y)", {"x": "jax.grad(f)(x, y)"}, "f(x, y)"),
    "argnums-default-printed": (F + "x = 1.5\ny = 0.7\nprint(jax.grad(f)(x, y))", {"x": "jax.grad(f)(x, y)"},
                                "f(x, y)"),
    "argnums-numbers": (F + "g = jax.grad(f, argnums=1)\nprint(g(1.5, 0.7))", {"y": "g(1.5, 0.7)"}, "f(1.5, 0.7)"),
    "argnums-tuple-unpacked": (LOSS + "W_grad, b_grad = grad(loss, (0, 1))(W, b)",
                               {"W": "W_grad", "b": "b_grad"}, "loss(W, b)"),
    "argnums-several-lines": (LOSS + "W_grad = grad(loss, argnums=0)(W, b)\nprint('W_grad', W_grad)\n"
                              "b_grad = grad(loss, 1)(W, b)\nprint('b_grad', b_grad)",
                              {"W": "W_grad", "b": "b_grad"}, "loss(W, b)"),
    "value-and-grad": (LOSS + "loss_value, Wb_grad = value_and_grad(loss, (0, 1))(W, b)",
                       {"W": "Wb_grad[0]", "b": "Wb_grad[1]"}, "loss_value"),
    "value-and-grad-default": (LOSS + "value, g = value_and_grad(loss)(W, b)", {"W": "g"}, "value"),
    "has-aux": (AUX + "grads, aux = jax.grad(loss, has_aux=True)(w, x)", {"w": "grads"}, "loss(w, x)[0]"),
    "value-and-grad-has-aux": (AUX + "(value, pred), g = jax.value_and_grad(loss, has_aux=True)(w, x)",
                               {"w": "g"}, "value"),
    "jacrev-of-one-value": (LOSS + "J = jax.jacrev(loss)(W, b)", {"W": "J"}, "loss(W, b)"),
    "jit-of-grad": (F + "x = 1.5\ny = 0.7\nprint(jax.jit(jax.grad(f, argnums=(1, 0)))(x, y))",
                    {"y": "jax.grad(f, argnums=(1, 0))(x, y)[0]", "x": "jax.grad(f, argnums=(1, 0))(x, y)[1]"},
                    "f(x, y)"),
}

# JAX's numbers for CASES (python tests/test_jax_transforms.py in the oracle venv prints this table).
ORACLE = {
    'argnums-1-assigned': {'value': 1.4494897962848048, 'gradient': {'y': 1.720894921390099}},
    'argnums-default': {'value': 1.4494897962848048, 'gradient': {'x': 1.932653061713073}},
    'argnums-default-printed': {'value': 1.4494897962848048, 'gradient': {'x': 1.932653061713073}},
    'argnums-numbers': {'value': 1.4494897962848048, 'gradient': {'y': 1.720894921390099}},
    'argnums-tuple-unpacked': {'value': 2.9803922355630434, 'gradient': {'W': [0.053992627058344594, -1.2325243542599207, 0.7503685965209926], 'b': -0.3873664796246803}},
    'argnums-several-lines': {'value': 2.9803922355630434, 'gradient': {'W': [0.053992627058344594, -1.2325243542599207, 0.7503685965209926], 'b': -0.3873664796246803}},
    'value-and-grad': {'value': 2.9803922355630434, 'gradient': {'W': [0.053992627058344594, -1.2325243542599207, 0.7503685965209926], 'b': -0.3873664796246803}},
    'value-and-grad-default': {'value': 2.9803922355630434, 'gradient': {'W': [0.053992627058344594, -1.2325243542599207, 0.7503685965209926]}},
    'has-aux': {'value': 0.6648886965593446, 'gradient': {'w': [1.2794000168984492, -0.15995456346043627]}},
    'value-and-grad-has-aux': {'value': 0.6648886965593446, 'gradient': {'w': [1.2794000168984492, -0.15995456346043627]}},
    'jacrev-of-one-value': {'value': 2.9803922355630434, 'gradient': {'W': [0.053992627058344594, -1.2325243542599207, 0.7503685965209926]}},
    'jit-of-grad': {'value': 1.4494897962848048, 'gradient': {'y': 1.720894921390099, 'x': 1.932653061713073}},
}



def _oracle() -> dict:
    """Run every case with JAX (float64): the value shown and each gradient JAX returns."""
    import jax

    jax.config.update("jax_enable_x64", True)
    table = {}
    for case, (program, gradients, value) in CASES.items():
        namespace: dict = {}
        exec(program.replace("print(", "(lambda *a: None)("), namespace)  # noqa: S102 - our test programs, run by JAX
        table[case] = {"value": np.asarray(eval(value, namespace), dtype=float).tolist(),  # noqa: S307
                       "gradient": {name: np.asarray(eval(held, namespace), dtype=float).tolist()  # noqa: S307
                                    for name, held in gradients.items()}}
    return table


if __name__ == "__main__":
    found = _oracle()
    if "--check" in sys.argv:
        bad = [case for case in CASES if not np.allclose(np.asarray(found[case]["value"]), ORACLE[case]["value"])]
        print("differ:", bad or "none")
        sys.exit(1 if bad else 0)
    print("ORACLE = {")
    for case, entry in found.items():
        print(f"    {case!r}: {entry!r},")
    print("}")
