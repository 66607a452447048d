"""Trust at the edges: nothing gradcalc does reads or leaves files in the shared temp directory."""

import os
import pickle
import subprocess
import sys
import textwrap


class _Plant:
    """Unpickling this creates the file named by its argument: proof that a planted pickle ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _run(code, tmpdir, *args):
    env = {**os.environ, "TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir)}
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)


def test_a_syntax_error_never_unpickles_a_planted_lark_cache(tmp_path):
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    # Let Lark itself write the cache file it would look for with cache=True, under this TMPDIR ...
    make_cache = textwrap.dedent(
        """
        from lark import Lark
        from gradcalc.parse import LARK_OPTIONS, grammar_text
        Lark(grammar_text(), **LARK_OPTIONS, cache=True)
        """
    )
    assert _run(make_cache, shared).returncode == 0
    (cache_file,) = shared.iterdir()
    # ... then plant a payload behind its valid header, as another local user could.
    marker = tmp_path / "planted-code-ran"
    header = cache_file.read_bytes().split(b"\n", 1)[0]
    cache_file.write_bytes(header + b"\n" + pickle.dumps(_Plant(str(marker))))
    before = sorted(p.name for p in shared.iterdir())

    run = _run("import sys; from gradcalc.cli import main; main()", shared, "(x+", "--x", "1")

    assert run.returncode == 2, run.stderr
    assert "^" in run.stderr
    assert not marker.exists(), "a syntax error unpickled a file from the temp directory"
    assert sorted(p.name for p in shared.iterdir()) == before, "gradcalc left a file in the temp directory"


def test_nothing_of_gradcalcs_is_written_to_the_temp_directory(tmp_path):
    for args in (["(x+", "--x", "1"], ["(x+y)**2", "--x", "1", "--y", "2"], ["sin(", "--json"]):
        run = _run("from gradcalc.cli import main; main()", tmp_path, *args)
        assert run.returncode in (0, 2), run.stderr
    assert list(tmp_path.iterdir()) == []


# Every number from every source: one validation, exit 2 with a message, never 70 or inf with exit 0 --

import json

import numpy as np
import pytest
from click.testing import CliRunner

from gradcalc.cli import main


def _cli(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def _strict_json(text):
    """json.loads that refuses NaN and Infinity, which are not JSON."""
    def refuse(name):
        raise AssertionError(f"{name} in --json output")
    return json.loads(text, parse_constant=refuse)


def _bad_input(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize("as_json", [[], ["--json"]])
@pytest.mark.parametrize("row", ["1e999", "-1e999", "9" * 400])
def test_a_csv_field_beyond_a_float_is_bad_input_not_inf(tmp_path, as_json, row):
    points = tmp_path / "p.csv"
    points.write_text(f"x\n1\n{row}\n")
    result = _cli("x", "--points", points, *as_json)
    _bad_input(result, "line 3: the value of x is beyond a 64-bit float")
    assert "inf" not in result.stdout.lower()


def test_keep_going_json_lines_echo_no_nan_or_infinity(tmp_path):
    points = tmp_path / "p.jsonl"
    points.write_text('{"x": NaN}\n{"x": 1e999}\n{"x": -Infinity}\n{"x": 2}\n{"x": true}\n')
    result = _cli("x**2", "--points", points, "--json", "--keep-going")
    assert result.exit_code == 2
    rows = [_strict_json(line) for line in result.stdout.splitlines()]
    assert [row.get("value") for row in rows] == [None, None, None, 4.0, None]
    assert "the value of x is not a number (nan)" in rows[0]["error"]
    assert "too large" not in rows[0]["error"]          # NaN was once "too large for a 64-bit float: nan"
    assert "not a number: true" in rows[4]["error"]


@pytest.mark.parametrize("digits", [400, 5000])
def test_huge_integers_are_bad_input_everywhere(tmp_path, digits):
    huge = "9" * digits
    lines = tmp_path / "p.jsonl"
    lines.write_text(f'{{"x": {huge}}}\n')
    _bad_input(_cli("x", "--points", lines), "line 1: the value of x")
    _bad_input(_cli("x", "--x", f"[{huge}]"), "the value of x is not finite")
    _bad_input(_cli("x", "--x", huge), "the value of --x is beyond a 64-bit float")
    result = _cli("x", "--x", "[1]", "--expect", f"x=[{huge}]")
    _bad_input(result, "not a finite number")


def test_deeply_nested_answers_are_bad_input():
    _bad_input(_cli("x", "--x", "[1]", "--expect", "x=" + "[" * 5000 + "1" + "]" * 5000),
               "nested too deeply")
    _bad_input(_cli("x", "--x", "[" * 5000 + "1" + "]" * 5000), "nested too deeply")


@pytest.mark.parametrize("answer", ["[true, 2]", "[1, null]", '["1", 2]'])
def test_true_and_null_are_not_numbers_in_answers(answer):
    _bad_input(_cli("x", "--x", "[1, 2]", "--expect", f"x={answer}"), "is not all numbers")


def test_timedelta_and_absurd_npy_headers_are_bad_input(tmp_path):
    np.save(tmp_path / "td.npy", np.array([1, 2], dtype="m8[s]"))
    _bad_input(_cli("x", "--x", f"@{tmp_path / 'td.npy'}"), "timedelta64[s] values, not real numbers")
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.zeros((0, 3)))
    (tmp_path / "huge.npy").write_bytes(buffer.getvalue().replace(b"(0, 3)", b"(0, " + b"1" * 31 + b")"))
    _bad_input(_cli("x", "--x", f"@{tmp_path / 'huge.npy'}"), "over the limit")


@pytest.mark.parametrize("option", ["--rtol", "--atol"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e999"])
def test_tolerances_are_finite_and_not_negative(option, value):
    result = _cli("x", "--x", "1", "--check", option, value)
    assert result.exit_code == 2 and "a tolerance is a finite number ≥ 0" in result.stderr
    result = _cli("check", "-", option, value, input="")
    assert result.exit_code == 2 and "a tolerance is a finite number ≥ 0" in result.stderr


def test_limits_are_bounded_and_raising_one_reserves_nothing(tmp_path):
    program = tmp_path / "f.gc"
    program.write_text("x")
    _bad_input(_cli("-f", program, "--x", "1", "--limit", "file=1e30"), "largest allowed is 1e15")
    result = _cli("-f", program, "--x", "2", "-q", "--limit", "file=1e12")   # read(1e12) reserved 1 TB
    assert result.exit_code == 0 and result.stdout.split() == ["2", "1"]


# --wrt honoured by every feature: x**y at x < 0 has ∂/∂x = 12 and no ∂/∂y (log of -2) -------------

@pytest.mark.parametrize("options, lines", [
    ([], ["12"]),
    (["--check"], ["12"]),
    (["--expect", "x=12"], ["12"]),
    (["--expect", "x=3*x**2"], ["12"]),
    (["--expect", "z=-8"], ["12"]),
    (["--hessian"], ["-12"]),               # -q: the second derivatives only
    (["--order", "2"], ["-12"]),
    (["--mode", "forward"], ["12"]),
    (["--compare-modes"], ["2", "2"]),      # -q: the operations each mode executed
])
def test_wrt_is_honoured_by_every_feature(options, lines):
    result = _cli("x**y", "--x", "-2", "--y", "3", "--wrt", "x", "-q", *options)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split()[:len(lines)] == lines


def test_wrt_with_symbolic_gives_only_the_formula_asked_for():
    result = _cli("x**y", "--x", "-2", "--y", "3", "--wrt", "x", "--symbolic", "--json")
    assert result.exit_code == 0, result.stderr
    data = _strict_json(result.stdout)
    assert data["gradient"] == {"x": 12.0}


def test_a_sheet_computes_only_the_gradients_its_answers_are_about():
    text = ('[[problem]]\nexpression = "x**n"\nat = { x = -2, n = 3 }\n[problem.expect]\nx = "n*x**(n-1)"\n'
            '[[problem]]\nexpression = "t = x*y; z = t**2"\nat = { x = 1, y = 2 }\n[problem.expect]\nt = 4\n')
    result = _cli("check", "-", "--json", input=text)
    assert result.exit_code == 0, result.stderr
    data = _strict_json(result.stdout)
    assert (data["score"], data["total"]) == (2, 2)


# --check: a step scaled to the point, and "not checkable here" (exit 4) instead of a NaN ✓ ---------

@pytest.mark.parametrize("expression", ["log(x)", "sqrt(x)", "1/x", "x**-2", "x**-3", "log(x - 5) + x"])
@pytest.mark.parametrize("offset", [1e-4, 3e-4, 1e-8, 1e-30])
def test_check_is_right_where_the_gradient_is_exact_near_a_pole(expression, offset):
    x = 5 + max(offset, 1e-8) if "x - 5" in expression else offset   # 5 + 1e-30 is 5
    result = _cli(expression, "--x", repr(x), "--check", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    [check] = _strict_json(result.stdout)["check"]
    assert check["status"] == "ok" and check["relative_error"] < 1e-6


def test_check_near_the_largest_float_is_exact_and_valid_json():
    result = _cli("exp(x)", "--x", "709", "--check", "--json")
    assert result.exit_code == 0 and result.stderr == ""       # no RuntimeWarning either
    [check] = _strict_json(result.stdout)["check"]
    assert check["status"] == "ok" and check["relative_error"] < 1e-9


def test_check_says_not_checkable_when_the_differences_are_not_finite():
    args = ["x + c", "--x", "1", "--c", "[1e308, 1e308]", "--wrt", "x", "--check"]
    result = _cli(*args, "--json")
    assert result.exit_code == 4, result.stderr
    data = _strict_json(result.stdout)
    assert data["ok"] is False
    assert data["check"] == [{"name": "x", "backprop": 2.0, "numerical": None, "relative_error": None,
                              "ok": False, "status": "not checkable", "elements_checked": 1,
                              "elements": 1, "near_kink": None}]
    assert "cannot be checked here" in result.stderr and "RuntimeWarning" not in result.stderr
    plain = _cli(*args)
    assert plain.exit_code == 4 and "NOT CHECKABLE HERE" in plain.stdout and "  ?  x" in plain.stdout


# Streams: closed or full standard output, closed standard input, Ctrl-C at any moment ---------------

import subprocess as _subprocess


def _shell(command, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return _subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True)


GRADCALC = f"{sys.executable} -m gradcalc"


@pytest.mark.parametrize("args", ['"x*2" --x 1 --json', '"x*2" --x 1', "check s.toml", "x --points p.csv"])
def test_a_closed_standard_output_is_exit_74_not_0(tmp_path, args):
    (tmp_path / "s.toml").write_text('[[problem]]\nexpression = "x"\nat = { x = 1 }\n[problem.expect]\nx = 1\n')
    (tmp_path / "p.csv").write_text("x\n1\n")
    run = _shell(f"{GRADCALC} {args} >&-", tmp_path)
    assert run.returncode == 74, run.stderr
    assert run.stderr.startswith("error: standard output is closed") and "Traceback" not in run.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", ['"x*2" --x 1 --json', '"x*2" --x 1', "check s.toml", "x --points p.csv",
                                  '"x*2" --x 1 --dot'])
def test_a_full_disk_is_exit_74_with_one_line(tmp_path, args):
    (tmp_path / "s.toml").write_text('[[problem]]\nexpression = "x"\nat = { x = 1 }\n[problem.expect]\nx = 1\n')
    (tmp_path / "p.csv").write_text("x\n1\n")
    run = _shell(f"{GRADCALC} {args} > /dev/full", tmp_path)
    assert run.returncode == 74, run.stderr
    assert run.stderr.startswith("error: input/output failed: No space left on device")
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr


@pytest.mark.parametrize("args, code, stdout", [
    ('"log(x)" --x 0', 3, ""),                 # a math error: still exit 3
    ('"x*q" --x 1', 2, ""),                    # bad input: still exit 2
    ('"x" --x 1 --y 2', 0, "1\n1\n"),         # a note that cannot be said: the answer still stands
])
@pytest.mark.parametrize("stderr", ["2>&-", "2>/dev/full"])
def test_a_closed_or_full_standard_error_keeps_the_exit_code(tmp_path, args, code, stdout, stderr):
    if stderr.endswith("full") and not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    run = _shell(f"{GRADCALC} {args} -q {stderr}; echo \"exit=$?\"", tmp_path)
    assert run.stdout == f"{stdout}exit={code}\n"


@pytest.mark.parametrize("output", ["-q", "--json", "--plain", ""])
@pytest.mark.parametrize("closed", ["2>&-", "<&-", "2>&- <&-"])
def test_a_plain_answer_with_standard_error_or_input_closed_is_exit_0(tmp_path, output, closed):
    # The quick path flushed sys.stderr, which is None when stderr was closed: exit 70, "a bug".
    run = _shell(f"{GRADCALC} 'x*y' --x 1 --y 2 {output} {closed}; echo \"exit=$?\"", tmp_path)
    assert run.stdout.endswith("exit=0\n") and "2" in run.stdout


def test_the_gradcalc_script_with_standard_error_closed_is_exit_0(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "gradcalc")
    if not os.path.exists(script):
        pytest.skip("the gradcalc script is not installed beside this Python")
    run = _shell(f"{script} 'x*y' --x 1 --y 2 -q 2>&-; echo \"exit=$?\"", tmp_path)
    assert run.stdout == "2\n2\n1\nexit=0\n"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "ascii"])
@pytest.mark.parametrize("args", ['"x × y" --x 1 --y 2', '"x × y" --x 1 --y 2 --json', '"log(x)" --x 0',
                                  '"x × y" --x 1 --y 2 --rtol 1e-6'])
def test_any_output_encoding_gets_utf8_not_an_internal_error(tmp_path, encoding, args):
    # A Windows console redirected to a file is cp1252; ∂ and × cannot be written in it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONIOENCODING": encoding}
    run = _subprocess.run(["bash", "-c", f"{GRADCALC} {args}"], cwd=tmp_path, env=env, capture_output=True)
    assert run.returncode in (0, 3) and b"internal error" not in run.stderr
    text = (run.stdout + run.stderr).decode("utf-8")   # every byte is UTF-8
    assert any(mark in text for mark in "∂×^")   # the table, the JSON, or the caret under log(x)


@pytest.mark.parametrize("args", ["-f - --x 1", "x --points -", "check -"])
def test_a_closed_standard_input_is_bad_input(tmp_path, args):
    run = _shell(f"{GRADCALC} {args} <&-", tmp_path)
    assert run.returncode == 2, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert "standard input is closed" in run.stderr and "permissions" not in run.stderr


@pytest.mark.parametrize("argv, module", [
    (["x", "--x", "1"], "cli.quick"),                  # the quick path's modules
    (["x", "--x", "1", "--hessian"], "cli"),           # click's command, after the quick path handed over
])
def test_ctrl_c_while_the_modules_load_is_exit_130_without_a_traceback(monkeypatch, capsys, argv, module):
    import builtins

    from gradcalc.__main__ import run

    real_import = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name in (module, f"gradcalc.{module}") or (name == "" and args and module in (args[2] or ())):
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(sys, "argv", ["gradcalc", *argv])
    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_ctrl_c_while_the_guard_loads_with_stderr_closed_is_still_exit_130(monkeypatch):
    import builtins

    from gradcalc.__main__ import run

    real_import = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name.endswith("exits") or (name == "" and args and "exits" in (args[2] or ())):
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(sys, "argv", ["gradcalc", "x", "--x", "1"])
    monkeypatch.setattr(sys, "stderr", None)   # as Python sets it for `2>&-`
    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 130


# Terminal text: a hand-in or a points file cannot send escape sequences to the grader's terminal ---

import csv
import io

ATTACK = "\x1b]0;PWNED\x07\x1b[2J\x1b[HScore: 10 of 10"
ESCAPED = "\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[HScore: 10 of 10"
SHEET = ('title = "{title}"\n[[problem]]\nname = "{title}"\nexpression = "x"\nat = {{ x = 1 }}\n'
         'points = 1000\n[problem.expect]\nx = "{answer}"\n')


@pytest.mark.parametrize("form", [["--plain"], []])
def test_a_sheet_cannot_send_escape_sequences_to_the_terminal(form, on_a_terminal):
    escaped = ATTACK.replace("\x1b", "\\u001b").replace("\x07", "\\u0007")
    result = _cli("check", "-", "--teacher-sheet", *form, input=SHEET.format(title=escaped, answer="1\\u001b[2J"))
    assert result.exit_code == 1, result.stderr
    assert "\x1b]" not in result.stdout and "\x1b[2J" not in result.stdout and "\x07" not in result.stdout
    assert ESCAPED in result.stdout
    assert "\x1b" not in result.stderr


def test_sheet_scores_follow_precision():
    text = '[[problem]]\nexpression = "2*x"\nat = { x = 1 }\npoints = 999\n[problem.expect]\nx = 2\nz = 3\n'
    result = _cli("check", "-", "--plain", "--teacher-sheet", input=text)
    assert "Score: 499.5 of 999 points" in result.stdout, result.stdout   # was 500 of 999 (3 digits)


def test_points_fields_with_escape_sequences_are_escaped_in_the_csv(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text(f"x,y\n1,2\n3,4{ATTACK}\n5\x1b[2J,6\n")
    result = _cli("x+y", "--points", points, "--keep-going")
    assert result.exit_code == 2
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\x1b" not in result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [len(row) for row in rows] == [6] * 4
    assert rows[2][1] == "4" + ESCAPED and rows[3][0] == "5\\x1b[2J"


def test_a_quoted_field_spanning_lines_is_refused_and_the_csv_stays_valid(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text('x,y\n1,"2\n3,4\n')
    stopped = _cli("x+y", "--points", points)
    _bad_input(stopped, "line 2 has an unclosed quote")
    result = _cli("x+y", "--points", points, "--keep-going")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [len(row) for row in rows] == [6, 6, 6]
    assert rows[1][:2] == ["1", "2"] and "unclosed quote" in rows[1][-1]
    assert rows[2][:3] == ["3", "4", "7.0"]


def test_a_quoted_field_is_echoed_through_the_csv_writer(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text('x,y\n"1",2\n')
    result = _cli("x+y", "--points", points)
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "1,2,3.0,1.0,1.0"


def test_a_points_line_of_spaces_is_blank(tmp_path):
    points = tmp_path / "p.csv"
    points.write_text("x\n   \n1\n\t\n2\n")
    result = _cli("x", "--points", points)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["x,value,dx/dx", "1,1.0,1.0", "2,2.0,1.0"]


def test_usage_errors_quote_arguments_without_control_characters():
    result = _cli("x", "--x", "1", f"--{ATTACK}", "2")
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_a_sheet_is_refused_by_its_size_before_it_is_read(tmp_path):
    sheet = tmp_path / "big.toml"
    sheet.write_text("# padding\n" * 300_000)
    _bad_input(_cli("check", sheet), "over the limit of 2,000,000", "--limit sheet=")
    result = _cli("check", sheet, "--limit", "sheet=1e7")
    _bad_input(result, "has no problems")


# Limits checked before the work they bound; header handling linear in the columns ------------------

def test_a_wide_points_header_is_read_in_linear_time():
    from types import SimpleNamespace

    from gradcalc.batch import _header

    names = [f"v{i}" for i in range(60_000)]
    graph = SimpleNamespace(variables={name: i for i, name in enumerate(names)}, defaults={})
    assert _header(1, ",".join(names), graph, {}) == (names, [], 0)   # columns.count() per column took 42 s
    with pytest.raises(Exception, match="column v7 appears twice"):
        _header(1, ",".join(names + ["v7"]), graph, {})
    # opening the file: where each input's field is found, by a dict, not columns.index per input
    import io

    from gradcalc.batch import open_points
    points = open_points(io.BytesIO((",".join(["id"] + names) + "\n").encode()), graph)   # was 30 s CPU
    assert points.take[-1] == 60_000 and points.carried == ["id"]
    # half the inputs missing, half the columns not inputs: "did you mean" is not tried 30 000² times
    half = names[:30_000] + [f"w{i}" for i in range(30_000)]
    with pytest.raises(Exception, match="no column for v30000, v30001"):
        _header(1, ",".join(half), graph, {})


def test_a_csv_value_file_is_refused_by_its_size_before_it_is_parsed(tmp_path, monkeypatch):
    import gradcalc.arrays as arrays

    def never(*args, **kwargs):
        raise AssertionError("parsed before the limit was checked")

    monkeypatch.setattr(arrays, "_load_csv", never)
    monkeypatch.setattr(arrays, "_read_rows", never)
    values = tmp_path / "w.csv"
    values.write_text("1,2,3\n\n4,5,6\n" * 400)
    _bad_input(_cli("sum(W)", "--W", f"@{values}", "--limit", "elements=2000"),
               "has 2,400 numbers, over the limit of 2,000")


def test_render_with_an_empty_file_name_is_bad_input():
    _bad_input(_cli("x", "--x", "1", "--render", ""), "cannot render ''")


@pytest.mark.parametrize("columns", ["0", "-5", "abc"])
def test_columns_that_are_no_width_are_ignored_on_a_terminal(columns, monkeypatch, on_a_terminal):
    monkeypatch.setenv("COLUMNS", columns)
    result = _cli("x*y", "--x", "1.5", "--y", "2")
    assert result.exit_code == 0
    assert "Forward pass" in result.stdout and "1.5" in result.stdout and "∂z/∂x" in result.stdout


def test_a_corrupt_npy_header_is_bad_input_not_a_bug(tmp_path):
    # Found by tests/test_fuzz_files.py: numpy's header reader raised tokenize.TokenError (exit 70).
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(()))
    data = buffer.getvalue()
    at = 42 % len(data)
    (tmp_path / "v.npy").write_bytes(data[:at] + b"\x00\x00\x00\x00\x00[" + data[at + 6:])
    _bad_input(_cli("v", "--v", f"@{tmp_path / 'v.npy'}"), "is not a numeric .npy file")


def test_json_output_escapes_what_json_would_pass_raw(tmp_path):
    # Found by tests/test_fuzz_files.py: DEL, the C1 CSI and U+202E were written raw by --json.
    points = tmp_path / "p.jsonl"
    points.write_text(json.dumps({"x": "\x7f\x9b2J\u202e"}) + "\n")
    result = _cli("x", "--points", points, "--json", "--keep-going")
    assert result.exit_code == 2
    assert result.stdout.isascii() or result.stdout.isprintable()
    assert "\\u007f\\u009b2J\\u202e" in result.stdout
    assert _strict_json(result.stdout)["x"] == "\x7f\x9b2J\u202e"


def test_a_sheet_asking_only_for_the_value_computes_no_gradient():
    text = '[[problem]]\nexpression = "x**n"\nat = { x = -2, n = 3 }\n[problem.expect]\nz = -8\n'
    result = _cli("check", "-", "--json", input=text)
    assert result.exit_code == 0, result.stderr   # ∂/∂n (log of -2) once failed the sheet
    assert _strict_json(result.stdout)["score"] == 1
