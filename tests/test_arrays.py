"""Arrays: matrix-product and broadcasting gradients against closed forms and central differences,
stable softmax, shapes in the output, and every malformed array or shape mismatch as exit 2."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from gradcalc import GradcalcError, compute
from gradcalc.api import evaluate
import helpers
from helpers import numeric_gradients
from helpers import run as run_cli
from gradcalc.parse import parse


def assert_matches_central_differences(text, point, upstream=None):
    result = compute(text, point, upstream=upstream)
    numeric = numeric_gradients(text, point, upstream)
    for name, value in point.items():
        grad = result.gradient[name]
        assert np.shape(grad) == np.shape(value), (text, name)
        np.testing.assert_allclose(grad, numeric[name], rtol=1e-5, atol=1e-6, err_msg=f"{text} {name}")
    return result


# Each example runs the program ~2 × (number of elements) times: a sixth of the profile's examples
# keeps the file fast in CI, and HYPOTHESIS_PROFILE=long still scales it up.
few = settings(max_examples=max(10, settings.default.max_examples // 6))


def rng_arrays(seed, *shapes, scale=1.0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) * scale for shape in shapes]


# --- the matrix product ---------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),        # matrix · matrix
    ((1, 2), (2, 3)),        # the textbook's row vector X (1×n) times W (n×m)
    ((3,), (3, 4)),          # vector · matrix
    ((2, 3), (3,)),          # matrix · vector
    ((3,), (3,)),            # vector · vector: a scalar
    ((2, 2, 3), (3, 4)),     # a stack of matrices times one matrix: W's gradient sums over the stack
    ((3,), (2, 3, 4)),       # vector times a stack
    ((2, 3), (2, 3, 1)),     # matrix times a stack of columns
    ((2, 2, 3), (3,)),       # stack times a vector
]


@pytest.mark.parametrize("x_shape, w_shape", MATMUL_SHAPES)
def test_matmul_gradients_match_central_differences(x_shape, w_shape):
    x, w = rng_arrays(0, x_shape, w_shape)
    out_shape = np.matmul(x, w).shape
    upstream = rng_arrays(1, out_shape)[0] if out_shape else None
    assert_matches_central_differences("X@W", {"X": x, "W": w}, upstream)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_matmul_gradients_are_the_closed_forms(n, m, k, seed):
    x, w, g = rng_arrays(seed, (n, m), (m, k), (n, k))
    result = compute("X@W", X=x, W=w, upstream=g)
    np.testing.assert_allclose(result.gradient["X"], g @ w.T)     # ∂L/∂X = ∂L/∂Y · Wᵀ
    np.testing.assert_allclose(result.gradient["W"], x.T @ g)     # ∂L/∂W = Xᵀ · ∂L/∂Y


@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_vector_matmul_closed_forms(n, m, seed):
    x, w, g = rng_arrays(seed, (n,), (n, m), (m,))
    result = compute("x@W", x=x, W=w, upstream=g)
    np.testing.assert_allclose(result.gradient["x"], g @ w.T)
    np.testing.assert_allclose(result.gradient["W"], np.outer(x, g))


@few
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_transpose_and_matmul_compose(n, m, seed):
    x, w = rng_arrays(seed, (n, m), (n, m))
    assert_matches_central_differences("sum((X.T@W)**2) + sum(transpose(X)*W.T)", {"X": x, "W": w})


ELEMENTWISE = ["exp", "log", "ln", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs"]


@pytest.mark.parametrize("function", ELEMENTWISE)
def test_scalar_functions_apply_elementwise(function):
    x = np.array([[0.2, 0.5, 0.9], [1.1, 0.3, 0.7]])
    result = assert_matches_central_differences(f"{function}(X) * W", {"X": x, "W": x[::-1]})
    assert result.gradient["X"].shape == (2, 3)


# --- broadcasting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, shapes", [
    ("X + b", ((2, 3), (3,))),
    ("X * c", ((2, 3), (2, 1))),
    ("X * s", ((2, 3), ())),
    ("u - v", ((3,), (2, 1))),          # both operands stretched
    ("X / d", ((2, 1, 3), (4, 1))),
])
def test_broadcast_gradients_have_the_operands_shape(text, shapes):
    names = [name for name in text.split() if name.isalpha()]
    values = dict(zip(names, rng_arrays(2, *shapes)))
    values[names[-1]] = values[names[-1]] + 3.0   # keep a divisor away from 0
    assert_matches_central_differences(text, values, upstream=rng_arrays(3, np.broadcast_shapes(*shapes))[0])


@few
@given(st.sampled_from(["+", "-", "*", "/"]),
       mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       st.integers(0, 2**32 - 1))
def test_any_broadcast_pair_matches_central_differences(operator, shapes, seed):
    a, b, g = rng_arrays(seed, *shapes.input_shapes, shapes.result_shape)
    b = np.where(b < 0, b - 1.0, b + 1.0)          # a divisor at least 1 away from 0
    upstream = g if shapes.result_shape else None
    assert_matches_central_differences(f"a {operator} b", {"a": a, "b": b}, upstream)


def _matmul_shapes():
    """(X shape, W shape) numpy's matmul accepts: vectors, matrices and stacks that broadcast."""
    def build(sizes):
        n, m, k, batch_x, batch_w, x_kind, w_kind = sizes
        x = {"vector": (m,), "matrix": (n, m), "stack": batch_x + (n, m)}[x_kind]
        w = {"vector": (m,), "matrix": (m, k), "stack": batch_w + (m, k)}[w_kind]
        return x, w
    batch = st.sampled_from([(), (2,), (1,), (2, 1), (1, 2)])
    kinds = st.sampled_from(["vector", "matrix", "stack"])
    sizes = st.tuples(*[st.integers(1, 3)] * 3, batch, batch, kinds, kinds)
    return sizes.map(build).filter(lambda xw: _fits(*xw))


def _fits(x_shape, w_shape):
    try:
        np.matmul(np.zeros(x_shape), np.zeros(w_shape))
        return True
    except ValueError:
        return False


@few
@given(_matmul_shapes(), st.integers(0, 2**32 - 1))
def test_matmul_of_any_shapes_matches_central_differences(shapes, seed):
    x, w = rng_arrays(seed, *shapes)
    out_shape = np.matmul(x, w).shape
    upstream = rng_arrays(seed + 1, out_shape)[0] if out_shape else None
    assert_matches_central_differences("X@W", {"X": x, "W": w}, upstream)


def test_bias_gets_the_upstream_summed_over_the_batch():
    x, w, b, g = rng_arrays(4, (5, 2), (2, 3), (3,), (5, 3))
    result = compute("X@W + b", X=x, W=w, b=b, upstream=g)
    np.testing.assert_allclose(result.gradient["b"], g.sum(axis=0))
    assert result.gradient["b"].shape == (3,)


def test_scalar_operand_gets_the_sum_of_everything():
    x, g = rng_arrays(5, (2, 3), (2, 3))
    result = compute("s * X", s=2.0, X=x, upstream=g)
    assert np.shape(result.gradient["s"]) == ()
    assert float(result.gradient["s"]) == pytest.approx(float(np.sum(g * x)))


# --- reductions and the softmax family ------------------------------------------------------------

@pytest.mark.parametrize("text, shape", [
    ("sum(X)", (2, 3)), ("mean(X)", (2, 3)), ("sum(X, 0)", (2, 3)), ("sum(X, 1)", (3, 3)),
    ("mean(X, -1)", (2, 3)), ("mean(X, 0)", (4,)), ("sum(X**2, 1)", (2, 2, 3)),
    ("max(X)", (2, 3)), ("softmax(X)", (4,)), ("softmax(X)", (2, 3)), ("logsumexp(X)", (4,)),
    ("logsumexp(X)", (3, 4)), ("sum(X.T, 0)", (2, 3)),
])
def test_array_functions_match_central_differences(text, shape):
    @few
    @given(st.integers(0, 2**32 - 1))
    def check(seed):
        (x,) = rng_arrays(seed, shape, scale=2.0)
        out_shape = np.shape(compute(text, X=x).value)
        upstream = rng_arrays(seed + 1, out_shape)[0] if out_shape else None
        assert_matches_central_differences(text, {"X": x}, upstream)

    check()


def test_sum_along_axis_spreads_the_upstream_back():
    (x,) = rng_arrays(6, (3, 3))
    g = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(compute("sum(X, 0)", X=x, upstream=g).gradient["X"], np.tile(g, (3, 1)))
    np.testing.assert_array_equal(compute("sum(X, 1)", X=x, upstream=g).gradient["X"], np.tile(g[:, None], 3))


def test_max_ties_share_the_gradient():
    result = compute("max(X)", X=[[1, 3], [3, 2]])
    assert float(result.value) == 3
    np.testing.assert_array_equal(result.gradient["X"], [[0, 0.5], [0.5, 0]])


def test_cross_entropy_matches_central_differences_in_y():
    y, = rng_arrays(7, (4, 3), scale=3)
    t = np.eye(3)[[0, 2, 1, 2]]
    result = compute("cross_entropy(y, t)", y=y, t=t)
    numeric = numeric_gradients("cross_entropy(y, t)", {"y": y, "t": t}, wrt=["y"])["y"]
    np.testing.assert_allclose(result.gradient["y"], numeric, rtol=1e-5, atol=1e-7)
    shifted = y - y.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result.gradient["y"], (probabilities - t) / 4)  # (softmax(y) − t)/N


def test_cross_entropy_is_differentiable_in_the_target_too():
    # Soft targets whose rows need not sum to 1: ∂/∂y = (softmax(y)·Σt − t)/N, ∂/∂t = −log softmax(y)/N.
    y, t = rng_arrays(8, (3, 4), (3, 4))
    assert_matches_central_differences("cross_entropy(y, t)", {"y": y, "t": np.abs(t)})


@pytest.mark.parametrize("big", [1000.0, 1e5, -1e5, 1e300])
def test_softmax_family_is_stable_at_large_inputs(big):
    x = np.array([big, big + 1.0]) if abs(big) < 1e300 else np.array([big, big / 2])
    soft = compute("softmax(X)", X=x, upstream=[1.0, 0.0])
    assert np.all(np.isfinite(soft.value)) and np.all(np.isfinite(soft.gradient["X"]))
    if abs(big) < 1e300:
        np.testing.assert_allclose(soft.value, [1 / (1 + np.e), np.e / (1 + np.e)])
        assert float(compute("logsumexp(X)", X=x).value) == pytest.approx(big + 1 + np.log1p(np.exp(-1)))
    loss = compute("cross_entropy(X, t)", X=x, t=[1.0, 0.0])
    assert np.isfinite(float(loss.value)) and np.all(np.isfinite(loss.gradient["X"]))


X3, Y2, T3 = np.array([1.0, 2.0, 3.0]), np.array([0.5, -2.0]), np.array([0.0, 1.0, 0.0])


@pytest.mark.parametrize("text, point", [
    ("sum(x)*y", {"x": X3, "y": Y2}),
    ("exp(max(x))*y + mean(x*x)", {"x": X3, "y": Y2}),
    ("cross_entropy(x, t)*y", {"x": X3, "t": T3, "y": Y2}),
    ("sum(x*s)", {"x": X3, "s": 0.5}),
    ("sum(X@W)", {"X": np.array([[1.0, 2.0]]), "W": np.array([[1.0], [2.0]])}),   # (1,1) → ()
    ("sum(X@W + b)", {"X": np.array([[1.0, 2.0]]), "W": np.array([[1.0, 0.5], [2.0, -1.0]]),
                      "b": np.array([0.5, 1.0])}),
])
def test_forward_mode_reduces_like_reverse_mode(text, point):
    # A reduction's tangent is Σ local · tangent, a number, even where its input is an array.
    from gradcalc.forward_mode import forward_mode

    reverse = compute(text, point)
    forward_pass = forward_mode(reverse.graph, reverse.values)
    for name in point:
        np.testing.assert_allclose(forward_pass.gradient[name], reverse.gradient[name], err_msg=name)


# --- the textbook examples ------------------------------------------------------------------------

AFFINE = {"X": [[1.0, 2.0], [3.0, 4.0]], "W": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "b": [0.1, 0.2, 0.3]}
AFFINE_ARGS = ["--X", "[[1,2],[3,4]]", "--W", "[[1,2,3],[4,5,6]]", "--b", "[0.1,0.2,0.3]"]


def test_affine_layer_gradients():
    g = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    result = assert_matches_central_differences("Y = X@W + b", AFFINE, upstream=g)
    X, W = np.array(AFFINE["X"]), np.array(AFFINE["W"])
    np.testing.assert_allclose(result.value, X @ W + AFFINE["b"])
    np.testing.assert_allclose(result.gradient["X"], g @ W.T)
    np.testing.assert_allclose(result.gradient["W"], X.T @ g)
    np.testing.assert_allclose(result.gradient["b"], g.sum(axis=0))


TWO_LAYER = """
h = relu(X@W1 + b1)
y = h@W2 + b2
L = cross_entropy(y, t)
"""


@pytest.mark.parametrize("seed", range(5))
def test_two_layer_network_with_softmax_cross_entropy(seed):
    x, w1, b1, w2, b2 = rng_arrays(seed, (4, 3), (3, 5), (5,), (5, 2), (2,))
    t = np.eye(2)[[0, 1, 1, 0]]
    point = {"X": x, "W1": w1, "b1": b1, "W2": w2, "b2": b2, "t": t}
    result = compute(TWO_LAYER, point)
    numeric = numeric_gradients(TWO_LAYER, point, wrt=["X", "W1", "b1", "W2", "b2"])
    for name in ("X", "W1", "b1", "W2", "b2"):
        assert result.gradient[name].shape == point[name].shape
        np.testing.assert_allclose(result.gradient[name], numeric[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_two_layer_network_passes_the_numerical_check(tmp_path):
    (tmp_path / "net.gc").write_text("h = relu(X@W1 + b1)\nL = cross_entropy(h@W2 + b2, t)\n")
    result = run("-f", str(tmp_path / "net.gc"), "--X", "[[1,2],[0.5,-1]]", "--W1",
                 "[[0.3,-0.2,0.5],[0.1,0.4,-0.3]]", "--b1", "[0.1,0.1,0.2]", "--W2",
                 "[[1,-1],[0.5,0.2],[-0.3,0.8]]", "--b2", "[0,0]", "--t", "[[1,0],[0,1]]", "--check",
                 "--plain")
    assert result.exit_code == 0, result.output
    assert "Gradient check" in result.stdout


# --- values from the command line and files -------------------------------------------------------

run = run_cli


def test_array_values_from_npy_and_csv(tmp_path):
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.save(tmp_path / "w.npy", w)
    (tmp_path / "w.csv").write_text("1,2,3\n4, 5 ,6\n\n")
    (tmp_path / "row.csv").write_text("1,2\n")
    for source in (tmp_path / "w.npy", tmp_path / "w.csv"):
        result = run("sum(X@W)", "--X", f"@{tmp_path / 'row.csv'}", "--W", f"@{source}", "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["value"] == 36.0
        assert data["gradient"]["X"] == [[6.0, 15.0]] and data["gradient"]["W"] == [[1.0] * 3, [2.0] * 3]


def assert_error(result, message, caret=None):
    helpers.assert_error(result, 2, message, caret)


@pytest.mark.parametrize("value, message", [
    ("[[1, 2], [3]]", "the value of X is ragged: X[0] has 2 elements but X[1] has 1"),
    ("[[1, 2], 3]", "the value of X is ragged: X[0] is a list but X[1] is the number 3"),
    ("[[1, 2], [3, [4]]]", "the value of X is ragged: X[0, 0] is the number 1 but X[1, 1] is a list"),
    ('[1, "a"]', "the value of X is not all numbers: X[1] is 'a'"),
    ("[1, true]", "the value of X is not all numbers: X[1] is true"),
    ("[[1.5, 2], [false, 3]]", "the value of X is not all numbers: X[1, 0] is false"),
    ("[[1, null]]", "the value of X is not all numbers: X[0, 1] is null"),
    ('[{"a": 1}]', "the value of X is not all numbers: X[0] is {'a': 1}"),
    ("[1, 1e999]", "the value of X is not finite: X[1] is inf"),
    ("[]", "the value of X is empty"),
    ("[[]]", "the value of X is empty"),
    ("[1, 2", "the value of --X is not a valid array"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ("[" * 33 + "1" + "]" * 33, "the value of X has 33 axes; gradcalc takes at most 32"),
    ("[" * 70 + "1" + "]" * 70, "the value of X has more than 32 axes"),
])
def test_malformed_arrays_exit_2(value, message):
    assert_error(run("sum(X)", "--X", value), message)


@pytest.mark.parametrize("name, content, message", [
    ("ragged.csv", "1,2,3\n4,5\n", "ragged.csv line 2 has 2 columns but the first row has 3"),
    ("header.csv", "a,b\n1,2\n", "header.csv line 1, column 1: 'a' is not a number"),
    ("word.csv", "1,2\n3,x\n", "word.csv line 2, column 2: 'x' is not a number"),
    ("nan.csv", "1,nan\n", "nan.csv line 1, column 2: 'nan' is not a number"),
    ("empty.csv", "", "empty.csv (for --X) has no numbers"),
    ("binary.csv", b"\xff\xfe\x00\x01", "is not a CSV text file"),
    ("text.npy", "hello", "text.npy (for --X) is not a numeric .npy file"),
    ("w.txt", "1,2", "gradcalc reads .npy and .csv files"),
])
def test_malformed_array_files_exit_2(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("sum(X)", "--X", f"@{path}")
    assert_error(result, message)


@pytest.mark.parametrize("array, message", [
    (np.array(["a", "b"]), "holds <U1 values, not real numbers"),
    (np.array([1j]), "holds complex128 values, not real numbers"),
    (np.array([1.0, np.nan]), "the value of X is not finite: X[1] is nan"),
    (np.zeros((0, 3)), "the value of X is empty"),
    (np.zeros((1,) * 33), "the value of X has 33 axes; gradcalc takes at most 32"),
])
def test_npy_that_is_not_an_array_of_real_numbers(tmp_path, array, message):
    np.save(tmp_path / "a.npy", array)
    assert_error(run("sum(X)", "--X", f"@{tmp_path / 'a.npy'}"), message)


def test_unreadable_files_exit_2(tmp_path):
    assert_error(run("sum(X)", "--X", f"@{tmp_path / 'missing.npy'}"),
                 "missing.npy': No such file or directory")
    (tmp_path / "dir.csv").mkdir()
    assert_error(run("sum(X)", "--X", f"@{tmp_path / 'dir.csv'}"), "cannot read the file for --X")
    big = tmp_path / "big.csv"
    big.write_text("1,2\n" * 100)
    assert_error(run("sum(X)", "--X", f"@{big}", "--limit", "elements=50"), "over the limit of 50")
    assert_error(run("sum(X)", "--X", f"@{big}", "--limit", "file=50"), "over the limit of 50")


# --- shape mismatches: exit 2, both shapes, the operator, a caret under the expression ------------

@pytest.mark.parametrize("expression, values, message, caret", [
    ("X@W", ["--X", "[[1,2]]", "--W", "[[1,2,3]]"],
     "shape mismatch: @ cannot multiply shapes (1,2) and (1,3)", "  ^^^"),
    ("y = 2*X @ W", ["--X", "[1,2]", "--W", "[1,2,3]"],
     "shape mismatch: @ cannot multiply shapes (2,) and (3,)", "      ^^^^^^^"),
    ("X@W", ["--X", "[[[1,2]],[[1,2]],[[1,2]]]", "--W", "[[[1],[2]],[[1],[2]]]"],
     "shape mismatch: @ cannot multiply shapes (3,1,2) and (2,2,1)", "  ^^^"),
    ("X @ 2", ["--X", "[[1,2]]"], "@ multiplies vectors and matrices, not scalars: shapes (1,2) and ()",
     "  ^^^^^"),
    ("sum(X + b)", ["--X", "[[1,2],[3,4]]", "--b", "[1,2,3]"],
     "shape mismatch: + cannot combine shapes (2,2) and (3,)", "      ^^^^^"),
    ("X * Y", ["--X", "[1,2]", "--Y", "[1,2,3]"], "shape mismatch: × cannot combine shapes (2,) and (3,)",
     "  ^^^^^"),
    # a library's array(…) is its argument's value, but the caret is under the whole call
    ("np.array([1,2]) @ np.array([1,2,3])", [], "shape mismatch: @ cannot multiply shapes (2,) and (3,)",
     "  " + "^" * 35),
    ("torch.tensor([1.,2.]) + 2*torch.tensor([1.,2.,3.])", [],
     "shape mismatch: + cannot combine shapes (2,) and (3,)", "  " + "^" * 50),
    ("cross_entropy(y, t)", ["--y", "[1,2]", "--t", "[0,1,0]"],
     "shape mismatch: cross_entropy needs y and t of the same shape, got (2,) and (3,)", None),
    ("sum(X, 2)", ["--X", "[[1,2]]"], "axis 2 is out of range for sum of shape (1,2)", "  ^^^^^^^^^"),
    ("mean(X, -3)", ["--X", "[[1,2]]"], "axis -3 is out of range for mean of shape (1,2)", None),
    ("sum(X, 0.5)", ["--X", "[[1,2]]"], "the axis of sum must be a whole number, got 0.5", None),
    ("sum(X, a)", ["--X", "[[1,2]]", "--a", "0"], "the axis of sum must be a number written in the expression",
     "         ^"),
    ("sum(X, 0, 1)", ["--X", "[1]"], "sum takes 1 or 2 arguments, got 3", None),
    ("softmax(x)", ["--x", "2"], "softmax needs a vector or a matrix, got a scalar", "  ^^^^^^^^^^"),
])
def test_shape_mismatches_exit_2(expression, values, message, caret):
    assert_error(run(expression, *values), message, caret)


def test_an_elementwise_mismatch_names_the_operands_as_written():
    result = run("L = sum(X@W + b) * 2", "--X", "[[1,2],[3,4]]", "--W", "[[1,2],[3,4]]", "--b", "[1,2,3]")
    assert_error(result, "shape mismatch: + cannot combine shapes (2,2) and (3,) of 'X@W' and 'b'",
                 "          ^^^^^^^")


def test_the_mismatch_hint_says_how_to_fix_it():
    result = run("X@W", "--X", "[[1,2]]", "--W", "[[1,2,3]]")
    assert "hint: the columns of the left operand (2) must equal the rows of the right operand (1)" \
        in result.stderr
    assert "the left one transposed, (2,1) @ (1,3), would fit" in result.stderr
    # (1,3) @ (2,2): no transpose and no other order fits, so none is offered
    result = run("X@W", "--X", "[[1,2,3]]", "--W", "[[1,2],[3,4]]")
    assert result.stderr.rstrip().endswith("must equal the rows of the right operand (2)")
    result = run("X@W", "--X", "[[1,2,3]]", "--W", "[[1,2,3],[3,4,5]]")
    assert "the right one transposed, (1,3) @ (3,2), would fit" in result.stderr
    assert "the left one" not in result.stderr
    result = run("X@W", "--X", "[[1,2],[3,4],[5,6]]", "--W", "[[1,2,3]]")
    assert "the two in the other order, (1,3) @ (3,2), would fit" in result.stderr
    result = run("X+Y", "--X", "[1,2]", "--Y", "[1,2,3]")
    assert "hint: elementwise operands need the same shape, or shapes that broadcast" in result.stderr


@pytest.mark.parametrize("upstream, message", [
    ("[[1, 2]]", "the upstream gradient has shape (1,2) but the output z has shape (1,3)"),
    ("[1, 2, 3]", "the upstream gradient has shape (3,) but the output z has shape (1,3)"),
    ("[[1, 2], [3]]", "the value of upstream is ragged"),
    ("abc", "the value of --upstream is not a number"),
])
def test_upstream_is_checked(upstream, message):
    result = run("X@W", "--X", "[[1,2]]", "--W", "[[1,2,3],[4,5,6]]", "--upstream", upstream)
    assert_error(result, message)


def test_api_raises_gradcalc_errors_for_bad_arrays():
    with pytest.raises(GradcalcError, match=r"X\[1\] has 1"):
        compute("sum(X)", X=[[1, 2], [3]])
    with pytest.raises(GradcalcError, match="shape mismatch"):
        evaluate(parse("X@W"), {"X": [[1.0, 2.0]], "W": [[1.0]]})


# --- what the output shows ------------------------------------------------------------------------

def test_affine_plain_output_shows_shapes_and_the_rules():
    result = run("Y = X@W + b", *AFFINE_ARGS, "--plain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  node  computes  value" in out and "shape" in out.splitlines()[1]
    assert any(line.split()[:2] == ["b", "input"] and line.rstrip().endswith("(3,)")
               for line in out.splitlines())
    assert "∂Y/∂X = ∂Y/∂n1 · Wᵀ   (2,3)·(3,2) → (2,2)" in out
    assert "∂Y/∂W = Xᵀ · ∂Y/∂n1   (2,2)·(2,3) → (2,3)" in out
    assert any(line.split()[:3] == ["Y", "→", "b"] and
               "1   (2,3)×() → (2,3), summed over axis 0 → (3,)" in line for line in out.splitlines())
    assert "  ∂Y/∂b = [2, 2, 2]\n" in out
    assert "  ∂Y/∂X = [[ 6, 15],\n           [ 6, 15]]\n" in out            # rows and columns aligned
    assert "note: Y is an array: the backward pass starts from ones" in out


def test_a_reduction_that_dropped_the_axis_to_broadcast_hints_keepdims():
    X = "[[1,2,3],[4,5,6]]"
    for text, hint in [("X / sum(X, 1)", "sum(X, 1) drops axis 1; sum(X, 1, keepdims=True) keeps it"),
                       ("X - mean(X, axis=-1)", "mean(X, axis=-1) drops axis -1; mean(X, axis=-1, keepdims=True)")]:
        result = run(text, "--X", X)
        assert result.exit_code == 2 and "shape mismatch" in result.stderr
        assert f"hint: {hint}" in result.stderr
        fixed = text[:-1] + ", keepdims=True)"     # the hint's text runs, and rows come out right
        assert run(fixed, "--X", X, "-q").exit_code == 0
    np.testing.assert_allclose(compute("X / sum(X, 1, keepdims=True)", X=[[1, 2, 3], [4, 5, 6]]).value,
                               [[1 / 6, 2 / 6, 3 / 6], [4 / 15, 5 / 15, 6 / 15]])
    # no reduction: the general hint
    assert "elementwise operands need the same shape" in run("X + y", "--X", X, "--y", "[1,2]").stderr


def test_a_vector_is_not_padded_and_no_number_is_cut():
    # a vector's elements were padded to the widest: [           1, 0.3678794412, 0.1353352832]
    from gradcalc.numbers import format_value

    out = run("exp(-x)", "--x", "[0,1,2]", "--plain").stdout
    assert "  z = [1, 0.3678794412, 0.1353352832]\n" in out
    assert "  ∂z/∂x = [-1, -0.3678794412, -0.1353352832]\n" in out
    long = np.exp(-np.arange(100.0))
    text = format_value(long)
    assert "  " not in text.replace("\n ", "") and "..." in text
    # every element shown is whole, wherever numpy breaks the line
    shown = [piece.strip(" []\n") for piece in text.split(",")]
    assert all(piece == "..." or np.isclose(long, float(piece), rtol=1e-9, atol=0).any() for piece in shown)
    assert format_value(np.array([[1.0, 0.25], [10.0, 2.0]])) == "[[   1, 0.25],\n [  10,    2]]"


def test_textbook_row_vector_rule_with_upstream():
    result = run("Y = X@W", "--X", "[[1,2]]", "--W", "[[1,2,3],[4,5,6]]", "--upstream", "[[1,0,2]]",
                 "--plain")
    assert "∂L/∂W = Xᵀ · ∂L/∂Y   (2,1)·(1,3) → (2,3)" in result.stdout
    assert "∂L/∂X = ∂L/∂Y · Wᵀ   (1,3)·(3,2) → (1,2)" in result.stdout
    assert "  ∂L/∂X = [[ 7, 16]]\n" in result.stdout
    assert "note: the backward pass starts from the given --upstream as ∂L/∂Y" in result.stdout


def test_json_has_full_nested_lists():
    big = np.arange(200.0).reshape(10, 20) / 7
    result = compute("sum(X * 2)", X=big)
    from gradcalc.render.json import render_json

    data = json.loads(render_json(result))
    assert data["gradient"]["X"] == [[2.0] * 20] * 10
    assert data["nodes"][0]["value"] == big.tolist()   # every element, full precision
    assert data["nodes"][0]["shape"] == [10, 20] and data["nodes"][-1]["shape"] == []
    assert data["upstream"] is None


def test_json_with_upstream():
    result = run("X@W", "--X", "[[1,2]]", "--W", "[[1,2,3],[4,5,6]]", "--upstream", "[[1,0,2]]", "--json")
    data = json.loads(result.stdout)
    assert data["upstream"] == [[1.0, 0.0, 2.0]]
    assert data["gradient"] == {"X": [[7.0, 16.0]], "W": [[1.0, 0.0, 2.0], [2.0, 0.0, 4.0]]}


def test_quiet_prints_each_array_on_one_line_in_full():
    result = run("X@W", "--X", "[[1,2]]", "--W", "[[1,2,3],[4,5,6]]", "-q")
    assert result.stdout == "[[9, 12, 15]]\n[[6, 15]]\n[[1, 1, 1], [2, 2, 2]]\n"
    big = run("sum(X*2)", "--X", json.dumps(list(range(100))), "-q", "--wrt", "X").stdout
    assert json.loads(big) == [2] * 100          # every element, readable as JSON


def test_quiet_forward_mode_prints_arrays_on_one_line_too():
    result = run("sum(X@W)", "--X", "[[1,2]]", "--W", "[[1],[2]]", "--mode", "forward", "-q")
    assert result.stdout == "5\n[[1, 2]]\n[[1], [2]]\n"


def test_upstream_from_a_file(tmp_path):
    np.save(tmp_path / "g.npy", np.array([[1.0, 0.0, 2.0]]))
    result = run("X@W", "--X", "[[1,2]]", "--W", "[[1,2,3],[4,5,6]]", "--upstream", f"@{tmp_path / 'g.npy'}",
                 "-q", "--wrt", "X")
    assert result.stdout == "[[7, 16]]\n"


def test_large_arrays_are_abbreviated_on_a_terminal():
    result = run("sum(X*2)", "--X", json.dumps(np.arange(1000.0).tolist()), "--plain")
    assert result.exit_code == 0 and "..." in result.stdout and "999" in result.stdout
    assert len(result.stdout.splitlines()) < 40


def test_rich_output_for_arrays(on_a_terminal):
    result = run_cli("Y = X@W + b", *AFFINE_ARGS, env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "(2,2)·(2,3) → (2,3)" in result.stdout
    # Printed arrays stay whole beside the wrapped formulas: every matrix row on one line.
    assert "[[4, 4, 4]," in result.stdout and "[6, 6, 6]]" in result.stdout


# What is wrong, where (the caret) and how to fix it, for an axis, an index or a length that is not there.
@pytest.mark.parametrize("expression, values, message, caret, hint", [
    ("len(3)", [], "len needs an array: a single number has no length", "  ^^^^^^",
     "len(x) is the size of x's first axis (3 for [1, 2, 3])"),
    ("y = 2*len(x)", ["--x", "2"], "len needs an array: a single number has no length", "        ^^^^^^",
     "len(x) is the size of x's first axis"),
    ("sum(x, axis=5)", ["--x", "[1, 2, 3]"], "axis 5 is out of range for sum of shape (3,), which has 1 axis",
     "  ^^^^^^^^^^^^^^", "its only axis is 0 (or -1, counted from the end); leave axis out for the sum of "
                         "every element"),
    ("np.mean(X, axis=-3)", ["--X", "[[1, 2]]"], "axis -3 is out of range for mean of shape (1,2), which has "
     "2 axes", None, "its axes are 0 and 1 (or -2 and -1, counted from the end)"),
    ("sum(X, 3)", ["--X", "[[[1, 2]]]"], "axis 3 is out of range for sum of shape (1,1,2), which has 3 axes",
     None, "its axes are 0 to 2 (or -3 to -1, counted from the end)"),
    ("sum(x, axis=0)", ["--x", "2"], "sum of a single number has no axis 0", None,
     "a single number has no axes: leave axis out, sum(x)"),
    ("x[3]", ["--x", "[1, 2, 3]"], "index 3 is out of range for axis 0 of shape (3,)", None,
     "the indices of axis 0 are 0 to 2 (or -3 to -1, counted from the end)"),
    ("x[1]", ["--x", "[7]"], "index 1 is out of range for axis 0 of shape (1,)", None,
     "the only index of axis 0 is 0 (or -1, counted from the end)"),
    ("np.array([])", [], "[] is an empty array: gradcalc computes with numbers, and it has none",
     "           ^^", "give its numbers, e.g. np.array([1.0, 2.0])"),
    ("sum([]) + x", ["--x", "1"], "[] is an empty array", "      ^^", None),
])
def test_missing_axes_indices_and_lengths_say_what_where_and_how(expression, values, message, caret, hint):
    result = run_cli(expression, *values)
    assert_error(result, message, caret)
    assert "-0" not in result.stderr and "0 to 0" not in result.stderr and "tuple" not in result.stderr
    if hint is not None:
        assert f"hint: {hint}" in result.stderr, result.stderr
