"""A hand-in is hostile input: its answers are graded, the rules they are graded by are the teacher's.

Each attack is one a newcomer's review found (a hand-in setting follow_through, weighting its own right
problem, loosening its tolerance at problem or sheet level), then the class (CSV) path, the footer and
JSON stating the rule each answer was judged by, and answers of the wrong shape."""

import json

import pytest
from click.testing import CliRunner

from gradcalc.cli import main
from helpers import assert_json_error


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# The reviewers' hand-ins (h1, h4, h6, h7, h10, h11) -------------------------------------------------

FOLLOW = ('title = "hand-in"\nfollow_through = 1\n[[problem]]\nexpression = "t = x + y; z = t*x"\n'
          'at = { x = 2, y = 1 }\n[problem.expect]\nt = "3"\nx = "6"\n')
WEIGHTED = ('[[problem]]\nexpression = "x*x"\nat = { x = 3 }\npoints = 1000000\n[problem.expect]\nx = "6"\n'
            '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\npoints = 1\n[problem.expect]\nx = "5"\n')
PROBLEM_RTOL = '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nrtol = 0.5\n[problem.expect]\nx = "7"\n'
SHEET_RTOL = 'rtol = 0.5\n[[problem]]\nexpression = "x*x"\nat = { x = 3 }\n[problem.expect]\nx = "7"\n'
PROBLEM_FIGURES = '[[problem]]\nexpression = "x*x"\nat = { x = 1.2345 }\nsigfigs = 2\n[problem.expect]\nx = "2.5"\n'
SHEET_FIGURES = 'sigfigs = 2\n[[problem]]\nexpression = "x*x"\nat = { x = 1.2345 }\n[problem.expect]\nx = "2.5"\n'

# The teacher's copies: the same problems, the answers asked, and no rule of the hand-in's.
KEY_FOLLOW = '[[problem]]\nexpression = "t = x + y; z = t*x"\nat = { x = 2, y = 1 }\nanswers = ["t", "x"]\n'
KEY_WEIGHTED = ('[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nanswers = ["x"]\n'
                '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nanswers = ["x"]\n')
KEY_X3 = '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nanswers = ["x"]\n'
KEY_FIGURES = '[[problem]]\nexpression = "x*x"\nat = { x = 1.2345 }\nanswers = ["x"]\n'

ATTACKS = [   # the hand-in, what the refusal names, the teacher's copy, the score it earns by that
    pytest.param(FOLLOW, "follow_through = 1 (the sheet)", KEY_FOLLOW, "Score: 0 of 1 point", id="h1"),
    pytest.param(WEIGHTED, "points = 1000000 (problem 1)", KEY_WEIGHTED, "Score: 1 of 2 points", id="h4"),
    pytest.param(PROBLEM_RTOL, "rtol = 0.5 (problem 1)", KEY_X3, "Score: 0 of 1 point", id="h6"),
    pytest.param(SHEET_RTOL, "rtol = 0.5 (the sheet)", KEY_X3, "Score: 0 of 1 point", id="h7"),
    pytest.param(PROBLEM_FIGURES, "sigfigs = 2 (problem 1)", KEY_FIGURES, "Score: 0 of 1 point", id="h10"),
    pytest.param(SHEET_FIGURES, "sigfigs = 2 (the sheet)", KEY_FIGURES, "Score: 0 of 1 point", id="h11"),
]


@pytest.mark.parametrize("handin, named, key, score", ATTACKS)
def test_a_hand_in_that_sets_its_own_rules_is_refused(tmp_path, handin, named, key, score):
    sheet = write(tmp_path, "handin.toml", handin)
    for form in ("--plain", "--json"):
        result = run("check", sheet, form)
        assert result.exit_code == 2, result.output
        if form == "--json":   # the same error, as one JSON object
            assert assert_json_error(result)["line"] is None
        else:
            assert result.stdout == ""
        first, hint = result.stderr.splitlines()
        assert first.startswith("error: a sheet graded on its own is a hand-in, and a hand-in cannot set "
                                "the rules it is graded by; this one sets ") and first.endswith(named)
        assert "--rules TEACHER.toml" in hint and "--teacher-sheet" in hint


@pytest.mark.parametrize("handin, named, key, score", ATTACKS)
def test_graded_by_the_teachers_copy_the_hand_ins_rules_are_not_used_and_said(tmp_path, handin, named, key,
                                                                              score):
    sheet, rules = write(tmp_path, "handin.toml", handin), write(tmp_path, "key.toml", key)
    result = run("check", sheet, "--rules", rules, "--plain")
    assert result.exit_code == 1, result.output   # every attack has a wrong answer the rule would have passed
    lines = result.stdout.splitlines()
    own = named.replace(" (the sheet)", " (the sheet)")
    assert f"Not used: the hand-in's own {own}: the teacher's copy (--rules) decides how it is graded." in lines
    assert lines[-1].startswith(score)
    data = json.loads(run("check", sheet, "--rules", rules, "--json").stdout)
    assert data["ignored"] == [own]
    assert data["tolerance"]["rtol"] == 1e-6 and data["tolerance"]["sigfigs"] is None
    assert data["follow_through"] == 0


def test_follow_through_credit_is_the_teachers_to_give(tmp_path):
    sheet = write(tmp_path, "handin.toml", FOLLOW)
    # The hand-in's own follow_through = 1 gave ∂z/∂x = 6 (right from its wrong t = 3) full credit.
    ignored = run("check", sheet, "--rules", write(tmp_path, "key.toml", KEY_FOLLOW), "--plain")
    assert "Score: 0 of 1 point (0 of 2 answers right)" in ignored.stdout
    given = run("check", sheet, "--rules", write(tmp_path, "key2.toml", "follow_through = 0.5\n" + KEY_FOLLOW),
                "--plain")
    assert "Score: 0.25 of 1 point (0 of 2 answers right, 1 right from earlier wrong values, 0.5 credit each)" \
        in given.stdout
    assert "Not used: the hand-in's own follow_through = 1 (the sheet)" in given.stdout


def test_the_footer_and_json_state_the_rule_each_answer_was_judged_by(tmp_path):
    # A sheet the grader wrote (--teacher-sheet): its own rules apply, and the report says which.
    for text, line, key, value in (
            (PROBLEM_RTOL, "Tolerance: |expected − computed| ≤ 1e-12 + 0.5·|computed|.", "rtol", 0.5),
            (SHEET_RTOL, "Tolerance: |expected − computed| ≤ 1e-12 + 0.5·|computed|.", "rtol", 0.5),
            (PROBLEM_FIGURES, "Tolerance: numbers written with 2 significant figures, correctly rounded; "
                              "formulas within |expected − computed| ≤ 1e-12 + 1e-6·|computed|.", "sigfigs", 2),
            (SHEET_FIGURES, "Tolerance: numbers written with 2 significant figures, correctly rounded; "
                            "formulas within |expected − computed| ≤ 1e-12 + 1e-6·|computed|.", "sigfigs", 2)):
        sheet = write(tmp_path, "mine.toml", text)
        result = run("check", sheet, "--plain", "--teacher-sheet")
        assert result.exit_code == 0 and line in result.stdout.splitlines(), result.output
        assert "1e-6·|computed|." not in line or key == "sigfigs"
        data = json.loads(run("check", sheet, "--json", "--teacher-sheet").stdout)
        assert data["tolerance"][key] == value
        assert data["problems"][0]["tolerance"][key] == value
        assert data["problems"][0]["expect"][0]["tolerance"][key] == value


def test_problems_judged_by_different_rules_each_say_theirs(tmp_path):
    text = PROBLEM_RTOL + '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\n[problem.expect]\nx = "6"\n'
    sheet = write(tmp_path, "mine.toml", text)
    lines = run("check", sheet, "--plain", "--teacher-sheet").stdout.splitlines()
    assert "Tolerance of problem 1: |expected − computed| ≤ 1e-12 + 0.5·|computed|." in lines
    assert "Tolerance of problem 2: |expected − computed| ≤ 1e-12 + 1e-6·|computed|, or a number written with " \
           "at least 3 significant figures, correctly rounded." in lines
    assert not any(line.startswith("Tolerance:") for line in lines)
    data = json.loads(run("check", sheet, "--json", "--teacher-sheet").stdout)
    assert data["tolerance"] is None   # no one rule for the sheet: each problem has its own
    assert [p["tolerance"]["rtol"] for p in data["problems"]] == [0.5, 1e-6]
    # The grader's --rtol replaces every rule, and the footer says so.
    flagged = run("check", sheet, "--plain", "--teacher-sheet", "--rtol", "1e-9").stdout.splitlines()
    assert "Tolerance: |expected − computed| ≤ 1e-12 + 1e-9·|computed|." in flagged


def test_answers_of_a_teachers_copy_have_their_own_points_and_rules(tmp_path):
    key = ('[[problem]]\nexpression = "x*x"\nat = { x = 1.2345 }\n'
           'answers = { x = { points = 3, sigfigs = 2 }, z = 1 }\n')
    handin = '[[problem]]\nexpression = "x*x"\nat = { x = 1.2345 }\n[problem.expect]\nx = "2.5"\nz = "1.5"\n'
    result = run("check", write(tmp_path, "h.toml", handin), "--rules", write(tmp_path, "k.toml", key), "--plain")
    lines = result.stdout.splitlines()
    assert "Tolerance of ∂z/∂x in problem 1: numbers written with 2 significant figures, correctly rounded; " \
           "formulas within |expected − computed| ≤ 1e-12 + 1e-6·|computed|." in lines
    assert any(line.startswith("Tolerance of z in problem 1: |expected − computed|") for line in lines)
    assert lines[-1] == "Score: 3 of 4 points (1 of 2 answers right)"


def test_the_hand_in_answers_the_teachers_problems_as_set(tmp_path):
    rules = write(tmp_path, "key.toml", KEY_WEIGHTED)
    easier = WEIGHTED.replace('expression = "x*x"', 'expression = "x"', 1)
    result = run("check", write(tmp_path, "a.toml", easier), "--rules", rules)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"the hand-in's problem 1 is not {rules}'s: its expression is \"x\", {rules}'s \"x*x\"" in result.stderr
    moved = WEIGHTED.replace("at = { x = 3 }", "at = { x = 0 }", 1)
    result = run("check", write(tmp_path, "b.toml", moved), "--rules", rules)
    assert result.exit_code == 2 and "the hand-in's problem 1 is asked at another point" in result.stderr
    fewer = run("check", write(tmp_path, "c.toml", PROBLEM_RTOL), "--rules", rules)
    assert fewer.exit_code == 2 and f"the hand-in has 1 problem, {rules} 2" in fewer.stderr
    # Spaces are not a different problem: the teacher's expression is what is computed.
    spaced = WEIGHTED.replace('expression = "x*x"', 'expression = "x * x"')
    assert run("check", write(tmp_path, "d.toml", spaced), "--rules", rules).exit_code == 1


def test_the_answers_graded_are_those_the_teacher_asks_for(tmp_path):
    # An extra right answer would dilute a wrong one (1 of 2 right → 2 of 3); a missing one is wrong.
    handin = '[[problem]]\nexpression = "x*y"\nat = { x = 3, y = 2 }\n[problem.expect]\nx = "3"\nz = "6"\n'
    key = '[[problem]]\nexpression = "x*y"\nat = { x = 3, y = 2 }\nanswers = ["x", "y"]\n'
    sheet = write(tmp_path, "h.toml", handin)
    result = run("check", sheet, "--rules", write(tmp_path, "k.toml", key), "--plain")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "  ✗  ∂z/∂y      blank     3         not compared" in lines
    assert "  ✗ ∂z/∂y: not answered" in lines
    assert "Not graded: the hand-in's answer for z (problem 1): the teacher's copy (--rules) does not ask " \
           "for it." in lines
    assert lines[-1] == "Score: 0 of 1 point (0 of 2 answers right)"
    assert result.stderr == "error: 2 of 2 answers are wrong (1 not answered)\n"
    data = json.loads(run("check", sheet, "--rules", tmp_path / "k.toml", "--json").stdout)
    assert (data["ignored"], data["not_asked"]) == ([], ["z (problem 1)"])
    assert [(e["name"], e["kind"], e["failure"]) for e in data["problems"][0]["expect"]] == \
        [("x", "number", "differs from the computed value"), ("y", "blank", "not answered")]


def test_a_report_by_the_teachers_copy_on_a_terminal(tmp_path):
    from rich.console import Console

    from gradcalc.classroom import load_class_sheet
    from gradcalc.render.sheet import render_rich
    from gradcalc.sheet import grade, load_sheet, with_rules

    handin = load_sheet(WEIGHTED.replace('x = "5"', 'y = "5"').replace('"x*x"', '"x*y"').replace(
        "{ x = 3 }", "{ x = 3, y = 2 }"))
    key = load_class_sheet(KEY_WEIGHTED.replace('"x*x"', '"x*y"').replace("{ x = 3 }", "{ x = 3, y = 2 }"))
    sheet, ignored, unasked = with_rules(handin, key)
    console = Console(record=True, width=120, force_terminal=True)
    console.print(render_rich(grade(sheet, sheet_tolerance=True, ignored=ignored, unasked=unasked)))
    text = console.export_text()
    assert "✗ ∂z/∂x: not answered" in text and "blank" in text
    assert "Not used: the hand-in's own points = 1000000 (problem 1)" in text
    assert "Not graded: the hand-in's answer for y (problem 2)" in text
    assert "Score: 0 of 2 points (0 of 2 answers right)" in text


def test_rules_is_one_way_to_grade(tmp_path):
    sheet, rules = write(tmp_path, "h.toml", WEIGHTED), write(tmp_path, "k.toml", KEY_WEIGHTED)
    for other in (["--answers", sheet], ["--key"], ["--self-test"], ["--teacher-sheet"]):
        result = run("check", sheet, "--rules", rules, *other)
        assert result.exit_code == 2 and "--rules grades one hand-in by your copy of the sheet" in result.stderr
    assert run("check", "-", "--rules", "-", input=WEIGHTED).exit_code == 2


def test_the_refusal_shows_a_hand_ins_control_characters_escaped(tmp_path):
    text = WEIGHTED.replace('[[problem]]\n', '[[problem]]\nname = "\\u001b]0;PWNED\\u0007"\n', 1)
    result = run("check", write(tmp_path, "h.toml", text))
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "points = 1000000 (problem 1 (\\x1b]0;PWNED\\x07))" in result.stderr


def test_points_and_tolerances_per_answer_are_not_a_hand_ins_either(tmp_path):
    # The review's h3: a per-answer table beside [problem.expect] was silently not used.
    text = ('[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nanswers = { x = { points = 1, rtol = 0.5 } }\n'
            '[problem.expect]\nx = "7"\n')
    sheet = write(tmp_path, "h.toml", text)
    refused = run("check", sheet)
    assert refused.exit_code == 2
    assert "this one sets answers = {…} (problem 1: points or tolerances per answer)\n" in refused.stderr
    mine = run("check", sheet, "--teacher-sheet")   # not used by a sheet's own answers: said, not ignored
    assert mine.exit_code == 2 and "problem 1: answers = {…} gives answers points or tolerances of their own, " \
        "which grading its [problem.expect] answers does not use" in mine.stderr
    graded = run("check", sheet, "--rules", write(tmp_path, "k.toml", KEY_X3), "--plain")
    assert graded.exit_code == 1
    assert "Not used: the hand-in's own answers = {…} (problem 1: points or tolerances per answer)" in graded.stdout


def test_a_stricter_tolerance_and_one_point_a_problem_are_the_hand_ins_own(tmp_path):
    strict = PROBLEM_RTOL.replace("rtol = 0.5", "rtol = 1e-9\npoints = 1").replace('x = "7"', 'x = "6"')
    result = run("check", write(tmp_path, "h.toml", strict), "--plain")
    assert result.exit_code == 0 and "Tolerance: |expected − computed| ≤ 1e-12 + 1e-9·|computed|." in result.stdout


# The class path: a cell is only ever an answer ---------------------------------------------------

CLASS = '[[problem]]\nid = "sq"\nexpression = "(x+y)**2"\nat = { x = 1, y = 2 }\nanswers = ["x", "y"]\n'


def test_a_class_csvs_cells_cannot_change_the_rules(tmp_path):
    sheet = write(tmp_path, "c.toml", CLASS)
    answers = write(tmp_path, "a.csv", 'student,sq.x,sq.y\nrtol=1e9,"rtol = 1e9; 7","7 # rtol = 1e9"\n'
                                       'follow_through,"sigfigs = 1; 7",7.1\npoints,6.1,6\n')
    result = run("check", sheet, "--answers", answers)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["rtol=1e9,0,0,1,", "follow_through,0,0,1,", "points,0.5,0.5,1,"]
    data = json.loads(run("check", sheet, "--answers", answers, "--json").stdout)
    rules = {json.dumps(a["rule"], sort_keys=True) for p in data["problems"] for a in p["answers"]}
    assert len(rules) == 1 and json.loads(rules.pop())["rtol"] == 1e-6
    # A column is an answer the sheet asks for or who the student is, never a setting.
    for column in ("sq.rtol", "rtol", "follow_through", "sq.points"):
        extra = write(tmp_path, "b.csv", f"student,sq.x,sq.y,{column}\nA,6,6,1e9\n")
        refused = run("check", sheet, "--answers", extra)
        assert refused.exit_code == 2 and f"the sheet asks for no answer '{column}'" in refused.stderr


# Answers of the wrong shape ----------------------------------------------------------------------

def test_a_transposed_answer_is_called_out_on_the_command_line():
    result = run("sum(X@W)", "--X", "[[1,2]]", "--W", "[[1],[2]]", "--expect", "W=[[1, 2]]", "--plain")
    assert result.exit_code == 1
    assert ("  ✗ ∂z/∂W = [[1, 2]]: your answer has shape (1, 2); ∂z/∂W has W's shape (2, 1); it is the "
            "transpose of the right answer") in result.stdout.splitlines()
    assert "no single common mistake" not in result.stdout
    data = json.loads(run("sum(X@W)", "--X", "[[1,2]]", "--W", "[[1],[2]]", "--expect", "W=[[1, 2]]",
                          "--json").stdout)
    assert data["expect"][0]["failure"].startswith("your answer has shape (1, 2)")


@pytest.mark.parametrize("answer, said", [
    ("[1, 2]", "your answer has shape (2,); ∂z/∂W has W's shape (2, 1); it has the right numbers in the "
               "wrong shape"),
    ("[[3, 4]]", "your answer has shape (1, 2); ∂z/∂W has W's shape (2, 1)"),
    ("X", "your answer has shape (1, 2); ∂z/∂W has W's shape (2, 1); it is the transpose of the right answer"),
])
def test_wrong_shapes_say_both_shapes(answer, said):
    result = run("sum(X@W)", "--X", "[[1,2]]", "--W", "[[1],[2]]", "--expect", f"W={answer}", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["expect"][0]["failure"] == said


def test_a_single_number_for_an_array_is_compared_everywhere_not_called_a_shape():
    result = run("sum(X@W)", "--X", "[[1,2]]", "--W", "[[1],[1]]", "--expect", "W=1", "--json")
    assert json.loads(result.stdout)["expect"][0]["failure"] == "differs from the computed value"


def test_a_wrong_shape_in_a_sheet_and_in_a_class(tmp_path):
    problem = '[[problem]]\nid = "mm"\nexpression = "sum(X@W)"\nat = { X = [[1, 2]], W = [[1], [2]] }\n'
    sheet = write(tmp_path, "h.toml", problem + '[problem.expect]\nW = "[[1, 2]]"\n')
    lines = run("check", sheet, "--plain").stdout.splitlines()
    assert ("  ✗ ∂z/∂W = [[1, 2]]: your answer has shape (1, 2); ∂z/∂W has W's shape (2, 1); it is the "
            "transpose of the right answer") in lines
    klass = write(tmp_path, "c.toml", problem + 'answers = ["W"]\n')
    answers = write(tmp_path, "a.csv", 'student,mm.W\nAda,"[[1],[2]]"\nBen,"[[1, 2]]"\n')
    data = json.loads(run("check", klass, "--answers", answers, "--json").stdout)
    ben = data["students"][1]["marks"][0]
    assert ben["failure"] == ("your answer has shape (1, 2); ∂z/∂W has W's shape (2, 1); it is the transpose "
                              "of the right answer")
    report = tmp_path / "feedback"
    assert run("check", klass, "--answers", answers, "--report", report).exit_code == 0
    assert "it is the transpose of the right answer" in (report / "Ben.md").read_text()


def test_a_teachers_copy_is_evaluated_once_per_problem(tmp_path, monkeypatch):
    import gradcalc.result

    calls = []
    evaluate = gradcalc.result.evaluate
    monkeypatch.setattr(gradcalc.result, "evaluate", lambda *a, **k: calls.append(1) or evaluate(*a, **k))
    result = run("check", write(tmp_path, "h.toml", WEIGHTED), "--rules", write(tmp_path, "k.toml", KEY_WEIGHTED),
                 "--plain")
    assert result.exit_code == 1 and "Score: 1 of 2 points" in result.stdout, result.output
    assert len(calls) == 2   # the copy's two problems, each computed once at its point (was 4)


# A teacher's copy that gives each student their own point (ranges in `at`): the hand-in cannot show
# whose it is, so --student says; its point must be the one that student's is drawn as for the class.
VARYING = 'seed = 7\n[[problem]]\nexpression = "x*x + y"\nat = { x = { range = [1, 99] }, y = 2 }\nanswers = ["x"]\n'


def drawn_point(tmp_path, student: str) -> float:
    """The student's x as the class's key has it (--key --answers)."""
    found = run("check", write(tmp_path, "k.toml", VARYING), "--key", "--answers",
                write(tmp_path, "s.csv", f"student\n{student}\n"))
    assert found.exit_code == 0, found.output
    row = found.stdout.splitlines()[1].split(",")
    assert row[0] == student and row[1].startswith("x = ")
    return float(row[1][4:])


def test_a_hand_in_of_a_point_per_student_is_graded_at_that_students_point(tmp_path):
    x = drawn_point(tmp_path, "Ada")
    assert x != drawn_point(tmp_path, "Bob")
    key = write(tmp_path, "k.toml", VARYING)

    def handin(at: float, answer: float):
        return write(tmp_path, "h.toml", f'[[problem]]\nexpression = "x*x + y"\nat = {{ x = {at:g}, y = 2 }}\n'
                                         f'[problem.expect]\nx = {answer:g}\n')

    right = run("check", handin(x, 2 * x), "--rules", key, "--student", "Ada", "--plain")
    assert right.exit_code == 0 and "Score: 1 of 1 point" in right.stdout, right.output
    assert f"at x = {x:g}, y = 2" in right.stdout
    wrong = run("check", handin(x, 2 * x + 1), "--rules", key, "--student", "Ada", "--plain")
    assert wrong.exit_code == 1 and "Score: 0 of 1 point" in wrong.stdout
    # Another student's point (an easier one, say): refused, naming the student.
    other = run("check", handin(x + 1, 2 * x + 2), "--rules", key, "--student", "Ada")
    assert other.exit_code == 2 and other.stdout == ""
    assert f"the hand-in's problem 1 is asked at another point than Ada's, drawn from {key}" in other.stderr
    # Whose hand-in it is must be said: a hand-in could claim any point of the range.
    unnamed = run("check", handin(x, 2 * x), "--rules", key)
    assert unnamed.exit_code == 2 and unnamed.stdout == ""
    assert f"{key}: problem 1 (p1) gives each student a point of their own" in unnamed.stderr
    assert "--student NAME" in unnamed.stderr and "Traceback" not in unnamed.stderr
    alone = run("check", handin(x, 2 * x), "--student", "Ada")
    assert alone.exit_code == 2 and "--student" in alone.stderr and "--rules" in alone.stderr


# A hand-in unlike the teacher's copy: where (line, column and a caret in the hand-in), what differs,
# and at whose drawn point, as the other messages about a sheet say it (they said none of it).

def test_a_hand_in_unlike_the_copy_is_shown_where_and_how(tmp_path):
    rules = write(tmp_path, "key.toml", KEY_WEIGHTED)
    easier = WEIGHTED.replace('expression = "x*x"', 'expression = "x * x + 1"', 1)
    result = run("check", write(tmp_path, "a.toml", easier), "--rules", rules)
    lines = result.stderr.splitlines()
    assert result.exit_code == 2 and lines[0].startswith(f"error: {tmp_path / 'a.toml'}, line 2, column 21: "
                                                         "the hand-in's problem 1 is not"), result.stderr
    assert lines[1:3] == ['  line 2: expression = "x * x + 1"', " " * 30 + "^"]   # under the + 1 added
    moved = WEIGHTED.replace("at = { x = 3 }", "at = { x = 0 }", 1)
    result = run("check", write(tmp_path, "b.toml", moved), "--rules", rules)
    lines = result.stderr.splitlines()
    assert lines[0].endswith(f"is asked at another point than {rules}'s: x = 0 in the hand-in, 3 in {rules}")
    assert lines[1:3] == ["  line 3: at = { x = 0 }", " " * 17 + "^"]
    more = run("check", write(tmp_path, "c.toml", WEIGHTED + KEY_X3.replace("answers", "# answers")
                              + '[problem.expect]\nx = "6"\n'), "--rules", rules)
    lines = more.stderr.splitlines()
    assert more.exit_code == 2 and "line 13, column 1: the hand-in has 3 problems" in lines[0], more.stderr
    assert lines[1:3] == ["  line 13: [[problem]]", " " * 11 + "^" * 11]


def test_a_hand_in_at_another_students_point_is_told_the_point_drawn(tmp_path):
    x = drawn_point(tmp_path, "Ada")
    key = write(tmp_path, "k.toml", VARYING)
    handin = write(tmp_path, "h.toml", f'[[problem]]\nexpression = "x*x + y"\nat = {{ x = {x + 1:g}, y = 2 }}\n'
                                       f'[problem.expect]\nx = 1\n')
    found = run("check", handin, "--rules", key, "--student", "Ada")
    assert found.exit_code == 2 and found.stdout == ""
    assert found.stderr.splitlines()[0].endswith(
        f"another point than Ada's, drawn from {key}: x = {x + 1:g} in the hand-in, {x:g} in Ada's; "
        f"Ada's point is x = {x:g}, y = 2"), found.stderr


def test_a_hand_in_shown_in_a_message_cannot_draw_on_the_screen(tmp_path):
    rules = write(tmp_path, "key.toml", KEY_X3)
    hostile = write(tmp_path, "h.toml", '[[problem]]\nexpression = "x*x\\u001b[2J + 1"\nat = { x = 3 }\n'
                                        '[problem.expect]\nx = 6\n')
    found = run("check", hostile, "--rules", rules, "--student", "\x1b]0;owned\x07")
    assert found.exit_code == 2 and "\x1b" not in found.stderr and "\\x1b" in found.stderr, found.stderr


# Every rule a hand-in tries to change is named, not only the first (sigfigs = 1 hid rtol = 1e9 beside
# it, rtol = 5 hid atol = 3), and none of them changes a grade.
EVERY = ('sigfigs = 1\nrtol = 1e9\n[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nrtol = 5\natol = 3\n'
         '[problem.expect]\nx = "7"\n[[problem]]\nexpression = "x*x"\nat = { x = 3 }\nrtol = 1e-9\natol = 0.5\n'
         'decimals = 1\n[problem.expect]\nx = "6.0"\n')


def test_every_rule_a_hand_in_sets_is_named(tmp_path):
    sheet = write(tmp_path, "h.toml", EVERY)
    refused = run("check", sheet, "--plain")
    assert refused.exit_code == 2 and refused.stdout == ""
    first = refused.stderr.splitlines()[0]
    assert first.endswith("this one sets rtol = 1000000000 (the sheet); sigfigs = 1 (the sheet); rtol = 5 (problem 1); "
                          "atol = 3 (problem 1); atol = 0.5 (problem 2); decimals = 1 (problem 2)"), first
    # The grader's --rtol replaces every tolerance of the sheet: the atol keys left are still named.
    flagged = run("check", sheet, "--rtol", "1e-3", "--plain")
    assert flagged.exit_code == 2
    assert flagged.stderr.splitlines()[0].endswith("this one sets atol = 3 (problem 1); atol = 0.5 (problem 2)")
    ruled = run("check", sheet, "--rules", write(tmp_path, "k.toml", KEY_WEIGHTED), "--json")
    # as written, in the order written
    assert json.loads(ruled.stdout)["ignored"] == [
        "sigfigs = 1 (the sheet)", "rtol = 1e9 (the sheet)", "rtol = 5 (problem 1)", "atol = 3 (problem 1)",
        "rtol = 1e-9 (problem 2)", "atol = 0.5 (problem 2)", "decimals = 1 (problem 2)"]


def test_no_rule_a_hand_in_sets_changes_its_grade(tmp_path):
    rules = write(tmp_path, "k.toml", KEY_WEIGHTED)
    plain = "\n".join(line for line in EVERY.splitlines() if not line.startswith(("sigfigs", "rtol", "atol",
                                                                                   "decimals")))
    graded = [run("check", write(tmp_path, f"{name}.toml", text), "--rules", rules, "--json")
              for name, text in (("tries", EVERY), ("plain", plain))]
    tries, honest = (json.loads(found.stdout) for found in graded)
    assert graded[0].exit_code == graded[1].exit_code == 1
    assert tries.pop("ignored") and not honest.pop("ignored")
    assert tries["score"] == honest["score"] == 1   # problem 1's 7 for 6 wrong, whatever its rtol = 5
    assert [p["expect"] for p in tries["problems"]] == [p["expect"] for p in honest["problems"]]


def test_long_expressions_are_quoted_where_they_part(tmp_path):
    # Both cut to their first 40 characters, two long expressions differing at the end read alike.
    start = "a = x*y + sin(x)*cos(y); b = a*a + exp(x)/y; z = b + a*x + "
    key = write(tmp_path, "k.toml", f'[[problem]]\nexpression = "{start}1"\nat = {{ x = 1, y = 2 }}\nanswers = ["x"]\n')
    handin = write(tmp_path, "h.toml", f'[[problem]]\nexpression = "{start}2"\nat = {{ x = 1, y = 2 }}\n'
                                       f'[problem.expect]\nx = 1\n')
    found = run("check", handin, "--rules", key)
    assert found.exit_code == 2
    assert f'its expression is "… z = b + a*x + 2", {key}\'s "… z = b + a*x + 1"' in found.stderr, found.stderr


# Nothing a hand-in writes stops its own grading (newcomer5) --------------------------------------

def _rules_run(tmp_path, handin):
    return run("check", write(tmp_path, "h.toml", handin), "--rules", write(tmp_path, "k.toml", KEY_X3))


@pytest.mark.parametrize("settings", [
    'follow_through = true\n', 'sigfigs = "three"\n', 'rtol = -1\n', 'decimals = 1e400\n', 'points = "all"\n',
    'seed = "x"\n', 'seed = 123\n', 'grade = "A+"\n',
])
@pytest.mark.parametrize("level", ["sheet", "problem"])
def test_a_rule_of_any_value_or_an_unknown_key_in_a_hand_in_is_not_used_and_said(tmp_path, settings, level):
    body = '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\n'
    handin = (settings + body if level == "sheet" else body + settings) + '[problem.expect]\nx = "6"\n'
    result = _rules_run(tmp_path, handin)
    assert result.exit_code == 0, result.output      # graded: its one answer is right
    key = settings.split(" = ")[0]
    where = "the sheet" if level == "sheet" else "problem 1"
    assert f"Not used: the hand-in's own {key} = " in result.stdout and f"({where})" in result.stdout
    assert "Score: 1 of 1 point" in result.stdout


@pytest.mark.parametrize("answer", ['"polygamma(2e9, x)"', 'true', '{ a = 1 }', '"' + "1+" * 250_000 + '1"'])
def test_an_answer_that_cannot_be_evaluated_is_malformed_and_the_rest_graded(tmp_path, answer):
    handin = ('[[problem]]\nexpression = "x*x"\nat = { x = 3 }\n[problem.expect]\nx = ' + answer + '\n'
              '[[problem]]\nexpression = "x*x"\nat = { x = 3 }\n[problem.expect]\nx = "2*x"\n')
    key = KEY_X3 + KEY_X3
    for args in (["--rules", write(tmp_path, "k.toml", key)], ["--json"]):
        result = run("check", write(tmp_path, "h.toml", handin), *args)
        assert result.exit_code == 1, result.output       # one answer wrong, never exit 2 for the sheet
        assert len(result.output) < 20_000                # a long answer is cut, not printed whole
        assert "malformed" in result.stdout


def test_the_count_of_wrong_answers_reads_as_english(tmp_path):
    one = run("check", write(tmp_path, "one.toml", PROBLEM_RTOL.replace("rtol = 0.5\n", "")))
    assert one.exit_code == 1 and "error: 1 of 1 answer is wrong" in one.stderr
