"""One exit path: every front door ends through the same guard with the codes named in errors.py, and
--help's table of exit codes is read off them. Also the small command-line refusals that were wrong."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc import errors
from gradcalc.cli import main, quick
from helpers import assert_error, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_the_codes_are_the_ones_the_readme_promises():
    assert (errors.CheckFailed.exit_code, errors.GradcalcError.exit_code, errors.MathError.exit_code,
            errors.NotCheckable.exit_code) == (1, 2, 3, 4)
    codes = [code for code, _ in errors.exit_codes()]
    assert len(codes) == len(set(codes)) and codes[0] == errors.OK == 0


def test_the_readme_table_has_every_exit_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    listed = [int(line.split("|")[1]) for line in table.splitlines() if line.startswith("| ") and
              line.split("|")[1].strip().isdigit()]
    assert sorted(listed) == sorted(code for code, _ in errors.exit_codes())


def test_the_help_lists_every_exit_code_with_its_meaning():
    shown = " ".join(run("--help").stdout.split())   # as one line: the table is wrapped
    for code, meaning in errors.exit_codes():
        assert f"{code} {meaning}" in shown


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("door, target, argv", [
    ("the command", "gradcalc.result.compute", ["x", "--x", "1", "--hessian"]),
    ("click reading an option", "gradcalc.cli.command.Count.convert", ["x", "--x", "1", "--precision", "3"]),
    ("the pre-parser's dispatch", None, ["check", "s.toml"]),
    ("gradcalc check", "gradcalc.sheet.load_sheet", ["check", str(EXAMPLES / "homework.toml")]),
    ("gradcalc check --answers", "gradcalc.classroom.grade_class",
     ["check", str(EXAMPLES / "class.toml"), "--answers", str(EXAMPLES / "answers.csv")]),
])
def test_ctrl_c_at_every_front_door_is_exit_130_and_one_line(monkeypatch, door, target, argv):
    if target is None:
        monkeypatch.setattr(main, "subcommands", {"check": (_interrupt, None)})
    else:
        monkeypatch.setattr(target, _interrupt)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == errors.INTERRUPTED, (door, result.output)
    assert result.stdout == "" and result.stderr.strip() == "error: interrupted", door


def test_the_quick_path_ends_through_the_same_translation(monkeypatch, capsys):
    from gradcalc.cli import output

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(output, "show_result", broken)
    assert quick.answer(["x*y", "--x", "1", "--y", "2"]) == errors.INTERNAL
    said = capsys.readouterr().err
    assert said.startswith("error: internal error (ZeroDivisionError: a bug)") and "Traceback" not in said


@pytest.mark.parametrize("module", ["gradcalc.errors", "gradcalc.cli", "gradcalc.cli.exits", "gradcalc.cli.spec",
                                    "gradcalc.cli.quick", "gradcalc.result"])
def test_ctrl_c_while_any_of_gradcalcs_modules_loads_is_exit_130_without_a_traceback(module):
    # As the installed `gradcalc` script starts it; Ctrl-C arrives as `module` is being imported.
    script = textwrap.dedent(f"""
        import sys

        class CtrlC:
            def find_spec(self, name, path=None, target=None):
                if name == {module!r}:
                    sys.meta_path.remove(self)
                    raise KeyboardInterrupt
                return None

        sys.meta_path.insert(0, CtrlC())
        sys.argv = ["gradcalc", "x", "--x", "1"]
        from gradcalc.__main__ import run

        run()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stderr) == (130, "error: interrupted\n"), done.stderr[-800:]
    assert done.stdout == ""


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("name", ["-a.svg", "-o.png"])
def test_render_into_a_file_whose_name_starts_with_a_dash(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    result = run("x*y", "--x", "1", "--y", "2", "--render", name)
    assert result.exit_code == 0, result.stderr
    assert [path.name for path in tmp_path.iterdir()] == [name] and (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize("report", ["", " "])
def test_an_empty_report_folder_is_refused_and_nothing_is_written(tmp_path, monkeypatch, report):
    monkeypatch.chdir(tmp_path)
    result = run("check", str(EXAMPLES / "class.toml"), "--answers", str(EXAMPLES / "answers.csv"),
                 "--report", report)
    assert_error(result, 2, "--report needs")
    assert "--report feedback/" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("space", ["\u00a0", "\u2009", "\u3000"])
def test_a_no_break_space_is_called_a_space_not_a_control_character(space):
    result = run(f"x{space}+ y", "--x", "1", "--y", "2")
    assert_error(result, 2, "unexpected character")
    assert "control character" not in result.stderr
    assert f"hint: U+{ord(space):04X} is a kind of space" in result.stderr and "plain space" in result.stderr


def test_a_control_character_is_still_called_one():
    result = run("x\x07+ y", "--x", "1", "--y", "2")
    assert_error(result, 2, "unexpected character")
    assert "hint: remove the control character U+0007" in result.stderr


@pytest.mark.parametrize("text", ["mean(x[1:0])", "exp(x)*1e308"])
@pytest.mark.parametrize("entry", [["-m", "gradcalc"], ["-c", "from gradcalc.__main__ import run; run()"]])
def test_numpys_warnings_do_not_reach_stderr(text, entry):
    """gradcalc names the non-finite node itself (exit 3); numpy's RuntimeWarning with its source line
    ('Mean of empty slice', 'overflow encountered') would only be noise above that message. Both
    ways in: `python -m` has loaded the warnings module before gradcalc runs, the installed command
    (the console script's `run()`) has not."""
    done = subprocess.run([sys.executable, *entry, text, "--x", "[1, 2, 3]"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("error: ") and "Warning" not in done.stderr, done.stderr


# An op refusing its arguments deep in the engine (ψ⁽⁴⁰¹⁾ is past the highest order polygamma reads)
# is bad input at the node that asked for it, caret and hint, by whichever walk met it: the reverse
# walk on numbers, the one on nodes (--hessian), Taylor mode (--order), a dialect's folded constant.
_UNDER_PSI = "  " + " " * len("2*") + "^" * len("polygamma(399, x)")


@pytest.mark.parametrize("expression, options, caret_line", [
    ("1 + polygamma(400, x)", (), "  " + " " * len("1 + ") + "^" * len("polygamma(400, x)")),   # backward
    ("2*polygamma(399, x) + x", ("--hessian",), _UNDER_PSI),
    ("2*polygamma(399, x) + x", ("--order", "2"), _UNDER_PSI),
    ("2*polygamma(399, x) + x", ("--order", "3", "--symbolic"), _UNDER_PSI),
    ("2*polygamma(400, x) + x", ("--points", "POINTS"), "    " + "^" * len("polygamma(400, x)")),   # a batch
    ("a = np.array([1, 2] @ [1, 2, 3])\ny = a*x", (),   # a constant folded as it is read
     " " * len("  line 1: a = np.array(") + "^" * len("[1, 2] @ [1, 2, 3]")),
])
def test_an_op_refusing_its_arguments_deep_in_the_engine_is_bad_input_with_a_caret(expression, options,
                                                                                     caret_line, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("x\n300\n301\n", encoding="utf-8")
    given = [str(points) if option == "POINTS" else option for option in options]
    result = run(expression, *(() if "--points" in options else ("--x", "300")), *given)
    message = "shape mismatch" if "@" in expression else "polygamma's order n is at most 400 here, got 401"
    assert_error(result, 2, message, caret_line)
    assert "hint: " in result.stderr


def test_the_exit_path_has_no_case_for_an_ops_refusal():
    # every walk turns InputError into bad input with its place; the exit path never sees one
    source = (ROOT / "gradcalc" / "cli" / "exits.py").read_text(encoding="utf-8")
    assert "InputError" not in source


# --json on bad input: stdout still holds one JSON object, the error's; stderr keeps the message.
@pytest.mark.parametrize("args, code, line, column, length", [
    (["log(x", "--x", "1"], 2, 1, 6, 1),                         # syntax: at the end
    (["y = 2\nz = log(x)*y", "--x", "0"], 3, 2, 5, 6),            # math error, second line
    (["x*y", "--x", "1"], 2, 1, 3, 1),                            # a missing value: at its name
    (["x", "--x", "1", "--latex"], 2, None, None, None),          # an option conflict
    (["x", "--x", "1", "--order", "0"], 2, None, None, None),     # click's own check of a value
])
def test_json_on_bad_input_is_one_json_object_on_stdout(args, code, line, column, length):
    result = run(*args, "--json")
    assert_error(result, code, "", json=True)
    error = json.loads(result.stdout)["error"]
    assert (error["line"], error["column"], error["length"]) == (line, column, length)
    assert error["meaning"] == dict(errors.exit_codes())[code]
    if line is not None:   # the caret on stderr marks the same place
        caret = result.stderr.splitlines()[2]
        assert caret.index("^") - (len("  line 2: ") if line > 1 else 2) == column - 1 and caret.count("^") == length


def test_json_of_a_sheet_that_cannot_be_read_is_the_error(tmp_path):
    result = run("check", str(tmp_path / "missing.toml"), "--json")
    assert_error(result, 2, "cannot read the sheet", json=True)


def test_json_after_a_result_was_written_adds_nothing(tmp_path):
    # the rows written stand as JSON lines; the failing row is said on stderr
    points = tmp_path / "points.csv"
    points.write_text("x\n" + "1\n" * 3 + "0\n", encoding="utf-8")
    result = run("log(x)", "--points", str(points), "--json")
    assert result.exit_code == 3 and result.stderr.startswith("error: ")
    assert all("error" not in json.loads(line) for line in result.stdout.splitlines())


def test_without_json_or_after_a_double_dash_stdout_stays_empty():
    assert_error(run("log(x)", "--x", "0"), 3, "log of a non-positive number")
    assert_error(run("--x", "1", "--", "--json"), 2, "")


def test_json_of_an_error_into_a_full_stdout_keeps_the_errors_code_and_one_message():
    with open(os.devnull if not Path("/dev/full").exists() else "/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "gradcalc", "log(x)", "--x", "0", "--json"], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert done.returncode == 3
    assert done.stderr.startswith("error: log of a non-positive number") and "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr and done.stderr.count("error: ") == 1
