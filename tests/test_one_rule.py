"""One rule for a written number's figures, read in one place (tolerance.read_rule) and used on every
path: a class's CSV, a sheet graded on its own, a hand-in graded by the teacher's copy (--rules) and a
quiz page's script. Before, a hand-in's `x = 2.00` was read as the float 2.0 (2 figures, wrong under
sigfigs = 3) where the cell 2.00 was right, a sheet alone judged 0.197 for σ′(1) wrong where a class
and a quiz judged it right, and `2` where 2.00 is asked was told "right to 1 significant figure"."""

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.classroom import grade_class, load_class_sheet, read_answers
from gradcalc.cli import main
from gradcalc.sheet import grade, load_sheet, with_rules
from gradcalc.tolerance import Rule, judge_number, page_terms, rounding

RULES = ["sigfigs = 3", "sigfigs = [3, 2]", "sigfigs = [3, -1]", "decimals = 2", "rtol = 1e-3", ""]
CASES = [   # expression, point, answer asked, numbers written for it
    ("x*y", {"x": 1, "y": 2}, "x", ["2", "2.0", "2.00", "2.000", "2.01", "1.99", "2e0", "200e-2", "+2.00"]),
    ("sigmoid(w)", {"w": 1}, "w", ["0.197", "0.1966", "0.19661", "0.2", "0.20", "0.196", "1.97e-1", "0.19"]),
    ("x*y", {"x": 0, "y": 0}, "x", ["0", "0.0", "0.00", "1e-13"]),
    ("x*y", {"x": 1, "y": 9.995}, "x", ["10.0", "9.99", "10", "9.995", "10.00"]),
]


def _head(rule: str, expression: str, at: dict) -> str:
    point = ", ".join(f"{name} = {value}" for name, value in at.items())
    return f'title = "t"\n{rule}\n[[problem]]\nexpression = "{expression}"\nat = {{ {point} }}\n'


@pytest.mark.parametrize("rule", RULES)
def test_every_path_judges_a_written_number_alike(rule):
    for expression, at, name, texts in CASES:
        head = _head(rule, expression, at)
        copy = load_class_sheet(head + f'answers = ["{name}"]\n', "copy.toml")
        answers = f"student,p1.{name}\n" + "".join(f"s{i},{text}\n" for i, text in enumerate(texts))
        book = grade_class(copy, read_answers(answers, copy, "answers.csv"))
        for i, text in enumerate(texts):
            cell = book.students[i].marks[0].verdict
            # The teacher's own sheet, the answer in quotes; a student's hand-in, the answer a TOML number.
            sheet = grade(load_sheet(head + f'[problem.expect]\n{name} = "{text}"\n'), sheet_tolerance=True)
            handin = load_sheet(_head("", expression, at) + f"[problem.expect]\n{name} = {text}\n")
            ruled = grade(with_rules(handin, copy)[0], sheet_tolerance=True)
            found = {(cell.ok, cell.failure), (sheet.graded[0].verdicts[0].ok, sheet.graded[0].verdicts[0].failure),
                     (ruled.graded[0].verdicts[0].ok, ruled.graded[0].verdicts[0].failure)}
            assert len(found) == 1, (rule, expression, text, found)


def test_a_hand_in_alone_is_judged_as_the_class_is():
    # No tolerance keys: the default for answers computed by hand, on its own as in a class.
    sheet = load_sheet(_head("", "sigmoid(w)", {"w": 1}) + '[problem.expect]\nw = 0.197\nz = "0.73"\n')
    verdicts = grade(sheet).graded[0].verdicts
    assert verdicts[0].ok and not verdicts[1].ok
    assert verdicts[1].failure == "right to 2 significant figures; the sheet asks for 3"


@pytest.mark.parametrize("rule, text, says", [
    (Rule(sigfigs=3, hand=False), "2", "the value is right, but the sheet asks for 3 significant figures: write 2.00"),
    (Rule(sigfigs=3, hand=False), "2.000", "the value is right, but the sheet asks for 3 significant figures: "
                                           "write 2.00"),
    (Rule(sigfigs=3, accurate=-1, hand=False), "2.0", "the value is right, but the sheet asks for at least 3 "
                                                      "significant figures: write 2.00"),
    (Rule(decimals=2, hand=False), "2", "the value is right, but the sheet asks for 2 decimal places: write 2.00"),
    (Rule(decimals=2, hand=False), "0", None),   # 0 for 0.5: simply wrong
])
def test_the_value_itself_written_otherwise_is_told_what_to_write(rule, text, says):
    computed = 0.5 if says is None else 2.0
    ok, why = judge_number(rule, text, computed)
    assert not ok and why == says
    assert rounding(why) == (says is not None)   # a rounding: no mistake is guessed for it


def test_a_class_and_a_hand_in_are_told_to_write_200(tmp_path):
    (tmp_path / "k.toml").write_text(_head("sigfigs = 3", "x*y", {"x": 1, "y": 2}) + 'answers = ["x"]\n')
    (tmp_path / "a.csv").write_text("student,p1.x\nAnn,2\nBo,2.00\n")
    book = CliRunner().invoke(main, ["check", str(tmp_path / "k.toml"), "--answers", str(tmp_path / "a.csv"),
                                     "--report", str(tmp_path / "feedback")])
    assert book.exit_code == 0 and "Ann,0,0,1," in book.stdout and "Bo,1,1,1," in book.stdout, book.output
    ann = (tmp_path / "feedback" / "Ann.md").read_text(encoding="utf-8")
    assert "your answer `2` — the value is right, but the sheet asks for 3 significant figures: write 2.00" in ann
    (tmp_path / "h.toml").write_text(_head("", "x*y", {"x": 1, "y": 2}) + "[problem.expect]\nx = 2.00\n")
    ruled = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml"), "--rules", str(tmp_path / "k.toml"),
                                      "--plain"])
    assert ruled.exit_code == 0 and "✓  ∂z/∂x = 2.00" in ruled.stdout, ruled.output   # read as 2.0 before


# The quiz page's script judges in the browser from page_terms: the same verdicts and words as
# judge_number, for every rule and a range of numbers (page.js's judging functions run by node).
PAGE_JS = Path(__file__).resolve().parent.parent / "gradcalc" / "render" / "html_assets" / "page.js"
RUNNER = """
const src = require("fs").readFileSync(process.argv[1], "utf8");
const body = src.slice(src.indexOf("  function parseAnswer"), src.indexOf("  function ask()"));
const lib = new Function("data", body + "\\nreturn {parseAnswer: parseAnswer, judge: judge};")({asker: "the sheet"});
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(cases.map(c => lib.judge(lib.parseAnswer(c.text), c.expected, c.terms))));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the page's script outside a browser")
def test_the_quiz_script_judges_as_gradcalc_does():
    rules = [Rule(), Rule(hand=False), Rule(sigfigs=3, hand=False), Rule(sigfigs=3, accurate=2, hand=False),
             Rule(sigfigs=3, accurate=-1, hand=False), Rule(decimals=2, hand=False), Rule(rtol=1e-3, hand=False)]
    values = [2.0, 0.19661193324148185, 9.96, 0.0, -0.5, 100.0, 123456.789, 1e-7, 2 / 3, 0.995, 0.5]
    cases = []
    for value, rule in itertools.product(values, rules):
        texts = {"2", "2.0", "2.00", "0", "0.00", ".5", "+2.00", repr(value)}
        for figures in range(1, 6):
            texts |= {f"{value:.{figures - 1}e}", f"{value:.{figures}f}", f"{value:.{figures}g}"}
        cases += [(rule, value, text) for text in sorted(texts)]
    done = subprocess.run(["node", "-e", RUNNER, str(PAGE_JS)], capture_output=True, text=True, timeout=60,
                          input=json.dumps([{"text": t, "expected": v, "terms": page_terms(r, v)}
                                            for r, v, t in cases]))
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    differ = [(rule, value, text, found, judge_number(rule, text, value))
              for (rule, value, text), found in zip(cases, page) if tuple(found) != judge_number(rule, text, value)]
    assert not differ and len(cases) > 1000, differ[:5]


def test_a_sheet_says_the_value_is_right_and_guesses_no_rounding(tmp_path):
    (tmp_path / "s.toml").write_text(_head("sigfigs = 3", "x*y", {"x": 1, "y": 2}) + "[problem.expect]\nx = 2\n")
    found = CliRunner().invoke(main, ["check", str(tmp_path / "s.toml"), "--teacher-sheet", "--plain"])
    assert found.exit_code == 1
    assert "✗ ∂z/∂x = 2: the value is right, but the sheet asks for 3 significant figures: write 2.00" in found.stdout
    assert "rounded to 1 significant figure" not in found.stdout and "right to 1" not in found.stdout
