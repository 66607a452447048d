"""Tolerances as graders set them (issue 25): rtol/atol, significant figures and decimals per sheet, per
problem and per answer, the default for hand-computed class answers, and rounding said as the reason.

Significant figures follow Moodle STACK's NumSigFigs (maths/moodle-qtype_stack,
doc/en/Authoring/Answer_Tests/Numerical.md): written with n figures, counted liberally (100 has 1 to
3), within half a unit of the last one; `[n, m]` lets the last n − m digits be off; `[n, -1]` asks
for at least n. Decimals follow its NumDecPlaces: exactly d decimals, the right value rounded.
"""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from gradcalc.cli import main
from gradcalc.tolerance import Rule, judge_number, written

LOG = """\
title = "Logs"

[[problem]]
id = "ln"
expression = "log(x)"
at = { x = 2 }
answers = ["z"]
"""


def grade(tmp_path, sheet: str, rows: list[list[str]], *extra: str):
    (tmp_path / "s.toml").write_text(sheet, encoding="utf-8")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (tmp_path / "a.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return CliRunner().invoke(main, ["check", str(tmp_path / "s.toml"), "--answers", str(tmp_path / "a.csv"),
                                     "--json", *extra])


def verdicts(result) -> dict:
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {(s["student"], m["column"] if "column" in m else f"{m['problem']}.{m['name']}"): (m["ok"], m["failure"])
            for s in data["students"] for m in s["marks"]}


def one_column(tmp_path, sheet: str, answers: list[str], column: str = "ln.z", *extra: str) -> list:
    rows = [["student", column]] + [[f"s{i}", text] for i, text in enumerate(answers)]
    found = verdicts(grade(tmp_path, sheet, rows, *extra))
    return [found[(f"s{i}", column)] for i in range(len(answers))]


def test_the_default_for_hand_computed_answers_takes_three_figures_correctly_rounded(tmp_path):
    # ln 2 = 0.693147…: 0.693 scored 0 under rtol 1e-6 before (issue 25), and nothing said why.
    # Every figure written counts: 0.6934 and 0.69316 are right to 3 figures but wrong in the next.
    got = one_column(tmp_path, LOG, ["0.693", "0.6931", "0.69315", "0.6931471805599453", "0.69", "0.7",
                                     "0.694", "6.93e-1", "0.6934", "0.69316", "0.693147180559945"])
    assert [ok for ok, _ in got] == [True, True, True, True, False, False, False, True, False, False, True]
    assert got[8][1] == got[9][1] == "differs from the computed value"
    assert got[4][1] == "right to 2 significant figures; the sheet asks for 3"
    assert got[5][1] == "right to 1 significant figure; the sheet asks for 3"
    assert got[6][1] == "differs from the computed value"   # a different number, not a rounding


def test_exact_answers_need_no_figures_under_the_default(tmp_path):
    sheet = LOG.replace('answers = ["z"]', 'answers = ["x"]')   # ∂z/∂x = 0.5 exactly
    assert one_column(tmp_path, sheet, ["0.5", ".5", "1/x", "0.50"], "ln.x") == [(True, None)] * 4


@pytest.mark.parametrize("key, answers, expected", [
    ("sigfigs = 3", ["0.693", "0.6931", "0.69", "0.694"],
     [(True, None), (False, "right, but written with 4 significant figures; the sheet asks for 3"),
      (False, "right to 2 significant figures; the sheet asks for 3"), (False, "differs from the computed value")]),
    ("sigfigs = [3, 2]", ["0.693", "0.694", "0.699", "0.69"],   # within half a unit of the 2nd figure
     [(True, None), (True, None), (False, "differs from the computed value"),
      (False, "right to 2 significant figures; the sheet asks for 3")]),
    ("sigfigs = [3, -1]", ["0.693", "0.69315", "0.69"],         # at least 3
     [(True, None), (True, None), (False, "right to 2 significant figures; the sheet asks for 3")]),
    ("decimals = 2", ["0.69", "0.693", "0.7", "0.70"],
     [(True, None), (False, "right, but written with 3 decimal places; the sheet asks for 2"),
      (False, "right to 1 decimal place; the sheet asks for 2"), (False, "differs from the computed value")]),
    ("rtol = 1e-3", ["0.693", "0.69", "0.68"],
     [(True, None), (False, "right to 2 significant figures; the sheet asks for 3 (its tolerance is "
                            "rtol = 0.001, atol = 1e-12)"), (False, "differs from the computed value")]),
])
def test_a_problems_own_tolerance(tmp_path, key, answers, expected):
    sheet = LOG.replace('answers = ["z"]', f'{key}\nanswers = ["z"]')
    assert one_column(tmp_path, sheet, answers) == expected


def test_the_sheets_tolerance_applies_to_every_problem_and_a_problem_or_answer_replaces_it(tmp_path):
    sheet = "sigfigs = 2\n" + LOG + """
[[problem]]
id = "own"
expression = "log(x)"
at = { x = 2 }
decimals = 3
answers = { z = 1 }

[[problem]]
id = "each"
expression = "log(x)"
at = { x = 2 }
answers = { z = { points = 2, sigfigs = 4 }, x = 1 }
"""
    rows = [["student", "ln.z", "own.z", "each.z", "each.x"], ["a", "0.69", "0.693", "0.6931", "0.50"],
            ["b", "0.693", "0.69", "0.693", "0.5"]]
    result = grade(tmp_path, sheet, rows)
    found = verdicts(result)
    assert [found[("a", c)][0] for c in ("ln.z", "own.z", "each.z", "each.x")] == [True] * 4
    assert [found[("b", c)][0] for c in ("ln.z", "own.z", "each.z", "each.x")] == [False, False, False, False]
    data = json.loads(result.stdout)
    answers = {a["column"]: a for p in data["problems"] for a in p["answers"]}
    assert (answers["ln.z"]["rule"]["sigfigs"], answers["own.z"]["rule"]["decimals"],
            answers["each.z"]["rule"]["sigfigs"], answers["each.x"]["rule"]["sigfigs"]) == (2, 3, 4, 2)
    assert [p["total"] for p in data["students"]] == [5, 0]


def test_the_graders_rtol_replaces_every_rule_of_the_sheet(tmp_path):
    sheet = LOG.replace('answers = ["z"]', 'sigfigs = 3\nanswers = ["z"]')
    assert one_column(tmp_path, sheet, ["0.693", "0.69"], "ln.z", "--rtol", "1e-2") == [(True, None)] * 2
    assert one_column(tmp_path, sheet, ["0.693"], "ln.z", "--rtol", "1e-9")[0][0] is False


def test_feedback_says_the_rule_and_that_rounding_alone_is_why(tmp_path):
    sheet = LOG.replace('answers = ["z"]', 'sigfigs = 4\nanswers = ["z"]')
    grade(tmp_path, sheet, [["student", "ln.z"], ["Ada", "0.693"]])
    result = CliRunner().invoke(main, ["check", str(tmp_path / "s.toml"), "--answers", str(tmp_path / "a.csv"),
                                       "--report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r" / "Ada.md").read_text(encoding="utf-8")
    assert "your answer `0.693` — right to 3 significant figures; the sheet asks for 4 (0 of 1 point)" in text
    assert "Tolerance: numbers written with 4 significant figures, correctly rounded" in text


def test_a_students_answer_never_loosens_the_rule(tmp_path):
    # The rule comes from the sheet alone: an answer that says how to grade it is just malformed text,
    # and no number of figures written makes 0.7 right when 3 are asked.
    got = one_column(tmp_path, LOG, ["0.7 # sigfigs = 1", "sigfigs = 1", "0.7", "0.70", "0.700"])
    assert [ok for ok, _ in got] == [False] * 5


def test_a_handed_in_sheet_cannot_set_figures_for_its_own_answers(tmp_path):
    homework = """\
[[problem]]
expression = "log(x)"
at = { x = 2 }
sigfigs = 1
[problem.expect]
z = 0.7
"""
    (tmp_path / "h.toml").write_text(homework)
    refused = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml")])
    assert refused.exit_code == 2 and "this one sets sigfigs = 1 (problem 1)\n" in refused.stderr
    assert "--teacher-sheet" in refused.stderr
    allowed = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml"), "--sheet-tolerance", "--plain"])
    assert allowed.exit_code == 0, allowed.output
    (tmp_path / "h.toml").write_text(homework.replace("z = 0.7", "z = 0.6"))
    wrong = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml"), "--sheet-tolerance", "--plain"])
    assert wrong.exit_code == 1


@pytest.mark.parametrize("line, message", [
    ("sigfigs = 0", "sigfigs must be a whole number from 1 to 17, got 0"),
    ("sigfigs = 2.5", "sigfigs must be a whole number from 1 to 17, got 2.5"),
    ('sigfigs = "3"', 'sigfigs must be a whole number from 1 to 17, got "3"'),
    ("sigfigs = [3, 4]", "must be a whole number from 1 to 3, got 4"),
    ("sigfigs = [3]", "sigfigs must be a number of figures or a pair [written, right]"),
    ("decimals = -1", "decimals must be a whole number from 0 to 20, got -1"),
    ("rtol = -1", "rtol must be a finite number ≥ 0"),
    ("sigfigs = 3\ndecimals = 2", "sigfigs and decimals both set"),
])
def test_bad_tolerance_keys_are_exit_2_with_the_line(tmp_path, line, message):
    sheet = LOG.replace('answers = ["z"]', f'{line}\nanswers = ["z"]')
    result = grade(tmp_path, sheet, [["student", "ln.z"], ["a", "1"]])
    assert result.exit_code == 2 and message in result.stderr
    assert "s.toml, line 7" in result.stderr


def test_an_answers_table_with_an_unknown_key_is_exit_2(tmp_path):
    sheet = LOG.replace('answers = ["z"]', 'answers = { z = { point = 1 } }')
    result = grade(tmp_path, sheet, [["student", "ln.z"], ["a", "1"]])
    assert result.exit_code == 2 and "the answer z: unknown key 'point'" in result.stderr


@pytest.mark.parametrize("text, fewest, most, decimals", [
    ("100", 1, 3, 0), ("100.", 3, 3, 0), ("1.00e3", 3, 3, -1), ("0.0010", 2, 2, 4), ("10.0", 3, 3, 1),
    ("0", 1, 1, 0), ("0.00", 1, 3, 2), ("0.01", 1, 1, 2), ("-2.50", 3, 3, 2), ("1.5e-1", 2, 2, 2),
])
def test_figures_are_counted_as_stack_counts_them(text, fewest, most, decimals):
    form = written(text)
    assert (form.fewest, form.most, form.decimals) == (fewest, most, decimals)


def test_stack_examples_of_numsigfigs():
    # "9.6, 9.7, 9.8, 9.9 and 10 will all pass this test" for 10 to 2 significant figures.
    rule = Rule(sigfigs=2, hand=False)
    assert [judge_number(rule, t, 10.0)[0] for t in ("9.6", "9.7", "9.8", "9.9", "10", "10.1", "9.4")] == \
        [True] * 5 + [False, False]
    assert judge_number(Rule(decimals=2, hand=False), "12.30", 12.3)[0]
    assert not judge_number(Rule(decimals=2, hand=False), "12.3", 12.3)[0]    # trailing zeros required


@pytest.mark.parametrize("key, without, with_flag", [
    ("rtol = 1e-2", 2, 0),      # looser than the default: the grader's say-so needed
    ("decimals = 2", 2, 0),
    ("rtol = 1e-9", 1, 1),      # stricter: the hand-in's own, 0.69 is simply wrong
])
def test_a_handed_in_problems_own_tolerance(tmp_path, key, without, with_flag):
    (tmp_path / "h.toml").write_text(f'[[problem]]\nexpression = "log(x)"\nat = {{ x = 2 }}\n{key}\n'
                                     f'[problem.expect]\nz = 0.69\n')
    refused = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml"), "--plain"])
    assert refused.exit_code == without
    if without == 2:
        assert f"this one sets {key.replace('1e-2', '0.01')} (problem 1)\n" in refused.stderr
    allowed = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml"), "--plain", "--sheet-tolerance"])
    assert allowed.exit_code == with_flag, allowed.output


@pytest.mark.parametrize("key, answer, says", [
    # σ′(1) = 0.196612, σ(1) = 0.731059: the right value, written with other figures or decimals than asked.
    ("sigfigs = 3", "x = 0.1966", "0.1966 is ∂z/∂x = 0.196612 rounded to 4 significant figures: the right value, "
                                  "but give 3 significant figures"),
    ("sigfigs = 4", "x = 0.197", "0.197 is ∂z/∂x = 0.196612 rounded to 3 significant figures: the right value, "
                                 "but give 4 significant figures"),
    ("sigfigs = [4, -1]", "x = 0.197", "rounded to 3 significant figures: the right value, but give at least 4 "
                                       "significant figures"),
    ("decimals = 2", "x = 0.197", "0.197 is ∂z/∂x = 0.196612 rounded to 3 decimals: the right value, but give 2 "
                                  "decimal places"),
    ("decimals = 2", "z = 0.731", "0.731 is z = 0.731059 rounded to 3 decimals: the right value, but give 2 "
                                  "decimal places"),
    ("sigfigs = 2", "z = 0.731", "0.731 is z = 0.731059 rounded to 3 significant figures: the right value, but "
                                 "give 2 significant figures"),
    ("rtol = 1e-9", "x = 0.1966", "0.1966 is ∂z/∂x = 0.196612 rounded to 4 decimals: right as far as it goes, "
                                  "but give more digits"),
])
def test_the_diagnosis_of_a_rounding_says_what_the_rule_asks_for(tmp_path, key, answer, says):
    (tmp_path / "h.toml").write_text(f'[[problem]]\nexpression = "sigmoid(x)"\nat = {{ x = 1 }}\n{key}\n'
                                     f'[problem.expect]\n{answer}\n')
    found = CliRunner().invoke(main, ["check", str(tmp_path / "h.toml"), "--plain", "--teacher-sheet"])
    assert found.exit_code == 1, found.output
    assert says in found.stdout, found.stdout
    assert "give more digits" not in found.stdout or key.startswith("rtol")
