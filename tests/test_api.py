"""The Python API that notebooks and grading scripts call."""

import threading

import pytest

import gradcalc
from gradcalc import GradcalcError, MathError, compute


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
