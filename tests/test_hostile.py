"""Hostile and broken input: the regression corpus, limits, numeric edge cases, and no traceback ever."""

import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from gradcalc import GradcalcError, MathError
from gradcalc.api import compute
from gradcalc.cli import main
from gradcalc.limits import Limits, read_bytes

CORPUS = Path(__file__).parent / "corpus" / "hostile.txt"
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|n|r|t|\\)")


def _unescape(text: str) -> str:
    def one(match):
        code = match.group(1)
        return {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}.get(code) or chr(int(code[1:], 16))
    return _ESCAPE.sub(one, text)


def _corpus():
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([0-9])  (.*?)\s*(?:\|\|\|\s*(.*))?", line)
        assert match, f"{CORPUS.name}:{number}: malformed line {line!r}"
        code, expression, args = match.groups()
        argv = [] if expression == "<none>" else [_unescape(expression)]
        argv += (args or "").split()
        yield pytest.param(int(code), argv, id=f"line{number}")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def assert_clean(result, code):
    """The promise for every input: the right exit code, errors on stderr only, never a traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if code == 0:   # notes only (a value the expression does not use)
        assert result.stdout and all(line.startswith("note: ") for line in result.stderr.splitlines())
    else:
        assert result.stdout == ""
        assert result.stderr.startswith("error: "), result.stderr
        assert len(result.stderr.splitlines()[0]) <= 1010


@pytest.mark.parametrize("code, argv", list(_corpus()))
def test_corpus(code, argv):
    assert_clean(run(*argv, "-q"), code)


def _two_readings():
    """The corpus's cases in its section of pasted text and typed values that can be read two ways."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("# --- pasted text that can be read two ways"))
    last = next((n for n, line in enumerate(lines, 1) if n > first and line.startswith("# ---")), len(lines) + 1)
    return [case for case in _corpus() if first < int(case.id.removeprefix("line")) < last and case.values[0] == 2]


@pytest.mark.parametrize("code, argv", _two_readings())
def test_what_can_be_read_two_ways_gets_a_hint(code, argv):
    # Never a guess: exit 2, and a hint saying what to type for each reading.
    result = run(*argv, "-q")
    assert_clean(result, 2)
    assert "hint: " in result.stderr, result.stderr


def test_corpus_is_not_trivially_small():
    cases = list(_corpus())
    assert len(cases) > 150 and {0, 2, 3} <= {case.values[0] for case in cases}


# --- what the messages say -------------------------------------------------------------------

@pytest.mark.parametrize("expression, message, hint", [
    ('__import__("os")', "unknown function '__import__'", "not a function gradcalc knows"),
    ("х + 1", "unexpected character 'х'", "looks like 'x'"),
    ("x\x00", "unexpected character '\\x00'", "control character U+0000"),
    ("1e999", "the number 1e999 is too large for a 64-bit float", "below about 1.8e308"),
    ("# only a comment", "the expression has only comments", "write one"),
    ("", "the expression is empty", "write one"),
])
def test_messages_say_what_and_how_to_fix(expression, message, hint):
    result = run(expression, "--x", "1")
    assert_clean(result, 2)
    assert message in result.stderr.splitlines()[0] and hint in result.stderr


def test_typographic_operators_mean_their_ascii_forms():
    for typographic, ascii_form in [("a − b", "a - b"), ("a × b", "a * b"), ("a · b", "a * b"),
                                    ("a ÷ b", "a / b"), ("−a**2 + b", "-a**2 + b"), ("a − −b", "a - -b")]:
        mine, theirs = compute(typographic, a=3.0, b=2.0), compute(ascii_form, a=3.0, b=2.0)
        assert mine.value == theirs.value and mine.gradient == theirs.gradient


def test_long_names_are_cut_in_messages():
    name = "a" * 100_000
    result = run(name, f"--{name[:-1]}", "1")
    assert_clean(result, 2)
    assert all(len(line) <= 1010 for line in result.stderr.splitlines())


# --- size: 10⁵ terms and deep nesting work; limits stop the rest with exit 2 --------------------

def test_hundred_thousand_terms():
    result = compute("+".join(["x"] * 100_000), x=1.0)
    assert result.value == 100_000 and result.gradient["x"] == 100_000


@pytest.mark.parametrize("open_, close", [("(", ")"), ("sin(", ")"), ("-", ""), ("+", "")])
def test_deep_nesting_has_no_recursion_error(open_, close):
    depth = 10_000
    result = compute(open_ * depth + "x" + close * depth, x=0.5)
    assert np.isfinite(result.value) and np.isfinite(result.gradient["x"])


def test_hundred_thousand_deep_parentheses_through_the_cli(tmp_path):
    program = tmp_path / "deep.gc"
    program.write_text("(" * 100_000 + "x**2" + ")" * 100_000)
    result = run("-f", str(program), "--x", "3", "-q")
    assert_clean(result, 0)
    assert result.stdout == "9\n6\n"


def test_deep_power_tower_overflows_cleanly():
    assert_clean(run("x" + "**x" * 10_000, "--x", "2", "-q"), 3)


def test_deeply_nested_array_value():
    assert_clean(run("x", "--x", "[" * 10_000 + "1" + "]" * 10_000), 2)


def test_limit_errors_say_how_to_raise_them():
    result = run("sin(sin(x))", "--x", "1", "--limit", "nodes=2")
    assert_clean(result, 2)
    assert "over the limit of 2" in result.stderr and "--limit nodes=" in result.stderr
    assert "  sin(sin(x))\n" in result.stderr   # the caret line shows where it stopped


def test_broadcast_refused_before_allocating():
    # (40000,1) * (1,40000) would be 1.6e9 numbers (12.8 GB): refused before numpy allocates.
    with pytest.raises(GradcalcError, match="over the limit") as error:
        compute("x*y", x=np.zeros((40_000, 1)), y=np.zeros((1, 40_000)))
    assert not isinstance(error.value, MathError)


def test_big_input_value_refused():
    with pytest.raises(GradcalcError, match="the value of x has 10,000,001 numbers"):
        compute("x", x=np.zeros(10_000_001))
    assert compute("x", x=np.zeros(11), limits=Limits(elements=11)).value.shape == (11,)


def test_limits_replace_and_overrides_make_new_limits():
    default = Limits()
    sheet = default.replace(file=default.sheet)
    assert (sheet.file, sheet.nodes, default.file) == (default.sheet, default.nodes, 100_000_000)
    raised = default.with_overrides(["nodes=2e6", " file = 1000"])
    assert (raised.nodes, raised.file, raised.length) == (2_000_000, 1000, default.length)
    assert raised == Limits(nodes=2_000_000, file=1000) and raised != default
    with pytest.raises(GradcalcError, match="unknown limit 'node'"):
        default.with_overrides(["node=5"])


def test_file_limit(tmp_path):
    path = tmp_path / "big.gc"
    path.write_text("x+" * 600 + "x")
    with pytest.raises(GradcalcError, match="1,201 bytes, over the limit of 1,000"):
        read_bytes(str(path), "the program file", Limits(file=1000))
    assert_clean(run("-f", str(path), "--x", "1", "--limit", "file=1000"), 2)
    assert_clean(run("-f", str(path), "--x", "1", "--limit", "file=2000", "-q"), 0)


def test_endless_file_is_cut_at_the_limit():
    result = run("-f", "/dev/zero", "--limit", "file=1000")
    assert_clean(result, 2)
    assert "over the limit of 1,000" in result.stderr


def test_program_file_errors(tmp_path):
    (tmp_path / "latin1.gc").write_bytes(b"x * 2 # caf\xe9")
    result = run("-f", str(tmp_path / "latin1.gc"), "--x", "1")
    assert_clean(result, 2)
    assert "not UTF-8" in result.stderr
    (tmp_path / "bom.gc").write_bytes("\ufeffx * 2".encode())
    assert run("-f", str(tmp_path / "bom.gc"), "--x", "1", "-q").stdout == "2\n2\n"
    assert "No such file" in run("-f", str(tmp_path / "missing.gc")).stderr


# --- numeric edge cases (documented in the README) -------------------------------------------

def test_integers_are_floats_so_towers_overflow_at_once():
    with pytest.raises(MathError, match="overflow"):
        compute("9**9**9**9")
    assert compute("2**0.5").value == 2 ** 0.5 and type(compute("7/2").value) is float


@pytest.mark.parametrize("function", ["relu", "abs"])
@pytest.mark.parametrize("at", [0.0, -0.0])
def test_kinks_take_subgradient_zero(function, at):
    assert compute(f"{function}(x)", x=at).gradient["x"] == 0


def test_sqrt_at_zero_names_the_node():
    with pytest.raises(MathError, match="derivative of sqrt") as error:
        compute("y + sqrt(x)", x=0.0, y=1.0)
    assert error.value.span == (4, 11)


def test_negative_zero_and_subnormals_are_ordinary_values():
    assert compute("x*2", x=5e-324).value == 1e-323
    assert compute("x*3", x=-0.0).gradient["x"] == 3
    assert compute("x*x", x=1e-200).value == 0.0          # underflow to 0 is not an error
    with pytest.raises(MathError, match="division by zero"):
        compute("1/x", x=-0.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), [1.0, float("-inf")]])
def test_non_finite_inputs_are_bad_input(bad):
    with pytest.raises(GradcalcError, match="not finite") as error:
        compute("x", x=bad)
    assert error.value.exit_code == 2


# --- nothing a user does shows a traceback ----------------------------------------------------

def test_internal_error_is_one_line_with_exit_70(monkeypatch):
    import gradcalc.result

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(gradcalc.result, "compute", broken)   # the engine's, which the command calls
    result = run("x", "--x", "1")
    assert result.exit_code == 70 and result.stdout == ""
    assert result.stderr.startswith("error: internal error (ZeroDivisionError: a bug)")
    assert "Traceback" not in result.stderr and "report" in result.stderr


@pytest.mark.parametrize("exception, code, message", [
    (KeyboardInterrupt, 130, "error: interrupted"),
    (MemoryError, 2, "error: out of memory"),
    (RecursionError, 70, "error: internal error (RecursionError"),
])
def test_interrupt_memory_and_recursion(monkeypatch, exception, code, message):
    import gradcalc.result

    def raising(*args, **kwargs):
        raise exception()

    monkeypatch.setattr(gradcalc.result, "compute", raising)
    result = run("x", "--x", "1")
    assert result.exit_code == code and result.stderr.startswith(message)


def test_broken_pipe_is_quiet():
    import subprocess
    import sys

    # A 6000-row table (far over the 64 KiB pipe buffer) into a reader that stops after one line,
    # as `| head -1` does.
    text = "+".join(["sin(x)"] * 3_000)
    process = subprocess.Popen([sys.executable, "-m", "gradcalc", "-f", "-", "--x", "1", "--plain",
                                "--max-rows", "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    process.stdin.write(text.encode())
    process.stdin.close()
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    # 141 (128 + SIGPIPE), as the README says: output is written in pieces, so the stop is noticed.
    assert process.wait() == 141 and "Traceback" not in stderr and "Exception" not in stderr


def test_npy_header_declaring_a_huge_shape_is_refused_before_loading(tmp_path):
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**11,)})
    path = tmp_path / "evil.npy"
    path.write_bytes(header.getvalue() + bytes(16))     # 16 bytes of data claiming 800 GB
    result = run("sum(X)", "--X", f"@{path}")
    assert_clean(result, 2)
    assert "100,000,000,000 numbers, over the limit" in result.stderr


@pytest.mark.parametrize("argv", [["-f", "a\x00b"], ["x", "--x", "1", "--points", "a\x00b"],
                                  ["sum(X)", "--X", "@a\x00b.npy"], ["check", "a\x00b.toml"]])
def test_nul_byte_in_a_path_is_bad_input(argv):
    # Found by the command-line fuzzer: open() raises ValueError, not OSError, for a NUL in a path.
    result = run(*argv)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert "internal error" not in result.stderr and not isinstance(result.exception, ValueError)


def test_an_exception_while_click_reads_options_is_one_line(monkeypatch):
    from gradcalc.cli.command import Command

    def broken(*args, **kwargs):
        raise RuntimeError("while parsing")

    monkeypatch.setattr(Command, "parse_args", broken)
    result = run("x", "--x", "1")
    assert result.exit_code == 70 and "internal error (RuntimeError: while parsing)" in result.stderr


def test_check_with_thousands_of_inputs_is_refused_not_slow(tmp_path):
    # Found by the audit: a program can declare inputs with defaults (`a1 = 1; …`), and --check costs
    # four evaluations per input: 2000 inputs × 6000 nodes took minutes. Now bounded, with a hint.
    n = 2000
    program = tmp_path / "many.gc"
    program.write_text("; ".join(f"a{i} = 1" for i in range(n)) + "; z = "
                       + "+".join(f"a{i}*a{(i + 1) % n}" for i in range(n)))
    result = run("-f", str(program), "--check", "-q")
    assert_clean(result, 2)
    assert "--check would evaluate the expression 8,000 times" in result.stderr
    assert "--wrt" in result.stderr
    assert run("-f", str(program), "--check", "--wrt", "a1", "-q").exit_code == 0


def test_a_long_message_is_said_whole(tmp_path):
    # a hand-in setting the points of eight problems: every key is named and the hint ends whole (messages
    # were cut at 300 characters, the list and the hint's last words lost)
    problems = "".join(f'[[problem]]\nexpression = "x*{k}"\nat = {{ x = 1 }}\npoints = 50\n[problem.expect]\nx = {k}\n'
                       for k in range(1, 9))
    sheet = tmp_path / "many.toml"
    sheet.write_text(problems)
    from click.testing import CliRunner

    from gradcalc.cli import main

    result = CliRunner().invoke(main, ["check", str(sheet)])
    assert result.exit_code == 2
    assert "points = 50 (problem 8)" in result.stderr
    assert result.stderr.rstrip().endswith("each problem is worth 1 point")
