"""The computational graph: nodes kept in creation order, which is a topological order."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .errors import Span
from .limits import DEFAULT, Limits, exceeded


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    op: str | None              # key into OPS; None for variables and constants
    inputs: tuple[int, ...]     # ids of the nodes this one reads
    name: str | None            # "x", "t" — or None for an unnamed intermediate
    span: Span                  # where it stands in the source text


@dataclass
class Graph:
    """A program as nodes. An op is created after its inputs, so `nodes` is topologically sorted."""

    text: str
    nodes: list[Node] = field(default_factory=list)
    variables: dict[str, int] = field(default_factory=dict)   # input name → node id, first use first
    constants: dict[int, Any] = field(default_factory=dict)   # node id → value of a literal
    defaults: dict[str, Any] = field(default_factory=dict)    # `apple = 100`: an input with a value
    output: int = -1
    limits: Limits = DEFAULT                                  # checked as nodes are added
    # A name assigned again (`c = c + 1`) names a new node: node id → its version, 2 for the second.
    versions: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)            # what the trace should say about names

    def add(self, op: str | None, inputs: tuple[int, ...], span: Span, name: str | None = None) -> int:
        node_id = len(self.nodes)
        if node_id >= self.limits.nodes:
            raise exceeded("nodes", node_id + 1, "the program", self.limits, span, self.text)
        self.nodes.append(Node(node_id, op, inputs, name, span))
        return node_id

    def rename(self, node_id: int, name: str) -> None:
        node = self.nodes[node_id]
        self.nodes[node_id] = Node(node.id, node.op, node.inputs, name, node.span)

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
                labels.append(self.text[node.span[0]:node.span[1]].strip())
            else:
                count += 1
                while f"n{count}" in taken:
                    count += 1
                labels.append(f"n{count}")
        return labels


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def version_label(name: str, version: int) -> str:
    """c₂ for the second value assigned to c, c₃ for the third (the first is plain c)."""
    return name + str(version).translate(_SUBSCRIPTS)


@contextmanager
def gc_paused():
    """Parsing and the passes make many long-lived objects and no reference cycles; the cyclic garbage
    collector would scan them over and over as they pile up (a 10⁵-term sum ran ~1.5× slower)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
