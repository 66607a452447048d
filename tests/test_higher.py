"""Second and higher derivatives from the graph-building backward pass, against closed forms and
central differences of the gradient."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.cli import main
from gradcalc.errors import GradcalcError
from gradcalc.evaluate import forward
from gradcalc.higher import extend, gradient_nodes, hessian, nth_derivative
from gradcalc.ops import OPS, rules
from helpers import assert_matches_difference, extrapolated_difference
from random_expressions import array_programs, evaluate_at, expressions, names_in, points

@given(expressions, points)
def test_graph_built_gradient_equals_numeric_backward(text, point):
    result = evaluate_at(text, point)
    builder = extend(result)
    variables = list(result.graph.variables.values())
    nodes = gradient_nodes(builder, result.graph.output, variables)
    for name, node in result.graph.variables.items():
        assert builder.values[nodes[node]] == pytest.approx(float(result.gradient[name]),
                                                            rel=1e-9, abs=1e-12), text


@given(expressions, points)
def test_hessian_is_symmetric_and_matches_differences_of_the_gradient(text, point):
    result = evaluate_at(text, point)
    names = tuple(result.graph.variables)
    if not names:
        return
    h = hessian(result)
    assert h.variables == list(names)
    np.testing.assert_allclose(h.matrix, h.matrix.T, rtol=1e-7, atol=1e-9)
    assert_columns_match_differences(h, text, result.inputs, names, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("k", range(1, 9))
def test_derivatives_of_sin_cycle(k):
    x = 0.7
    d = nth_derivative(compute("sin(x)", x=x), "x", k)
    assert d.value == pytest.approx(math.sin(x + k * math.pi / 2), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("k", range(1, 9))
def test_derivatives_of_exp(k):
    x = 0.4
    assert nth_derivative(compute("exp(2*x)", x=x), "x", k).value == pytest.approx(
        2 ** k * math.exp(2 * x), rel=1e-12)


@pytest.mark.parametrize("k", range(1, 8))
def test_derivatives_of_a_polynomial(k):
    x = 1.3
    expected = sum(c * math.perm(n, k) * x ** (n - k) for n, c in [(5, 1.0), (3, -2.0), (1, 4.0)] if n >= k)
    got = nth_derivative(compute("x**5 - 2*x**3 + 4*x + 7", x=x), "x", k).value
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(st.floats(0.2, 3), st.integers(1, 6))
def test_derivatives_of_log_and_power(x, k):
    # dᵏ/dxᵏ log x = (−1)^(k−1) (k−1)! / xᵏ, and x**2.5 through the pow rule.
    log_k = nth_derivative(compute("log(x)", x=x), "x", k).value
    assert log_k == pytest.approx((-1) ** (k - 1) * math.factorial(k - 1) / x ** k, rel=1e-9)
    falling = math.prod(2.5 - i for i in range(k))
    assert nth_derivative(compute("x**2.5", x=x), "x", k).value == pytest.approx(
        falling * x ** (2.5 - k), rel=1e-9)


def test_textbook_hessian():
    # z = x²y + y³: ∂²z/∂x² = 2y, ∂²z/∂x∂y = 2x, ∂²z/∂y² = 6y.
    h = hessian(compute("x**2*y + y**3", x=2.0, y=3.0))
    assert h.variables == ["x", "y"]
    assert h.matrix.tolist() == [[6.0, 4.0], [4.0, 18.0]]


def test_hessian_of_a_function_of_one_variable_used_twice():
    h = hessian(compute("x*x*x", x=2.0))
    assert h.matrix.tolist() == [[12.0]]


def test_derivative_graph_stays_small():
    # sin's derivatives cycle through cos, −sin, −cos: node reuse keeps the graph from growing.
    d = nth_derivative(compute("sin(x)", x=1.0), "x", 30)
    assert d.builder.added < 20


def test_every_op_rule_has_a_graph_form():
    # The graph form of each derivative is the op's one rule read on nodes: every rule gives a node
    # (polygamma's order n is a number written in the call, not differentiated: no rule, as an axis).
    for name, op in OPS.items():
        if not op.vjp:
            assert len(op.d) == op.arity and all(rule is not None for rule in op.d[name == "polygamma":]), name


def test_hessian_of_a_scalar_of_a_vector():
    h = hessian(compute("sum(x*x*x)", x=[1.0, 2.0]))
    assert h.variables == ["x[0]", "x[1]"]
    assert h.matrix.tolist() == [[6.0, 0.0], [0.0, 12.0]]


def test_hessian_of_a_quadratic_form_is_a_plus_a_transposed():
    a = [[1.0, 2.0], [0.5, 3.0]]
    h = hessian(compute("x @ A @ x", x=[1.0, -2.0], A=a), ("x",))
    np.testing.assert_allclose(h.matrix, np.array(a) + np.array(a).T)


def _flat_gradient(text, values, names):
    result = compute(text, values)
    return np.concatenate([np.ravel(result.gradient[name]) for name in names])


ARRAY_CASES = [
    ("cross_entropy(W @ x, t)", {"x": [1.0, -2.0], "W": [[1.0, 2.0], [0.5, 3.0], [0.1, -1.0]],
                                 "t": [0.0, 1.0, 0.0]}, ("x", "W")),
    ("logsumexp(x*x)", {"x": [1.0, -2.0, 0.3]}, ("x",)),
    ("sum(softmax(x)*c)", {"x": [1.0, -2.0, 0.3], "c": [1.0, 2.0, 3.0]}, ("x", "c")),
    ("sum((X @ w)**2)", {"X": [[1.0, 2.0], [0.5, -1.0], [2.0, 0.1]], "w": [0.3, -0.7]}, ("X", "w")),
    ("mean(tanh(M.T @ x + b))", {"M": [[1.0, 2.0], [0.5, -1.0]], "x": [0.2, 0.4], "b": [0.1, -0.3]},
     ("M", "x", "b")),
    ("sum(sin(M) * M) + max(M)", {"M": [[0.1, 0.2], [0.3, 2.0]]}, ("M",)),
    ("x @ A @ x * s", {"x": [1.0, -2.0], "A": [[1.0, 2.0], [0.5, 3.0]], "s": 0.5}, ("x", "A", "s")),
    ("sum(sum(M, 0)**2) + sum(mean(M, 1)**3)", {"M": [[1.0, 2.0, 0.5], [3.0, 4.0, -1.0]]}, ("M",)),
    ("sum(sin(sum(v, 0) * v))", {"v": [0.3, -0.2, 0.9]}, ("v",)),
    # logsumexp of a matrix's rows (its rule's graph form puts the row axis back with keepdims),
    # vectors on either side of @, indexing
    ("sum(logsumexp(M) * c)", {"M": [[1.0, 2.0, 0.5], [3.0, 4.5, -1.0]], "c": [1.0, -2.0]}, ("M",)),
    ("x @ y * (A @ x)[0] + sum(x @ A)", {"x": [1.0, -2.0], "y": [0.5, 3.0], "A": [[1.0, 2.0], [0.5, 3.0]]},
     ("x", "y", "A")),
    ("sum(softmax(X)[1:] ** 2) + X[0, 1] ** 3", {"X": [[1.0, 2.0, 0.5], [3.0, 4.5, -1.0]]}, ("X",)),
    ("sum(x.reshape(2, 2) @ np.max(X, axis=1) ** 2)", {"x": [1.0, 2.0, -0.5, 3.0], "X": [[1.0, 2.0], [3.0, 0.5]]},
     ("x", "X")),
    # stacks of matrices, with a vector on either side
    ("sum((A @ B) ** 2)", {"A": [[[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]], [[0.2, 0.1, -0.4], [1.5, 0.7, 0.9]]],
                           "B": [[1.0, 0.5], [-0.3, 2.0], [0.8, 1.1]]}, ("A", "B")),
    ("sum(np.tanh(x @ W))", {"x": [0.5, -1.0, 0.3], "W": [[[0.2, 0.4], [1.0, -0.5], [0.3, 0.1]],
                                                        [[-0.7, 0.6], [0.2, 0.9], [1.1, -0.2]]]}, ("x", "W")),
    ("sum((X @ w) ** 3)", {"X": [[[0.2, 0.4], [1.0, -0.5]], [[-0.7, 0.6], [0.3, 0.1]]], "w": [0.5, -1.5]},
     ("X", "w")),
    # integer-array indexing, a position taken twice
    ("sum(x[i] ** 3 * x[j])", {"x": [1.0, 2.0, -0.5], "i": [0.0, 2.0, 2.0], "j": [1.0, 1.0, 0.0]}, ("x",)),
    ("-np.sum(np.log(P[range(3), y]))", {"P": [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.25, 0.5]],
                                         "y": [1.0, 0.0, 2.0]}, ("P",)),
]


@pytest.mark.parametrize("text, values, names", ARRAY_CASES, ids=[c[0] for c in ARRAY_CASES])
def test_array_hessians_match_differences_of_the_gradient(text, values, names):
    h = hessian(compute(text, values), names)
    np.testing.assert_allclose(h.matrix, h.matrix.T, rtol=1e-7, atol=1e-10)
    assert_columns_match_differences(h, text, values, names, rtol=1e-6, atol=1e-7)


def assert_columns_match_differences(h, text, values, names, rtol, atol):
    """Each Hessian column equals the difference of the gradient along that input element
    (helpers.extrapolated_difference: Richardson's, within its own error)."""
    column = 0
    for name in names:
        base = np.asarray(values[name], dtype=float)
        for index in np.ndindex(base.shape):
            def gradient(value, name=name):
                return _flat_gradient(text, {**values, name: value if value.ndim else float(value)}, names)

            assert_matches_difference(h.matrix[:, column], extrapolated_difference(gradient, base, index),
                                      rtol, atol, f"{text}: column {h.variables[column]}")
            column += 1
    assert column == len(h.variables)


def test_hessian_through_an_op_without_graph_form_is_exit_2(monkeypatch):
    # every op has a graph form today; one that did not cover some shapes would say so, not crash
    monkeypatch.setattr(rules, "GRAPH_MATMUL", [lambda g, *operands: None])
    result = run("sum(A @ B)", "--A", "[[[1, 2], [3, 4]]]", "--B", "[[1, 2], [3, 4]]", "--hessian")
    assert result.exit_code == 2
    assert "--hessian is not available for @ yet" in result.stderr
    assert "for these shapes" in result.stderr
    assert result.stdout == ""


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_hessian_json_and_quiet():
    result = run("x**2*y + y**3", "--x", "2", "--y", "3", "--hessian", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hessian"] == {"variables": ["x", "y"], "matrix": [[6.0, 4.0], [4.0, 18.0]]}
    assert data["gradient"] == {"x": 12.0, "y": 31.0}
    assert run("x**2*y + y**3", "--x", "2", "--y", "3", "--hessian", "-q").stdout == "6 4\n4 18\n"


def test_cli_hessian_table():
    result = run("x**2*y + y**3", "--x", "2", "--y", "3", "--hessian", "--plain")
    assert result.exit_code == 0
    assert "Hessian of z: row u, column v holds ∂²z/∂u∂v\n     x  y\n  x  6  4\n  y  4  18\n" in result.stdout


def test_cli_hessian_wrt_chooses_rows():
    result = run("x**2*y + y**3", "--x", "2", "--y", "3", "--hessian", "--wrt", "y", "-q")
    assert result.stdout == "18\n"


def test_cli_order():
    result = run("sin(x)", "--x", "0.5", "--order", "4", "--json")
    assert json.loads(result.stdout)["derivative"] == {
        "variable": "x", "order": 4, "value": pytest.approx(math.sin(0.5)),
        "values": pytest.approx([math.cos(0.5), -math.sin(0.5), -math.cos(0.5), math.sin(0.5)])}
    plain = run("x**3", "--x", "2", "--order", "3", "--plain").stdout
    assert "  1      dz/dx       12\n  2      d²z/dx²     12\n  3      d³z/dx³     6\n" in plain
    assert run("x**3", "--x", "2", "--order", "2", "-q").stdout == "12\n"


@pytest.mark.parametrize("args, message", [
    (["x*y", "--x", "1", "--y", "2", "--order", "2"], "--order needs one variable"),
    (["x*y", "--x", "1", "--y", "2", "--order", "0"], "0 is not in the range"),
    (["x*x", "--x", "[1, 2]", "--hessian"], "--hessian needs a scalar output"),
    (["sum(x*x)", "--x", "[1, 2]", "--order", "2"], "--order with an array input works on elementwise"),
    (["x*x", "--x", "[1, 2]", "--order", "2", "--symbolic"], "--order works on a scalar output"),
])
def test_cli_bad_requests_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_cli_second_derivative_not_finite_exit_3():
    # x**1.5 has a finite first derivative at 0, but its second derivative is infinite there.
    result = run("x**1.5", "--x", "0", "--order", "2")
    assert result.exit_code == 3
    assert "a derivative is not finite" in result.stderr
    assert "x**1.5\n  ^^^^^^" in result.stderr
    assert result.stdout == ""


# Forward mode --------------------------------------------------------------------------------------

from gradcalc.forward_mode import forward_mode, reverse_operations  # noqa: E402


@given(expressions, points)
def test_forward_mode_gradient_equals_reverse_mode(text, point):
    result = evaluate_at(text, point)
    forward = forward_mode(result.graph, result.values)
    assert len(forward.passes) == len(result.graph.variables)
    for name, grad in result.gradient.items():
        assert float(forward.gradient[name]) == pytest.approx(float(grad), rel=1e-9, abs=1e-12), text


def test_forward_mode_on_an_array_input_passes_once_per_element():
    result = compute("sin(x)*x + 3*x*y", x=[0.5, -1.0, 2.0], y=0.25)
    forward = forward_mode(result.graph, result.values)
    assert [p.seed for p in forward.passes] == ["x[0]", "x[1]", "x[2]", "y"]
    np.testing.assert_allclose(forward.gradient["x"], result.gradient["x"], rtol=1e-12)
    assert float(forward.gradient["y"]) == pytest.approx(float(result.gradient["y"]), rel=1e-12)


@pytest.mark.parametrize("n", [1, 10, 100])
def test_operation_counts_scalar_inputs(n):
    # n inputs: forward mode makes n passes over the whole graph, reverse mode one of each kind.
    text = " + ".join(f"sin(x{i})*x{i}" for i in range(n))
    result = compute(text, {f"x{i}": 0.1 * i for i in range(n)})
    forward = forward_mode(result.graph, result.values)
    nodes, edges = 3 * n - 1, 5 * n - 2            # sin, ×, + per term; sin 1 edge, × 2, + 2
    assert reverse_operations(result) == nodes + edges
    assert forward.operations == n * (nodes + edges)


def test_operation_counts_grow_with_inputs_forward_and_stay_flat_reverse():
    # The same expression on a vector of 1, 10, 100 inputs: the graph does not change, so reverse
    # mode's count stays the same, while forward mode needs one pass per element.
    counts = []
    for n in (1, 10, 100):
        result = compute("sin(x)*x + x*x", x=np.linspace(-1, 1, n))
        counts.append((forward_mode(result.graph, result.values).operations, reverse_operations(result)))
    (f1, r1), (f10, r10), (f100, r100) = counts
    assert r1 == r10 == r100
    assert (f1, f10, f100) == (r1, 10 * r1, 100 * r1)


def test_cli_mode_forward_table():
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--mode", "forward", "--plain")
    assert result.exit_code == 0, result.output
    assert ("  node  computes  d/dx  d/dy\n  x     input     1     0\n  y     input     0     1\n"
            "  n1    x + y     1     1\n  z     n1^2      6     6\n") in result.stdout
    assert "Backward pass" not in result.stdout
    assert result.stdout.endswith("Result\n  z = 9\n  ∂z/∂x = 6\n  ∂z/∂y = 6\n")
    assert run("(x+y)**2", "--x", "1", "--y", "2", "--mode", "forward", "-q").stdout == "9\n6\n6\n"


def test_cli_mode_forward_json():
    data = json.loads(run("x*y", "--x", "3", "--y", "2", "--mode", "forward", "--json").stdout)
    assert data["gradient"] == {"x": 2.0, "y": 3.0}
    assert data["forward_mode"]["passes"] == [{"seed": "x", "tangents": [1.0, 0.0, 2.0]},
                                              {"seed": "y", "tangents": [0.0, 1.0, 3.0]}]


def test_cli_compare_modes():
    args = ["x1*x2*x3", "--x1", "1", "--x2", "2", "--x3", "3", "--compare-modes"]
    data = json.loads(run(*args, "--json").stdout)
    assert data["operations"] == {"forward": 18, "reverse": 6}
    assert run(*args, "-q").stdout == "18 6\n"
    text = run(*args, "--plain").stdout
    assert "  forward  3 (one per input)       18\n  reverse  1 forward + 1 backward  6\n" in text
    assert "note: both modes give the same gradient (largest difference 0)" in text


def test_forward_mode_tangent_not_finite_is_a_math_error():
    from gradcalc.errors import MathError
    from gradcalc.parse import parse

    with pytest.raises(MathError, match="the tangent of sqrt of 0 is not finite"):
        graph = parse("sqrt(x) + 1")
        forward_mode(graph, forward(graph, {"x": np.float64(0.0)}))
    result = run("sqrt(x)", "--x", "0", "--mode", "forward")
    assert result.exit_code == 3 and result.stdout == ""


@pytest.mark.parametrize("text, values", [
    ("sum(x)*x", {"x": [1.0, 2.0, 3.0]}),                      # a reduction broadcast back
    ("x + s", {"x": [1.0, 2.0, 3.0], "s": 2.0}),               # a scalar spread over a vector
    ("max(x)*x", {"x": [1.0, 2.0, 3.0]}),
    ("mean(x)*sin(x) + s*x", {"x": [1.0, 2.0, 3.0], "s": 0.5}),
    ("cross_entropy(x*s, t)", {"x": [1.0, 2.0, 3.0], "s": 0.5, "t": [0.0, 0.0, 1.0]}),
    ("sum(M*M*v)", {"M": [[1.0, 2.0], [3.0, 4.0]], "v": [0.5, -1.0]}),
])
def test_forward_mode_with_reductions_and_broadcasting(text, values):
    result = compute(text, values)
    forward = forward_mode(result.graph, result.values)
    for name, grad in result.gradient.items():
        np.testing.assert_allclose(forward.gradient[name], grad, rtol=1e-12, atol=1e-15, err_msg=name)
    for one in forward.passes:   # every tangent has its node's shape
        assert [np.shape(t) for t in one.tangents] == [np.shape(v) for v in result.values]


CHAINED_CASES = [
    ("sum(x @ A)", {"x": [1.0, 2.0], "A": [[1.0, 2.0], [3.0, 4.0]]}),
    ("cross_entropy(W @ x, t)", {"x": [1.0, -2.0], "W": [[1.0, 2.0], [0.5, 3.0], [0.1, -1.0]],
                                 "t": [0.0, 1.0, 0.0]}),
    ("sum(softmax(X) * C)", {"X": [[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]],
                             "C": [[1.0, 2.0, 3.0], [0.5, 0.1, -1.0]]}),
    ("sum(logsumexp(X))", {"X": [[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]}),
    ("sum(sum(M, 0) * mean(M, 1).T @ M)", {"M": [[1.0, 2.0], [3.0, 4.0]]}),
    ("sum(X.T @ X)", {"X": [[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]}),
    # vectors on either side of @ (a dropped axis), indexing, keepdims, softmax of a vector
    ("x @ y + sum(A @ x) + sum(x @ A)", {"x": [1.0, 2.0], "y": [0.5, -1.0], "A": [[1.0, 2.0], [3.0, 4.0]]}),
    ("sum(x[1:] * x[0]) + X[0, 1]", {"x": [1.0, 2.0, -0.5], "X": [[1.0, 2.0], [3.0, 4.0]]}),
    ("sum(X * scipy.special.logsumexp(X, axis=-1, keepdims=True))", {"X": [[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]}),
    ("sum(X.sum(axis=1, keepdims=True) * X)", {"X": [[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]}),
    ("softmax(x) @ y", {"x": [1.0, 2.0, 0.5], "y": [0.3, -1.0, 2.0]}),
    # reshape (linear), max along an axis (its rule transposed), integer-array indexing (linear)
    ("sum(x.reshape(2, 2) @ np.max(X, axis=0)) + sum(X[range(2), i] ** 2)",
     {"x": [1.0, 2.0, -0.5, 3.0], "X": [[1.0, 2.0], [3.0, 0.5]], "i": [1.0, 0.0]}),
]


@pytest.mark.parametrize("text, values", CHAINED_CASES, ids=[c[0] for c in CHAINED_CASES])
def test_forward_mode_through_chained_ops(text, values):
    # @, .T, sum/mean along an axis, indexing, keepdims: linear or bilinear (taylor.py's registry);
    # softmax and logsumexp: their vector-Jacobian rule transposed.
    result = compute(text, values)
    forward = forward_mode(result.graph, result.values)
    for name, grad in result.gradient.items():
        np.testing.assert_allclose(forward.gradient[name], grad, rtol=1e-12, atol=1e-14, err_msg=name)


def test_forward_mode_on_a_large_input_stops_with_the_reason():
    values = "[" + ", ".join(["0.5"] * 3000) + "]"
    result = run("sin(x)*x", "--x", values, "--mode", "forward")
    assert result.exit_code == 2
    assert "forward mode would take 3000 passes" in result.stderr
    assert "reverse mode" in result.stderr and result.stdout == ""


def test_hessian_of_many_inputs_over_a_large_graph_stops_with_the_reason():
    text = "sum(x*x)" + " + sum(x)" * 7000
    values = "[" + ", ".join(["0.5"] * 150) + "]"
    result = run(text, "--x", values, "--hessian")
    assert result.exit_code == 2
    assert "the Hessian would take 150 reverse passes" in result.stderr


def test_repeated_passes_over_a_long_chain_stop_at_the_visit_budget(monkeypatch):
    import gradcalc.nodes as nodes
    import gradcalc.symbolic as symbolic

    monkeypatch.setattr(nodes, "MAX_VISITS", 2000)
    monkeypatch.setattr(symbolic, "MAX_REBUILD", 0)    # no compaction: every order walks the chain
    result = compute("sin(" + " + ".join(["x"] * 200) + ")", x=0.001)
    assert nth_derivative(result, "x", 3).value == pytest.approx(-200 ** 3 * math.cos(0.2), rel=1e-9)
    with pytest.raises(GradcalcError, match="--order would take more than 2000 steps"):
        nth_derivative(result, "x", 30)


@given(array_programs)
def test_random_array_programs_forward_reverse_and_hessian(text):
    from random_expressions import ARRAY_POINT

    used = names_in(text)
    values = {name: value for name, value in ARRAY_POINT.items() if name in used}
    result = compute(text, values)
    forward = forward_mode(result.graph, result.values)
    for name, grad in result.gradient.items():
        np.testing.assert_allclose(forward.gradient[name], grad, rtol=1e-9, atol=1e-12, err_msg=text)
    h = hessian(result)
    np.testing.assert_allclose(h.matrix, h.matrix.T, rtol=1e-7, atol=1e-9, err_msg=text)
    assert_columns_match_differences(h, text, values, tuple(result.graph.variables), rtol=1e-6, atol=1e-7)


# --- found by a newcomer's review -------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["X*2", "--X", "[1,2]", "--upstream", "[1,2]"], "[2, 4]\n"),
    (["sum(X*2)", "--X", "[1,2]", "--upstream", "5"], "[10, 10]\n"),
])
def test_forward_mode_weighs_by_the_given_upstream(args, expected):
    from click.testing import CliRunner

    from gradcalc.cli import main

    reverse = CliRunner().invoke(main, [*args, "--wrt", "X", "-q"])
    forward = CliRunner().invoke(main, [*args, "--wrt", "X", "-q", "--mode", "forward"])
    assert reverse.stdout == forward.stdout == expected


def test_compare_modes_with_upstream_agree():
    from click.testing import CliRunner

    from gradcalc.cli import main

    out = CliRunner().invoke(main, ["X*2", "--X", "[1,2]", "--upstream", "[1,2]", "--compare-modes",
                                    "--plain"]).stdout
    assert "both modes give the same gradient (largest difference 0)" in out


def test_first_order_formula_is_shown_once():
    from click.testing import CliRunner

    from gradcalc.cli import main

    out = CliRunner().invoke(main, ["sin(x)", "--x", "1", "--order", "2", "--symbolic", "--plain"]).stdout
    assert out.count("= cos(x)") == 1 and "d²z/dx² = −sin(x)" in out
    data = json.loads(CliRunner().invoke(main, ["sin(x)", "--x", "1", "--order", "1", "--symbolic",
                                                "--json"]).stdout)
    assert data["derivative"]["formula"] == "cos(x)"


# -- a branch a where does not take, undefined at the point -------------------------------------------
# Python's conditional never evaluates the branch it does not take, and the JAX FAQ's safe log gives
# that branch a defined input: no 0 × ∞ anywhere, so every mode says 0.

UNTAKEN = ["np.log(x) if x > 0 else 0.", "jnp.where(x > 0, jnp.log(jnp.where(x > 0, x, 1.)), 0.)",
           "torch.where(x <= 0, 0., torch.where(x <= 0, 1., x) * np.log(torch.where(x <= 0, 1., x)))"]
# where(c, a, b) does differentiate the branch it does not take: the 0 reaching log(0) times its
# infinite derivative is nan in PyTorch (torch.where(x <= 0, 0., x * torch.log(x)).backward() at 0) and
# JAX (jax.grad of the naive where, and of where(x != 0, sin(x)/x, 1.), at 0): refused in every mode.
NAN_IN_THE_FRAMEWORKS = ["jnp.where(x > 0, jnp.log(x), 0.)", "torch.where(x <= 0, 0., x * np.log(x))",
                         "jnp.where(x != 0, jnp.sin(x) / x, 1.)"]


@pytest.mark.parametrize("text", UNTAKEN)
def test_an_untaken_branch_gives_the_backward_pass_answer_in_every_mode(text):
    def asked(*options):
        result = run(text, "--x", "0", "--json", *options)
        assert result.exit_code == 0, (options, result.output)
        return json.loads(result.stdout)

    assert asked()["gradient"]["x"] == 0.0
    assert asked("--mode", "forward")["gradient"]["x"] == 0.0
    assert asked("--hessian")["hessian"]["matrix"] == [[0.0]]
    assert asked("--order", "3")["derivative"]["values"] == [0.0, 0.0, 0.0]
    assert asked("--symbolic")["symbolic"]["x"]


@pytest.mark.parametrize("text", NAN_IN_THE_FRAMEWORKS)
@pytest.mark.parametrize("options", [(), ("--mode", "forward"), ("--hessian",), ("--order", "3"), ("--symbolic",)])
def test_a_where_branch_whose_derivative_is_infinite_is_nan_in_the_frameworks_so_refused(text, options):
    result = run(text, "--x", "0", *options)
    assert result.exit_code == 3, result.output
    assert "0 × inf is nan" in result.stderr and "log(where(x > 0, x, 1))" in result.stderr


@pytest.mark.parametrize("text", UNTAKEN[1:])
def test_an_untaken_branch_in_an_array_leaves_the_other_elements_exact(text):
    v = np.array([0.0, 0.5, 2.0])
    result = run(text.replace("x", "v"), "--v", "[0, 0.5, 2]", "--order", "2", "--mode", "forward", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first, second = data["derivative"]["values"]
    assert data["gradient"]["v"] == pytest.approx(first)
    # elsewhere the derivatives are the taken branch's, by central differences of the gradient
    slope = [compute(text, x=float(x)).gradient["x"] for x in v]
    bent = [(compute(text, x=x + 1e-6).gradient["x"] - compute(text, x=x - 1e-6).gradient["x"]) / 2e-6 if x else 0.0
            for x in v]
    np.testing.assert_allclose(first, slope, rtol=1e-12)
    np.testing.assert_allclose(second, bent, rtol=1e-5)
    hessian_matrix = json.loads(run(f"sum({text.replace('x', 'v')})", "--v", "[0, 0.5, 2]", "--hessian",
                                    "--json").stdout)["hessian"]["matrix"]
    np.testing.assert_allclose(np.diag(hessian_matrix), bent, rtol=1e-5)


@pytest.mark.parametrize("text, options, message", [
    # x·√x at 0: x's 0 times √x's infinite derivative, nan in PyTorch and JAX already in the gradient
    ("x*sqrt(x)", ("--hessian",), "0 × inf is nan"),
    ("y*sqrt(x)", ("--hessian", "--y", "0"), "0 × inf is nan"),     # y = 0 times 1/(2√x): nan in JAX too
    ("where(x >= 0, x*sqrt(x), 0)", ("--order", "2"), "0 × inf is nan"),
    ("where(x >= 0, x*sqrt(x), 0)", ("--symbolic", "--order", "2"), "0 × inf is nan"),
    ("y*sqrt(x)", ("--hessian", "--y", "1"), "sqrt(0) is inf"),
])
def test_a_value_not_finite_that_reaches_a_derivative_is_still_a_math_error(text, options, message):
    result = run(text, "--x", "0", *options)
    assert result.exit_code == 3, result.output
    assert message in result.stderr


@pytest.mark.parametrize("text, values, closed", [
    ("sum((x*v)[i]**2)", {"v": "[1, 2, 3]", "i": "[0, 2, 2]"}, lambda x: [2 * 19 * x, 2 * 19]),   # 19·x²
    ("sum((x*v)[1:]**3)", {"v": "[1, 2, 3]"}, lambda x: [3 * 35 * x ** 2, 6 * 35 * x]),           # 35·x³
    ("sum((x*A) @ B)**2", {"A": "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]", "B": "[[1, 0.5], [0, 1]]"},
     lambda x: [2 * 44 ** 2 * x, 2 * 44 ** 2]),                                                 # (44·x)²
])
def test_order_runs_through_indexing_and_stacked_products(text, values, closed):
    options = [word for name, value in values.items() for word in (f"--{name}", value)]
    for mode in ("--order", "--hessian"):
        result = run(text, "--x", "1.5", *options, "--wrt", "x", mode, *(["2"] if mode == "--order" else []), "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        found = data["derivative"]["values"] if mode == "--order" else [data["gradient"]["x"], data["hessian"]["matrix"][0][0]]
        assert found == pytest.approx(closed(1.5), rel=1e-12), mode


def test_a_hessian_over_the_limit_says_how_to_raise_it_and_wrt_only_where_it_helps():
    # 'choose fewer variables with --wrt' was the hint for one 500-element input, which it cannot help
    x = json.dumps(list(range(500)))
    result = CliRunner().invoke(main, ["sum(x**3)", "--x", x, "--hessian", "--wrt", "x", "-q"])
    assert result.exit_code == 2
    assert "error: the Hessian would be 500×500, over the limit of 200 rows" in result.stderr
    assert "hint: raise the limit with --limit hessian=500" in result.stderr and "--wrt" not in result.stderr
    both = CliRunner().invoke(main, ["sum(x**3) + y", "--x", x, "--y", "1", "--hessian", "-q"])
    assert "ask for fewer inputs with --wrt (scalar elements: x 500, y 1), or raise the limit with " \
           "--limit hessian=501" in both.stderr
    raised = CliRunner().invoke(main, ["sum(x**3)", "--x", x, "--hessian", "--limit", "hessian=500", "--json"])
    assert raised.exit_code == 0, raised.output
    matrix = np.array(json.loads(raised.stdout)["hessian"]["matrix"])
    assert matrix.shape == (500, 500) and matrix[7, 7] == 42 and matrix[7, 8] == 0
    from gradcalc.limits import Limits

    with pytest.raises(GradcalcError, match="over the limit of 200 rows"):
        compute("sum(x**3)", x=list(range(500))).hessian()
    assert compute("sum(x**3)", x=list(range(300)), limits=Limits(hessian=300)).hessian()["matrix"][2][2] == 12
