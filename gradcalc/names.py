"""What a name is (variables, options, answers, sheet keys), and the one "did you mean" helper."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: typing is no import of a plain question
    from collections.abc import Iterable

# A variable's name, as the grammar's NAME: ASCII and Greek letters (not π, the constant), digits, _
# and subscript digits (x₁), not starting with a digit.
LETTERS = "A-Za-z_\u00b5\u0391-\u03bf\u03c1-\u03c9\u03d1\u03d5\u03f5"
NAME = re.compile(f"[{LETTERS}][{LETTERS}0-9\u2080-\u2089]*")


# Letters with a compatibility twin (NFKC): the micro sign µ is Greek μ, ϑ θ, ϕ φ, ϵ ε, as Python's own
# identifiers and LaTeX's \vartheta, \varphi, \epsilon fold them. A name is read folded wherever it
# is written (the expression, --µ, a sheet's at, --wrt, a CSV header), so --µ 0.5 gives the μ of the text.
_TWINS = str.maketrans("\u00b5\u03d1\u03d5\u03f5", "\u03bc\u03b8\u03c6\u03b5")


def fold(text: str) -> str:
    """`text` with each look-alike letter as its one spelling (µ → μ): 1 character for 1, so every
    place in the text stays where it was."""
    return text if text.isascii() else text.translate(_TWINS)


def fold_keys(values):
    """A mapping of names to values with its names folded (the same mapping when all are ASCII)."""
    if all(name.isascii() for name in values if isinstance(name, str)):
        return values
    return {fold(name) if isinstance(name, str) else name: value for name, value in values.items()}


def is_name(text: str) -> bool:
    """True if `text` is a whole name (`x`, `apple_num`), nothing around it."""
    return NAME.fullmatch(text) is not None


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate `name` was probably meant to be (`jsno` → `json`), or None if none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None
