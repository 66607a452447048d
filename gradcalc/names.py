"""What a name is (variables, options, answers, sheet keys), and the one "did you mean" helper."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: typing is no import of a plain question
    from collections.abc import Iterable

# A variable's name: ASCII letters, digits and _, not starting with a digit (as the grammar's NAME).
NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def is_name(text: str) -> bool:
    """True if `text` is a whole name (`x`, `apple_num`), nothing around it."""
    return NAME.fullmatch(text) is not None


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate `name` was probably meant to be (`jsno` → `json`), or None if none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None
