"""Nothing lost, nothing hidden (issue 25): a bad row or cell is that student's, marked for review, and
the rest of the class is graded; the gradebook's review column and one line on stderr say what."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main
from gradcalc.errors import GradcalcError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEET, ANSWERS = str(EXAMPLES / "gradebook.toml"), str(EXAMPLES / "gradebook.csv")
HEADER = "student,log.z,log.x,valley.x,valley.y,neuron.w\n"
EVE = ("line 6: the row has 8 fields but the header has 7 columns; read with each decimal comma inside one "
       "answer; log.z: written with a decimal comma; as 0.693 it would be right")


def run(*args, input=None):
    return CliRunner().invoke(main, ["check", *args], input=input)


def test_the_five_students_of_the_issue_get_the_gradebook_a_teacher_expects():
    # Right (Ada), wrong (Ben, whose 0.69 is ln 2 to 2 figures), blank (Cy), malformed (Dee) and a
    # decimal comma (Eve's 0,693 unquoted: eight fields for seven columns, once exit 2 for the class).
    result = run(SHEET, "--answers", ANSWERS)
    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["student", "log", "valley", "neuron", "total", "max", "review"],
        ["Ada", "1", "1", "1", "3", "3", ""],
        ["Ben", "0.5", "0", "0", "0.5", "3", ""],
        ["Cy", "0.5", "0.5", "0", "1", "3", "blank: log.x, valley.x, neuron.w"],
        ["Dee", "0.5", "0.5", "1", "2", "3", "malformed: log.z, valley.x"],
        ["Eve", "0.5", "1", "1", "2.5", "3", EVE],
    ]
    assert result.stderr == ("note: graded 5 students: 3 blank answers, 2 malformed, 1 student to look at "
                             "(Eve); the gradebook's review column says which\n")


def test_the_five_students_in_json_and_feedback(tmp_path):
    data = json.loads(run(SHEET, "--answers", ANSWERS, "--json").stdout)
    students = {s["student"]: s for s in data["students"]}
    marks = {(name, f"{m['problem']}.{m['name']}"): m for name, s in students.items() for m in s["marks"]}
    assert marks["Ben", "log.z"]["failure"] == "right to 2 significant figures; the sheet asks for 3"
    # The issue's -2(1-x)-400x(y-x^2), once malformed and 0 points: math text, read as the command line reads it.
    assert marks["Ada", "valley.x"]["answer"] == "-2(1-x)-400x(y-x^2)"
    assert (marks["Ada", "valley.x"]["kind"], marks["Ada", "valley.x"]["ok"]) == ("formula", True)
    assert marks["Dee", "valley.x"]["kind"] == "malformed" and marks["Dee", "valley.x"]["error"]["caret"]
    assert marks["Eve", "log.z"]["answer"] == "0,693" and marks["Eve", "log.z"]["points"] == 0
    assert marks["Eve", "log.z"]["review"] == "written with a decimal comma; as 0.693 it would be right"
    assert students["Cy"]["review"] == {"blank": ["log.x", "valley.x", "neuron.w"], "malformed": [], "look": []}
    run(SHEET, "--answers", ANSWERS, "--report", str(tmp_path))
    eve = (tmp_path / "Eve.md").read_text(encoding="utf-8")
    assert "marked for review: written with a decimal comma; as 0.693 it would be right" in eve
    assert "hint: write a decimal point: 0.693" in eve


def test_a_row_that_cannot_be_lined_up_is_not_guessed(tmp_path):
    # 150,0,353: 150.0 and 353, or 150 and 0.353? Two readings: the row is kept, not graded, and said.
    file = tmp_path / "a.csv"
    file.write_text(HEADER + "Ada,0.693,1/x,-151,150,0,353\nBen,0.693,0.5,-151,150,0.353\n")
    result = run(SHEET, "--answers", str(file))
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1] == ["Ada", "0", "0", "0", "0", "3",
                       "line 2: the row has 7 fields but the header has 6 columns; not graded"]
    assert rows[2][4:6] == ["3", "3"]
    assert "1 student to look at (Ada)" in result.stderr


def test_a_decimal_comma_in_one_field_is_that_cells_review(tmp_path):
    file = tmp_path / "a.csv"
    file.write_text(HEADER + ",".join(["Ada", '"0,693"', "1/x", "-151", "150", "0.353"]))
    result = run(SHEET, "--answers", str(file), "--json")
    assert result.exit_code == 0, result.output
    student = json.loads(result.stdout)["students"][0]
    assert student["total"] == 2.5
    assert student["review"]["look"] == ["log.z: written with a decimal comma; as 0.693 it would be right"]


def test_a_decimal_comma_in_a_semicolon_file_is_a_decimal_point(tmp_path):
    file = tmp_path / "a.csv"
    file.write_text(HEADER.replace(",", ";") + ";".join(["Ada", "0,693", "1/x", "-151", "150", "0,353"]))
    result = run(SHEET, "--answers", str(file), "--json")
    assert result.exit_code == 0, result.output
    student = json.loads(result.stdout)["students"][0]
    assert student["review"]["look"] == []
    assert student["total"] == 3   # every answer right


def test_no_name_and_a_name_twice_are_kept_and_said(tmp_path):
    file = tmp_path / "a.csv"
    file.write_text(HEADER + ",0.693,1/x,-151,150,0.353\nAda,0.693,1/x,-151,150,0.353\n"
                             "Ada,0.7,1/x,-151,150,0.353\n")
    result = run(SHEET, "--answers", str(file))
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [row[0] for row in rows[1:]] == ["(no name, line 2)", "Ada", "Ada"]
    assert [row[4] for row in rows[1:]] == ["3", "3", "2.5"]
    assert rows[1][6] == "line 2: no student name" and rows[3][6] == "line 4: the student is also on line 3"


def test_a_file_that_is_not_csv_still_stops_with_exit_2(tmp_path):
    file = tmp_path / "a.csv"
    file.write_text(HEADER + 'Ada,"0.693,1/x\n')
    result = run(SHEET, "--answers", str(file))
    assert result.exit_code == 2 and "not valid CSV: a quoted field is never closed" in result.stderr


def test_a_student_name_or_review_text_never_reaches_a_spreadsheet_as_a_formula(tmp_path):
    file = tmp_path / "a.csv"
    file.write_text(HEADER + "=HYPERLINK(1),0.693,1/x,-151,150,0.353,\n")
    result = run(SHEET, "--answers", str(file))
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][0] == "'=HYPERLINK(1)" and not rows[1][6].startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("text", ["-2(1-x)-400x(y-x^2)", "400x(y - x^2)", "-2*(1-x)-400*x*(y-x**2)",
                                  "−2·(1 − x) − 400·x·(y − x²)"])
def test_formula_answers_are_read_by_the_expression_parser(tmp_path, text):
    # One reader: a cell is malformed exactly when `gradcalc EXPRESSION` cannot read the same text.
    from gradcalc.parse import parse

    try:
        parse(text)
        readable = True
    except GradcalcError:
        readable = False
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER.strip().split(","),
                                                       ["Ada", "0.693", "1/x", text, "150", "0.353"]])
    file = tmp_path / "a.csv"
    file.write_text(buffer.getvalue(), encoding="utf-8")
    mark = json.loads(run(SHEET, "--answers", str(file), "--json").stdout)["students"][0]["marks"][2]
    assert (mark["kind"] != "malformed") == readable


def test_the_readme_shows_the_five_students_as_they_are():
    import re

    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```csv\n(.*?\n)```\n", readme, re.S)
    assert Path(ANSWERS).read_text() in blocks
