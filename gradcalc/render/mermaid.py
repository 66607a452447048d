"""--mermaid: the graph as a Mermaid flowchart, which GitHub, GitLab and most note tools draw as it is.

The same picture as --dot. Mermaid cannot draw an arrow pointing back without turning the layout around,
so each arrow carries both numbers: the forward value, and under it the gradient, marked ∂ and in red.
"""

from __future__ import annotations

from ..numbers import DEFAULT_PRECISION
from .picture import OUTPUT, Picture, build_picture

# <font color>, not <span style>: Mermaid rewrites `style…#…;` on a line, which would eat the `;` of an
# escaped character after it. Mermaid's sanitizer keeps <font color> (checked with mermaid 11).
GRAD_COLOUR = "firebrick"

# Mermaid's own entity codes: these characters would end a quoted label or start markup.
_ESCAPES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "|": "#124;",
            "`": "#96;"}


def _text(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def _red(text: str) -> str:
    return f"<font color={GRAD_COLOUR}>{_text(text)}</font>"


def _node_id(box_id: int) -> str:
    return "out" if box_id == OUTPUT else f"n{box_id}"


def render_mermaid(result, precision: int = DEFAULT_PRECISION) -> str:
    return _mermaid_text(build_picture(result, precision))


def _mermaid_text(picture: Picture) -> str:
    lines = ["flowchart LR",
             f"  %% gradcalc: each arrow carries its forward value, then ∂{_text(picture.output)}/∂… "
             f"flowing back"]
    classes: dict[str, list[str]] = {"input": [], "constant": [], "output": []}
    for box in picture.boxes:
        parts = [_text(box.symbol)] + ([_text(box.name)] if box.name else [])
        parts += [_red(box.total)] if box.total else []
        label = "<br>".join(parts)
        if box.kind == "op":
            shape = ('(("', '"))') if len(parts) == 1 else ('("', '")')
            lines.append(f"  {_node_id(box.id)}{shape[0]}{label}{shape[1]}")
        else:
            lines.append(f'  {_node_id(box.id)}["{label}"]')
            classes[box.kind].append(_node_id(box.id))
    for arrow in picture.arrows:
        label = "<br>".join(_text(line) for line in arrow.value)
        if arrow.grad is not None:
            label += "<br>" + _red("∂ " + " ".join(arrow.grad))
        lines.append(f'  {_node_id(arrow.tail)} -->|"{label}"| {_node_id(arrow.head)}')
    lines += ["  classDef input fill:none,stroke:none",
              "  classDef constant fill:none,stroke:none,color:gray",
              "  classDef output fill:none,stroke:none,font-weight:bold"]
    lines += [f"  class {','.join(ids)} {kind}" for kind, ids in classes.items() if ids]
    return "\n".join(lines) + "\n"
