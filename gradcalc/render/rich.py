"""Rich tables for a terminal; the same rows as plain text, with colour, drawn to fit the width."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from ..numbers import DEFAULT_PRECISION
from .fit import Fit, Value
from .rows import Table, build_report

_STYLES = {"local": "cyan", "upstream": "magenta", "upstream × local": "bold yellow"}


def _styles(table: Table) -> dict:
    return {index: style for index, column in enumerate(table.columns)
            if (style := next((s for key, s in _STYLES.items() if column.startswith(key)), None))}


def rich_table(table: Table, **options) -> Fit:
    """Any table of rows, drawn to fit the console (see fit.py)."""
    return Fit(table, styles=_styles(table), **options)


def backward_table(table: Table, marked: tuple[int, ...] = ()) -> Fit:
    """The backward pass: short headers with a legend when narrow, then one block per step."""
    out = table.columns[-1].split("/")[0][1:]     # "∂price/∂input" → "price"
    short = ("edge", "∂n/∂i", "local", "up", "up×local", f"∂{out}")
    legend = (f"edge: node → input; ∂n/∂i: the local derivative ∂node/∂input; up: upstream "
              f"∂{out}/∂node; up×local: upstream × local, what flows into the input; ∂{out}: "
              f"∂{out}/∂input so far")
    stacked = ("", "local ∂node/∂input", "local", f"upstream ∂{out}/∂node", "upstream × local",
               f"∂{out}/∂input so far")
    return rich_table(table, short=short, legend=legend, pair=(1, 2), stacked_labels=stacked, marked=marked)


def render_result(result, precision: int = DEFAULT_PRECISION, max_rows: int = 200,
                  marked_edge: tuple[int, int] | None = None) -> Group:
    """The trace; `marked_edge` (node, k), the step where a wrong answer first went wrong, in red."""
    report = build_report(result, precision, max_rows)
    marked = _shown_row(result.steps, marked_edge, max_rows)
    parts = [rich_table(report.forward), backward_table(report.backward, marked), Text("Result", style="bold")]
    parts += [Value(line.label, line.value, style="bold green" if i == 0 else "bold")
              for i, line in enumerate(report.result_cells)]
    parts += [Text(f"note: {note}", style="dim") for note in report.notes]
    return Group(*parts)


def _shown_row(steps, edge: tuple[int, int] | None, max_rows: int) -> tuple[int, ...]:
    """The row the step `edge` is drawn in (rows.py's _rows keeps the first and last halves)."""
    index = next((i for i, step in enumerate(steps) if (step.node, step.k) == edge), None) \
        if edge is not None else None
    total = len(steps)
    if index is None or not max_rows or total <= max_rows:
        return () if index is None else (index,)
    head = max_rows // 2
    tail = total - (max_rows - head)
    return (index,) if index < head else (head + index - tail,) if index >= tail else ()



def notebook_html(result) -> str:
    """What a notebook shows for a Result: the terminal's tables, as HTML."""
    import os

    from rich.console import Console

    with open(os.devnull, "w") as sink:
        console = Console(record=True, width=110, file=sink)
        console.print(render_result(result))
    return console.export_html(inline_styles=True, code_format="<pre>{code}</pre>")
