"""What every table renderer shows, as rows of strings: the forward pass, the backward pass, the result.

Rich and plain text lay out the same rows, so the two can never disagree on content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..numbers import DEFAULT_PRECISION, format_value
from ..ops import OPS


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    omitted: int = 0          # rows left out to keep the table readable
    text_columns: int = 2     # the leading columns hold text; the rest hold numbers


@dataclass(frozen=True)
class Report:
    forward: Table
    backward: Table
    result: list[str]         # "z = 9", "∂z/∂x = 6", …
    notes: list[str]


def _shape(value) -> str:
    shape = np.shape(value)
    return "" if shape == () else "×".join(map(str, shape)) if len(shape) > 1 else f"({shape[0]},)"


def _cut(rows: list, max_rows: int) -> tuple[list, int]:
    if max_rows and len(rows) > max_rows:
        head = max_rows // 2
        return rows[:head] + rows[len(rows) - (max_rows - head):], len(rows) - max_rows
    return rows, 0


def definition(result, node_id: int) -> str:
    """What a node computes, written with its inputs' labels: `x + y`, `exp(n1)`."""
    node, labels = result.graph.nodes[node_id], result.labels
    if node.op is None:
        if node.id in result.graph.constants:
            return "constant"
        return "input (default in program)" if node.name in result.graph.defaults else "input"
    return OPS[node.op].show.format(*[_wrap(labels[i]) for i in node.inputs])


def _wrap(label: str) -> str:
    return f"({label})" if label.startswith("-") else label


def local_formula(result, step) -> str:
    """The local derivative ∂node/∂input as a formula in the labels: `2·t`, `apple_num`."""
    labels = result.labels
    node = result.graph.nodes[step.node]
    return OPS[node.op].formula_text(step.k, [_wrap(labels[i]) for i in node.inputs], labels[node.id])


def build_report(result, precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> Report:
    graph, labels, values = result.graph, result.labels, result.values
    fmt = lambda v: format_value(v, precision)  # noqa: E731 - one short local formatter
    out = labels[graph.output]
    arrays = any(np.ndim(v) for v in values)

    forward_rows = []
    for node in graph.nodes:
        if node.id in graph.constants:
            continue  # literals are shown inside the definitions that use them
        row = (labels[node.id], definition(result, node.id), fmt(values[node.id]))
        forward_rows.append(row + ((_shape(values[node.id]) or "scalar",) if arrays else ()))
    forward_rows, forward_cut = _cut(forward_rows, max_rows)
    columns = ("node", "computes", "value") + (("shape",) if arrays else ())
    forward = Table("Forward pass", columns, forward_rows, forward_cut)

    backward_rows = []
    for step in result.steps:
        node_label, input_label = labels[step.node], labels[step.input]
        backward_rows.append((
            f"{node_label} → {input_label}",
            local_formula(result, step),
            fmt(step.local),
            fmt(step.upstream),
            fmt(step.flowing),
            fmt(step.accumulated),
        ))
    backward_rows, backward_cut = _cut(backward_rows, max_rows)
    backward = Table(
        f"Backward pass, from {out} back to the inputs: upstream ∂{out}/∂node × local "
        f"∂node/∂input flows into ∂{out}/∂input",
        ("node → input", "∂node/∂input", "local", "upstream", "upstream × local", f"∂{out}/∂input"),
        backward_rows, backward_cut)

    lines = [f"{out} = {fmt(result.value)}"]
    lines += [f"∂{out}/∂{name} = {fmt(grad)}" for name, grad in result.gradient.items()]
    notes = []
    if np.ndim(result.value) and not result.seeded:
        notes.append(f"{out} is an array: the backward pass starts from ones, i.e. it differentiates "
                     f"the sum of {out}'s elements (give --upstream to choose ∂L/∂{out}).")
    return Report(forward, backward, lines, notes)
