"""--format canvas|moodle|gradescope (issue 25): the gradebook as each system imports it, checked
against each format's documented columns and keys.

- Canvas's gradebook CSV, as Canvas itself writes and reads it back (instructure/canvas-lms,
  app/models/course.rb, gradebook_to_csv): the columns Student, ID, SIS User ID, SIS Login ID,
  Section, then a column per assignment, and a second row starting "Points Possible".
- Moodle's CSV grade import (moodle/moodle, grade/import/csv): one column identifies the user as
  one of userid, useridnumber, useremail or username; each other column maps to a grade item.
- Gradescope's autograder results.json (gradescope-autograders.readthedocs.io/en/latest/specs/):
  optional top-level "score" and "output", and "tests", each with "score", "max_score", "name",
  "number" and "output".
"""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEET = str(EXAMPLES / "gradebook.toml")
CANVAS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
GRADESCOPE_TOP = {"score", "execution_time", "output", "visibility", "stdout_visibility", "extra_data", "tests",
                  "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}


def grade(tmp_path, text: str, *args: str):
    file = tmp_path / "a.csv"
    file.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["check", SHEET, "--answers", str(file), *args])


CLASS = ("student,SIS User ID,email,section,log.z,log.x,valley.x,valley.y,neuron.w\n"
         "Ada,S1,ada@example.org,Mon,0.693,1/x,-151,150,0.353\n"
         "Ben,S2,ben@example.org,Tue,0.69,0.5,-1,200*y,0.235\n")


def test_canvas_has_its_five_student_columns_points_possible_and_a_column_per_problem(tmp_path):
    result = grade(tmp_path, CLASS, "--format", "canvas")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:5] == CANVAS
    items = rows[0][5:]
    assert items == ["Gradients by hand, week 5: log", "Gradients by hand, week 5: valley",
                     "Gradients by hand, week 5: neuron"]
    assert not any(item.rstrip().endswith(")") for item in items)   # "(123)" would be read as an id
    assert rows[1] == ["Points Possible", "", "", "", "", "1", "1", "1"]
    assert rows[2] == ["Ada", "", "S1", "", "Mon", "1", "1", "1"]
    assert rows[3] == ["Ben", "", "S2", "", "Tue", "0.5", "0", "0"]


def test_canvas_works_from_names_alone(tmp_path):
    result = grade(tmp_path, "student,log.z,log.x,valley.x,valley.y,neuron.w\nAda,0.693,1/x,-151,150,0.353\n",
                   "--format", "canvas")
    assert list(csv.reader(io.StringIO(result.stdout)))[2] == ["Ada", "", "", "", "", "1", "1", "1"]


def test_moodle_is_keyed_by_an_identifier_column_and_has_a_column_per_grade_item(tmp_path):
    result = grade(tmp_path, CLASS, "--format", "moodle")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["Email address", "Student", "Gradients by hand, week 5: log",
                       "Gradients by hand, week 5: valley", "Gradients by hand, week 5: neuron"]
    assert rows[1:] == [["ada@example.org", "Ada", "1", "1", "1"], ["ben@example.org", "Ben", "0.5", "0", "0"]]


def test_moodle_without_an_identifier_is_exit_2_saying_which_to_add(tmp_path):
    result = grade(tmp_path, "student,log.z,log.x,valley.x,valley.y,neuron.w\nAda,0.693,1/x,-151,150,0.353\n",
                   "--format", "moodle")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--format moodle needs a column that tells Moodle who each student is" in result.stderr
    assert "email, idnumber or username" in result.stderr


def test_gradescope_results_json_has_a_test_per_problem_with_its_feedback(tmp_path):
    result = grade(tmp_path, CLASS.split("Ada")[0] + "Ben" + CLASS.split("Ben")[1], "--format", "gradescope")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) <= GRADESCOPE_TOP and data["score"] == 0.5
    assert data["output"].startswith("Gradients by hand, week 5: 0.5 of 3 points")
    assert [set(test) <= GRADESCOPE_TEST for test in data["tests"]] == [True] * 3
    assert [(t["name"], t["number"], t["score"], t["max_score"]) for t in data["tests"]] == [
        ("1. A logarithm", "1", 0.5, 1.0), ("2. Rosenbrock's valley", "2", 0.0, 1.0),
        ("3. A sigmoid neuron", "3", 0.0, 1.0)]
    assert "right to 2 significant figures; the sheet asks for 3" in data["tests"][0]["output"]
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_gradescope_with_solutions_shows_them(tmp_path):
    one = "student,log.z,log.x,valley.x,valley.y,neuron.w\nBen,0.69,0.5,-1,200*y,0.235\n"
    data = json.loads(grade(tmp_path, one, "--format", "gradescope", "--solutions").stdout)
    assert "Solution: ∂z/∂x = -151 at the given point" in data["tests"][1]["output"]


def test_gradescope_grades_one_submission_at_a_time(tmp_path):
    result = grade(tmp_path, CLASS, "--format", "gradescope")
    assert result.exit_code == 2 and "the answers file has 2 students" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--format", "canvas", "--json"], "--json and --format are two ways to print the gradebook"),
    (["--format", "excel"], "--format: 'excel' is not one of 'csv', 'canvas', 'moodle', 'gradescope'"),
])
def test_format_conflicts(tmp_path, args, message):
    result = grade(tmp_path, CLASS, *args)
    assert result.exit_code == 2 and message in result.stderr


def test_format_needs_answers():
    result = CliRunner().invoke(main, ["check", SHEET, "--format", "canvas"])
    assert result.exit_code == 2 and "--format needs --answers" in result.stderr


def test_identity_columns_are_not_answers_and_not_given_twice(tmp_path):
    result = grade(tmp_path, CLASS.replace("section", "Email address"), "--format", "moodle")
    assert result.exit_code == 2 and "says what column 3 says (Email address)" in result.stderr
    plain = grade(tmp_path, CLASS)
    assert plain.stdout.splitlines()[0] == "student,log,valley,neuron,total,max,review"


def test_a_student_id_never_reaches_a_spreadsheet_as_a_formula(tmp_path):
    hostile = CLASS.replace("S1", "=cmd|' /C calc'!A0")
    rows = list(csv.reader(io.StringIO(grade(tmp_path, hostile, "--format", "canvas").stdout)))
    assert rows[2][2].startswith("'=")


def test_a_misspelt_identity_column_is_exit_2_with_a_suggestion(tmp_path):
    result = grade(tmp_path, CLASS.replace("email", "emial"))
    assert result.exit_code == 2 and "the sheet asks for no answer 'emial'" in result.stderr
    assert "did you mean email?" in result.stderr
