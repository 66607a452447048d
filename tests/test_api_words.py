"""The Python API's own mistakes: refused with its own words, never a raw exception or a silent guess."""

import math
import re

import numpy as np
import pytest

import gradcalc
from gradcalc import GradcalcError, compute, vectorize
from gradcalc.limits import Limits

from helpers import run


@pytest.mark.parametrize("tolerance", [{"rtol": math.inf}, {"atol": math.inf}, {"rtol": math.nan},
                                       {"atol": -1e-6}])
def test_a_tolerance_is_finite(tolerance):
    # rtol=inf would call any answer right (expect("x", 5) for a gradient of 2).
    result = compute("x**2", x=1)
    for call in (lambda: result.check(**tolerance), lambda: result.expect("x", 5, **tolerance)):
        with pytest.raises(GradcalcError, match="finite number ≥ 0"):
            call()


def test_a_masked_array_is_refused_not_read_under_its_mask():
    masked = np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    with pytest.raises(GradcalcError, match="masked array with 1 masked element"):
        compute("sum(v)", v=masked)
    with pytest.raises(GradcalcError, match="masked"):
        vectorize("x*2")({"x": np.ma.array([1.0, 2.0], mask=[1, 0])})
    # Nothing masked: the numbers are all there.
    assert compute("sum(v)", v=np.ma.array([1.0, 2.0, 3.0])).value == 6.0


def test_limits_none_are_the_defaults():
    assert compute("x*2", x=1, limits=None).value == 2.0
    assert vectorize("x*2", limits=None)({"x": [1.0]})["value"].tolist() == [2.0]
    for wrong in ("big", {"nodes": 10}, 10):
        with pytest.raises(GradcalcError, match="gradcalc.limits.Limits"):
            compute("x*2", x=1, limits=wrong)
    with pytest.raises(GradcalcError, match="over the limit"):
        compute("x*2*x", x=1, limits=Limits(nodes=2))


def test_vectorize_on_a_table_with_a_column_twice():
    pandas = pytest.importorskip("pandas")
    table = pandas.DataFrame([[1.0, 2.0, 3.0]], columns=["x", "x", "y"])
    with pytest.raises(GradcalcError, match="the column x twice"):
        vectorize("x*y")(table)


# Each mistake, and what the message says in the API's words.
MISTAKES = [
    (lambda: compute("x*y", x=1), "compute(text, y=…)"),
    (lambda: compute("sum(v*v)", v=[1, 2]).formulas(), "formulas()"),
    (lambda: compute("v*2", v=[1, 2]).hessian(), "hessian()"),
    (lambda: compute("x*y", x=1, y=2).latex(order=2), "wrt='x'"),
    (lambda: compute("x*2", x=1, upstream=[1, 2]), "give upstream as"),
    (lambda: vectorize("sum(v)")({"v": [1.0]}), "with vectorize"),
    (lambda: compute("sum(v*v)", v=list(range(300))).hessian(), "limits=Limits(hessian=300)"),
    (lambda: compute("x" + "*x" * 20, x=1, limits=Limits(nodes=5)), "limits=Limits(nodes="),
    (lambda: compute("x*y", x=1, y=2).expect("q", 1), "expect('q', …)"),
    (lambda: compute("t = x*2; t", x=1, wrt="t").check(), "choose inputs with wrt"),
    (lambda: compute("  # nothing"), 'compute("x**2", x=3)'),
    (lambda: gradcalc.parse(""), 'compute("x**2", x=3)'),
]


@pytest.mark.parametrize("mistake, words", MISTAKES)
def test_api_errors_speak_the_apis_words(mistake, words):
    with pytest.raises(GradcalcError) as caught:
        mistake()
    said = caught.value.render()
    assert not re.search(r"(?<![\w-])--[a-z]", said), said     # no --x, --symbolic, --points, …
    assert words in said, said


def test_the_command_line_still_speaks_of_its_options():
    assert "hint: give --y VALUE" in run("x*y", "--x", "1").stderr
    assert "error: --symbolic works on scalar expressions" in run("sum(v)", "--v", "[1,2]", "--symbolic").stderr


def test_formulas_at_depth_and_with_constants():
    program = "sin(" * 350 + "x" + ")" * 350
    formula = compute(program, x=0.5).formulas()["x"]
    assert compute(formula, x=0.5).value == pytest.approx(compute(program, x=0.5).gradient["x"], rel=1e-12)
    assert compute("pi*x**2", x=1).formulas() == {"x": "2*pi*x"}
    assert compute("3").formulas() == {}
    assert "no inputs" in compute("3").latex(symbolic=True, hessian=True)


def test_gradcalc_parse_stays_the_function_once_the_engine_is_loaded():
    # Loading the engine imports the module gradcalc/parse.py, which Python would set as
    # gradcalc.parse: then gradcalc.parse(text) said 'module' object is not callable.
    import importlib

    compute("x", x=1)
    from gradcalc import parse

    assert parse("x*y").output_name == "z" and gradcalc.parse("x").variables.keys() == {"x"}
    assert importlib.import_module("gradcalc.parse").parse("x") is not None


def test_a_missing_values_hint_keeps_its_words_apart():
    # 'compute(text, rate=…)(a value was given…': the space after the call was eaten
    with pytest.raises(GradcalcError) as found:
        compute("rate*x", x=1, rtae=2)
    assert found.value.hint.startswith("give a value for rate: compute(text, rate=…) (a value was given for rtae: "
                                       "if it is for rate, give it as rate;")
