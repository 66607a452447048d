"""Pictures of the graph: --dot, --mermaid and --tree on stdout, --render into a file."""

from __future__ import annotations

import click

from ..errors import GradcalcError
from .command import option_group
from .output import Output, emit, rich_text, say_notes

options = option_group(
    click.option("--dot", "as_dot", is_flag=True,
                 help="Print the graph as Graphviz DOT: values above the arrows, gradients below."),
    click.option("--render", "picture", metavar="FILE",
                 help="Draw the graph into FILE (.svg, .png or .pdf) with Graphviz's dot program."),
    click.option("--mermaid", is_flag=True,
                 help="Print the graph as a Mermaid flowchart (GitHub and most note tools draw it)."),
    click.option("--tree", is_flag=True,
                 help="Print the graph as a tree: the output at the root, each node with value and "
                      "gradient."),
)


def given(p: dict) -> list[str]:
    return [option for option, wanted in (("--dot", p["as_dot"]), ("--render", p["picture"] is not None),
                                          ("--mermaid", p["mermaid"]), ("--tree", p["tree"])) if wanted]


def on_stdout(p: dict) -> list[str]:
    """The pictures that are the whole output: at most one of them."""
    return [option for option in given(p) if option != "--render"]


def run(result, p: dict, out: Output) -> bool:
    """Draw what was asked for; True if a picture was the output (nothing else is to be shown)."""
    if p["picture"] is not None:   # --render "" was once ignored, with exit 0
        from ..render.dot import render_file

        render_file(result, p["picture"], out.precision)
    drawn = on_stdout(p)
    if not drawn:
        return False
    if out.as_json:
        drawn = ["--json", *drawn]
    if len(drawn) > 1:
        raise GradcalcError(f"{' and '.join(drawn)} each print the whole output; give one of them")
    say_notes(result)   # a picture has no room for how the text was read
    if p["as_dot"]:
        from ..render.dot import render_dot

        emit(render_dot(result, out.precision))
    elif p["mermaid"]:
        from ..render.mermaid import render_mermaid

        emit(render_mermaid(result, out.precision))
    elif out.rich:
        from ..render.tree import render_tree_rich

        emit(rich_text(render_tree_rich(result, out.precision, out.max_rows)))
    else:
        from ..render.tree import render_tree_plain

        emit(render_tree_plain(result, out.precision, out.max_rows))
    return True
