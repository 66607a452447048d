"""The scripting contract: every example in --help runs, and every file --help and the README name
is in examples/."""

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Files the examples write, or stand for any file: not inputs that must exist.
OUTPUTS = {"gradients.csv", "graph.svg", "graph.png", "graph.pdf", "apple_orange.png", "SHEET.toml", "TEACHER.toml",
           "ANSWERS.csv", "file.csv", "_items.csv", "index.csv", "results.json", "submission.csv"}
FILE = re.compile(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.(?:gc|csv|jsonl|toml|npy|json)\b")


def help_examples(section: str = "") -> list[str]:
    """The examples of --help (of the section whose heading starts with `section`), one line each."""
    blocks = main.epilog.split("Exit codes", 1)[0].split("\n\n")
    lines = [line for block in blocks if block.startswith(section) for line in block.splitlines()]
    return [re.sub(r"\s{2,}# .*", "", line.strip()) for line in lines if line.strip().startswith("gradcalc ")]


HELP = help_examples()


def named_files(text: str) -> set[str]:
    # tests/… names the project's own test data (tests/corpus/published.toml), not an example's file
    return {Path(name).name for name in FILE.findall(text) if not name.startswith("tests/")} \
        - OUTPUTS - {"pyproject.toml"}


def test_help_has_examples_and_names_its_files():
    assert len(HELP) >= 10 and len(help_examples("Examples")) >= 10 and len(help_examples("With files")) >= 4
    assert f"these are in {EXAMPLES}: cd there" in main.epilog
    assert {"network.gc", "w.csv", "points.csv", "homework.toml"} <= named_files(main.epilog)


@pytest.mark.parametrize("name", sorted(named_files(main.epilog) | named_files(README)))
def test_every_file_help_and_the_readme_name_is_in_examples(name):
    assert (EXAMPLES / name).is_file(), f"examples/{name} is named in --help or the README"


@pytest.mark.parametrize("example", HELP)
def test_every_help_example_runs(example, monkeypatch, tmp_path):
    # The first examples need no file: they run anywhere (a pip user has no examples/ folder);
    # those "With files" run in the folder --help names.
    monkeypatch.chdir(EXAMPLES if example in help_examples("With files") else tmp_path)
    args = shlex.split(example, comments=True)
    if ">" in args:               # `… > gradients.csv`: the output is checked here instead
        args = args[:args.index(">")]
    result = CliRunner().invoke(main, args[1:])
    # The sample hand-in has wrong answers on purpose: grading it says so with exit 1.
    expected = 1 if args[1:3] == ["check", "homework.toml"] else 0
    assert result.exit_code == expected, result.stdout + result.stderr
    assert result.stdout.strip()
    if "-q" in args:
        assert all(re.fullmatch(r"[-+0-9.e\[\], ]+", line) for line in result.stdout.splitlines())


def test_the_network_in_the_readme_runs_and_checks(monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    command = re.search(r"`cd examples && (gradcalc -f net.gc[^`]*)`", README, re.S).group(1)
    result = CliRunner().invoke(main, shlex.split(command)[1:] + ["--plain"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("✓") == 6    # X, W1, b1, W2, b2, t agree with central differences


# --- the scripting contract ---------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_quiet_prints_the_value_then_gradients_in_the_order_the_values_were_given():
    assert "in the order the values were given" in " ".join(run("--help").stdout.split())
    assert run("x*y + z", "--y", "2", "--x", "3", "--z", "1", "-q").stdout == "7\n3\n2\n1\n"
    assert run("x*y + z", "--z", "1", "--x", "3", "--y", "2", "-q").stdout == "7\n1\n2\n3\n"
    # Inputs left to their defaults come after the given ones, in order of first use.
    assert run("a = 2; b = 5; z = a*x + b*y", "--y", "1", "--x", "1", "-q").stdout == "7\n5\n2\n1\n1\n"
    assert run("x*y + z", "--x", "3", "--y", "2", "--z", "1", "--wrt", "z", "--wrt", "x",
               "-q").stdout == "1\n2\n"
    # The Hessian's rows and columns follow the same order.
    assert run("x**2*y", "--y", "2", "--x", "3", "--hessian", "-q").stdout == "0 6\n6 4\n"


def test_the_order_is_the_same_from_python():
    from gradcalc import compute

    assert list(compute("x*y + z", {"z": 1, "y": 2}, x=3).gradient) == ["z", "y", "x"]
    assert compute("x**2*y", y=2, x=3).hessian()["variables"] == ["y", "x"]


@pytest.mark.parametrize("args, shown, hint", [
    (["x*2", "-x", "1"], "-x 1", "write --x 1"),
    (["-x", "1", "x*2"], "-x 1", "write --x 1"),
    (["x*y", "-x=1", "--y", "2"], "-x=1", "write --x 1"),
    (["X@X", "-X", "[[1]]"], "-X [[1]]", "write --X [[1]]"),
])
def test_one_dash_before_a_name_gets_a_hint_to_write_two(args, shown, hint):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: {shown}: a variable's value is given with two dashes\nhint: {hint}\n"


def test_an_expression_starting_with_a_minus_is_still_an_expression():
    assert run("-x", "--x", "2", "-q").stdout == "-2\n-1\n"
    assert run("-x**2", "--x", "3", "-q").stdout == "-9\n-6\n"


@pytest.mark.parametrize("path, reason", [("no-such.csv", "No such file or directory"),
                                          (".", "Is a directory")])
def test_a_points_file_that_cannot_be_read_is_a_one_line_error(path, reason, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("x*2", "--points", path)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"error: cannot read the points file {path!r}: {reason}\n"
                             f"hint: check the path and the file's permissions\n")


@pytest.mark.parametrize("args, message, hint", [
    (["sin(x)", "--x", "0.5", "--order", "101"], "--order: 101 is not in the range 1<=x<=100",
     "see gradcalc --help"),
    (["x", "--x", "1", "--precision", "0"], "--precision: 0 is not in the range 1<=x<=17",
     "see gradcalc --help"),
    (["x", "--x", "1", "--check", "--rtol", "-1"], "--rtol: '-1' is negative; a tolerance is a finite "
     "number ≥ 0, such as 1e-6", "see gradcalc --help"),
    (["x", "--x", "1", "--mode", "sideways"], "--mode: 'sideways' is not one of 'reverse', 'forward'",
     "see gradcalc --help"),
    (["x", "--x", "1", "--max-row", "3"], "no such option --max-row", "did you mean --max-rows?"),
    (["x", "--x", "1", "--precision"], "--precision needs a value", "see gradcalc --help"),
    (["x", "y", "--x", "1"], "got unexpected extra argument (y)",
     'give the expression as one argument, in quotes: gradcalc "x * y" --x 1 --y 2'),
    (["ж*x", "--ж", "2", "--x", "3"], "--ж: a variable's name uses ASCII or Greek letters, digits and _",
     "rename ж to such a name, in the expression and here"),
    (["check"], "missing argument 'SHEET.toml'", "see gradcalc check --help"),
    (["check", "homework.toml", "--precision", "0"], "--precision: 0 is not in the range 1<=x<=17",
     "see gradcalc check --help"),
    (["check", "class.toml", "homework.toml"], "gradcalc check grades one sheet at a time; 2 were given",
     'grade each: for s in class.toml homework.toml; do gradcalc check "$s"; done'),
])
def test_usage_errors_are_one_line_with_a_hint_not_clicks_usage_block(args, message, hint,
                                                                       monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: {message}\nhint: {hint}\n"
