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


def is_name(text: str) -> bool:
    """True if `text` is a whole name (`x`, `apple_num`), nothing around it."""
    return NAME.fullmatch(text) is not None


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate `name` was probably meant to be (`jsno` → `json`), or None if none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None
