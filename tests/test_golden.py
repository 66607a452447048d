"""The textbook examples, exactly, from the API and from the command line in every output form."""

import json

import pytest
from click.testing import CliRunner

from gradcalc import compute
from gradcalc.cli import main
from helpers import APPLE, APPLE_ORANGE, APPLE_ORANGE_VALUES, GOLDEN  # noqa: F401 - shared cases

def flags(values):
    return [item for name, v in values.items() for item in (f"--{name}", str(v))]


@pytest.mark.parametrize("program, values, out, value, grads", GOLDEN)
def test_api(program, values, out, value, grads):
    from gradcalc.numbers import format_value

    result = compute(program, values)
    assert result.output_name == out
    assert format_value(result.value) == value
    assert {n: format_value(g) for n, g in result.gradient.items()} == grads


@pytest.mark.parametrize("program, values, out, value, grads", GOLDEN)
def test_plain_output(program, values, out, value, grads):
    result = CliRunner().invoke(main, [program, *flags(values), "--plain"])
    assert result.exit_code == 0, result.output
    assert f"  {out} = {value}\n" in result.stdout
    for name, grad in grads.items():
        assert f"  ∂{out}/∂{name} = {grad}\n" in result.stdout
    assert "━" not in result.stdout and "\x1b[" not in result.stdout  # no boxes, no colour


@pytest.mark.parametrize("program, values, out, value, grads", GOLDEN)
def test_json_output(program, values, out, value, grads):
    result = CliRunner().invoke(main, [program, *flags(values), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["output"] == out
    assert data["value"] == pytest.approx(float(value))
    assert data["gradient"] == pytest.approx({n: float(g) for n, g in grads.items()})


@pytest.mark.parametrize("program, values, out, value, grads", GOLDEN)
def test_rich_output(program, values, out, value, grads, on_a_terminal):
    result = CliRunner().invoke(main, [program, *flags(values)])
    assert result.exit_code == 0, result.output
    assert "Backward pass" in result.stdout
    assert f"{out} = {value}" in result.stdout
    for name, grad in grads.items():
        assert f"∂{out}/∂{name} = {grad}" in result.stdout


def test_named_intermediates_label_the_trace():
    result = CliRunner().invoke(main, ["t = x + y; z = t**2", "--x", "1", "--y", "2", "--plain"])
    lines = result.stdout.splitlines()
    assert any(line.split()[:3] == ["z", "→", "t"] and "2·t" in line for line in lines)
    assert any(line.split()[:3] == ["t", "→", "x"] for line in lines)
    assert any(line.split()[:4] == ["t", "x", "+", "y"] for line in lines)


def test_apple_orange_backward_rows_in_visiting_order():
    result = CliRunner().invoke(main, [APPLE_ORANGE, *APPLE_ORANGE_VALUES, "--plain"])
    edges = [" ".join(line.split()[:3]) for line in result.stdout.splitlines()[1:]
             if " → " in line and not line.startswith("  node")]
    assert edges == ["price → all_price", "price → tax", "all_price → apple_price",
                     "all_price → orange_price", "orange_price → orange", "orange_price → orange_num",
                     "apple_price → apple", "apple_price → apple_num"]


def test_multiply_node_passes_upstream_times_other_input():
    result = compute("z = 1.2 * (a*b)", a=10, b=5)
    steps = {result.labels[s.input]: s for s in result.steps}
    assert float(steps["a"].upstream) == pytest.approx(1.2)
    assert float(steps["a"].local) == 5 and float(steps["b"].local) == 10


def test_fan_out_accumulates_each_use():
    result = compute("x*x", x=3)
    assert [float(s.accumulated) for s in result.steps] == [3.0, 6.0]


@pytest.mark.parametrize("program, values, more", [
    ("(x+y)**2", {"x": 1, "y": 2}, None),
    ("t = x*y; z = sin(t) + t", {"x": 0.5, "y": 2}, {"checks": [1, 2]}),
    ("sum(relu(X @ W))", {"X": [[1.0, -2.0]], "W": [[1.0], [3.0]]}, None),
])
def test_json_written_a_node_at_a_time_is_the_object_written_whole(program, values, more):
    from gradcalc import compute
    from gradcalc.render.json import chunks, dumps, to_dict

    result = compute(program, values)
    pieces = list(chunks(result, more))
    assert len(pieces) > 2                      # the head, a piece a node, the tail
    assert "".join(pieces) == dumps({**to_dict(result), **(more or {})}) + "\n"
