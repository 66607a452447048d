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
from operator import itemgetter


class Fallback(Exception):
    """The driver stops here: Lark parses the text again (and reports the syntax error)."""


# A token as the builder sees it: (text, start, end), laid out as a parse's Ref (node, start, end)
# is, so [1] and [2] are where either stands. A tuple, not an object with attributes: a parse makes
# one a token, and a str subclass with a start_pos each took a third of a long sum's parse (and
# 400 bytes a token held); Lark's own tokens are handed on in the same form (parse._FromLark).
Token = tuple


def token(text: str, start: int, end: int) -> Token:
    """A token made by hand (the `*` a product without one stands for, a name a program implies)."""
    return (text, start, end)


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
    return tables, re.compile(tables.TOKENS), reductions, {}


def _reduction(builder, size: int, callback: str, expand1: bool, include, append_none: int):
    """What Lark does on reducing a rule: drop filtered tokens, splice `_rule`s in, add placeholders,
    pass a `?rule`'s single child through, then call the builder (a `_rule` keeps its children list).
    None for a rule that passes its one child through unchanged (the driver skips it); for a
    repetition's left recursion, the places (from the end) of the children its list takes."""
    then = getattr(builder, callback, None)
    if then is None:
        then = _children if callback.startswith("_") else _lark_only
    if expand1:
        if size == 1 and include is None:
            return None
        build = then
        if include == ((0, False, 0), (1, True, 0)) and not append_none:
            # `?sum: product (ADD_OP product)*`: the first child, then the repetition's list
            def flat(children):
                kept = [children[0], *children[1]]
                return kept[0] if len(kept) == 1 else build(kept)
            return flat
        then = lambda children: children[0] if len(children) == 1 else build(children)  # noqa: E731
    if include is None or (not append_none and include == tuple((i, False, 0) for i in range(size))):
        return then
    splices = [splice for _, splice, _ in include]
    if then is _children and not expand1 and not append_none and len(include) > 1 and splices[0] \
            and include[0][0] == 0 and not any(splices[1:]) and not any(nones for _, _, nones in include):
        # `(ADD_OP product)*`'s left recursion: the driver appends these children to the list itself
        return tuple(i - size for i, _, _ in include[1:])
    if not append_none and not any(nones for _, _, nones in include) and not any(splices[1:]):
        # The common shapes, without a loop per reduction: tokens dropped (`"="`), and a `*`
        # repetition's left recursion, which extends the same list (no copy).
        kept = [i for i, _, _ in include]
        first, rest = kept[0], itemgetter(*kept[1:]) if len(kept) > 1 else None
        if splices[0]:
            if rest is None:
                return lambda children: then(children[first])  # noqa: E731
            many = len(kept) > 2

            def grow(children):
                kept = children[first]
                if many:
                    kept += rest(children)
                else:
                    kept.append(rest(children))
                return then(kept)
            return grow
        getter = itemgetter(*kept)
        if len(kept) == 1:
            return lambda children: then([getter(children)])  # noqa: E731
        return lambda children: then(list(getter(children)))  # noqa: E731

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


def _lark_only(_children):
    raise Fallback


def drive(text: str, tables, token_re, reductions, chained: dict, matches=None):
    """The LALR loop: shift tokens, reduce by rules, until the start rule is complete. `matches`, if
    given, are the tokens to read instead of the text's own (math text's, gradcalc/mathtext.py).

    A rule that passes its one child through (`?factor: power`) changes only the state on top of the
    stack, and where that chain of states ends depends only on the state below it, the rule reduced
    last and the next token: `chained` remembers it (for every parse), so each chain is walked once.
    A repetition's list (`(ADD_OP product)*`) grows in place, where it lies on the stack."""
    actions, end = tables.ACTIONS, tables.END
    states, values = [tables.START], []
    state = tables.START
    push_state, push_value = states.append, values.append
    found = token_re.finditer(text) if matches is None else _given(matches)
    for match in found:
        # spaces and comments before the token are part of the match; the last match, at the end
        # of the text, is of no group
        kind = match.lastgroup or "$END"
        action = actions[state].get(kind)
        if action is None:
            raise Fallback
        while action < 0:               # reduce
            size, origin, reduce = reductions[~action]
            if type(reduce) is tuple:   # a repetition grows: the list below takes the new items
                kept = values[-size]
                for offset in reduce:
                    kept.append(values[offset])
                del values[1 - size:], states[1 - size:]
                # the state the list was shifted to: the same rule, reduced over the same state
                state = states[-1]
            else:
                if reduce is None:      # passes a token through
                    del states[-1]
                elif size:
                    children = values[-size:]
                    del values[-size:], states[-size:]
                    push_value(reduce(children))
                else:
                    push_value(reduce([]))
                below = states[-1]
                key = (below, origin, kind)
                state = chained.get(key)
                if state is None:
                    state = chained[key] = _chain(actions, reductions, below, origin, kind)
                push_state(state)
            action = actions[state].get(kind)
            if action is None:
                if state == end:        # the start rule is complete, at the end of the text
                    return values[-1]
                raise Fallback
        push_state(action)              # shift
        push_value((match.group(kind), match.start(kind), match.end(kind)))
        state = action
    raise Fallback


class _Given:
    """A token given to the driver (math text's: `lastgroup`, `text`, `start`, `end`) read as the
    driver reads a match, its group being the token itself; None for the end of the text."""

    __slots__ = ("lastgroup", "token")

    def __init__(self, token):
        self.lastgroup, self.token = (None, None) if token is None else (token.lastgroup, token)

    def group(self, _kind: str) -> str:
        return self.token.text

    def start(self, _kind: str) -> int:
        return self.token.start

    def end(self, _kind: str) -> int:
        return self.token.end


def _given(tokens):
    for given in tokens:
        yield _Given(given)
    yield _Given(None)


def _chain(actions, reductions, below: int, origin: str, kind: str) -> int:
    """The state on top of `below` once `origin` is on the stack and every rule that only passes
    it on (at the next token `kind`) has been reduced."""
    while True:
        state = actions[below][origin]
        action = actions[state].get(kind)
        if action is None or action >= 0 or reductions[~action][2] is not None:
            return state
        origin = reductions[~action][1]
