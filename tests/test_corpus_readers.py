"""The readings the published corpus asked for (tests/corpus/published.toml, its later additions): each
rule once, with its value and gradient worked by hand, and each refusal with the words that say what
to type instead."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradcalc import compute
from gradcalc.errors import GradcalcError


def refused(text: str, **values) -> GradcalcError:
    with pytest.raises(GradcalcError) as caught:
        compute(text, values)
    assert caught.value.exit_code == 2 and caught.value.hint
    return caught.value


def test_a_backward_seed_of_ones_is_the_default_seed():
    found = compute("a = torch.tensor([2., 3.], requires_grad=True)\nQ = 3*a**3\n"
                    "external_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)")
    assert np.allclose(found.gradient["a"], 9 * np.array([2.0, 3.0]) ** 2)
    assert np.allclose(compute("a = torch.tensor([2.])\ny = a**2\ny.backward(torch.ones(1))").gradient["a"], [4.0])


def test_a_backward_seed_of_other_numbers_starts_the_backward_pass():
    found = compute("a = torch.tensor([2., 3.], requires_grad=True)\nQ = 3*a**3\n"
                    "v = torch.tensor([0.1, 1.0])\nQ.backward(gradient=v)")
    assert np.allclose(found.gradient["a"], [3.6, 81.0]) and list(found.gradient) == ["a"]   # PyTorch's a.grad


def test_unpacking_is_one_assignment_per_name():
    found = compute("x, y = 3.0, 4.0\nz = x*y")
    assert found.value == 12.0 and found.gradient == {"x": 4.0, "y": 3.0}
    found = compute("x = Value(-4.0)\ny = x*x\ny.backward()\nxmg, ymg = x, y")
    assert found.value == 16.0 and found.gradient["x"] == -8.0


def test_drawing_the_graph_is_skipped():
    found = compute("a = Value(2.0)\no = (2*a).exp()\no.backward()\ndraw_dot(o)")
    assert math.isclose(found.gradient["a"], 2 * math.exp(4.0))


def test_casts_copies_and_old_variables_are_the_value():
    found = compute("x = torch.Tensor([-4.0]).double()\nx.requires_grad = True\ny = (x*x).relu()\ny.backward()")
    assert np.allclose(found.gradient["x"], [-8.0])
    found = compute("a = Variable(torch.Tensor([[1,2],[3,4]]),requires_grad=True)\ny = torch.sum(a**2)")
    assert found.value == 30.0 and np.allclose(found.gradient["a"], [[2, 4], [6, 8]])
    found = compute("tf.enable_eager_execution()\nx = tf.get_variable(initializer=3.0, name='x')\n"
                    "with tf.GradientTape() as tape:\n    y = tf.square(x)\ny_grad = tape.gradient(y, x)")
    assert found.value == 9.0 and found.gradient["x"] == 6.0


def test_zeros_like_and_the_maximum_of_two_tensors():
    found = compute("def relu(X):\n    a = torch.zeros_like(X)\n    return torch.max(X, a)", X=np.array([-1.0, 2.0]))
    assert np.allclose(found.value, [0.0, 2.0]) and np.allclose(found.gradient["X"], [0.0, 1.0])
    assert compute("torch.max(x, 0)", x=np.array([1.0, 3.0])).value == 3.0      # an axis stays an axis


def test_list_of_a_range_and_docstrings():
    found = compute('def cross_entropy(y_hat, y):\n    """The loss."""\n'
                    "    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()",
                    y_hat=np.array([[0.1, 0.9], [0.4, 0.6]]), y=np.array([1.0, 0.0]))
    assert math.isclose(found.value, -(math.log(0.9) + math.log(0.4)) / 2)


def test_a_shape_read_off_another_value():
    found = compute('def squared_loss(y_hat, y):\n    """Squared loss."""\n'
                    "    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2",
                    y_hat=np.array([[1.0], [2.5]]), y=np.array([1.5, 1.0]))
    assert np.allclose(found.value, [[0.125], [1.125]])
    assert np.allclose(found.gradient["y"], [0.5, -1.5]) and np.allclose(found.gradient["y_hat"], [[-0.5], [1.5]])
    assert np.shape(compute("x.view_as(w) * w", x=np.ones(4), w=np.ones((2, 2))).gradient["x"]) == (4,)


def test_a_sum_over_an_index_is_over_the_arrays():
    y, y_hat = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.6])
    found = compute(r"-\frac{1}{N}\sum_{n=1}^N \bigg[y_n \log \hat y_n + (1 - y_n) \log (1 - \hat y_n)\bigg]",
                    y=y, y_hat=y_hat, N=3.0)
    assert math.isclose(found.value, -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
    assert np.allclose(found.gradient["y_hat"], -(y / y_hat - (1 - y) / (1 - y_hat)) / 3)
    found = compute(r"\sum_i w_i x_i + b", w=np.array([1.0, 2.0]), x=np.array([3.0, 4.0]), b=1.0)
    assert found.value == 12.0 and np.allclose(found.gradient["w"], [3.0, 4.0])   # the term after it stays out
    assert compute(r"\prod_{i=1}^{n} x_{i}", x=np.array([2.0, 3.0]), n=2.0).value == 6.0


def test_refusals_say_what_to_type():
    assert compute("def f(m, y):\n  m[y] = 0\n  return m.sum()", m=np.ones(3), y=1.0).value == 2.0   # read now
    assert "np.where" in refused("def f(m, y):\n  m[0:2] = 0\n  return m.sum()", m=np.ones(3), y=1.0).hint
    assert compute("import torch as t\nx = t.tensor(1.)\ny = x*x\ny.backward()").gradient["x"] == 2.0   # read now
    found = compute("x = tf.constant(5.0)\nwith tf.GradientTape() as g:\n  g.watch(x)\n"
                    "  with tf.GradientTape() as gg:\n    gg.watch(x)\n    y = x * x\n"
                    "  dy_dx = gg.gradient(y, x)\nd2y_dx2 = g.gradient(dy_dx, x)")    # read now: d²y/dx² = 2
    assert found.graph.wants == {"order": 2} and found.derivative(2)["value"] == 2.0
    assert "a1[:, 0]" in refused("y = a1(:,1)", a1=np.ones((1, 2))).hint
    assert "x[1:]" in refused(r"f = \sum_{i=2}^{n} x_i^2", x=np.ones(2), n=2.0).hint
    assert "give x as an array" in refused(r"f = \sum_{i=1}^{n} x_i^2", n=2.0).hint


@pytest.mark.parametrize("x", [-2.0, -0.5, 0.5, 2.0])
def test_latex_cases_are_the_branch_that_holds(x):
    found = compute(r"\text{ELU}(x) = \begin{cases} x, & \text{ if } x > 0\\ \alpha * (\exp(x) - 1), & "
                    r"\text{ if } x \leq 0 \end{cases}", x=x, α=1.5)
    assert math.isclose(found.value, x if x > 0 else 1.5 * (math.exp(x) - 1))
    assert math.isclose(found.gradient["x"], 1.0 if x > 0 else 1.5 * math.exp(x))
    found = compute("\\text{HardTanh}(x) = \\begin{cases}\n  1 & \\text{ if } x > 1 \\\\\n"
                    "  -1 & \\text{ if } x < -1 \\\\\n  x & \\text{ otherwise } \\\\\n\\end{cases}", x=x)
    assert math.isclose(found.value, max(-1.0, min(1.0, x)))
    assert found.gradient["x"] == (1.0 if -1 < x < 1 else 0.0)


PARTIAL = r"f(x) = \begin{cases} x^2 & x < 0 \\ 2x & 0 \le x < 1 \end{cases}"


@pytest.mark.parametrize("x, value, slope", [(-3.0, 9.0, -6.0), (0.0, 0.0, 2.0), (0.5, 1.0, 2.0)])
def test_cases_whose_rows_all_have_conditions_are_the_row_that_holds(x, value, slope):
    found = compute(PARTIAL, x=x)
    assert (found.value, found.gradient["x"]) == (value, slope)
    assert compute(PARTIAL, x=np.array([-1.0, 0.5])).gradient["x"].tolist() == [-2.0, 2.0]


@pytest.mark.parametrize("x", [1.0, 2.0, np.array([-1.0, 5.0])])
def test_cases_refuse_a_point_no_row_holds_at(x):
    # the last row was the value everywhere no earlier row held: 4 at x = 2, where the formula says nothing
    error = refused(PARTIAL, x=x)
    assert "no row of the cases holds" in str(error) and "otherwise" in error.hint


def test_markdown_quotes_where_clauses_and_one_argument_maximum():
    found = compute("`loss = maximum(neg - pos + 1, 0)`\nwhere `neg=maximum((1-y_true)*y_pred) and "
                    "pos=sum(y_true*y_pred)`", y_true=np.array([0.0, 1.0, 0.0]), y_pred=np.array([0.3, 0.5, 0.6]))
    assert math.isclose(found.value, 1.1)
    assert np.allclose(found.gradient["y_pred"], [0.0, -1.0, 1.0])
    found = compute(r"\ell_k = -y_k\ln p_k - (1 - y_k)\ln(1 - p_k)", y_k=1.0, p_k=0.7)
    assert math.isclose(found.value, -math.log(0.7)) and math.isclose(found.gradient["p_k"], -1 / 0.7)


def test_torch_autograd_grad_asks_as_backward_does():
    found = compute("x = torch.tensor([2.0], requires_grad=True)\ny = x ** 3\n"
                    "grad = torch.autograd.grad(y, x)\nprint('dy/dx =', grad[0])")
    assert np.allclose(found.value, [8.0]) and np.allclose(found.gradient["x"], [12.0])
    found = compute("x = torch.tensor(2.0, requires_grad=True)\ny = x**3\ndy_dx, = torch.autograd.grad(outputs=y, inputs=x)")
    assert found.gradient["x"] == 12.0
    found = compute("x = torch.tensor([2.0], requires_grad=True)\ny = x**3\n"
                    "dy_dx = torch.autograd.grad(y, x, create_graph=True)[0]\nd2 = torch.autograd.grad(dy_dx, x)[0]")
    assert found.derivative(2)["value"] == [12.0]      # read now: PyTorch's tensor([12.])


def test_loss_and_activation_objects_are_their_functions():
    pred, y = np.array([1.0, 2.0]), np.array([0.0, 0.0])
    found = compute("criterion = nn.MSELoss()\nloss = criterion(pred, y)\nloss.backward()", pred=pred, y=y)
    assert found.value == 2.5 and np.allclose(found.gradient["pred"], pred)
    assert compute("loss = nn.MSELoss()(pred, y)", pred=pred, y=y).value == 2.5
    assert compute("act = nn.ReLU()\nz = act(x)", x=np.array([-1.0, 2.0])).value.tolist() == [0.0, 2.0]
    found = compute("loss_fn = tf.keras.losses.MeanSquaredError()\nloss = loss_fn(t, p)",
                    t=np.array([[1.0, 2.0], [3.0, 4.0]]), p=np.array([[1.5, 2.0], [3.0, 3.0]]))
    assert math.isclose(found.value, (0.25 + 1.0) / 4)
    # an object's settings are read as its function's (reduction='sum': the sum of the squares)
    assert compute("l = nn.MSELoss(reduction='sum')\nz = l(x, 2 * x)", x=np.ones(2)).value == 2.0
    assert math.isclose(compute("z = nn.BCELoss()(p, t)", p=np.ones(2) / 2, t=np.ones(2)).value, math.log(2))
    assert np.allclose(compute("c = nn.Softmax(dim=1)\nz = c(x)", x=np.ones((1, 2))).value, [[0.5, 0.5]])


def test_linspace_and_arithmetic_in_a_setting():
    found = compute("x = tf.linspace(-1.0, 1.0, 4+1)\nwith tf.GradientTape() as tape:\n  tape.watch(x)\n"
                    "  y = x**2\ndy_dx = tape.gradient(y, x)")
    assert np.allclose(found.gradient["x"], 2 * np.linspace(-1, 1, 5))
    assert np.allclose(compute("x = torch.linspace(0, 1, steps=3)\ny = x.sum()").gradient["x"], [1.0, 1.0, 1.0])


def test_a_seed_of_ones_of_the_output_length_and_latex_line_breaks():
    found = compute("x = torch.arange(4.0)\nx.requires_grad_(True)\ny = x * x\ny.backward(gradient=torch.ones(len(y)))")
    assert np.allclose(found.gradient["x"], [0.0, 2.0, 4.0, 6.0])
    found = compute("$$\nx = 3 \\\\\nm = x^2 \\\\\ny = m +x \\\\\np = 4y\n$$")
    assert found.value == 48.0 and found.gradient["x"] == 28.0


def test_a_print_of_one_call_with_several_arguments_is_the_output():
    found = compute("def f(x, y):\n    return x**2 * y\nprint(jax.grad(f, argnums=(0, 1))(3.0, 2.0))")
    assert found.value == 18.0 and found.gradient == {"x": 12.0, "y": 9.0}


def test_unknown_functions_are_not_offered_as_products_and_l2_normalize():
    error = refused("loss = -sum(l2_norm(y_true) * l2_norm(y_pred))", y_true=np.ones(2), y_pred=np.ones(2))
    assert "x/norm(x) or norm(x)" in error.message
    assert "foo_bar is not a function gradcalc knows" in refused("foo_bar(x)", x=1.0).hint
    assert np.allclose(compute("tf.math.l2_normalize(x)", x=np.array([3.0, 4.0])).value, [0.6, 0.8])


def test_a_free_index_beside_a_sum_is_every_element():
    z, y = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0])
    softmax = np.exp(z) / np.exp(z).sum()
    found = compute(r"\sigma(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j=1}^K e^{z_j}}", z=z, K=3.0)
    assert np.allclose(found.value, softmax)
    found = compute(r"L = -\sum_{i} y_i \log \frac{e^{z_i}}{\sum_j e^{z_j}}", z=z, y=y)    # a sum inside a sum
    assert math.isclose(found.value, -math.log(softmax[1])) and np.allclose(found.gradient["z"], softmax - y)


def test_an_index_with_a_value_picks_that_element():
    # the softmax cross-entropy of notes, -log(e^{z_y} / Σ_j e^{z_j}) with the label y given: z_y is z[y]
    # (PyTorch: -log_softmax(z, 0)[1] = 0.46436878410794, gradient softmax(z) - onehot(1))
    for text in (r"-\log \frac{e^{z_y}}{\sum_j e^{z_j}}", r"-\log \frac{e^{z_{y}}}{\sum_j e^{z_j}}"):
        found = compute(text, {"z": np.array([1.0, 2.0, 0.5]), "y": 1.0})
        assert math.isclose(found.value, 0.4643687841079449, rel_tol=1e-12)
        assert np.allclose(found.gradient["z"], [0.23122389762214904, -0.37146828078823757, 0.14024438316608848])
        assert any("z[y]" in note for note in found.graph.notes)
