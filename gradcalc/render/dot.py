"""--dot and --render: the graph as Graphviz draws it, forward values above the arrows, gradients below.

Each connection is two arrows, as in the textbook figure: a black one carrying the forward value to the
right, and a red one under it carrying the gradient back to the left. `render_dot` is pure text;
`render_file` runs Graphviz's `dot` program on it.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess

from ..errors import GradcalcError
from ..numbers import DEFAULT_PRECISION
from .picture import OUTPUT, Picture, build_picture

FORMATS = ("svg", "png", "pdf")
GRAD_COLOUR = "#cc0000"
# `dot` slows down sharply with many arrows when inputs are shared (bench/pictures.py: 164 arrows 2.3 s,
# 249 arrows 25 s, 329 over 2 min); a picture that big is unreadable anyway, and --dot still prints it.
MAX_RENDER_ARROWS = 150
RENDER_SECONDS = 30

_HEADER = """\
digraph gradcalc {{
  rankdir=LR; ordering=in; nodesep=0.3; ranksep=0.8;
  node [fontname="Helvetica", fontsize=14];
  edge [fontname="Helvetica", fontsize=12, arrowsize=0.7];
  label=<{legend}>; labelloc=b; fontname="Helvetica"; fontsize=10;
"""


def _html(text: str) -> str:
    return html.escape(text, quote=True)


def _quoted(lines: list[str]) -> str:
    # A DOT string: backslash and quote escaped, lines joined by Graphviz's centred line break.
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\n".join(escaped) + '"'


def _box(box) -> str:
    node_id = "out" if box.id == OUTPUT else f"n{box.id}"
    main = _html(box.symbol)
    below = []
    if box.name:
        below.append(f'<FONT POINT-SIZE="10" COLOR="gray35">{_html(box.name)}</FONT>')
    if box.total:
        below.append(f'<FONT POINT-SIZE="10" COLOR="{GRAD_COLOUR}">{_html(box.total)}</FONT>')
    label = "<" + "<BR/>".join([main] + below) + ">"
    if box.kind == "op":
        shape = 'shape=circle, margin=0.04' if not below else 'shape=ellipse, margin="0.04,0.02"'
        return f"  {node_id} [{shape}, label={label}];"
    if box.kind == "constant":
        return f'  {node_id} [shape=plaintext, fontcolor="gray35", label={label}];'
    style = ', fontname="Helvetica-Bold"' if box.kind == "output" else ""
    return f"  {node_id} [shape=plaintext{style}, label={label}];"


def render_dot(result, precision: int = DEFAULT_PRECISION) -> str:
    return _dot_text(build_picture(result, precision))


def _dot_text(picture: Picture) -> str:
    out = _html(picture.output)
    legend = (f"forward values above the black arrows; "
              f'<FONT COLOR="{GRAD_COLOUR}">gradients ∂{out}/∂… below, flowing back</FONT>')
    lines = [_HEADER.format(legend=legend).rstrip("\n")]
    lines += [_box(box) for box in picture.boxes]
    for arrow in picture.arrows:
        tail = f"n{arrow.tail}"
        head = "out" if arrow.head == OUTPUT else f"n{arrow.head}"
        lines.append(f"  {tail} -> {head} [label={_quoted(arrow.value)}];")
        if arrow.grad is not None:
            # Drawn as tail -> head (so the layout stays left to right) with the arrowhead at the tail.
            lines.append(f'  {tail} -> {head} [dir=back, color="{GRAD_COLOUR}", '
                         f'fontcolor="{GRAD_COLOUR}", label={_quoted(arrow.grad)}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_file(result, path: str, precision: int = DEFAULT_PRECISION) -> None:
    """Draw the graph into `path` with Graphviz's `dot`; the format comes from the file's extension."""
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    if extension not in FORMATS:
        raise GradcalcError(f"cannot render {path!r}: the file name must end in .svg, .png or .pdf")
    program = shutil.which("dot")
    if program is None:
        raise GradcalcError("--render needs Graphviz's dot program, which is not installed",
                            hint="install Graphviz (apt-get install graphviz, brew install graphviz, or "
                                 "https://graphviz.org/download); --dot prints the graph without it")
    picture = build_picture(result, precision)
    if len(picture.arrows) > MAX_RENDER_ARROWS:
        raise GradcalcError(f"the graph has {len(picture.arrows)} arrows; --render draws at most "
                            f"{MAX_RENDER_ARROWS}, as dot becomes very slow beyond that",
                            hint="print it with --dot and draw it yourself: … --dot | dot -Tsvg -o graph.svg")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise GradcalcError(f"cannot write {path!r}: the folder {folder} does not exist")
    # Attached to -o, so that a name starting with a dash (-a.svg) is the file and not another option.
    command = [program, f"-T{extension}", f"-o{path}"] + (["-Gdpi=144"] if extension == "png" else [])
    try:
        done = subprocess.run(command, input=_dot_text(picture).encode("utf-8"), capture_output=True,
                              timeout=RENDER_SECONDS)
    except subprocess.TimeoutExpired:
        raise GradcalcError(f"dot did not finish drawing {path!r} in {RENDER_SECONDS} s",
                            hint="print the graph with --dot and draw it yourself") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise GradcalcError(f"dot could not draw {path!r}: {reason[0]}")
