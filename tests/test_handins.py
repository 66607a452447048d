"""Hand-ins and shared folders that try to beat the grader: every case here once did (issue 21)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main
from gradcalc.classroom import Student
from gradcalc.render.classroom import file_names

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEET, ANSWERS = str(EXAMPLES / "class.toml"), str(EXAMPLES / "answers.csv")


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


# --report DIR writes inside DIR only ------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_planted_in_the_report_folder_is_replaced_not_followed(tmp_path):
    folder, outside = tmp_path / "feedback", tmp_path / "outside.txt"
    folder.mkdir()
    outside.write_text("the teacher's own file\n")
    (folder / "Ada.md").symlink_to(outside)
    (folder / "Ben.md").symlink_to(tmp_path / "created-outside.txt")   # dangling
    result = run("check", SHEET, "--answers", ANSWERS, "--report", str(folder))
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "the teacher's own file\n"
    assert not (tmp_path / "created-outside.txt").exists()
    for name in ("Ada.md", "Ben.md", "Cy.md"):
        assert not (folder / name).is_symlink() and "**Student:**" in (folder / name).read_text()
    assert sorted(p.name for p in folder.iterdir()) == ["Ada.md", "Ben.md", "Cy.md", "_items.csv",
                                                        "_items.md", "index.csv", "index.md"]   # no temporary left


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links here")
def test_a_hard_link_planted_in_the_report_folder_keeps_the_file_outside(tmp_path):
    # Writing in place wrote through a hard link; a new file renamed over the name does not (and
    # is what makes a reader, or another grader, see a whole file, old or new).
    folder, outside = tmp_path / "feedback", tmp_path / "outside.txt"
    folder.mkdir()
    outside.write_text("the teacher's own file\n")
    os.link(outside, folder / "Cy.md")
    result = run("check", SHEET, "--answers", ANSWERS, "--report", str(folder))
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "the teacher's own file\n"
    assert "**Student:** Cy" in (folder / "Cy.md").read_text()


def test_an_empty_report_folder_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", SHEET, "--answers", ANSWERS, "--report", "")
    assert result.exit_code == 2 and "--report needs the name of a directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_directory_planted_under_a_students_file_name_is_exit_2_and_nothing_else_written(tmp_path):
    folder = tmp_path / "feedback"
    (folder / "Ada.md").mkdir(parents=True)
    result = run("check", SHEET, "--answers", ANSWERS, "--report", str(folder))
    assert result.exit_code == 2 and "cannot write the report into" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["Ada.md"]


def test_four_graders_writing_one_folder_at_once_leave_whole_files(tmp_path):
    # Four graders at once, each with other answers (and files of other lengths: a shorter file
    # written over a longer one left the longer one's tail): every file is one grader's, whole.
    sheet, students = EXAMPLES / "class.toml", 300
    header = Path(ANSWERS).read_text().splitlines()[0]
    for grader in range(4):
        apple, w = ("2.2", "1") if grader % 2 else ("3", "0.25*" + "1" * 40 * grader)
        rows = [header] + [f"S{i:03d},2*(x+y)+0*{grader},6,715,{apple},tax,{w}" for i in range(students)]
        (tmp_path / f"a{grader}.csv").write_text("\n".join(rows) + "\n")
    folder = tmp_path / "feedback"
    graders = [subprocess.Popen([sys.executable, "-m", "gradcalc", "check", str(sheet), "--answers",
                                 str(tmp_path / f"a{grader}.csv"), "--report", str(folder), "--solutions"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for grader in range(4)]
    for grader in graders:
        assert grader.wait(timeout=300) == 0, grader.stderr.read()
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith(("_", "index.")))   # not _items.*
    assert names == [f"S{i:03d}.md" for i in range(students)]
    for name in names:
        text = (folder / name).read_text()
        assert sum(f"`2*(x+y)+0*{grader}`" in text for grader in range(4)) == 1, name
        assert text.count("**Student:**") == text.count("Tolerance:") == 1, name
        assert text.endswith("correctly rounded.\n"), name


def test_forty_thousand_near_identical_names_get_distinct_files():
    # Counting up from 2 for each name again took 116 s for 40 000 names (quadratic).
    names = ["Student"] * 20_000 + ["Student-2", "student"] * 10_000
    students = [Student(name, i + 2, []) for i, name in enumerate(names)]
    files = file_names(students)
    assert len({f.lower() for f in files}) == len(files) == 40_000
    assert files[:3] == ["Student.md", "Student-2.md", "Student-3.md"]
    assert files[20_000] == "Student-2-2.md" and files[20_001] == "student-20001.md"


# A formula answer is a formula of the problem's names -------------------------------------------

SHOP = "apple_price = apple*apple_num\nprice = apple_price*tax"
SHOP_AT = {"apple": 100, "apple_num": 2, "tax": 1.1}
BEATING = [   # (the quantity, an answer that once passed, the words of its refusal)
    # every name given a value inside: compared at the given point only, where 2.2 is right
    ("apple", "apple=0; tax=0; apple_num=0; apple_num + 0.2", "gives the problem's input apple a value"),
    ("apple_num", "tax = 1.1; apple*tax", "gives the problem's input tax a value"),
    ("apple_num", "apple = apple_num*0 + 100; apple*tax", "assigns the problem's input apple"),
    ("apple", "apple_price = 2; apple_price*tax/apple_num*apple_num*0 + 2.2", "gives the problem's value"),
    ("price", "price", "price is the output itself"),
    ("price", "apple_price*tax", "apple_price is a value price is computed from"),
    ("apple", "price/apple", "the answer uses the output price itself"),
]


@pytest.mark.parametrize("name, text, why", BEATING)
def test_an_answer_that_gives_itself_values_or_names_the_output_is_malformed_on_the_command_line(
        name, text, why):
    args = ["--" + k + "=" + str(v) for k, v in SHOP_AT.items()]
    result = run(SHOP, *args, "--expect", f"{name}={text}", "-q")
    assert result.exit_code == 2 and why in result.stderr, result.output


@pytest.mark.parametrize("name, text, why", BEATING)
def test_an_answer_that_gives_itself_values_or_names_the_output_is_wrong_in_the_api(name, text, why):
    from gradcalc import GradcalcError, compute

    with pytest.raises(GradcalcError, match=why):
        compute(SHOP, SHOP_AT).expect(name, text)


@pytest.mark.parametrize("name, text, why", BEATING)
def test_an_answer_that_gives_itself_values_or_names_the_output_is_wrong_on_a_sheet(tmp_path, name, text, why):
    import json as _json

    sheet = tmp_path / "hw.toml"
    sheet.write_text(f'[[problem]]\nexpression = """{SHOP}"""\nat = {{ apple = 100, apple_num = 2, '
                     f'tax = 1.1 }}\n[problem.expect]\n{name} = {_json.dumps(text)}\n')
    result = run("check", str(sheet), "--json")
    assert result.exit_code == 1, result.output
    [verdict] = _json.loads(result.stdout)["problems"][0]["expect"]
    assert verdict["kind"] == "malformed" and why in verdict["failure"]


def test_answers_that_give_themselves_values_earn_nothing_in_a_class(tmp_path):
    import csv as _csv
    import io
    import json as _json

    sheet = tmp_path / "class.toml"
    sheet.write_text(f'[[problem]]\nid = "shop"\nexpression = """{SHOP}"""\nat = {{ apple = 100, '
                     f'apple_num = 2, tax = 1.1 }}\nanswers = ["price", "apple", "apple_num"]\n')
    columns = ["shop.price", "shop.apple", "shop.apple_num"]
    rows = [["honest", "apple*apple_num*tax", "apple_num*tax", "apple*tax"]]
    for i, (name, text, _) in enumerate(BEATING):   # each earned its points before
        row = ["", "", ""]
        row[columns.index(f"shop.{name}")] = text
        rows.append([f"cheat{i}"] + row)
    buffer = io.StringIO()
    _csv.writer(buffer).writerows([["student"] + columns] + rows)
    answers = tmp_path / "answers.csv"
    answers.write_text(buffer.getvalue())
    result = run("check", str(sheet), "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output
    students = _json.loads(result.stdout)["students"]
    assert students[0]["total"] == 1
    for student, (_, _, why) in zip(students[1:], BEATING):
        [mark] = [m for m in student["marks"] if m["answer"]]
        assert (student["total"], mark["kind"]) == (0, "malformed") and why in mark["failure"]


def test_a_helper_name_of_the_answers_own_and_a_label_are_still_fine():
    from gradcalc import compute

    result = compute(SHOP, SHOP_AT)
    assert result.expect("apple", "s = apple_num*tax; s")["ok"]
    assert result.expect("price", "price = apple*apple_num*tax")["ok"]
    assert result.expect("apple", "apple_num*tax")["ok"]
    assert result.expect("apple_num", "apple_price/apple_num*tax/apple*apple")["ok"]   # intermediates: fine


# Every note on how a text was read reaches every grading path -------------------------------------

# (A statement computed for nothing, (x+1) then (x-1), was the first such note; it is an error now.)
READ = "is read as (1/2)·x"
READ_Y = "is read as (2/2)·y"


def test_a_reading_of_a_sheets_expression_is_noted(tmp_path):
    import json as _json

    sheet = tmp_path / "hw.toml"
    sheet.write_text('[[problem]]\nexpression = "1/2x"\nat = { x = 2 }\n'
                     '[problem.expect]\nx = 0.5\n')
    plain = run("check", str(sheet), "--plain")
    assert plain.exit_code == 0 and f"note: 1/2x {READ}" in plain.stdout
    data = _json.loads(run("check", str(sheet), "--json").stdout)
    assert READ in data["problems"][0]["notes"][0]


def test_a_reading_of_an_answer_is_noted_on_every_output():
    import json as _json

    answer = ["--expect", "x=2/2y"]
    table = run("x*y", "--x", "1", "--y", "2", *answer, "--plain")
    assert f"note: ∂z/∂x = 2/2y: 2/2y {READ_Y}" in table.stdout
    quiet = run("x*y", "--x", "1", "--y", "2", *answer, "-q")
    assert f"note: in the answer x=…: 2/2y {READ_Y}" in quiet.stderr
    data = _json.loads(run("x*y", "--x", "1", "--y", "2", *answer, "--json").stdout)
    assert READ_Y in data["expect"][0]["notes"][0]


def test_a_statement_computed_for_nothing_is_an_error_in_a_sheet_and_an_answer(tmp_path):
    sheet = tmp_path / "hw.toml"
    sheet.write_text('[[problem]]\nexpression = """(x+1)\n(x-1)"""\nat = { x = 2 }\n'
                     '[problem.expect]\nx = 1\n')
    result = run("check", str(sheet), "--plain")
    assert result.exit_code == 2 and "(x+1) is computed for nothing" in result.stderr
    answered = run("x*y", "--x", "1", "--y", "2", "--expect", "x=(y+1)\n(y)", "--plain")
    assert answered.exit_code != 0 and "(y+1) is computed for nothing" in answered.stdout + answered.stderr


def test_notes_on_a_class_sheet_and_on_answers_reach_the_teacher_the_json_and_the_feedback(tmp_path):
    import json as _json

    sheet, answers = tmp_path / "class.toml", tmp_path / "answers.csv"
    sheet.write_text('[[problem]]\nid = "p"\nexpression = "1/2x*y"\nat = { x = 2, y = 3 }\n'
                     'answers = ["x"]\n')
    answers.write_text('student,p.x\nAda,"2/2y"\n')
    folder = tmp_path / "feedback"
    result = run("check", str(sheet), "--answers", str(answers), "--report", str(folder))
    assert result.exit_code == 0 and f"note: problem 1 (p): 1/2x {READ}" in result.stderr, result.stderr
    feedback = (folder / "Ada.md").read_text()
    assert f"Note: 1/2x {READ}" in feedback and f"  - Note: 2/2y {READ_Y}" in feedback, feedback
    data = _json.loads(run("check", str(sheet), "--answers", str(answers), "--json").stdout)
    assert READ in data["problems"][0]["notes"][0]
    assert READ_Y in data["students"][0]["marks"][0]["notes"][0]


# Points: bounded, finite, exact ----------------------------------------------------------------

def _sheet(tmp_path, text, name="hw.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_huge_points_are_refused_not_summed_to_inf(tmp_path):
    problem = '[[problem]]\nexpression = "x*y"\nat = { x = 1, y = 2 }\npoints = 1e308\n[problem.expect]\nx = 2\n'
    result = run("check", _sheet(tmp_path, problem * 2), "--json")
    assert result.exit_code == 2 and "points must be at most 1,000,000" in result.stderr
    assert "inf" not in result.output.lower()
    klass = ('[[problem]]\nid = "p"\nexpression = "x*y"\nat = { x = 1, y = 2 }\n'
             'answers = { x = 1e308, y = 1e308 }\n')
    answers = tmp_path / "a.csv"
    answers.write_text("student,p.x,p.y\nAda,2,1\n")
    result = run("check", _sheet(tmp_path, klass, "class.toml"), "--answers", str(answers), "--json")
    assert result.exit_code == 2 and "its points must be at most 1,000,000" in result.stderr


def test_many_answers_sharing_a_point_add_up_to_the_point_exactly(tmp_path):
    import csv as _csv
    import io
    import json as _json

    names = [f"x{i}" for i in range(10)]
    klass = (f'[[problem]]\nid = "p"\nexpression = "{"+".join(names)}"\n'
             f'at = {{ {", ".join(f"{n} = 1" for n in names)} }}\npoints = 1\n'
             f'answers = {_json.dumps(names)}\n')
    answers = tmp_path / "a.csv"
    answers.write_text("student," + ",".join(f"p.{n}" for n in names) + "\nAda," + ",".join("1" * 10) + "\n")
    sheet = _sheet(tmp_path, klass, "class.toml")
    book = run("check", sheet, "--answers", str(answers), "--precision", "17")
    assert list(_csv.reader(io.StringIO(book.stdout)))[1] == ["Ada", "1", "1", "1", ""]   # not 0.9999999999999999
    data = _json.loads(run("check", sheet, "--answers", str(answers), "--json").stdout)
    assert data["students"][0]["total"] == 1 and data["students"][0]["max"] == 1
    folder = tmp_path / "feedback"
    run("check", sheet, "--answers", str(answers), "--report", str(folder))
    assert "**Score:** 1 of 1 point " in (folder / "Ada.md").read_text()


def test_a_sheets_tenths_add_up_with_their_own_digits(tmp_path):
    import json as _json

    problems = "".join(f'[[problem]]\nexpression = "x*y"\nat = {{ x = 1, y = 2 }}\npoints = {points}\n'
                       f'[problem.expect]\nx = 2\ny = 1\nz = 2\n' for points in ("0.1", "0.2"))
    sheet = _sheet(tmp_path, problems)
    plain = run("check", sheet, "--plain", "--precision", "17", "--teacher-sheet")
    assert plain.exit_code == 0 and "Score: 0.3 of 0.3 points" in plain.stdout
    assert "0.1 of 0.1 points" in plain.stdout and "0.2 of 0.2 points" in plain.stdout
    data = _json.loads(run("check", sheet, "--json", "--teacher-sheet").stdout)
    assert data["score"] == data["total"] == 0.3 and [p["earned"] for p in data["problems"]] == [0.1, 0.2]
    answers = {"x": 0.1, "y": 0.2}   # per answer in a class: 0.1 + 0.2 is the points = 0.3 given
    klass = ('[[problem]]\nid = "p"\nexpression = "x*y"\nat = { x = 1, y = 2 }\npoints = 0.3\n'
             f'answers = {{ x = {answers["x"]}, y = {answers["y"]} }}\n')
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("student,p.x,p.y\nAda,2,1\n")
    book = run("check", _sheet(tmp_path, klass, "class.toml"), "--answers", str(csv_file), "--precision", "17")
    assert book.exit_code == 0 and book.stdout.splitlines()[1] == "Ada,0.3,0.3,0.3,", book.output


def test_a_class_sheet_may_ask_for_the_value_of_an_unnamed_output(tmp_path):
    import json as _json

    sheet = _sheet(tmp_path, '[[problem]]\nid = "p"\nexpression = "x*y"\nat = { x = 1, y = 2 }\n'
                             'answers = ["x", "z"]\n[[problem]]\nid = "q"\nexpression = "x**n"\n'
                             'at = { x = -2, n = 3 }\nanswers = ["z"]\n', "class.toml")
    answers = tmp_path / "a.csv"
    answers.write_text("student,p.x,p.z,q.z\nAda,y,x*y,-8\nBen,2,3,x**3\n")
    result = run("check", sheet, "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output
    ada, ben = _json.loads(result.stdout)["students"]
    assert (ada["total"], ben["total"]) == (2, 1.5)
    assert [m["ok"] for m in ben["marks"]] == [True, False, True]


# One cell is one student's: too long or too costly is that answer's failure, marked for review ------

def test_an_answer_too_long_or_too_costly_is_that_cells_failure_marked_for_review(tmp_path):
    import json as _json

    sheet = _sheet(tmp_path, '[[problem]]\nid = "p"\nexpression = "x*y"\nat = { x = 1, y = 2 }\n'
                             'answers = ["x", "y"]\n', "class.toml")
    ones = ",".join(["1"] * 4000)
    answers = tmp_path / "a.csv"
    answers.write_text("student,p.x,p.y\nAda,y,x\nBen," + "x+" * 70_000 + "x,1\n"   # 140 001 characters
                       f'Cy,"outer([{ones}], [{ones}])",1\n')
    result = run("check", sheet, "--answers", str(answers), "--json")
    assert result.exit_code == 0, result.output   # was exit 2: a field over csv's 131 072 characters
    assert "2 students to look at (Ben, Cy)" in result.stderr
    ada, ben, cy = _json.loads(result.stdout)["students"]
    assert (ada["total"], ben["total"], cy["total"]) == (1, 0.5, 0.5)
    assert "140,001 characters long" in ben["marks"][0]["review"]
    assert "too costly to grade" in cy["marks"][0]["review"] and cy["marks"][1]["ok"]
    folder = tmp_path / "feedback"
    assert run("check", sheet, "--answers", str(answers), "--report", str(folder)).exit_code == 0
    feedback = (folder / "Ben.md").read_text()
    assert "… (140,001 characters)` — marked for review: the answer is 140,001" in feedback
    assert len(feedback) < 2_000


# --check next to a kink says why, and never ✓ beside a large relative error ------------------------

def test_check_next_to_a_kink_uses_the_side_the_point_is_on():
    # relu's input is 5.6e-17 at x = 0.30000000000000004: every step straddled the kink (a bare ✗).
    from gradcalc import compute

    [check] = compute("relu(x - 0.3) * 2", x=0.30000000000000004).check()["check"]
    assert check["ok"] and check["numerical"] == pytest.approx(2) and check["near_kink"] == "one-sided (relu)"
    result = run("relu(x - 0.3) * 2", "--x", "0.30000000000000004", "--check", "--plain")
    assert result.exit_code == 0
    assert "a kink of relu is within a step of the point: compared with one-sided differences" in result.stdout


def test_check_on_a_kink_is_neither_right_nor_wrong_and_says_why():
    result = run("relu(x)", "--x", "0", "--check", "--plain")
    assert result.exit_code == 4 and "?  x" in result.stdout and "✗  x" not in result.stdout
    assert "the point is on a kink of relu" in result.stdout
    assert "the point is on a kink, where the gradient is a convention" in result.stderr


def test_check_never_shows_a_tick_beside_relative_error_1():
    # 1e-14 against 0 is within atol: right, and its error is measured against atol/rtol, not 0.
    result = run("x*1.00000000000001 - x", "--x", "0.3", "--check", "--json")
    import json as _json

    [check] = _json.loads(result.stdout)["check"]
    assert check["ok"] and check["relative_error"] < 1e-6
