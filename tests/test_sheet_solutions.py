"""--solutions a student can read (issue 25): every node the solution names is defined in it, and the
formulas are in textbook form (σ′ cancelled against cross-entropy, ReLU′ a step, log∘exp undone)."""

import re

from click.testing import CliRunner

from gradcalc.cli import main

SHEET = '''title = "Textbook forms"

[[problem]]
id = "bce"
expression = "p = sigmoid(a); L = -(t*log(p) + (1-t)*log(1-p))"
at = { a = 0.3, t = 1 }
answers = ["a"]

[[problem]]
id = "relu"
expression = "relu(w*x + b)"
at = { w = 0.5, x = 2, b = -0.5 }
answers = ["w"]

[[problem]]
id = "ln"
expression = "log(exp(x)*y)"
at = { x = 0.5, y = 2 }
answers = ["x"]
'''


def feedback(tmp_path, sheet: str = SHEET, answers: str = "bce.a,relu.w,ln.x\nAda,1,1,0") -> str:
    """Ada's feedback file with --solutions, for a sheet and the answers file after its student column."""
    (tmp_path / "sheet.toml").write_text(sheet)
    (tmp_path / "answers.csv").write_text("student," + answers + "\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "sheet.toml"), "--answers",
                                       str(tmp_path / "answers.csv"), "--report", str(tmp_path / "out"),
                                       "--solutions"])
    assert result.exit_code == 0, result.output
    return (tmp_path / "out" / "Ada.md").read_text()


def test_solutions_are_in_textbook_form(tmp_path):
    text = feedback(tmp_path)
    assert "∂L/∂a = `sigmoid(a) - t`" in text
    assert "∂z/∂w = `x*(w*x + b > 0)`" in text
    assert "∂z/∂x = `1`" in text
    assert "sign(relu" not in text and "1 - sigmoid(a))*(" not in text


def test_every_node_a_solution_names_is_defined_in_it(tmp_path):
    text = feedback(tmp_path)
    blocks = re.findall(r"```text\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        defined = set(re.findall(r"^\s*(n\d+) = ", block, re.M))
        named = set(re.findall(r"\bn\d+\b", block))
        assert named <= defined, (named - defined, block)
    # the definitions come with their values: n1 = log(p) = -0.5543552445
    assert re.search(r"n1 = log\(p\) = -0\.55435524", text)


def test_softmax_with_cross_entropy_is_softmax_minus_the_labels(tmp_path):
    text = feedback(tmp_path, '''
[[problem]]
id = "ce"
expression = "cross_entropy(z, y)"
at = { z = [1.0, 2.0, 0.5], y = [0, 1, 0] }
answers = ["z"]

[[problem]]
id = "sum"
expression = "L = -sum(y*log(softmax(z)))"
at = { z = [1.0, 2.0, 0.5], y = [0, 1, 0] }
answers = ["z"]

[[problem]]
id = "batch"
expression = "cross_entropy(z, y)"
at = { z = [[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]], y = [[0, 1, 0], [1, 0, 0]] }
answers = ["z"]

[[problem]]
id = "unnormed"
expression = "cross_entropy(z, y)"
at = { z = [1.0, 2.0, 0.5], y = [0, 2, 0] }
answers = ["z"]
''', "ce.z,sum.z,batch.z,unnormed.z\nAda,0,0,0,0")
    assert "∂f/∂z = `softmax(z) - y` (where y sums to 1)" in text
    assert "∂L/∂z = `softmax(z) - y` (where y sums to 1)" in text
    assert "∂f/∂z = `(softmax(z) - y)/2` (where each row of y sums to 1)" in text
    assert text.count("As a formula") == 3     # y = [0, 2, 0] sums to 2: no such formula
    key = CliRunner().invoke(main, ["check", str(tmp_path / "sheet.toml"), "--key", "--latex"])
    assert r"\operatorname{softmax}\left(z\right) - y" in key.stdout
    assert r"&= \frac{\operatorname{softmax}\left(z\right) - y}{2} = " in key.stdout     # over the rows
