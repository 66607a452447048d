"""--points: value and gradient at every row, vectorised per chunk; row order, errors per row, formats."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.batch import evaluate_points, open_points, run
from gradcalc.cli import main
from gradcalc.errors import GradcalcError, MathError
from gradcalc.parse import parse

ROOT = Path(__file__).resolve().parent.parent


def gradcalc(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def batch(expression, text, *options):
    return gradcalc(expression, "--points", "-", *options, input=text)


def table(stdout):
    return list(csv.reader(io.StringIO(stdout)))


# --- the engine: one vectorised pass equals one point at a time --------------------------------

EXPRESSIONS = ["(x+y)**2", "sin(x)*exp(-y) + log(x*y) + sqrt(x+y)/(1+x**2)",
               "t = x*y; z = tanh(t) + sigmoid(x - y)*t", "relu(x - 1) + abs(y - 1)*x", "x/y - y**x"]


@given(st.sampled_from(EXPRESSIONS),
       st.lists(st.tuples(st.floats(0.1, 3), st.floats(0.1, 3)), min_size=1, max_size=20))
def test_batch_equals_one_point_at_a_time(expression, points):
    graph = parse(expression)
    xs, ys = (np.array(column) for column in zip(*points))
    value, gradient, errors = evaluate_points(graph, {"x": xs, "y": ys}, len(points))
    assert errors == {}
    for i, (x, y) in enumerate(points):
        single = compute(expression, x=x, y=y)
        assert value[i] == pytest.approx(float(single.value), rel=1e-12, abs=1e-300)
        for name in ("x", "y"):
            assert gradient[name][i] == pytest.approx(float(single.gradient[name]), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("expression", ["log(x)*y", "1/(x-1) + y", "sqrt(x)*y", "exp(x*y)"])
def test_math_errors_are_per_row_with_the_single_point_message(expression):
    xs, ys = np.array([2.0, -1.0, 1.0, 0.0, 3.0, 1000.0]), np.array([1.0, 1.0, 2.0, 1.0, 1.0, 10.0])
    value, gradient, errors = evaluate_points(parse(expression), {"x": xs, "y": ys}, 6)
    for i in range(6):
        try:
            single = compute(expression, x=xs[i], y=ys[i])
        except MathError as error:
            assert errors[i].message == error.message and errors[i].span == error.span
        else:
            assert i not in errors
            assert value[i] == float(single.value)
    assert errors, "these points include some outside the domain"


def test_constant_overflow_fails_every_row():
    value, gradient, errors = evaluate_points(parse("x + 9**9**9"), {"x": np.array([1.0, 2.0])}, 2)
    assert sorted(errors) == [0, 1] and "overflow" in errors[0].message


@pytest.mark.parametrize("expression", ["x @ y", "softmax(x)*y", "sum(x)*y", "logsumexp(x) + y",
                                        "x.T * y"])
def test_ops_that_mix_rows_are_refused(expression):
    with pytest.raises(GradcalcError, match="element by element"):
        for n in (1, 3):   # the first chunk of a stream is one row
            evaluate_points(parse(expression), {"x": np.ones(n), "y": np.ones(n)}, n)


def test_ops_that_mix_rows_are_refused_on_the_command_line():
    result = batch("softmax(x)*y", "x,y\n1,2\n3,4\n")
    assert result.exit_code == 2 and "element by element" in result.stderr and result.stdout == ""
    assert "softmax(x)" in result.stderr   # the caret line


def test_small_chunks_give_the_same_rows_in_order():
    text = "x,y\n" + "".join(f"{i % 7 - 3},{i}\n" for i in range(200))
    graph = parse("log(x)*y + x")

    small = _collect(text, graph, 1, 64)
    large = _collect(text, graph, 1 << 20, 1 << 20)
    assert small == large
    assert [line for line, *_ in small] == list(range(2, 202))
    assert sum(error is not None for *_, error in small) == sum(i % 7 - 3 <= 0 for i in range(200))


def _collect(text, graph, first, largest):
    points = open_points(io.BytesIO(text.encode()), graph)
    out, chunks = [], run(points, graph, keep_going=True, first=first, largest=largest)
    try:
        for chunk in chunks:
            out += [(line, None if i in chunk.errors else float(chunk.value[i]),
                     chunk.errors[i].message if i in chunk.errors else None)
                    for i, line in enumerate(chunk.lines)]
    except MathError as error:
        assert "rows failed" in error.message
    return out


# --- the command line: CSV ----------------------------------------------------------------------

def test_csv_rows_in_order_with_value_and_gradient_columns():
    result = batch("(x+y)**2", "x,y\n1,2\n3,4\n-1,0.5\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("x,y,value,dz/dx,dz/dy\n1,2,9.0,6.0,6.0\n3,4,49.0,14.0,14.0\n"
                             "-1,0.5,0.25,-1.0,-1.0\n")
    assert result.stderr == ""


def test_many_rows_keep_their_order():
    rng = np.random.default_rng(3)
    xs = rng.uniform(-5, 5, 3000)
    result = batch("x**3 - x", "x\n" + "".join(f"{float(x)!r}\n" for x in xs))
    rows = table(result.stdout)[1:]
    assert [float(r[0]) for r in rows] == list(xs)
    assert np.allclose([float(r[1]) for r in rows], xs**3 - xs, rtol=1e-15)
    assert np.allclose([float(r[2]) for r in rows], 3 * xs**2 - 1, rtol=1e-15)


def test_file_input_named_output_and_wrt(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("prices.csv").write_text("apple,tax\n100,1.1\n150,1.08\n")
    result = gradcalc("price = apple*apple_num*tax", "--points", "prices.csv", "--apple_num", "2",
                      "--wrt", "apple")
    assert result.exit_code == 0, result.output
    assert result.stdout == "apple,tax,value,dprice/dapple\n100,1.1,220.00000000000003,2.2\n" \
                            "150,1.08,324.0,2.16\n"


def test_program_defaults_may_be_left_out():
    result = batch("tax = 1.1; price = apple*tax", "apple\n100\n")
    assert table(result.stdout) == [["apple", "value", "dprice/dtax", "dprice/dapple"],
                                    ["100", "110.00000000000001", "100.0", "1.1"]]


def test_blank_lines_crlf_bom_and_quotes():
    text = "\ufeffx,y\r\n1,2\r\n\r\n\"3\",4\r\n"
    result = batch("x*y", text)
    assert result.exit_code == 0, result.output
    assert table(result.stdout) == [["x", "y", "value", "dz/dx", "dz/dy"], ["1", "2", "2.0", "2.0", "1.0"],
                                    ["3", "4", "12.0", "4.0", "3.0"]]


MALFORMED = "x,y\n1,2\n3,abc\n4\n5,nan\n6,7,8\n,1\n2,2\n"


def test_malformed_row_stops_with_exit_2_naming_its_line():
    result = batch("x*y", MALFORMED)
    assert result.exit_code == 2
    assert result.stdout == "x,y,value,dz/dx,dz/dy\n1,2,2.0,2.0,1.0\n"   # the rows before it
    assert result.stderr == "error: line 3: the value of y is not a number: 'abc'\n"


def test_keep_going_writes_an_error_field_for_every_bad_row():
    result = batch("x*y", MALFORMED, "--keep-going")
    assert result.exit_code == 2
    rows = table(result.stdout)
    assert rows[0] == ["x", "y", "value", "dz/dx", "dz/dy", "error"]
    assert rows[1] == ["1", "2", "2.0", "2.0", "1.0", ""]
    assert rows[2] == ["3", "abc", "", "", "", "line 3: the value of y is not a number: 'abc'"]
    assert rows[3] == ["4", "", "", "", "", "line 4 has 1 field, the header has 2: 4"]
    assert rows[4][-1] == "line 5: the value of y is not finite: 'nan' (nan and inf are not allowed)"
    assert rows[5] == ["6", "7", "", "", "", "line 6 has 3 fields, the header has 2: 6,7,8"]
    assert rows[6][-1] == "line 7: the value of x is empty"
    assert rows[7] == ["2", "2", "4.0", "2.0", "2.0", ""]
    assert len(rows) == 8   # nothing dropped
    assert result.stderr.startswith("error: 5 of 7 rows failed")


def test_keep_going_json_bad_rows_have_numbers_or_null():
    # Like the good rows, a bad row's values are numbers; what is not a number is null (the error quotes it).
    result = batch("x*y", MALFORMED + "1_0,3\n", "--keep-going", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {"x": 1.0, "y": 2.0, "value": 2.0, "gradient": {"x": 2.0, "y": 1.0}}
    assert [(r["x"], r["y"]) for r in records[1:6]] == [(3.0, None), (4.0, None), (5.0, None),
                                                        (6.0, 7.0), (None, 1.0)]
    assert (records[7]["x"], records[7]["y"]) == (None, 3.0)
    assert "'abc'" in records[1]["error"]


def test_math_error_stops_with_exit_3_naming_its_line_and_the_place():
    result = batch("log(x)*y", "x,y\n1,2\n-1,1\n2,2\n")
    assert result.exit_code == 3
    assert result.stdout == "x,y,value,dz/dx,dz/dy\n1,2,0.0,2.0,0.0\n"
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: line 3: log of a non-positive number")
    assert lines[1:3] == ["  log(x)*y", "  ^^^^^^"]


def test_math_errors_with_keep_going_are_per_row():
    result = batch("log(x)*y + sqrt(y)", "x,y\n1,2\n-1,1\n2,0\n2,2\n", "--keep-going")
    assert result.exit_code == 3
    rows = table(result.stdout)
    assert rows[1][-1] == "" and rows[4][-1] == ""
    assert rows[2][:5] == ["-1", "1", "", "", ""]
    assert rows[2][5].startswith("line 3: log of a non-positive number")
    assert rows[3][5].startswith("line 4: the derivative of sqrt(0) is inf")   # the backward pass
    assert "2 of 4 rows failed (outside the domain)" in result.stderr


@pytest.mark.parametrize("text, message", [
    ("", "the points file is empty"),
    ("\n\n", "the points file is empty"),
    ("x,w\n1,2\n", "line 1 (the header): no column for y (w is not a variable)"),
    ("x\n1\n", "line 1 (the header): no column for y"),
    ("x,y,x\n1,2,3\n", "column x appears twice"),
    ("x,2y\n", "line 1 (the header): the expression has no variable 2y"),   # near y: a typo
    ("x,yy,id\n", "line 1 (the header): the expression has no variable yy"),
])
def test_bad_header_exit_2(text, message):
    result = batch("x*y", text)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr.splitlines()[0]


def test_inputs_named_like_output_columns_are_not_shadowed():
    result = batch("value*error", "value,error\n1,2\nx,2\n", "--keep-going")
    assert table(result.stdout)[:2] == [["value", "error", "value_", "dz/dvalue", "dz/derror", "error_"],
                                        ["1", "2", "2.0", "2.0", "1.0", ""]]
    records = [json.loads(line) for line in batch("value*error", "value,error\n1,2\n", "--json").stdout.splitlines()]
    assert records == [{"value": 1.0, "error": 2.0, "value_": 2.0, "gradient": {"value": 2.0, "error": 1.0}}]


def test_last_line_without_newline_is_a_row():
    assert table(batch("x*y", "x,y\n1,2\n3,4").stdout)[1:] == [["1", "2", "2.0", "2.0", "1.0"],
                                                               ["3", "4", "12.0", "4.0", "3.0"]]


def test_overlong_line_is_one_malformed_row_and_memory_stays_bounded():
    from gradcalc.batch import MAX_LINE

    text = "x\n1\n" + "9" * (3 * MAX_LINE) + "\n2\n"
    result = batch("x*2", text, "--keep-going")
    rows = table(result.stdout)
    assert rows[1] == ["1", "2.0", "2.0", ""]
    assert rows[2] == ["", "", "", f"line 3 is longer than {MAX_LINE} bytes"]
    assert rows[3] == ["2", "4.0", "2.0", ""] and len(rows) == 4
    assert batch("x*2", "9" * (2 * MAX_LINE)).stderr.startswith("error: line 1 of the points file is longer")


def test_header_only_gives_the_header():
    assert batch("x*y", "x,y\n").stdout == "x,y,value,dz/dx,dz/dy\n"


def test_error_on_the_first_row_leaves_stdout_empty():
    result = batch("x*y", "x,y\n1,a\n")
    assert result.exit_code == 2 and result.stdout == ""


def test_fixed_value_must_not_also_be_a_column():
    result = batch("x*y", "x,y\n1,2\n", "--y", "3")
    assert result.exit_code == 2 and "both a column and given as --y" in result.stderr


@pytest.mark.parametrize("field, message", [
    ("1_000", "not a number: '1_000'"), ("١٢", "not a number: '١٢'"), ("0x10", "not a number: '0x10'"),
    ("inf", "not finite: 'inf'"), ("-nan", "not finite: '-nan'"),
])
def test_numbers_follow_the_command_line_syntax(field, message):
    result = batch("x*2", f"x\n{field}\n2\n", "--keep-going")
    rows = table(result.stdout)
    assert rows[1][-1] == f"line 2: the value of x is {message}" + (
        " (nan and inf are not allowed)" if "finite" in message else "")
    assert rows[2] == ["2", "4.0", "2.0", ""]


def test_not_utf8_row_is_malformed():
    result = CliRunner().invoke(main, ["x*2", "--points", "-", "--keep-going"],
                                input=b"x\n1\n\xff\xfe\n2\n")
    rows = table(result.stdout)
    assert rows[2][-1].startswith("line 3 is not UTF-8 text")
    assert rows[3] == ["2", "4.0", "2.0", ""]


def test_points_cannot_be_combined_with_checks():
    result = batch("x*2", "x\n1\n", "--expect", "x=2")
    assert result.exit_code == 2 and "cannot be combined" in result.stderr


# --- JSON lines ---------------------------------------------------------------------------------

def test_json_lines_in_and_out():
    text = '{"x": 1, "y": 2}\n{"y": 4, "x": 3}\n'
    result = batch("x*y", text, "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"x": 1, "y": 2, "value": 2.0, "gradient": {"x": 2.0, "y": 1.0}},
        {"y": 4, "x": 3, "value": 12.0, "gradient": {"x": 4.0, "y": 3.0}},
    ]


def test_csv_in_json_lines_out():
    result = batch("x*y", "x,y\n1,2\n", "--json")
    assert json.loads(result.stdout) == {"x": 1.0, "y": 2.0, "value": 2.0, "gradient": {"x": 2.0, "y": 1.0}}


def test_json_lines_in_csv_out():
    result = batch("x*y", '{"x": 1, "y": 2}\n')
    assert result.stdout == "x,y,value,dz/dx,dz/dy\n1,2,2.0,2.0,1.0\n"


def test_json_lines_bad_rows_with_keep_going():
    text = ('{"x": 1, "y": 2}\n{"x": 2}\n{"x": "a", "y": 1}\n{"x": 1, "yy": 3}\nnope\n'
            '[1, 2]\n{"x": true, "y": 1}\n{"x": 0, "y": 1}\n{"x": 3, "y": 1}\n')
    result = batch("log(x)*y", text, "--json", "--keep-going")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 9
    assert records[0]["value"] == 0.0 and records[8]["gradient"] == {"x": 1 / 3, "y": np.log(3)}
    errors = [r.get("error") for r in records]
    assert errors[1] == "line 2: no value for y"
    assert errors[2] == "line 3: the value of x is not a number: 'a'"   # text is read as --x reads it
    assert errors[3] == "line 4: the expression has no variable yy (did you mean y?)"
    assert errors[4].startswith("line 5 is not JSON (") and errors[4].endswith("): nope")
    assert errors[5] == "line 6 is not a JSON object: [1, 2]"
    assert errors[6] == "line 7: the value of x is not a number: true"
    assert errors[7].startswith("line 8: log of a non-positive number")
    assert records[7]["line"] == 8 and records[7]["x"] == 0
    assert result.exit_code == 2


def test_json_lines_without_keep_going_stops_at_the_first_bad_line():
    result = batch("x*y", '{"x": 1, "y": 2}\n{"x": 1}\n{"x": 1, "y": 3}\n', "--json")
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == "error: line 2: no value for y\n"


# --- columns that are not variables, separators, spaces, --precision ---------------------------

def test_a_column_that_is_not_a_variable_is_carried_through_in_its_place():
    result = batch("log(x)*y", "x,id,y,label\n1,a7,2,first one\n2,b8,0.5,\"q,uoted\"\n")
    assert result.exit_code == 0
    assert table(result.stdout) == [
        ["x", "id", "y", "label", "value", "dz/dx", "dz/dy"],
        ["1", "a7", "2", "first one", "0.0", "2.0", "0.0"],
        ["2", "b8", "0.5", "q,uoted", "0.34657359027997264", "0.25", "0.6931471805599453"]]
    assert result.stderr == ("note: columns id, label are not variables of the expression "
                             "(carried through unchanged)\n")
    # the same rows through JSON lines: the carried fields as text, the inputs as numbers
    records = [json.loads(line) for line in batch("log(x)*y", "id,x,y\n007,1,2\n", "--json").stdout.splitlines()]
    assert records == [{"id": "007", "x": 1.0, "y": 2.0, "value": 0.0, "gradient": {"x": 2.0, "y": 0.0}}]


def test_a_carried_column_named_value_does_not_shadow_the_output():
    result = batch("x*2", "value,x\nv,3\n")
    assert table(result.stdout) == [["value", "x", "value_", "dz/dx"], ["v", "3", "6.0", "2.0"]]


def test_a_near_miss_of_a_variable_without_a_column_is_a_typo():
    result = batch("x*y", "x,yy\n1,2\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: line 1 (the header): the expression has no variable yy\n"
                                    "hint: did you mean y?")
    # the same name beside a column for y is data, carried through
    assert table(batch("x*y", "x,yy,y\n1,2,3\n").stdout)[1] == ["1", "2", "3", "3.0", "3.0", "1.0"]
    # ... and so it is when y is given on the command line
    assert batch("x*y", "x,yy\n1,2\n", "--y", "3").exit_code == 0


def test_json_lines_carry_other_keys_through():
    text = '{"id": "a", "x": 1, "y": 2}\n{"y": 4, "x": 3, "id": "b", "value": 0}\n'
    result = batch("x*y", text, "--json")
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"id": "a", "x": 1, "y": 2, "value": 2.0, "gradient": {"x": 2.0, "y": 1.0}},
        {"y": 4, "x": 3, "id": "b", "value": 0, "value_": 12.0, "gradient": {"x": 4.0, "y": 3.0}}]
    assert result.stderr == "note: column id is not a variable of the expression (carried through unchanged)\n"
    # CSV out: the first line's other keys are columns, first
    assert table(batch("x*y", text).stdout) == [["id", "x", "y", "value", "dz/dx", "dz/dy"],
                                                ["a", "1", "2", "2.0", "2.0", "1.0"],
                                                ["b", "3", "4", "12.0", "4.0", "3.0"]]


def test_a_pandas_index_column_without_a_name_is_carried():
    result = batch("x*y", ",x,y\n0,1,2\n1,3,4\n")
    assert table(result.stdout) == [["", "x", "y", "value", "dz/dx", "dz/dy"],
                                    ["0", "1", "2", "2.0", "2.0", "1.0"], ["1", "3", "4", "12.0", "4.0", "3.0"]]
    assert "column (no name) is not a variable" in result.stderr


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separators_as_for_the_answers_csv(sep):
    text = f"x{sep}y{sep}name\n1,5{sep}2{sep}a,b\n3{sep}-0,25{sep}c\n"
    result = batch("x*y", text)
    assert result.exit_code == 0, result.stderr
    assert table(result.stdout) == [["x", "y", "name", "value", "dz/dx", "dz/dy"],
                                    ["1.5", "2", "a,b", "3.0", "2.0", "1.5"],
                                    ["3", "-0.25", "c", "-0.75", "-0.25", "3.0"]]
    # the same rule as the class grader's: one function
    from gradcalc import answer_key, batch as engine, classroom
    from gradcalc.csvtext import delimiter, rows
    assert engine.delimiter_of is delimiter and classroom.csv_rows is rows and answer_key.csv_rows is rows
    assert rows("x;y\n1,5;2\n", "f.csv") == (";", [(1, ["x", "y"]), (2, ["1,5", "2"])])


def test_semicolon_rows_take_the_same_path_one_by_one():
    # a chunk the fast path refuses (a word) is read row by row with the same decimal-comma rule
    result = batch("x*2", "x;id\n1,5;a\nnope;b\n2,5;c\n", "--keep-going")
    rows = table(result.stdout)
    assert rows[1] == ["1.5", "a", "3.0", "2.0", ""] and rows[3] == ["2.5", "c", "5.0", "2.0", ""]
    assert rows[2][-1] == "line 3: the value of x is not a number: 'nope'"


def test_fields_are_echoed_without_spaces_and_a_trailing_comma_is_fine():
    result = CliRunner().invoke(main, ["log(x)*y", "--points", "-"],
                                input=b"\xef\xbb\xbf x , y, \r\n 1 , 2 ,\r\n\r\n +3 , .5 \r\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["x,y,value,dz/dx,dz/dy", "1,2,0.0,2.0,0.0",
                                          "+3,.5,0.5493061443340549,0.16666666666666666,1.0986122886681098"]
    # a trailing comma on every line (the fast path) or on none
    assert table(batch("x*y", "x,y,\n1,2,\n3,4,\n").stdout)[1:] == [["1", "2", "2.0", "2.0", "1.0"],
                                                                    ["3", "4", "12.0", "4.0", "3.0"]]
    # but a field under no name is not dropped silently
    result = batch("x*y", "x,y,\n1,2,7\n")
    assert result.exit_code == 2 and "line 2 has 3 fields, the header has 2" in result.stderr


@pytest.mark.parametrize("header, row", [
    ("x,y", "{x},{y}"), ("id,x,y", "r{i},{x},{y}"), ("x,label,y", "{x},Zoë_{i},{y}"),
    ("x;y", "{xc};{yc}"), ("id\tx\ty", "r{i}\t{xc}\t{yc}"), ("x;n;y", "{xc};a,b;{y}"),
    ("x,y,", "{x},{y},"), ("x, y", " {x}, {y} "),
])
def test_whole_chunks_read_and_write_as_row_by_row(monkeypatch, header, row):
    import gradcalc.batch as engine

    rng = np.random.default_rng(1)
    points = [(float(a), float(b)) for a, b in rng.uniform(0.5, 3, (300, 2))]
    text = header + "\n" + "".join(row.format(i=i, x=x, y=y, xc=repr(x).replace(".", ","),
                                               yc=repr(y).replace(".", ",")) + "\n"
                                    for i, (x, y) in enumerate(points))
    original, hits = engine._csv_fast, []
    monkeypatch.setattr(engine, "_csv_fast", lambda *a: hits.append(original(*a) is not None) or original(*a))
    fast = batch("x*y + log(x)", text)
    assert all(hits) and len(hits) > 3   # every chunk took the whole-chunk path
    called = []
    monkeypatch.setattr(engine, "_csv_fast", lambda *a: called.append(1))
    slow = batch("x*y + log(x)", text)
    assert called and fast.exit_code == slow.exit_code == 0, fast.stderr
    assert fast.stdout == slow.stdout
    rows = table(fast.stdout)[1:]
    assert len(rows) == 300
    for (x, y), got in zip(points, rows):
        assert float(got[-3]) == x * y + np.log(x) and float(got[-1]) == x


def test_precision_rounds_the_csv_numbers_written():
    result = batch("log(x)*y", "x,y\n2,3\n1,-0.5\n", "--precision", "3")
    assert result.stdout.splitlines() == ["x,y,value,dz/dx,dz/dy", "2,3,2.08,1.5,0.693", "1,-0.5,0,-0.5,0"]
    # JSON lines keep full precision, as --json does for one point
    assert json.loads(batch("log(x)*y", "x,y\n2,3\n", "--precision", "3", "--json").stdout)["value"] == \
        3 * np.log(2)


@pytest.mark.parametrize("option", [["-q"], ["--max-rows", "5"]])
def test_options_with_nothing_to_do_in_a_batch_are_refused(option):
    result = batch("x*2", "x\n1\n", *option)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"--points cannot be combined with {option[0]}" in result.stderr


def test_plain_is_the_same_csv():
    assert batch("x*2", "x\n1\n", "--plain").stdout == batch("x*2", "x\n1\n").stdout


# --- streaming ----------------------------------------------------------------------------------

def test_no_progress_bar_when_stderr_is_not_a_terminal():
    result = batch("x*2", "x\n" + "1\n" * 5000)
    assert result.exit_code == 0 and result.stderr == ""


def test_progress_bar_draws_on_a_terminal():
    from gradcalc.render.progress import ProgressBar

    from rich.console import Console

    screen = io.StringIO()
    with ProgressBar(1000, Console(file=screen, force_terminal=True, width=80), delay=0) as bar:
        bar.update(500, 20)
    assert "20 rows" in screen.getvalue() and "0.5/1.0 kB" in screen.getvalue()


def test_output_starts_before_the_input_ends():
    process = subprocess.Popen([sys.executable, "-m", "gradcalc", "x*y", "--points", "-"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        process.stdin.write(b"x,y\n1,2\n")
        process.stdin.flush()
        # The first row comes back while stdin is still open.
        assert process.stdout.readline() == b"x,y,value,dz/dx,dz/dy\n"
        assert process.stdout.readline() == b"1,2,2.0,2.0,1.0\n"
        process.stdin.write(b"3,4\n")
        process.stdin.close()
        assert process.stdout.read() == b"3,4,12.0,4.0,3.0\n"
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()


def test_gradcalcs_own_output_fed_back_keeps_every_column_apart(tmp_path):
    # A points file that already has value and dz/dx columns (an earlier run's output): no two
    # columns of the output share a name, and a note says which of gradcalc's were renamed.
    (tmp_path / "again.csv").write_text("x,y,value,dz/dx\n1,2,9,9\n")
    result = CliRunner().invoke(main, ["x*y", "--points", str(tmp_path / "again.csv")])
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header == "x,y,value,dz/dx,value_,dz/dx_,dz/dy" and row == "1,2,9,9,2.0,2.0,1.0"
    assert "gradcalc's own are written as value_, dz/dx_" in result.stderr


# --- a spreadsheet opening the output runs no formula from the input ----------------------------------

@pytest.mark.parametrize("text, expected", [
    ('id,x,y\n=HYPERLINK("http://evil"),1,2\n+cmd,2,3\n-1+cmd,1,1\n@SUM(1),1,1\n-5,1,1\nplain,1,1\n',
     ["'=HYPERLINK(\"http://evil\")", "'+cmd", "'-1+cmd", "'@SUM(1)", "-5", "plain"]),
    ('id;x;y\n=1+1;1,5;2\n-2.5e3;-2;3\n', ["'=1+1", "-2.5e3"]),      # a decimal-comma file
    ('id,x,y\n"=A1 ",1,2\n', ["'=A1"]),                                  # quoted, spaces stripped
    ('id,x,y\na,-1,-2\nb,1,-3e-2\n-7,1,1\n', ["a", "b", "-7"]),            # negative numbers: left alone
])
def test_carried_fields_that_a_spreadsheet_would_run_get_a_leading_quote(text, expected):
    result = batch("x*y", text)
    assert result.exit_code == 0, result.stderr
    rows = table(result.stdout)
    assert [row[0] for row in rows[1:]] == expected
    assert all(not row[1].startswith("'") for row in rows[1:])   # the inputs are numbers, as read


def test_formula_like_headers_jsonl_ids_and_bad_rows_are_made_inert_too(tmp_path):
    rows = table(batch("x*y", "x,id,y,note\n-1,=cmd,2,ok\n1,a,2,@b\n").stdout)   # carried after an input
    assert [(row[1], row[3]) for row in rows[1:]] == [("'=cmd", "ok"), ("a", "'@b")]
    assert table(batch("x*y", "=cmd,x,y\n1,2,3\n").stdout)[0][0] == "'=cmd"
    (tmp_path / "p.jsonl").write_text('{"id": "=A1", "x": 1, "y": 2}\n{"id": -3, "x": 1, "y": 2}\n')
    rows = table(gradcalc("x*y", "--points", str(tmp_path / "p.jsonl")).stdout)
    assert [row[0] for row in rows[1:]] == ["'=A1", "-3"]
    rows = table(batch("x*y", "id,x,y\n=a,1,q\n", "--keep-going").stdout)
    assert rows[1][:3] == ["'=a", "1", "q"]


# A column (or JSON key, or --NAME) spelled beta is the expression's β, written β or \beta, as --beta is
# for one point, and the output shows β as every table does: it was "no column for β (beta is not a
# variable)", and --beta with --points was ignored with a note.
@pytest.mark.parametrize("expression", ["x*β", "x*\\beta"])
def test_a_column_spelled_beta_is_the_expressions_beta(expression):
    found = batch(expression, "x,beta\n1,2\n3,0.5\n")
    assert found.exit_code == 0, found.output
    assert table(found.stdout) == [["x", "β", "value", "dz/dx", "dz/dβ"], ["1", "2", "2.0", "2.0", "1.0"],
                                   ["3", "0.5", "1.5", "0.5", "3.0"]]
    jsonl = batch(expression, '{"x": 1, "beta": 2}\n', "--json")
    assert jsonl.exit_code == 0 and json.loads(jsonl.stdout) == {"x": 1, "β": 2, "value": 2.0,
                                                                 "gradient": {"x": 2.0, "β": 1.0}}, jsonl.output
    fixed = batch(expression, "x\n1\n", "--beta", "2")
    assert fixed.exit_code == 0 and fixed.stderr == "" and table(fixed.stdout)[1] == ["1", "2.0", "2.0", "1.0"]


def test_a_column_beta_beside_a_column_beta_letter_is_carried():
    # Both given: β is the input; beta is some other column, carried through as it is.
    found = batch("x*β", "x,beta,β\n1,2,3\n")
    assert found.exit_code == 0 and table(found.stdout)[0] == ["x", "beta", "β", "value", "dz/dx", "dz/dβ"]
    assert found.stdout.splitlines()[1] == "1,2,3,3.0,3.0,1.0"
    # A name spelled beta in the text is not β: its column is beta.
    assert table(batch("x*beta", "x,beta\n1,2\n").stdout)[0] == ["x", "beta", "value", "dz/dx", "dz/dbeta"]
