"""What every picture of the graph shows (DOT, Mermaid): boxes, arrows, and the numbers on them.

The textbook figure: inputs by name, operations by symbol, each arrow carrying the forward value and the
gradient flowing back along it. DOT and Mermaid only lay this out, so they never disagree on content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..numbers import DEFAULT_PRECISION, format_number, format_shape, format_value
from ..ops import OPS
from .rows import differentiated

SMALL_ARRAY = 9   # arrays up to this many elements show their values; larger ones only their shape


@dataclass(frozen=True)
class Box:
    id: int                  # the graph node's id
    kind: str                # "input", "op", "constant", "output" (the name the result is called by)
    symbol: str              # what is drawn large: a name, an op symbol with folded constants, a literal
    name: str | None         # a named intermediate's name, drawn small under its symbol
    total: str | None        # ∂out/∂node, shown on the box when several arrows leave it


@dataclass(frozen=True)
class Arrow:
    tail: int                # Box ids; the output arrow ends at the box with id OUTPUT
    head: int
    value: list[str]         # the forward value, one string per line
    grad: list[str] | None   # what flows back along this arrow; None when no gradient flows


@dataclass(frozen=True)
class Picture:
    output: str              # what the gradients are of, as in ∂price/∂apple
    boxes: list[Box]
    arrows: list[Arrow]


OUTPUT = -1


def value_lines(value, precision: int = DEFAULT_PRECISION) -> list[str]:
    """A scalar as one number; an array as its shape, then its values when it is small."""
    shape = np.shape(value)
    if shape == ():
        return [format_value(value, precision)]
    lines = [format_shape(shape)]
    if np.size(value) <= SMALL_ARRAY:
        lines += [_unpadded(line) for line in format_value(value, precision).split("\n")]
    return lines


def _unpadded(line: str) -> str:
    # Tables pad an array's elements to one width so columns line up; centred labels gain nothing from it.
    return re.sub(r"(?<=[\[,]) +", lambda m: " " if m.string[m.start() - 1] == "," else "", line.strip())


def inline(value, precision: int = DEFAULT_PRECISION) -> str:
    """A value on one line: `2.5`, `(2,2) [[1, 2], [3, 4]]`, or `(10,10) array` when it is large."""
    lines = value_lines(value, precision)
    if len(lines) == 1 and np.ndim(value):
        return f"{lines[0]} array"
    return " ".join(lines)


def folded(graph, node_id: int) -> bool:
    # A literal is drawn inside the operation that uses it (`^2`, `×1.2`): each literal has one consumer.
    return node_id in graph.constants and node_id != graph.output


def op_symbol(result, node) -> str:
    """The op's symbol with any literal operands written in place: `^2`, `1.2×`, `sqrt(2)`."""
    graph, labels = result.graph, result.labels
    symbol = OPS[node.op].symbol
    literal = [labels[i] if folded(graph, i) else None for i in node.inputs]
    if len(literal) == 1:
        return f"{symbol}({literal[0]})" if literal[0] is not None else symbol
    if symbol[:1].isalpha():      # a function: maximum(·, 1), clip(·, 0, 1)
        return f"{symbol}({', '.join(text or '·' for text in literal)})" if any(literal) else symbol
    if len(literal) == 2:
        return f"{literal[0] or ''}{symbol}{literal[1] or ''}"
    return symbol


def build_picture(result, precision: int = DEFAULT_PRECISION) -> Picture:
    graph, values, grads, labels = result.graph, result.values, result.grads, result.labels
    output = differentiated(result)   # the output's name, or L when --upstream gave ∂L/∂output
    seen: dict[float, list[str]] = {}

    def fmt(value) -> list[str]:
        if type(value) is not np.float64:
            return value_lines(value, precision)
        if value not in seen:   # big graphs repeat a few numbers (the 1s of a long sum) many times
            seen[value] = [format_number(value, precision)]
        return seen[value]

    flowing = {(step.node, step.k): step.flowing for step in result.steps}

    arrows: list[Arrow] = []
    for node in graph.nodes:
        for k, src in enumerate(node.inputs):
            if not folded(graph, src):
                grad = flowing.get((node.id, k))
                arrows.append(Arrow(src, node.id, fmt(values[src]), None if grad is None else fmt(grad)))
    out_node = graph.nodes[graph.output]
    if out_node.op is not None:   # the result leaves the last operation, as the textbook's arrow to "price"
        arrows.append(Arrow(out_node.id, OUTPUT, fmt(values[out_node.id]), fmt(grads[out_node.id])))

    leaving = [0] * len(graph.nodes)
    for arrow in arrows:
        leaving[arrow.tail] += arrow.grad is not None
    boxes: list[Box] = []
    for node in graph.nodes:
        if folded(graph, node.id):
            continue
        total = None
        alone = node.id == graph.output and node.op is None   # no arrow leaves it to carry its numbers
        if (leaving[node.id] > 1 or alone) and grads[node.id] is not None:
            total = f"∂{output}/∂{labels[node.id]} = {inline(grads[node.id], precision)}"
        if node.op is None:
            kind = "constant" if node.id in graph.constants else "input"
            symbol = labels[node.id] + (f" = {inline(values[node.id], precision)}" if alone else "")
            boxes.append(Box(node.id, kind, symbol, None, total))
        else:
            # the output arrow carries its name; a name assigned again is drawn as its version, c₂
            name = labels[node.id] if node.name is not None and node.id != graph.output else None
            boxes.append(Box(node.id, "op", op_symbol(result, node), name, total))
    if out_node.op is not None:
        boxes.append(Box(OUTPUT, "output", result.output_name, None, None))
    return Picture(output, boxes, arrows)
