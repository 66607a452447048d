"""The Python API that notebooks and grading scripts call."""

import json
import threading

import numpy as np
import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc import GradcalcError, MathError, compute
from gradcalc.cli import main


def test_compute_returns_value_gradient_nodes_and_trace():
    result = compute("(x+y)**2", x=1, y=2)
    assert result.value == 9.0
    assert result.gradient == {"x": 6.0, "y": 6.0}
    assert [node.op for node in result.graph.nodes] == [None, None, "add", None, "pow"]
    assert [(result.labels[s.node], result.labels[s.input]) for s in result.steps] == [
        ("z", "n1"), ("n1", "x"), ("n1", "y")]


def test_values_as_a_dict_and_wrt():
    result = compute("x*y", {"x": 3, "y": 4}, wrt=["y"])
    assert result.gradient == {"y": 3.0}


def test_calling_twice_gives_the_same_numbers():
    first = compute("t = x*y; z = t + x", x=2, y=5)
    second = compute("t = x*y; z = t + x", x=2, y=5)
    assert (first.value, first.gradient) == (second.value, second.gradient)
    assert compute("a*b", a=1, b=2).gradient == {"a": 2.0, "b": 1.0}  # nothing carried over


def test_threads_do_not_share_a_parse():
    seen = {}

    def run(i):
        seen[i] = float(compute(f"x*{i} + {i}", x=1).gradient["x"])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {i: float(i) for i in range(40)}


def test_errors_are_exceptions_with_exit_codes():
    with pytest.raises(GradcalcError) as bad:
        compute("x +", x=1)
    assert bad.value.exit_code == 2 and bad.value.span is not None
    with pytest.raises(MathError) as math:
        compute("1/x", x=0)
    assert math.value.exit_code == 3


def test_default_values_in_the_program_can_be_overridden():
    assert compute("tax = 1.1; price = 100*tax").value == pytest.approx(110)
    assert compute("tax = 1.1; price = 100*tax", tax=1.2).value == pytest.approx(120)
    assert compute("tax = 1.1; price = 100*tax").gradient == {"tax": 100.0}


def test_notebook_rendering():
    result = compute("x*y", x=3, y=4)
    assert "Backward pass" in result._repr_html_()
    assert repr(result) == "<Result z=12 ∂z/∂x=4, ∂z/∂y=3>"


def test_import_is_light():
    import subprocess
    import sys

    code = "import gradcalc, sys; print('numpy' in sys.modules, 'lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]
    assert gradcalc.__version__


def test_scalars_are_python_floats_and_arrays_numpy_arrays():
    result = compute("(x+y)**2", x=1, y=2)
    assert type(result.value) is float and repr(result.value) == "9.0"
    assert all(type(g) is float for g in result.gradient.values())
    assert type(result.grad_of("x")) is float
    assert repr(result.gradient) == "{'x': 6.0, 'y': 6.0}"
    assert type(compute("0*x + y", x=1, y=2).grad_of("x")) is float   # no path from x
    arrays = compute("sum(w*w)", w=[1, 2])
    assert type(arrays.value) is float
    assert isinstance(arrays.gradient["w"], np.ndarray) and arrays.gradient["w"].tolist() == [2.0, 4.0]


def test_any_variable_name_works_through_a_mapping():
    result = compute("wrt*values + text + limits*upstream", {"wrt": 3, "values": 1, "text": 2,
                                                             "limits": 1, "upstream": 1})
    assert result.value == 6.0 and result.gradient["wrt"] == 1.0
    assert compute("x*y", {"x": 2}, y=3).value == 6.0   # mapping and keywords together
    from types import MappingProxyType

    assert compute("x*y", MappingProxyType({"x": 2, "y": 3})).value == 6.0   # any Mapping, not only dict


def test_a_keyword_option_given_a_variable_value_says_to_use_a_mapping():
    with pytest.raises(GradcalcError) as error:
        compute("wrt*2", wrt=3)
    assert "mapping" in error.value.hint and '{"wrt": 3}' in error.value.hint
    with pytest.raises(GradcalcError, match="given twice"):
        compute("x*y", {"x": 2}, x=3, y=1)
    with pytest.raises(GradcalcError, match="mapping from names"):
        compute("x", [("x", 1)])
    assert compute("x*y", x=1, y=2, wrt="y").gradient == {"y": 1.0}   # one name as a string


def cli_json(expression: str, values: dict, *options: str) -> dict:
    args = [expression] + [arg for name, value in values.items()
                           for arg in (f"--{name}", json.dumps(value))] + list(options) + ["--json"]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code in (0, 1), outcome.stdout + outcome.stderr
    return json.loads(outcome.stdout)


CASES = [("x**2*y + y**3", {"x": 1, "y": 2}), ("sin(x)*exp(-y) + x/y", {"x": 0.5, "y": 1.5}),
         ("t = x*y; z = t**2 + x", {"x": 0.3, "y": -2})]


@pytest.mark.parametrize("expression, values", CASES)
def test_methods_give_what_the_cli_json_gives(expression, values):
    result = compute(expression, values)
    assert result.to_dict() == cli_json(expression, values)
    cli = cli_json(expression, values, "--hessian", "--symbolic")
    assert result.value == cli["value"] and result.gradient == cli["gradient"]
    assert result.hessian() == {key: cli["hessian"][key] for key in ("variables", "matrix")}
    assert result.formulas() == cli["symbolic"]
    assert result.hessian(wrt="y") == cli_json(expression, values, "--hessian", "--wrt", "y")["hessian"]
    for k in (1, 2, 5):
        assert result.derivative(k, "x") == cli_json(expression, values, "--order", str(k),
                                                      "--wrt", "x")["derivative"]
    checked = cli_json(expression, values, "--check")
    assert result.check() == {key: checked[key] for key in ("tolerance", "check", "ok")}
    assert result.check()["ok"] is True


@pytest.mark.parametrize("name, answer, written", [
    ("x", "2*x*y", "2*x*y"), ("x", 4, "4"), ("y", 13.5, "13.5"), ("z", 10, "10"),
    ("x", "2*x", "2*x"), ("y", [13.0], "[13.0]")])
def test_expect_gives_what_the_cli_json_gives(name, answer, written):
    result = compute("x**2*y + y**3", x=1, y=2)
    cli = cli_json("x**2*y + y**3", {"x": 1, "y": 2}, "--expect", f"{name}={written}")
    assert result.expect(name, answer) == {key: cli[key] for key in ("tolerance", "expect", "seed", "diagnosis", "ok")}


def test_expect_tells_right_from_wrong():
    result = compute("(x+y)**2", x=1, y=2)
    assert result.expect("x", "2*(x+y)")["ok"] is True
    wrong = result.expect("x", "2*x")
    assert wrong["ok"] is False and wrong["expect"][0]["computed"] == 6.0
    assert result.expect("y", 6.5, rtol=0.1)["ok"] is True
    with pytest.raises(GradcalcError, match="not finite"):
        result.expect("x", float("nan"))
    with pytest.raises(GradcalcError, match="ends too early"):
        result.expect("x", "2*(")


def test_one_variable_derivative_without_wrt_and_its_errors():
    result = compute("sin(x)", x=0.5)
    assert result.derivative(4) == {"variable": "x", "order": 4, "value": pytest.approx(np.sin(0.5)),
                                    "values": pytest.approx([np.cos(0.5), -np.sin(0.5), -np.cos(0.5),
                                                             np.sin(0.5)])}
    assert type(result.derivative(4)["value"]) is float
    with pytest.raises(GradcalcError, match="needs one variable"):
        compute("x*y", x=1, y=2).derivative(2)
    with pytest.raises(GradcalcError, match="whole number"):
        result.derivative(0)
    with pytest.raises(GradcalcError, match="does not use it"):
        result.derivative(2, wrt="y")
    with pytest.raises(GradcalcError, match="scalar output"):
        compute("w*2", w=[1, 2]).hessian()


def test_a_check_that_fails_says_so():
    # relu's subgradient 0 at its kink is a convention; central differences straddle the kink: not
    # checkable there (exit 4 on the command line), and the report says so.
    report = compute("relu(x) + y", x=0, y=1).check()
    assert report["ok"] is False
    assert [(c["ok"], c["status"]) for c in report["check"]] == [(False, "not checkable"), (True, "ok")]
    outcome = CliRunner().invoke(main, ["relu(x) + y", "--x", "0", "--y", "1", "--check", "--json"])
    assert outcome.exit_code == 4
    assert report == {key: value for key, value in json.loads(outcome.stdout).items()
                      if key in ("tolerance", "check", "ok")}


@pytest.mark.parametrize("call, message", [
    (lambda: compute(123), "the expression is a string of gradcalc's syntax, not int: 123"),
    (lambda: gradcalc.vectorize(None), "the expression is a string of gradcalc's syntax, not NoneType"),
    (lambda: compute("x", x=10**400), "too large for a 64-bit float: an integer of about 401 digits"),
    (lambda: compute("x", x=10**5000), "an integer of about 5001 digits"),
    (lambda: compute("x*y", x=1, y=2).derivative(2), "derivative needs one variable; the expression "
                                                      "uses x, y"),
])
def test_python_mistakes_are_gradcalc_errors_in_python_terms(call, message):
    with pytest.raises(GradcalcError) as error:
        call()
    assert message in error.value.message and "--" not in (error.value.hint or "")
    assert len(error.value.message) < 200


def test_the_package_lists_only_its_api():
    assert dir(gradcalc) == sorted(gradcalc.__all__) and "annotations" not in dir(gradcalc)


def cli_text(expression: str, values: dict, *options: str) -> str:
    args = [expression] + [arg for name, value in values.items()
                           for arg in (f"--{name}", json.dumps(value))] + list(options)
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 0, outcome.stdout + outcome.stderr
    return outcome.stdout


@pytest.mark.parametrize("expression, values", CASES)
def test_latex_gives_what_the_cli_latex_gives(expression, values):
    result = compute(expression, values)
    assert result.latex() == cli_text(expression, values, "--latex")
    assert result.latex(symbolic=True) == cli_text(expression, values, "--latex", "--symbolic")
    assert result.latex(hessian=True, symbolic=True) == cli_text(expression, values, "--latex", "--hessian",
                                                                 "--symbolic")
    assert result.latex(order=3, wrt="x") == cli_text(expression, values, "--latex", "--order", "3",
                                                      "--wrt", "x")
    assert r"\begin{pmatrix}" in result.latex(hessian=True)
