"""--jacobian and Result.jacobian(): every ∂y[i]/∂x[j], by a reverse pass per output element or a
forward pass per input element, against central differences and against the numbers PyTorch 2.13
printed for torch.autograd.functional.jacobian/hessian (float64, run by hand in the oracle venv of
tools/corpus_oracle.py); --hessian and --order with --upstream are the derivatives of L = ⟨v, y⟩."""

import json

import numpy as np
import pytest
from helpers import assert_error, central_differences, run

from gradcalc import compute
from gradcalc.jacobian import jacobian
from gradcalc.errors import GradcalcError

CASES = [
    ("y = tanh(W @ x)", {"x": [0.5, -1.0, 2.0], "W": [[1.0, 2.0, 0.5], [-0.3, 0.2, 1.0]]}),
    ("y = a * sin(x)", {"x": 0.5, "a": [1.0, 2.0, 3.0, 4.0]}),          # forward: one input element
    ("y = x * x[0] + sin(w)", {"x": [1.0, 2.0, 3.0], "w": 0.5}),
    ("y = softmax(X) * s", {"X": [[0.1, 0.7, -0.3], [1.2, -0.4, 0.0]], "s": 2.0}),
    ("y = sum(x ** 3)", {"x": [0.5, 2.0]}),                              # a scalar output: the gradient
]


@pytest.mark.parametrize("text, values", CASES, ids=[c[0] for c in CASES])
def test_each_block_is_the_central_difference_of_the_output(text, values):
    result = compute(text, values)
    found = jacobian(result)
    for name in found.names:
        base = np.asarray(values[name], dtype=float)
        for j, index in enumerate(np.ndindex(base.shape)):
            def output(value, name=name):
                return np.asarray(compute(text, {**values, name: value if value.ndim else float(value)}).value)
            step = np.zeros_like(base)
            step[index] = 1e-6
            expected = (output(base + step) - output(base - step)) / 2e-6
            block = np.asarray(found.block(name)).reshape(np.shape(result.value) + (-1,))
            np.testing.assert_allclose(block[..., j], expected, rtol=1e-6, atol=1e-8)


def test_the_rows_add_up_to_the_gradient_of_the_sum():
    result = compute("y = tanh(W @ x)", CASES[0][1])
    found = jacobian(result)
    np.testing.assert_allclose(found.block("x").sum(axis=0), result.gradient["x"])
    np.testing.assert_allclose(found.block("W").sum(axis=0), result.gradient["W"])


def test_reverse_with_fewer_outputs_forward_with_fewer_inputs():
    assert jacobian(compute(*CASES[0])).method == "reverse"      # 2 outputs, 9 input elements
    found = jacobian(compute(*CASES[1]), ("x",))                # 4 outputs, 1 input element
    assert found.method == "forward" and found.passes == 1


def test_pytorch_jacobian_of_tanh_of_a_product():
    # torch.autograd.functional.jacobian(lambda x, W: torch.tanh(W @ x), (x, W))
    found = jacobian(compute(*CASES[0]), ("x", "W"))
    np.testing.assert_allclose(found.block("x"), [[0.7864477329659274, 1.5728954659318548, 0.3932238664829637],
                                                  [-0.04116705571963972, 0.02744470381309315, 0.13722351906546573]])
    np.testing.assert_allclose(found.block("W"), [
        [[0.3932238664829637, -0.7864477329659274, 1.5728954659318548], [0.0, 0.0, 0.0]],
        [[0.0, 0.0, 0.0], [0.06861175953273287, -0.13722351906546573, 0.27444703813093146]]], atol=1e-15)


def test_cli_json_quiet_and_table():
    args = ("y = x*x[0] + sin(w)", "--x", "[1,2,3]", "--w", "0.5", "--jacobian")
    data = json.loads(run(*args, "--json").stdout)["jacobian"]
    assert data["rows"] == ["y[0]", "y[1]", "y[2]"] and data["variables"] == ["x[0]", "x[1]", "x[2]", "w"]
    assert data["blocks"]["x"] == [[2.0, 0.0, 0.0], [2.0, 1.0, 0.0], [3.0, 0.0, 1.0]]
    assert data["shape"] == [3] and data["shapes"] == {"x": [3], "w": []} and data["method"] == "reverse"
    assert run(*args, "-q").stdout == "2 0 0 0.8775825619\n2 1 0 0.8775825619\n3 0 1 0.8775825619\n"
    table = run(*args, "--plain").stdout
    assert "Jacobian of y (3,) with respect to x (3,), w scalar: row y[i], column v holds ∂y[i]/∂v" in table
    assert "3 reverse passes, one per element of y" in table


def test_the_api_gives_what_json_gives():
    result = compute("y = a * sin(x)", x=0.5, a=[1.0, 2.0])
    assert result.jacobian("x")["blocks"] == {"x": [0.8775825618903728, 1.7551651237807455]}
    assert result.jacobian()["variables"] == ["x", "a[0]", "a[1]"]


def test_hostile_sizes_are_refused_in_seconds():
    with pytest.raises(GradcalcError) as error:
        compute("y = x * 2", x=np.ones(2000)).jacobian()
    assert "would take 2000 passes, over the limit of 1000" in str(error.value)
    assert "limits=Limits(jacobian=2000)" in error.value.hint   # in the API's words
    result = run("y = x * 2", "--x", json.dumps([1.0] * 1500), "--jacobian", "--limit", "jacobian=2000", "-q")
    assert result.exit_code == 0 and result.stdout.count("\n") == 1500
    with pytest.raises(GradcalcError, match="5000×5000, 25,000,000 numbers, over the limit of 10,000,000"):
        compute("y = x * 2", x=np.ones(5000)).jacobian()
    # the work, passes × nodes: 600 passes over 5 597 nodes
    long = "y = x" + "".join(f" + sin(x*{i})" for i in range(1, 1400))
    with pytest.raises(GradcalcError, match="600 passes over 5597 nodes, 3,358,200 node visits, over the limit of 2,000,000"):
        compute(long, x=np.ones(600)).jacobian()


def test_a_named_intermediate_is_no_input_of_a_jacobian():
    assert_error(run("t = x*2; y = t*x", "--x", "[1, 2]", "--wrt", "t", "--jacobian"), 2,
                 "--jacobian differentiates with respect to inputs; t is a named intermediate")


def test_latex_does_not_show_a_jacobian():
    assert_error(run("y = x*2", "--x", "[1, 2]", "--jacobian", "--latex"), 2, "--latex cannot be combined with --jacobian")


# --hessian and --order with --upstream v: the derivatives of L = ⟨v, y⟩ (they were of y's sum, or refused)

def test_hessian_with_upstream_is_of_the_loss():
    # torch.autograd.functional.hessian(lambda x: (v*torch.sin(x)*x[1]).sum(), x), v = [2, -1]
    result = run("y = sin(x) * x[1]", "--x", "[0.3, 0.7]", "--upstream", "[2, -1]", "--hessian", "--json")
    data = json.loads(result.stdout)["hessian"]
    np.testing.assert_allclose(data["matrix"], [[-0.41372828932587535, 1.910672978251212],
                                                [1.910672978251212, -1.0787319935025934]])
    plain = run("x**3*y", "--x", "2", "--y", "1", "--upstream", "2", "--hessian", "--plain").stdout
    assert "Hessian of L" in plain
    assert run("x**3*y", "--x", "2", "--y", "1", "--upstream", "2", "--hessian", "-q").stdout == "24 24\n24 0\n"


def test_order_with_upstream_is_of_the_loss():
    assert run("x**3", "--x", "2", "--upstream", "2", "--order", "2", "-q").stdout == "24\n"
    assert run("y = x**2 * a", "--x", "2", "--a", "[1, 2, 3]", "--upstream", "[1, 0, 1]", "--wrt", "x",
               "--order", "2", "-q").stdout == "8\n"
    assert run("x**3", "--x", "[1, 2]", "--upstream", "[1, 3]", "--order", "2", "-q").stdout == "[6, 36]\n"
    assert_error(run("y = x * sum(x)", "--x", "[1, 2]", "--upstream", "[1, 3, 4]", "--order", "2"), 2, "upstream")


def test_central_differences_agree_with_the_matrix_helper():
    # the matrix's row i is the gradient of y[i]: the helper's differences of y[i]
    values = CASES[0][1]
    found = jacobian(compute(*CASES[0]), ("x",))
    for i in range(2):
        row = central_differences(lambda x: compute("y = tanh(W @ x)", {**values, "x": x}).value[i], values["x"])
        np.testing.assert_allclose(found.matrix[i], row, rtol=1e-6)


def test_forward_mode_beyond_its_own_limit_takes_reverse_passes():
    # 500 outputs by 200 inputs: forward mode, unless its passes would keep more than forward_mode.MAX_WORK
    # tangents (200 passes × the 30 000 numbers of b and the rest): then 500 reverse passes, the same matrix
    values = {"x": np.linspace(0, 1, 200), "a": np.linspace(1, 2, 500)}
    small = jacobian(compute("y = sum(x**2) * a", values), ("x",))
    assert small.method == "forward"
    large = jacobian(compute("y = sum(x**2) * a + sum(b) * 0", values, b=np.ones(30_000)), ("x",))
    assert large.method == "reverse" and large.passes == 500
    np.testing.assert_allclose(large.matrix, small.matrix)
