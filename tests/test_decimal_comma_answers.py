"""A class's answers saved by a decimal-comma spreadsheet (';' between fields, often with a BOM and
CRLF): a comma in an answer there is a decimal comma, read as --points reads it (csvtext.decimal_point),
except inside brackets or parentheses, where it separates elements or arguments."""

import csv
import io
import json

import pytest

from gradcalc.classroom import grade_class, load_class_sheet, read_answers
from gradcalc.csvtext import decimal_point
from gradcalc.errors import visible
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
    # Elements written apart by ", " or by ";" (the list separator where the comma is decimal): a comma
    # between two digits is then a decimal comma. [3,0, 4,0] was the four elements [3, 0, 4, 0].
    ("[3,0, 4,0]", "[3.0, 4.0]"), ("[3,0; 4,0]", "[3.0, 4.0]"), ("[3,0;4,0]", "[3.0,4.0]"),
    ("[[1,5, 2], [3, 4,5]]", "[[1.5, 2], [3, 4.5]]"), ("max(x, 0,5)", "max(x, 0.5)"),
    ("[[1, 2],[3, 4]]", "[[1, 2],[3, 4]]"), ("[3,0,4,0]", "[3,0,4,0]"),
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
    # [3,0, 4,0]: its elements are apart by ", ", so 3,0 and 4,0 are decimal commas: [3.0, 4.0], right
    # (it was read as [3, 0, 4, 0], the wrong shape)
    assert by_name["B"].right == 7 and by_name["B"].review["look"] == []


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


# --key --answers and --self-test --answers read their list of students with the class's reader
# (csvtext.rows), so every student's point is drawn for the name the class is graded under. Before,
# their own reader took a quote never closed as a name (exit 0), refused a field over csv's 131 072
# characters that the class reads, and numbered a row by where it ends rather than where it starts.
VARYING = 'seed = 7\n[[problem]]\nid = "p"\nexpression = "x*y"\nat = { x = { range = [1, 99] }, y = 2 }\nanswers = ["x"]\n'


def _files(tmp_path, answers: str):
    (tmp_path / "v.toml").write_text(VARYING)
    (tmp_path / "a.csv").write_bytes(answers.encode())
    return str(tmp_path / "v.toml"), str(tmp_path / "a.csv")


def test_the_key_and_the_class_read_the_same_students(tmp_path):
    sheet, answers = _files(tmp_path, '\ufeffstudent;p.x\r\n"Ben; Jr";2,0\r\n"Multi\r\nLine";2\r\n\r\nAnn;"2,0"\r\n'
                                      '"' + "L" * 140_000 + '";2\r\n')
    key = run("check", sheet, "--key", "--answers", answers)
    book = run("check", sheet, "--answers", answers, "--json")
    assert key.exit_code == 0 and book.exit_code == 0, key.output + book.output
    graded = [student["student"] for student in json.loads(book.stdout)["students"]]
    assert graded == ["Ben; Jr", "Multi\r\nLine", "Ann", "L" * 140_000]
    csv.field_size_limit(1_000_000)
    rows = list(csv.reader(io.StringIO(key.stdout, newline=""), delimiter=";"))[1:]   # the file's separator
    assert [row[0] for row in rows] == [visible(name) for name in graded]   # a CR or LF shown escaped
    assert run("check", sheet, "--self-test", "--answers", answers).exit_code == 0


@pytest.mark.parametrize("option", ["--key", "--self-test"])
def test_a_quote_never_closed_stops_the_key_as_it_stops_the_class(tmp_path, option):
    sheet, answers = _files(tmp_path, 'student,p.x\nAnn,2\n"Ben,3\nCy,4\n')
    for args in ([option], []):
        found = run("check", sheet, *args, "--answers", answers)
        assert found.exit_code == 2 and found.stdout == "", found.output
        assert f"{answers}, line 3: not valid CSV: a quoted field is never closed" in found.stderr


def test_the_key_names_the_line_a_row_starts_on(tmp_path):
    sheet, answers = _files(tmp_path, 'student,p.x\nAnn,"1\n+1"\nAnn,2\n')
    found = run("check", sheet, "--key", "--answers", answers)
    assert found.exit_code == 2 and f"{answers}, line 4: the student 'Ann' is also on line 2" in found.stderr


def test_commas_alone_in_an_array_are_read_as_elements_and_a_person_told(tmp_path):
    # [3,0,4,0]: four elements or two numbers with decimal commas? The commas alone say elements (as
    # [1,2] is two), the wrong shape here; that read with decimal commas it is right goes to review.
    sheet = load_class_sheet(SHEET, "class.toml")
    header = "student;shop.apple;shop.apple_num;shop.tax;shop.price;sq.x;sq.y;v.w\n"
    text = header + "A;2,2;110;200;220;6;6;[3,0,4,0]\nB;2,2;110;200;220;6;6;[3,5,4,0]\nC;2,2;110;200;220;6;6;[3,4]\n"
    by_name = {s.name: s for s in grade_class(sheet, read_answers(text, sheet, "a.csv")).students}
    assert by_name["A"].right == 6 and by_name["A"].review["look"] == [
        "v.w: read as elements apart by commas, the wrong shape; with decimal commas, [3.0,4.0], it would be right"]
    assert by_name["B"].right == 6 and by_name["B"].review["look"] == []   # wrong either way: no one to ask
    assert by_name["C"].right == 7


def test_the_second_reading_never_stops_the_class(monkeypatch):
    # A student's answer is read a second way only for a note: gradcalc failing there is not the class's end.
    from gradcalc import classroom

    judged = classroom._judge_within

    def failing(key, text, *args, **kwargs):
        if text == "[3.0,4.0]":
            raise RuntimeError("a slip of gradcalc's")
        return judged(key, text, *args, **kwargs)

    monkeypatch.setattr(classroom, "_judge_within", failing)
    sheet = load_class_sheet(SHEET, "class.toml")
    header = "student;shop.apple;shop.apple_num;shop.tax;shop.price;sq.x;sq.y;v.w\n"
    book = grade_class(sheet, read_answers(header + "A;2,2;110;200;220;6;6;[3,0,4,0]\nB;2,2;110;200;220;6;6;[3,4]\n",
                                           sheet, "a.csv"))
    assert [s.right for s in book.students] == [6, 7] and book.students[0].review["look"] == []


VECTORS = """\
[[problem]]
id = "v"
expression = "sum(x**2)/2"
at = { x = [3, 4] }
answers = ["x"]
[[problem]]
id = "s"
expression = "x*y"
at = { x = 1.5, y = 2 }
answers = ["x", "z"]
"""


@pytest.mark.parametrize("answers, expected", [
    # an unquoted array with a ; inside, in a ; file: its halves kept together, never 2;3 read as 2,3
    ("student;v.x;s.x;s.z\nB;[3,0; 4,0];2;3\n", {"v.x": True, "s.x": True, "s.z": True}),
    # an unquoted array or call with a comma inside, in a comma file
    ("student,v.x,s.x,s.z\nB,[3, 4],2,3\n", {"v.x": True, "s.x": True, "s.z": True}),
    ("student,v.x,s.x,s.z\nB,x,max(y, 1),3\n", {"v.x": True, "s.x": True, "s.z": True}),
])
def test_an_answers_brackets_hold_the_separator(answers, expected):
    sheet = load_class_sheet(VECTORS)
    book = grade_class(sheet, read_answers(answers, sheet))
    row = book.students[0]
    assert row.right == sum(expected.values()) == 3
    assert "brackets kept together" in str(row.review)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_each_students_key_is_written_with_the_answers_files_separator(tmp_path, separator):
    # a decimal-comma spreadsheet saved the names with ';' (or tabs): the key it opens back has them too
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples"
    names = "student,x\nAda,1\nBen,2\n\"Cy, Jr\",3\n"
    comma, other = tmp_path / "comma.csv", tmp_path / "other.csv"
    comma.write_text(names, encoding="utf-8")
    other.write_text(names.replace(",", separator).replace(f'Cy{separator} Jr', "Cy, Jr"), encoding="utf-8")
    by_comma = run("check", str(examples / "variants.toml"), "--key", "--answers", str(comma))
    by_other = run("check", str(examples / "variants.toml"), "--key", "--answers", str(other))
    assert by_comma.exit_code == by_other.exit_code == 0, by_other.output
    rows = list(csv.reader(io.StringIO(by_other.stdout), delimiter=separator))
    assert rows == list(csv.reader(io.StringIO(by_comma.stdout)))
    assert [row[0] for row in rows] == ["student", "Ada", "Ben", "Cy, Jr"]
    assert by_other.stdout.splitlines()[0].split(separator)[:2] == ["student", "neuron:at"]
