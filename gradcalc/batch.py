"""Batches: value and gradient at many points, one vectorised pass per chunk of rows.

Each variable becomes an array holding the chunk's points (the elementwise ops broadcast), so one
forward and one backward pass serve every row. A row whose point is outside the domain does not
fail the chunk: the passes mark it (a per-row finiteness mask) and carry on.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from typing import IO, Any, Iterator

import numpy as np

from .csvtext import decimal_point, delimiter as delimiter_of
from .errors import GradcalcError, MathError
from .names import did_you_mean, fold, fold_keys
from .result import greek_keys
from .evaluate import backward, forward
from .graph import Graph
from .numbers import BadNumber, describe, load_json, number_problem
from .ops import OPS

CHUNK_BYTES = 1 << 20   # input read per vectorised pass once the stream is going (~60 000 short rows)
FIRST_BYTES = 1         # the first chunk is one line, so output starts at once; chunks then double
PASS_ROWS = 1 << 14     # rows per forward/backward pass: 128 KiB per array, cache-sized
MAX_LINE = 1 << 20      # bytes; a longer line is one malformed row, so memory stays bounded

_UNDECODABLE = "\0"     # marks a line that is not UTF-8; the rest of the text says why


@dataclass
class Chunk:
    """Rows read and computed together. Row i: its line number, its text as read, its point (CSV:
    `numbers[i]`; JSON lines: `records[i]`), its value and gradient, or its error."""

    lines: list[int]
    texts: list[str]
    numbers: np.ndarray                               # (rows, columns); ones where a row is malformed
    records: list[dict] | None = None                 # JSON lines: each row's object
    value: np.ndarray | None = None
    gradient: dict[str, np.ndarray] = field(default_factory=dict)
    errors: dict[int, GradcalcError] = field(default_factory=dict)   # malformed (2) or math (3)
    consumed: int = 0                                 # bytes of input read so far, for a progress bar

    def __len__(self) -> int:
        return len(self.lines)

    def head(self, k: int) -> Chunk:
        """The first k rows (the ones before an error that stops the batch)."""
        return Chunk(self.lines[:k], self.texts[:k], self.numbers[:k],
                     None if self.records is None else self.records[:k],
                     None if self.value is None else self.value[:k],
                     {name: grad[:k] for name, grad in self.gradient.items()},
                     {i: e for i, e in self.errors.items() if i < k}, self.consumed)


@dataclass
class Points:
    """An opened points file: its format, the columns a row gives, and the input still to read."""

    format: str                       # "csv" or "jsonl"
    columns: list[str]                # CSV: the header; JSON lines: line 1's carried keys, the inputs
    stream: IO[bytes]
    first: list[tuple[int, str]]      # lines already read while finding the header (JSON lines)
    line: int                         # number of the last line read
    consumed: int                     # bytes read so far
    inputs: list[str] = field(default_factory=list)    # the columns that are inputs, in file order
    carried: list[str] = field(default_factory=list)   # the columns carried through (JSON: line 1's)
    delimiter: str = ","              # CSV: ',', ';' or a tab (the header's, as for --answers)
    trailing: int = 0                 # CSV: empty names ending the header (`x,y,`), dropped

    def __post_init__(self) -> None:
        carried = set(self.carried)   # sets and a dict: a header may name 60 000 columns
        if not self.inputs:
            self.inputs = [name for name in self.columns if name not in carried]
        # CSV: where each input's field is in a row
        where = {name: k for k, name in enumerate(self.columns)}
        self.take = [where[name] for name in self.inputs] if self.format == "csv" else []


def evaluate_points(graph: Graph, columns: dict[str, np.ndarray], n: int, wrt: tuple[str, ...] = ()
                    ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[int, MathError]]:
    """Value and gradient at n points at once: `columns` maps every input to an array of n values.

    Returns the value (n,), the gradient per input (n,) and, for each row whose point is outside the
    domain (any non-finite value or gradient), the MathError that point alone would have raised.
    The passes run over slices of PASS_ROWS rows: arrays that fit in the cache, and memory that numpy
    reuses from one slice to the next instead of asking the system for fresh pages.
    """
    if graph.seed is not None:
        raise GradcalcError(f"{graph.seed[1]} seeds the backward pass: a batch computes the gradients of the "
                            f"output itself", hint="compute it one point at a time (without --points)")
    value = np.empty(n)
    gradient = {name: np.empty(n) for name in wrt or graph.variables}
    errors: dict[int, MathError] = {}
    for start in range(0, n, PASS_ROWS):
        stop = min(n, start + PASS_ROWS)
        part = {name: column[start:stop] for name, column in columns.items()}
        value[start:stop], grads, part_errors = _evaluate_slice(graph, part, stop - start, wrt)
        for name, grad in grads.items():
            gradient[name][start:stop] = grad
        errors.update((start + i, error) for i, error in part_errors.items())
    return value, gradient, errors


def _evaluate_slice(graph: Graph, columns: dict[str, np.ndarray], n: int, wrt: tuple[str, ...]):
    bad = np.zeros(n, dtype=bool)
    errors: dict[int, MathError] = {}

    def on_nonfinite(value, error_at) -> None:
        finite = np.isfinite(value)
        new = ~bad if finite.ndim == 0 else ~finite & ~bad   # a constant overflowing fails every row
        for i in np.flatnonzero(new):
            errors[int(i)] = error_at(int(i))
        bad[new] = True

    values = forward(graph, columns, on_nonfinite)
    _require_elementwise(graph, values, n)
    if np.ndim(values[graph.output]) == 0:   # an output that depends on no input: one row per point
        values = list(values)                # (on Python floats they are an array('d'), of floats only)
        values[graph.output] = np.full(n, values[graph.output])
    grads, _ = backward(graph, values, None, on_nonfinite, wrt=wrt, record=False)   # only the edges wanted
    gradient = {}
    for name in wrt or tuple(graph.variables):
        grad = grads[graph.node_of(name)]
        gradient[name] = 0.0 if grad is None else grad
    return values[graph.output], gradient, errors


def _require_elementwise(graph: Graph, values: list, n: int) -> None:
    # A row is one point: an op that mixes rows (matrix product, transpose, a sum) has no meaning here.
    for node in graph.nodes:
        if node.op is None:
            continue
        shape = np.shape(values[node.id])
        from_rows = any(np.shape(values[i]) == (n,) for i in node.inputs)
        # softmax, @, ᵀ, indexing are not elementwise even where shapes agree (`elementwise` in OPS).
        if shape not in ((), (n,)) or (from_rows and (shape != (n,) or not OPS[node.op].elementwise)):
            raise GradcalcError("a batch computes one point per row, so every operation must work "
                                "element by element", node.span,
                                hint="matrix products and reductions are not available with --points",
                                text=graph.text)


# Reading points ---------------------------------------------------------------------------------

def carried_columns(given, graph: Graph, fixed, where: str = "", unknown=None) -> list:
    """The names in `given` that are not inputs of the expression: an `id` or `label` column, carried
    through to the output unchanged. A name close to an input that has no column and no value (`xx`
    when the expression uses x) is refused with "did you mean": a typo, not data. The one rule for a
    CSV header, a JSON line's keys and gradcalc.vectorize's columns. `unknown(name)`: the message."""
    present = {str(name) for name in given}
    uncovered = [name for name in graph.variables if name not in present and name not in fixed]
    others = [name for name in given if name not in graph.variables]
    # "did you mean" compares every other column with every input lacking one: bounded, so a header
    # of 60 000 names stays linear (past the bound an input without a default is still reported missing)
    if len(others) * len(uncovered) > 100_000:
        uncovered = []
    carried = []
    for name in others:
        close = did_you_mean(str(name), uncovered) if uncovered and str(name) else None
        if close:
            raise GradcalcError(unknown(name) if unknown else f"{where}the expression has no variable {name}",
                                hint=f"did you mean {close}? (a column whose name is not close to a "
                                     f"variable's is carried through unchanged)")
        carried.append(name)
    return carried


def _check_names(graph: Graph, fixed: dict[str, Any], wrt: tuple[str, ...]) -> None:
    for name, value in fixed.items():
        if name not in graph.variables:
            close = did_you_mean(name, graph.variables)
            raise GradcalcError(f"a value was given for {name}, which the expression does not use",
                                hint=f"did you mean {close}?" if close else None)
        if np.ndim(value):
            raise GradcalcError(f"with --points, --{name} must be one number (the same for every row)")
    for name in wrt:
        if graph.node_of(name) is None:   # an input, or a named intermediate
            known = list(graph.variables) + graph.intermediates()
            raise GradcalcError(f"cannot differentiate with respect to {name}: the expression does "
                                f"not use it", hint=f"the expression uses {', '.join(known)}")


def _decode(raw: bytes, number: int) -> str:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):   # a byte-order mark from spreadsheets
        raw = raw[3:]
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        return f"{_UNDECODABLE}line {number} is not UTF-8 text ({error.reason} at byte {error.start + 1})"


def open_points(stream: IO[bytes], graph: Graph, fixed: dict[str, float] | None = None,
                wrt: tuple[str, ...] = ()) -> Points:
    """Read up to the first non-blank line: `{` starts JSON lines, anything else is a CSV header.

    `fixed` values hold for every row (`--tax 1.08`); variables with a default in the program may be
    left out. Rows are read later, chunk by chunk, as `run` asks for them.
    """
    fixed = fixed or {}
    _check_names(graph, fixed, wrt)
    number, consumed = 0, 0
    for raw in iter(lambda: stream.readline(MAX_LINE + 1), b""):
        number += 1
        consumed += len(raw)
        if len(raw) > MAX_LINE:
            raise GradcalcError(f"line {number} of the points file is longer than {MAX_LINE} bytes",
                                hint="the first line is a CSV header naming the variables, or a JSON object")
        text = _decode(raw, number)
        if not text.strip():
            continue
        if text.lstrip().startswith("{"):
            # CSV out: the first object's carried keys (id, label) first, then the inputs
            carried = _first_carried(text, graph, fixed)
            columns = carried + [name for name in graph.variables if name not in fixed]
            return Points("jsonl", columns, stream, [(number, text)], number, consumed, carried=carried)
        delimiter = delimiter_of(text)
        text = fold(text)             # a column µ is the expression's μ, as --µ is
        columns, carried, trailing = _header(number, text, graph, fixed, delimiter)
        return Points("csv", columns, stream, [], number, consumed, carried=carried,
                      delimiter=delimiter, trailing=trailing)
    raise GradcalcError("the points file is empty",
                        hint="give a CSV header naming the variables, then one point per line")


def column_list(names: list, shown: int = 5) -> str:
    """`id, label`, or the first few and how many more (a header may have 60 000 names)."""
    text = ", ".join(str(name) or "(no name)" for name in names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _first_carried(text: str, graph: Graph, fixed: dict[str, float]) -> list[str]:
    """The keys of the first JSON line that are carried through (for the note); its errors, if any,
    are reported with its row."""
    try:
        data = load_json(text)
        return carried_columns(list(greek_keys(graph, fold_keys(data))), graph, fixed) \
            if isinstance(data, dict) else []
    except (ValueError, GradcalcError):   # not JSON, a bad number, a near-miss key
        return []


def _split(text: str, delimiter: str = ",") -> list[str]:
    return text.split(delimiter) if '"' not in text else next(csv.reader([text], delimiter=delimiter))


def _header(number: int, text: str, graph: Graph, fixed: dict[str, float], delimiter: str = ","
            ) -> tuple[list[str], list[str], int]:
    """The header's names, those carried through, and how many empty names ended it (`x,y,`)."""
    where = f"line {number} (the header)"
    if text.startswith(_UNDECODABLE):
        raise GradcalcError(text[1:])
    # A column beta is the expression's β (\beta), as --beta is, and is shown as β as the output's
    # gradient column and every table show it (greek_keys: only where the text has the letter).
    columns = [name.strip() for name in _split(text, delimiter)]
    spelled = greek_keys(graph, {name: name for name in columns})   # the letter → the column so spelled
    if len(spelled) == len(set(columns)):
        as_letter = {given: letter for letter, given in spelled.items() if letter != given}
        columns = [as_letter.get(name, name) for name in columns]   # a column twice stays twice, said below
    trailing = 0
    while len(columns) > 1 and not columns[-1]:   # some spreadsheets end every line with a comma
        columns.pop()
        trailing += 1
    for name in columns:
        if name in fixed and name in graph.variables:
            raise GradcalcError(f"{where}: {name} is both a column and given as --{name}",
                                hint=f"drop the column or the --{name} option")
    # Sets, not list searches: a header naming 60 000 variables took 42 s (count() per column).
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise GradcalcError(f"{where}: column {name or '(no name)'} appears twice")
        seen.add(name)
    carried = carried_columns(columns, graph, fixed, f"{where}: ")
    missing = [n for n in graph.variables if n not in seen and n not in fixed and n not in graph.defaults]
    if missing:
        others = f" ({column_list(carried)} "\
                 f"{'are not variables' if len(carried) > 1 else 'is not a variable'})" if carried else ""
        hint = f"add a column, or give one value for every row with --{missing[0]} VALUE"
        cased = {name: column for name in missing for column in carried if column.lower() == name.lower()}
        if cased:   # a header X,y for x*y: names are case-sensitive
            hint = (f"rename the column{'s' if len(cased) > 1 else ''} "
                    f"{' and '.join(f'{column} to {name}' for name, column in cased.items())}: names are case-sensitive")
        raise GradcalcError(f"{where}: no column for {', '.join(missing)}{others}", hint=hint)
    return columns, carried, trailing


def _raw_chunks(points: Points, first: int, largest: int) -> Iterator[tuple[list[int], list[str]]]:
    """Non-blank lines in chunks of about `first`, 2·first, … up to `largest` bytes, with their numbers.

    Reads with read1 (whatever the pipe has, up to the size), so rows come out as they come in; a
    line longer than MAX_LINE bytes becomes one malformed row and is skipped to its end.
    """
    if points.first:
        yield [n for n, _ in points.first], [t for _, t in points.first]
    read = getattr(points.stream, "read1", points.stream.read)
    size, number, carry, skipping = first, points.line, b"", False
    while True:
        block = read(size)
        size = min(2 * size, largest)
        if not block and not carry:
            return
        points.consumed += len(block)
        data = carry + block
        cut = len(data) if not block else data.rfind(b"\n")   # at the end, the last line has no \n
        if cut < 0:
            carry = data
            if len(carry) > MAX_LINE and not skipping:
                number += 1
                yield [number], [f"{_UNDECODABLE}line {number} is longer than {MAX_LINE} bytes"]
                carry, skipping = b"", True
            elif skipping:
                carry = b""
            continue
        raws, carry = data[:cut].split(b"\n"), data[cut + 1:]
        if skipping:   # the rest of the long line, already reported
            raws, skipping = raws[1:], False
        try:
            texts = [t.rstrip("\r") for t in b"\n".join(raws).decode("utf-8").split("\n")] if raws else []
        except UnicodeDecodeError:
            texts = [_decode(raw, number + 1 + i) for i, raw in enumerate(raws)]
        lines = list(range(number + 1, number + 1 + len(texts)))
        number += len(texts)
        if not all(map(str.strip, texts)):   # blank lines (or only spaces) are not rows
            kept = [(n, t) for n, t in zip(lines, texts) if t.strip()]
            lines, texts = [n for n, _ in kept], [t for _, t in kept]
        if texts:
            yield lines, texts
        if not block:
            return


def _number_error(number: int, name: str, raw: Any) -> str | None:
    """Why a field is not a usable number (None if it is one): the command line's number syntax for
    CSV text (ASCII digits; no `1_000`, hex or `nan`), a JSON number for JSON lines."""
    problem = number_problem(raw)
    if problem is None:
        return None
    if problem.startswith("not a number: ") and not isinstance(raw, str):
        problem = f"not a number: {describe(raw)}"
    return f"line {number}: the value of {name} is {problem}"


def _field_value(number: int, name: str, raw: Any) -> tuple[float, str | None]:
    """A field's number, or why it is none: JSON's numbers and the command line's as they are, text
    such as pi/4 or 1/3 through the one reader of typed values (gradcalc.values)."""
    message = _number_error(number, name, raw)
    if message is None:
        return float(raw.strip() if isinstance(raw, str) else raw), None   # stripped: '1\x1f' was exit 70
    if isinstance(raw, str) and " is not a number: " in message:
        from .values import read_scalar

        try:
            return read_scalar(raw, name), None
        except GradcalcError as error:
            return 0.0, f"line {number}: {error.message}"
    return 0.0, message


def _csv_numbers(lines: list[int], texts: list[str], points: Points
                 ) -> tuple[np.ndarray, dict[int, str]]:
    """The chunk's points as an (n, inputs) array, and a message for each malformed row."""
    n, width, take, sep = len(texts), len(points.columns), points.take, points.delimiter
    numbers = _csv_fast(texts, width, take, sep, points.trailing)
    if numbers is not None:
        return numbers, {}
    # Something is off: look at each row to say which line and why.
    numbers, malformed = np.ones((n, len(take))), {}
    for i, (number, text) in enumerate(zip(lines, texts)):
        message = None
        if text.startswith(_UNDECODABLE):
            message = text[1:]
        else:
            try:
                fields = _split(text, sep)
            except csv.Error as error:
                fields, message = [], f"line {number} is not a CSV row: {error}"
            if text.count('"') % 2:   # read line by line, a quoted field cannot hold a newline
                message = (f"line {number} has an unclosed quote (a quoted field cannot span lines): "
                           f"{text}")
            if width < len(fields) <= width + points.trailing and not "".join(fields[width:]).strip():
                fields = fields[:width]   # the header ended with empty names, the row with empty fields
            if message is None and len(fields) != width:
                message = (f"line {number} has {len(fields)} field{'s' * (len(fields) != 1)}, the "
                           f"header has {width}: {text}")
            if message is None:
                fields = [decimal_point(fields[k], sep) for k in take]
                row = []
                for name, raw in zip(points.inputs, fields):
                    value, message = _field_value(number, name, raw)
                    if message:
                        break
                    row.append(value)
        if message is None:
            numbers[i] = row
        else:
            malformed[i] = message
    return numbers, malformed


def _csv_fast(texts: list[str], width: int, take: list[int], sep: str, trailing: int
              ) -> np.ndarray | None:
    """The common case in one split and one conversion per input column (no Python loop per row),
    or None if any row needs a closer look."""
    joined = sep.join(texts)
    if '"' in joined or _UNDECODABLE in joined:
        return None
    count = texts[0].count(sep)
    stride = count + 1   # fields per row: the header's, or with the empty ones a header ended with
    if not width <= stride <= width + trailing or not all(t.count(sep) == count for t in texts):
        return None
    # numpy also reads `1_000`, `nan` and non-ASCII digits; those rows take the slow path and are refused.
    if stride == width == len(take):   # every column an input: one split, one conversion
        text = joined if sep == "," else joined.replace(",", ".")   # decimal commas
        if not text.isascii() or "_" in text:
            return None
        try:
            numbers = np.array(text.split(sep), dtype=np.float64).reshape(len(texts), width)
        except ValueError:
            return None
        return numbers if np.isfinite(numbers).all() else None
    fields = joined.split(sep)
    if stride > width and "".join("".join(fields[j::stride]) for j in range(width, stride)).strip():
        return None
    clean = joined.isascii() and "_" not in joined   # else each input column is checked
    numbers = np.empty((len(texts), len(take)))
    for j, k in enumerate(take):
        column = fields[k::stride]
        text = "" if clean and sep == "," else "\n".join(column)
        if not clean and (not text.isascii() or "_" in text):
            return None
        if sep != "," and "," in text:
            column = text.replace(",", ".").split("\n")
        try:
            numbers[:, j] = np.array(column, dtype=np.float64)
        except ValueError:
            return None
    return numbers if np.isfinite(numbers).all() else None


def _json_records(lines: list[int], texts: list[str], columns: list[str], graph: Graph,
                  fixed: dict[str, float]) -> tuple[np.ndarray, list[dict], dict[int, str]]:
    numbers, records, malformed = np.ones((len(texts), len(columns))), [], {}
    for i, (number, text) in enumerate(zip(lines, texts)):
        record, message = _json_record(number, text, graph, fixed)
        records.append(record)
        if message:
            malformed[i] = message
        else:
            numbers[i] = [float(record[name]) if name in record else float(graph.defaults[name])
                          for name in columns]
    return numbers, records, malformed


def _json_record(number: int, text: str, graph: Graph, fixed: dict[str, float]) -> tuple[dict, str | None]:
    if text.startswith(_UNDECODABLE):
        return {}, text[1:]
    try:
        data = load_json(text)
    except json.JSONDecodeError as error:
        return {}, (f"line {number} is not JSON ({error.msg} at character {error.pos + 1}): "
                    f"{text.strip()[:60]}")
    except BadNumber as error:
        return {}, f"line {number} is not a JSON object of numbers: {error}"
    if not isinstance(data, dict):
        return {}, f"line {number} is not a JSON object: {text.strip()[:60]}"
    data = greek_keys(graph, fold_keys(data))   # {"µ": 2} gives the expression's μ, as --µ does; "beta" its β
    try:
        carried = carried_columns(list(data), graph, fixed, f"line {number}: ")
    except GradcalcError as error:
        hint = f" ({error.hint.split(' (')[0]})" if error.hint else ""
        return data, error.message + hint
    for name, raw in data.items():
        if name in carried:
            continue
        if name in fixed:
            return data, f"line {number}: {name} is also given as --{name}"
        value, message = _field_value(number, name, raw)
        if message:
            return data, message
        if isinstance(raw, str):   # "pi/4": the number it was read as is what the row computed with
            data[name] = value
    missing = [n for n in graph.variables if n not in data and n not in fixed and n not in graph.defaults]
    if missing:
        return data, f"line {number}: no value for {', '.join(missing)}"
    return data, None


# Computing --------------------------------------------------------------------------------------

def evaluate_columns(graph: Graph, columns: dict[str, np.ndarray], n: int, fixed: dict[str, float],
                     wrt: tuple[str, ...] = ()) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """Value (n,), gradient per variable (n,) and each failing row's MathError, for the columns given
    (arrays of n floats); the other inputs take their fixed value or their default. The one batch
    engine: --points and gradcalc.vectorize both come here."""
    columns = dict(columns)
    for name in graph.variables:
        if name not in columns:
            columns[name] = np.full(n, fixed[name] if name in fixed else float(graph.defaults[name]))
    return evaluate_points(graph, columns, n, wrt)


def compute_chunks(points: Points, graph: Graph, fixed: dict[str, float] | None = None,
                   wrt: tuple[str, ...] = (), first: int = FIRST_BYTES, largest: int = CHUNK_BYTES
                   ) -> Iterator[Chunk]:
    """Read, compute and yield the points chunk by chunk, in input order; errors stay with their rows."""
    fixed = fixed or {}
    for lines, texts in _raw_chunks(points, first, largest):
        records = None
        if points.format == "csv":
            numbers, malformed = _csv_numbers(lines, texts, points)
        else:
            numbers, records, malformed = _json_records(lines, texts, points.inputs, graph, fixed)
        n = len(texts)
        by_column = np.ascontiguousarray(numbers.T)    # one contiguous array per variable
        columns = {name: by_column[j] for j, name in enumerate(points.inputs)}
        value, gradient, math_errors = evaluate_columns(graph, columns, n, fixed, wrt)
        errors: dict[int, GradcalcError] = {i: GradcalcError(message) for i, message in malformed.items()}
        for i, error in math_errors.items():
            if i not in errors:
                error.message = f"line {lines[i]}: {error.message}"
                errors[i] = error
        yield Chunk(lines, texts, numbers, records, value, gradient, errors, points.consumed)


def run(points: Points, graph: Graph, fixed: dict[str, float] | None = None, wrt: tuple[str, ...] = (),
        keep_going: bool = False, first: int = FIRST_BYTES, largest: int = CHUNK_BYTES
        ) -> Iterator[Chunk]:
    """The chunks to write, in order. Without keep_going, the rows before the first bad one are
    yielded and then its error is raised; with it, bad rows carry their error and a summary error
    (exit 2 if any row was malformed, else 3) is raised once every row has been written."""
    total, failed, worst = 0, 0, None
    for chunk in compute_chunks(points, graph, fixed, wrt, first, largest):
        total += len(chunk)
        if chunk.errors and not keep_going:
            k = min(chunk.errors)
            yield chunk.head(k)
            raise chunk.errors[k]
        failed += len(chunk.errors)
        for error in chunk.errors.values():
            if worst is None or error.exit_code < worst.exit_code:   # bad input (2) before math (3)
                worst = error
        yield chunk
    if failed:
        kind = "malformed or outside the domain" if worst.exit_code == 2 else "outside the domain"
        raise type(worst)(f"{failed} of {total} rows failed ({kind}); each has its error in the "
                          f"error field", hint="the other rows were computed")
