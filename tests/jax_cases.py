"""JAX's transforms asked in a pasted program, and what JAX returns for each: the cases of
tests/test_jax_transforms.py. ORACLE is JAX 0.10.2's output (float64) for each program run as it is,
printed by `python tests/jax_cases.py` in the oracle venv of tools/corpus_oracle.py with optax 0.2.8
added (`--check` compares with the table here): the expected numbers are never written by hand.
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

ACT = "import jax\nimport jax.numpy as jnp\nx = jnp.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 0.7, -0.4])\n"


def _activation(call):
    """A case: the sum of an activation over points that include its kinks, and JAX's gradient of it."""
    return (ACT + f"y = jnp.sum({call})", {"x": f"jax.grad(lambda x: jnp.sum({call}))(x)"}, "y")


# JAX's activations and jax.numpy's kinks (JAX's derivative at 0, ±1, 6), each at points on both sides
for call in ("jax.nn.relu6(x)", "jax.nn.hard_sigmoid(x)", "jax.nn.hard_silu(x)", "jax.nn.hard_swish(x)",
             "jax.nn.leaky_relu(x)", "jax.nn.selu(x)", "jax.nn.celu(x)", "jax.nn.mish(x)", "jax.nn.squareplus(x)",
             "jax.nn.sparse_plus(x)", "jax.nn.hard_tanh(x)", "jnp.abs(x)", "jnp.clip(x, -1.0, 1.0)"):
    CASES[f"activation-{call.split('(')[0].split('.')[-1]}"] = _activation(call)
CASES["activation-clip-min"] = _activation("jnp.clip(x, 0.0)")
CASES["activation-celu-alpha"] = _activation("jax.nn.celu(x, alpha=0.5)")
# what the refusals of jax.jvp and jax.vjp hint computes the same numbers
CASES["jvp-hinted"] = ("import jax\nimport jax.numpy as jnp\nt = 0.0\ny = jnp.sin(0.1 + t*0.2)",
                       {"t": "jax.jvp(jnp.sin, (0.1,), (0.2,))[1]"}, "jax.jvp(jnp.sin, (0.1,), (0.2,))[0]")
CASES["vjp-hinted"] = ("import jax\nimport jax.numpy as jnp\nx = jnp.array([0.5, 1.0])\ny = jnp.sin(x) * 2",
                       {"x": "jax.vjp(lambda x: jnp.sin(x) * 2, x)[1](jnp.array([-0.7, 0.3]))[0]"}, "y")
UPSTREAM = {"vjp-hinted": [-0.7, 0.3]}     # given as --upstream: the cotangent passed to the vjp function
CASES["angles-and-logaddexp2"] = (
    "import jax\nimport jax.numpy as jnp\nx = jnp.array([0.3, -1.2])\nv = jnp.array([2.0, 0.5])\n"
    "y = jnp.sum(jnp.deg2rad(x) * jnp.radians(v) + jnp.rad2deg(x) + jnp.degrees(v) + jnp.logaddexp2(x, v))",
    {"x": "jax.grad(lambda x, v: jnp.sum(jnp.deg2rad(x) * jnp.radians(v) + jnp.rad2deg(x) + jnp.degrees(v) "
          "+ jnp.logaddexp2(x, v)), (0, 1))(x, v)[0]",
     "v": "jax.grad(lambda x, v: jnp.sum(jnp.deg2rad(x) * jnp.radians(v) + jnp.rad2deg(x) + jnp.degrees(v) "
          "+ jnp.logaddexp2(x, v)), (0, 1))(x, v)[1]"}, "y")
# a lambda passed to grad with its own parameter names (d2l), and a notebook's displayed value before it
D2L = "import jax\nimport jax.numpy as jnp\nfrom jax import grad\nx = jnp.array([0.0, 1.0, 2.0, 3.0])\n"
CASES["grad-of-lambda"] = (D2L + "y = lambda x: x * x\ngrad(lambda x: y(x).sum())(x)",
                           {"x": "grad(lambda x: y(x).sum())(x)"}, "y(x).sum()")
CASES["notebook-display-before"] = (D2L + "y = lambda x: 2 * jnp.dot(x, x)\ny(x)\n\nx_grad = grad(y)(x)\nx_grad",
                                    {"x": "x_grad"}, "y(x)")

# an array built from computed items (JAX's jacfwd docstring's f), summed so it has one value
CASES["array-of-computed-items"] = (
    "import jax\nimport jax.numpy as jnp\n\ndef f(x):\n    return jnp.asarray(\n"
    "        [x[0], 5*x[2], 4*x[1]**2 - 2*x[2], x[2] * jnp.sin(x[0])])\n\n"
    "x = jnp.array([1.0, 2.0, 3.0])\ny = jnp.sum(f(x) ** 2 + jnp.array([1.0, x[1], 0.5]).sum())",
    {"x": "jax.grad(lambda x: jnp.sum(f(x) ** 2 + jnp.array([1.0, x[1], 0.5]).sum()))(x)"}, "y")

# JAX's update of one element, x.at[i].set(v) and its kin; a labelled print of the question
CASES["at-updates"] = (
    "import jax\nimport jax.numpy as jnp\nx = jnp.array([0.3, -1.2, 2.0])\nv = 0.7\n"
    "y = x.at[0].set(v * 2)\nz = y.at[-1].add(v ** 2)\nw = z.at[1].multiply(x[2])\n"
    "out = jnp.sum(w ** 2) + w.at[2].get()",
    {"x": "jax.grad(lambda x, v: (lambda w: jnp.sum(w ** 2) + w[2])(x.at[0].set(v * 2).at[-1].add(v ** 2)"
          ".at[1].multiply(x[2])), (0, 1))(x, v)[0]",
     "v": "jax.grad(lambda x, v: (lambda w: jnp.sum(w ** 2) + w[2])(x.at[0].set(v * 2).at[-1].add(v ** 2)"
          ".at[1].multiply(x[2])), (0, 1))(x, v)[1]"}, "out")
CASES["print-with-label"] = (F + "x = 1.5\ny = 0.7\nprint('dy', jax.grad(f, 1)(x, y))", {"y": "jax.grad(f, 1)(x, y)"},
                             "f(x, y)")

# jit wrapping a transform bound to a name, partial(jax.jit, …) as a decorator, .item(), a constructor
# as the argument, value_and_grad bound to a name, and its tuple of gradients unpacked in place
SQ = "import jax\nimport jax.numpy as jnp\nfrom functools import partial\n\ndef f(x):\n    return jnp.sum(jnp.sin(x) * x)\n\n"
CASES["jit-of-grad-bound"] = (SQ + "x = jnp.array([0.3, 1.1])\ndf = jax.jit(jax.grad(f))\ndf(x)", {"x": "df(x)"}, "f(x)")
CASES["partial-jit-decorated"] = (
    "import jax\nimport jax.numpy as jnp\nfrom functools import partial\n\n@partial(jax.jit, static_argnums=(1,))\n"
    "def f(x, n):\n    return jnp.sum(x ** n)\n\nx = jnp.array([0.3, 1.1])\ng = jax.grad(f)(x, 3)", {"x": "g"}, "f(x, 3)")
CASES["item-of-grad"] = (SQ + "g = jax.grad(f)(0.7).item()", {"x": "g"}, "f(0.7)")
CASES["constructor-argument"] = (SQ + "g = jax.grad(f)(jnp.arange(3.0))", {"x": "g"}, "f(jnp.arange(3.0))")
CASES["value-and-grad-bound"] = (SQ + "x = jnp.array([0.3, 1.1])\nvg = jax.value_and_grad(f)\nval, g = vg(x)",
                                 {"x": "g"}, "val")
CASES["value-and-grad-nested"] = ("import jax\n\ndef f(a, b):\n    return a * b ** 2\n\n"
                                  "v, (ga, gb) = jax.value_and_grad(f, argnums=(0, 1))(2.0, 3.0)",
                                  {"a": "ga", "b": "gb"}, "v")

# optax's losses (optax 0.2.8 in the oracle venv), at points that include hinge_loss's kink
OPTAX = ("import jax\nimport jax.numpy as jnp\nimport optax\n\nlogits = jnp.array([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]])\n"
         "labels = jnp.array([2, 0])\nprobs = jnp.array([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])\n"
         "p = jnp.array([0.3, -1.2, 2.0, 1.0])\nt = jnp.array([0.5, 1.0, 1.5, 1.0])\n")
for loss, args, wrt in (("sigmoid_binary_cross_entropy", "p, t / 2", "p"),
                        ("softmax_cross_entropy", "logits, probs", "logits"),
                        ("softmax_cross_entropy_with_integer_labels", "logits, labels", "logits"),
                        ("losses.softmax_cross_entropy_with_integer_labels", "logits, labels", "logits"),
                        ("squared_error", "p, t", "p"), ("squared_error", "p", "p"), ("l2_loss", "p, t", "t"),
                        ("log_cosh", "p, t", "p"), ("hinge_loss", "p, t", "p")):
    call = f"optax.{loss}({args})"
    CASES[f"optax-{loss.replace('.', '-')}-{len(args.split(','))}"] = (
        OPTAX + f"loss = jnp.mean({call} * 1.5)",
        {wrt: f"jax.grad(lambda {wrt}: jnp.mean({call} * 1.5))({wrt})"}, "loss")

# jnp.linalg.norm as JAX differentiates it (at the zero vector JAX's derivative is nan: refused, exit 3)
CASES["jnp-linalg-norm"] = ("import jax\nimport jax.numpy as jnp\nx = jnp.array([[3.0, 4.0], [1.0, -2.0]])\n"
                            "y = jnp.linalg.norm(x) + jnp.linalg.norm(x[0], 2) + jax.numpy.linalg.norm(x[1])",
                            {"x": "jax.grad(lambda x: jnp.linalg.norm(x) + jnp.linalg.norm(x[0], 2) "
                                  "+ jax.numpy.linalg.norm(x[1]))(x)"}, "y")

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
    'activation-relu6': {'value': 10.7, 'gradient': {'x': [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]}},
    'activation-hard_sigmoid': {'value': 4.550000000000001, 'gradient': {'x': [0.0, 0.16666666666666666, 0.16666666666666666, 0.16666666666666666, 0.0, 0.0, 0.16666666666666666, 0.16666666666666666]}},
    'activation-hard_silu': {'value': 9.591666666666667, 'gradient': {'x': [0.0, 0.16666666666666666, 0.5, 0.8333333333333333, 1.0, 1.0, 0.7333333333333334, 0.3666666666666667]}},
    'activation-hard_swish': {'value': 9.591666666666667, 'gradient': {'x': [0.0, 0.16666666666666666, 0.5, 0.8333333333333333, 1.0, 1.0, 0.7333333333333334, 0.3666666666666667]}},
    'activation-leaky_relu': {'value': 10.656, 'gradient': {'x': [0.01, 0.01, 1.0, 1.0, 1.0, 1.0, 1.0, 0.01]}},
    'activation-selu': {'value': 7.88099098836863, 'gradient': {'x': [0.08753061208026489, 0.646768603034814, 1.7580993408473766, 1.0507009873554805, 1.0507009873554805, 1.0507009873554805, 1.0507009873554805, 1.1784892310920407]}},
    'activation-celu': {'value': 8.787986555574944, 'gradient': {'x': [0.04978706836786395, 0.36787944117144233, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6703200460356393]}},
    'activation-mish': {'value': 9.774742999901123, 'gradient': {'x': [-0.0933931145323208, 0.059216755877395, 0.6000000000000001, 1.0490362200997922, 1.0211069109294446, 1.0001341405062087, 0.9687948682001859, 0.34757279902910415]}},
    'activation-squareplus': {'value': 15.233181820871572, 'gradient': {'x': [0.08397485283107814, 0.27639320225002106, 0.5, 0.7236067977499789, 0.9160251471689218, 0.9743416490252569, 0.6651752123640531, 0.401941932430908]}},
    'activation-sparse_plus': {'value': 11.0625, 'gradient': {'x': [0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 0.85, 0.3]}},
    'activation-hard_tanh': {'value': 1.2999999999999998, 'gradient': {'x': [0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]}},
    'activation-abs': {'value': 15.1, 'gradient': {'x': [-1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0]}},
    'activation-clip': {'value': 1.2999999999999998, 'gradient': {'x': [0.0, 0.5, 1.0, 0.5, 0.0, 0.0, 1.0, 1.0]}},
    'activation-clip-min': {'value': 10.7, 'gradient': {'x': [0.0, 0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.0]}},
    'activation-celu-alpha': {'value': 9.493571499765249, 'gradient': {'x': [0.0024787521766663767, 0.1353352832366127, 1.0, 1.0, 1.0, 1.0, 1.0, 0.44932896411722156]}},
    'jvp-hinted': {'value': 0.09983341664682815, 'gradient': {'t': 0.19900083305560518}},
    'vjp-hinted': {'value': [0.958851077208406, 1.682941969615793], 'gradient': {'x': [-1.2286155866465218, 0.3241813835208838]}},
    'angles-and-logaddexp2': {'value': 94.94750041745013, 'gradient': {'x': [57.531737710990896, 57.53128078486122], 'v': [58.06052193523926, 58.06006500910958]}},
    'grad-of-lambda': {'value': 14.0, 'gradient': {'x': [0.0, 2.0, 4.0, 6.0]}},
    'notebook-display-before': {'value': 28.0, 'gradient': {'x': [0.0, 4.0, 8.0, 12.0]}},
    'array-of-computed-items': {'value': 346.3726607644621, 'gradient': {'x': [10.183676841431135, 324.0, 114.24844050964143]}},
    'at-updates': {'value': 16.410099999999996, 'gradient': {'x': [0.0, -9.6, 11.739999999999998], 'v': 13.971999999999998}},
    'print-with-label': {'value': 1.4494897962848048, 'gradient': {'y': 1.720894921390099}},
    'jit-of-grad-bound': {'value': 1.068984158065981, 'gradient': {'x': [0.5821211533990214, 1.3901630936295706]}},
    'partial-jit-decorated': {'value': 1.3580000000000003, 'gradient': {'x': [0.27, 3.630000000000001]}},
    'item-of-grad': {'value': 0.4509523810663837, 'gradient': {'x': 1.179607218336833}},
    'constructor-argument': {'value': 2.6600658384592597, 'gradient': {'x': [0.0, 1.3817732906760363, 0.0770037537313969]}},
    'value-and-grad-bound': {'value': 1.068984158065981, 'gradient': {'x': [0.5821211533990214, 1.3901630936295706]}},
    'value-and-grad-nested': {'value': 18.0, 'gradient': {'a': 9.0, 'b': 12.0}},
    'optax-sigmoid_binary_cross_entropy-2': {'value': 1.1560602788879075, 'gradient': {'p': [0.12166594380437218, -0.10069679381213159, 0.049048904241705917, 0.08664696698625185]}},
    'optax-softmax_cross_entropy-2': {'value': 2.3971149522727937, 'gradient': {'logits': [[0.023417923216611743, 0.0963987894088218, -0.11981671262543363], [-0.6564693938773589, 0.03113363421898176, 0.6253357596583772]]}},
    'optax-softmax_cross_entropy_with_integer_labels-2': {'value': 3.034614952272794, 'gradient': {'logits': [[0.17341792321661176, 0.4713987894088218, -0.6448167126254336], [-0.6564693938773589, 0.03113363421898176, 0.6253357596583772]]}},
    'optax-losses-softmax_cross_entropy_with_integer_labels-2': {'value': 3.034614952272794, 'gradient': {'logits': [[0.17341792321661176, 0.4713987894088218, -0.6448167126254336], [-0.6564693938773589, 0.03113363421898176, 0.6253357596583772]]}},
    'optax-squared_error-2': {'value': 1.9237500000000003, 'gradient': {'p': [-0.15000000000000002, -1.6500000000000001, 0.375, 0.0]}},
    'optax-squared_error-1': {'value': 2.44875, 'gradient': {'p': [0.22499999999999998, -0.8999999999999999, 1.5, 0.75]}},
    'optax-l2_loss-2': {'value': 0.9618750000000001, 'gradient': {'t': [0.07500000000000001, 0.8250000000000001, -0.1875, -0.0]}},
    'optax-log_cosh-2': {'value': 0.6221392435672634, 'gradient': {'p': [-0.074015745084339, -0.3659036737617943, 0.1732939339725037, 0.0]}},
    'optax-hinge_loss-2': {'value': 1.14375, 'gradient': {'p': [-0.1875, -0.375, -0.0, -0.1875]}},
    'jnp-linalg-norm': {'value': 12.713293552551452, 'gradient': {'x': [[1.1477225575051662, 1.5302967433402215], [0.6297877813350132, -1.2595755626700265]]}},
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
