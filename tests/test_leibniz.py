"""Leibniz's notation pasted as a formula (d/dx sin(x), dy/dx, \\frac{d}{dx}) names no variables d and
dx: the error says it is a derivative, which gradcalc computes, and gives the command that does."""

import json

import pytest
from click.testing import CliRunner

from gradcalc.cli import main


@pytest.mark.parametrize("text, written, hint", [
    ("d/dx sin(x)", "d/dx", 'write the function alone and give the point: gradcalc "sin(x)" --x VALUE, then read ∂z/∂x'),
    ("d/dx (x**2)", "d/dx", "give --x VALUE (and the other inputs' values): gradcalc reads the formula after it "
                            "and prints ∂z/∂x"),
    ("d/dx (x+1)*(x-1)", "d/dx", "give --x VALUE"),
    (r"\frac{d}{dx}\sin x", r"\frac{d}{dx}", "give --x VALUE"),
    ("dy/dx", "dy/dx", 'write the function alone and give the point: gradcalc "y = …" --x VALUE, then read ∂y/∂x'),
    (r"\frac{dy}{dx}", r"\frac{dy}{dx}", 'gradcalc "y = …" --x VALUE, then read ∂y/∂x'),
    ("d/dt (t^2)", "d/dt", "give --t VALUE"),            # not "did you mean dot?"
])
def test_a_derivative_written_in_leibniz_notation_is_named(text, written, hint):
    # no value for its variable: the derivative named, the hint one that computes it
    result = CliRunner().invoke(main, [text])
    assert result.exit_code == 2
    assert f"error: {written} is a derivative, which gradcalc computes rather than reads" in result.stderr
    assert hint in result.stderr
    assert "--d VALUE" not in result.stderr and "dx*(" not in result.stderr


@pytest.mark.parametrize("text, value, slope", [
    ("d/dx sin(x)", 0.8414709848078965, 0.5403023058681398),
    ("d/dx (x+1)*(x-1)", 0.0, 2.0),
    (r"\frac{d}{dx}\sin x", 0.8414709848078965, 0.5403023058681398),
    (r"\frac{d}{dx} [3 x^2 - 4x]", -1.0, 2.0),                 # d2l 2.4's example, the brackets a group
    (r"\frac{\mathrm{d}}{\mathrm{d}x} \left[ x^3 \right]", 1.0, 3.0),
    (r"\frac{\partial}{\partial x} \sin(x)", 0.8414709848078965, 0.5403023058681398),
])
def test_a_derivative_written_around_the_formula_is_computed_where_its_variable_has_a_value(text, value, slope):
    result = CliRunner().invoke(main, [text, "--x", "1", "-q"])
    assert result.exit_code == 0, result.stderr
    assert [float(v) for v in result.stdout.split()] == pytest.approx([value, slope])


def test_the_command_it_gives_computes_the_derivative():
    result = CliRunner().invoke(main, ["(x+1)*(x-1)", "--x", "3", "-q"])
    assert result.stdout.split() == ["8", "6"]


def test_names_d_and_dx_with_values_are_still_variables():
    result = CliRunner().invoke(main, ["d/dx", "--d", "3", "--dx", "2", "-q"])
    assert result.exit_code == 0
    assert result.stdout.split()[0] == "1.5"


def test_an_unknown_long_name_is_not_offered_as_a_product():
    for text in ("grad(x**2)", "draw_dot(x)"):
        result = CliRunner().invoke(main, [text, "--x", "1"])
        assert result.exit_code == 2
        assert "*(...)" not in result.stderr
        assert "is not a function gradcalc knows" in result.stderr
    # a variable's name before brackets may be a product written on paper: offered, as before
    result = CliRunner().invoke(main, ["w1(x+1)", "--x", "1"])
    assert "to multiply, write w1*(...)" in result.stderr


def test_a_function_name_in_another_case_is_offered():
    # a class's or a paper's spelling: ReLU, Sigmoid, Tanh, Exp
    for written, meant in [("ReLU", "relu"), ("Sigmoid", "sigmoid"), ("Tanh", "tanh"), ("Exp", "exp")]:
        result = CliRunner().invoke(main, [f"{written}(x)", "--x", "0.3"])
        assert result.exit_code == 2
        assert f"hint: did you mean {meant}?" in result.stderr


def test_partial_and_nabla_are_named_as_what_gradcalc_computes():
    # around a formula, with no value for x: the hint is to give x (the formula is then read), not an example
    result = CliRunner().invoke(main, [r"\frac{\partial}{\partial x} \sin(x)", "--y", "1"])
    assert result.exit_code == 2
    assert r"\frac{\partial}{\partial x} is a partial derivative, which gradcalc computes" in result.stderr
    assert "give --x VALUE" in result.stderr and "x^2 y" not in result.stderr
    for text, what, hint in [
            (r"\frac{\partial f}{\partial x}", r"\partial writes a partial derivative",
             "write f's formula, f = …, and give --x VALUE (and its other inputs' values): gradcalc prints ∂f/∂x"),
            (r"\nabla_x f", r"\nabla writes the gradient", 'gradcalc "x^2 y" --x 1 --y 2: it prints ∂z/∂x and ∂z/∂y')]:
        result = CliRunner().invoke(main, [text, "--x", "1"])
        assert result.exit_code == 2
        assert f"error: {what}, which gradcalc computes rather than reads" in result.stderr
        assert hint in result.stderr


def test_value_and_grad_unpacked_is_read_as_jax_returns_it():
    # JAX: jax.value_and_grad(f)(2.0, 3.0) is (8.0, 4.0), the value and ∂f/∂a alone (argnums=0)
    program = "import jax\ndef f(a, b):\n    return a*b + a\n{line}\n"
    for line in ("val, g = jax.value_and_grad(f)(2.0, 3.0)", "val = jax.value_and_grad(f)(2.0, 3.0)"):
        result = CliRunner().invoke(main, [program.format(line=line), "--json"])
        assert result.exit_code == 0, result.output
        found = json.loads(result.stdout)
        assert (found["value"], found["gradient"]) == (8.0, {"a": 4.0})
