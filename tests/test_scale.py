"""Correctness at scale through the CLI: 10⁵-term sums and 10⁴-deep nesting (timings are in bench/)."""

import math
import sys

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

X, Y = 1.5, -0.5


def run(args, text=None):
    limit = sys.getrecursionlimit()
    result = CliRunner().invoke(main, args, input=text)
    assert sys.getrecursionlimit() == limit  # nothing raised the limit to get through
    assert result.exit_code == 0, result.stderr + repr(result.exception)
    return result.stdout


def quiet_numbers(stdout: str) -> list[float]:
    return [float(line) for line in stdout.split()]


def test_sum_of_100_000_terms_from_a_file(tmp_path):
    n = 100_000
    terms = ["x", "y", "x*y", "2", "x/4"]
    path = tmp_path / "long.gc"
    path.write_text(" + ".join(terms[i % len(terms)] for i in range(n)))
    value, dx, dy = quiet_numbers(run(["-f", str(path), "--x", str(X), "--y", str(Y), "-q"]))
    reps = n // len(terms)
    assert value == pytest.approx(reps * (X + Y + X * Y + 2 + X / 4), rel=1e-12)
    assert dx == pytest.approx(reps * (1 + Y + 1 / 4), rel=1e-12)
    assert dy == pytest.approx(reps * (1 + X), rel=1e-12)


@pytest.mark.parametrize("depth", [10_000])
def test_nested_10_000_deep_from_stdin(depth):
    # x + (x + (… (x + 1))): one node per level, so backward walks a 10⁴-long chain.
    text = "(x + " * depth + "1" + ")" * depth
    value, dx = quiet_numbers(run(["-f", "-", "--x", str(X), "-q"], text))
    assert value == pytest.approx(depth * X + 1)
    assert dx == depth


def test_nested_function_calls_10_000_deep(tmp_path):
    depth = 10_000
    path = tmp_path / "deep.gc"
    path.write_text("tanh(" * depth + "x" + ")" * depth)
    value, dx = quiet_numbers(run(["-f", str(path), "--x", "0.1", "-q"]))
    expected, derivative = 0.1, 1.0
    for _ in range(depth):
        expected = math.tanh(expected)
        derivative *= 1 - expected**2
    assert value == pytest.approx(expected, rel=1e-9)
    assert dx == pytest.approx(derivative, rel=1e-9)


def test_the_generated_tables_are_current():
    from gradcalc import _lalr_tables
    from gradcalc.parse import grammar_text

    assert _lalr_tables.GRAMMAR == grammar_text(), \
        "grammar/gradcalc.lark changed: run `python tools/generate_tables.py` to regenerate gradcalc/_lalr_tables.py"


def _outcome(text):
    from gradcalc.errors import GradcalcError
    from gradcalc.parse import parse

    try:
        graph = parse(text)
        return graph.nodes, graph.output, graph.variables, graph.constants
    except GradcalcError as error:
        return error.render()


PROGRAMS = ["t = x + y; z = t**2", "-x**2 + sin(x)*y/3", "x + ", "x $ y", "(x", "sum(x, 0) @ W.T",
            "a = 2\n# note\nb = a*x;; c = b ^ -a", "f(x)", "max()", "1e999", "x = 1; x = 2", "(((x)))",
            "x.T.T", "2 * * x", "x ** -y ** 2", "sigmoid(x) - - - y", "\n\nx\n\n", "x y", "x;", ")",
            "(x+1)(x-1)", "2sin(x)cos(x) + 1/2x", "e^2x", "x²y + √(x+1)", "f(x, y) = x y", "sin^2(x)",
            "(x+1)2", "2x y", "f(2) = x", "x⁻¹ √x³",
            # the tokenizer skips spaces and comments before a token, and at the end of the text
            "x + y  ", "x # note", "x\n# note\n", "  \t x*y\t", "t = x # a\n\n  t*2  # b", "x +  # c",
            "x\n   ", "x ;; ", "x $ # c"]


@pytest.mark.parametrize("text", PROGRAMS)
def test_lark_builds_the_same_graph_as_the_fast_driver(monkeypatch, text):
    # Lark's own parser (used for syntax errors, and when the tables are older than the grammar)
    # and the driver over the generated tables build the same graph and give the same errors.
    import importlib

    parse_module = importlib.import_module("gradcalc.parse")   # gradcalc.parse is the function

    fast = _outcome(text)
    monkeypatch.setattr(parse_module, "_tables", lambda: None)
    assert _outcome(text) == fast


def test_products_without_star_at_scale(tmp_path):
    # 10⁵ factors side by side, and 10⁴ levels of (…)x: one node per factor, no quadratic re-reading
    # of the text for the checks and notes of a product without *.
    path = tmp_path / "long.gc"
    path.write_text("2" + "(x)" * 100_000 + " + " + " + ".join(["1/2x", "x²y", "√(x)y"] * 5_000))
    value, dx, dy = quiet_numbers(run(["-f", str(path), "--x", "1", "--y", "1", "-q"]))
    assert (value, dx, dy) == (2 + 5_000 * 2.5, 2 * 100_000 + 5_000 * 3, 10_000)
    depth = 10_000
    value, dx = quiet_numbers(run(["-f", "-", "--x", "1", "-q"], "(" * depth + "x" + ")x" * depth))
    assert (value, dx) == (1, depth + 1)


LONG_CHAINS = [
    " + ".join(f"x*{i % 7}" if i % 3 else f"y/{i + 1}" for i in range(1500)) + " - x",   # runs of a sum, packed
    "*".join(["x", "y", "2"] * 700) + " @ x",             # a long product, then an operator after it
    "2" + "(x)" * 1500 + " + 1/2x",                        # side by side: the * made by hand keeps a run a list
    " + ".join(["x"] * 500) + " + None + " + " + ".join(["x"] * 1000),   # a ref with no node: that run stays a list
    " + ".join(["x"] * 1100) + " + y $ z",                # a syntax error after a long chain
    "t = " + " - ".join(["x", "y"] * 600) + "\nt * " + " * ".join(["t"] * 1030),
]


@pytest.mark.parametrize("text", LONG_CHAINS, ids=range(len(LONG_CHAINS)))
def test_long_chains_read_packed_build_what_lark_builds(monkeypatch, text):
    # A chain of more than lalr.RUN operators and terms is held packed while it grows; what is built
    # from it, and every error and note, is what Lark's lists give.
    import importlib

    parse_module = importlib.import_module("gradcalc.parse")

    def outcome():
        result = _outcome(text)
        return result if isinstance(result, str) else (*result, parse_module.parse(text).notes)

    fast = outcome()
    monkeypatch.setattr(parse_module, "_tables", lambda: None)
    assert outcome() == fast


def test_a_packed_chain_reads_as_its_list():
    from gradcalc.lalr import RUN, Packed

    items = [("+" if i % 4 else "-", 10 * i, 10 * i + 1) if i % 2 == 0 else (i, 10 * i - 5, 10 * i + 5)
             for i in range(2 * RUN + 6)]
    items[RUN + 3] = (None, 3, 4)                 # a run with a ref of no node stays a list
    packed = Packed(items[:RUN])
    for item in items[RUN:]:
        if len(packed.tail) >= RUN:
            packed.pack()
        packed.append(item)
    packed.head = ("first", 0, 1)
    whole = [("first", 0, 1), *items]
    assert len(packed) == len(whole) and list(packed) == whole
    assert [packed[i] for i in range(-len(whole), len(whole))] == whole + whole
    assert packed[5:9] == whole[5:9]
    assert type(packed.runs[0]) is not list and type(packed.runs[1]) is list
    with pytest.raises(IndexError):
        packed[len(whole)]


def test_a_points_header_of_40_000_spelled_out_greek_names(tmp_path):
    # alpha_i is α_i: each column's name was looked up by a scan of the graph's names, and each added
    # column's name (value, dz/dα_i) by a scan of the header: minutes for this file, now read once
    n = 40_000
    program, points = tmp_path / "greek.gc", tmp_path / "greek.csv"
    program.write_text(" + ".join(f"{i % 7}*α_{i}" for i in range(n)), encoding="utf-8")
    points.write_text(",".join(f"alpha_{i}" for i in range(n)) + "\n" + ",".join(["2"] * n) + "\n", encoding="utf-8")
    header, row = run(["-f", str(program), "--points", str(points)]).splitlines()
    assert header.split(",")[:2] == ["α_0", "α_1"] and header.split(",")[n:n + 3] == ["value", "dz/dα_0", "dz/dα_1"]
    numbers = [float(field) for field in row.split(",")]
    assert numbers[n] == 2 * sum(i % 7 for i in range(n)) and numbers[n + 1:n + 9] == [0, 1, 2, 3, 4, 5, 6, 0]
