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
    # long programs: names read back, a statement computed for nothing, a function among them, a
    # name assigned again and again, a def whose body goes on after its return, an error at the end
    "\n".join(f"a{i} = x*{i}" for i in range(1100)) + "\n" + " + ".join(f"a{i}" for i in range(0, 1100, 7)),
    "\n".join(f"a{i} = {i}" for i in range(1100)) + "\nx + 1\n" + "\n".join(f"b{i} = a{i}" for i in range(1100)),
    "\n".join(f"a{i} = {i}" for i in range(1500)) + "\nf = lambda t: t*a3\n" + "\n".join(f"b{i} = f(a{i})" for i in range(900)),
    "\n".join(f"c = c + {i}" if i else "c = x" for i in range(1200)) + "\nc*a" + "\n".join(f"a{i} = 1" for i in range(3)),
    "\n".join(f"a{i} = {i}" for i in range(1100)) + "\ndef f(x):\n    return x\n    y = 3\nf(a1)",
    "\n".join(f"a{i} = {i}" for i in range(1100)) + "\na1 $ 2",
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


# Programs whose lines give names values (`x = 0.5`, one a line), which the driver reads a line a match
# (lalr._Lines) from the third on, beside lines it must leave to the LALR loop.
VALUE_LINES = [
    "a = 1\nb = 2\nc = 3\nd = 4.5\ne = .5e-3\na + b*c - d/e",
    "a = 1\nb = 2\nc = 3\nd = 4;e = 5 ;  f = 6 # six\n\n# g next\ng = 7\t\nh = 8\n a+b+c+d+e+f+g+h",
    "a = 1\nb = 2\nc = 3\nc = 4\nc = 5\nc*a",                     # a name given a value again
    "a = 1\nb = 2\nc = 3\npi = 3\nsin = 2\nexp = 1\na*pi*sin",     # notes: a constant shadowed, a function's name
    "a = 1\nb = 2\nc = 3\nnp.x = 4\na",                           # a name with a dot: refused
    "a = 1\nb = 2\nc = 3\nd = 1e999\na",                         # too large a number
    "a = 1\nb = 2\nc = 3\nif = 4\nlambda = 5\na",                # keywords are no names
    "a = 1\nb = 2\nc = 3\nlambda x = 4\ndef f = 1\na",
    "a = 1\nb = 2\nc = 3\nd == 4\na",                            # a comparison, not an assignment
    "a = 1\nb = 2\nc = 3\nd = 4 + a\ne = 5x\nf = 1.5.5\ng = 2\nh = 3\ni = 4\na*d*e*i",
    "a = 1\nb = 2\nc = 3\nd = 4\nx.y = 5\nd",
    "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n",                        # no expression after them
    "a = 1\nb = 2\nc = 3\nd = 4\ne = 5",                          # the last line without a line break
    "a = 1\nb = 2\nc = 3\nd = 4\nd $ 5\n",                       # a syntax error after them
    "a = 1\nb = 2\nc = 3\nd = 4\ne = a\nf = 5\ng = 6\nh = 7\ne*h",  # a line of a name: the loop's
    "x = 1\ny = 2\nt = x*y\nz = 3\nw = 4\nq = 5\nt + z*w*q\nx = 7\nr = 8\ns = 9\nr*s",
    "µ = 1\nσ = 2\nσ₁ = 3\nα = 4\nβ = 5\nµ*σ*σ₁*α*β",
]


@pytest.mark.parametrize("text", VALUE_LINES, ids=range(len(VALUE_LINES)))
def test_value_lines_read_at_once_build_what_the_loop_builds(monkeypatch, text):
    import importlib

    lalr = importlib.import_module("gradcalc.lalr")
    parse_module = importlib.import_module("gradcalc.parse")

    def outcome():
        result = _outcome(text)
        if isinstance(result, str):
            return result
        graph = parse_module.parse(text)
        return (*result, graph.defaults, graph.versions, graph.notes)

    fast = outcome()
    monkeypatch.setattr(lalr, "_LINES", None)
    assert outcome() == fast
    monkeypatch.setattr(parse_module, "_tables", lambda: None)       # Lark's parser
    assert outcome() == fast


def test_value_lines_of_a_long_program(monkeypatch):
    # 3000 lines of values, some given again, some names or numbers read otherwise, then their sum
    import importlib
    import random

    lalr = importlib.import_module("gradcalc.lalr")
    pick = random.Random(27)
    names = [f"v{i}" for i in range(400)]
    lines = [f"{pick.choice(names)} = {pick.choice(['1', '0.5', '2e-3', '.25', '7.'])}" for _ in range(3000)]
    for at in pick.sample(range(3, 3000), 60):
        lines[at] = pick.choice(["t = v1 + 1", "u = 2 # two", "w = 3;", "", "# a comment", "v2 = v3"])
    text = "v1 = 1\nv2 = 2\nv3 = 3\n" + "\n".join(lines) + "\n" + " + ".join(sorted(set(names) & set(
        line.split(" =")[0] for line in lines)))
    lines, read = lalr._LINES, []
    monkeypatch.setattr(lines, "read", lambda *args: read.append(type(lines).read(lines, *args)) or read[-1])
    fast = _outcome(text)
    assert not isinstance(fast, str), fast
    assert len([at for at in read if at is not None]) >= 10       # read at once again after the other lines
    monkeypatch.setattr(lalr, "_LINES", None)
    assert _outcome(text) == fast


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


def test_a_program_file_over_a_megabyte_has_malloc_map_large_blocks_and_answers_the_same(tmp_path):
    # Over cli.program.BIG characters the CLI has glibc's malloc map large blocks on their own (fewer
    # heap holes, a lower peak): a setting of memory only, so the answer is the small file's, byte for
    # byte. In a child process, so this test's own malloc is left as it was.
    import os
    import subprocess

    from gradcalc.cli.program import BIG

    small, big = tmp_path / "small.gc", tmp_path / "big.gc"
    program = "t = sin(x)*y\nz = t*t + x\n"
    small.write_text(program)
    big.write_text(("# " + "a comment line " * 4 + "\n") * (BIG // 60 + 10) + program)
    assert len(big.read_text()) > BIG
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    outputs = [subprocess.run([sys.executable, "-m", "gradcalc", "-f", str(path), "--x", "0.5", "--y", "2",
                               "--json"], capture_output=True, text=True, env=env, cwd=tmp_path)
               for path in (small, big)]
    assert [out.returncode for out in outputs] == [0, 0], outputs[1].stderr
    assert outputs[1].stdout == outputs[0].stdout and '"output": "z"' in outputs[0].stdout


def test_mapping_large_blocks_is_harmless_anywhere(monkeypatch):
    # Where the C library is not glibc (os.confstr has no such name) or ctypes finds no mallopt:
    # nothing happens, no error (the real call is the child's of the test above, not this process's).
    import os

    from gradcalc.cli.program import map_large_blocks

    def not_glibc(name):
        raise ValueError("unrecognized configuration name")

    monkeypatch.setattr(os, "confstr", not_glibc)
    map_large_blocks()
    monkeypatch.setattr(os, "confstr", lambda name: "glibc 2.36")
    import ctypes

    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())    # no mallopt on it: AttributeError
    map_large_blocks()
