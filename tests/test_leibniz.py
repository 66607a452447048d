"""Leibniz's notation pasted as a formula (d/dx sin(x), dy/dx, \\frac{d}{dx}) names no variables d and
dx: the error says it is a derivative, which gradcalc computes, and gives the command that does."""

import pytest
from click.testing import CliRunner

from gradcalc.cli import main


@pytest.mark.parametrize("text, written, command, read", [
    ("d/dx sin(x)", "d/dx", 'gradcalc "sin(x)" --x VALUE', "∂z/∂x"),
    ("d/dx (x**2)", "d/dx", 'gradcalc "x**2" --x VALUE', "∂z/∂x"),           # dx called: the same
    ("d/dx (x+1)*(x-1)", "d/dx", 'gradcalc "(x+1)*(x-1)" --x VALUE', "∂z/∂x"),
    (r"\frac{d}{dx}\sin x", r"\frac{d}{dx}", r'gradcalc "\sin x" --x VALUE', "∂z/∂x"),
    ("dy/dx", "dy/dx", 'gradcalc "y = …" --x VALUE', "∂y/∂x"),
    (r"\frac{dy}{dx}", r"\frac{dy}{dx}", 'gradcalc "y = …" --x VALUE', "∂y/∂x"),
    ("d/dt (t^2)", "d/dt", 'gradcalc "t^2" --t VALUE', "∂z/∂t"),            # not "did you mean dot?"
])
def test_a_derivative_written_in_leibniz_notation_is_named(text, written, command, read):
    result = CliRunner().invoke(main, [text, "--x", "1"])
    assert result.exit_code == 2
    assert f"error: {written} is a derivative, which gradcalc computes rather than reads" in result.stderr
    assert f"hint: write the function alone and give the point: {command}, then read {read}" in result.stderr
    assert "--d VALUE" not in result.stderr and "dx*(" not in result.stderr


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
    for text, what in [(r"\frac{\partial}{\partial x} \sin(x)", r"\partial writes a partial derivative"),
                       (r"\frac{\partial f}{\partial x}", r"\partial writes a partial derivative"),
                       (r"\nabla_x f", r"\nabla writes the gradient")]:
        result = CliRunner().invoke(main, [text, "--x", "1"])
        assert result.exit_code == 2
        assert f"error: {what}, which gradcalc computes rather than reads" in result.stderr
        assert 'gradcalc "x^2 y" --x 1 --y 2: it prints ∂z/∂x and ∂z/∂y' in result.stderr


def test_value_and_grad_unpacked_is_hinted_with_what_works():
    program = "import jax\ndef f(a, b):\n    return a*b + a\n{line}\n"
    result = CliRunner().invoke(main, [program.format(line="val, g = jax.value_and_grad(f)(2.0, 3.0)")])
    assert result.exit_code == 2
    hinted = "val = jax.value_and_grad(f)(2.0, 3.0)"
    assert f"write {hinted}, and gradcalc shows val and its gradients" in result.stderr
    followed = CliRunner().invoke(main, [program.format(line=hinted), "-q"])
    assert followed.exit_code == 0
    assert followed.stdout.split() == ["8", "4", "2"]
