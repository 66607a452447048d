"""The computational graph: nodes kept in creation order, which is a topological order."""

from __future__ import annotations

import gc

from .errors import Span
from .limits import DEFAULT, Limits, exceeded

# Plain classes with __slots__, not dataclasses: `dataclasses` imports `inspect` (ast, dis, tokenize),
# about 15 ms of a plain question's start-up, and a parse makes one Node per node.


class Node:
    """One operation, input or constant of a program; replaced, never changed, once in a Graph."""

    # The span's two ends are slots of their own: a tuple per node was a fifth of a big graph's memory.
    __slots__ = ("id", "op", "inputs", "name", "start", "end")

    def __init__(self, id: int, op: str | None, inputs: tuple[int, ...], name: str | None, span: Span):
        self.id = id                # its place in Graph.nodes
        self.op = op                # key into OPS; None for variables and constants
        self.inputs = inputs        # ids of the nodes this one reads
        self.name = name            # "x", "t" — or None for an unnamed intermediate
        self.start, self.end = span

    @property
    def span(self) -> Span:
        """Where it stands in the source text: (start, end) offsets."""
        return (self.start, self.end)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Node:
            return NotImplemented
        return (self.id, self.op, self.inputs, self.name, self.span) == \
            (other.id, other.op, other.inputs, other.name, other.span)

    def __hash__(self) -> int:
        return hash((self.id, self.op, self.inputs, self.name, self.span))

    def __repr__(self) -> str:
        return f"Node({self.id}, {self.op!r}, {self.inputs}, {self.name!r}, {self.span})"


class Graph:
    """A program as nodes. An op is created after its inputs, so `nodes` is topologically sorted."""

    __slots__ = ("text", "nodes", "variables", "constants", "defaults", "output", "limits", "versions",
                 "notes")

    def __init__(self, text: str, nodes: list[Node] | None = None, variables: dict[str, int] | None = None,
                 constants: dict | None = None, defaults: dict | None = None, output: int = -1,
                 limits: Limits = DEFAULT, versions: dict[int, int] | None = None,
                 notes: list[str] | None = None):
        self.text = text
        self.nodes = [] if nodes is None else nodes
        self.variables = {} if variables is None else variables     # input name → node id, first use first
        self.constants = {} if constants is None else constants     # node id → value of a literal
        self.defaults = {} if defaults is None else defaults        # `apple = 100`: an input with a value
        self.output = output
        self.limits = limits                                         # checked as nodes are added
        # A name assigned again (`c = c + 1`) names a new node: node id → its version, 2 for the second.
        self.versions = {} if versions is None else versions
        self.notes = [] if notes is None else notes                 # what the trace should say about names

    def copy(self) -> Graph:
        """A copy whose node list and tables can grow (derivative nodes) without changing this graph."""
        return Graph(self.text, list(self.nodes), dict(self.variables), dict(self.constants),
                     dict(self.defaults), self.output, self.limits, dict(self.versions), list(self.notes))

    def add(self, op: str | None, inputs: tuple[int, ...], span: Span, name: str | None = None) -> int:
        node_id = len(self.nodes)
        if node_id >= self.limits.nodes:
            raise exceeded("nodes", node_id + 1, "the program", self.limits, span, self.text)
        self.nodes.append(Node(node_id, op, inputs, name, span))
        return node_id

    def rename(self, node_id: int, name: str) -> None:
        node = self.nodes[node_id]
        self.nodes[node_id] = Node(node.id, node.op, node.inputs, name, (node.start, node.end))

    def node_of(self, name: str) -> int | None:
        """The node a name means: an input, else the last node assigned that name (a named
        intermediate, `t = x + y`); None if the program has neither."""
        node = self.variables.get(name)
        if node is not None:
            return node
        return next((node.id for node in reversed(self.nodes) if node.name == name), None)

    def intermediates(self) -> list[str]:
        """The names of assigned (computed) values, in order of assignment."""
        return list(dict.fromkeys(node.name for node in self.nodes
                                  if node.name is not None and node.name not in self.variables))

    @property
    def output_name(self) -> str:
        """The output's own name, or the first of z, f, out that is not an input."""
        name = self.nodes[self.output].name
        if name is not None:
            return name
        return next(n for n in ("z", "f", "out", "output_") if n not in self.variables)

    def labels(self) -> list[str]:
        """A short label per node: its name, its source text for a literal, else n1, n2, … in creation order."""
        labels, count = [], 0
        taken = {node.name for node in self.nodes if node.name}
        for node in self.nodes:
            if node.id == self.output and node.name is None:
                labels.append(self.output_name)
            elif node.name is not None:
                version = self.versions.get(node.id)
                labels.append(node.name if version is None else version_label(node.name, version))
            elif node.id in self.constants:
                written = self.text[node.span[0]:node.span[1]].strip().translate(_SUPERSCRIPTS)
                # a number a pasted library call implies (square is **2) is not in the text: its value
                labels.append(written or _number_label(self.constants[node.id]))
            else:
                count += 1
                while f"n{count}" in taken:
                    count += 1
                labels.append(f"n{count}")
        return labels


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")   # x² is x^2: its exponent's label is 2


def _number_label(value) -> str:
    return f"{value:g}" if isinstance(value, float) else "const"


def version_label(name: str, version: int) -> str:
    """c₂ for the second value assigned to c, c₃ for the third (the first is plain c)."""
    return name + str(version).translate(_SUBSCRIPTS)


class gc_paused:
    """Parsing and the passes make many long-lived objects and no reference cycles; the cyclic garbage
    collector would scan them over and over as they pile up (a 10⁵-term sum ran ~1.5× slower).
    `with gc_paused():` turns it off for the block (a class: contextlib is an import a question can skip)."""

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.was_enabled:
            gc.enable()
