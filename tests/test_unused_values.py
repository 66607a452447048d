"""A program whose last line is not what it computes towards says so: CS231n's notes run the forward
pass (f = q*z) and then a backward pass by hand (dfdx = dfdq * dqdx …), and gradcalc differentiates the
last value, dfdy; the note names the values left unused and how to take one of them."""

from click.testing import CliRunner

import gradcalc
from gradcalc.cli import main

CS231N = """\
x = -2; y = 5; z = -4
q = x + y # q becomes 3
f = q * z # f becomes -12
dfdz = q
dfdq = z
dqdx = 1.0
dqdy = 1.0
dfdx = dfdq * dqdx  # The multiplication here is the chain rule!
dfdy = dfdq * dqdy
"""


def test_the_values_the_output_leaves_unused_are_named():
    result = gradcalc.compute(CS231N)
    assert result.output_name == "dfdy"
    assert ("the output is dfdy, the program's last value; f, dfdz and dfdx are computed but not used by "
            "it: to differentiate f, end the program with f") in result.graph.notes


def test_ending_with_the_name_takes_it_and_says_nothing():
    result = gradcalc.compute(CS231N + "f\n")
    assert result.value == -12
    assert result.gradient["x"] == -4 and result.gradient["y"] == -4 and result.gradient["z"] == 3
    assert not any("not used" in note for note in result.graph.notes)
    shown = CliRunner().invoke(main, [CS231N + "f"])
    assert shown.exit_code == 0
    assert "not used" not in shown.output


def test_a_program_that_uses_every_value_has_no_note():
    assert not any("not used" in note for note in gradcalc.compute("t = x + y; z = t**2", x=1, y=2).graph.notes)
    # a value reassigned: its earlier value is used by the later one
    assert not any("not used" in note for note in gradcalc.compute("a = x*2; a = a + 1; z = a*a", x=1).graph.notes)
