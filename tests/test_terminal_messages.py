"""Messages on a terminal: the prose wraps between words to its width and the excerpt of the
expression is cut to fit, with the caret still under its column; piped, every line stays whole.
--plain text on a terminal is broken between words the same way, so no number is cut at the edge."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from gradcalc.errors import GradcalcError, caret, fold

ROOT = Path(__file__).resolve().parent.parent
LONG = ("a*b + c*d + e*f + g*h + i*j + k*l + m*n + o*p + q*r + s*t + u*v + w*x + y*z + sin(qq*) "
        "+ a*b + c*d + e*f + g*h")


def run(args: list[str], columns: int | None, cwd: Path = ROOT, stream: str = "stderr") -> tuple[int, str]:
    """gradcalc's stderr (or stdout), as a pseudo-terminal `columns` wide shows it (None: piped)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "gradcalc", *args]
    if columns is None:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
        return done.returncode, getattr(done, stream)
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    to = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: follower}
    process = subprocess.Popen(command, **to, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode().replace("\r\n", "\n")


def prose_words(lines: list[str]) -> list[str]:
    """The words of the message and hint lines and their continuations (not the excerpt or caret)."""
    return " ".join(line for line in lines if re.match(r"[a-z]+: ", line)
                    or (re.match(r" {5,}\S", line) and set(line.strip()) != {"^"})).split()


ERRORS = [
    (["X@W", "--X", "[[1,2]]", "--W", "[[1,2,3]]"], 2, "X"),
    (["log(x)*y + z", "--x", "-1", "--y", "2", "--z", "1"], 3, "l"),
    ([LONG, "--a", "1"], 2, ")"),
    (["x**2 + y", "--x", "3", "--yy", "1"], 2, None),
]


@pytest.mark.parametrize("args, code, under", ERRORS)
@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_a_message_fits_the_terminal_with_its_numbers_whole_and_its_caret_in_place(args, code, under, columns):
    piped_code, piped = run(args, None)
    got_code, shown = run(args, columns)
    assert got_code == piped_code == code
    lines = shown.rstrip("\n").split("\n")
    assert all(cell_len(line) <= columns for line in lines), (columns, shown)
    # the same words as piped, wrapped: so no number cut in two by the edge
    assert prose_words(lines) == prose_words(piped.splitlines()), shown
    if under is not None:
        carets = [i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"^"}]
        assert carets, shown
        excerpt, marks = lines[carets[0] - 1], lines[carets[0]]
        assert excerpt[marks.index("^")] == under, shown


def test_piped_messages_keep_their_lines_whole():
    code, piped = run(["X@W", "--X", "[[1,2]]", "--W", "[[1,2,3]]"], None)
    assert code == 2 and "shapes (1,2) and (1,3)" in piped.splitlines()[0]


def test_fold_wraps_between_words_under_the_first_word_and_keeps_the_excerpt():
    text = "error: shape mismatch: @ cannot multiply shapes (1,2) and (1,3)\n  X@W\n  ^^^\nhint: a b"
    assert fold(text, 60).split("\n") == ["error: shape mismatch: @ cannot multiply shapes (1,2) and",
                                         "       (1,3)", "  X@W", "  ^^^", "hint: a b"]
    assert fold("error: " + "x" * 80, 40) == "error: " + "x" * 80   # a word longer than the line stays whole


@pytest.mark.parametrize("columns", [20, 40, 60, 80])
@pytest.mark.parametrize("at", [0, 30, 61, len(LONG) - 1])
def test_the_excerpt_window_fits_and_keeps_the_caret_under_its_character(columns, at):
    line, marks = caret(LONG, (at, at + 1), columns=columns)
    assert cell_len(line) <= columns and cell_len(marks) <= columns
    assert line[marks.index("^")] == LONG[at]


def test_the_caret_counts_wide_characters_as_two_columns():
    text = "平方 + x*"
    line, marks = caret(text, (len(text), len(text)), columns=40)
    assert cell_len(marks) == cell_len(line) + 1   # just past the end, after two wide characters


def test_render_with_columns_wraps_and_render_without_does_not():
    error = GradcalcError("log of a non-positive number: log(-1) = nan", (0, 6),
                          hint="change the input values or the expression", text="log(x)*y + z")
    assert error.render().splitlines()[0] == "error: log of a non-positive number: log(-1) = nan"
    assert error.render(40).splitlines()[:2] == ["error: log of a non-positive number:", "       log(-1) = nan"]


APPLE = ["apple_price = apple*apple_num; orange_price = orange*orange_num; all_price = apple_price + "
         "orange_price; price = all_price*tax", "--apple", "100", "--apple_num", "2", "--orange", "150",
         "--orange_num", "3", "--tax", "1.1", "--plain"]
NUMBERS = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


@pytest.mark.parametrize("extra", [[], ["--hessian"], ["--tree"]])
@pytest.mark.parametrize("columns", [40, 60, 80])
def test_plain_text_on_a_terminal_is_broken_between_words(columns, extra):
    # The terminal cut 1.1 and 650 at 80 columns (the backward pass's rows are 95 wide).
    code, piped = run(APPLE + extra, None, stream="stdout")
    got, shown = run(APPLE + extra, columns, stream="stdout")
    assert code == got == 0
    lines = shown.rstrip("\n").split("\n")
    assert all(cell_len(line) <= columns for line in lines), shown
    assert sorted(NUMBERS.findall(shown)) == sorted(NUMBERS.findall(piped))
    assert " ".join(shown.split()) == " ".join(piped.split())   # the same words, in the same order
    assert max(map(len, piped.splitlines())) > 80 or extra == ["--tree"]   # piped: lines whole


def test_fold_keeps_an_option_on_the_line_of_its_value():
    assert fold('hint: try: gradcalc "(x+y)**2" --x 1 --y 2', 40).split("\n") == [
        'hint: try: gradcalc "(x+y)**2" --x 1', "      --y 2"]
    assert "\0" not in fold("hint: give --var json=1 or --x 2 " * 5, 30)
