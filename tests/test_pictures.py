"""Pictures of the graph: DOT that Graphviz accepts, rendered files, Mermaid, and the tree on a terminal."""

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from gradcalc import compute
from gradcalc.cli import main
from gradcalc.render.dot import _dot_text, render_dot
from gradcalc.render.mermaid import _mermaid_text, render_mermaid
from gradcalc.render.tree import MAX_DEPTH, render_tree_plain
from gradcalc.render.picture import Arrow, Box, Picture
from helpers import APPLE_ORANGE, APPLE_ORANGE_VALUES, GOLDEN

APPLE_ORANGE_NUMBERS = {"apple": 100, "apple_num": 2, "orange": 150, "orange_num": 3, "tax": 1.1}
PROGRAMS = [(program, values) for program, values, *_ in GOLDEN] + [
    ("sin(x)*exp(-x) - 2**x/3 + sqrt(2)", {"x": 0.5}),
    ("W*x + b", {"W": [[1, 2], [3, 4]], "x": [1, 1], "b": 0.5}),
    ("x*(2*3)", {"x": 1}),
    ("3", {}),
    ("t = x; z = t", {"x": 2}),
]


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def graphviz_accepts(dot_text: str) -> str:
    """The SVG Graphviz draws from `dot_text`; fails the test if dot rejects it or warns."""
    done = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0 and not done.stderr, done.stderr.decode()
    return done.stdout.decode()


def boxes_and_arrows(dot_text: str):
    """The DOT read back: box id → first line of its label; arrows as (tail, head, label, backwards)."""
    boxes = {node: label for node, label in re.findall(r"^  (\w+) \[shape=.*label=<(.*?)(?:<BR/>.*)?>\];$",
                                                       dot_text, re.M)}
    arrows = [(boxes[t], boxes[h], label, "dir=back" in attrs)
              for t, h, attrs, label in re.findall(r'^  (\w+) -> (\w+) \[(.*?)label="(.*?)"\];$',
                                                   dot_text, re.M)]
    return boxes, arrows


@pytest.mark.parametrize("program, values", PROGRAMS, ids=[p for p, _ in PROGRAMS])
def test_graphviz_accepts_the_dot(program, values):
    text = render_dot(compute(program, values))
    svg = graphviz_accepts(text)
    assert "<svg" in svg
    assert text == render_dot(compute(program, values))  # pure: the same result gives the same text


def test_apple_orange_dot_has_every_node_value_and_gradient():
    boxes, arrows = boxes_and_arrows(render_dot(compute(APPLE_ORANGE, APPLE_ORANGE_NUMBERS)))
    assert sorted(boxes.values()) == sorted(["apple", "apple_num", "orange", "orange_num", "tax",
                                             "×", "×", "+", "×", "price"])
    forward = {(t, h, label) for t, h, label, back in arrows if not back}
    backward = {(t, h, label) for t, h, label, back in arrows if back}
    assert {(t, label) for t, h, label in forward} == {
        ("apple", "100"), ("apple_num", "2"), ("orange", "150"), ("orange_num", "3"), ("tax", "1.1"),
        ("×", "200"), ("×", "450"), ("+", "650"), ("×", "715")}
    assert {(t, label) for t, h, label in backward} == {
        ("apple", "2.2"), ("apple_num", "110"), ("orange", "3.3"), ("orange_num", "165"), ("tax", "650"),
        ("×", "1.1"), ("+", "1.1"), ("×", "1")}
    assert ("×", "price", "715") in forward and ("×", "price", "1") in backward


def test_named_intermediates_are_drawn_under_their_symbol():
    text = render_dot(compute(APPLE_ORANGE, APPLE_ORANGE_NUMBERS))
    for name in ("apple_price", "orange_price", "all_price"):
        assert re.search(rf'label=<[×+]<BR/><FONT [^>]*>{name}</FONT>>', text)
    assert "rankdir=LR" in text


def test_gradients_flow_back_in_another_colour():
    text = render_dot(compute("x*y", x=2, y=3))
    assert 'n0 -> n2 [label="2"];' in text
    assert 'n0 -> n2 [dir=back, color="#cc0000", fontcolor="#cc0000", label="3"];' in text


def test_literals_fold_into_their_operation():
    boxes, arrows = boxes_and_arrows(render_dot(compute("1.2*x**2 - 1/x", x=2)))
    assert sorted(boxes.values()) == ["1.2×", "1÷", "^2", "x", "z", "−"]


def test_shared_node_is_drawn_once_with_its_fan_out():
    text = render_dot(compute("x*x", x=3))
    boxes, arrows = boxes_and_arrows(text)
    assert list(boxes.values()).count("x") == 1
    assert [(t, label, back) for t, h, label, back in arrows if t == "x"] == [
        ("x", "3", False), ("x", "3", True), ("x", "3", False), ("x", "3", True)]
    assert "∂z/∂x = 6" in text  # the total on the shared box: both arrows' 3s summed


def test_no_gradient_arrow_where_no_gradient_flows():
    boxes, arrows = boxes_and_arrows(render_dot(compute("x*(2*3)", x=1)))
    assert [(t, h, label) for t, h, label, back in arrows if back] == [("x", "×", "6"), ("×", "z", "1")]


def test_arrays_show_shape_and_small_values():
    text = render_dot(compute("W*x", W=[[1, 2], [3, 4]], x=[1, 1]))
    assert 'label="(2,2)\\n[[1, 2],\\n[3, 4]]"' in text
    assert 'label="(2,)\\n[4, 6]"' in text
    big = render_dot(compute("big*2", big=[[1.0] * 10] * 10))
    assert 'label="(10,10)"' in big


def test_labels_are_escaped():
    tricky = 'a"b\\c<d>&'
    picture = Picture(tricky, [Box(0, "input", tricky, None, None), Box(1, "op", "×", tricky, tricky)],
                      [Arrow(0, 1, [tricky, "2"], [tricky])])
    svg = graphviz_accepts(_dot_text(picture))
    assert svg.count("a&quot;b\\c&lt;d&gt;&amp;") >= 4


def test_render_svg_of_apple_orange(tmp_path):
    target = tmp_path / "apple_orange.svg"
    result = run(APPLE_ORANGE, *APPLE_ORANGE_VALUES, "--render", str(target), "-q")
    assert result.exit_code == 0, result.output
    svg = target.read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for number in ("715", "2.2", "110", "3.3", "165", "650"):
        assert number in texts


@pytest.mark.parametrize("extension, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_render_png_and_pdf(tmp_path, extension, magic):
    target = tmp_path / f"graph.{extension}"
    assert run("x*y", "--x", "2", "--y", "3", "--render", str(target), "-q").exit_code == 0
    assert target.read_bytes().startswith(magic)


def test_render_unknown_extension_is_bad_input(tmp_path):
    result = run("x*y", "--x", "2", "--y", "3", "--render", str(tmp_path / "graph.jpg"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "must end in .svg, .png or .pdf" in result.stderr


def test_render_into_missing_folder_is_bad_input(tmp_path):
    result = run("x*y", "--x", "2", "--y", "3", "--render", str(tmp_path / "no" / "graph.svg"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "does not exist" in result.stderr


def test_render_without_graphviz_gives_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))   # an empty folder: no dot program anywhere
    assert shutil.which("dot") is None
    result = run("x*y", "--x", "2", "--y", "3", "--render", str(tmp_path / "graph.svg"))
    assert result.exit_code == 2 and result.stdout == ""
    hint = [line for line in result.stderr.splitlines() if line.startswith("hint:")]
    assert len(hint) == 1 and "install Graphviz" in hint[0] and "--dot" in hint[0]
    dot_only = run("x*y", "--x", "2", "--y", "3", "--dot")
    assert dot_only.exit_code == 0 and dot_only.stdout.startswith("digraph")


def test_render_refuses_a_picture_too_big_for_dot(tmp_path):
    program = "+".join(f"x*{i}" for i in range(200))
    result = run(program, "--x", "1", "--render", str(tmp_path / "graph.svg"))
    assert result.exit_code == 2 and "--dot" in result.stderr
    assert not (tmp_path / "graph.svg").exists()


# Mermaid -------------------------------------------------------------------------------------------

def mermaid_parts(text: str):
    """Mermaid read back: node id → label, and arrows as (tail, head, label)."""
    nodes = dict(re.findall(r'^  (\w+)(?:\[|\(\(|\()"(.*?)"(?:\]|\)\)|\))$', text, re.M))
    arrows = re.findall(r'^  (\w+) -->\|"(.*?)"\| (\w+)$', text, re.M)
    return nodes, [(nodes[t], nodes[h], label) for t, label, h in arrows]


def test_mermaid_apple_orange():
    text = render_mermaid(compute(APPLE_ORANGE, APPLE_ORANGE_NUMBERS))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, arrows = mermaid_parts(text)
    assert len(nodes) == 10 and len(arrows) == 9
    assert len([line for line in lines if line.startswith("  n") or line.startswith("  out")]) == 19
    red = "<font color=firebrick>∂ {}</font>"
    assert ("apple", "×<br>apple_price", "100<br>" + red.format("2.2")) in arrows
    assert ("tax", "×", "1.1<br>" + red.format("650")) in arrows
    assert ("×", "price", "715<br>" + red.format("1")) in arrows
    assert "  n8((\"×\"))" in lines            # an unnamed op is a circle
    assert "  class n0,n1,n3,n4,n7 input" in lines
    assert text == render_mermaid(compute(APPLE_ORANGE, APPLE_ORANGE_NUMBERS))


def test_mermaid_escapes_what_would_break_a_label():
    tricky = 'a"b<c>&#1;|`'
    picture = Picture(tricky, [Box(0, "input", tricky, None, None), Box(1, "op", "×", tricky, tricky)],
                      [Arrow(0, 1, [tricky], [tricky])])
    text = _mermaid_text(picture)
    escaped = "a#quot;b#lt;c#gt;#amp;#35;1;#124;#96;"
    assert text.count(escaped) == 6   # comment, input, op name and total, arrow value and gradient
    for line in text.splitlines()[2:]:
        quoted = re.findall(r'"(.*)"', line)
        assert all('"' not in q and "|" not in q for q in quoted)


def test_mermaid_shows_shared_node_total_and_arrays():
    nodes, arrows = mermaid_parts(render_mermaid(compute("x*x", x=3)))
    assert nodes["n0"] == "x<br><font color=firebrick>∂z/∂x = 6</font>"
    nodes, arrows = mermaid_parts(render_mermaid(compute("W*x", W=[[1, 2], [3, 4]], x=[1, 1])))
    assert any(label.startswith("(2,2)<br>[[1, 2],<br>[3, 4]]<br>") for _, _, label in arrows)


# Tree ----------------------------------------------------------------------------------------------

def test_tree_of_apple_orange():
    result = run(APPLE_ORANGE, *APPLE_ORANGE_VALUES, "--tree")
    assert result.exit_code == 0, result.output
    assert result.stdout == """\
price = all_price × tax = 715   ∂price/∂price = 1
├── all_price = apple_price + orange_price = 650   ∂price/∂all_price = 1.1
│   ├── apple_price = apple × apple_num = 200   ∂price/∂apple_price = 1.1
│   │   ├── apple = 100   ∂price/∂apple = 2.2
│   │   └── apple_num = 2   ∂price/∂apple_num = 110
│   └── orange_price = orange × orange_num = 450   ∂price/∂orange_price = 1.1
│       ├── orange = 150   ∂price/∂orange = 3.3
│       └── orange_num = 3   ∂price/∂orange_num = 165
└── tax = 1.1   ∂price/∂tax = 650
"""


def test_tree_draws_a_shared_node_once():
    text = render_tree_plain(compute("a = x*y; z = a*a + a*2", x=2, y=3))
    assert text.count("a = x × y = 6   ∂z/∂a = 14") == 1
    assert text.count("a ↑ shown above") == 2
    assert "└── 2  constant" in text


def test_tree_on_a_terminal_is_rich(on_a_terminal):
    result = run("x*y", "--x", "2", "--y", "3", "--tree")
    assert result.exit_code == 0
    assert "∂z/∂x = 3" in result.stdout and "└── " in result.stdout


def test_huge_trees_are_cut_with_a_note():
    deep = render_tree_plain(compute("+".join(["x"] * 3000), x=1), max_nodes=0)
    assert deep.endswith(f"note: 2899 of 3000 nodes not shown (levels deeper than {MAX_DEPTH} are cut)\n")
    assert max(len(line) for line in deep.splitlines()) < 4 * MAX_DEPTH + 80
    wide = render_tree_plain(compute("+".join(f"x{i}" for i in range(30)), {f"x{i}": i for i in range(30)}),
                             max_nodes=10)
    assert len(wide.splitlines()) == 11
    assert wide.endswith("note: 49 of 59 nodes not shown (use --max-rows 0 to show all)\n")


@pytest.mark.parametrize("program", ["+".join(["x"] * 3000), "sin(" * 3000 + "x" + ")" * 3000,
                                     "\n".join(["a0 = x"] + [f"a{i} = tanh(a{i - 1})*x" for i in range(1, 3000)])])
@pytest.mark.parametrize("terminal", [None, "40", "2000"])
def test_a_deep_tree_has_no_trailing_spaces(monkeypatch, program, terminal):
    # 3 000 levels: cut at MAX_DEPTH, guides 4 columns a level; piped (plain) or on a terminal of any
    # width (rich, or its flat list when the tree is deeper than the terminal is wide), no line is padded.
    if terminal is not None:
        from gradcalc.cli import output

        monkeypatch.setattr(output, "use_rich", lambda plain: not plain)
        monkeypatch.setenv("COLUMNS", terminal)
    result = run(program, "--x", "0.5", "--tree", "--max-rows", "0")
    assert result.exit_code == 0, result.output
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout).splitlines()
    assert len(lines) > MAX_DEPTH
    assert [line for line in lines if line != line.rstrip()] == []


def test_only_one_whole_output_form():
    result = run("x*y", "--x", "2", "--y", "3", "--tree", "--dot")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--dot and --tree" in result.stderr


def test_readme_mermaid_block_is_the_tools_output():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", readme, re.S).group(1)
    assert block == render_mermaid(compute("x*y", x=2, y=3))


def test_a_lone_output_shows_its_numbers_on_its_box():
    assert "label=<x = 2<BR/>" in render_dot(compute("x", x=2))
    assert '["z = 3<br><font color=firebrick>∂z/∂z = 1</font>"]' in render_mermaid(compute("3"))


def test_gradients_of_a_loss_given_by_upstream_are_named_L():
    text = render_dot(compute("x*y", x=2, y=3, upstream=10))
    assert "gradients ∂L/∂… below" in text and 'label="30"' in text and 'label="20"' in text
    assert "├── x = 2   ∂L/∂x = 30" in render_tree_plain(compute("x*y", x=2, y=3, upstream=10))


def test_readme_picture_command_runs(tmp_path):
    from pathlib import Path
    import shlex

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = next(block for block in re.findall(r"```bash\n(.*?)```", readme, re.S)
                   if "--render docs/apple_orange.png" in block)
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "gradcalc" and (root / "docs" / "apple_orange.png").read_bytes()[:4] == b"\x89PNG"
    target = tmp_path / "apple_orange.png"
    result = run(*[str(target) if a == "docs/apple_orange.png" else a for a in args[1:]])
    assert result.exit_code == 0 and result.stdout.split() == ["715", "2.2", "110", "3.3", "165", "650"]
    assert target.read_bytes()[:4] == b"\x89PNG"
