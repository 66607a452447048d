"""Batch output: CSV or JSON lines, one line per input row, in input order; full float precision
unless --precision asks for fewer digits (CSV)."""

from __future__ import annotations

import csv
import io
import json
import math
import re

from ..csvtext import FORMULA as _FORMULA, decimal_point, inert
from ..errors import MathError, visible
from ..numbers import NUMBER, format_number
from .json import dumps


def field_name(name: str, columns) -> str:
    """`value`, `error`, … unless an input has that name; then `value_`, so no column is shadowed.
    `columns`: the names taken (a set where there are many: a list is searched through)."""
    while name in columns:
        name += "_"
    return name


def output_columns(columns: list[str], output: str, names: list[str], keep_going: bool) -> list[str]:
    """The inputs as given, `value`, `dz/dx` per variable, `error` with keep_going: the names of
    --points's CSV columns and of gradcalc.vectorize's."""
    taken = set(columns)   # a name a column: 60 000 of each, searched in a list, were minutes
    header = list(columns) + [field_name("value", taken)] + [field_name(f"d{output}/d{name}", taken)
                                                            for name in names]
    return header + ([field_name("error", taken)] if keep_going else [])


def csv_header(columns: list[str], output: str, names: list[str], keep_going: bool) -> str:
    return _csv_line([inert(name) for name in output_columns(columns, output, names, keep_going)])


def _formula_in(rows: str, carried: list[int]) -> bool:
    """Whether a carried field (at `carried`) of the comma-separated, unquoted `rows` may be run as a
    formula: then the chunk goes row by row. A regex for a field's start anywhere took 4 s per million
    rows (loaded); this is one `in` per mark, then with the carried column first one search for a
    mark at a row's start, else a split per row (a negative input has a mark, and is no formula)."""
    if not carried or not any(mark in rows for mark in "=@+-\r"):
        return False
    if carried == [0]:   # the usual id or name column first: look at the rows' first characters only
        if rows[:1] not in _STARTS and not _MARK_AFTER_NEWLINE.search(rows):
            return False
    last = carried[-1] + 1
    for row in rows.split("\n"):
        fields = row.split(",", last)
        for k in carried:
            if k < len(fields) and fields[k][:1] in _STARTS and _FORMULA.match(fields[k]):
                return True
    return False


_STARTS = frozenset("=@+-\r\t")
_MARK_AFTER_NEWLINE = re.compile(r"\n[-=@+\r\t]")   # a literal first: 0.3 s per million rows, loaded


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def _computed(chunk, precision: int | None = None) -> list[str]:
    """Each row's value and gradient as CSV fields: the shortest text that reads back the same
    float, or `precision` significant digits as a table shows them."""
    columns = [chunk.value] + list(chunk.gradient.values())
    text = repr if precision is None else lambda v: format_number(v, precision)
    return list(map(",".join, zip(*[map(text, column.tolist()) for column in columns])))


def csv_chunk(chunk, points, keep_going: bool, precision: int | None = None) -> str:
    """`points` (batch.Points) says the columns, the input's format and its delimiter."""
    computed = _computed(chunk, precision)
    columns, source = points.columns, points.format
    width = len(columns)
    end = ",\n" if keep_going else "\n"
    if source == "csv" and not chunk.errors and not points.trailing:
        # The common case, checked once for the chunk: every row as read, `;` or tabs made commas
        # (no spaces to strip, no quotes, no control characters; good rows without quotes have
        # width - 1 separators each). Decimal commas become points here only if every column is an
        # input; with carried columns (a comma in a label is quoted) each row is looked at.
        joined, sep = "\n".join(chunk.texts), points.delimiter
        if " " not in joined and '"' not in joined:
            if sep != ",":
                if "," in joined:
                    joined = joined.replace(",", ".") if len(points.take) == width else None
                if joined is not None:
                    joined = joined.replace(sep, ",")
            if joined is not None and joined.replace("\n", "").isprintable() \
                    and not _formula_in(joined, _carried(points)):
                return "".join([f"{text},{numbers}{end}"
                                for text, numbers in zip(joined.split("\n"), computed)])
    lines = []
    for i, text in enumerate(chunk.texts):
        error = chunk.errors.get(i)
        if error is None:
            if source == "csv":
                echo = _echo_row(text, points)
            else:
                echo = _echo_fields(chunk.records[i], columns, points.inputs)
            lines.append(f"{echo},{computed[i]}{end}")
            continue
        # A bad row keeps its fields, one per column (the message quotes a row of the wrong length).
        if source == "csv":
            fields = _fields(text, points.delimiter)[:width]
            fields += [""] * (width - len(fields))
        else:
            fields = [_text(chunk.records[i].get(name, "")) for name in columns]
        # the file's text, never a terminal's control codes, nor a spreadsheet's formula
        fields = [visible(f) if k in points.take or columns[k] in points.inputs else inert(visible(f))
                  for k, f in enumerate(fields)]
        lines.append(_csv_line(fields + [""] * (1 + len(chunk.gradient)) + [inert(visible(error.message))]))
    return "".join(lines)


def _echo_row(text: str, points) -> str:
    """A good CSV row's input fields, comma-separated: as read when plain (the common case, no
    work per field); else each field without the spaces around it, a decimal comma as a point
    (`;`-separated files), quoted where CSV needs it, control characters made visible."""
    sep = points.delimiter
    if " " not in text and '"' not in text and text.count(sep) == len(points.columns) - 1:
        line = text if sep == "," else text.replace(sep, ",") if "," not in text else None
        if line is None:   # decimal commas: points, unless a carried field has a comma (quoted then)
            fields = text.split(sep)
            for k in points.take:
                fields[k] = fields[k].replace(",", ".")
            line = None if any("," in field for field in fields) else ",".join(fields)
        if line is not None and line.isprintable() and not _formula_in(line, _carried(points)):
            return line
    fields = [field.strip() for field in _fields(text, points.delimiter)[:len(points.columns)]]
    for k in points.take:
        fields[k] = decimal_point(fields[k], points.delimiter)
    take = set(points.take)
    return _csv_line([visible(field) if k in take else inert(visible(field))
                      for k, field in enumerate(fields)]).rstrip("\n")


def _carried(points) -> list[int]:
    """The positions of the columns carried through (not inputs), in order."""
    take = set(points.take)
    return [k for k in range(len(points.columns)) if k not in take]


def _fields(text: str, delimiter: str = ",") -> list[str]:
    if text.startswith("\0"):
        return []
    try:
        return next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        return [text]


def _echo_fields(record: dict, columns: list[str], inputs=()) -> str:
    return _csv_line([visible(_text(record.get(name, ""))) if name in inputs else
                      inert(visible(_text(record.get(name, "")))) for name in columns]).rstrip("\n")


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _number_or_null(field: str) -> float | None:
    text = field.strip()
    number = float(text) if NUMBER.match(text) else math.nan
    return number if math.isfinite(number) else None


def _finite_json(value) -> bool:
    try:
        dumps(value)
    except ValueError:
        return False
    return True


_ADDED = frozenset(("value", "gradient", "line", "error"))


def jsonl_chunk(chunk, points) -> str:
    columns, source, inputs = points.columns, points.format, points.inputs
    values = chunk.value.tolist()
    grads = {name: grad.tolist() for name, grad in chunk.gradient.items()}
    numbers = chunk.numbers.tolist()
    keys = {key: field_name(key, columns) for key in _ADDED}
    lines = []
    for i, text in enumerate(chunk.texts):
        error = chunk.errors.get(i)
        if source == "jsonl":   # a bad row's NaN or Infinity (which JSON lacks) is echoed as null
            record = {name: value if _finite_json(value) else None
                      for name, value in chunk.records[i].items()}
        elif error is None or isinstance(error, MathError):   # the row itself was well formed
            if len(inputs) == len(columns):
                record = dict(zip(columns, numbers[i]))
            else:   # carried columns as text, the inputs as numbers
                record = {name: field.strip() for name, field in
                          zip(columns, _fields(text, points.delimiter))}
                record.update(zip(inputs, numbers[i]))
        else:  # a malformed CSV row: numbers as numbers, anything else null (the error quotes it)
            fields = _fields(text, points.delimiter)
            carried = set(points.carried)
            record = {name: (fields[k].strip() if k < len(fields) else "") if name in carried else
                      _number_or_null(decimal_point(fields[k], points.delimiter) if k < len(fields) else "")
                      for k, name in enumerate(columns)}
        named = keys   # a carried key named value, …: the added one becomes value_
        if source == "jsonl" and not _ADDED.isdisjoint(record):
            named = {key: field_name(key, list(record)) for key in _ADDED}
        if error is None:
            record[named["value"]] = values[i]
            record[named["gradient"]] = {name: g[i] for name, g in grads.items()}
        else:
            record[named["line"]], record[named["error"]] = chunk.lines[i], error.message
        lines.append(dumps(record) + "\n")
    return "".join(lines)
