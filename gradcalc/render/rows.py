"""What every table renderer shows, as rows of strings: the forward pass, the backward pass, the result.

Rich and plain text lay out the same rows, so the two can never disagree on content.
"""

from __future__ import annotations

from .. import xp
from ..xp import np

from ..graph import version_label
from ..numbers import DEFAULT_PRECISION, format_shape, format_value
from ..ops import OPS, broadcast_axes
from ..ops.rules import equation, factor_local, partial


class Cell(str):
    """A formatted number or array that keeps its value, so a narrow screen can wrap an array anew.

    As a str it is the plain text (`format_value`); `screen()` is what a terminal shows: numpy's
    summary of a large array with `…` and the array's shape under it, re-wrapped to a width if given.
    """

    def __new__(cls, value, precision: int = DEFAULT_PRECISION):
        cell = super().__new__(cls, format_value(value, precision))
        cell.value, cell.precision = value, precision
        return cell

    def screen(self, width: int | None = None) -> str:
        text = str(self) if width is None else format_value(self.value, self.precision, line_width=width)
        if xp.size(self.value) > SUMMARISED:
            text = text.replace("...", "…") + f"\nshape {_shape(self.value)}"
        return text


SUMMARISED = 60   # numpy's threshold in format_value: larger arrays are shown by their corners


class Formula(str):
    """A cell of the formula column: as a str the trace's text (`z·(1 − z)`); `formula` keeps the
    formula itself (ops/rules.Text) for a renderer that spells it in a style of its own (LaTeX), and
    `after` the shapes it combines, `   (2,1)·(1,3) → (2,3)`."""

    def __new__(cls, formula, after: str = ""):
        cell = super().__new__(cls, str(formula) + after)
        cell.formula, cell.after = formula, after
        return cell


# Plain classes with __slots__, not dataclasses: a plain question's table imports no `dataclasses`.

class Table:
    """One table of rows of strings, with a title and column headings."""

    __slots__ = ("title", "columns", "rows", "omitted", "text_columns")

    def __init__(self, title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], omitted: int = 0,
                 text_columns: int = 2):
        self.title = title
        self.columns = columns
        self.rows = rows
        self.omitted = omitted              # rows left out to keep the table readable
        self.text_columns = text_columns    # the leading columns hold text; the rest hold numbers


class ResultLine:
    """One line of the result, `∂z/∂x = ` and its value."""

    __slots__ = ("label", "value")

    def __init__(self, label: str, value: Cell):
        self.label = label      # "∂z/∂x = "
        self.value = value


class Report:
    """What a table renderer shows of one Result: both passes' tables, the result's lines, notes."""

    __slots__ = ("forward", "backward", "result", "notes", "result_cells")

    def __init__(self, forward: Table, backward: Table, result: list[str], notes: list[str],
                 result_cells: list[ResultLine] = ()):
        self.forward = forward
        self.backward = backward
        self.result = result                # "z = 9", "∂z/∂x = 6", …
        self.notes = notes
        self.result_cells = result_cells    # the same, the value kept: a narrow screen re-wraps arrays


def _shape(value) -> str:
    return format_shape(xp.shape(value))


def _rows(items: list, make_row, max_rows: int) -> tuple[list, int]:
    """Rows for the first and last items when there are more than max_rows (0: all).

    Only the rows shown are formatted, so a 10⁵-node graph costs no more than a small one here.
    """
    total = len(items)
    if max_rows and total > max_rows:
        head = max_rows // 2
        items = items[:head] + items[total - (max_rows - head):]
    return [make_row(item) for item in items], total - len(items)


def cut_note(table: Table) -> str:
    """Where a cut table's rows were left out: _rows keeps the first half and the last half."""
    head = len(table.rows) // 2
    tail = len(table.rows) - head
    where = f"between the first {head} and the last {tail}" if head else f"before the last {tail}"
    return f"… {table.omitted} rows not shown {where} (--max-rows 0 shows all)"


def cut(rows: list, max_rows: int) -> tuple[list, int]:
    """Already-built rows, cut as _rows cuts them."""
    return _rows(rows, lambda row: row, max_rows)


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


def local_formula(result, step, shapes: bool = False) -> Formula:
    """The local derivative ∂node/∂input as a formula in the labels: `2·t`, `apple_num`.

    An op that is not upstream × local (the matrix product) shows its whole rule instead,
    `∂L/∂W = Xᵀ · ∂L/∂Y`; with `shapes`, the shapes it combines follow: `(2,1)·(1,3) → (2,3)`.
    """
    labels = result.labels
    node = result.graph.nodes[step.node]
    op = OPS[node.op]
    inputs = [_wrap(labels[i]) for i in node.inputs]
    if op.vjp:      # what flows, from the op's vector-Jacobian rule read as text
        out = differentiated(result)
        flowing = op.formula(step.k, inputs, labels[node.id], upstream=partial(out, labels[node.id]))
        formula = equation(partial(out, labels[step.input]), flowing)
    else:
        formula = op.formula(step.k, inputs, labels[node.id])
    arrays = shapes and any(xp.ndim(v) for v in (step.upstream, step.local, step.flowing))
    return Formula(formula, f"   {_step_shapes(result, op, step)}" if arrays else "")


def differentiated(result) -> str:
    """What the gradients are of: the output, or with --upstream a loss L whose ∂L/∂output was given."""
    return result.loss or result.labels[result.graph.output]


def _step_shapes(result, op, step) -> str:
    """The shapes one backward step combines, and how a broadcast operand's gradient is summed back."""
    up, local, flowing = xp.shape(step.upstream), xp.shape(step.local), xp.shape(step.flowing)
    if op.vjp:
        node = result.graph.nodes[step.node]
        how = factor_local(op.vjp[step.k], [result.values[i] for i in node.inputs], result.values[node.id])[1]
        if how in ("up · local", "local · up"):     # a product such as Xᵀ · ∂L/∂Y
            shown = "·".join(format_shape(up if f == "up" else local) for f in how.split(" · "))
            return f"{shown} → {format_shape(flowing)}"
        return f"{format_shape(up)} → {format_shape(flowing)}"
    full = np.broadcast_shapes(up, local)
    text = f"{format_shape(up)}×{format_shape(local)} → {format_shape(full)}"
    if full != flowing:
        axes = ", ".join(map(str, broadcast_axes(full, flowing)))
        text += f", summed over axis {axes} → {format_shape(flowing)}"
    return text


def edge(result, step, arrays: bool = False) -> str:
    """A backward row's name, distinct from every other row's: `n1 → x`.

    An input used twice by one node (`x*x`) says which operand it is; in an array program an
    unnamed node says what it computes on a second line, `(n4 = n3 + b2)`, as its rows are otherwise
    told apart only by matrices.
    """
    graph, labels = result.graph, result.labels
    node = graph.nodes[step.node]
    text = f"{labels[step.node]} → {labels[step.input]}"
    if node.inputs.count(step.input) > 1:
        text += f" ({_ORDINALS.get(step.k + 1, f'{step.k + 1}th')} operand)"
    if arrays and node.name is None and node.id != graph.output:
        text += f"\n({labels[node.id]} = {definition(result, node.id)})"
    return text


_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}


def summarised(values, steps) -> bool:
    """Whether any array the tables show is too large to be shown whole."""
    return any(xp.size(v) > SUMMARISED for v in values) or any(
        xp.size(step.local) > SUMMARISED or xp.size(step.upstream) > SUMMARISED for step in steps)


def hang(prefix: str, text: str) -> str:
    """prefix + text, with the lines of a printed array aligned under its first line."""
    return prefix + text.replace("\n", "\n" + " " * len(prefix))


def build_report(result, precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> Report:
    graph, labels, values = result.graph, result.labels, result.values
    fmt = lambda v: Cell(v, precision)  # noqa: E731 - one short local formatter
    out = differentiated(result)
    arrays = any(xp.ndim(v) for v in values)

    def forward_row(node):
        row = (labels[node.id], definition(result, node.id), fmt(values[node.id]))
        return row + ((_shape(values[node.id]) if xp.ndim(values[node.id]) else "scalar",)
                      if arrays else ())

    # Literals are shown inside the definitions that use them, not as rows of their own.
    shown_nodes = [node for node in graph.nodes if node.id not in graph.constants]
    forward_rows, forward_cut = _rows(shown_nodes, forward_row, max_rows)
    columns = ("node", "computes", "value") + (("shape",) if arrays else ())
    forward = Table("Forward pass", columns, forward_rows, forward_cut)

    def backward_row(step):
        return (
            edge(result, step, arrays),
            local_formula(result, step, shapes=arrays),
            fmt(step.local),
            fmt(step.upstream),
            fmt(step.flowing),
            fmt(step.accumulated),
        )

    backward_rows, backward_cut = _rows(result.steps, backward_row, max_rows)
    backward = Table(
        f"Backward pass, from {out} back to the inputs: upstream ∂{out}/∂node × local "
        f"∂node/∂input flows into ∂{out}/∂input",
        ("node → input", "∂node/∂input", "local", "upstream", "upstream × local", f"∂{out}/∂input"),
        backward_rows, backward_cut)

    cells = [ResultLine(f"{labels[graph.output]} = ", fmt(result.value))]
    cells += [ResultLine(f"∂{out}/∂{name} = ", fmt(grad)) for name, grad in result.gradient.items()]
    lines = [hang(line.label, line.value) for line in cells]
    # How the trace names a name assigned again (c, c₂, …): a note for the trace only; graph.notes
    # say how the text was read, which -q and --json say on stderr too.
    notes = [f"{graph.nodes[node].name} is assigned more than once: the trace calls its values "
             f"{graph.nodes[node].name}, {version_label(graph.nodes[node].name, 2)}, … in order, each a "
             f"node of its own" for node, version in graph.versions.items() if version == 2]
    notes += result.graph.notes
    if summarised(values, result.steps):
        notes.append("large arrays are shown by their corners (…); --json and -q give every element.")
    name = labels[graph.output]
    if result.seeded and graph.seed is not None:
        pass        # the program's own seed (y.backward(v)): its note, from the reader, says so
    elif result.seeded:
        notes.append(f"the backward pass starts from the given --upstream as ∂{out}/∂{name}, the "
                     f"gradient of a loss {out} with respect to {name}.")
    elif xp.ndim(result.value):
        notes.append(f"{name} is an array: the backward pass starts from ones, i.e. it differentiates "
                     f"the sum of {name}'s elements (give --upstream to choose ∂L/∂{name}).")
    return Report(forward, backward, lines, notes, cells)
