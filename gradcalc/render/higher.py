"""Output for the options beyond one gradient: --hessian, --order, --symbolic, --mode forward,
--compare-modes (tables for plain text and rich, keys for --json, lines for -q)."""

from __future__ import annotations

from ..numbers import DEFAULT_PRECISION, format_line, format_value
from ..printing import PRETTY, derivative_name
from .json import dumps, plain, to_dict
from .rows import Cell, Table, cut, hang, build_report, definition

MAX_PASS_COLUMNS = 8   # a table wider than this is no longer readable; the JSON has every pass


def tables(result, beyond, precision: int = DEFAULT_PRECISION) -> tuple[list, list[str]]:
    """The extra blocks (a Table, or a list of lines under a title) and notes, for plain and rich."""
    fmt = lambda v: format_value(v, precision)  # noqa: E731 - one short local formatter
    found, notes = [], []
    if beyond.hessian is not None:
        h = beyond.hessian
        found.append(Table(
            f"Hessian of {h.output}: row u, column v holds ∂²{h.output}/∂u∂v",
            ("",) + tuple(h.variables),
            [(label,) + tuple(fmt(v) for v in row) for label, row in zip(h.variables, h.matrix)],
            text_columns=1))
        notes.append(f"the Hessian differentiates the backward pass: {h.built} derivative "
                     f"nodes built, one reverse pass over them per row")
    if beyond.jacobian is not None:
        found.append(jacobian_table(beyond.jacobian, fmt))
        from ..jacobian import described

        notes.append(described(beyond.jacobian))
    if beyond.batch_jacobian is not None:
        j = beyond.batch_jacobian
        found.append(Table(f"Batch Jacobian of {j.output} by {j.variable} (TensorFlow's batch_jacobian): row {j.output}[b,i], "
                           f"column {j.variable}[b,j] holds the gradient of Σ_b' {j.output}[b',i] by {j.variable}[b,j]",
                           ("",) + tuple(j.columns),
                           [(label,) + tuple(fmt(v) for v in row) for label, row in zip(j.rows, j.matrix)],
                           text_columns=1))
    if beyond.hvp:
        out = result.loss or result.output_name
        found.append(["Hessian-vector products"] + [
            hang(f"(H·v) for {name}, ∂⟨∇{out}, v⟩/∂{name} = ", format_value(value, precision))
            for _, products in beyond.hvp for name, value in products.items()])
        notes += ["v: " + ", ".join(f"{name} = {format_line(v, precision)}" for name, v in given.items())
                  + " (0 on the other inputs)" for given, _ in beyond.hvp]
    if beyond.jvp:
        found.append(tangent_table(result, [one for _, one in beyond.jvp], precision,
                                   title="Forward mode along the given tangents: each node's tangent is Σ local × "
                                         "tangent over its inputs"))
        out = result.output_name
        found.append(["Jacobian-vector products"] + [
            hang(f"∂{out}·{one.seed} = ", format_value(one.tangents[result.graph.output], precision))
            for _, one in beyond.jvp])
        notes += [f"{one.seed}: the tangent " + ", ".join(f"{name} = {format_line(v, precision)}" for name, v in given.items())
                  + " (0 on the other inputs)" for given, one in beyond.jvp]
    if beyond.derivative is not None:
        d = beyond.derivative
        values = d.values
        found.append(Table(
            f"Derivatives of {d.output} with respect to {d.variable}, by {d.method}",
            ("order", "derivative", "value"),
            [(str(k), PRETTY.ordinary(d.output, d.variable, k), fmt(v))
             for k, v in enumerate(values, start=1)],
            text_columns=2))
        limited = digits_note(d, precision)
        if limited:
            notes.append(limited)
    if beyond.symbolic is not None:
        found.append(["Symbolic derivatives"] + symbolic_lines(beyond, result.output_name))
        own = [name for name, _ in beyond.symbolic.definitions if name in beyond.symbolic.own]
        helpers = [name for name, _ in beyond.symbolic.definitions if name not in beyond.symbolic.own]
        if own:
            notes.append(f"the formulas write the program's own {_listed(own)} where "
                         f"{'its formula appears' if len(own) == 1 else 'their formulas appear'}")
        if helpers:
            named = helpers[0] if len(helpers) == 1 else f"{helpers[0]}…{helpers[-1]}"
            notes.append(f"subexpressions used more than once or very long are named {named} "
                         f"to keep the formulas short")
    if beyond.reverse_operations is not None:
        passes = len(beyond.forward.passes)
        forward_count, reverse_count = beyond.forward.operations, beyond.reverse_operations
        found.append(Table(
            f"Operations executed to get all {passes} partial derivative{'s' * (passes != 1)}",
            ("mode", "passes", "operations"),
            [("forward", f"{passes} (one per input)", str(forward_count)),
             ("reverse", "1 forward + 1 backward", str(reverse_count))],
            text_columns=2))
        if beyond.mode_difference <= 1e-9 * max(1.0, _largest(result.gradient)):
            notes.append(f"both modes give the same gradient (largest difference "
                         f"{format_value(beyond.mode_difference, 3)})")
        else:  # a bug if it ever shows: the two modes must agree
            notes.append(f"the two modes' gradients differ by up to "
                         f"{format_value(beyond.mode_difference, 3)}: please report this")
        notes.append("an operation is one node's value or one edge's chain-rule product; "
                     "edges from constants are skipped")
    return found, notes


def jacobian_table(j, fmt) -> Table:
    """The Jacobian as a table: a row per output element, a column per input element."""
    from ..jacobian import shape_of

    shapes = ", ".join(f"{name} {shape_of(j.shapes[name])}" for name in j.names)
    return Table(f"Jacobian of {j.output} {shape_of(j.output_shape)} with respect to {shapes}: "
                 f"row {j.output}[i], column v holds ∂{j.output}[i]/∂v",
                 ("",) + tuple(j.variables),
                 [(label,) + tuple(fmt(v) for v in row) for label, row in zip(j.rows, j.matrix)],
                 text_columns=1)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def digits_note(derivative, precision: int = DEFAULT_PRECISION) -> str | None:
    """Which orders rounding leaves fewer right digits than --precision shows, and how many: those
    values are rounded to their right digits (Taylor mode's error bound, taylor.Series.checked)."""
    zero = [k for k, right in enumerate(derivative.digits, start=1) if right == 0]
    fewer = [(k, right) for k, right in enumerate(derivative.digits, start=1)
             if right is not None and 0 < right < precision]
    said = ""
    if zero:
        said = (f"the {_ordinal(zero[0])}" if len(zero) == 1 else f"{len(zero)} orders from the "
                f"{_ordinal(zero[0])} on") + " are 0 within rounding (no digit is known, but the " \
            "error bound is below 1e-12 of the largest derivative)"
        if not fewer:
            return "rounding in float64: " + said
    if not fewer:
        return None
    orders = f"the {_ordinal(fewer[0][0])}" if len(fewer) == 1 else \
        f"{len(fewer)} orders from the {_ordinal(fewer[0][0])} on"
    least = min(right for _, right in fewer)
    return (f"rounding in float64 leaves fewer right digits in {orders} (down to {least} "
            f"significant digit{'s' * (least != 1)}, by an error bound carried beside the Taylor "
            f"coefficients): {'that value is' if len(fewer) == 1 else 'those values are'} shown to them"
            + (f"; {said}" if said else ""))


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _largest(gradient: dict) -> float:
    import numpy as np

    return max((float(np.max(np.abs(g))) for g in gradient.values()), default=0.0)


def symbolic_lines(beyond, output: str) -> list[str]:
    variable = beyond.derivative.variable if beyond.derivative is not None else None
    pretty = beyond.symbolic.pretty
    # dz/dx (--order) is ∂z/∂x, already written: show that formula once.
    lines = [f"{derivative_name(PRETTY, output, key, variable)} = {text}" for key, text in pretty.items()
             if not (key == ("order", 1) and ("gradient", variable) in pretty)]
    return lines + [f"where {name} = {text}" for name, text in beyond.symbolic.definitions]


def tangent_table(result, passes, precision: int = DEFAULT_PRECISION, max_rows: int = 200,
                  title: str = "Forward mode, one pass per input: each node's tangent d node/d input is "
                               "Σ local × tangent over its inputs") -> Table:
    """Forward mode's trace: each node's tangent d node/d input, one column per pass."""
    labels, graph = result.labels, result.graph
    shown = passes[:MAX_PASS_COLUMNS]
    rows = [(labels[node.id], definition(result, node.id))
            + tuple(Cell(p.tangents[node.id], precision) for p in shown)
            for node in graph.nodes if node.id not in graph.constants]
    rows, omitted = cut(rows, max_rows)
    heads = tuple(f"d/d{p.seed}" if title.startswith("Forward mode, one") else f"along {p.seed}" for p in shown)
    return Table(title, ("node", "computes") + heads, rows, omitted)


def to_json(beyond, output: int = -1) -> dict:
    """The keys --json adds: "hessian", "jacobian", "derivative", "forward_mode", "operations"."""
    data = {}
    formulas = beyond.symbolic.ascii if beyond.symbolic is not None else None
    if beyond.hessian is not None:
        h = beyond.hessian
        data["hessian"] = {"variables": h.variables, "matrix": h.matrix.tolist()}
        if formulas is not None:
            data["hessian"]["formulas"] = [[formulas[("hessian", *sorted((u, v), key=h.variables.index))]
                                            for v in h.variables] for u in h.variables]
    if beyond.hvp:
        data["hvp"] = [{"vector": {name: plain(v) for name, v in given.items()},
                        "value": {name: plain(v) for name, v in products.items()}} for given, products in beyond.hvp]
    if beyond.batch_jacobian is not None:
        j = beyond.batch_jacobian
        data["batch_jacobian"] = {"output": j.output, "variable": j.variable, "rows": j.rows, "columns": j.columns,
                                  "array": j.array.tolist()}
    if beyond.jvp:
        data["jvp"] = [{"tangents": {name: plain(v) for name, v in given.items()}, "value": plain(one.tangents[output])}
                       for given, one in beyond.jvp]
    if beyond.jacobian is not None:
        j = beyond.jacobian
        data["jacobian"] = {"output": j.output, "shape": list(j.output_shape), "rows": j.rows,
                            "variables": j.variables, "matrix": j.matrix.tolist(),
                            "blocks": {name: plain(j.block(name)) for name in j.names},
                            "shapes": {name: list(j.shapes[name]) for name in j.names},
                            "method": j.method, "passes": j.passes}
    if beyond.derivative is not None:
        d = beyond.derivative
        data["derivative"] = {"variable": d.variable, "order": d.order, "value": plain(d.value),
                              "values": [plain(v) for v in d.values]}
        if any(right is not None for right in d.digits):   # null: every digit right
            data["derivative"]["digits"] = list(d.digits)
        if formulas is not None:
            data["derivative"]["formula"] = formulas.get(("order", d.order),
                                                         formulas.get(("gradient", d.variable)))
    if formulas is not None:
        data["symbolic"] = {key[1]: text for key, text in formulas.items() if key[0] == "gradient"}
        if beyond.symbolic.shared:
            data["symbolic_definitions"] = beyond.symbolic.shared
    if beyond.mode == "forward":
        data["gradient"] = {name: plain(g) for name, g in beyond.forward.gradient.items()}
        data["forward_mode"] = {"passes": [{"seed": p.seed, "tangents": [plain(t) for t in p.tangents]}
                                           for p in beyond.forward.passes]}
    if beyond.reverse_operations is not None:
        data["operations"] = {"forward": beyond.forward.operations,
                              "reverse": beyond.reverse_operations}
    return data


def quiet(result, beyond, precision: int = DEFAULT_PRECISION) -> str:
    """-q: the formulas (--symbolic), the Hessian's and the Jacobian's rows (numbers separated by spaces), the k-th
    derivative, the two counts; else, as without these options, the value (unless --wrt) then the
    gradients (an array on one line, as plain -q prints it)."""
    fmt = lambda v: format_line(v, precision)  # noqa: E731
    lines = [] if beyond.symbolic is None else beyond.symbolic.shared + list(beyond.symbolic.ascii.values())
    if beyond.hessian is not None:
        lines += [" ".join(fmt(v) for v in row) for row in beyond.hessian.matrix]
    if beyond.jacobian is not None:
        lines += [" ".join(fmt(v) for v in row) for row in beyond.jacobian.matrix]
    if beyond.batch_jacobian is not None:
        lines += [" ".join(fmt(v) for v in row) for row in beyond.batch_jacobian.matrix]
    lines += [fmt(value) for _, products in beyond.hvp for value in products.values()]
    lines += [fmt(one.tangents[result.graph.output]) for _, one in beyond.jvp]
    if beyond.derivative is not None:
        lines.append(fmt(beyond.derivative.value))
    if beyond.reverse_operations is not None:
        lines.append(f"{beyond.forward.operations} {beyond.reverse_operations}")
    if not lines:
        gradient = beyond.forward.gradient if beyond.mode == "forward" else result.gradient
        lines = ([] if result.wrt else [fmt(result.value)]) + [fmt(g) for g in gradient.values()]
    return "".join(line + "\n" for line in lines)


def render(result, beyond, as_json: bool, rich: bool, quiet_numbers: bool,
           precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> str:
    """The whole output: the trace of the chosen mode, the result, then the tables these options add."""
    if as_json:
        return dumps({**to_dict(result), **to_json(beyond, result.graph.output)}) + "\n"
    if quiet_numbers:
        return quiet(result, beyond, precision)
    report = build_report(result, precision, max_rows)
    notes = list(report.notes)
    blocks: list = [report.forward]
    result_lines = report.result
    if beyond.mode == "forward":
        blocks.append(tangent_table(result, beyond.forward.passes, precision, max_rows))
        hidden = len(beyond.forward.passes) - MAX_PASS_COLUMNS
        if hidden > 0:
            notes.append(f"{hidden} more passes are not shown as columns (--json has them all)")
        out = report.result[0].split(" = ")[0]
        result_lines = [report.result[0]] + [hang(f"∂{out}/∂{name} = ", format_value(g, precision))
                                              for name, g in beyond.forward.gradient.items()]
    else:
        blocks.append(report.backward)
    blocks.append(["Result"] + result_lines)
    extra, extra_notes = tables(result, beyond, precision)
    blocks += extra
    notes += extra_notes
    if rich:
        from .rows import ResultLine

        # The Result block as label and value, so a narrow screen can put an array under its label.
        cells = report.result_cells
        if beyond.mode == "forward":
            cells = [cells[0]] + [ResultLine(f"∂{out}/∂{name} = ", Cell(g, precision))
                                  for name, g in beyond.forward.gradient.items()]
        return _rich([["Result", *cells] if isinstance(block, list) and block[0] == "Result"
                      else block
                      for block in blocks], notes)
    from .plain import table_lines

    text: list[str] = []
    for block in blocks:
        if text:
            text.append("")
        text += table_lines(block) if isinstance(block, Table) else \
            [block[0]] + [f"  {part}" for line in block[1:] for part in line.split("\n")]
    text += [f"note: {note}" for note in notes]
    return "\n".join(text) + "\n"


def _rich(blocks, notes) -> str:
    from rich.console import Group
    from rich.text import Text

    from .fit import Fit, Value
    from .rich import backward_table, rich_table

    parts = []
    for block in blocks:
        if parts and not isinstance(parts[-1], Fit):   # a table ends in a blank line of its own
            parts.append(Text(""))
        if isinstance(block, Table):
            # The title above the table (Fit prints it so), not wrapped at a narrow table's width.
            if block.title.startswith("Backward pass"):
                parts.append(backward_table(block))
            else:   # a Hessian or the tangents of many passes: in groups of columns when narrow
                parts.append(rich_table(block, split=block.title.startswith(("Hessian", "Jacobian", "Forward mode"))))
        else:
            parts.append(Text(block[0], style="bold"))
            for i, line in enumerate(block[1:]):
                style = "bold green" if i == 0 and block[0] == "Result" else ""
                parts.append(Value(line.label, line.value, style=style) if hasattr(line, "label")
                             else Text(f"  {line}", style=style))
    parts += [Text(f"note: {note}", style="dim") for note in notes]
    from . import console as make_console

    console = make_console()
    with console.capture() as capture:
        console.print(Group(*parts))
    return capture.get()
