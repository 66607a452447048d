"""Batch output: CSV or JSON lines, one line per input row, in input order; full float precision."""

from __future__ import annotations

import csv
import io
import json
import math

from ..errors import MathError, visible
from ..numbers import NUMBER
from .json import dumps


def field_name(name: str, columns: list[str]) -> str:
    """`value`, `error`, … unless an input has that name; then `value_`, so no column is shadowed."""
    while name in columns:
        name += "_"
    return name


def output_columns(columns: list[str], output: str, names: list[str], keep_going: bool) -> list[str]:
    """The inputs as given, `value`, `dz/dx` per variable, `error` with keep_going: the names of
    --points's CSV columns and of gradcalc.vectorize's."""
    header = list(columns) + [field_name("value", columns)] + [f"d{output}/d{name}" for name in names]
    return header + ([field_name("error", columns)] if keep_going else [])


def csv_header(columns: list[str], output: str, names: list[str], keep_going: bool) -> str:
    return _csv_line(output_columns(columns, output, names, keep_going))


def _csv_line(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def _computed(chunk) -> list[str]:
    """Each row's value and gradient as CSV fields, shortest text that reads back the same float."""
    columns = [chunk.value] + list(chunk.gradient.values())
    return list(map(",".join, zip(*[map(repr, column.tolist()) for column in columns])))


def csv_chunk(chunk, columns: list[str], source: str, keep_going: bool) -> str:
    computed = _computed(chunk)
    width = len(columns)
    lines = []
    for i, text in enumerate(chunk.texts):
        error = chunk.errors.get(i)
        if error is None:
            if source == "csv":   # as read, unless quoting or a control character needs the writer
                echo = text if '"' not in text and text.isprintable() else \
                    _csv_line([visible(f) for f in _fields(text)]).rstrip("\n")
            else:
                echo = _echo_fields(chunk.records[i], columns)
            lines.append(f"{echo},{computed[i]}{',' if keep_going else ''}\n")
            continue
        # A bad row keeps its fields, one per column (the message quotes a row of the wrong length).
        if source == "csv":
            fields = _fields(text)[:width]
            fields += [""] * (width - len(fields))
        else:
            fields = [_text(chunk.records[i].get(name, "")) for name in columns]
        fields = [visible(f) for f in fields]   # the file's text, never a terminal's control codes
        lines.append(_csv_line(fields + [""] * (1 + len(chunk.gradient)) + [visible(error.message)]))
    return "".join(lines)


def _fields(text: str) -> list[str]:
    if text.startswith("\0"):
        return []
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return [text]


def _echo_fields(record: dict, columns: list[str]) -> str:
    return _csv_line([visible(_text(record.get(name, ""))) for name in columns]).rstrip("\n")


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


def jsonl_chunk(chunk, columns: list[str], source: str) -> str:
    values = chunk.value.tolist()
    grads = {name: grad.tolist() for name, grad in chunk.gradient.items()}
    numbers = chunk.numbers.tolist()
    keys = {key: field_name(key, columns) for key in ("value", "gradient", "line", "error")}
    lines = []
    for i, text in enumerate(chunk.texts):
        error = chunk.errors.get(i)
        if source == "jsonl":   # a bad row's NaN or Infinity (which JSON lacks) is echoed as null
            record = {name: value if _finite_json(value) else None
                      for name, value in chunk.records[i].items()}
        elif error is None or isinstance(error, MathError):   # the row itself was well formed
            record = dict(zip(columns, numbers[i]))
        else:  # a malformed CSV row: numbers as numbers, anything else null (the error quotes it)
            fields = _fields(text)
            record = {name: _number_or_null(fields[k] if k < len(fields) else "")
                      for k, name in enumerate(columns)}
        if error is None:
            record[keys["value"]] = values[i]
            record[keys["gradient"]] = {name: g[i] for name, g in grads.items()}
        else:
            record[keys["line"]], record[keys["error"]] = chunk.lines[i], error.message
        lines.append(dumps(record) + "\n")
    return "".join(lines)
