"""An array answer has the quantity's shape exactly: one that merely broadcasts to it ([[1], [2]] for a
2×3 gradient, [1] for a vector) is wrong, said so with both shapes, on the command line, in a sheet,
in a class and in the API; only a single number stands for every element."""

import gradcalc
import pytest

from gradcalc.check import close, shape_failure
from gradcalc.classroom import grade_class, load_class_sheet, read_answers
from helpers import run

AFFINE = ["L = sum(X@W + b)", "--X", "[[1,2]]", "--W", "[[1,0,-1],[2,1,0]]", "--b", "[0.5,0,-0.5]"]


@pytest.mark.parametrize("expect, said", [
    ("W=[[1],[2]]", "your answer has shape (2, 1); ∂L/∂W has W's shape (2, 3)"),
    ("X=[0,3]", "your answer has shape (2,); ∂L/∂X has X's shape (1, 2); it has the right numbers in the wrong shape"),
    ("b=[1]", "your answer has shape (1,); ∂L/∂b has b's shape (3,)"),
    ("b=[[1,1,1]]", "your answer has shape (1, 3); ∂L/∂b has b's shape (3,); it has the right numbers in the wrong shape"),
])
def test_an_answer_that_only_broadcasts_is_wrong(expect, said):
    result = run(*AFFINE, "--expect", expect, "--plain")
    assert result.exit_code == 1, result.output
    assert said in result.stdout


@pytest.mark.parametrize("expect", ["b=1", "b=[1,1,1]", "W=[[1,1,1],[2,2,2]]", "X=[[0,3]]", "b=2*0.5"])
def test_the_right_shape_or_a_single_number_is_right(expect):
    result = run(*AFFINE, "--expect", expect, "--plain")
    assert result.exit_code == 0, result.output


def test_close_and_shape_failure_agree():
    assert not close([[1.0], [2.0]], [[1.0, 1, 1], [2, 2, 2]], 1e-6, 1e-12)
    assert close(1.0, [1.0, 1.0], 1e-6, 1e-12)
    result = gradcalc.compute("sum(2*x)", x=[1, 2])
    assert shape_failure(result, "x", "∂z/∂x", [2.0], [2.0, 2.0], 1e-6, 1e-12) is not None
    assert shape_failure(result, "x", "∂z/∂x", 2.0, [2.0, 2.0], 1e-6, 1e-12) is None


def test_the_api_agrees():
    result = gradcalc.compute("L = sum(X@W + b)", X=[[1, 2]], W=[[1, 0, -1], [2, 1, 0]], b=[0.5, 0, -0.5])
    assert not result.expect("W", [[1], [2]])["ok"]
    assert not result.expect("b", [1])["ok"]
    assert result.expect("b", 1)["ok"]


SHEET = """\
title = "Affine"
[[problem]]
id = "aff"
expression = "L = sum(X@W + b)"
at = { X = [[1, 2]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, 0, -0.5] }
answers = ["W", "b", "X"]
"""


def test_a_class_answer_that_only_broadcasts_is_wrong():
    answers = ('student,aff.W,aff.b,aff.X\nE,"[[1],[2]]","[[1,1,1]]","[0,3]"\n'
               'G,"[[1,1,1],[2,2,2]]",1,"[[0,3]]"\n')
    sheet = load_class_sheet(SHEET, "mat.toml")
    book = grade_class(sheet, read_answers(answers, sheet, "mat2.csv"))
    assert [s.right for s in book.students] == [0, 3]
    w = book.students[0].marks[0].verdict
    assert "has W's shape (2, 3)" in w.failure and w.wrong_shape


def test_a_sheet_answer_that_only_broadcasts_is_wrong(tmp_path):
    sheet = tmp_path / "hand-in.toml"
    sheet.write_text('[[problem]]\nexpression = "L = sum(X@W + b)"\n'
                     'at = { X = [[1, 2]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, 0, -0.5] }\n'
                     '[problem.expect]\nW = [[1], [2]]\nb = 1\n')
    result = run("check", str(sheet), "--plain")
    assert result.exit_code == 1, result.output
    assert "has W's shape (2, 3)" in result.stdout
