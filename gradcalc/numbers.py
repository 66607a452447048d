"""Numbers as a person writes them: 3.3, not 3.3000000000000003."""

from __future__ import annotations

import re

DEFAULT_PRECISION = 10

# A number as a value may be written: ASCII digits only (Python's float() also takes other scripts'
# digits and 1_000), no nan or inf.
NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def format_number(x: float, precision: int = DEFAULT_PRECISION) -> str:
    """`precision` significant digits, trailing zeros dropped, -0 shown as 0."""
    text = f"{float(x):.{precision}g}"
    if text == "-0":
        return "0"
    if "e" in text:  # 1e+20 → 1e20, 1e-05 → 1e-5
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def format_shape(shape: tuple[int, ...]) -> str:
    """(2,3), (3,), () — numpy's notation without spaces, as shapes are written next to formulas."""
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ",".join(map(str, shape)) + ")"


def format_value(value, precision: int = DEFAULT_PRECISION, line_width: int = 78) -> str:
    """A scalar as a number; an array as nested lists, abbreviated by numpy when large.

    The elements of an array are padded to one width, so the columns of a matrix line up; numpy
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
    width = max((len(format_number(v, precision)) for v in shown.ravel()), default=0)
    return np.array2string(
        value, separator=", ", threshold=threshold, edgeitems=edge, max_line_width=line_width,
        formatter={"float_kind": lambda v: format_number(v, precision).rjust(width)},
    )


def format_line(value, precision: int = DEFAULT_PRECISION) -> str:
    """A scalar as a number; an array on one line as nested lists with every element, as in JSON.

    For -q, where a script reads one value per line.
    """
    if getattr(value, "shape", ()) == ():
        return format_number(value, precision)
    import sys

    import numpy as np

    text = np.array2string(value, separator=", ", threshold=sys.maxsize, max_line_width=sys.maxsize,
                           formatter={"float_kind": lambda v: format_number(v, precision)})
    return " ".join(text.split())   # numpy still breaks rows onto lines; join them
