"""Correctness at scale through the CLI: 10⁵-term sums and 10⁴-deep nesting (timings are in bench/)."""

import json
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


def test_the_generated_parser_is_current():
    from gradcalc import _lalr
    from gradcalc.parse import grammar_text

    assert _lalr.GRAMMAR == grammar_text(), \
        "grammar/gradcalc.lark changed: run `python -m gradcalc.parse` to regenerate gradcalc/_lalr.py"


@pytest.mark.parametrize("text", ["t = x + y; z = t**2", "-x**2 + sin(x)*y/3", "x + ", "x $ y", "(x"])
def test_lark_builds_the_same_graph_as_the_generated_parser(monkeypatch, text):
    # With a stale _lalr.py (grammar edited, not regenerated), Lark itself parses: same graph, same errors.
    from gradcalc import _lalr, parse as parse_module
    from gradcalc.errors import GradcalcError

    def outcome():
        try:
            graph = parse_module.parse(text)
            return graph.nodes, graph.output
        except GradcalcError as error:
            return error.render()

    generated = outcome()
    monkeypatch.setattr(_lalr, "GRAMMAR", "stale")
    parse_module._parser.cache_clear()
    try:
        assert parse_module._parser()[1] is not _lalr
        assert outcome() == generated
    finally:
        parse_module._parser.cache_clear()
