"""The LALR driver: runs the tables tools/generate_tables.py writes from the grammar, calling a builder's
methods on each reduction exactly as Lark would (same reductions, same children).

The tables (gradcalc/_lalr_tables.py) hold Lark's LALR actions for grammar/gradcalc.lark and its
terminals as one regular expression. Running them here needs no lark import (about a quarter of the
import floor's start-up) and costs about half of Lark's time per token: Lark's general-purpose loop,
token objects and callback wrappers were most of the time of a long parse. Whatever the driver cannot
finish (a syntax error, a rule only Lark's tree-building knows, tables older than the grammar) raises
Fallback, and the caller lets Lark itself parse the text again, so errors read exactly as Lark's.
"""

from __future__ import annotations

import re


class Fallback(Exception):
    """The driver stops here: Lark parses the text again (and reports the syntax error)."""


class Token(str):
    """A token as the builder sees it: its text, terminal name and place (Lark's Token has more)."""

    type: str
    start_pos: int
    end_pos: int


def token(text: str, kind: str, start: int, end: int) -> Token:
    made = str.__new__(Token, text)
    made.type, made.start_pos, made.end_pos = kind, start, end
    return made


def load(builder, grammar: str):
    """The generated tables with one reduction function per rule (calling `builder`'s methods), or
    None if they are missing or older than `grammar`."""
    try:
        from . import _lalr_tables as tables
    except ImportError:  # pragma: no cover - a broken installation
        return None
    if tables.GRAMMAR != grammar:
        return None
    reductions = [(size, origin, _reduction(builder, size, *shape)) for size, origin, *shape in tables.RULES]
    return tables, re.compile(tables.TOKENS), reductions


def _reduction(builder, size: int, callback: str, expand1: bool, include, append_none: int):
    """What Lark does on reducing a rule: drop filtered tokens, splice `_rule`s in, add placeholders,
    pass a `?rule`'s single child through, then call the builder (a `_rule` keeps its children list)."""
    then = getattr(builder, callback, None)
    if then is None:
        then = _children if callback.startswith("_") else _lark_only
    if expand1:
        if size == 1 and include is None:
            return _first
        build = then
        then = lambda children: children[0] if len(children) == 1 else build(children)  # noqa: E731
    if include is None:
        return then

    def reduce(children):
        kept = []
        for i, splice, nones in include:
            if nones:
                kept += [None] * nones
            if splice:
                if kept:
                    kept += children[i]
                else:
                    kept = children[i]      # left recursion: grow the same list, no copy
            else:
                kept.append(children[i])
        if append_none:
            kept += [None] * append_none
        return then(kept)

    return reduce


def _children(children):
    return children


def _first(children):
    return children[0]


def _lark_only(_children):
    raise Fallback


def drive(text: str, tables, token_re, reductions, matches=None):
    """The LALR loop: shift tokens, reduce by rules, until the start rule is complete. `matches`, if
    given, are the tokens to read instead of the text's own (math text's, gradcalc/mathtext.py)."""
    actions, ignore, new = tables.ACTIONS, tables.IGNORE, str.__new__
    states, values = [tables.START], []
    for match in token_re.finditer(text) if matches is None else matches:
        kind = match.lastgroup
        if kind in ignore:
            continue
        if kind == "unmatched":
            raise Fallback
        token = new(Token, match.group())
        token.type = kind
        token.start_pos, token.end_pos = match.span()
        while True:
            action = actions[states[-1]].get(kind)
            if action is None:
                raise Fallback
            if action >= 0:             # shift
                states.append(action)
                values.append(token)
                break
            size, origin, reduce = reductions[~action]
            if size:
                children = values[-size:]
                del values[-size:], states[-size:]
            else:
                children = []
            values.append(reduce(children))
            states.append(actions[states[-1]][origin])
    while states[-1] != tables.END:     # the end of the text: reduce what is left
        action = actions[states[-1]].get("$END")
        if action is None or action >= 0:
            raise Fallback
        size, origin, reduce = reductions[~action]
        children = values[-size:] if size else []
        if size:
            del values[-size:], states[-size:]
        values.append(reduce(children))
        states.append(actions[states[-1]][origin])
    return values[-1]
