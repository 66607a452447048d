"""Every option set alone and in pairs over ordinary expressions: never an internal error.

Whatever the combination, the command ends with 0 (ok), 1 (a check did not match), 2 (bad input),
3 (math error) or 4 (not checkable), says why on stderr when it is not 0, and shows no traceback.
Every option set runs alone over every expression, and in every pair with another (595 pairs) over
five of the expressions, rotating so each pair meets a different five and every expression meets
every option: about 3 100 command lines, in process, a few milliseconds each.
"""

import itertools
import json
import math
import re

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

# (program, its values as --NAME VALUE): constants, a variable named e, intermediates, a name
# assigned again, two-argument functions, kinks at their kink, arrays, indexing, a text read with a
# note (1/2x), a statement computed for nothing (an error), no inputs at all, a math error.
EXPRESSIONS = [
    ("pi*x**2", {"x": "1"}),
    ("e*x + exp(x)", {"x": "0.5"}),
    ("e = x*2; e**2 + pi", {"x": "1"}),
    ("t = x + y; t**2", {"x": "1", "y": "2"}),
    ("c = x; c = c*c; c + x", {"x": "2"}),
    ("atan2(y, x) + max(x, y)", {"x": "1", "y": "2"}),
    ("relu(x) + abs(x)", {"x": "0"}),
    ("sum(W @ v)", {"W": "[[1,2],[3,4]]", "v": "[1,-1]"}),
    ("v[0]*v[2] + sum(v[1:])", {"v": "[1,2,3]"}),
    ("W @ v", {"W": "[[1,2],[3,4]]", "v": "[1,-1]"}),
    (NOTED := "1/2x", {"x": "1"}),
    ("(x+1)\n(x-1)", {"x": "1"}),
    ("3", {}),
    ("log(x) + sqrt(y)", {"x": "0", "y": "4"}),
]

POINTS = "points"   # a marker: the values go to --points - as one JSON line instead of --NAME VALUE
PROGRAM_FILE = "program-file"   # a marker: the program is read with -f FILE instead of given as text

OPTION_SETS = [
    ["--json"], ["--plain"], ["-q"], ["--precision", "3"], ["--max-rows", "1"], ["--latex"],
    ["--check"], ["--check", "--rtol", "1e-3", "--atol", "0"], ["--expect", "z=1"],
    ["--expect", "x=2*x"],
    ["--hessian"], ["--jacobian"], ["--tangent", "x=1"], ["--order", "2"], ["--symbolic"], ["--mode", "forward"], ["--compare-modes"],
    ["--symbolic", "--order", "3"], ["--symbolic", "--hessian"],
    ["--order", "100"],
    ["--wrt", "x"], ["--upstream", "2"], ["--upstream", "[1, 1]"], ["--limit", "nodes=50"],
    ["--var", "y=1"], [PROGRAM_FILE], [POINTS], [POINTS, "--keep-going"],
    ["--dot"], ["--mermaid"], ["--tree"], ["--render", "RENDER"], ["--html", "-", "--quiz"],
    ["--version"], ["-h"],
]
PAIRS = list(itertools.combinations(range(len(OPTION_SETS)), 2))
PER_PAIR = 5   # expressions per pair; 5 and the 14 expressions share no factor, so the rotation covers all


def name_of(options: list[str]) -> str:
    return " ".join(options)


def invoke(program: str, values: dict, options: list[str], folder) -> list[str]:
    """Run one command line; the ways it broke the rules (an empty list if it kept them)."""
    args, stdin = [program], None
    options = [str(folder / "graph.svg") if option == "RENDER" else option for option in options]
    if PROGRAM_FILE in options:
        (folder / "program.gc").write_text(program, encoding="utf-8")
        args, options = [], [option for option in options if option != PROGRAM_FILE] + \
            ["-f", str(folder / "program.gc")]
    if POINTS in options:
        options = [option for option in options if option != POINTS] + ["--points", "-"]
        stdin = json.dumps({name: json.loads(value) for name, value in values.items()}) + "\n"
    else:
        for name, value in values.items():
            args += [f"--{name}", value]
    args += options
    result = CliRunner().invoke(main, args, input=stdin)
    shown = f"{args!r} → exit {result.exit_code}\nstdout: {result.stdout[-400:]}\nstderr: {result.stderr[-400:]}"
    problems = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"raised {type(result.exception).__name__}: {result.exception}")
    if result.exit_code not in (0, 1, 2, 3, 4):
        problems.append("exit code outside 0-4")
    if result.exit_code != 0 and not result.stderr.strip():
        problems.append("no message on stderr")
    if result.exit_code in (2, 3) and "error: " not in result.stderr:
        problems.append("an error without 'error: '")
    if "Traceback" in result.stdout + result.stderr or "internal error" in result.stderr:
        problems.append("a traceback or an internal error")
    # Every note about how the text was read reaches every output that shows a result.
    shows_result = not {"-h", "--version"} & set(options)   # these print the help or version only
    if program == NOTED and shows_result and result.exit_code in (0, 1) and result.stdout \
            and "1/2x is read as (1/2)·x" not in result.stdout + result.stderr:
        problems.append("the note on how the text was read is missing")
    return [f"{problem}: {shown}" for problem in problems]


@pytest.mark.parametrize("options", OPTION_SETS, ids=name_of)
def test_every_option_alone_over_every_expression(options, tmp_path):
    problems = []
    for program, values in EXPRESSIONS:
        problems += invoke(program, values, options, tmp_path)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: " + ".join(name_of(OPTION_SETS[i]) for i in pair))
def test_every_pair_of_options(pair, tmp_path):
    first, second = pair
    options = OPTION_SETS[first] + OPTION_SETS[second]
    problems = []
    start = PER_PAIR * PAIRS.index(pair)
    for k in range(PER_PAIR):
        program, values = EXPRESSIONS[(start + k) % len(EXPRESSIONS)]
        problems += invoke(program, values, options, tmp_path)
    assert not problems, "\n\n".join(problems)


def test_every_option_of_the_command_is_in_the_matrix():
    # A new option joins OPTION_SETS, so it is run beside every other one. The options as declared
    # (cli/spec.py, which click's are made from), not click's objects: those differ between click
    # 8.1 and 8.5 (8.1.0's help option, read off a bare Context, is --help alone).
    from gradcalc.cli import spec

    used = {option for options in OPTION_SETS for option in options} | {"-f", "--points"}
    for option in spec.COMMAND:
        assert set(option.names) & used, option.names
    assert set(spec.HELP) & used and spec.VERSION in used


def test_the_pairs_meet_every_expression():
    for i in range(len(OPTION_SETS)):
        met = {(PER_PAIR * PAIRS.index(pair) + k) % len(EXPRESSIONS)
               for pair in PAIRS if i in pair for k in range(PER_PAIR)}
        assert met == set(range(len(EXPRESSIONS))), OPTION_SETS[i]


# The cases the outside looks found, each on its own ------------------------------------------------

def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("form", [[], ["-q"], ["--json"], ["--latex"], ["--plain"]])
@pytest.mark.parametrize("program, formula", [("pi*x**2", "2*pi*x"), ("e*x**2", "2*e*x")])
def test_symbolic_order_with_a_constant(program, formula, form):
    # The Taylor orders' formulas are rebuilt from their normal form, where pi and e are symbols
    # that are no variable of the graph (once KeyError: 'pi', exit 70).
    result = run(program, "--x", "1", "--symbolic", "--order", "2", *form)
    assert result.exit_code == 0, result.stderr
    if form == ["-q"]:
        lines = result.stdout.split()
        assert lines[0] == formula and lines[-1] == format(2 * (math.pi if "pi" in program else math.e),
                                                           ".10g")
    if form == ["--json"]:
        found = json.loads(result.stdout)
        assert found["symbolic"]["x"] == formula
        assert found["derivative"]["formula"] in ("2*pi", "2*e")


@pytest.mark.parametrize("depth", [350, 3000])
def test_symbolic_formulas_at_depth(depth):
    # sin(sin(…(x)…)): the formula printers and the constant test walk iteratively (once a
    # RecursionError at 350 levels, exit 70).
    program = "sin(" * depth + "x" + ")" * depth
    for form in (["--json"], ["--latex"], ["-q"]):
        result = run(program, "--x", "0.5", "--symbolic", *form)
        assert result.exit_code == 0, (form, result.stderr)
    formula = json.loads(run(program, "--x", "0.5", "--symbolic", "--json").stdout)["symbolic"]["x"]
    # The formula, a program of its own, gives the backward pass's number back.
    from gradcalc import compute

    expected = compute(program, x=0.5).gradient["x"]
    assert compute(formula, x=0.5).value == pytest.approx(expected, rel=1e-12)


def test_symbolic_formula_of_a_deep_constant():
    # A factor nested deep in functions of constants only (sin(sin(…pi…))·x) is a constant and leads.
    program = "sin(" * 2000 + "pi/7" + ")" * 2000 + "*x**2"
    result = run(program, "--x", "1", "--symbolic", "-q")
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(r"2\*t\d+\*x", result.stdout.rstrip().split("; ")[-1]), result.stdout[-200:]


def test_latex_names_stay_apart():
    # _ alone would open a subscript; x1 and x_1 both read x_{1}: each name must look like itself.
    result = run("_*x1*x_1", "--_", "1", "--x1", "2", "--x_1", "3", "--latex", "--symbolic")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if r"\partial" in line]
    denominators = [line.split(r"{\partial ")[2].split("}}")[0] for line in lines]
    assert len(set(denominators)) == 3, denominators
    assert r"\partial _}" not in result.stdout
    # Alone, x1 is still the textbook x_{1}.
    alone = run("x1**2", "--x1", "2", "--latex", "--symbolic")
    assert r"{\partial x_{1}}" in alone.stdout


@pytest.mark.parametrize("options", [["--latex"], ["--dot"], ["--mermaid"], ["--tree"], ["--hessian", "-q"],
                                     ["--symbolic", "-q"], ["--order", "2", "-q"],
                                     ["--mode", "forward", "--json"], ["--symbolic", "--latex"],
                                     ["--check", "--json"]])
def test_the_note_on_how_the_text_was_read_reaches_every_output(options):
    result = run("1/2x", "--x", "1", *options)
    assert result.exit_code == 0, result.stderr
    assert "note: 1/2x is read as (1/2)·x" in result.stderr
