"""Reading program text by its brackets, before the grammar does: where a statement or a lambda's
body ends."""

from __future__ import annotations


def statement_end(text: str, start: int, stops: str = ";\n", closer_ends: bool = False) -> int:
    """Where the text from `start` ends: at a character of `stops` outside the brackets opened after
    `start`, at a closing bracket opened before it if `closer_ends`, or at the end of the text."""
    depth = 0
    for k in range(start, len(text)):
        char = text[k]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0 and closer_ends:
                return k
            depth -= 1
        elif char in stops and depth <= 0:
            return k
    return len(text)
