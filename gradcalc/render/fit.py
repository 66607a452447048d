"""Tables that fit the console's width: the layout gives way, never a number.

A table is drawn at the width the console offers when it is rendered (a terminal, `rich.print`, a
notebook), choosing the first layout that fits:

1. the table with its full headers: numeric columns as wide as their widest cell, never wrapped;
   text columns (names, formulas) wrapped between words, never narrower than their longest word;
2. the same with short headers, explained by a legend under the table;
3. stacked: one block per row, a line per column (`upstream × local: 1.1`), arrays re-wrapped by
   numpy between elements to the width left.

So every number shown at 250 columns is shown, whole, at 40, and no line is wider than the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import xp
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from .rows import Table, cut_note

INDENT = 4            # stacked layout: a block's fields under its heading
MARKS = {"✓": "bold green", "✗": "bold red"}


def widest_line(text: str) -> int:
    return max((cell_len(line) for line in str(text).split("\n")), default=0)


def longest_word(text: str) -> int:
    return max((cell_len(word) for word in str(text).split()), default=0)


def screen(cell, width: int | None = None) -> str:
    """A cell as the screen shows it; an array wider than `width` wrapped anew between elements."""
    show = getattr(cell, "screen", None)
    if show is None:
        return str(cell)
    text = show()
    return show(width) if width is not None and widest_line(text) > width else text


def is_array(cell) -> bool:
    """A cell holding an array (rows.Cell), which numpy can wrap anew to a narrower width."""
    return xp.ndim(getattr(cell, "value", 0)) > 0


def table_overhead(columns: int) -> int:
    """What a table drawn by Fit adds to its cells' widths: the indent, its two edges, a padding
    space after each cell and a rule between cells (two spaces between columns, as in plain text)."""
    return 1 + 2 + columns + (columns - 1)


MARKED = "bold red"


@dataclass(frozen=True)
class Fit:
    """A Table drawn to fit: as a table, with short headers and a legend, or stacked; its title
    above it and a blank line under it, whichever the layout."""

    table: Table
    styles: dict = field(default_factory=dict)   # column index → rich style
    short: tuple[str, ...] | None = None          # headers to use when the full ones do not fit …
    legend: str = ""                              # … and what they stand for
    pair: tuple[int, int] | None = None           # stacked: (formula column, its value column)
    heading: int = 1                              # stacked: leading columns that name a block
    title: bool = True                            # draw the table's title above it
    texts: tuple[int, ...] = ()                   # text columns after the numbers (`compared at`)
    stacked_labels: tuple[str, ...] = ()          # stacked: a line's label per column, if not the header
    split: bool = False                           # many columns of numbers (a Hessian, tangents):
                                                  # in groups of columns before stacking
    marked: tuple[int, ...] = ()                  # rows drawn in red: where a wrong answer went wrong

    def _numeric(self, index: int) -> bool:
        return index >= self.table.text_columns and index not in self.texts

    def plan(self, headers: tuple[str, ...], width: int, wrap: bool = True) -> list[int] | None:
        """Column widths that fit `width` with these headers (wrapping text columns between words
        if `wrap`), or None if none do."""
        rows = self.table.rows
        low, high = [], []
        for c, header in enumerate(headers):
            cells = [row[c] for row in rows]
            if self._numeric(c):
                need = max((widest_line(screen(cell)) for cell in cells), default=0)
                # A vector may be wrapped by numpy, down to an element a line, if text may wrap;
                # a matrix keeps its rows whole (the stacked layout has room for them).
                least = max((widest_line(screen(cell, 1)) if xp.ndim(getattr(cell, "value", 0)) == 1
                             else widest_line(screen(cell)) for cell in cells), default=0) if wrap else need
                low.append(max(least, longest_word(header)))
                high.append(max(need, cell_len(header)))
            else:
                low.append(max([longest_word(cell) for cell in cells] + [longest_word(header)]))
                high.append(max([widest_line(cell) for cell in cells] + [cell_len(header)]))
        budget = width - table_overhead(len(headers))
        if sum(high) <= budget:
            return high
        if not wrap or sum(low) > budget:
            return None
        widths, excess = high, sum(high) - budget
        while excess > 0:   # take from the widest column that can still give
            c = max((c for c in range(len(widths)) if widths[c] > low[c]), key=lambda c: widths[c])
            give = min(excess, widths[c] - low[c],
                       max(1, widths[c] - max((w for i, w in enumerate(widths) if i != c), default=0)))
            widths[c] -= give
            excess -= give
        return widths

    def _cell(self, index: int, cell, width: int) -> Text:
        text = screen(cell, width)
        style = MARKS.get(text) or self.styles.get(index)
        if self._numeric(index):   # the column is as wide as its widest cell: nothing is cut
            return Text(text, style=style or "", no_wrap=True)
        return Text(text, style=style or "", overflow="fold")

    def _rich_table(self, headers, widths) -> Padding:
        # Padding after each cell only: columns two spaces apart as in the plain tables, so the
        # quick start's backward table keeps its full headers on an 80-column terminal.
        table = RichTable(box=box.SIMPLE_HEAD, header_style="bold", show_edge=True, padding=(0, 1, 0, 0))
        for c, (header, width) in enumerate(zip(headers, widths)):
            arrays = any(is_array(row[c]) or "\n" in str(row[c]) for row in self.table.rows)
            table.add_column(Text(header, no_wrap=False, overflow="fold"), width=width,
                             justify="right" if self._numeric(c) and not arrays else "left",
                             no_wrap=self._numeric(c), overflow="fold")
        for r, row in enumerate(self.table.rows):
            table.add_row(*(self._cell(c, cell, width) for c, (cell, width) in enumerate(zip(row, widths))),
                          style=MARKED if r in self.marked else None)
        return Padding(table, (0, 0, 0, 1), expand=False)

    def _above(self) -> list:
        return [Text(self.table.title, style="bold")] if self.title and self.table.title else []

    def _below(self) -> list:
        if not self.table.omitted:
            return []
        return [Padding(Text(cut_note(self.table), style="dim"), (0, 0, 0, 2)), Text("")]   # wrapped lines indented too

    def layout(self, width: int) -> tuple[tuple[str, ...] | None, list[int] | None]:
        """The headers and column widths that fit, in order of preference: full headers, short
        ones, full with text wrapped, short with text wrapped; (None, None): stacked."""
        tries = [(self.table.columns, False), (self.short, False), (self.table.columns, True),
                 (self.short, True)]
        for headers, wrap in tries:
            if headers and (widths := self.plan(headers, width, wrap)) is not None:
                return headers, widths
        return None, None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        yield from self._above()
        headers, widths = self.layout(width)
        groups = self.groups(width) if headers is None else None
        if groups:   # one table per group of columns, each with the rows' names
            for group in groups:
                yield group._rich_table(group.table.columns, group.plan(group.table.columns, width, False))
        elif headers is None:
            yield from self._stacked(width)
            yield Text("")
        else:
            yield self._rich_table(headers, widths)   # its last line is blank
            if headers != self.table.columns:
                yield Padding(Text(self.legend, style="dim"), (0, 0, 0, 2), expand=False)
                yield Text("")
        yield from self._below()

    def groups(self, width: int) -> list[Fit] | None:
        """The numeric columns in groups that fit beside the text columns (the first group) or the
        first column (the others), or None if not split or one column alone does not fit."""
        if not self.split:
            return None
        numeric = [c for c in range(len(self.table.columns)) if self._numeric(c)]
        texts = [c for c in range(len(self.table.columns)) if not self._numeric(c)]
        def fits(keep: list[int]) -> bool:
            part = self._part(keep)
            return part.plan(part.table.columns, width, False) is not None

        groups, current = [], []
        for c in numeric:
            names = texts if not groups else [0]
            if fits(names + current + [c]):
                current.append(c)
            elif current and fits([0, c]):   # a new group, led by the rows' names
                groups.append(names + current)
                current = [c]
            else:
                return None
        groups.append((texts if not groups else [0]) + current)
        return [self._part(keep) for keep in groups]

    def _part(self, keep: list[int]) -> Fit:
        table = Table("", tuple(self.table.columns[i] for i in keep),
                      [tuple(row[i] for i in keep) for row in self.table.rows],
                      text_columns=sum(not self._numeric(i) for i in keep))
        return Fit(table, styles={n: self.styles[i] for n, i in enumerate(keep) if i in self.styles},
                   title=False)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widths = self.plan(self.table.columns, 10 ** 6) or []
        return Measurement(min(options.max_width, 20),
                           min(options.max_width, sum(widths) + table_overhead(len(widths))))

    def _stacked(self, width: int) -> RenderResult:
        columns = self.stacked_labels or self.table.columns
        avail = max(1, width - INDENT)
        for r, row in enumerate(self.table.rows):
            yield Text("")
            heading = self._heading(row)
            if r in self.marked:
                heading.stylize(MARKED)
            yield heading
            for c in range(self.heading, len(columns)):
                if self.pair and c == self.pair[1]:
                    continue
                label = f"{columns[c]}: " if columns[c] else ""
                if self.pair and c == self.pair[0]:
                    formula, value = str(row[c]), row[self.pair[1]]
                    if " = " in formula or "→" in formula:   # a rule or shapes: not `formula = value`
                        yield from _field(label + formula, None, avail)
                        yield from _field(f"{columns[self.pair[1]]}: ", value, avail,
                                          self.styles.get(self.pair[1]))
                    else:
                        yield from _field(f"{label}{formula} = ", value, avail,
                                          self.styles.get(self.pair[1]))
                elif self._numeric(c):
                    yield from _field(label, row[c], avail, self.styles.get(c))
                else:
                    yield from _field(label + str(row[c]), None, avail)

    def _heading(self, row) -> Text:
        """A block's first line: the row's leading cells (`price → tax`, `✓  ∂z/∂x = 2*x`)."""
        text = Text(overflow="fold")
        for i, part in enumerate(str(cell) for cell in row[:self.heading] if str(cell)):
            text.append("  " * bool(i) + part, style=MARKS.get(part, "bold"))
        return text


def _field(label: str, value, avail: int, style: str | None = None) -> RenderResult:
    """One line of a stacked block, indented: `label value`, the value never broken.

    The label wraps between words; a value that does not fit beside it goes on the lines below,
    an array re-wrapped to the width left.
    """
    indent = (0, 0, 0, INDENT)
    if value is None:
        yield Padding(Text(label, overflow="fold"), indent, expand=False)
        return
    shown = screen(value, avail)
    lines = shown.split("\n")
    if cell_len(label) + widest_line(shown) <= avail:   # beside the label, hanging under it
        text = Text(label)
        text.append("\n".join([lines[0]] + [" " * cell_len(label) + line for line in lines[1:]]),
                    style=style or "")
        text.no_wrap, text.overflow = True, "ignore"
        yield Padding(text, indent, expand=False)
        return
    yield Padding(Text(label.rstrip(), overflow="fold"), indent, expand=False)
    shown = screen(value, max(1, avail - 2))
    yield Padding(Text(shown, style=style or "", no_wrap=True, overflow="ignore"), (0, 0, 0, INDENT + 2), expand=False)


def fit(table: Table, **options) -> Fit:
    return Fit(table, **options)


@dataclass(frozen=True)
class Value:
    """`label value` on its own, as in the Result block: beside the label if it fits, else under it."""

    label: str
    value: object
    style: str = ""
    indent: int = 2

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        avail = max(1, options.max_width - self.indent)
        shown = screen(self.value, max(1, avail - cell_len(self.label)))
        pad = (0, 0, 0, self.indent)
        if cell_len(self.label) + widest_line(shown) <= avail:
            lines = shown.split("\n")
            text = Text("\n".join([self.label + lines[0]]
                                  + [" " * cell_len(self.label) + line for line in lines[1:]]),
                        style=self.style, no_wrap=True, overflow="ignore")
            yield Padding(text, pad, expand=False)
            return
        yield Padding(Text(self.label.rstrip(), style=self.style, overflow="fold"), pad, expand=False)
        shown = screen(self.value, max(1, avail - 2))
        yield Padding(Text(shown, style=self.style, no_wrap=True, overflow="ignore"), (0, 0, 0, self.indent + 2), expand=False)
