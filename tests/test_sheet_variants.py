"""A point per student (issue 25): ranges and choices in a sheet's `at`, drawn from the sheet's seed and
the student's name, reproducible, inside every function's domain, used for the key and the grading."""

import csv
import io
import json
import unicodedata

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from gradcalc.cli import main
from gradcalc.variants import _draw, point, read_spec

SHEET = '''title = "Variants"
seed = 2026

[[problem]]
id = "sq"
expression = "(x+y)**2"
at = { x = { range = [1, 9] }, y = { choices = [2, 3, 5] } }
answers = ["x"]

[[problem]]
id = "ln"
expression = "log(x - 2)*y"
at = { x = { range = [0, 4], decimals = 1 }, y = 3 }
answers = ["x"]
'''
NAMES = [f"student {i}" for i in range(40)] + ["José García", "李雷", "Ada"]


def run(*args, input=None):
    return CliRunner().invoke(main, ["check", *args], input=input)


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "variants.toml"
    path.write_text(SHEET, encoding="utf-8")
    return str(path)


def keys(sheet, tmp_path, names=NAMES):
    path = tmp_path / "names.csv"
    path.write_text("student\n" + "\n".join(names) + "\n", encoding="utf-8")
    result = run(sheet, "--key", "--answers", str(path), "--json")
    assert result.exit_code == 0, result.output
    return {s["student"]: {p["id"]: p for p in s["problems"]} for s in json.loads(result.stdout)["students"]}


def test_each_student_has_a_point_of_their_own_reproducibly(sheet, tmp_path):
    first, again = keys(sheet, tmp_path), keys(sheet, tmp_path, list(reversed(NAMES)))
    assert first == again                                  # the same name, the same point, in any order
    points = {tuple(k["sq"]["at"].items()) for k in first.values()}
    assert len(points) > 10                                # 27 possible points, 43 students
    for key in first.values():
        x, y = key["sq"]["at"]["x"], key["sq"]["at"]["y"]
        assert x in range(1, 10) and y in (2, 3, 5)
        assert key["sq"]["answers"][0]["value"] == 2 * (x + y)
        ln = key["ln"]["at"]["x"]
        assert 2 < ln <= 4 and round(ln, 1) == ln         # inside log's domain, one decimal


def test_the_draw_is_pinned_not_pythons_salted_hash(sheet, tmp_path):
    # The same on every machine and in every process: hashlib's BLAKE2b keyed with the seed.
    found = keys(sheet, tmp_path, ["Ada"])["Ada"]
    assert (found["sq"]["at"], found["ln"]["at"]) == ({"x": 6, "y": 3}, {"x": 3.4, "y": 3})


def test_a_name_typed_two_ways_gets_one_point_and_fields_cannot_run_together():
    composed, decomposed = "José", unicodedata.normalize("NFD", "José")
    spec = {"x": read_spec("p", "x", {"range": [0, 10 ** 6]})}
    assert point(1, "p", composed, {}, spec) == point(1, "p", decomposed + " ", {}, spec)
    # Length-prefixed fields: a name cannot borrow from the problem id or the variable.
    assert _draw(1, "ab", "x", "c", 0) != _draw(1, "a", "x", "bc", 0)
    assert _draw(1, "p", "x", "Ada", 0) != _draw(2, "p", "x", "Ada", 0)


@given(st.text(max_size=200))
def test_any_name_gets_a_point_inside_the_ranges(name):
    specs = {"x": read_spec("p", "x", {"range": [1, 3]}), "k": read_spec("p", "k", {"choices": [2, 5]}),
             "d": read_spec("p", "d", {"range": [-1, 1], "decimals": 2})}
    at = point(7, "p1", name, {"b": 1}, specs)
    assert at["x"] in (1, 2, 3) and at["k"] in (2, 5) and -1 <= at["d"] <= 1 and at["b"] == 1
    assert round(at["d"], 2) == at["d"]


def test_grading_uses_each_students_own_point(sheet, tmp_path):
    key = keys(sheet, tmp_path, ["Ada", "Ben"])
    ada = [key["Ada"]["sq"]["answers"][0]["value"], key["Ada"]["ln"]["answers"][0]["value"]]
    answers = tmp_path / "answers.csv"
    # Ben copies Ada's numbers; both write the formula of ln right.
    answers.write_text(f"student,sq.x,ln.x\nAda,{ada[0]!r},y/(x - 2)\nBen,{ada[0]!r},y/(x-2)\n")
    result = run(sheet, "--answers", str(answers))
    assert result.exit_code == 0, result.output
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(result.stdout))}
    assert rows["Ada"][:4] == ["1", "1", "2", "2"]
    assert rows["Ben"][:4] == ["0", "1", "1", "2"]           # Ada's number is not Ben's answer
    data = json.loads(run(sheet, "--answers", str(answers), "--json").stdout)
    ben = data["students"][1]["marks"][0]
    assert ben["at"] == key["Ben"]["sq"]["at"] and ben["computed"] == key["Ben"]["sq"]["answers"][0]["value"]


def test_feedback_shows_the_students_own_point(sheet, tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text("student,sq.x,ln.x\nAda,0,0\n")
    result = run(sheet, "--answers", str(answers), "--report", str(tmp_path / "out"), "--solutions")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "Ada.md").read_text()
    assert "`(x+y)**2` at x = 6, y = 3" in text and "∂z/∂x = 18 at the given point" in text


def test_self_test_draws_two_hundred_points(sheet):
    result = run(sheet, "--self-test")
    assert result.exit_code == 0, result.output
    assert "✓ every student's point can be computed (200 checked)" in result.stdout


@pytest.mark.parametrize("at, message", [
    ('{ x = { range = [0, 1] } }', "none of 100 points drawn from its ranges can be computed"),
    ('{ x = { range = [3, 1] } }', "the range of x runs from 3 down to 1"),
    ('{ x = { from = 1 } }', "the values of x have an unknown key 'from'"),
    ('{ x = { range = [1, 3], choices = [1] } }', "give x either a range or choices"),
    ('{ x = { choices = [3, 4], decimals = 1 } }', "decimals go with a range, not with choices"),
    ('{ x = { choices = [] } }', "the choices of x must be a list of 1 to 10,000 numbers"),
    ('{ x = { range = [3.1, 3.2], decimals = 0 } }', "the range of x holds no number with 0 decimals"),
    ('{ x = { range = [3, "4"] } }', "the range of x must be two finite numbers"),
])
def test_bad_ranges_are_exit_2_with_a_message(tmp_path, at, message):
    path = tmp_path / "bad.toml"
    path.write_text(f'[[problem]]\nexpression = "log(x - 2)"\nat = {at}\nanswers = ["x"]\n')
    result = run(str(path), "--key")
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_a_plain_array_stays_an_array(tmp_path):
    path = tmp_path / "array.toml"
    path.write_text('[[problem]]\nexpression = "sum(x*x)"\nat = { x = [1, 3] }\nanswers = ["x"]\n')
    result = run(str(path), "--key", "--json")
    assert json.loads(result.stdout)["problems"][0]["answers"][0]["value"] == [2, 6]


def test_a_handed_in_sheet_with_ranges_is_graded_at_the_keys_point(tmp_path):
    # One hand-in has no student name: it is graded at the sheet's own point, the one --key prints,
    # drawn again where the problem cannot be computed (x ≤ 2 for log(x - 2)).
    path = tmp_path / "hw.toml"
    path.write_text('seed = 5\n[[problem]]\nexpression = "log(x - 2)*y"\nat = { x = { range = [0, 4] }, y = 3 }\n'
                    '[problem.expect]\nx = 3\n')
    key = json.loads(run(str(path), "--key", "--json").stdout)["problems"][0]
    assert key["at"] == {"x": 3, "y": 3} and key["answers"][0]["value"] == 3
    result = run(str(path), "--plain")
    assert result.exit_code == 0, result.output
    assert "at x = 3, y = 3 — 1 of 1 point" in result.stdout


def test_self_test_at_the_students_of_an_answers_file(sheet, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("student\nAda\nBen\nJosé García\n", encoding="utf-8")
    result = run(sheet, "--self-test", "--answers", str(names), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["students"] == 3
    assert [c["checked"] for c in data["checks"]] == [3, 6, 6, 6, 6]


def test_a_formula_right_at_the_students_point_only_is_still_wrong(sheet, tmp_path):
    # A smooth problem's formulas are compared at the student's point and at the sheet's own nearby
    # points (drawn once, not per student): a formula that is only a number in disguise still fails.
    key = keys(sheet, tmp_path, ["Ada"])["Ada"]
    value = key["sq"]["answers"][0]["value"]
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,sq.x,ln.x\nAda,{value!r} + 0*x,y/(x-2)\n")
    data = json.loads(run(sheet, "--answers", str(answers), "--json").stdout)
    sq, ln = data["students"][0]["marks"]
    assert not sq["ok"] and sq["failure"].startswith("right at the given point only")
    assert ln["ok"] and ln["compared_at"] == 6
