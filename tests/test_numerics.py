"""Numbers read and reduced without refusing what has a finite answer: integers beyond 64 bits inside
lists, sheets and the API read as the floats they are alone; reductions whose intermediate overflows
but whose result does not (norm, mean, std of [1e200, 1e200]) computed scaled, with their gradients."""

import json

import mpmath

import numpy as np
import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc import compute
from gradcalc.cli import main

BIG = 2 ** 100            # beyond int64: numpy would hold it as a Python object
BIG_TEXT = str(BIG)


@pytest.mark.parametrize("value", [BIG, [BIG, 1], [[BIG, 1], [3, -2 ** 70]], (BIG, 2.5),
                                   np.array([BIG, 1], dtype=object), -BIG, 2 ** 1000])
def test_integers_beyond_64_bits_read_as_floats_in_the_api(value):
    result = compute("sum(x) * 2", {"x": value})
    expected = np.sum(np.array(value, dtype=np.float64)) * 2
    assert float(result.value) == expected
    assert np.all(np.asarray(result.gradient["x"]) == 2.0)


def test_keyword_values_beyond_64_bits():
    assert gradcalc.compute("x*y", x=BIG, y=[BIG, 3]).value.tolist() == [float(BIG) ** 2, 3.0 * BIG]


@pytest.mark.parametrize("value, message", [
    ([2 ** 1024, 1], "x[0]"), (2 ** 1024, "too large for a 64-bit float"), ([True, BIG], "x[0] is true"),
    ([1, [BIG]], "ragged"), (["1", BIG], "not all numbers"), ([BIG, None], "x[1] is null"),
])
def test_integers_beyond_a_float_and_non_numbers_are_still_refused(value, message):
    with pytest.raises(gradcalc.GradcalcError, match=message.replace("[", r"\[")):
        compute("sum(x)", {"x": value})


def test_integers_beyond_64_bits_in_a_list_on_the_command_line():
    result = CliRunner().invoke(main, ["sum(x)", "--x", f"[{BIG_TEXT}, 1]", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == float(BIG) + 1


def test_integers_beyond_64_bits_in_a_sheet(tmp_path):
    sheet = tmp_path / "big.toml"
    sheet.write_text(f'[[problem]]\nname = "big"\nexpression = "sum(x)*y"\n'
                     f'at = {{ x = [{BIG_TEXT}, 1], y = {BIG_TEXT} }}\npoints = 1\n'
                     f'[problem.expect]\ny = {BIG + 1}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sheet), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["score"] == 1 and found["problems"][0]["expect"][0]["computed"] == float(BIG)


# Reductions whose intermediate overflows or underflows, not their result ----------------------------

def _exact_reduction(name, xs):
    """The value and gradient in mpmath (60 digits): no overflow at 1e308, no underflow at 1e-200."""
    mpmath.mp.dps = 60
    v = [mpmath.mpf(x) for x in xs]
    n = len(v)
    mean = sum(v) / n
    if name == "norm":
        value = mpmath.sqrt(sum(a * a for a in v))
        return value, [a / value for a in v]
    if name == "mean":
        return mean, [mpmath.mpf(1) / n] * n
    var = sum((a - mean) ** 2 for a in v) / n
    if name == "var":
        return var, [2 * (a - mean) / n for a in v]
    std = mpmath.sqrt(var)
    return std, [(a - mean) / (n * std) for a in v]


CASES = [[1e200, 1e200], [1e308, 1e308], [1e200, -1e200], [1e308, -1e308], [-1.5e308, 1e308, 3.0],
         [1e-200, 2e-200], [1e-170, -3e-170, 2e-171], [3.0, 4.0], [1e200, 0.0, 5e199]]


@pytest.mark.parametrize("name", ["norm", "mean", "std", "var"])
@pytest.mark.parametrize("xs", CASES)
def test_reductions_are_scaled_where_an_intermediate_overflows(name, xs):
    if name == "std" and len(set(xs)) == 1:
        return          # no derivative: the next test
    value, gradient = _exact_reduction(name, xs)
    if abs(value) > 1.7e308:     # var of [1e200, -1e200] is 1e400: a true overflow, exit 3
        with pytest.raises(gradcalc.MathError):
            compute(f"{name}(x)", {"x": xs})
        return
    result = compute(f"{name}(x)", {"x": xs})
    tiny = 1e-300 if name != "var" else 1e-320    # var of 1e-200s is 1e-400: 0 is the float
    assert abs(mpmath.mpf(float(result.value)) - value) <= 1e-14 * abs(value) + tiny
    for got, true in zip(np.ravel(result.gradient["x"]), gradient):
        assert abs(mpmath.mpf(float(got)) - true) <= 1e-13 * abs(true) + 1e-300
    # and against central differences, each element moved by a relative step
    for i, x in enumerate(xs):
        if abs(x) < 1e-3 * max(map(abs, xs)) or name == "var" and abs(value) < 1e-300:
            continue    # a step in 3.0 is lost beside 1e308 in any difference quotient
        h = 1e-6 * abs(x)
        up, down = list(xs), list(xs)
        up[i], down[i] = x + h, x - h
        numeric = (float(compute(f"{name}(x)", {"x": up}).value)
                   - float(compute(f"{name}(x)", {"x": down}).value)) / (2 * h)
        assert float(np.ravel(result.gradient["x"])[i]) == pytest.approx(numeric, rel=1e-5, abs=1e-12 * abs(numeric))


def test_std_of_equal_huge_elements_has_no_derivative_as_any_equal_elements():
    """std([1e200, 1e200]) is 0, and like std([1, 1]) it has no derivative there (exit 3, documented)."""
    with pytest.raises(gradcalc.MathError, match="derivative"):
        compute("std(x)", {"x": [1e200, 1e200]})


@pytest.mark.parametrize("text, values", [("norm(x)", [1e200, 1e200]), ("norm(x)", [3e-200, -4e-200]),
                                          ("sum(mean(x, 1))", [[1e308, 1e308], [1.0, 2.0]]),
                                          ("var(x)", [1e308, 1e308])])
def test_scaled_reductions_on_the_command_line_and_in_the_hessian(text, values):
    result = CliRunner().invoke(main, [text, "--x", json.dumps(values), "--hessian", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert np.all(np.isfinite(found["value"])) and np.all(np.isfinite(found["hessian"]["matrix"]))
    if text == "norm(x)":   # the norm's Hessian is (I − uuᵀ)/‖x‖
        x = np.array(values)
        r = float(_exact_reduction("norm", values)[0])
        u = x / r
        np.testing.assert_allclose(found["hessian"]["matrix"], (np.eye(2) - np.outer(u, u)) / r, rtol=1e-12)


@pytest.mark.parametrize("text, first", [("norm(x*[1e200, 1e200])", 2 ** 0.5 * 1e200),
                                         ("std(x*[1e200, -1e200])", 1e200)])
def test_order_through_a_scaled_reduction(text, first):
    found = compute(text, {"x": 1.0}).derivative(1)
    assert found["value"] == pytest.approx(first, rel=1e-14)
