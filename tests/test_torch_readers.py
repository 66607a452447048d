"""Pasted PyTorch, TensorFlow and NumPy read as the library computes it: each case's value and gradients
are the numbers PyTorch 2.13 printed for the same computation (float64; TensorFlow's and NumPy's calls
written with their torch equivalents, A.T @ C for tf.matmul(A, C, transpose_a=True)), run by hand in the
oracle venv of tools/corpus_oracle.py. What gradcalc cannot compute as the library does is refused
(exit 2, a caret, a hint that computes the same thing)."""

import numpy as np
import pytest
from helpers import assert_error, run

from gradcalc import compute
from gradcalc.errors import GradcalcError

X = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]]
A = [[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]
B = [[0.5, -1.0], [2.0, 1.0], [0.0, 3.0]]
C = [[1.0, 2.0], [3.0, -1.0]]
V = [1.0, -2.0, 0.5]
_COMMON = {"x": X, "A": A, "B": B, "C": C, "v": V}

# (text, value, gradient of the value's sum): PyTorch's numbers
CASES = [
    # var and std: a method says whose it is by its keywords (ddof: NumPy's; unbiased, correction: PyTorch's)
    ("x.var(unbiased=False)", 1.26, {"x": [[0.0333333333, -0.5333333333, 0.5333333333],
                                           [0.3666666667, -0.0333333333, -0.3666666667]]}),
    ("x.var(correction=0)", 1.26, {"x": [[0.0333333333, -0.5333333333, 0.5333333333],
                                         [0.3666666667, -0.0333333333, -0.3666666667]]}),
    ("x.var(ddof=1)", 1.512, {"x": [[0.04, -0.64, 0.64], [0.44, -0.04, -0.44]]}),
    ("x.std(correction=1)", 1.2296340919, {"x": [[0.0162650012, -0.2602400195, 0.2602400195],
                                                 [0.1789150134, -0.0162650012, -0.1789150134]]}),
    ("torch.var(x, False)", 1.26, {"x": [[0.0333333333, -0.5333333333, 0.5333333333],
                                         [0.3666666667, -0.0333333333, -0.3666666667]]}),
    # along an axis: n is that axis' length
    ("torch.var(x, dim=0)", [0.5, 1.125, 3.645], {"x": [[-1.0, -1.5, 2.7], [1.0, 1.5, -2.7]]}),
    ("np.var(x, axis=0, ddof=1)", [0.5, 1.125, 3.645], {"x": [[-1.0, -1.5, 2.7], [1.0, 1.5, -2.7]]}),
    ("torch.var(x, 1, keepdim=True)", [[2.5633333333], [1.2133333333]],
     {"x": [[0.0666666667, -1.6333333333, 1.5666666667], [1.1333333333, -0.0666666667, -1.0666666667]]}),
    ("torch.std(x, dim=1, unbiased=False)", [1.3072447701, 0.8993825042],
     {"x": [[0.0169992818, -0.416482404, 0.3994831222], [0.4200412794, -0.0247083106, -0.3953329689]]}),
    ("np.std(x, axis=1)", [1.3072447701, 0.8993825042],
     {"x": [[0.0169992818, -0.416482404, 0.3994831222], [0.4200412794, -0.0247083106, -0.3953329689]]}),
    # dim= and keepdim= are PyTorch's words: x.var(dim=1) divides by n − 1 as PyTorch's
    ("x.var(dim=1)", [2.5633333333333335, 1.2133333333333334],
     {"x": [[0.0666666667, -1.6333333333, 1.5666666667], [1.1333333333, -0.0666666667, -1.0666666667]]}),
    ("x.std(dim=1, keepdim=True)", [[1.6010413278030438], [1.1015141094572205]], {}),
    ("x.var(dim=1, correction=0).sum()", 2.5177777778,
     {"x": [[0.0444444444, -1.0888888889, 1.0444444444], [0.7555555556, -0.0444444444, -0.7111111111]]}),
    # torch.eye(n, m): n rows, m columns (the autograd tutorial's Jacobian product)
    ("inp = torch.eye(4, 5, requires_grad=True)\nout = (inp+1).pow(2).t()\n"
     "out.backward(torch.ones_like(out), retain_graph=True)\nprint(f\"First call\\n{inp.grad}\")",
     [[4.0, 1.0, 1.0, 1.0], [1.0, 4.0, 1.0, 1.0], [1.0, 1.0, 4.0, 1.0], [1.0, 1.0, 1.0, 4.0], [1.0, 1.0, 1.0, 1.0]],
     {"inp": [[4.0, 2.0, 2.0, 2.0, 2.0], [2.0, 4.0, 2.0, 2.0, 2.0], [2.0, 2.0, 4.0, 2.0, 2.0],
              [2.0, 2.0, 2.0, 4.0, 2.0]]}),
    # torch.max(X, dim=0) is (values, indices): [0] the values, and [0][1] an element of them
    ("torch.max(A, dim=0)[0][1]", 5.0, {"A": [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]}),
    ("m = A.max(dim=1)\nvals = m[0]\nvals[1]", 6.0, {"A": [[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]}),
    ("A.min(dim=1).values[0]", 1.0, {"A": [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]}),
    # tf.matmul's transpose_a, transpose_b, adjoint_b
    ("tf.reduce_sum(tf.matmul(A, C, transpose_a=True))", 51.0,
     {"A": [[3.0, 3.0, 3.0], [2.0, 2.0, 2.0]], "C": [[9.0, 9.0], [12.0, 12.0]]}),
    ("tf.reduce_sum(tf.linalg.matmul(A, B, transpose_a=True, adjoint_b=True))", 58.5,
     {"A": [[2.5, 2.5, 2.5], [3.0, 3.0, 3.0]], "B": [[9.0, 12.0], [9.0, 12.0], [9.0, 12.0]]}),
    # tensordot(a, b, axes=1): a @ b (d2l's tf.tensordot(x, x, axes=1))
    ("tf.tensordot(A, v, axes=1)", [-7.5, 3.0], {"A": [[1.0, -2.0, 0.5], [1.0, -2.0, 0.5]], "v": [5.0, 7.0, 9.0]}),
    ("np.tensordot(A, B, 1).sum()", 45.5, {"A": [[-0.5, 3.0, 3.0], [-0.5, 3.0, 3.0]],
                                           "B": [[5.0, 5.0], [7.0, 7.0], [9.0, 9.0]]}),
    ("torch.tensordot(v, v, dims=1)", 5.25, {"v": [2.0, -4.0, 1.0]}),
    # np.arange(N) of a count known when the program runs, as an index (CS231n's probs[np.arange(N), y])
    ("N = A.shape[0]\ntorch.log(A[torch.arange(N), y]).mean()", 0.8958797346, {"A": [[0.5, 0.0, 0.0],
                                                                                    [0.0, 0.0, 1 / 12]]}),
]


@pytest.mark.parametrize("text, value, gradient", CASES)
def test_a_pasted_call_gives_pytorchs_numbers(text, value, gradient):
    values = {name: given for name, given in _COMMON.items() if name in text.replace("np.", "").replace("torch.", "")}
    values |= {"y": [0.0, 2.0]} if "y]" in text else {}
    found = compute(text, {name: np.array(given) for name, given in values.items()})
    assert np.allclose(found.value, value, rtol=1e-9, atol=1e-9)
    for name, expected in gradient.items():
        assert np.allclose(found.gradient[name], expected, rtol=1e-9, atol=1e-9), name


@pytest.mark.parametrize("text, message, hint", [
    ("x.var()", "divides by n in NumPy and by n − 1 in PyTorch", "x.var(ddof=0), x.var(correction=1)"),
    ("x.std(1)", "divides by n in NumPy and by n − 1 in PyTorch", "torch.std(x) (by n − 1)"),
    ("tf.matmul(v, x, transpose_a=True)", "matmul with transpose_a or transpose_b takes matrices, not a vector",
     "a vector as a row"),
    ("np.tensordot(x, x)", "axes=2 is not read (axes=1 is: a @ b)", "(a * b).sum()"),
    ("tf.tensordot(x, Z, axes=1)", "is read only where b is a vector or a matrix", "a @ b.reshape(k, -1)"),
    ("x = torch.arange(n)\n(x * v).sum()", "torch.arange(n) of a value is read only as an index",
     "probs[torch.arange(N), y]"),
])
def test_what_is_not_read_as_the_library_computes_it_is_refused(text, message, hint):
    args = [text, "--x", "[[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]]", "--v", "[1.0, -2.0]"]
    args += ["--Z", "[[[1, 2], [3, 4]], [[1, 2], [3, 4]], [[1, 2], [3, 4]]]"] if "Z" in text else []
    args += ["--n", "2"] if "(n)" in text else []
    result = run(*args)
    assert_error(result, 2, message)
    assert hint in result.stderr.split("hint: ", 1)[1]


def test_the_indices_of_a_max_along_an_axis_stay_refused_after_its_values_are_taken():
    with pytest.raises(GradcalcError, match="the indices of a max or min carry no gradient"):
        compute("m = A.max(dim=1)\nv = m[0]\nm[1]", A=np.array(A))


# A seed given to the backward pass, y.backward(v) or tape.gradient(y, x, output_gradients=v), is ∂L/∂y:
# the gradients are vᵀ·∂y/∂x, as PyTorch's x.grad holds them (the autograd tutorials' vector-Jacobian product)
SEEDED = [
    ("x = torch.tensor([0.5, -1.2, 0.8], requires_grad=True)\ny = x * 2\nv = torch.tensor([0.1, 1.0, 0.0001])\n"
     "y.backward(v)\nprint(x.grad)", [1.0, -2.4, 1.6], {"x": [0.2, 2.0, 0.0002]}),
    ("a = torch.tensor([2., 3.], requires_grad=True)\nQ = 3*a**3\nQ.backward(gradient=torch.tensor([0.1, 1.0]))\n"
     "a.grad", [24.0, 81.0], {"a": [3.6, 81.0]}),
    ("x = torch.tensor([1., 2.], requires_grad=True)\ny = x.exp()\n"
     "g, = torch.autograd.grad(y, x, grad_outputs=torch.tensor([2., 1.]))\ng",
     [2.718281828459045, 7.38905609893065], {"x": [5.43656365691809, 7.38905609893065]}),
    ("x = tf.Variable([1.0, 2.0])\nwith tf.GradientTape() as tape:\n  y = x * x\n"
     "print(tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0])))", [1.0, 4.0], {"x": [2.0, 8.0]}),
]


@pytest.mark.parametrize("text, value, gradient", SEEDED)
def test_a_seed_written_in_the_program_starts_the_backward_pass(text, value, gradient):
    found = compute(text)
    assert found.seeded and np.allclose(found.value, value, rtol=1e-12)
    assert list(found.gradient) == list(gradient)       # v, a value written in the code, is no input asked for
    for name, expected in gradient.items():
        assert np.allclose(found.gradient[name], expected, rtol=1e-12), name
    assert any("upstream gradient the backward pass starts from" in note for note in found.graph.notes)


def test_a_seed_on_the_command_line_shows_the_gradients_as_dl_d():
    result = run("x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\ny.backward(torch.tensor([3., -1.]))\n"
                 "x.grad")
    assert result.exit_code == 0, result.output
    assert "∂L/∂x = [6, -4]" in result.stdout and "--upstream" not in result.stdout + result.stderr


@pytest.mark.parametrize("text, options, message, hint", [
    ("x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\ny.backward(torch.tensor([3., -1., 2.]))", [],
     "the seed has shape (3,) but y has shape (2,)", "give a seed of y's shape, (2,)"),
    ("x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\ny.backward(torch.tensor([3., -1.]))",
     ["--upstream", "[1, 1]"], "gives the upstream gradient already, and --upstream another", "leave --upstream out"),
    ("x = torch.tensor([1., 2.], requires_grad=True)\n(x ** 2).backward(torch.tensor([3., -1.]))", [],
     "seeds the backward pass", "name what is differentiated first, out = (x ** 2)"),
    ("x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\nz = x ** 3\ny.backward(torch.tensor([3., -1.]))\n"
     "z.backward(torch.tensor([1., 2.]))", [], "a second seeded backward pass is not read", "run gradcalc once for each"),
    ("x = torch.tensor([1., 2.], requires_grad=True)\ny = x ** 2\nz = x ** 3\ny.backward(torch.tensor([3., -1.]))\n"
     "z.backward(torch.tensor([1., 1.]))", [], "seeds one of several .backward() calls", "up to one .backward()"),
])
def test_a_seed_that_cannot_be_read_as_the_library_does_is_refused(text, options, message, hint):
    result = run(text, *options)
    assert_error(result, 2, message)
    assert hint in result.stderr


def test_a_seeded_program_is_not_run_as_a_batch():
    with pytest.raises(GradcalcError, match="a batch computes the gradients of the output itself"):
        from gradcalc.batch import evaluate_points
        from gradcalc.parse import parse

        evaluate_points(parse("y = x ** 2\ny.backward(torch.tensor(2.0))"), {"x": np.array([1.0, 2.0])}, 2)


# After .backward(), the gradients reported are those the program shows (print(w.grad)), in its order, then
# the other leaves made with requires_grad=True: PyTorch fills no .grad of labels or of data made without it
@pytest.mark.parametrize("text, values, reported", [
    ("w = torch.tensor([0.5, -1.0], requires_grad=True)\nb = torch.tensor(0.1, requires_grad=True)\n"
     "x = torch.tensor([1.0, 2.0])\nt = torch.tensor(1.0)\nloss = ((w * x).sum() + b - t) ** 2\nloss.backward()\n"
     "print(b.grad)\nprint(w.grad)", {}, ["b", "w"]),
    ("w = torch.tensor([0.5, -1.0], requires_grad=True)\nb = torch.tensor(0.1, requires_grad=True)\n"
     "loss = ((w * x).sum() + b - t) ** 2\nloss.backward()\nprint(w.grad)", {"x": [1.0, 2.0], "t": 1.0}, ["w", "b"]),
    ("x = Tensor.eye(3, requires_grad=True)\ny = Tensor([[2.0, 0, -2.0]])\nz = y.matmul(x).sum()\nz.backward()", {},
     ["x"]),
    ("loss = ((w * x).sum() - t) ** 2\nloss.backward()", {"w": [0.5, -1.0], "x": [1.0, 2.0], "t": 1.0}, ["w", "x", "t"]),
])
def test_the_gradients_reported_after_backward_are_those_pytorch_fills(text, values, reported):
    found = compute(text, {name: np.array(value) for name, value in values.items()})
    assert list(found.gradient) == reported


# A persistent tape asked twice (the TF guide): the last question is the output, the earlier answered in a
# note; the numbers are torch.autograd.grad's of the same targets
@pytest.mark.parametrize("text, value, gradient, earlier", [
    ("x = tf.constant([1, 3.0])\nwith tf.GradientTape(persistent=True) as tape:\n  tape.watch(x)\n  y = x * x\n"
     "  z = y * y\n\nprint(tape.gradient(z, x).numpy())\nprint(tape.gradient(y, x).numpy())",
     [1.0, 9.0], [2.0, 6.0], "tape.gradient(z, x) (an earlier question of the persistent tape): ∂z/∂x = [4, 108]"),
    ("x = tf.Variable(2.0)\nwith tf.GradientTape(persistent=True) as g:\n  y0 = x**2\n  y1 = 1 / x\n\n"
     "d0 = g.gradient(y0, x)\nd1 = g.gradient(y1, x)", 0.5, -0.25,
     "g.gradient(y0, x) (an earlier question of the persistent tape): ∂y0/∂x = 4"),
])
def test_each_question_of_a_persistent_tape_is_answered(text, value, gradient, earlier):
    found = compute(text)
    assert np.allclose(found.value, value) and np.allclose(found.gradient["x"], gradient)
    assert earlier in found.graph.notes
    assert not any("computed but not used" in note for note in found.graph.notes)
    shown = run(text)
    assert shown.exit_code == 0 and earlier in shown.stderr + shown.stdout


def test_a_seed_among_a_persistent_tapes_questions_is_refused():
    result = run("x = tf.Variable([1.0, 2.0])\nwith tf.GradientTape(persistent=True) as tape:\n  y = x * x\n  z = x * y\n"
                 "a = tape.gradient(y, x)\nb = tape.gradient(z, x, output_gradients=tf.constant([1.0, 2.0]))")
    assert_error(result, 2, "a seed among several questions of a persistent tape is not read")


# Activations' settings and nn objects: PyTorch's numbers at x = [0.5, -1.0, 0.0, 3.0] (0.1 for Threshold)
ACT = [0.5, -1.0, 0.0, 3.0]


@pytest.mark.parametrize("text, value, gradient", [
    ("act = nn.Softplus(beta=2)\nact(x)", [0.6566308437591114, 0.06346400552148625, 0.34657359027997264, 3.001237842568865],
     [0.7310585786300049, 0.11920292202211755, 0.5, 0.9975273768433652]),
    ("F.softplus(x, beta=2)", [0.6566308437591114, 0.06346400552148625, 0.34657359027997264, 3.001237842568865],
     [0.7310585786300049, 0.11920292202211755, 0.5, 0.9975273768433652]),
    ("act = nn.ELU(alpha=0.5)\nact(x)", [0.5, -0.31606027941427883, 0.0, 3.0], [1.0, 0.18393972058572117, 0.5, 1.0]),
    ("jax.nn.elu(x, alpha=0.5)", [0.5, -0.31606027941427883, 0.0, 3.0], [1.0, 0.18393972058572117, 0.5, 1.0]),
    ("F.elu(x * 1000, 0.5)", [500.0, -0.5, 0.0, 3000.0], [1000.0, 0.0, 500.0, 1000.0]),
    ("act = nn.Hardtanh(-2, 2)\nact(x)", [0.5, -1.0, 0.0, 2.0], [1.0, 1.0, 1.0, 0.0]),
])
def test_an_activations_settings_are_read_as_pytorch_reads_them(text, value, gradient):
    found = compute(text, x=np.array(ACT))
    assert np.allclose(found.value, value, rtol=1e-12) and np.allclose(found.gradient["x"], gradient, rtol=1e-12)


@pytest.mark.parametrize("made, hint, formula, value, gradient", [
    # each hint's formula, run by gradcalc, gives PyTorch's numbers for the object at x = [0.5, -1, 0, 0.1]
    # (nn.SELU() and nn.Mish() are read now: tests/test_activations_losses.py)
    ("nn.Threshold(0.1, 20)", "torch.where(x > 0.1, x, 20)", None, [0.5, 20.0, 20.0, 20.0], [1.0, 0.0, 0.0, 0.0]),
    ("nn.Linear(3, 2)", "write F.linear(x, W, b) (x @ W.T + b) and give W (2×3) and b as --W and --b", "", None, None),
    ("nn.Linear(3, 2, bias=False)", "write F.linear(x, W) (x @ W.T) and give W (2×3) as --W", "", None, None),
    ("nn.PReLU()", "torch.where(x > 0, x, a * x) and give --a", "", None, None),
])
def test_an_nn_object_gradcalc_does_not_read_is_refused_naming_what_computes_the_same(made, hint, formula, value,
                                                                                      gradient):
    result = run(f"act = {made}\nact(x)", "--x", "[0.5, -1.0, 0.0, 0.1]")
    assert_error(result, 2, "is not read as an object")
    assert hint in result.stderr
    if value is not None:
        found = compute(hint, x=np.array([0.5, -1.0, 0.0, 0.1]))
        assert np.allclose(found.value, value, rtol=1e-12) and np.allclose(found.gradient["x"], gradient, rtol=1e-12)


def test_a_sequential_model_is_refused_with_the_layers_formula_to_write():
    result = run("model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())\nmodel(x)", "--x", "[1, 2, 3]")
    assert_error(result, 2, "a model made with nn.Sequential is not read")
    assert "F.relu(x @ W1.T + b1)" in result.stderr


KERNEL = [[0.1, -0.3], [0.5, 0.2], [-0.4, 0.7]]
DENSE = """layer = tf.keras.layers.Dense(2, activation={act})
x = tf.constant([[1., 2., 3.]])
with tf.GradientTape() as tape:
  loss = tf.reduce_mean(layer(x)**2)
grad = tape.gradient(loss, layer.trainable_variables)"""


@pytest.mark.parametrize("act, value, kernel", [
    # torch.mean(act(x @ kernel + bias)**2) and its gradients, bias 0
    ("'relu'", 2.4199999999999995, [[0.0, 2.2], [0.0, 4.4], [0.0, 6.6]]),
    ("'tanh'", 0.48100418247806714, [[-0.09867792175453255, 0.04676282535405525], [-0.1973558435090651, 0.0935256507081105],
                                     [-0.29603376526359765, 0.14028847606216577]]),
    ("'softmax'", 0.4171804330092588, [[-0.06772603864241199, 0.06772603864241211],
                                       [-0.13545207728482397, 0.13545207728482422],
                                       [-0.20317811592723595, 0.20317811592723634]]),
    ("tf.nn.sigmoid", 0.518046977084207, [[0.11845880923571206, 0.08084270229521323],
                                          [0.23691761847142412, 0.16168540459042646],
                                          [0.3553764277071362, 0.2425281068856397]]),
])
def test_a_keras_dense_layer_is_its_formula_with_the_kernel_and_bias_given(act, value, kernel):
    found = compute(DENSE.format(act=act), kernel=np.array(KERNEL), bias=np.zeros(2))
    assert list(found.gradient) == ["kernel", "bias"]       # layer.trainable_variables, in Keras' order
    assert np.isclose(found.value, value, rtol=1e-12) and np.allclose(found.gradient["kernel"], kernel, rtol=1e-12)
    assert np.allclose(found.gradient["bias"], np.array(kernel)[0], rtol=1e-12)      # x's first element is 1


@pytest.mark.parametrize("text, message, hint", [
    ("layer = tf.keras.layers.Dense(2, activation='selu')\nlayer(x)", "the activation selu of a Dense layer is not read",
     "act(x @ kernel + bias)"),
    ("a = tf.keras.layers.Dense(2)\nb2 = tf.keras.layers.Dense(1)\nb2(a(x))", "a second Dense layer is not read",
     "tf.nn.relu(x @ W1 + b1) @ W2 + b2"),
    ("kernel = 2.0\nlayer = tf.keras.layers.Dense(2)\nlayer(x) * kernel", "names the program uses already", "names of your own"),
    ("layer = tf.keras.layers.Dense(n)\nlayer(x)", "units must be a whole number written in the call", "Dense(2"),
])
def test_a_dense_layer_gradcalc_cannot_read_as_keras_computes_it_is_refused(text, message, hint):
    result = run(text, "--x", "[[1, 2, 3]]")
    assert_error(result, 2, message)
    assert hint in result.stderr


def test_a_dict_of_variables_asks_the_gradients_of_its_values():
    # The TF guide: tape.gradient(loss, {'w': w, 'b': b}); torch: mean((x @ w + b)**2) at w = KERNEL, b = 0
    found = compute("w = tf.Variable(tf.random.normal((3, 2)), name='w')\nb = tf.Variable(tf.zeros(2), name='b')\n"
                    "x = [[1., 2., 3.]]\nwith tf.GradientTape(persistent=True) as tape:\n  y = x @ w + b\n"
                    "  loss = tf.reduce_mean(y**2)\n\nmy_vars = {\n    'w': w,\n    'b': b\n}\n\n"
                    "grad = tape.gradient(loss, my_vars)\ngrad['b']", w=np.array(KERNEL), b=np.zeros(2))
    assert list(found.gradient) == ["w", "b"] and np.isclose(found.value, 2.425)
    assert np.allclose(found.gradient["w"], [[-0.1, 2.2], [-0.2, 4.4], [-0.3, 6.6]])
    assert np.allclose(found.gradient["b"], [-0.1, 2.2])


def test_what_a_notebook_shows_of_a_tensor_that_is_no_number_is_skipped():
    found = compute("x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\ny.grad_fn\n"
                    "y.grad_fn.next_functions[0][0]\nx.is_leaf\nprint(y.grad_fn)\ny.backward()\nx.grad")
    assert found.value == 4.0 and found.gradient["x"].tolist() == [2.0, 2.0]
    result = run("x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\nz = y.grad_fn * 2")
    assert_error(result, 2, ".grad_fn is what PyTorch records of a tensor, no number")
    assert "leave the line out" in result.stderr


@pytest.mark.parametrize("text", [
    "w = torch.tensor([1., 2.], requires_grad=True)\nloss = (w ** 2).sum()\nloss.backward()\nprint(w.grad)\n"
    "w.data -= 0.1 * w.grad\nw.grad.zero_()\nprint(w.grad)",
    "w = torch.tensor([1., 2.], requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\nloss = (w ** 2).sum()\n"
    "loss.backward()\nopt.step()\nopt.zero_grad()\nprint(w.grad)",
    "w = torch.tensor([1., 2.], requires_grad=True)\nloss = (w ** 2).sum()\nloss.backward()\nw.grad = None\nw.grad",
])
def test_a_grad_read_after_it_was_cleared_is_refused_not_shown_as_the_gradient(text):
    # PyTorch prints zeros (None after zero_grad() or .grad = None) there
    result = run(text)
    assert_error(result, 2, "w.grad is read after its gradient was cleared")
    assert "read it before clearing it" in result.stderr


def test_a_grad_read_before_the_update_and_clearing_is_the_gradient():
    found = compute("w = torch.tensor([1., 2.], requires_grad=True)\nloss = (w ** 2).sum()\nloss.backward()\n"
                    "print(w.grad)\nwith torch.no_grad():\n    w -= 0.1 * w.grad\nw.grad.zero_()")
    assert found.value == 5.0 and found.gradient["w"].tolist() == [2.0, 4.0]


def test_a_grad_read_after_the_backward_of_an_expression_is_a_display():
    # d2l's detach cell: z.sum().backward(), then x.grad == u shown; torch: x.grad is u = x * x
    found = compute("x.grad.zero_()\ny = x * x\nu = y.detach()\nz = u * x\n\nz.sum().backward()\nx.grad == u",
                    x=np.array([0.0, 1.0, 2.0, 3.0]))
    assert found.value == 36.0 and found.gradient["x"].tolist() == [0.0, 1.0, 4.0, 9.0]


@pytest.mark.parametrize("text, value, gradient", [
    # d2l's TensorFlow cross_entropy: y_hat[range(2), y] picked by a one-hot mask; torch's numbers for
    # -torch.log(y_hat[torch.arange(2), torch.tensor([0, 2])]).mean() and y_hat[...]
    ("tf.boolean_mask(y_hat, tf.one_hot(y, depth=y_hat.shape[-1]))", [0.1, 0.5], [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    ("def cross_entropy(y_hat, y):\n    return -tf.reduce_mean(tf.math.log(tf.boolean_mask(\n"
     "        y_hat, tf.one_hot(y, depth=y_hat.shape[-1]))))\n\ncross_entropy(y_hat, y)", 1.4978661367769954,
     [[-5.0, 0.0, 0.0], [0.0, 0.0, -1.0]]),
    # a mask of a comparison: the elements over 0.25, row by row (torch: (y_hat[y_hat > 0.25] ** 2).sum())
    ("tf.reduce_sum(tf.boolean_mask(y_hat, y_hat > 0.25) ** 2)", 0.79, [[0.0, 0.6, 1.2], [0.6, 0.0, 1.0]]),
])
def test_tf_one_hot_and_boolean_mask_pick_what_tensorflow_picks(text, value, gradient):
    found = compute(text, y_hat=np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), y=np.array([0.0, 2.0]))
    assert np.allclose(found.value, value, rtol=1e-12) and np.allclose(found.gradient["y_hat"], gradient, rtol=1e-12)
    assert "y" not in found.gradient or not np.any(found.gradient["y"])      # labels carry no gradient


def test_a_boolean_mask_not_shaped_like_the_array_or_its_rows_is_refused():
    # a mask of the rows takes rows (tests/test_masks.py); one of another shape is refused
    result = run("tf.boolean_mask(x, m)", "--x", "[[1, 2], [3, 4]]", "--m", "[1, 0, 1]")
    assert_error(result, 2, "a mask is read with the array's shape (2,2) or that of its first axes, got (3,)")


# Dive into Deep Learning's d2l.* functions and its methods added with @d2l.add_to_class: PyTorch's numbers
@pytest.mark.parametrize("text, values, value, gradient", [
    ("def softmax(X):\n    X_exp = d2l.exp(X)\n    partition = d2l.reduce_sum(X_exp, 1, keepdims=True)\n"
     "    return X_exp / partition  # The broadcasting mechanism is applied here",
     {"X": [[0.1, 0.5, -0.3], [1.2, 0.0, 0.4]]},
     [[0.31624105822468146, 0.4717762210677908, 0.21198272070752777],
      [0.571257789495951, 0.17205953970593962, 0.25668267079810947]], {"X": [[0.0] * 3, [0.0] * 3]}),
    ("def cross_entropy(y_hat, y):\n    return -d2l.reduce_mean(d2l.log(y_hat[list(range(len(y_hat))), y]))\n\n"
     "cross_entropy(y_hat, y)", {"y_hat": [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], "y": [0, 2]}, 1.4978661367769954,
     {"y_hat": [[-5.0, 0.0, 0.0], [0.0, 0.0, -1.0]]}),
    ("def l2_penalty(w):\n    return d2l.reduce_sum(w**2) / 2", {"w": [0.5, -1.5, 2.0]}, 3.25, {"w": [0.5, -1.5, 2.0]}),
    ("@d2l.add_to_class(LinearRegressionScratch)  #@save\ndef forward(self, X):\n    return d2l.matmul(X, self.w) + self.b",
     {"X": [[1.0, 2.0], [3.0, -1.0]], "w": [[0.5], [-0.2]], "b": [0.1]}, [[0.2], [1.8]],
     {"X": [[0.5, -0.2], [0.5, -0.2]], "w": [[4.0], [1.0]], "b": [2.0]}),
    ("@d2l.add_to_class(LinearRegressionScratch)  #@save\ndef loss(self, y_hat, y):\n    l = (y_hat - y) ** 2 / 2\n"
     "    return d2l.reduce_mean(l)", {"y_hat": [[1.0], [2.5]], "y": [[1.5], [1.0]]}, 0.625,
     {"y_hat": [[-0.25], [0.75]], "y": [[0.25], [-0.75]]}),
])
def test_d2ls_functions_and_methods_are_read_as_the_framework_computes_them(text, values, value, gradient):
    found = compute(text, {name: np.array(given, dtype=float) for name, given in values.items()})
    assert np.allclose(found.value, value, rtol=1e-12)
    for name, expected in gradient.items():
        assert np.allclose(found.gradient[name], expected, rtol=1e-12, atol=1e-15), name


def test_a_decorator_on_a_def_that_is_no_method_stays_refused():
    result = run("@d2l.add_to_class(C)\ndef f(x):\n    return x * 2", "--x", "1")
    assert_error(result, 2, "decorators are not read")


@pytest.mark.parametrize("seed, gradient", [("np.array(1.0)", 3.2974425414002564), ("np.array(2.0)", 6.594885082800513)])
def test_dezeros_function_objects_and_its_seed_set_by_hand(seed, gradient):
    # DeZero step 7: A = Square(), B = Exp(), y.grad set before y.backward(); sympy: d/dx exp(x²)² at 0.5, × the seed
    found = compute("A = Square()\nB = Exp()\nC = Square()\n\nx = Variable(np.array(0.5))\na = A(x)\nb = B(a)\ny = C(b)\n\n"
                    f"# backward\ny.grad = {seed}\ny.backward()\nprint(x.grad)")
    assert found.value == pytest.approx(1.6487212707001282, rel=1e-12)
    assert found.gradient["x"] == pytest.approx(gradient, rel=1e-12)


def test_a_grad_set_before_backward_in_pytorch_is_refused_not_taken_as_a_seed():
    result = run("x = torch.tensor(0.5, requires_grad=True)\ny = x ** 2\ny.grad = torch.tensor(2.0)\ny.backward()")
    assert_error(result, 2, "DeZero starts the backward pass from it, PyTorch and micrograd from ones")
    assert "y.backward(torch.tensor(2.0))" in result.stderr


def test_clearing_one_gradient_twice_then_reading_another_is_read():
    found = compute("w = torch.tensor([1., 2.], requires_grad=True)\nb = torch.tensor(1., requires_grad=True)\n"
                    "loss = (w ** 2).sum() + b\nloss.backward()\nw.grad.zero_()\nw.grad.zero_()\nprint(b.grad)")
    assert list(found.gradient) == ["b", "w"] and found.gradient["b"] == 1.0


def test_an_earlier_question_whose_target_is_assigned_again_is_refused():
    # its note would answer for the new value, not the one TensorFlow differentiated
    result = run("x = tf.Variable(2.0)\nwith tf.GradientTape(persistent=True) as tape:\n  y0 = x**2\n"
                 "  d0 = tape.gradient(y0, x)\n  y0 = x**3\n  y1 = 1 / x\nd1 = tape.gradient(y1, x)")
    assert_error(result, 2, "y0 is assigned again after tape.gradient(y0, x) asked of it")


@pytest.mark.parametrize("text", [
    "x = torch.tensor(2.0, requires_grad=True)\ny = x**2\ny.backward()\ny = x**3\nprint(x.grad)",
    "x = tf.Variable(2.0)\nwith tf.GradientTape() as tape:\n  y = x**2\ng = tape.gradient(y, x)\ny = x**3",
])
def test_the_output_assigned_again_after_its_question_is_refused(text):
    # PyTorch's x.grad is 4 (2x at 2): gradcalc read the later y, x³, and said 12
    result = run(text)
    assert_error(result, 2, "y is assigned again after")
    assert "a name of its own" in result.stderr


def test_two_autograd_grad_questions_the_first_keeping_the_graph_are_both_answered():
    # torch.autograd.grad(y0, x, retain_graph=True) then of y1: 4 and -0.25, as PyTorch gives them
    text = "x = torch.tensor(2.0, requires_grad=True)\ny0 = x**2\ny1 = 1 / x\nd0, = torch.autograd.grad(y0, x{})\n" \
           "d1, = torch.autograd.grad(y1, x)"
    found = compute(text.format(", retain_graph=True"))
    assert found.value == 0.5 and found.gradient["x"] == -0.25
    assert "torch.autograd.grad(y0, x, retain_graph=True) (an earlier question of the graph retain_graph=True kept): " \
           "∂y0/∂x = 4" in found.graph.notes
    result = run(text.format(""))
    assert_error(result, 2, "asks a second question")
    assert "give the first retain_graph=True" in result.stderr


def test_a_dense_layers_kernel_of_another_width_than_its_units_is_refused():
    result = run("layer = tf.keras.layers.Dense(2)\ny = layer(x)", "--x", "[[1, 2]]", "--kernel", "[[1], [2]]", "--bias", "[0.5]")
    assert_error(result, 2, "a Dense(2) layer's kernel is a matrix of 2 columns (inputs × units), got shape (2,1)")
    result = run("layer = tf.keras.layers.Dense(2)\ny = layer(x)", "--x", "[[1, 2]]", "--kernel", "[[1, 0], [2, 1]]",
                 "--bias", "[0.5]")      # broadcast, it would add 0.5 to both: Keras' bias has one number a unit
    assert_error(result, 2, "a Dense(2) layer's bias is a vector of 2 numbers, got shape (1,)")


def test_a_seed_given_as_a_value_gets_no_gradient_reported():
    # y.backward(v) with v given: v is ∂L/∂y, not an input of y; PyTorch's x.grad is v·2x = 12
    found = compute("y = x**2\ny.backward(v)", x=3.0, v=2.0)
    assert found.gradient == {"x": 12.0}


IF_ELIF = "if a > 1:\n    y = a * 2\n    z = a\nelif a > 0:\n    y = a ** 2\n    z = -a\nelse:\n    y = 0 * a\n    z = a * 3\ny + z"


@pytest.mark.parametrize("a, value, gradient", [(2.0, 6.0, 3.0), (0.5, -0.25, 0.0), (-1.0, -3.0, 3.0)])
def test_an_if_statement_assigning_the_same_names_in_each_branch_is_read_as_python_runs_it(a, value, gradient):
    # PyTorch's numbers for the same if/elif/else on a = torch.tensor(a, requires_grad=True)
    found = compute(IF_ELIF, a=a)
    assert found.value == pytest.approx(value) and found.gradient["a"] == pytest.approx(gradient)


def test_the_tf_guides_if_on_a_tape_takes_the_branch_its_condition_picks():
    text = ("x = tf.constant(1.0)\n\nv0 = tf.Variable(2.0)\nv1 = tf.Variable(2.0)\n\nwith tf.GradientTape(persistent=True) as "
            "tape:\n  tape.watch(x)\n  if x > 0.0:\n    result = v0\n  else:\n    result = v1**2 \n\n"
            "dv0, dv1 = tape.gradient(result, [v0, v1])\n\nprint(dv0)\nprint(dv1)")
    assert compute(text).gradient == {"v0": 1.0, "v1": 0.0}
    assert compute(text, x=-1.0).gradient == {"v0": 0.0, "v1": 4.0}
    result = run(text, "--x", "[1, -1]")       # Python's if of two elements raises
    assert_error(result, 2, "an if statement's condition is one number, got an array of shape (2,)")


@pytest.mark.parametrize("text", [
    "if a > 0:\n    y = a\ny",                              # no else: y may not be assigned
    "if a > 0:\n    y = a\nelse:\n    z = a\ny",              # other names in each branch
])
def test_an_if_statement_that_may_leave_a_name_unassigned_is_refused(text):
    # Python raises NameError reading y where the branch that assigns it did not run
    assert_error(run(text, "--a", "1"), 2, "y is assigned only where a condition decided by the values holds")


# PyTorch's numbers (a = torch.tensor(a, requires_grad=True)) for ifs of other forms (gradcalc/pyflow.py)
@pytest.mark.parametrize("text, a, value, gradient", [
    ("if a > 0:\n    y = a\n    y = y * 2\nelse:\n    y = -a\ny", 1.5, 3.0, 2.0),    # a name assigned twice
    ("if a > 0:\n    y = a\n    y = y * 2\nelse:\n    y = -a\ny", -2.0, 2.0, -1.0),
    ("if a > 0:\n    if a > 1:\n        y = a\n    else:\n        y = 1\nelse:\n    y = -a\ny", 1.5, 1.5, 1.0),  # nested
    ("if a > 0:\n    if a > 1:\n        y = a\n    else:\n        y = 1\nelse:\n    y = -a\ny", 0.5, 1.0, 0.0),
    ("if a > 0:\n    if a > 1:\n        y = a\n    else:\n        y = 1\nelse:\n    y = -a\ny", -2.0, 2.0, -1.0),
])
def test_an_if_statement_of_another_form_is_read_as_pytorch_runs_it(text, a, value, gradient):
    found = compute(text, a=a)
    assert found.value == pytest.approx(value) and found.gradient.get("a", 0.0) == pytest.approx(gradient)
