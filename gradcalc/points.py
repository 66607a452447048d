"""Points as exact numbers: a sheet's points as written (0.1 is one tenth), shared and summed as fractions."""

from __future__ import annotations

from fractions import Fraction

# What a problem or an answer may be worth: finite totals (1e308 twice was "Score: inf of inf", and
# "max": Infinity, which is not JSON), and far beyond any real sheet.
MAX_POINTS = 1_000_000


def exact(points: float) -> Fraction:
    """The number the sheet's author wrote: 0.1 is 1/10, not the float nearest it (repr gives the
    shortest decimal that reads back as the same float), so 0.1 + 0.2 of 0.3 is all of it."""
    if isinstance(points, Fraction):
        return points
    if isinstance(points, int):
        return Fraction(points)
    return Fraction(repr(float(points)))
