"""Size limits on untrusted input, so a huge or hostile input fails at once with a clear message (exit 2)."""

from __future__ import annotations

import math

from .errors import GradcalcError, Span
from .numbers import read_number


MAX_LIMIT = 10**15   # any limit: a petabyte, or 10¹⁵ numbers
# The most steps of a pasted program's loop gradcalc unrolls (gradcalc/pyflow.py): a for loop over more, a
# while loop still running after them, is refused (range(10**9) at once, not after 10⁹ copies)
LOOP_STEPS = 1000


class Limits:
    """Defaults fit a 10⁵-term expression, 10⁵-deep nesting and a 10⁶-point batch with room to spare."""

    # A plain class, not a frozen dataclass: `dataclasses` costs a plain question ~15 ms of imports.
    # Treat it as frozen: `replace` and `with_overrides` make new Limits (DEFAULT is shared).
    __slots__ = ("length", "nodes", "elements", "total", "file", "sheet", "hessian", "jacobian")

    def __init__(self, length: int = 2_000_000, nodes: int = 1_000_000, elements: int = 10_000_000,
                 total: int = 50_000_000, file: int = 100_000_000, sheet: int = 2_000_000,
                 hessian: int = 200, jacobian: int = 1000):
        self.length = length        # characters of program text
        self.nodes = nodes          # nodes in the graph
        self.elements = elements    # numbers in any one value (80 MB of float64)
        self.total = total          # numbers in all the forward pass's values together
        self.file = file            # bytes in a file read for a program (-f) or a value (@file)
        self.sheet = sheet          # bytes in a homework sheet (gradcalc check): TOML reads ~3 MB/s
        self.hessian = hessian      # rows of a Hessian, each one more reverse pass (and 10⁴ node visits a row)
        self.jacobian = jacobian    # passes of a Jacobian, each a walk of the graph (and 2·10³ node visits a pass)

    def _values(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return self._values() == other._values() if type(other) is Limits else NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Limits(" + ", ".join(f"{name}={getattr(self, name)}" for name in self.__slots__) + ")"

    def with_overrides(self, pairs: list[str]) -> Limits:
        """`["nodes=2e6", "file=1e9"]` → these limits with those raised (or lowered)."""
        known = set(self.__slots__)
        changes = {}
        for pair in pairs:
            name, _, raw = pair.partition("=")
            name = name.strip()
            if name not in known:
                raise GradcalcError(f"unknown limit {name!r} in --limit {pair}",
                                    hint=f"limits: {', '.join(sorted(known))}")
            number = read_number(raw)
            number = math.nan if number is None else number
            if not (math.isfinite(number) and number >= 1 and number == int(number)):
                raise GradcalcError(f"--limit {name} needs a positive whole number, got {raw!r}",
                                    hint=f"write --limit {name}={getattr(self, name) * 10}")
            if number > MAX_LIMIT:   # beyond any machine's memory: a typo, and too large for read()
                raise GradcalcError(f"--limit {name}={raw} is beyond what any machine holds; the "
                                    "largest allowed is 1e15",
                                    hint=f"write --limit {name}={getattr(self, name) * 10}")
            changes[name] = int(number)
        return self.replace(**changes)

    def replace(self, **changes: int) -> Limits:
        """These limits with some changed: `limits.replace(file=limits.sheet)`."""
        return Limits(**{**{name: getattr(self, name) for name in self.__slots__}, **changes})


DEFAULT = Limits()

_WHAT = {"length": "characters", "nodes": "nodes", "elements": "numbers", "total": "numbers",
         "file": "bytes", "sheet": "bytes", "hessian": "rows",
         "jacobian": "passes"}


def chosen(limits) -> Limits:
    """The limits a caller passed: None for the defaults, else a Limits (not a dict or a number)."""
    if limits is None:
        return DEFAULT
    if type(limits) is not Limits:
        raise GradcalcError(f"limits is a gradcalc.limits.Limits, not {type(limits).__name__}: "
                            f"{limits!r}"[:200], hint="from gradcalc.limits import Limits; "
                                                      "limits=Limits(nodes=2_000_000)")
    return limits


def exceeded(limit: str, size: int, what: str, limits: Limits = DEFAULT,
             span: Span | None = None, text: str | None = None) -> GradcalcError:
    """The error for `what` having `size` units, over `limits.<limit>`; the hint says how to raise it."""
    allowed = getattr(limits, limit)
    hint = f"if that is intended, raise it with --limit {limit}={max(size, allowed * 10)}"
    if size > MAX_LIMIT:
        hint = "no machine holds that much: the input is malformed or far too large"
    error = GradcalcError(f"{what} has {size:,} {_WHAT[limit]}, over the limit of {allowed:,}", span,
                          hint=hint, text=text)
    error.limit = limit   # which limit: a class grader marks such an answer for review
    return error


def check(limit: str, size: int, what: str, limits: Limits = DEFAULT) -> None:
    """Raise the exit-2 error if `size` is over `limits.<limit>`."""
    if size > getattr(limits, limit):
        raise exceeded(limit, size, what, limits)


def read_bytes(path: str, what: str = "the file", limits: Limits = DEFAULT, limit: str = "file") -> bytes:
    """The contents of `path` ('-' is standard input), refusing files over `limits.file` bytes.

    Reads at most one byte past the limit, so /dev/zero or an endless pipe cannot exhaust memory.
    OSError (missing, a directory, no permission) becomes a one-line exit-2 error.
    """
    import sys

    try:
        if path == "-":
            if sys.stdin is None:   # started with standard input closed (`<&-`): bad input, exit 2
                raise GradcalcError(f"cannot read {what} '-': standard input is closed",
                                    hint="give a file, or pipe the input in (… < FILE)")
            data = _read_at_most(sys.stdin.buffer, limits.file + 1)
        else:
            with open(path, "rb") as handle:
                data = _read_at_most(handle, limits.file + 1)
    except (OSError, ValueError) as error:   # ValueError: a NUL byte in the path, a closed stream
        reason = getattr(error, "strerror", None) or str(error)
        raise GradcalcError(f"cannot read {what} {path!r}: {reason}",
                            hint="check the path and the file's permissions") from None
    if len(data) > limits.file:
        shown = "standard input" if path == "-" else repr(path)
        raise exceeded(limit, _size_of(path, len(data)), f"{what} {shown}", limits)
    return data


def _read_at_most(handle, size: int) -> bytes:
    """Up to `size` bytes, read in pieces: read(size) would reserve all of `size` at once, so a raised
    limit (--limit file=1e12) made reading a 4-byte file fail for want of memory."""
    pieces, left, piece = [], size, 1 << 20
    while left > 0:
        block = handle.read(min(left, piece))
        if not block:
            break
        pieces.append(block)
        left -= len(block)
        piece = min(piece * 2, 1 << 26)
    return b"".join(pieces)


def read_text(path: str, what: str = "the program file", limits: Limits = DEFAULT,
              limit: str = "file") -> str:
    """`read_bytes` decoded as UTF-8 (a leading byte-order mark is dropped)."""
    data = read_bytes(path, what, limits, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GradcalcError(f"cannot read {what} {path!r}: it is not UTF-8 text ({error.reason} at "
                            f"byte {error.start})", hint="save the file as UTF-8") from None


def _size_of(path: str, read: int) -> int:
    import os

    try:
        return max(read, os.stat(path).st_size) if path != "-" else read
    except OSError:
        return read
