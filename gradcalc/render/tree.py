"""--tree: the graph as a tree on the terminal, the output at the root and the inputs as leaves.

Each node shows what it computes, its value and its gradient. A node used more than once is drawn the
first time it is met and referred to (`↑`) where it recurs. Built with an explicit stack, since graphs
can be 10⁵ nodes deep; deep and large trees are cut, with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..numbers import DEFAULT_PRECISION
from .picture import inline
from .rows import definition, differentiated

MAX_DEPTH = 100   # deeper levels are cut: each level indents by 4 columns


@dataclass(frozen=True)
class Line:
    depth: int
    last: bool                           # the last child of its parent (drawn └── rather than ├──)
    parts: tuple[tuple[str, str], ...]   # (text, style): the style names a role, e.g. "grad"


def tree_lines(result, precision: int = DEFAULT_PRECISION, max_nodes: int = 200) -> tuple[list[Line], str | None]:
    """The tree's lines in order (pre-order, inputs in argument order), and a note if it was cut."""
    graph, labels, values, grads = result.graph, result.labels, result.values, result.grads
    out = differentiated(result)
    reachable = [False] * len(graph.nodes)
    reachable[graph.output] = True
    for node in reversed(graph.nodes):          # creation order is topological
        if reachable[node.id]:
            for i in node.inputs:
                reachable[i] = True
    total = sum(reachable)

    lines: list[Line] = []
    shown = [False] * len(graph.nodes)
    count, cut_deep = 0, False
    stack = [(graph.output, 0, True)]
    while stack:
        node_id, depth, last = stack.pop()
        label = labels[node_id]
        if shown[node_id]:
            lines.append(Line(depth, last, ((label, "name"), (" ↑ shown above", "dim"))))
            continue
        if max_nodes and count >= max_nodes:
            break
        if depth >= MAX_DEPTH:
            cut_deep = True
            lines.append(Line(depth, last, (("…", "dim"),)))
            continue
        shown[node_id] = True
        count += 1
        node = graph.nodes[node_id]
        parts = [(label, "name")]
        if node.op is not None:
            parts.append((f" = {definition(result, node_id)}", ""))
        parts.append((f" = {inline(values[node_id], precision)}", "value"))
        if node_id in graph.constants and node.name is None:
            parts = [(label, "dim"), ("  constant", "dim")]
        elif grads[node_id] is not None:
            parts.append((f"   ∂{out}/∂{label} = {inline(grads[node_id], precision)}", "grad"))
        lines.append(Line(depth, last, tuple(parts)))
        for k in reversed(range(len(node.inputs))):   # pushed in reverse: the first input comes out first
            stack.append((node.inputs[k], depth + 1, k == len(node.inputs) - 1))
    note = None
    if count < total:
        note = f"{total - count} of {total} nodes not shown"
        note += f" (levels deeper than {MAX_DEPTH} are cut)" if cut_deep else " (use --max-rows 0 to show all)"
    return lines, note


def render_tree_plain(result, precision: int = DEFAULT_PRECISION, max_nodes: int = 200) -> str:
    lines, note = tree_lines(result, precision, max_nodes)
    out, more = [], []   # more[k]: the ancestor at depth k has later siblings, so its guide continues
    for line in lines:
        del more[line.depth:]
        prefix = "".join("│   " if m else "    " for m in more[1:])
        if line.depth:
            prefix += "└── " if line.last else "├── "
        more.append(not line.last)
        out.append(prefix + "".join(text for text, _ in line.parts))
    if note:
        out.append(f"note: {note}")
    return "\n".join(out) + "\n"


_STYLES = {"name": "bold", "value": "green", "grad": "red", "dim": "dim", "": ""}


def render_tree_rich(result, precision: int = DEFAULT_PRECISION, max_nodes: int = 200):
    """A rich Tree (with a note under it when cut), built level by level from the same lines; where
    the console is too narrow for its depth, the same lines in the same order without the guides."""
    from rich.text import Text
    from rich.tree import Tree

    lines, note = tree_lines(result, precision, max_nodes)
    texts = [Text.assemble(*[(text, _STYLES[style]) for text, style in line.parts]) for line in lines]
    root = Tree(texts[0], guide_style="dim")
    parents = [root]
    for line, text in zip(lines[1:], texts[1:]):
        del parents[line.depth:]
        parents.append(parents[-1].add(text))
    return _FittedTree(root, lines, texts, Text(f"note: {note}", style="dim") if note else None)


class _FittedTree:
    """The tree if each line fits beside its guides (4 columns a level) without breaking a word,
    else a flat list: every line still names the nodes it is computed from."""

    def __init__(self, tree, lines, texts, note):
        self.tree, self.lines, self.texts, self.note = tree, lines, texts, note

    def __rich_console__(self, console, options):
        from rich.text import Text

        from .fit import longest_word

        need = max(4 * line.depth + longest_word(text.plain) for line, text in zip(self.lines, self.texts))
        if need <= options.max_width:
            yield self.tree
        else:
            yield Text("(the tree is deeper than the terminal is wide: its nodes in the same order, "
                       "without the guides)", style="dim")
            yield from self.texts
        if self.note is not None:
            yield self.note
