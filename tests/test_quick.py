"""The quick path (cli/quick.py) answers a plain question without click: it must answer exactly as
the full command line does, or hand the question over having written nothing."""

import re
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from gradcalc.cli import main, quick, spec
from helpers import GOLDEN

HANDED_OVER = 99   # not an exit code gradcalc uses


class QuickOnly:
    """The quick path alone, shaped for CliRunner: exit HANDED_OVER where the full command would run."""

    name = "gradcalc"

    def main(self, args=None, prog_name=None, **extra):
        code = quick.answer(list(args))
        sys.exit(HANDED_OVER if code is None else code)


def both_ways(argv: list[str]):
    """The quick path's outcome, and the full command line's; None for the first if it handed over."""
    runner = CliRunner()
    fast, full = runner.invoke(QuickOnly(), argv), runner.invoke(main, argv)
    assert "Traceback" not in fast.output and fast.exception is None or isinstance(fast.exception, SystemExit)
    if fast.exit_code == HANDED_OVER:
        assert fast.stdout == "" and fast.stderr == "", "the quick path wrote before handing over"
        return None, full
    return fast, full


def assert_same(argv: list[str], *, answered: bool | None = None):
    fast, full = both_ways(argv)
    if answered is not None:
        assert (fast is not None) == answered, argv
    if fast is not None:
        assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr), argv


@pytest.mark.parametrize("text, values", [case[:2] for case in GOLDEN], ids=[case[0] for case in GOLDEN])
@pytest.mark.parametrize("form", [[], ["--json"], ["-q"], ["--plain", "--precision", "4"]])
def test_the_textbook_examples_are_answered_quickly_and_the_same(text, values, form):
    bindings = [word for name, value in values.items() for word in (f"--{name}", str(value))]
    assert_same([text, *bindings, *form], answered=True)


@pytest.mark.parametrize("form", [[], ["--json"], ["-q", "--wrt", "x"]])
def test_a_table_on_a_terminal_is_the_same(on_a_terminal, form):
    assert_same(["t = x + y; z = t**2", "--x", "1", "--y", "2", *form], answered=True)


@pytest.mark.parametrize("argv", [
    ["(x+y)**2", "--x", "1"],                          # a missing value: exit 2, said by click's command
    ["log(x)", "--x", "0"],                            # a math error: exit 3
    ["x+", "--x", "1"],                                # a syntax error
    ["x", "--x", "1", "--y", "2"],                     # an unused value: a note on stderr
    ["x", "--x", "1", "--jsn", "2"],                   # a mistyped option
    ["x", "--x", "@w.csv"],                            # a file: read once, by the full command line
    ["x", "--x", "1", "--hessian"], ["--help"], ["check"], ["-x**2", "--x", "1"],
    ["x", "--x", "1", "--precision", "٣"], ["x", "--x", "1", "--precision", "18"],
    ["x", "--x", "1", "--x", "2"], ["x", "y", "--x", "1"], ["x", "--x"], ["x", "--", "--x", "1"],
])
def test_anything_else_goes_to_the_full_command_line(argv):
    fast, _ = both_ways(argv)
    assert fast is None


def options_in_help() -> list[str]:
    """Every option the command's --help lists, as a user reads them there."""
    shown = CliRunner().invoke(main, ["--help"]).stdout
    # "  -q, --quiet   Print bare…", "  --precision INTEGER RANGE  Significant…"
    heads = [line.strip().split("  ")[0] for line in shown.splitlines() if line.startswith("  -")]
    return sorted({part.split(" ")[0] for head in heads for part in head.split(", ")})


def test_the_help_lists_the_options_declared_once():
    # click's options are made from cli/spec.py, as the quick path's tables are: --help shows each.
    assert set(options_in_help()) == spec.names(spec.COMMAND) | set(spec.HELP) | {spec.VERSION}
    shown = CliRunner().invoke(main, ["check", "--help"]).stdout
    for name in spec.names(spec.CHECK):
        assert re.search(rf"(^|, )\s*{re.escape(name)}\b", shown, re.M), name


@pytest.mark.parametrize("option", options_in_help())
def test_an_option_is_never_taken_for_a_variable_or_its_value(option, tmp_path, monkeypatch):
    # A name that is one of gradcalc's options (--order, --mode, --dot) is the option, never a binding
    # the quick path answers by itself; and an option is never a variable's value.
    monkeypatch.chdir(tmp_path)   # `--html 3` writes a page named 3: here, not in the repository
    name = option.lstrip("-").replace("-", "_")
    for argv in (["x*y", "--x", "1", "--y", option], ["x*y", "--x", "1", "--y", "2", option],
                 [f"x*{name}", "--x", "2", f"--{name}", "3"], [f"x*{name}", "--x", "2", f"{option}=3"],
                 ["x", "--x", "2", option, "3"]):
        assert_same(argv)


@pytest.mark.parametrize("argv", [
    ["x/3", "--x", "1", "--plain"],                                  # the default --precision
    ["x/7", "--x", "1", "-q"], ["x/7", "--x", "1", "--json"],
    [" + ".join(f"x*{i}" for i in range(1, 130)), "--x", "1", "--plain"],   # the default --max-rows
    ["1/x", "--x", "3", "--plain", "--precision", "17", "--max-rows", "0"],
])
def test_the_defaults_are_the_same(argv):
    assert_same(argv, answered=True)


# Expressions with the variables they use; the values are mostly numbers that work.
EXPRESSIONS = {"(x+y)**2": "xy", "t = x + y; z = t**2": "xy", "x*y": "xy", "log(x)": "x", "1/x": "x",
               "sqrt(x) + y": "xy", "x+": "x", "sum(x)": "x", "x @ y": "xy", "sin(x)*exp(-y)": "xy",
               "exp(x)": "x", "x ** y": "xy", "relu(x) - abs(y)": "xy", "tanh(x)": "x", "e*x": "x",
               "wrt * json": ["wrt", "json"]}
GOOD = ["1", "-2.5", "0", "2", " 3", "-0.0", "1e-300", "800", "0.1", "[1, 2]", "[[1, 2], [3, 4]]"]
ODD = ["1e400", "@nofile.csv", "abc", "٦", "nan", "1_0", "[]", "[1, ", "--json", ""]
EXTRA = ["z", "jsn", "precision", "X"]
OPTIONS = [["--json"], ["--plain"], ["-q"], ["--quiet"], ["--wrt", "x"], ["--wrt=y"], ["--wrt", "q"],
           ["--precision", "3"], ["--precision=17"], ["--max-rows", "1"], ["--max-rows=0"]]
OTHERS = [["--precision", "0"], ["--hessian"], ["--"], ["--version"], ["--check"], ["-qq"], ["--json=1"]]


@st.composite
def command_lines(draw):
    text = draw(st.sampled_from(sorted(EXPRESSIONS)))
    names = [name for name in EXPRESSIONS[text] if draw(st.integers(0, 9))]   # now and then one is missing
    names += draw(st.lists(st.sampled_from(EXTRA), max_size=1))
    words = [[text]]
    for name in names:
        value = draw(st.sampled_from(ODD if not draw(st.integers(0, 7)) else GOOD))
        words.append([f"--{name}={value}"] if draw(st.booleans()) else [f"--{name}", value])
    words += draw(st.lists(st.sampled_from(OPTIONS), max_size=3))
    if not draw(st.integers(0, 4)):
        words.append(draw(st.sampled_from(OTHERS)))
    return [word for group in draw(st.permutations(words)) for word in group]


@given(command_lines())
def test_any_command_line_is_answered_the_same_or_handed_over(argv):
    assert_same(argv)


def test_the_installed_command_writes_the_whole_answer_before_it_leaves():
    # The quick path ends the process with os._exit once the answer is flushed: all of it must be there.
    import json
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    xs = [float(i) for i in range(12000)]
    argv = [sys.executable, "-m", "gradcalc", "sum(x*x)", "--x", json.dumps(list(range(12000)))]
    as_json = subprocess.run([*argv, "--json"], capture_output=True, text=True, env=env)
    assert as_json.returncode == 0 and as_json.stderr == ""
    assert json.loads(as_json.stdout)["gradient"]["x"] == [2 * x for x in xs]
    numbers = subprocess.run([*argv, "-q"], capture_output=True, text=True, env=env)
    assert numbers.returncode == 0 and numbers.stderr == "" and len(numbers.stdout) > 1 << 16   # > a pipe
    assert numbers.stdout.splitlines()[1] == "[" + ", ".join(f"{2 * x:g}" for x in xs) + "]"
