"""Every number whole on every terminal: the rich output drawn at 40 to 250 columns.

At each width the multiset of number tokens must equal the one at 250 columns (a cropped `650`
reads `65`, a cropped `1.1` reads `1.`, a dropped column loses its numbers), and no line may be
wider than the console.
"""

import os
import re
import shlex
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console

import gradcalc
from gradcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (40, 60, 80, 100, 120)
WIDE = 250
# A number standing on its own: not part of a name (x1, n2, W1ᵀ) and not cut short (`1.` at an edge).
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
INDEX = re.compile(r"(?<=\w)\[\d+(?:,\d+)*\]")   # x[0], d/dX[0,1]: an element's name, not numbers

APPLE = ("apple_price = apple*apple_num; orange_price = orange*orange_num\n"
         "all_price = apple_price + orange_price; price = all_price*tax")
APPLE_VALUES = dict(apple=100, apple_num=2, orange=150, orange_num=3, tax=1.1)
NETWORK = "h = relu(X@W1 + b1); L = cross_entropy(h@W2 + b2, t)"
NETWORK_VALUES = dict(X=[[1, 2], [3, 4]], W1=[[1, 0, -1], [2, 1, 0]], b1=[0.5, 0, -0.5],
                      W2=[[1, 0], [0, 1], [1, 1]], b2=[0, 1], t=[[1, 0], [0, 1]])


def numbers(text: str) -> Counter:
    return Counter(NUMBER.findall(INDEX.sub("", ANSI.sub("", text))))


def assert_fits(screens: dict) -> None:
    """screens: width → text. Lines within the width; the numbers of the widest at every width."""
    wide = numbers(screens[WIDE])
    assert wide, "no numbers at all"
    for width, text in screens.items():
        lines = ANSI.sub("", text).splitlines()
        too_wide = [line for line in lines if cell_len(line) > width]
        assert not too_wide, (width, too_wide[:3], text)
        got = numbers(text)
        assert got == wide, (width, "missing", wide - got, "extra", got - wide, text)


def draw(renderable, width: int) -> str:
    console = Console(force_terminal=True, width=width, record=True, file=open(os.devnull, "w"))
    console.print(renderable)
    console.file.close()
    return console.export_text()


def screens_of(renderable) -> dict:
    return {width: draw(renderable, width) for width in WIDTHS + (WIDE,)}


# ---- the commands: every README example and every --help example, drawn with rich --------------

def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        commands += [line[2:] for line in block.splitlines() if line.startswith("$ gradcalc ")]
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        command = ""
        for line in block.replace("\\\n", " ").splitlines(keepends=True):
            command += line
            try:   # a command ends where its quotes close
                shlex.split(command, comments=True)
            except ValueError:
                continue
            if command.startswith("gradcalc "):
                commands.append(command.strip())
            command = ""
    return commands


def help_commands() -> list[str]:
    examples = main.epilog.split("Examples:")[1].split("Exit codes")[0]   # one example a line
    return [line.strip() for line in examples.splitlines() if line.strip().startswith("gradcalc ")]


NOT_TABLES = {"-q", "--json", "--dot", "--mermaid", "--points", "--render", "--latex"}


def table_args(command: str) -> list[str] | None:
    """The arguments of a command that draws rich tables (--plain dropped), or None."""
    args = [arg for arg in shlex.split(command, comments=True)[1:] if arg != "--plain"]
    return None if any(arg in NOT_TABLES for arg in args) else args


COMMANDS = sorted({c for c in readme_commands() + help_commands() if table_args(c) is not None})


@pytest.fixture
def examples_dir(tmp_path, monkeypatch):
    """The files the --help examples name, in a directory of their own."""
    (tmp_path / "network.gc").write_text("h = relu(W*2 - 3)\nL = sum(h*h)\n")
    (tmp_path / "w.csv").write_text("1,0,-1\n2,1,0\n")
    (tmp_path / "model.gc").write_text("y = x**2 + 1\n")
    (tmp_path / "homework.toml").write_text((ROOT / "examples/homework.toml").read_text())
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples/homework.toml").write_text((ROOT / "examples/homework.toml").read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_examples_are_found():
    assert len(COMMANDS) >= 15
    assert any("apple_price = apple*apple_num" in c for c in COMMANDS)
    assert any(c.startswith("gradcalc check") for c in COMMANDS)
    assert any("--compare-modes" in c for c in COMMANDS) and any("--mode forward" in c for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_example_keeps_every_number_at_every_width(command, examples_dir, on_a_terminal):
    args = table_args(command)
    screens = {}
    for width in (WIDE,) + WIDTHS:
        result = CliRunner().invoke(main, args, env={"COLUMNS": str(width)})
        if result.exit_code >= 2:   # the examples of errors: one plain message on stderr
            assert result.stdout == "" and result.stderr.startswith("error: "), (command, result.output)
            return
        assert result.exit_code in (0, 1), (command, result.output)
        screens[width] = result.stdout
    assert_fits(screens)


# ---- the renderers on their own: an array network, long names, large arrays ---------------------

def test_apple_and_orange():
    from gradcalc.render.rich import render_result

    screens = screens_of(render_result(gradcalc.compute(APPLE, **APPLE_VALUES)))
    assert_fits(screens)
    assert "650" in screens[80] and "1.1" in screens[80] and "∂node/∂in " not in screens[80]


def test_an_array_network():
    from gradcalc.render.rich import render_result

    assert_fits(screens_of(render_result(gradcalc.compute(NETWORK, **NETWORK_VALUES))))


def test_cross_entropy_of_a_batch_keeps_its_columns_and_brackets():
    from gradcalc.render.rich import render_result

    result = gradcalc.compute("L = cross_entropy(y, t)", y=[[1, 2, 3], [1, 1, 1]], t=[[0, 0, 1], [1, 0, 0]])
    screens = screens_of(render_result(result))
    assert_fits(screens)
    for text in screens.values():
        assert text.count("[") == text.count("]")


def test_long_names():
    from gradcalc.render.rich import render_result

    text = ("the_total_price_of_everything_in_the_basket = first_item_price_including_vat*"
            "number_of_first_items + second_item_price_including_vat*number_of_second_items")
    result = gradcalc.compute(text, first_item_price_including_vat=1.19, number_of_first_items=3,
                              second_item_price_including_vat=2.5, number_of_second_items=7)
    screens = screens_of(render_result(result))
    assert_fits(screens)
    # Names wrap between words, never inside one, while they fit the width.
    assert "number_of_second_items" in screens[40]


def test_large_arrays_are_summarised_with_their_shape_and_matching_brackets():
    from gradcalc.render.rich import render_result

    result = gradcalc.compute("z = sum(X*X)", X=(np.arange(200.0).reshape(10, 20) / 7).tolist())
    screens = screens_of(render_result(result))
    assert_fits(screens)
    for text in screens.values():
        assert "…" in text and "..." not in text and "shape (10,20)" in text
        assert text.count("[") == text.count("]")


def test_layouts_change_with_the_width():
    from gradcalc.render.rich import render_result

    screens = screens_of(render_result(gradcalc.compute(APPLE, **APPLE_VALUES)))
    assert "upstream × local" in screens[120]                       # the full table
    assert "up×local" in screens[80] and "up×local: upstream × local" in screens[80]   # + legend
    assert "price → tax\n    local ∂node/∂input: all_price = 650" in screens[40]        # stacked


def test_rich_print_and_notebook_at_a_given_width():
    result = gradcalc.compute(APPLE, **APPLE_VALUES)
    assert_fits({width: draw(result, width) for width in WIDTHS + (WIDE,)})
    html = result._repr_html_()
    assert "650" in html and "∂price/∂tax" in html


@pytest.mark.parametrize("options", [dict(hessian=True), dict(order=3, wrt=("x",)), dict(mode="forward"),
                                     dict(compare_modes=True), dict(symbolic=True, hessian=True)])
def test_the_tables_beyond_one_gradient(options, on_a_terminal):
    flags = {"hessian": ["--hessian"], "order": ["--order", "3"], "wrt": ["--wrt", "x"],
             "mode": ["--mode", "forward"], "compare_modes": ["--compare-modes"],
             "symbolic": ["--symbolic"]}
    args = ["x**2*sin(y_with_a_long_name) + exp(x*y_with_a_long_name)", "--x", "0.7",
            "--y_with_a_long_name", "1.3"]
    args += [flag for key in options for flag in flags[key]]
    screens = {}
    for width in WIDTHS + (WIDE,):
        result = CliRunner().invoke(main, args, env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        screens[width] = result.stdout
    assert_fits(screens)


def test_forward_mode_of_an_array_network(on_a_terminal):
    args = ["Y = X@W + b", "--X", "[[1,2],[3,4]]", "--W", "[[1,0,-1],[2,1,0]]", "--b", "[0.5,0,-0.5]",
            "--mode", "forward"]
    screens = {w: CliRunner().invoke(main, args, env={"COLUMNS": str(w)}).stdout for w in WIDTHS + (WIDE,)}
    assert_fits(screens)


def run_in_a_terminal(columns: int, **environment: str) -> str:
    """What the apple and orange example shows in a pseudo-terminal whose window is `columns` wide."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import subprocess
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "TERM")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT), **environment)
    args = [sys.executable, "-m", "gradcalc", APPLE] + [
        arg for name, value in APPLE_VALUES.items() for arg in (f"--{name}", str(value))]
    process = subprocess.Popen(args, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                               env=env, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:   # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_real_terminal_of_60_columns():
    """Through a pseudo-terminal with its window size set: what a person at a 60-column terminal sees."""
    screens = {60: run_in_a_terminal(60), WIDE: run_in_a_terminal(WIDE)}
    assert "\x1b[" in screens[60]   # drawn by rich, in colour
    assert_fits(screens)


def test_no_color_drops_the_colour_not_the_layout_that_fits():
    screens = {60: run_in_a_terminal(60, NO_COLOR="1"), WIDE: run_in_a_terminal(WIDE, NO_COLOR="1")}
    assert not re.search(r"\x1b\[[0-9;]*(3[0-9]|9[0-7])(;|m)", screens[60])   # no foreground colour
    assert "───" in screens[60]   # rich's table, not the plain one that the terminal would wrap
    assert_fits(screens)


def test_every_backward_row_of_a_network_is_named_distinctly():
    from gradcalc.render.rows import build_report

    report = build_report(gradcalc.compute(NETWORK, **NETWORK_VALUES))
    edges = [row[0] for row in report.backward.rows]
    assert len(edges) == 11 and len(set(edges)) == 11
    assert "n4 → b2\n(n4 = n3 + b2)" in edges and "n1 → W1\n(n1 = X @ W1)" in edges


def test_an_input_used_twice_by_one_node_names_its_operand():
    from gradcalc.render.rows import build_report

    edges = [row[0] for row in build_report(gradcalc.compute("x*x", x=3)).backward.rows]
    assert edges == ["z → x (1st operand)", "z → x (2nd operand)"]


def test_the_readme_shows_the_apple_and_orange_example_at_80_columns():
    from gradcalc.render.rich import render_result

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"### On a terminal of any width.*?```text\n(.*?)```", readme, re.S).group(1)
    screen = draw(render_result(gradcalc.compute(APPLE, **APPLE_VALUES)), 80)
    assert "\n".join(line.rstrip() for line in screen.splitlines()).strip("\n") == shown.strip("\n")


def test_the_tree_of_a_network():
    from gradcalc.render.tree import render_tree_rich

    assert_fits(screens_of(render_tree_rich(gradcalc.compute(NETWORK, **NETWORK_VALUES))))


def test_cut_tables_say_how_to_see_every_row_at_every_width():
    from gradcalc.render.rich import render_result

    result = gradcalc.compute("a + b + c + d + g + f", a=1, b=2, c=3, d=4, g=5, f=6)
    screens = screens_of(render_result(result, max_rows=3))
    assert_fits(screens)
    for text in screens.values():
        assert "rows not shown between the first 1 and the last 2 (--max-rows 0 shows all)" in \
            " ".join(text.split())


def test_column_widths_never_go_below_a_word_or_a_number():
    from gradcalc.render.fit import Fit, table_overhead
    from gradcalc.render.rows import Table

    table = Table("t", ("name", "formula", "value"),
                  [("a_rather_long_name", "one two three four five six", "123.456"),
                   ("b", "seven", "-7")])
    fit = Fit(table)
    assert fit.plan(table.columns, 200) == [18, 27, 7]        # as wide as their widest cells
    widths = fit.plan(table.columns, 18 + 7 + 7 + table_overhead(3))
    assert widths == [18, 7, 7]               # the formula wraps between words, as narrow as its header
    assert fit.plan(table.columns, 18 + 7 + 7 + table_overhead(3) - 1) is None   # → stacked
    assert fit.layout(30) == (None, None)


def test_arrays_whole_within_the_width():
    from gradcalc.render.fit import Fit
    from gradcalc.render.rows import Cell, Table

    def table(value):
        return Fit(Table("t", ("node", "computes", "value"), [("x", "input", Cell(value))]))

    matrix, vector = np.arange(12.0).reshape(3, 4) / 7, np.arange(12.0) / 7
    for fit in (table(matrix), table(vector)):
        assert_fits({40: draw(fit, 40), WIDE: draw(fit, WIDE)})
    # A matrix keeps its rows whole, under its label in a block; a vector wraps within its column.
    assert "value:\n" in draw(table(matrix), 40) and draw(table(matrix), 40).count("[") == 4
    assert "value:" not in draw(table(vector), 40) and draw(table(vector), 40).count("[") == 1


def test_tables_that_summarise_an_array_say_how_to_see_every_element():
    from gradcalc.render.plain import render_plain

    result = gradcalc.compute("z = sum(X*X)", X=np.ones((10, 20)).tolist())
    assert "--json and -q give every element" in render_plain(result)
    assert "every element" not in render_plain(gradcalc.compute("z = sum(X*X)", X=np.ones((2, 3)).tolist()))


def test_a_tree_deeper_than_the_terminal_is_wide_is_listed_without_its_guides():
    from gradcalc.render.tree import render_tree_rich

    text = "x"
    for _ in range(14):
        text = f"sin({text})*1.5"
    screens = screens_of(render_tree_rich(gradcalc.compute(text, x=0.7)))
    assert_fits(screens)
    assert "└──" in screens[WIDE] and "└──" not in screens[40] and "without the guides" in screens[40]


@pytest.mark.parametrize("option", ["--hessian", "--mode=forward"])
def test_many_columns_of_numbers_go_in_groups(option, on_a_terminal):
    args = ["sum(x*x*x) * y + exp(y*w)", "--x", "[1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8]",
            "--y", "0.3", "--w", "1.7", option]
    screens = {w: CliRunner().invoke(main, args, env={"COLUMNS": str(w)}).stdout for w in WIDTHS + (WIDE,)}
    assert_fits(screens)
    if option == "--hessian":   # at 80 columns: x[0] … x[7], then y and w, each group with the row names
        hessian = screens[80].split("Hessian of z")[1]
        assert hessian.count("x[7]") == 3 and "x[0]:" not in hessian   # tables, not blocks


def test_the_readme_says_truly_how_the_backward_pass_gives_way_at_120_80_60_and_40_columns():
    # README, "On a terminal of any width": full headers at 120, short ones and a legend at 80 and 60,
    # blocks at 40 (it said blocks at 60, where the table stays).
    assert "takes the short ones with their legend at 80 and\n60, and becomes blocks at 40" in \
        (ROOT / "README.md").read_text(encoding="utf-8")
    at = {columns: ANSI.sub("", run_in_a_terminal(columns)).split("Backward pass")[1]
          for columns in (120, 80, 60, 40)}
    assert "upstream × local" in at[120].split("\n\n")[1] and "∂n/∂i" not in at[120]   # full headers
    for columns in (80, 60):
        assert "∂n/∂i: the local derivative" in " ".join(at[columns].split()) and "─────" in at[columns]
    assert "    upstream × local: 1.1" in at[40] and "─────" not in at[40]
