"""gradcalc check SHEET.toml --answers ANSWERS.csv: the command line of class grading."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHEET, ANSWERS = str(EXAMPLES / "class.toml"), str(EXAMPLES / "answers.csv")


def run(*args, input=None):
    return CliRunner().invoke(main, ["check", *args], input=input)


def test_gradebook_on_stdout_exit_0_even_with_wrong_answers():
    result = run(SHEET, "--answers", ANSWERS)
    assert result.exit_code == 0
    assert result.stderr == ("note: graded 3 students: 1 blank answer, 1 malformed, 0 students to look at; "
                             "the gradebook's review column says which\n")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["student", "square", "shop", "neuron", "total", "max", "review"]
    assert rows[1:] == [["Ada", "2", "4", "1", "7", "7", ""], ["Ben", "1", "4", "1", "6", "7", ""],
                        ["Cy", "1", "0", "0", "1", "7", "blank: square.y; malformed: shop.apple_price"]]


@pytest.mark.parametrize("args", [["--json", SHEET, "--answers", ANSWERS],
                                  ["--answers", ANSWERS, SHEET, "--json"],
                                  ["--answers=" + ANSWERS, "--rtol", "1e-6", SHEET, "--json"]])
def test_json_with_options_anywhere(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["total"] for s in data["students"]] == [7, 6, 1]
    reasons = {(s["student"], m["problem"], m["name"]): m["failure"] for s in data["students"]
               for m in s["marks"] if not m["ok"]}
    assert reasons[("Cy", "square", "y")] == "no answer"
    assert reasons[("Cy", "shop", "apple_price")].startswith("malformed: in the answer")
    assert reasons[("Ben", "square", "y")].startswith("right at the given point only")


def test_report_writes_a_feedback_file_per_student(tmp_path):
    folder = tmp_path / "feedback"
    result = run(SHEET, "--answers", ANSWERS, "--report", str(folder), "--solutions")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["Ada.md", "Ben.md", "Cy.md", "_items.csv", "_items.md",
                                                        "index.csv", "index.md"]
    ada, cy = (folder / "Ada.md").read_text(), (folder / "Cy.md").read_text()
    assert "**Score:** 7 of 7 points (6 of 6 answers right)" in ada and "Solution" not in ada
    assert "- ✗ ∂z/∂y: no answer (0 of 1 point)" in cy and "  - Solution: ∂z/∂y = 6 at the given point" in cy
    assert "wrote 3 feedback files" in result.stderr
    for path in folder.iterdir():   # each ends its last line, once (a newcomer saw none)
        text = path.read_text()
        assert text.endswith("\n") and not text.endswith("\n\n"), path.name


def test_report_into_a_file_is_exit_2(tmp_path):
    (tmp_path / "taken").write_text("")
    result = run(SHEET, "--answers", ANSWERS, "--report", str(tmp_path / "taken"))
    assert result.exit_code == 2 and "cannot write the report into" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--report", "out"], "--report needs --answers"),
    (["--solutions"], "--solutions needs --answers"),
    (["--answers", ANSWERS, "--solutions"], "--solutions adds to the feedback files"),
    (["--answers", "-"], "the sheet and the answers cannot both come from standard input"),
])
def test_options_that_need_others(args, message):
    result = run(SHEET if "-" not in args else "-", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_a_class_sheet_without_answers_says_how_to_give_them():
    result = run(SHEET)
    assert result.exit_code == 2 and "--answers ANSWERS.csv" in result.stderr


def test_a_short_row_is_that_students_review_not_the_class(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text("student,square.x,square.y,shop.price,shop.apple,shop.apple_price,neuron.w\nAda,1,2\n"
                   "Ben,6,6,715,2.2,tax,0\n")
    result = run(SHEET, "--answers", str(bad))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [
        "Ada,0,0,0,0,7,line 2: the row has 3 fields but the header has 7 columns; not graded",
        "Ben,2,4,0,6,7,"]
    assert "1 student to look at (Ada)" in result.stderr


def test_answers_not_utf8_is_exit_2_with_line_and_column(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_bytes(b"student,square.x,square.y,shop.price,shop.apple,shop.apple_price,neuron.w\nJos\xe9,,,,,,\n")
    result = run(SHEET, "--answers", str(bad))
    assert result.exit_code == 2 and "a.csv, line 2, column 4: not UTF-8 text" in result.stderr


def test_a_spreadsheets_byte_order_mark_and_crlf_are_read(tmp_path):
    file = tmp_path / "a.csv"
    file.write_bytes(b"\xef\xbb\xbfstudent,square.x,square.y,shop.price,shop.apple,shop.apple_price,"
                     b"neuron.w\r\nAda,6,6,715,2.2,tax,x/4\r\n")
    result = run(SHEET, "--answers", str(file))
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "Ada,2,4,0,6,7,"


def test_bad_sheet_is_exit_2_with_line_column_and_caret(tmp_path):
    sheet = tmp_path / "s.toml"
    sheet.write_text('[[problem]]\nexpression = "(x+y)**2"\nat = { x = 1, y = 2 }\nanswers = ["x", "q"]\n')
    result = run(str(sheet), "--answers", ANSWERS)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].endswith("s.toml, line 4, column 17: problem 1 (p1): the expression has no input or "
                             "named value q")
    assert lines[1:3] == ['  line 4: answers = ["x", "q"]', "                          ^^^"]


def test_answers_from_standard_input():
    text = Path(ANSWERS).read_text()
    result = run(SHEET, "--answers", "-", input=text)
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "Ada,2,4,1,7,7,"


def test_student_text_is_never_run_and_never_reaches_the_terminal_raw(tmp_path):
    file = tmp_path / "a.csv"
    hostile = "\x1b]0;x\x07\x1b[2J__import__('os').system('touch pwned')"
    rows = [["student", "square.x", "square.y", "shop.price", "shop.apple", "shop.apple_price", "neuron.w"],
            [hostile, hostile, "open('f')", "exec('1')", "", "", ""]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    file.write_text(buffer.getvalue())
    for extra in ([], ["--json"], ["--report", str(tmp_path / "r"), "--solutions"]):
        result = CliRunner().invoke(main, ["check", SHEET, "--answers", str(file), *extra],
                                    catch_exceptions=False)
        assert result.exit_code == 0
        assert "\x1b" not in result.output and "\x07" not in result.output
    report = next(p for p in (tmp_path / "r").iterdir() if not p.name.startswith(("_", "index."))).read_text()
    assert "\x1b" not in report and "\\x1b]0;x\\x07" in report
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def _block(kind: str) -> str:
    import re

    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### A whole class (for teachers)"):]
    return re.search(rf"```{kind}\n(.*?)\n```\n", section, re.S).group(1)


def test_readme_shows_the_example_files_as_they_are():
    assert _block("toml") + "\n" == Path(SHEET).read_text()
    assert _block("csv") + "\n" == Path(ANSWERS).read_text()


def test_readme_feedback_excerpt_is_what_the_report_says(tmp_path):
    run(SHEET, "--answers", ANSWERS, "--report", str(tmp_path), "--solutions")
    assert _block("markdown") in (tmp_path / "Cy.md").read_text()


def test_an_answer_longer_than_a_csv_field_may_be_is_that_answers_failure_not_the_class(tmp_path):
    # csv's own field limit (131 072 characters) once stopped the whole class with exit 2 (#21).
    file = tmp_path / "a.csv"
    file.write_text("student,square.x,square.y,shop.price,shop.apple,shop.apple_price,neuron.w\n"
                    "Ada," + "x+" * 70_000 + "x,,,,,\nBen,6,6,715,2.2,tax,0\n")
    result = run(SHEET, "--answers", str(file))
    assert result.exit_code == 0 and "1 student to look at (Ada)" in result.stderr
    assert result.stdout.splitlines()[1:] == [
        'Ada,0,0,0,0,7,"blank: square.y, shop.price, shop.apple, shop.apple_price, neuron.w; square.x: the '
        'answer is 140,001 characters long, over the 20,000 an answer may have"', "Ben,2,4,0,6,7,"]


def _hostile_expressions() -> list[str]:
    """The expressions of the hostile corpus (tests/corpus/hostile.txt), unescaped."""
    import re

    escape = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|n|r|t|\\)")
    found = []
    for line in (Path(__file__).parent / "corpus" / "hostile.txt").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([0-9])  (.*?)\s*(?:\|\|\|\s*(.*))?", line)
        if match and match.group(2) != "<none>":
            found.append(escape.sub(lambda m: {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}.get(m.group(1))
                                    or chr(int(m.group(1)[1:], 16)), match.group(2)))
    return found


def test_the_hostile_corpus_as_answers_is_graded_never_a_crash(tmp_path):
    hostile = _hostile_expressions()
    assert len(hostile) > 100
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["student", "square.x", "square.y", "shop.price", "shop.apple", "shop.apple_price", "neuron.w"])
    for i, text in enumerate(hostile):
        out.writerow([f"s{i}", text, text, text, "", "", text])
    file = tmp_path / "hostile.csv"
    file.write_text(buffer.getvalue(), encoding="utf-8")
    result = run(SHEET, "--answers", str(file), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["students"]) == len(hostile)
    assert all(ch.isprintable() or ch == "\n" for ch in result.stdout)


def test_several_sheets_are_refused_by_the_grader():
    result = CliRunner().invoke(main, ["check", SHEET, str(EXAMPLES / "homework.toml")])
    assert result.exit_code == 2 and "check grades one sheet at a time; 2 were given" in result.stderr
    assert "Usage:" not in result.stderr
