"""Plain text: the same tables as on a terminal, with no colour and no box characters."""

from __future__ import annotations

from ..numbers import DEFAULT_PRECISION
from .rows import Table, build_report, cut_note


def table_lines(table: Table) -> list[str]:
    cells = [table.columns] + [tuple(r) for r in table.rows]
    # Multi-line cells (arrays) are laid out line by line within their column.
    split = [[cell.split("\n") for cell in row] for row in cells]
    widths = [max(len(line) for row in split for line in row[c]) for c in range(len(table.columns))]
    lines = [table.title]
    for row in split:
        height = max(len(cell) for cell in row)
        for i in range(height):
            parts = [(cell[i] if i < len(cell) else "").ljust(width) for cell, width in zip(row, widths)]
            lines.append(("  " + "  ".join(parts)).rstrip())
    if table.omitted:
        lines.append(f"  {cut_note(table)}")
    return lines


def render_plain(result, precision: int = DEFAULT_PRECISION, max_rows: int = 200) -> str:
    report = build_report(result, precision, max_rows)
    lines = table_lines(report.forward) + [""] + table_lines(report.backward) + ["", "Result"]
    lines += [f"  {part}" for line in report.result for part in line.split("\n")]
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"

