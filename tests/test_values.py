"""The one reader of typed values (gradcalc/values.py): --NAME, --points fields, sheets' `at` and
answers all read `[2., 3.]`, `pi/4`, `2π` alike, and refuse the same malformed or ambiguous forms
with a caret and a hint. Nothing is eval'd."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from gradcalc.cli import main
from gradcalc.errors import GradcalcError
from gradcalc.values import read_list, read_scalar, read_value


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.mark.parametrize("written, expected", [
    ("1.5", 1.5), ("2.", 2.0), (".5", 0.5), ("1e-3", 1e-3), ("-2", -2.0), ("+.25", 0.25),
    ("pi/4", 0.7853981633974483), ("1/3", 1 / 3), ("2π", 6.283185307179586), ("-e", -2.718281828459045),
    ("√2", 2 ** 0.5), ("sqrt(2)/2", 2 ** 0.5 / 2), ("2 pi", 6.283185307179586), ("−1.5", -1.5),
    ("  3  ", 3.0), ("2**-1", 0.5), ("e^2", 7.38905609893065),
])
def test_a_number_as_typed(written, expected):
    assert read_scalar(written, "--x") == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("written, expected", [
    ("[2., 3.]", [2.0, 3.0]), ("[.5, 1]", [0.5, 1]), ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("[pi/4, 1/3]", [0.7853981633974483, 1 / 3]), ("[[pi, 1/2], [2., .5]]", [[3.141592653589793, 0.5], [2.0, 0.5]]),
    ("[1, 2,]", [1.0, 2.0]), (" [ -e , 2π ] ", [-2.718281828459045, 6.283185307179586]),
    ("[max(1, 2), 3]", [2.0, 3.0]),
])
def test_a_list_as_typed(written, expected):
    np.testing.assert_allclose(read_value(written, "--x"), expected, rtol=1e-15)


def test_a_deeply_nested_list_needs_no_recursion():
    assert read_list("[" * 32 + "1." + "]" * 32, "--x") == [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1.0]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
    with pytest.raises(GradcalcError, match="more than 32 axes"):
        read_list("[" * 10_000 + "1." + "]" * 10_000, "--x")


# written, the message, the caret line under the value (two spaces of indent), a piece of the hint
MALFORMED = [
    ("[1, 2", "is not a valid array: a '[' is not closed", "       ^", "add ']' at the end"),
    ("[1,,2]", "has an empty element", "     ^", "between the commas"),
    ("[1, 2]]", "has text after the list's closing ']'", "        ^", "remove what follows"),
    ("[[1,2] [3,4]]", "is missing a ',' between two lists", "         ^", "[[1, 2], [3, 4]]"),
    ("[1, foo]", "is not a number: 'foo'", "      ^^^", "pi/4"),
    ("pi/", "'pi/': the expression ends too early", "     ^", "'/' needs a divisor after it"),
    ("1/0", "'1/0': division by zero", "  ^^^", "finite number"),
    ("[1, nan]", "is not finite: 'nan'", "      ^^^", "nan and inf are not allowed"),
    ("1_000", "is not a number: '1_000'", "  ^^^^^", "write 1000"),
    ("x+1", "is not a number: 'x+1'", "  ^^^", "a formula of numbers"),
    ("__import__('os')", "is not a number", None, "write a number"),
]
# Forms with two readings: refused, the hint spelling each one.
AMBIGUOUS = [
    ("1,5", "has a comma: '1,5' can be read two ways", "   ^", "write 1.5 for a decimal comma, or [1, 5] for a list"),
    ("[1 2]", "has numbers separated by spaces", "   ^^^", "[1, 2]"),
    ("[1. 2. 3.]", "has numbers separated by spaces", "   ^^^^", "[1., 2., 3.]"),
    ("1 -2", "has numbers separated by spaces", "  ^^^^", "[1, -2]; for a product write *"),
    ("2e", "an exponent without digits or a product with e", "  ^^", "2e0 (or 2) for the number, or 2*e"),
    ("[pi, 1e]", "an exponent without digits", "       ^^", "1*e for 1·e"),
    ("(1, 2)", "is a tuple", "  ^", "[1, 2]"),
    ("[1 2; 3 4]", "is written as Octave or MATLAB writes a matrix", "      ^", "[[1, 2], [3, 4]]"),
    ("[[1. 2.] [3. 4.]]", "as NumPy prints arrays", "    ^^^^", "write [[1., 2.], [3., 4.]]"),
]


@pytest.mark.parametrize("written, message, caret, hint", MALFORMED + AMBIGUOUS)
def test_a_malformed_or_ambiguous_value_is_exit_2_with_a_caret_and_a_hint(written, message, caret, hint):
    result = run("sum(x)", "--x", written)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: the value of --x") and message in lines[0], result.stderr
    if caret is not None:
        assert lines[1] == f"  {written}" and lines[2] == caret, result.stderr
    assert lines[-1].startswith("hint: ") and hint in lines[-1], result.stderr


@pytest.mark.parametrize("written", ["[2., 3.]", "pi/4", "2π", "[[1, 2], [3, 4]]", "-e", "1/3"])
def test_the_api_and_the_command_line_agree(written):
    result = run("sum(x)", "--x", written, "-q")
    value = read_value(written, "--x")
    total = sum(sum(row) if isinstance(row, list) else row for row in value) if isinstance(value, list) else value
    assert result.exit_code == 0 and float(result.stdout.splitlines()[0]) == pytest.approx(total, rel=1e-9)


# --- the same reader everywhere ----------------------------------------------------------------

def test_points_read_typed_values_in_csv_and_json_lines():
    result = run("x*y", "--points", "-", input="x,y\npi/4,2\n1/3,2π\n")
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in result.stdout.splitlines()]
    assert rows[1][:2] == ["pi/4", "2"] and float(rows[1][2]) == pytest.approx(0.7853981633974483 * 2)
    assert float(rows[2][2]) == pytest.approx(2 * 3.141592653589793 / 3)
    result = run("x*y", "--points", "-", "--json", input='{"x": "pi/4", "y": 2}\n{"x": 1.5, "y": "[1]"}\n')
    first = json.loads(result.stdout.splitlines()[0])
    assert first["value"] == pytest.approx(3.141592653589793 / 2) and first["gradient"]["y"] == pytest.approx(0.7853981633974483)


@pytest.mark.parametrize("where, argv, input", [
    ("--x", ["x*2", "--x", "1,5"], None),
    ("a points file", ["x*2", "--points", "-"], 'x\n"1,5"\n'),
    ("JSON lines", ["x*2", "--points", "-", "--json"], '{"x": "1,5"}\n'),
])
def test_every_source_refuses_the_same_ambiguous_value(where, argv, input):
    result = run(*argv, input=input)
    assert result.exit_code == 2 and "has a comma: '1,5' can be read two ways" in result.stderr + result.stdout, where


def test_a_sheet_reads_values_written_as_text(tmp_path):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text('[[problem]]\nexpression = "sum(x*y)"\nat = { x = "pi/4", y = "[2., .5]" }\n'
                     '[problem.expect]\nx = 2.5\n\n'
                     '[[problem]]\nexpression = "sum(v)"\nat = { v = ["1/3", 2, "2π"] }\n'
                     '[problem.expect]\nv = "[1., 1, 1]"\n', encoding="utf-8")
    result = run("check", str(sheet))
    assert result.exit_code == 0, result.output
    sheet.write_text('[[problem]]\nexpression = "x"\nat = { x = "[1, 2" }\n[problem.expect]\nx = 1\n')
    result = run("check", str(sheet))
    assert result.exit_code == 2 and "problem 1: the value of x is not a valid array" in result.stderr
    assert "  [1, 2\n       ^\n" in result.stderr and "hint: add ']' at the end" in result.stderr


def test_an_answer_list_is_read_as_typed():
    result = run("sum(x**2)", "--x", "[1, 2]", "--expect", "x=[2., 4.]", "-q")
    assert result.exit_code == 0, result.output
    result = run("sum(x**2)", "--x", "[1, 2]", "--expect", "x=[2., 4")
    assert result.exit_code == 2 and "a '[' is not closed" in result.stderr and "hint: add ']'" in result.stderr


def test_the_api_reads_text_values_with_the_same_reader():
    from gradcalc import compute

    assert compute("sum(x*2)", x="[pi/4, 2.]").value == pytest.approx(3.141592653589793 / 2 + 4)
    with pytest.raises(GradcalcError, match="can be read two ways") as error:
        compute("x", x="1,5")
    assert error.value.exit_code == 2 and error.value.hint.startswith("write 1.5")
