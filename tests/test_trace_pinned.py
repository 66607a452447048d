"""The backward trace and --json of a few programs, byte for byte as recorded: a change to how the
engine keeps the backward pass (evaluate.Steps) must not change a character of what is shown.

The programs cover what the record holds: fan-out (a gradient accumulated over several edges), a
repeated input (x*x: k tells the edges apart), array ops with a vector-Jacobian rule (a local
worked out only when read), --upstream, --wrt (edges not followed), a where and a kink. Where an
output changes on purpose, record again and read the diff:

    python tests/test_trace_pinned.py --record
"""

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

RECORDED = Path(__file__).parent / "corpus" / "pinned_traces.json"

CASES = {
    "fan-out": ["a = x*y; z = a*a + a", "--x", "2", "--y", "3"],
    "repeated input": ["x*x + x + x*sin(x)", "--x", "1.5"],
    "textbook": ["z = 1.2 * (a*b)", "--a", "10", "--b", "5"],
    "layer": ["h = tanh(W@x + b); L = sum(h**2)", "--W", "[[1,2],[3,-4]]", "--x", "[0.1,0.2]",
              "--b", "[0.5,-0.5]"],
    "softmax": ["softmax(x) @ y", "--x", "[1,2,3]", "--y", "[0.5,-1,2]"],
    "upstream": ["y = W@x", "--W", "[[1,2],[3,4]]", "--x", "[1,1]", "--upstream", "[1,2]"],
    "wrt": ["t = x*y + y; z = t*t", "--x", "1", "--y", "2", "--wrt", "x"],
    "kinks": ["max(x, y) + abs(x - y) + where(x > 0, log(x), 0)", "--x", "2", "--y", "2"],
}
MODES = {"plain": ["--plain", "--max-rows", "0"], "json": ["--json"]}


def _outputs(case: str) -> dict[str, str]:
    found = {}
    for mode, flags in MODES.items():
        result = CliRunner().invoke(main, [*CASES[case], *flags])
        assert result.exit_code == 0, result.output
        found[mode] = result.stdout
    return found


@pytest.mark.parametrize("case", sorted(CASES))
def test_trace_and_json_are_as_recorded(case):
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))[case]
    found = _outputs(case)
    assert found["plain"] == recorded["plain"]
    assert found["json"] == recorded["json"]
    assert "Backward" in found["plain"] and json.loads(found["json"])["nodes"]


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    RECORDED.write_text(json.dumps({case: _outputs(case) for case in sorted(CASES)}, indent=1,
                                   ensure_ascii=False) + "\n", encoding="utf-8")


def test_steps_read_as_a_sequence_of_edges():
    from gradcalc import compute
    from gradcalc.evaluate import Steps

    steps = compute("a = x*y; z = a*a + a", {"x": 2, "y": 3}).steps
    listed = list(steps)
    assert len(steps) == len(listed) == 6
    fields = ("node", "input", "k", "upstream", "local", "flowing", "accumulated")
    row = [[getattr(step, name) for name in fields] for step in listed]
    assert row == [[getattr(steps[i], name) for name in fields] for i in range(len(steps))]
    assert [[getattr(s, name) for name in fields] for s in steps[1:4]] == row[1:4]
    # z = a*a + a: into a by the sum (1), then twice through a*a (6 each): 1, 7, 13 accumulated
    assert [(s.input, s.k, s.flowing, s.accumulated) for s in steps[1:4]] == [(2, 1, 1.0, 1.0), (2, 0, 6.0, 7.0),
                                                                              (2, 1, 6.0, 13.0)]
    assert row[-2][1:] == [0, 0, 13.0, 3.0, 39.0, 39.0] and row[-1][1:] == [1, 1, 13.0, 2.0, 26.0, 26.0]
    # an op of more than 255 inputs: its k still fits
    wide = Steps()
    for k in (0, 255, 256, 70_000):
        wide.add(9, k, k, 1.0, 2.0, 2.0, 2.0)
    assert [step.k for step in wide] == [0, 255, 256, 70_000]
