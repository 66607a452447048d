"""A Greek letter's spelled-out name gives the text's letter a value: \\beta in LaTeX is β, and most
keyboards have no β, so --beta 1.5 (and beta=1.5 in the API, --wrt beta, a batch column) gives it."""

import math

import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc.cli import main


def _sigmoid(v):
    return 1 / (1 + math.exp(-v))


def test_a_spelled_name_gives_the_letter_its_value():
    result = CliRunner().invoke(main, [r"x \cdot \sigma(\beta x)", "--x", "0.5", "--beta", "1.5", "--json"])
    assert result.exit_code == 0, result.output
    import json

    found = json.loads(result.stdout)
    s = _sigmoid(0.75)
    assert found["value"] == pytest.approx(0.5 * s)
    assert found["gradient"]["β"] == pytest.approx(0.5 * s * (1 - s) * 0.5)


def test_the_api_and_wrt_take_the_spelled_name_too():
    result = gradcalc.compute(r"\mu + \sigma_1 x + \lambda", {"mu": 1, "sigma_1": 2, "x": 3, "lambda": 4})
    assert result.value == pytest.approx(11)
    assert result.gradient == pytest.approx({"x": 2.0, "μ": 1.0, "σ_1": 3.0, "λ": 1.0})
    only = gradcalc.compute(r"\theta^2 x", {"theta": 3, "x": 2}, wrt=["theta"])
    assert only.gradient == pytest.approx({"θ": 12.0})


def test_a_name_spelled_in_the_text_is_its_own_variable():
    # beta and β both written: two variables; --beta is beta's, β still needs its own value
    result = CliRunner().invoke(main, ["beta*x + β", "--beta", "2", "--x", "1"])
    assert result.exit_code == 2
    assert "no value for β" in result.stderr
    assert "--beta" not in result.stderr.split("hint:")[1]
    both = CliRunner().invoke(main, ["beta*x + β", "--beta", "2", "--x", "1", "--β", "5", "-q"])
    assert both.exit_code == 0
    assert both.stdout.split()[0] == "7"


def test_the_missing_value_hint_offers_the_spelled_name():
    result = CliRunner().invoke(main, [r"x \cdot \sigma(\beta x) + \varepsilon", "--x", "0.5"])
    assert result.exit_code == 2
    assert "--β VALUE (or --beta VALUE)" in result.stderr
    assert "--ε VALUE (or --epsilon VALUE)" in result.stderr


def test_a_spelled_name_keeps_its_place_in_the_order_given():
    # -q prints the gradients in the order the values were given: --alpha first, as --α first
    for alpha in ("--alpha", "--α"):
        result = CliRunner().invoke(main, [r"\alpha x^2", alpha, "2", "--x", "3", "-q"])
        assert result.exit_code == 0, result.output
        assert result.stdout.split() == ["18", "9", "12"]
    result = CliRunner().invoke(main, [r"x*\beta + \alpha", "--alpha", "1", "--beta", "2", "--x", "3", "-q"])
    assert result.stdout.split() == ["7", "1", "3", "2"]
    # the JSON keys are the text's names (\alpha is α) whichever way the value was given
    result = CliRunner().invoke(main, [r"\alpha x^2", "--alpha", "2", "--x", "3", "--json"])
    import json

    assert list(json.loads(result.stdout)["gradient"]) == ["α", "x"]
    assert list(gradcalc.compute(r"\alpha x^2", alpha=2, x=3).gradient) == ["α", "x"]


def test_expect_takes_the_spelled_name():
    result = CliRunner().invoke(main, [r"\alpha x^2", "--alpha", "2", "--x", "3", "--expect", "alpha=9", "-q"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, [r"\alpha x^2", "--alpha", "2", "--x", "3", "--expect", "alpha=8", "-q"])
    assert result.exit_code == 1 and "(α)" in result.stderr
    found = gradcalc.compute(r"\alpha x^2", alpha=2, x=3).expect("alpha", "9")
    assert found["ok"] and found["expect"][0]["quantity"] == "∂z/∂α"
    # a named intermediate spelled out too; a name the text spells itself stays its own
    assert gradcalc.compute(r"\theta = x^2; z = 3*\theta", x=2).expect("theta", "3")["ok"]
    both = gradcalc.compute("beta*x + β", {"beta": 2, "β": 1, "x": 1})
    assert both.expect("beta", "1")["ok"] and both.expect("β", "1")["ok"]


def test_an_answers_formula_takes_the_spelled_name():
    # --expect "x=2*alpha*x" was 'unknown name alpha' (hint: an answer may use α, x)
    args = [r"\alpha x^2", "--alpha", "2", "--x", "3", "-q"]
    right = CliRunner().invoke(main, [*args, "--expect", "x=2*alpha*x", "--expect", "alpha=x^2"])
    assert right.exit_code == 0, right.output
    wrong = CliRunner().invoke(main, [*args, "--expect", "x=3*alpha*x"])
    assert wrong.exit_code == 1 and "unknown name" not in wrong.stderr
    found = gradcalc.compute(r"\alpha x^2", alpha=2, x=3).expect("x", "2*alpha*x")
    assert found["ok"] and found["expect"][0]["compared_at"] == 6     # the given point and 5 near it


def test_points_take_wrt_by_the_spelled_name():
    # --points with --wrt alpha was 'cannot differentiate with respect to alpha'
    result = CliRunner().invoke(main, [r"\alpha x^2", "--points", "-", "--wrt", "alpha"], input="alpha,x\n2,3\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["α,x,value,dz/dα", "2,3,18.0,9.0"]
