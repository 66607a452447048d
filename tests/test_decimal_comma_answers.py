"""A class's answers saved by a decimal-comma spreadsheet (';' between fields, often with a BOM and
CRLF): a comma in an answer there is a decimal comma, read as --points reads it (csvtext.decimal_point),
except inside brackets or parentheses, where it separates elements or arguments."""

import pytest

from gradcalc.classroom import grade_class, load_class_sheet, read_answers
from gradcalc.csvtext import decimal_point
from helpers import run

SHEET = """\
title = "Week 5"
[[problem]]
id = "shop"
expression = '''
apple_price = apple*apple_num
price = apple_price*tax
'''
at = { apple = 100, apple_num = 2, tax = 1.1 }
answers = ["apple", "apple_num", "tax", "price"]

[[problem]]
id = "sq"
expression = "(x+y)**2"
at = { x = 1, y = 2 }
answers = ["x", "y"]

[[problem]]
id = "v"
expression = "sum(w*w)"
at = { w = [1.5, 2] }
answers = ["w"]
"""

A5 = ("\ufeffstudent;shop.apple;shop.apple_num;shop.tax;shop.price;sq.x;sq.y;v.w\r\n"
      '"Multi\r\nLine";2,2;110;200;220;6;6;"[3,4]"\r\n'
      "A;2,2;110;200;220;6,0;6;[3, 4]\r\n"
      "B;2,2;110;200;220;6,0;6;\"[3,0, 4,0]\"\r\n")


@pytest.mark.parametrize("field, read", [
    ("2,2", "2.2"), ("-0,5", "-0.5"), ("[1,2]", "[1,2]"), ("[[1,2],[3,4]]", "[[1,2],[3,4]]"),
    ("max(x, 0)", "max(x, 0)"), ("2,5*x", "2.5*x"), ("[1,5] * 2,5", "[1,5] * 2.5"),
])
def test_decimal_point_leaves_commas_inside_brackets(field, read):
    assert decimal_point(field, ";") == read
    assert decimal_point(field, ",") == field


def test_a_semicolon_file_reads_decimal_commas():
    sheet = load_class_sheet(SHEET, "class.toml")
    book = grade_class(sheet, read_answers(A5.lstrip("\ufeff"), sheet, "a5.csv"))   # the CLI drops the BOM
    by_name = {s.name: s for s in book.students}
    assert by_name["A"].right == 7 and by_name["Multi\r\nLine"].right == 7
    assert by_name["A"].review["look"] == []
    # [3,0, 4,0] is two elements' separators and no decimal comma: [3, 0, 4, 0], the wrong shape
    assert by_name["B"].right == 6


def test_a_comma_separated_file_still_marks_a_decimal_comma_for_review():
    sheet = load_class_sheet(SHEET, "class.toml")
    text = 'student,shop.apple,shop.apple_num,shop.tax,shop.price,sq.x,sq.y,v.w\nA,"2,2",110,200,220,6,6,"[3,4]"\n'
    book = grade_class(sheet, read_answers(text, sheet, "a.csv"))
    assert book.students[0].right == 6
    assert "as 2.2 it would be right" in book.students[0].review["look"][0]


def test_the_command_grades_a_semicolon_file(tmp_path):
    (tmp_path / "class.toml").write_text(SHEET)
    (tmp_path / "a5.csv").write_bytes(A5.encode())
    result = run("check", str(tmp_path / "class.toml"), "--answers", str(tmp_path / "a5.csv"))
    assert result.exit_code == 0, result.output
    assert "decimal comma" not in result.stdout
    assert "\nA,1,1,1,3,3,\n" in result.stdout.replace("\r\n", "\n")
