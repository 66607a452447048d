"""Files for every name (issue 25): --report names each feedback file after the student with Unicode
letters kept, safe on Windows, macOS and Linux, collisions resolved in the class's order, and
index.md and index.csv map students to files."""

import csv
import io
import unicodedata

import pytest
from click.testing import CliRunner

from gradcalc.classroom import Student
from gradcalc.cli import main
from gradcalc.render.classroom import MAX_STEM_BYTES, file_names

SHEET = '[[problem]]\nid = "p"\nexpression = "x*y"\nat = { x = 1, y = 2 }\nanswers = ["x"]\n'
WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


def names(*students: str) -> list[str]:
    return file_names([Student(name, line, []) for line, name in enumerate(students, start=2)])


def test_letters_of_every_script_are_kept():
    # Once "José García" → Jos-Garc-a.md and "李雷" → line-5.md (issue 25).
    assert names("José García", "李雷", "Ørjan Ødegård", "Анна Петрова", "محمد", "Nguyễn Văn A") == [
        "José-García.md", "李雷.md", "Ørjan-Ødegård.md", "Анна-Петрова.md", "محمد.md", "Nguyễn-Văn-A.md"]


def test_names_are_nfc_and_one_name_in_two_normal_forms_is_one_collision():
    decomposed = unicodedata.normalize("NFD", "José")
    assert names(decomposed, "José", "JOSÉ") == ["José.md", "José-2.md", "JOSÉ-3.md"]
    assert all(unicodedata.is_normalized("NFC", name) for name in names(decomposed))


@pytest.mark.parametrize("name, expected", [
    ("CON", "CON_.md"), ("con", "con_.md"), ("Com1", "Com1_.md"), ("LPT¹", "LPT¹_.md"), ("NUL", "NUL_.md"),
    ("index", "index_.md"), ("Index", "Index_.md"), ("a<b>c:d\"e/f\\g|h?i*j", "a-b-c-d-e-f-g-h-i-j.md"),
    ("Ann. ", "Ann.md"), ("...", "line-2.md"), ("_hidden", "hidden.md"), (".bashrc", "bashrc.md"),
    ("../../etc/passwd", "etc-passwd.md"), ("a\x00b\x1bc", "a-b-c.md"), ("\u202eevil", "evil.md"),
    ("😀", "line-2.md"), ("Zoë 😀 Ng", "Zoë-Ng.md"),
])
def test_names_safe_on_every_system(name, expected):
    assert names(name) == [expected]


def test_every_name_is_safe_and_short_whatever_the_student_wrote():
    hostile = ["é" * 300, "a" + "\u0301" * 200, "李" * 100, "x" * 1000, " " * 10, "CON.txt", "a." * 80, "-_-"]
    for name in names(*hostile):
        stem = name.removesuffix(".md")
        assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES + len("-99")
        assert not WINDOWS_FORBIDDEN & set(name) and not name.endswith((".", " ")) and stem
        assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
        assert not name.startswith(("_", ".", "-"))
        assert unicodedata.is_normalized("NFC", name)
    cut = names("a" + "\u0301" * 200)[0]
    assert not unicodedata.category(cut.removesuffix(".md")[-1]).startswith("M") or cut.startswith("á")


def test_collisions_are_resolved_in_the_class_order_the_same_every_time():
    students = ["Ann", "ann", "Ann-2", "ANN", "Ann"]
    assert names(*students) == names(*students) == ["Ann.md", "ann-2.md", "Ann-2-2.md", "ANN-3.md", "Ann-4.md"]


def test_the_report_has_an_index_from_student_to_file(tmp_path):
    (tmp_path / "s.toml").write_text(SHEET)
    (tmp_path / "a.csv").write_text("student,p.x\nJosé García,2\n李雷,1\nCON,y\n=cmd,\n", encoding="utf-8")
    folder = tmp_path / "r"
    result = CliRunner().invoke(main, ["check", str(tmp_path / "s.toml"), "--answers", str(tmp_path / "a.csv"),
                                       "--report", str(folder)])
    assert result.exit_code == 0, result.output
    assert "their index (index.md, index.csv)" in result.stderr
    rows = list(csv.reader(io.StringIO((folder / "index.csv").read_text(encoding="utf-8"))))
    assert rows == [["student", "line", "file", "total", "max"], ["José García", "2", "José-García.md", "1", "1"],
                    ["李雷", "3", "李雷.md", "0", "1"], ["CON", "4", "CON_.md", "1", "1"],
                    ["'=cmd", "5", "cmd.md", "0", "1"]]
    for _, _, file, _, _ in rows[1:]:
        assert (folder / file).is_file()
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert "| José García | 2 | [José-García.md](Jos%C3%A9-Garc%C3%ADa.md) | 1 of 1 point |" in index
    assert "| \\=cmd |" in index or "| =cmd |" in index
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["José-García.md", "李雷.md", "CON_.md", "cmd.md", "index.md", "index.csv", "_items.csv", "_items.md"])
