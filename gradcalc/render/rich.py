"""Rich tables for a terminal; the same rows as plain text, with colour and boxes."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table as RichTable
from rich.text import Text

from ..numbers import DEFAULT_PRECISION
from .rows import Table, build_report

_STYLES = {"local": "cyan", "upstream": "magenta", "upstream × local": "bold yellow"}


def _table(table: Table) -> RichTable:
    rich_table = RichTable(title=table.title, title_justify="left", title_style="bold",
                           box=box.SIMPLE_HEAD, header_style="bold")
    any_arrays = any("\n" in cell for row in table.rows for cell in row[table.text_columns:])
    for index, column in enumerate(table.columns):
        style = next((s for key, s in _STYLES.items() if column.startswith(key)), None)
        numeric = index >= table.text_columns
        # A printed array spans lines; right-justifying them one by one would break its columns.
        arrays = any("\n" in row[index] for row in table.rows)
        # Printed arrays must stay whole, so beside them the text columns give way and wrap.
        rich_table.add_column(column, style=style, justify="right" if numeric and not arrays else "left",
                              no_wrap=not (any_arrays and not numeric),
                              max_width=24 if any_arrays and not numeric else None, overflow="fold")
    for row in table.rows:
        rich_table.add_row(*row)
    if table.omitted:
        rich_table.caption = f"… {table.omitted} rows not shown (use --max-rows 0 to show all)"
    return rich_table


def render_result(result, precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> Group:
    report = build_report(result, precision, max_rows)
    result_text = Text()
    for i, line in enumerate(report.result):
        indented = "\n".join("  " + part for part in line.split("\n"))
        result_text.append(indented + "\n", style="bold green" if i == 0 else "bold")
    parts = [_table(report.forward), _table(report.backward), Text("Result", style="bold"), result_text]
    parts += [Text(f"note: {note}", style="dim") for note in report.notes]
    return Group(*parts)


# Other renderers (expected answers, checks) draw their tables the same way.
rich_table = _table
