"""Numbers as a person writes them: 3.3, not 3.3000000000000003."""

from __future__ import annotations

import re

DEFAULT_PRECISION = 10

# A number as a value may be written: ASCII digits only (Python's float() also takes other scripts'
# digits and 1_000), no nan or inf.
NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def read_number(text: str) -> float | None:
    """`text` (spaces around allowed) as a float if it is a NUMBER, else None: the one way user text
    becomes a number (`--x`, `--expect`, `--limit`, CSV cells), so `٦` or `1_0` is refused everywhere."""
    text = text.strip()
    return float(text) if NUMBER.match(text) else None


def format_number(x: float, precision: int = DEFAULT_PRECISION) -> str:
    """`precision` significant digits, trailing zeros dropped, -0 shown as 0. A number that needs
    fewer digits to be read back exactly (0.1, or 1e-320 as typed) gets only those: at 17 digits
    0.1 would show its binary expansion's noise, 0.10000000000000001, where --json says 0.1."""
    x = float(x)
    text = repr(x)
    if len(text) <= precision + 1 and precision <= 15 and "e" not in text and text[-1] in _DIGITS:
        # repr's shortest digits are at most `precision` and no exponent is due: they are the
        # answer (up to 15 digits, rounding to `precision` cannot move them). -q prints 10⁵ of these.
        text = text[:-2] if text[-2:] == ".0" else text
        return "0" if text == "-0" else text
    text = f"{x:.{precision}g}"
    needed = _significant(repr(abs(x)))
    if _significant(text) > needed:   # digits beyond those x needs: its binary expansion's noise
        # repr's own digits: rounding to `needed` digits again can land on the other side of a tie
        # (2**-24 is 5.9604644775390625e-08: ...062 at 16 digits, which reads back as another float).
        text = repr(x).removesuffix(".0")
    if text == "-0":
        return "0"
    if "e" in text:  # 1e+20 → 1e20, 1e-05 → 1e-5
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


_DIGITS = frozenset("0123456789")


def _significant(text: str) -> int:
    """Significant digits written in a number's text (1 for 0, inf and nan)."""
    digits = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
    return max(len(digits), 1)


def format_shape(shape: tuple[int, ...]) -> str:
    """(2,3), (3,), () — numpy's notation without spaces, as shapes are written next to formulas."""
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ",".join(map(str, shape)) + ")"


def format_value(value, precision: int = DEFAULT_PRECISION, line_width: int = 78) -> str:
    """A scalar as a number; an array as nested lists, abbreviated by numpy when large.

    The elements of a matrix (or more axes) are padded to one width, so its columns line up; a
    vector's are not ([1, 0.3678794412], not [           1, 0.3678794412]: it has no columns). numpy
    breaks a row that is longer than `line_width` between elements, never inside a number.
    """
    shape = getattr(value, "shape", ())
    if shape == ():
        return format_number(value, precision)
    import numpy as np

    threshold, edge = 60, 3
    shown = value
    if value.size > threshold:  # only the corners numpy will print decide the width
        shown = value[np.ix_(*[np.r_[0:min(edge, n), max(edge, n - edge):n] for n in shape])]
    width = 0 if len(shape) == 1 else max((len(format_number(v, precision)) for v in shown.ravel()), default=0)
    return np.array2string(
        value, separator=", ", threshold=threshold, edgeitems=edge, max_line_width=line_width,
        formatter={"float_kind": lambda v: format_number(v, precision).rjust(width)},
    )


def element_labels(name: str, value) -> list[str]:
    """x for a scalar; x[0], x[1], … (x[0,1] for a matrix) for the elements of an array."""
    shape = getattr(value, "shape", ())
    if shape == ():
        return [name]
    import numpy as np

    return [f"{name}[{','.join(map(str, index))}]" for index in np.ndindex(shape)]


def format_line(value, precision: int = DEFAULT_PRECISION) -> str:
    """A scalar as a number; an array on one line as nested lists with every element, as in JSON.

    For -q, where a script reads one value per line.
    """
    if type(value) is float or getattr(value, "shape", ()) == ():   # a float has no shape to look for
        return format_number(value, precision)
    import sys

    import numpy as np

    text = np.array2string(value, separator=", ", threshold=sys.maxsize, max_line_width=sys.maxsize,
                           formatter={"float_kind": lambda v: format_number(v, precision)})
    return " ".join(text.split())   # numpy still breaks rows onto lines; join them


# One validation for every number from every source ----------------------------------------------
# An option, a JSON list or line, a CSV field, a TOML value and a .npy element all pass through
# `number_problem` (or `load_json`, whose hooks apply the same rules while the text is parsed), so
# each source refuses the same things: not a number, true/false, nan, inf, beyond a 64-bit float.


class BadNumber(ValueError):
    """A number that is not finite, not real or out of range, found while reading (say `what`)."""


def number_problem(raw) -> str | None:
    """Why `raw` is not a usable number, as `is …` (None if it is a finite 64-bit float).

    Strings follow the command line's syntax (ASCII digits; no `1_000`, hex, nan or inf); Python ints
    are sized by their bits before any conversion, so a 5000-digit integer costs nothing.
    """
    import math

    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return "empty"
        if NUMBER.match(text):
            return None if math.isfinite(float(text)) else f"beyond a 64-bit float: {_short(text)}"
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            return f"not finite: {_short(raw)!r} (nan and inf are not allowed)"
        return f"not a number: {_short(raw)!r}"
    from numbers import Real   # here: the common case, a string, needs no abstract number classes

    if isinstance(raw, bool) or type(raw).__name__ == "bool_" or not isinstance(raw, Real):
        return f"not a number: {describe(raw)}"
    try:
        value = float(raw)   # an int whose bits exceed a float's range raises, never rounds to inf
    except OverflowError:
        return f"beyond a 64-bit float: an integer of about {int(int(raw).bit_length() * 0.30103)} digits"
    if math.isnan(value):
        return "not a number (nan)"
    if math.isinf(value):
        return "infinite (inf, or beyond a 64-bit float)"
    return None


def describe(raw) -> str:
    """A value as a message shows it: JSON's spelling where there is one, cut short."""
    import json

    if isinstance(raw, int) and raw.bit_length() > 1024:   # str() of 5000 digits is refused
        return f"an integer of about {int(raw.bit_length() * 0.30103)} digits"
    try:
        text = json.dumps(raw, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(raw)
    return _short(text)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def load_json(text: str):
    """JSON with integers bounded before conversion (a 400-digit integer reads as inf, as 1e400 does,
    not as a huge int; 5000 digits would stop Python's int()), and nesting deep enough to exhaust
    the stack refused with BadNumber. NaN, Infinity and 1e999 are read as the floats they name:
    every caller checks each element with `number_problem`, which says where the bad one is.
    Raises json.JSONDecodeError (a ValueError) for text that is not JSON."""
    import json

    def parse_int(s: str):
        # int() of a few thousand digits is refused by Python itself (and slow below that).
        return int(s) if len(s) < 300 else float(s)

    try:
        return json.loads(text, parse_int=parse_int)
    except RecursionError:
        raise BadNumber("nested too deeply") from None
