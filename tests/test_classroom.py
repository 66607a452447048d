"""Grading a class: a sheet, a CSV of answers, a gradebook, JSON verdicts and feedback files."""

import csv
import io
import json

import numpy as np
import pytest

from gradcalc.check import judge_answer, named_values, _unknown_names, parse_answer
from gradcalc.classroom import (escape, grade_class, judge, load_class_sheet, read_answers, solution)
from gradcalc.errors import GradcalcError, MathError
from gradcalc.render.classroom import feedback, file_names, gradebook_csv, md_code, render_json, to_dict

SHEET = """\
title = "Week 3"

[[problem]]
id = "sq"
expression = "(x+y)**2"
at = { x = 1, y = 2 }
points = 2
answers = ["x", "y"]

[[problem]]
id = "shop"
expression = '''
apple_price = apple*apple_num
price = (apple_price + orange*orange_num)*tax
'''
at = { apple = 100, apple_num = 2, orange = 150, orange_num = 3, tax = 1.1 }
answers = { price = 1, apple = 1, apple_price = 2 }
"""

HEADER = "student,sq.x,sq.y,shop.price,shop.apple,shop.apple_price\n"


def grade(rows: str, sheet: str = SHEET, header: str = HEADER):
    loaded = load_class_sheet(sheet, "sheet.toml")
    return grade_class(loaded, read_answers(header + rows, loaded, "answers.csv"))


def marks(book, student: int = 0) -> dict:
    return {m.asked.column: m for m in book.students[student].marks}


def test_right_answers_get_every_point():
    book = grade("Ada,2*(x+y),6,715,2.2,tax\n")
    assert [m.ok for m in book.students[0].marks] == [True] * 5
    assert book.students[0].total == book.sheet.max == 6


def test_points_split_evenly_or_as_the_sheet_says():
    book = grade("Ada,6,,,2.2,\n")
    assert [a.worth for p in book.sheet.problems for a in p.asked] == [1, 1, 1, 1, 2]
    assert book.students[0].earned(book.sheet.problems[0]) == 1
    assert book.students[0].earned(book.sheet.problems[1]) == 1


def test_wrong_answer_is_a_grade_with_its_reason():
    mark = marks(grade("Ada,7,6,650,2.2,tax\n"))["shop.price"]
    assert not mark.ok and mark.earned == 0 and mark.kind == "number"
    assert mark.verdict.failure == "differs from the computed value"


def test_blank_is_no_answer_and_no_points():
    mark = marks(grade("Ada,,  ,715,2.2,tax\n"))["sq.x"]
    assert mark.kind == "blank" and not mark.ok and mark.earned == 0
    assert marks(grade("Ada,,  ,715,2.2,tax\n"))["sq.y"].kind == "blank"


def test_malformed_formula_is_wrong_with_a_caret_and_the_rest_graded():
    book = grade("Ada,2*(x+,6,715,2.2,tax\n")
    mark = marks(book)["sq.x"]
    assert mark.kind == "malformed" and not mark.ok
    error = mark.verdict.answer.malformed
    assert error.span is not None and error.text == "x=2*(x+"
    assert book.students[0].total == 5
    data = to_dict(book)["students"][0]["marks"][0]
    assert data["kind"] == "malformed" and data["error"]["caret"][1].strip() == "^"


def test_unknown_name_in_a_formula_is_malformed():
    mark = marks(grade("Ada,2*(x+q),6,715,2.2,tax\n"))["sq.x"]
    assert mark.kind == "malformed" and "unknown name q" in mark.verdict.failure


def test_right_only_at_the_given_point_is_caught():
    mark = marks(grade("Ada,2*(x+y),x+y+3,715,2.2,tax\n"))["sq.y"]
    assert not mark.ok
    assert mark.verdict.failure.startswith("right at the given point only: at x = ")


def test_formulas_with_named_intermediates():
    book = grade("Ada,6,6,(apple*apple_num + orange*orange_num)*tax,apple_num*tax,tax\n"
                 "Ben,6,6,(apple_price + orange*orange_num)*tax,apple_num*1.1,1.1\n")
    first, second = marks(book, 0), marks(book, 1)
    assert first["shop.price"].ok and first["shop.apple"].ok and first["shop.apple_price"].ok
    # The value is written in the inputs: apple_price is what it is computed from (issue 21).
    assert second["shop.price"].kind == "malformed"
    assert first["shop.apple_price"].verdict.points == 6      # the given point and 5 near it
    assert not second["shop.apple"].ok                          # 1.1 is tax only at the point
    assert second["shop.apple_price"].ok                        # a number: at the point only


def test_each_distinct_answer_is_judged_once():
    rows = "".join(f"s{i},2*(x+y),6,715,2.2,tax\n" for i in range(50))
    book = grade(rows)
    assert book.distinct == 5 and all(s.total == 6 for s in book.students)
    assert book.students[0].marks[0].verdict is book.students[49].marks[0].verdict


FORMULAS = ["2*(x+y)", "x+y+3", "2*x+2*y", "log(x-1)", "log(x)+6", "1/(x-1)", "sqrt(y-2) + 6",
            "x*0 + 6", "6 + 0*y", "sum(x+y)*2", "max(x, y)*2", "2*(x+y) + 1e-9", "relu(x)*6",
            "abs(x-1) + 6", "exp(x-1)*6", "6", "2*3", "x**y", "(x+y)**2/(x+y)*2", "y*0+6+q",
            "2*(x+", "x@x", "x*0 + [6]", "2*(x+y)*[1, 1]", "a = 2; a*(x+y)", "x[0]"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_vectorised_judging_equals_judging_one_point_at_a_time(formula):
    book = grade("Ada,,6,715,2.2,tax\n")
    key = book.keys["sq.x"]
    result = key.asked.problem.result
    fast = judge(key, formula)
    answer = parse_answer(f"x={formula}", keep_going=True)
    available = named_values(result.graph, result.values)
    try:
        slow = judge_answer(result, _unknown_names(answer, available), available, key.nearby, book.rtol,
                      book.atol)
    except GradcalcError as error:   # evaluation error: the class grader calls it malformed
        assert fast.answer.malformed is not None and error.message in fast.failure
        return
    assert (fast.ok, fast.points, fast.failure) == (slow.ok, slow.points, slow.failure)
    assert (fast.expected is None) == (slow.expected is None)
    if fast.expected is not None:
        assert np.allclose(fast.expected, slow.expected)


def test_an_answer_sheet_with_expect_grades_a_class_by_its_names():
    sheet = '[[problem]]\nexpression = "x*y"\nat = { x = 2, y = 3 }\n[problem.expect]\nx = 3\ny = "x"\n'
    book = grade("Ada,y,x\n", sheet, "student,p1.x,p1.y\n")
    assert [m.ok for m in book.students[0].marks] == [True, True]


def test_arrays_are_judged_one_point_at_a_time():
    sheet = '[[problem]]\nid = "lin"\nexpression = "sum(W@x)"\nat = { W = [[1, 2], [3, 4]], x = [1, 1] }\n' \
            'answers = ["x", "W"]\n'
    book = grade("Ada,\"[4, 6]\",\"[[1,1],[1,1]]\"\nBen,sum(W),W\n", sheet, "student,lin.x,lin.W\n")
    assert [m.ok for m in book.students[0].marks] == [True, True]
    assert [m.ok for m in book.students[1].marks] == [False, False]


# The gradebook and its renderings -----------------------------------------------------------------

def test_gradebook_csv_has_student_problems_total_and_max():
    book = grade("Ada,2*(x+y),6,715,2.2,tax\nBen,6,x+y+3,,2.2,0.5\n")
    rows = list(csv.reader(io.StringIO(gradebook_csv(book))))
    assert rows == [["student", "sq", "shop", "total", "max", "review"], ["Ada", "2", "4", "6", "6", ""],
                    ["Ben", "1", "1", "2", "6", "blank: shop.price"]]


def test_json_has_every_verdict_and_reason():
    data = json.loads(render_json(grade("Ada,2*(x+y),x+y+3,,2.2,tax*\n")))
    assert data["max"] == 6 and data["students"][0]["total"] == 2
    kinds = [(m["name"], m["kind"], m["ok"]) for m in data["students"][0]["marks"]]
    assert kinds == [("x", "formula", True), ("y", "formula", False), ("price", "blank", False),
                     ("apple", "number", True), ("apple_price", "malformed", False)]
    assert data["students"][0]["marks"][1]["failure"].startswith("right at the given point only")
    answer = data["problems"][1]["answers"][2]
    assert answer.pop("rule")["hand_figures"] is True   # no tolerance set: the default for hand answers
    assert answer == {"name": "apple_price", "column": "shop.apple_price", "worth": 2.0,
                      "quantity": "∂price/∂apple_price", "computed": 1.1}


def test_feedback_says_what_was_given_and_why_it_is_wrong():
    book = grade("Ada,2*(x+y),x+y+3,650,,tax*\n")
    text = feedback(book, book.students[0])
    assert "**Score:** 1 of 6 points (1 of 5 answers right)" in text
    assert "- ✓ ∂z/∂x: your answer `2*(x+y)` — right at the given point and at 5 points near it " \
           "(1 of 1 point)" in text
    assert "- ✗ ∂z/∂y: your answer `x+y+3` — right at the given point only: at x = 1.13696" in text
    assert "- ✗ price: your answer `650` — at the given point the answer is 650, but price = 715 " \
           "(0 of 1 point)" in text
    assert "- ✗ ∂price/∂apple: no answer (0 of 1 point)" in text
    assert "malformed: in the answer apple\\_price=…: the expression ends too early" in text
    assert "Solution" not in text


def test_solutions_give_the_value_formula_and_backward_trace_for_what_was_wrong():
    book = grade("Ada,2*(x+y),6,715,2.2,1\n")
    text = feedback(book, book.students[0], solutions=True)
    assert text.count("Solution:") == 1
    assert "  - Solution: ∂price/∂apple_price = 1.1 at the given point" in text
    assert "  - As a formula: ∂price/∂apple_price = `tax`" in text
    assert "∂price/∂apple_price += 1.1 × 1 = 1.1   (through n2)" in text
    book = grade("Ada,6,6,650,2.2,tax\n")
    assert "As a formula: price = `(apple*apple_num + orange*orange_num)*tax`" in \
        feedback(book, book.students[0], solutions=True)


@pytest.mark.parametrize("column, formula", [("sq.x", "2*(x + y)"), ("shop.apple", "apple_num*tax"),
                                             ("shop.apple_price", "tax")])
def test_solution_formulas_are_right(column, formula):
    book = grade("Ada,,,,,\n")
    assert solution(book.keys[column]).formula == formula
    assert judge(book.keys[column], formula).ok


HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[HScore: 10 of 10\u202e"


def test_control_characters_in_student_text_are_escaped_everywhere():
    book = grade(f'"{HOSTILE}","{HOSTILE}",6,715,2.2,tax\n')
    for text in (gradebook_csv(book), render_json(book), feedback(book, book.students[0], True)):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b]0;owned\\x07" in gradebook_csv(book)
    assert json.loads(render_json(book))["students"][0]["student"] == HOSTILE   # exact in JSON


def test_a_name_is_never_a_spreadsheet_formula_or_a_path():
    book = grade('"=HYPERLINK(""http://x"")",,,,,\n"../../etc/passwd",,,,,\n"a/b",,,,,\nA b,,,,,\n'
                 '"CON",,,,,\n"???",,,,,\n')
    assert gradebook_csv(book).splitlines()[1].startswith("\"'=HYPERLINK(")
    names = file_names(book.students)
    assert names == ["HYPERLINK-http-x.md", "etc-passwd.md", "a-b.md", "A-b-2.md", "CON_.md", "line-7.md"]
    assert file_names(grade("Ann,,,,,\nann,,,,,\n").students) == ["Ann.md", "ann-2.md"]


def test_the_gradebook_makes_names_inert_by_the_one_rule_of_csvtext():
    # As --batch's CSV does (tests/test_batch.py): a formula gets a ', a plain number stays a number.
    names = ["=HYPERLINK(1)", "+cmd", "-1+cmd", "@SUM(1)", "-5", "plain"]
    book = grade("".join(f'"{name}",,,,,\n' for name in names))
    cells = [row[0] for row in csv.reader(io.StringIO(gradebook_csv(book)))][1:]
    assert cells == ["'=HYPERLINK(1)", "'+cmd", "'-1+cmd", "'@SUM(1)", "-5", "plain"]


def test_markdown_code_cannot_be_closed_by_the_answer():
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x") == "`` `x ``"


# Bad input: line and column ---------------------------------------------------------------------

@pytest.mark.parametrize("rows, header, message", [
    ("", "name,sq.x,sq.y,shop.price,shop.apple,shop.apple_price\n", "line 1, column 1: the first column "
                                                                     "must be student"),
    ("", "student,sq.x,sq.z,shop.price,shop.apple,shop.apple_price\n", "line 1, column 3: the sheet asks "
                                                                        "for no answer 'sq.z'"),
    ("", "student,sq.x,sq.x,shop.price,shop.apple,shop.apple_price\n", "line 1, column 3: the column sq.x "
                                                                        "is also column 2"),
    ("", "student,sq.x,shop.price,shop.apple,shop.apple_price\n", "line 1: no column for sq.y"),
    ("Ada,\"6,6,715,2.2,1\n", HEADER, "answers.csv, line 2: not valid CSV: a quoted field is never closed"),
    ('Ada,"6"x,6,715,2.2,1\n', HEADER, "answers.csv, line 2: not valid CSV: ',' expected after '\"'"),
    ("", "", "answers.csv is empty"),
])
def test_bad_csv_names_line_and_column(rows, header, message):
    with pytest.raises(GradcalcError) as caught:
        grade(rows, header=header)
    assert caught.value.exit_code == 2 and message in caught.value.message


@pytest.mark.parametrize("rows, look", [
    ("Ben,6,6,715,2.2\n", ["line 3: the row has 5 fields but the header has 6 columns; not graded"]),
    ("Ben,6,6,715,2.2,1,1\n", ["line 3: the row has 7 fields but the header has 6 columns; not graded"]),
    (",6,6,715,2.2,1\n", ["line 3: no student name"]),
    ("Ben,6,6,715,2.2,1\n\nBen,1,1,1,1,1\n", ["line 5: the student is also on line 3"]),
])
def test_a_bad_row_is_that_students_marked_for_review_never_the_class(rows, look):
    book = grade("Ada,6,6,715,2.2,1.1\n" + rows)
    assert book.students[0].total == 6 and book.students[0].review == {"blank": [], "malformed": [], "look": []}
    assert book.students[-1].review["look"] == look
    unread = "not graded" in look[0]
    assert book.students[-1].total == (0 if unread else book.students[-1].total)
    assert all(m.kind == "malformed" for m in book.students[-1].marks) == unread


def test_csv_line_numbers_count_quoted_newlines_and_blank_lines():
    book = grade('Ada,"t = x + y\n2*t",6,715,2.2,1\n\n,1,1,1,1,1\n')
    assert book.students[1].review["look"] == ["line 5: no student name"]
    assert book.students[1].name == "(no name, line 5)"


@pytest.mark.parametrize("sheet, message", [
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\nanswers = ["q"]\n',
     'sheet.toml, line 4, column 12: problem 1 (p1): the expression has no input or named value q'),
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\nanswers = ["x"]\n[[problem]]\nid = "p1"\n'
     'expression = "y"\nat = { y = 1 }\nanswers = ["y"]\n',
     "sheet.toml, line 6, column 6: problem 2: the id 'p1' is also problem 1's"),
    ('[[problem]]\nid = "a.b"\nexpression = "x"\nat = { x = 1 }\nanswers = ["x"]\n',
     "sheet.toml, line 2, column 6: problem 1: the id must be letters, digits, _ or -"),
    ('[[problem]]\nexpression = "x"\nat = { y = 1 }\nanswers = ["x"]\n',
     "sheet.toml, line 3, column 6: problem 1 (p1): no value for x"),
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\n',
     "sheet.toml, line 2, column 14: problem 1 (p1): no answers asked"),
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\npoints = 3\nanswers = { x = 2 }\n',
     "sheet.toml, line 4, column 10: problem 1 (p1): points = 3, but its answers are worth 2"),
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\nanswers = { x = -1 }\n',
     "sheet.toml, line 4, column 13: problem 1 (p1): the answer x: its points must be a finite number ≥ 0"),
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\nanswers = "x"\n',
     "sheet.toml, line 4, column 11: problem 1 (p1): answers must list names"),
    ('[[problem]]\nexpression = "x"\nat = { x = 1 }\nanswer = ["x"]\n',
     "sheet.toml, line 4, column 1: problem 1: unknown key 'answer'"),
    ('[[problem]]\nexpression = "x"\nat = { x = = 1 }\n', "sheet.toml, line 3, column 12: not valid TOML"),
    ('[[problem]]\nexpression = "x +"\nat = { x = 1 }\nanswers = ["x"]\n',
     "sheet.toml, line 2: problem 1 (p1): the expression ends too early"),
])
def test_bad_sheet_names_line_and_column(sheet, message):
    with pytest.raises(GradcalcError) as caught:
        load_class_sheet(sheet, "sheet.toml")
    assert caught.value.exit_code == 2 and caught.value.message.startswith(message)


def test_a_problem_undefined_at_its_point_is_a_math_error():
    with pytest.raises(MathError, match="line 3, column 6: problem 1 \\(p1\\): log"):
        load_class_sheet('[[problem]]\nexpression = "log(x)"\nat = { x = -1 }\nanswers = ["x"]\n',
                         "sheet.toml")


def test_escape_shows_control_characters():
    assert escape("a\x1bb\nc\u202e") == "a\\x1bb\\nc\\u202e"
    assert escape("∂z/∂x ✓") == "∂z/∂x ✓"


# Property: the vectorised judge agrees with `check`'s own, one point at a time --------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from random_expressions import expressions, points  # noqa: E402

from gradcalc.numbers import read_number  # noqa: E402

PROGRAM = "t = a*b + c; z = sin(t)*a + t**2"


@settings(max_examples=60, deadline=None)
@given(expressions, points, st.sampled_from(["a", "b", "c", "t", "z"]))
def test_random_answers_are_judged_as_check_judges_them(formula, point, name):
    at = ", ".join(f"{k} = {v!r}" for k, v in point.items())
    sheet = load_class_sheet(f'[[problem]]\nid = "p"\nexpression = "{PROGRAM}"\nat = {{ {at} }}\n'
                             f'answers = ["{name}"]\n', "sheet.toml")
    book = grade_class(sheet, read_answers(f"student,p.{name}\n", sheet))
    key = book.keys[f"p.{name}"]
    result = key.asked.problem.result
    for text in (formula, solution(key).formula):
        fast = judge(key, text)
        answer = _unknown_names(parse_answer(f"{name}={text}", keep_going=True),
                                named_values(result.graph, result.values))
        slow = judge_answer(result, answer, named_values(result.graph, result.values), key.nearby,
                      book.rtol, book.atol)
        if read_number(text) is not None:   # a number as written (tolerance.py): the default for hand-
            assert fast.ok >= slow.ok and fast.points == slow.points, text   # computed answers only adds
            continue
        assert (fast.ok, fast.points, fast.failure) == (slow.ok, slow.points, slow.failure), text
    assert judge(key, solution(key).formula).ok   # the solution is right


def test_a_semicolon_file_with_decimal_commas_is_read_as_decimal_points():
    book = grade("Ada;6;2*(x+y);715;2,2;tax\n", header=HEADER.replace(",", ";"))
    marks_ = marks(book)
    assert [m.ok for m in marks_.values()] == [True, True, True, True, True]
    assert marks_["shop.apple"].text == "2.2"


def test_a_comma_file_with_a_quoted_decimal_comma_gets_a_hint():
    book = grade('Ada,6,2*(x+y),715,"2,2",tax\n')
    error = marks(book)["shop.apple"].verdict.answer.malformed
    assert error.hint == "write a decimal point: 2.2"


def test_a_column_in_the_wrong_case_is_named_with_a_hint():
    with pytest.raises(GradcalcError) as caught:
        grade("", header=HEADER.replace("sq.x", "SQ.X"))
    assert caught.value.hint.startswith("did you mean sq.x? (names are case-sensitive")


def test_only_the_derivatives_asked_for_are_computed():
    """x**n at x = -2 has ∂/∂x and a value but no ∂/∂n: a class asked only for those is graded."""
    sheet = '[[problem]]\nid = "p"\nexpression = "z = x**n"\nat = { x = -2, n = 3 }\nanswers = ["x", "z"]\n'
    book = grade("Ada,12,-8\nBen,3,-8\n", sheet, "student,p.x,p.z\n")
    assert [marks(book, s)["p.x"].verdict.ok for s in (0, 1)] == [True, False]
    assert marks(book, 0)["p.z"].verdict.ok
