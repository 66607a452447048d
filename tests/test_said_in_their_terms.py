"""Messages speak in the terms of what the user wrote: a sheet's unknown answer is its
[problem.expect] entry, not an --expect option; a hint's example value can be pasted back as it is."""

import re
import shlex

import numpy as np
import pytest

from helpers import run


def test_a_sheets_unknown_answer_is_named_as_the_sheet_writes_it(tmp_path):
    sheet = tmp_path / "hs3.toml"
    sheet.write_text('[[problem]]\nexpression = "x*y"\nat = { x = 1, y = 2, q = 3 }\n'
                     '[problem.expect]\nx = 2\nw = 3\n')
    result = run("check", str(sheet), "--plain")
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first == "error: problem 1: [problem.expect] w: the expression has no input or named value w"
    assert "--expect" not in result.stderr
    assert "hint: name an input or a named intermediate (x, y) or the output z" in result.stderr


def test_the_command_line_still_names_its_option():
    result = run("x*y", "--x", "1", "--y", "2", "--expect", "w=3")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --expect w=…: the expression has no input or named value w")


@pytest.mark.parametrize("call, shape", [
    ("torch.randn(5, 3, requires_grad=True)", (5, 3)), ("torch.randn(3)", (3,)), ("np.random.randn(7)", (7,)),
    ("torch.randn(4, 6)", (4, 6)), ("torch.randn(2, 2, 2)", (2, 2, 2)),
])
def test_a_random_values_hint_gives_a_value_to_paste_back(call, shape):
    program = f"w = {call}\nloss = (w*w).sum()\n"
    refused = run(program)
    assert refused.exit_code == 2
    hint = next(line for line in refused.stderr.splitlines() if line.startswith("hint: "))
    assert "…" not in hint
    given = re.search(r"(--w .*)$", hint).group(1)
    words = shlex.split(given)
    result = run(program, *words, "--json")
    assert result.exit_code == 0, (hint, result.output)
    import json
    assert np.shape(json.loads(result.stdout)["gradient"]["w"]) == shape
