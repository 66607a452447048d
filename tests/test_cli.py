"""The command line: bindings, options, output forms, and one test per exit code and error kind."""

import json

import click
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gradcalc.cli import main
from helpers import assert_error, run


def test_main_example():
    result = run("(x+y)**2", "--x", "1", "--y", "2", "--plain")
    assert result.exit_code == 0
    assert result.stdout.endswith("Result\n  z = 9\n  ∂z/∂x = 6\n  ∂z/∂y = 6\n")
    assert result.stderr == ""


@pytest.mark.parametrize("args", [
    ["--x", "1", "--y", "2", "(x+y)**2", "-q"],
    ["--x=1", "(x+y)**2", "--y=2", "-q"],
    ["-q", "(x+y)**2", "--var", "x=1", "--var", "y=2"],
])
def test_bindings_stand_anywhere(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout == "9\n6\n6\n"


def test_negative_and_scientific_values():
    result = run("x*y", "--x", "-1.5e-3", "--y", "-2", "-q")
    assert result.stdout == "0.003\n-2\n-0.0015\n"


def test_expression_starting_with_minus_is_power_first():
    assert run("-x**2", "--x", "3", "-q").stdout == "-9\n-6\n"


def test_quiet_with_wrt_prints_only_that_gradient():
    assert run("x**2 + y", "--x", "3", "--y", "1", "--wrt", "x", "-q").stdout == "6\n"


def test_var_for_names_that_clash_with_options():
    result = run("json * 2", "--var", "json=4", "--json")
    assert json.loads(result.stdout)["gradient"] == {"json": 2.0}


def test_precision_option():
    assert run("x/3", "--x", "1", "-q", "--precision", "3").stdout == "0.333\n0.333\n"


def test_json_is_one_object_with_full_precision():
    result = run("x*1.1", "--x", "3", "--json")
    data = json.loads(result.stdout)
    assert data["value"] == 3 * 1.1 and data["value"] != 3.3
    assert {"id", "op", "name", "inputs", "value", "grad", "local"} <= set(data["nodes"][0])


def test_file_and_stdin(tmp_path, monkeypatch):
    program = "t = x + y  # a comment\nz = t**2\n"
    assert run("-f", "-", "--x", "1", "--y", "2", "-q", input=program).stdout == "9\n6\n6\n"
    monkeypatch.chdir(tmp_path)   # a relative path, as typed (pytest's tmp_path, not click's
    (tmp_path / "prog.gc").write_text(program)   # isolated_filesystem, which warns)
    assert run("-f", "prog.gc", "--x", "1", "--y", "2", "-q").stdout == "9\n6\n6\n"


def test_no_color_gives_plain_text():
    result = run("x*2", "--x", "1", env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout and "Backward pass" in result.stdout


def test_version_and_help():
    assert run("--version").stdout.startswith("gradcalc, version ")
    for flag in ("--help", "-h"):
        help_text = run(flag).stdout
        assert "Examples:" in help_text and 'gradcalc "(x+y)**2" --x 1 --y 2' in help_text
        assert "Exit codes" in help_text


def test_every_option_has_help_text():
    for param in main.params:
        if hasattr(param, "help") and param.name not in ("expression",):
            assert param.help, param.name


# --- errors: exit code, one message on stderr, a caret at the right column, nothing on stdout -------

@pytest.mark.parametrize("expression, message, caret", [
    ("(x+y", "ends too early", "      ^"),
    ("x +* 2", "unexpected '*'", "     ^"),
    ("x)", "unexpected ')'", "   ^"),
    ("foo(x)", "unknown function 'foo'", "  ^^^"),
    ("sin(x, y)", "takes 1 argument", "  ^^^^^^^^^"),
    ("x $ y", "unexpected character '$'", "    ^"),
    ("2 3", "unexpected '3'", "    ^"),
    ("x = 1; x.y = 2", "unexpected '='", "             ^"),
])
def test_syntax_errors_exit_2_with_caret(expression, message, caret):
    assert_error(run(expression, "--x", "1"), 2, message, caret)


@pytest.mark.parametrize("expression, message, caret, hint", [
    # operators gradcalc lacks: what they are, never another operation offered in their place
    ("x % 2", "unexpected character '%'", "    ^", "'%' is Python's remainder (modulo), which gradcalc does not have"),
    ("x*5% + 1", "unexpected character '%'", "     ^", "for 5 percent, write 5/100"),
    ("x // 2", "unexpected '/'", "     ^", "'//' is Python's floor division, which gradcalc does not have"),
    ("x //= 2", "unexpected '/='", "     ^^", "'//=' is Python's floor division, which gradcalc does not "
                                              "have (its value jumps at each whole number, and its gradient is 0 "
                                              "between); for division, write /="),
    ("x << 2", "unexpected '<'", "     ^", "'<<' is Python's bit shift, which gradcalc does not have"),
    ("(x>0) & (x<2)", "unexpected character '&'", "        ^", "multiply them, as in (a > 0) * (b > 0)"),
    ("!x", "unexpected character '!'", "  ^", "for not (x > 0), write 1 - (x > 0)"),
    ("x ! = 1", "unexpected character '!'", "    ^", "for not equal, write != with no space between"),
    # other languages' spellings of the same comparison
    ("x =< 2", "unexpected '<'", "     ^", "'=<' is written <= here"),
    ("x <> 2", "unexpected '>'", "     ^", "'<>' (not equal, as SQL and Pascal write it) is written != here"),
    ("x === 1", "unexpected '='", "      ^", "'===' (JavaScript's equality) is written == here"),
    ("x !== 1", "unexpected '='", "      ^", "'!==' is written != here"),
    # Python's chained comparison, as the product of its masks (the same 1s and 0s)
    ("1 < x < 2", "unexpected '<'", "        ^", "multiply them: (1 < x) * (x < 2)"),
    ("0 <= x + 1 < 2 <= 3", "unexpected '<'", "             ^", "(0 <= x + 1) * (x + 1 < 2) * (2 <= 3)"),
    ("x * where(0 < x < 1, x, 0)", "unexpected '<'", "                  ^", "multiply them: (0 < x) * (x < 1)\n"),
    ("x if 0 < x < 1 else 0", "unexpected '<'", "             ^", "multiply them: (0 < x) * (x < 1)\n"),
    # an operator with nothing on one side
    ("x +", "ends too early", "     ^", "'+' needs a term after it: write it, or remove the '+'"),
    ("x **", "ends too early", "      ^", "'**' needs an exponent after it"),
    ("y = x ==", "ends too early", "          ^", "'==' needs a right-hand side after it"),
    ("max(x,", "ends too early", "        ^", "',' needs an argument after it: write it, or remove the ','; "
                                             "then add the closing ')'"),
    ("(x + ) * 2", "unexpected ')'", "       ^", "'+' needs a term after it"),
    ("x + * 2", "unexpected '*'", "      ^", "'+' and '*' stand side by side with nothing between them"),
    ("x + == 1", "unexpected '=='", "      ^^", "'+' and '==' stand side by side"),
    ("max(x,)", "unexpected ')'", "        ^", "remove the ',' before ')'"),
    # brackets of every kind
    ("f([x", "ends too early", "      ^", "add the closing '])'"),
    ("{x + 1", "ends too early", "        ^", "add the closing '}'"),
    ("x]", "unexpected ']'", "   ^", "remove it, or add the matching '['"),
    # other languages' spellings and empty places
    ("x ? 1 : 0", "unexpected character '?'", "    ^", "is written a if c else b here: 1 if x else 0"),
    ("y = x > 0 ? x : 0", "unexpected character '?'", "            ^", "here: x if x > 0 else 0"),
    ("x := 2", "unexpected ':'", "    ^", "':=' is written = here: x = …"),
    ("[]", "unexpected ']'", "   ^", "empty brackets hold nothing"),
    ("3.4.5", "unexpected '.5'", "     ^^", "a number has one decimal point"),
    (",x", "unexpected ','", "  ^", "a comma separates arguments or list elements: remove this one"),
])
def test_common_syntax_errors_say_what_to_type(expression, message, caret, hint):
    result = run(expression, "--x", "1")
    assert_error(result, 2, message, caret)
    assert hint in result.stderr.split("hint: ", 1)[1], result.stderr


def test_missing_value_names_the_variable():
    result = run("x + y", "--x", "1")
    assert_error(result, 2, "no value for y", "      ^")
    assert "--y VALUE" in result.stderr


def test_value_for_unused_name_is_a_note_that_suggests_closest():
    # One set of values may serve several expressions: an unused one is a note, exit 0.
    result = run("apple * tax", "--apple", "1", "--tax", "2", "--appel", "3", "-q")
    assert result.exit_code == 0 and result.stdout.startswith("2\n")
    assert result.stderr == "note: --appel is not used by this expression (its value is ignored; " \
                            "did you mean apple?)\n"


def test_a_used_name_without_value_is_exit_2_with_the_near_miss():
    result = run("x*2", "--xx", "1")
    assert_error(result, 2, "no value for x", "  ^")
    assert "a value was given for xx: did you mean x?" in result.stderr


def test_a_slip_in_the_expression_is_hinted_toward_the_name_given():
    # taxx in the expression with --tax given was hinted 'did you mean taxx?', the slip itself
    result = run("apple*num*taxx", "--apple", "100", "--num", "2", "--tax", "1.1")
    assert_error(result, 2, "no value for taxx")
    assert "(a value was given for tax: if taxx is a slip, write tax in the expression)" in result.stderr
    assert "did you mean taxx" not in result.stderr
    # where either may be the slip, both ways are said
    result = run("rate*x", "--x", "1", "--rtae", "2")
    assert "if it is for rate, give it as --rate; if rate is a slip, write rtae in the expression" in result.stderr


@pytest.mark.parametrize("value", ["abc", "1.2.3", "nan", "inf", "-inf", "[1, 2", "[[1, 2], [3]]"])
def test_malformed_values_exit_2(value):
    assert_error(run("x*2", "--x", value), 2, "value of")


def test_missing_value_at_end():
    assert_error(run("x*2", "--x"), 2, "--x needs a value")


def test_no_expression():
    assert_error(run(), 2, "no expression given")


@pytest.mark.parametrize("expression, values, message", [
    ("1/x", ["--x", "0"], "division by zero"),
    ("log(x)", ["--x", "-1"], "log of a non-positive number"),
    ("sqrt(x)", ["--x", "-4"], "square root of a negative number"),
    ("exp(x)", ["--x", "1000"], "overflow"),
    ("9**9**9**9", [], "overflow"),
    ("sqrt(x)", ["--x", "0"], "derivative of sqrt(0) is inf"),
    ("x**0.5", ["--x", "0"], "derivative of 0^0.5 is inf"),
    ("(-8)**x", ["--x", "0.5"], "negative number raised to a fractional power: (-8)^0.5 = nan"),
])
def test_math_errors_exit_3(expression, values, message):
    result = run(expression, *values)
    assert_error(result, 3, message)
    assert "^" in result.stderr.splitlines()[2]


def test_wrt_unknown_name():
    assert_error(run("x*2", "--x", "1", "--wrt", "y"), 2, "cannot differentiate with respect to y")


# --- found by a newcomer's review -------------------------------------------------------------------

@pytest.mark.parametrize("args, option", [
    (["x*2", "--x", "1", "--jsno"], "--json"),
    (["x*2", "--x", "1", "--wrtx", "x"], "--wrt"),
    (["x*2", "--x", "1", "--precison", "3"], "--precision"),
])
def test_mistyped_option_is_named_with_the_right_one(args, option):
    result = run(*args)
    assert_error(result, 2, f"unknown option {args[3]}")
    assert f"did you mean {option}?" in result.stderr


def test_mistyped_option_with_a_dash():
    result = run("x", "--x", "1", "--max-row", "5")
    assert result.exit_code == 2 and "did you mean --max-rows?" in result.stderr


@pytest.mark.parametrize("args", [["x*2", "--x", "1", "--wrt"], ["x*2", "--x", "1", "--wrt", "--y", "2"]])
def test_option_missing_its_value(args):
    result = run(*args)
    assert result.exit_code == 2 and "--wrt needs a value" in result.stderr and result.stdout == ""


def test_value_for_a_constant_or_a_computed_name():
    assert_error(run("e*x", "--x", "1", "--e", "2"), 2, "e is the constant e")
    assert_error(run("t = x*2", "--x", "1", "--t", "5"), 2, "t is computed by the program")


def test_var_with_an_invalid_name():
    assert_error(run("x", "--var", "2=x"), 2, "'2' is not a variable name")


def test_wrt_skips_gradients_nobody_asked_for():
    # ∂/∂n of x**n needs log(x), undefined at x = -2; ∂/∂x is fine and is all that was asked.
    assert run("x**n", "--x", "-2", "--n", "3", "--wrt", "x", "-q").stdout == "12\n"
    result = run("x**n", "--x", "-2", "--n", "3")
    assert_error(result, 3, "with respect to its second operand")
    assert "--wrt" in result.stderr


def test_quiet_prints_every_element_of_an_array_on_one_line():
    values = list(range(1, 101))
    result = run("x*2", "--x", json.dumps(values), "--wrt", "x", "-q")
    assert result.stdout == "[" + ", ".join("2" for _ in values) + "]\n"


def test_use_before_assignment_points_at_the_use():
    assert_error(run("z = t*2; t = x", "--x", "1"), 2, "t is used before it is assigned", "      ^")


def test_negative_values_in_messages_are_not_double_parenthesised():
    assert_error(run("log(x)*y", "--x", "-1", "--y", "3"), 3, "log(-1) = nan")


def test_an_expression_may_start_with_two_minuses_from_a_file():
    assert run("-f", "-", "--x", "2", "-q", input="--x").stdout == "2\n1\n"


@pytest.mark.parametrize("option", [["--dot"], ["--tree"], ["--mermaid"], ["--hessian"],
                                    ["--render", "g.svg"], ["--expect", "x=1"]])
def test_points_refuses_single_point_options(option):
    result = run("x*y", "--points", "-", *option, input="x,y\n1,2\n")
    assert_error(result, 2, f"--points cannot be combined with {option[0]}")


def test_gradient_that_overflows_only_when_contributions_add_up():
    # Each use contributes 1e308 (finite); their sum is inf, so this is a math error, not exit 0.
    assert_error(run("x*y + x*y", "--x", "1e-300", "--y", "1e308"), 3,
                 "the gradient with respect to x overflows")


@pytest.mark.parametrize("args", [
    ["x", "--x", "٦"],                           # an Arabic-Indic six
    ["x**2", "--x", "1", "--expect", "x=٦"],
    ["x**2", "--x", "1", "--expect", "x=1_0"],
    ["x", "--x", "1", "--limit", "nodes=١٠٠"],
])
def test_one_definition_of_a_number_everywhere(args):
    # Python's float() reads other scripts' digits and 1_000; the command line reads ASCII only.
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_option_groups_live_with_their_features():
    from gradcalc.cli import batch, checks, higher, output, pictures, program

    owner = {param.name: module.__name__ for module in (program, output, higher, checks, batch, pictures)
             for param in module.options(click.command()(lambda **_: None)).params}
    assert owner["points"] == "gradcalc.cli.batch" and owner["expect"] == "gradcalc.cli.checks"
    assert owner["hessian"] == "gradcalc.cli.higher" and owner["as_dot"] == "gradcalc.cli.pictures"
    # Every option of the command comes from exactly one group.
    assert {p.name for p in main.params} - {"limit", "version"} == set(owner)


@pytest.mark.parametrize("flag", ["--json", "--plain", "--check", "--hessian"])
def test_a_flag_given_a_value_is_refused_not_taken_for_a_variable(flag):
    result = run("x*2", "--x", "1", f"{flag}=1")
    assert_error(result, 2, f"{flag} takes no value")
    assert f"--var {flag[2:]}=1" in result.stderr


def test_a_cut_table_says_where_its_rows_were_left_out():
    program = "a = x*y; b = a + x; c = b*b; d = c - y"
    two = run(program, "--x", "1", "--y", "2", "--max-rows", "2").stdout.splitlines()
    assert two[2:5] == ["  x     input     1", "  d     c − y     7",
                        "  … 4 rows not shown between the first 1 and the last 1 (--max-rows 0 shows all)"]
    one = run(program, "--x", "1", "--y", "2", "--max-rows", "1").stdout
    assert "… 5 rows not shown before the last 1 (--max-rows 0 shows all)" in one


@pytest.mark.parametrize("value", ["５", "1_0", "٣", "abc"])
@pytest.mark.parametrize("option", ["--precision", "--max-rows", "--order"])
def test_counts_are_ascii_whole_numbers_like_every_number(option, value):
    assert_error(run("x", "--x", "1", option, value), 2, f"{option}: {value!r} is not a whole number")


def test_a_typographic_minus_in_a_value_is_a_minus():
    # The one reader of values reads what the expressions read: − (U+2212) pasted from a document.
    result = run("x", "--x", "−1.5", "-q")
    assert result.exit_code == 0 and result.stdout == "-1.5\n1\n"


def test_rich_tables_end_their_lines_without_padding(on_a_terminal):
    import re

    result = run("apple*apple_num*tax", "--apple", "100", "--apple_num", "2", "--tax", "1.1",
                 env={"COLUMNS": "120", "FORCE_COLOR": "1"})
    assert result.exit_code == 0 and "\x1b[" in result.stdout   # drawn by rich, in colour
    visible = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in result.stdout.splitlines()]
    assert "Backward pass" in result.stdout and not [line for line in visible if line.endswith(" ")]


@pytest.mark.parametrize("args, shown", [
    (["x*y", "--x", "0.1", "--y", "3", "--precision", "17"], ["0.30000000000000004", "3", "0.1"]),
    (["x", "--x", "1e-320"], ["1e-320", "1"]),                     # as typed, not 9.999888672e-321
    (["x*x", "--x", "100", "--precision", "3"], ["1e4", "200"]),
])
def test_a_number_is_shown_with_the_digits_it_needs_at_most(args, shown):
    # 0.1 at 17 digits is 0.10000000000000001, noise of its binary expansion; --json says 0.1.
    result = run(*args, "-q")
    assert result.exit_code == 0 and result.stdout.split() == shown


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 17))
@example(2.0 ** -24, 17)   # 5.9604644775390625e-08: a tie when rounded again to 16 digits
def test_every_shown_number_reads_back_as_precision_digits_would(x, precision):
    from gradcalc.numbers import format_number

    shown = format_number(x, precision)
    assert float(shown) == float(f"{x:.{precision}g}") or float(shown) == x


@pytest.mark.parametrize("form", [["-q"], ["--json"]])
def test_how_the_text_was_read_is_said_without_a_trace_too(form):
    # The trace says 1/2x is (1/2)·x; bare numbers and JSON have no trace, so stderr says it.
    result = run("1/2x", "--x", "4", *form)
    assert result.exit_code == 0 and "1/2x is read as (1/2)·x" in result.stderr
    assert "note" not in result.stdout
    assert run("x/2", "--x", "4", *form).stderr == ""


def test_a_batch_says_how_the_text_was_read(tmp_path):
    (tmp_path / "p.csv").write_text("x\n4\n")
    result = run("1/2x", "--points", str(tmp_path / "p.csv"))
    assert result.exit_code == 0 and result.stdout == "x,value,dz/dx\n4,2.0,0.5\n"
    assert "1/2x is read as (1/2)·x" in result.stderr


# Bytes that are not UTF-8 in an argument reach Python as the lone surrogates U+DC80..U+DCFF
# (surrogateescape): they are no control character but text in another encoding.
@pytest.mark.parametrize("args, message, caret", [
    (["x + \udcff\udcfe", "--x", "1"], "the expression is not valid UTF-8 text: bytes 0xFF 0xFE at column 5",
     "      ^^"),
    (["x\udce9 + 1", "--x", "1", "-q"], "the expression is not valid UTF-8 text: byte 0xE9 at column 2", "   ^"),
    (["x  # caf\udce9\nx + \udce9", "--x", "1"], "byte 0xE9 at line 2, column 5", "  line 2: x + �"),
    (["x + 1", "--x", "1\udcff"], "the value of --x is not valid UTF-8 text: byte 0xFF at column 2", "   ^"),
    (["sum(x)", "--x", "[1, 2\udcff]"], "the value of --x is not valid UTF-8 text: byte 0xFF at column 6",
     "       ^"),
    (["x + 1", "--x\udcff", "1"], "the option's name is not valid UTF-8 text: byte 0xFF at column 4", "     ^"),
    (["x + 1", "--x\udcff=1"], "the option's name is not valid UTF-8 text", "     ^"),
])
def test_bytes_that_are_not_utf8_are_named_as_such(args, message, caret):
    result = run(*args)
    assert_error(result, 2, message, caret)
    assert "control character" not in result.stderr
    assert "(0xE9 is 'é' in Latin-1)" in result.stderr or "0xFF" in result.stderr
    assert "give the text as UTF-8" in result.stderr


# --- messages that point the right way (a newcomer's slips) -------------------------------------------

@pytest.mark.parametrize("args, message, hint", [
    (["x**2", "--X", "3"], "no value for x",
     "hint: write --x 3: --X was given, and names are case-sensitive (X and x are two variables)"),
    (["json*2", "--json", "1"], "--json takes no value; it is on when given (1 is left over)",
     "hint: to give a variable named json a value, write --var json=1; to turn --json on, write it alone"),
    (["x ** 2", "x=3"], "x=3: a variable's value is given as an option", "hint: write --x 3"),
    (["x*y", "--x", "1", "y=[1,2]"], "y=[1,2]: a variable's value is given as an option", "hint: write --y [1,2]"),
    (["x +\n y"], "unexpected end of line", "put the expression in parentheses or end the line with \\"),
    (["(x+y)**2 +"], "the expression ends too early", "hint: '+' needs a term after it"),
])
def test_a_slip_gets_a_message_that_points_to_the_fix(args, message, hint):
    result = run(*args)
    assert_error(result, 2, message, json="--json" in args)
    assert hint in result.stderr, result.stderr
    if "json" in args:   # and the hint's spelling works
        fixed = run("json*2", "--var", "json=1", "-q")
        assert fixed.exit_code == 0 and fixed.stdout == "2\n2\n"


def test_a_points_header_differing_only_in_case_says_so(tmp_path):
    (tmp_path / "p.csv").write_text("X,y\n1,2\n")
    result = run("x*y", "--points", str(tmp_path / "p.csv"))
    assert_error(result, 2, "no column for x (X is not a variable)")
    assert "hint: rename the column X to x: names are case-sensitive" in result.stderr


def test_a_formula_head_written_with_double_equals_says_one_equals():
    result = run("f(x) == x^2", "--x", "2")
    assert_error(result, 2, "unknown function 'f'", "  ^")
    assert "hint: == compares two values; to define f, write f(x) = … with one =" in result.stderr
    missing = run("y == x^2", "--x", "2")
    assert_error(missing, 2, "no value for y", "  ^")
    assert "to name the formula y, write y = … with one =" in missing.stderr
    # given, it is the mask it says it is, with a note; x == y between two names is a mask meant
    masked = run("y == x^2", "--x", "2", "--y", "4", "-q")
    assert masked.exit_code == 0 and masked.stdout.split() == ["1", "0", "0"]
    assert "note: y == … compares y with the formula (1 where they are equal, else 0; its gradient is 0)" \
        in masked.stderr
    assert run("x == y", "--x", "1", "--y", "1", "-q").stderr == ""
