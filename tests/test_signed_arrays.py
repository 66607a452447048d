"""A sign in front of an array literal (-[1, 2], -np.array(…)) is its negation everywhere: expressions,
--expect, class answers and the API; and one answer that gradcalc cannot grade never stops the class."""

import numpy as np
import pytest

import gradcalc
from gradcalc import classroom
from gradcalc.classroom import grade_class, load_class_sheet, read_answers
from gradcalc.render.classroom import gradebook_csv, review_summary
from helpers import run


@pytest.mark.parametrize("text, value, grad", [
    ("sum(x * -np.array([1., 2.]))", -5.0, [-1.0, -2.0]),
    ("sum(-[1,2]*x)", -5.0, [-1.0, -2.0]),
    ("sum(+[2]*x)", 6.0, [2.0, 2.0]),
    ("x @ -torch.tensor([1., 2.])", -5.0, [-1.0, -2.0]),
    ("sum(x * --[1, 2])", 5.0, [1.0, 2.0]),
    ("sum(x * -[[1, 2], [3, 4]])", -16.0, [-4.0, -6.0]),
])
def test_a_signed_array_literal_is_its_negation(text, value, grad):
    result = run(text, "--x", "[1,2]", "--json")
    assert result.exit_code == 0, result.output
    computed = gradcalc.compute(text, x=[1, 2])
    assert computed.value == value
    np.testing.assert_array_equal(computed.gradient["x"], grad)


def test_the_api_reads_a_signed_array_literal():
    assert gradcalc.compute("sum(-[1,2]*x)", x=1).value == -3.0


AFFINE = ["L = sum(X@W + b)", "--X", "[[1,2]]", "--W", "[[1,0,-1],[2,1,0]]", "--b", "[0.5,0,-0.5]"]


def test_expect_reads_a_signed_array():
    right = run(*AFFINE, "--expect", "b=+[1,1,1]")
    assert right.exit_code == 0, right.output
    wrong = run(*AFFINE, "--expect", "b=-[1,1,1]")
    assert wrong.exit_code == 1, wrong.output
    assert "sign" in wrong.stdout


SHEET = """\
title = "Affine"
[[problem]]
id = "aff"
expression = "L = sum(X@W + b)"
at = { X = [[1, 2]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, 0, -0.5] }
answers = ["W", "b", "X"]
"""
ANSWERS = """\
student,aff.W,aff.b,aff.X
A,"[[1,1,1],[2,2,2]]","[1,1,1]","[[0,3]]"
B,"-[[1,1,1],[2,2,2]]","+[1,1,1]","-[[0,3]]"
"""


def grade(answers=ANSWERS):
    sheet = load_class_sheet(SHEET, "mat.toml")
    return grade_class(sheet, read_answers(answers, sheet, "mat3.csv"))


def test_a_class_answer_with_a_signed_array_is_graded():
    book = grade()
    assert [s.right for s in book.students] == [3, 1]


def test_the_class_command_grades_signed_arrays(tmp_path):
    (tmp_path / "mat.toml").write_text(SHEET)
    (tmp_path / "mat3.csv").write_text(ANSWERS)
    result = run("check", str(tmp_path / "mat.toml"), "--answers", str(tmp_path / "mat3.csv"))
    assert result.exit_code in (0, 1), result.output
    assert result.stdout.startswith("student,aff,total,max,review")


def test_an_answer_gradcalc_fails_on_is_that_students_alone(monkeypatch):
    real = classroom._judge_within

    def failing(key, text, *args, **kwargs):
        if text == "+[1,1,1]":
            raise TypeError("an internal slip")
        return real(key, text, *args, **kwargs)

    monkeypatch.setattr(classroom, "_judge_within", failing)
    book = grade()
    first, second = book.students
    assert first.right == 3                     # the class goes on
    mark = {m.asked.column: m for m in second.marks}["aff.b"]
    assert not mark.verdict.ok
    said = mark.verdict.answer.review
    assert "TypeError: an internal slip" in said and "bug in gradcalc" in said
    assert "bug in gradcalc" in gradebook_csv(book)
    assert "review" in review_summary(book)


def test_naming_mistakes_failing_still_gives_the_gradebook(monkeypatch):
    from gradcalc.diagnose import ClassMarker

    def failing(self):
        raise ValueError("a slip in the catalogue")

    monkeypatch.setattr(ClassMarker, "finish", failing)
    book = grade()
    assert [s.right for s in book.students] == [3, 1]
    assert book.students[0].notes == []
    assert any("ValueError: a slip in the catalogue" in note and "bug in gradcalc" in note
               for note in book.students[1].notes)
