"""Array values as people give them: nested lists, .npy and .csv files, each problem found and named."""

from __future__ import annotations

import io
import math

from .xp import np

from .errors import GradcalcError
from .limits import DEFAULT, Limits, exceeded, read_bytes
from .numbers import NUMBER, describe, number_problem


MAX_AXES = 32   # numpy's broadcasting (np.broadcast) handles no more


def _where(name: str, path: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, path))}]" if path else name


def _describe(item) -> str:
    from numbers import Real

    if item is None:
        return "null"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (list, tuple)):
        return "a list"
    if isinstance(item, Real):
        if number_problem(item):   # inf, nan; an int too large to print in full
            return str(item) if isinstance(item, float) else describe(item)
        return f"the number {item:g}"
    return repr(item)


def nested_list_problem(raw, name: str) -> str | None:
    """What keeps a nested list from being a rectangular array of numbers, with where it is; or None.

    Walks one depth at a time (no recursion): every item at a depth must be a list of the same
    length, or every one a number.
    """
    from numbers import Real   # here, as csv, pathlib and tokenize below: a plain number needs none

    level, depth = [((), raw)], 0
    while level:
        depth += 1                       # lists at this depth would be axis number `depth`
        lists = [(path, item) for path, item in level if isinstance(item, (list, tuple))]
        if lists and depth > MAX_AXES:
            return f"the value of {name} has more than {MAX_AXES} axes"
        if not lists:
            for path, item in level:
                if isinstance(item, bool) or not isinstance(item, Real):
                    return f"the value of {name} is not all numbers: {_where(name, path)} is {_describe(item)}"
                problem = number_problem(item)   # nan, inf, an int beyond a float's range
                if problem:
                    shown = str(item) if isinstance(item, float) else describe(item)
                    return f"the value of {name} is not finite: {_where(name, path)} is {shown}"
            return None
        if len(lists) != len(level):  # lists and numbers mixed at one depth: name the first of each
            (first_path, first), is_list = level[0], isinstance(level[0][1], (list, tuple))
            path, item = next((p, i) for p, i in level if isinstance(i, (list, tuple)) != is_list)
            return (f"the value of {name} is ragged: {_where(name, first_path)} is {_describe(first)} "
                    f"but {_where(name, path)} is {_describe(item)}")
        length = len(lists[0][1])
        for path, item in lists:
            if len(item) != length:
                return (f"the value of {name} is ragged: {_where(name, lists[0][0])} has {length} "
                        f"element{'s' if length != 1 else ''} but {_where(name, path)} has {len(item)}")
        level = [(path + (i,), child) for path, item in lists for i, child in enumerate(item)]
    return None


def read_array_file(name: str, path: str, limits: Limits = DEFAULT) -> np.ndarray:
    """`--W @weights.npy` or `--W @w.csv`: the array in the file, as float64."""
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    if suffix not in (".npy", ".csv"):
        raise GradcalcError(f"cannot read --{name} from {path!r}: gradcalc reads .npy and .csv files",
                            hint="save the array with numpy.save (.npy) or as comma-separated rows (.csv)")
    data = read_bytes(path, f"the file for --{name}", limits)   # bounded, and OSError → exit 2
    return _read_npy(name, path, data, limits) if suffix == ".npy" else _read_csv(name, path, data, limits)


def _bad_header() -> tuple[type[BaseException], ...]:
    """What numpy raises on a corrupt .npy header (it tokenizes and literal_evals the header's text)."""
    import tokenize

    return (ValueError, EOFError, OSError, TypeError, SyntaxError, OverflowError, MemoryError,
            RecursionError, tokenize.TokenError)


def _npy_size(data: bytes) -> int:
    """The number of elements a .npy header declares (0 if unreadable: np.load will say why)."""
    import math

    import warnings

    stream = io.BytesIO(data)
    bad_header = _bad_header()
    try:
        # numpy reads the header with ast.literal_eval: a hostile one (a backslash) makes Python warn
        # about its escapes, a line on stderr (Python 3.12+) for what is bad input, said below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            version = np.lib.format.read_magic(stream)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape = read_header(stream)[0]
    except bad_header:
        return 0
    # (0, 10**30) has no elements, but numpy cannot even compute its byte count: the largest axis
    # bounds the work as much as the product does.
    return max([math.prod(shape), *shape])


def _read_npy(name: str, path: str, data: bytes, limits: Limits = DEFAULT) -> np.ndarray:
    size = _npy_size(data)
    if size > limits.elements:   # a small file can declare a huge shape: refuse before np.load allocates
        raise exceeded("elements", size, f"{path} (for --{name})", limits)
    bad_header = _bad_header()
    import warnings

    try:
        with warnings.catch_warnings():   # the header's escapes, as in _npy_size
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            array = np.load(io.BytesIO(data), allow_pickle=False)   # never unpickle: a file must not run code
    except bad_header:
        raise GradcalcError(f"{path} (for --{name}) is not a numeric .npy file",
                            hint="write it with numpy.save from an array of numbers") from None
    # Kinds b, i, u, f only: timedelta64 counts as an integer to np.issubdtype, complex is not real.
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        kind = getattr(array, "dtype", type(array).__name__)
        raise GradcalcError(f"{path} (for --{name}) holds {kind} values, not real numbers",
                            hint="save an array of real numbers (float or int)")
    return array.astype(np.float64)


def _load_csv(data: bytes) -> np.ndarray | None:
    """numpy's C reader, for a file that is all finite numbers in rows of one length; else None."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # an empty file warns; the careful reader reports it
            array = np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2, comments=None,
                               dtype=np.float64, encoding="utf-8-sig")
    except ValueError:
        return None
    return array if array.size and np.all(np.isfinite(array)) else None


def _read_csv(name: str, path: str, data: bytes, limits: Limits) -> np.ndarray:
    """Rows of comma-separated numbers: always a matrix, so one line is a (1, n) row."""
    import csv

    # The numbers it holds, counted in C before anything is parsed: a 99 MB file once took 11 s and
    # 2.9 GB to reach its element limit.
    count = _cells(data)
    if count > limits.elements:
        raise exceeded("elements", count, f"{path} (for --{name})", limits)
    fast = _load_csv(data)
    if fast is not None:
        return fast
    # Not numbers everywhere: read it cell by cell, to say where the problem is.
    try:
        lines = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    except UnicodeDecodeError as error:
        raise GradcalcError(f"{path} (for --{name}) is not a CSV text file: {error}") from None
    try:
        return _read_rows(name, path, lines, limits)
    except csv.Error as error:
        raise GradcalcError(f"{path} (for --{name}) is not a CSV text file: {error}") from None


def _cells(data: bytes) -> int:
    """How many cells a plain CSV holds: a comma separates two, a line that is not blank has one
    more. Counted with bytes.count and a search for blank lines only (few, as a rule)."""
    import re

    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if len(data.translate(None, b" \t\r\f\v")) == len(data):   # no spaces: a blank line is \n\n
        newline = np.frombuffer(data, dtype=np.uint8) == 10
        blank = int(np.count_nonzero(newline[:-1] & newline[1:])) + data.startswith(b"\n")
    else:
        blank = len(re.findall(rb"(?:\A|\n)[ \t\r\f\v]*(?=\n)", data))
    return data.count(b",") + max(0, lines - blank)


def _read_rows(name: str, path: str, lines, limits: Limits) -> np.ndarray:
    rows: list[list[float]] = []
    for line_no, cells in enumerate(lines, start=1):
        if not cells or all(not cell.strip() for cell in cells):
            continue  # blank lines
        row = []
        for column, cell in enumerate(cells, start=1):
            text = cell.strip()   # float() of the unstripped cell failed on '1\x1f' (str.strip's whitespace)
            number = float(text) if NUMBER.match(text) else math.nan
            if not math.isfinite(number):   # overflow such as 1e999 included
                hint = "a CSV value holds numbers only; remove a header line" if line_no == 1 else \
                    "write every cell as a finite number"
                raise GradcalcError(f"{path} line {line_no}, column {column}: {cell.strip()!r} is not "
                                    f"a number (for --{name})", hint=hint)
            row.append(number)
        if rows and len(row) != len(rows[0]):
            raise GradcalcError(f"{path} line {line_no} has {len(row)} columns but the first row has "
                                f"{len(rows[0])} (for --{name})", hint="every row needs the same length")
        rows.append(row)
        if len(rows) * len(row) > limits.elements:   # stop before Python lists outgrow the limit
            raise exceeded("elements", len(rows) * len(row), f"{path} (for --{name})", limits)
    if not rows:
        raise GradcalcError(f"{path} (for --{name}) has no numbers", hint="the file is empty")
    return np.array(rows, dtype=np.float64)
