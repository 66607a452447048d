"""Output for the options beyond one gradient (--hessian, --order): tables, JSON keys, bare numbers."""

from __future__ import annotations

from ..numbers import DEFAULT_PRECISION, format_value
from .rows import Table

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def derivative_name(output: str, variable: str, order: int) -> str:
    """dz/dx, d²z/dx², d¹⁰z/dx¹⁰."""
    power = "" if order == 1 else str(order).translate(_SUPERSCRIPTS)
    return f"d{power}{output}/d{variable}{power}"


def hessian_name(output: str, row: str, column: str) -> str:
    return f"∂²{output}/∂{row}²" if row == column else f"∂²{output}/∂{row}∂{column}"


def tables(beyond, precision: int = DEFAULT_PRECISION) -> tuple[list[Table], list[str], list[str]]:
    """The extra tables, the extra result lines and the notes, shared by plain text and rich."""
    fmt = lambda v: format_value(v, precision)  # noqa: E731 - one short local formatter
    found, lines, notes = [], [], []
    if beyond.hessian is not None:
        h = beyond.hessian
        found.append(Table(
            f"Hessian of {h.output}: row u, column v holds ∂²{h.output}/∂u∂v",
            ("",) + tuple(h.variables),
            [(label,) + tuple(fmt(v) for v in row) for label, row in zip(h.variables, h.matrix)],
            text_columns=1))
        notes.append(f"the Hessian differentiates the backward pass: {h.builder.added} derivative "
                     f"nodes built, one reverse pass over them per row")
    if beyond.derivative is not None:
        d = beyond.derivative
        values = [d.builder.values[node] for node in d.nodes]
        found.append(Table(
            f"Derivatives of {d.output} with respect to {d.variable}, each by differentiating the last",
            ("order", "derivative", "value"),
            [(str(k), derivative_name(d.output, d.variable, k), fmt(v))
             for k, v in enumerate(values, start=1)],
            text_columns=2))
    return found, lines, notes


def to_json(beyond) -> dict:
    """The keys --json adds: "hessian", "derivative"."""
    data = {}
    if beyond.hessian is not None:
        data["hessian"] = {"variables": beyond.hessian.variables,
                           "matrix": beyond.hessian.matrix.tolist()}
    if beyond.derivative is not None:
        d = beyond.derivative
        data["derivative"] = {"variable": d.variable, "order": d.order, "value": d.value}
    return data


def quiet(beyond, precision: int = DEFAULT_PRECISION) -> str:
    """-q: the Hessian's rows (numbers separated by spaces), then the k-th derivative."""
    lines = []
    if beyond.hessian is not None:
        lines += [" ".join(format_value(v, precision) for v in row) for row in beyond.hessian.matrix]
    if beyond.derivative is not None:
        lines.append(format_value(beyond.derivative.value, precision))
    return "".join(line + "\n" for line in lines)


def render(result, beyond, as_json: bool, rich: bool, quiet_numbers: bool,
           precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> str:
    """The whole output: the usual report, then the tables these options add."""
    if as_json:
        import json

        from .json import to_dict

        return json.dumps({**to_dict(result), **to_json(beyond)}, ensure_ascii=False) + "\n"
    if quiet_numbers:
        return quiet(beyond, precision)
    extra, lines, notes = tables(beyond, precision)
    if rich:
        from rich.console import Console, Group
        from rich.text import Text

        from .rich import _table, render_result

        parts = [render_result(result, precision, max_rows)]
        parts += [_table(table) for table in extra]
        parts += [Text(f"  {line}", style="bold") for line in lines]
        parts += [Text(f"note: {note}", style="dim") for note in notes]
        console = Console()
        with console.capture() as capture:
            console.print(Group(*parts))
        return capture.get()
    from .plain import _table, render_plain

    text = [render_plain(result, precision, max_rows).rstrip("\n")]
    for table in extra:
        text += [""] + _table(table)
    if lines:
        text += [""] + [f"  {line}" for line in lines]
    text += [f"note: {note}" for note in notes]
    return "\n".join(text) + "\n"
