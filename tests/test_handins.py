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
    assert sorted(p.name for p in folder.iterdir()) == ["Ada.md", "Ben.md", "Cy.md"]   # no temporary left


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
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"S{i:03d}.md" for i in range(students)]
    for name in names:
        text = (folder / name).read_text()
        assert sum(f"`2*(x+y)+0*{grader}`" in text for grader in range(4)) == 1, name
        assert text.count("**Student:**") == text.count("Tolerance:") == 1, name
        assert text.endswith("·|correct|.\n"), name


def test_forty_thousand_near_identical_names_get_distinct_files():
    # Counting up from 2 for each name again took 116 s for 40 000 names (quadratic).
    names = ["Student"] * 20_000 + ["Student-2", "student"] * 10_000
    students = [Student(name, i + 2, []) for i, name in enumerate(names)]
    files = file_names(students)
    assert len({f.lower() for f in files}) == len(files) == 40_000
    assert files[:3] == ["Student.md", "Student-2.md", "Student-3.md"]
    assert files[20_000] == "Student-2-2.md" and files[20_001] == "student-20001.md"
