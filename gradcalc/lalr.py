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
from array import array
from itertools import chain
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
    """The generated tables and the driver's steps (the actions with one reduction function per rule,
    calling `builder`'s methods), or None if the tables are missing or older than `grammar`."""
    try:
        from . import _lalr_tables as tables
    except ImportError:  # pragma: no cover - a broken installation
        return None
    if tables.GRAMMAR != grammar:
        return None
    return tables, Tokenizer(tables), _steps(tables, builder)


class Tokenizer:
    """The tables' TOKENS (a token a match, then what is skipped after it), compiled where first
    needed, and the pattern of what is skipped before the first token. A text of ASCII characters
    only (nearly every question) is read by ASCII_TOKENS: the same tokens, from a pattern that
    compiles in about half the time (0.7 of 1.1 ms, the largest part of a short question's parse)."""

    __slots__ = ("tables", "compiled", "skip")

    def __init__(self, tables):
        self.tables, self.compiled = tables, {}
        self.skip = re.compile(f"(?:{tables.SKIP})*+")

    def finditer(self, text: str):
        return self.pattern(text).finditer(text, self.skip.match(text).end())

    def pattern(self, text: str) -> re.Pattern:
        """The token pattern for `text` (the driver reads on with it after lines it read at once)."""
        ascii = text.isascii()
        if ascii not in self.compiled:
            self.compiled[ascii] = re.compile(self.tables.ASCII_TOKENS if ascii else self.tables.TOKENS)
        return self.compiled[ascii]


def _steps(tables, builder) -> list:
    """Per state, what the driver does at each symbol: shift to (or, at a rule's name, go to) a state,
    an int; or reduce, a tuple (size, what to do, the states to go to), whose last two are
        (the builder's reduction, _Gotos)   the rule's children are replaced by what the builder makes
        (None, _Gotos)                      a rule that passes its one child on (`?factor: power`), or
                                            a repetition's first items (`ADD_OP product` of `(ADD_OP
                                            product)*`), kept as a list or closed at once (_Gotos)
        (the places of the children, None)  a repetition's list takes its new children where it lies
                                            on the stack, in the same state
    A _Gotos is shared by every reduction of the same rule name at the same next token. Each state's
    row is made where the driver first reads it (_Unread): a short question visits a few dozen of the
    grammar's 252 states, and making them all was a third of its parse's set-up."""
    return _Table(tables, builder).rows


class _Table:
    """What a state's row is made of: the tables' actions and each rule's reduction (made when a row
    first needs it), the _Gotos made so far, and the rows (a list, as the driver reads it)."""

    __slots__ = ("actions", "rules", "builder", "chains", "reductions", "gotos", "rows")

    def __init__(self, tables, builder):
        self.actions, self.rules, self.builder = tables.ACTIONS, tables.RULES, builder
        # The repetitions a chain reads (`?sum: product (ADD_OP product)*`, whose repetition Lark names
        # __sum_star_N) are packed as they grow long
        self.chains = tuple(f"__{origin}_star_" for size, origin, _, expand1, include, _ in self.rules
                            if expand1 and include == _CHAIN)
        self.reductions: list = [None] * len(self.rules)
        self.gotos: dict[tuple[str, str], _Gotos] = {}
        self.rows: list = [_Unread(self, state) for state in range(len(self.actions))]

    def reduction(self, rule: int) -> tuple:
        """(size, origin, what the driver does) of reducing by `rule`: see _reduction."""
        made = self.reductions[rule]
        if made is None:
            size, origin, *shape = self.rules[rule]
            reduce = _reduction(self.builder, size, *shape)
            if type(reduce) is tuple and origin.startswith(self.chains):
                reduce = _Chained(reduce)
            made = self.reductions[rule] = (size, origin, reduce)
        return made

    def goto(self, origin: str, symbol: str) -> _Gotos:
        key = (origin, symbol)
        if key not in self.gotos:
            self.gotos[key] = _Gotos(self, origin, symbol)
        return self.gotos[key]

    def row(self, state: int) -> dict:
        """State `state`'s row, made and put in its place."""
        step = {}
        for symbol, action in self.actions[state].items():
            if action >= 0:
                step[symbol] = action
                continue
            size, origin, reduce = self.reduction(~action)
            if isinstance(reduce, tuple):
                step[symbol] = (size, reduce, None)
            else:
                step[symbol] = (size, None if reduce is _children and size > 1 else reduce, self.goto(origin, symbol))
        self.rows[state] = step
        return step


class _Unread:
    """A state's row the driver has not read yet: its first `get` makes the row, which takes this
    one's place in the list (so the driver's loop reads plain dicts, as before)."""

    __slots__ = ("table", "state")

    def __init__(self, table: _Table, state: int):
        self.table, self.state = table, state

    def get(self, symbol: str):
        return self.table.row(self.state).get(symbol)


class _Gotos(dict):
    """The state a reduction leaves on top of the stack, by the state below the rule's children: the
    goto of the rule's name, then of every rule that only passes it on (`?factor: power`) at this
    next token. Where that chain ends depends only on the state below, the rule and the next token,
    so each chain is walked once (the first time a parse meets it) and then read in one step.

    A repetition's first items (`ADD_OP product`) whose rule is closed at once at this next token (a
    sum of two terms, `a + b`: `?sum: product (ADD_OP product)*` reduced next) read instead the
    closing rule's builder call and _Gotos: the driver makes the sum in one step, with no list."""

    __slots__ = ("table", "origin", "kind")

    def __init__(self, table: _Table, origin: str, kind: str):
        super().__init__()
        self.table, self.origin, self.kind = table, origin, kind

    def __missing__(self, below: int):
        actions, reduction, origin = self.table.actions, self.table.reduction, self.origin
        first = origin
        while True:
            state = actions[below][origin]
            action = actions[state].get(self.kind)
            if action is None or action >= 0 or reduction(~action)[2] is not None:
                break
            origin = reduction(~action)[1]
        closing = reduction(~action) if action is not None and action < 0 else None
        if origin == first and closing is not None and closing[0] == 2 and \
                getattr(closing[2], "closes", False):
            # the repetition's first items are all it holds: its rule is reduced next
            state = (closing[2].build, self.table.goto(closing[1], self.kind))
        self[below] = state
        return state


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
        if include == _CHAIN and not append_none:
            # `?sum: product (ADD_OP product)*`: the first child, then the repetition's list
            def flat(children):
                first, rest = children
                if type(rest) is Packed:     # a long one: read where it lies, not copied into a list
                    rest.head = first
                    return build(rest)
                kept = [first, *rest]
                return kept[0] if len(kept) == 1 else build(kept)
            # the driver calls build itself where the repetition's first items close it (_Gotos)
            flat.closes, flat.build = True, build
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
        if len(kept) == 1:
            return lambda children: then([children[first]])  # noqa: E731
        if len(kept) == 2:              # `NAME "=" test`: two calls fewer than itemgetter and list
            second = kept[1]
            return lambda children: then([children[first], children[second]])  # noqa: E731
        getter = itemgetter(*kept)
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


_CHAIN = ((0, False, 0), (1, True, 0))     # a rule's first child, then a repetition's list spliced in


class _Chained(tuple):
    """The places of a chain's repetition's new children (a driver's step): its list gets packed."""

    __slots__ = ()


class Packed:
    """A long chain's repetition, `+ b - c + …`, read as its list would be (in order, `items[i]`,
    `len(items)`), held as machine integers a thousand items at a time: an operator token
    (text, start, end) and a ref (node, start, end) are a text's pointer and five integers, 48 bytes
    a pair, where the two tuples and the ints in them were ~270 (a 10⁵-term sum's repetition was a
    quarter of its parse's memory). Reading rebuilds the tuples (equal, not the same objects) with
    zip, at C speed. A run holding anything else (a ref with no node, a token made by hand at −1
    such as the `*` a product without one stands for, a builder's own object) stays a list, so what
    is told apart by identity still is. `head`: the chain's first item, read as items[0]."""

    __slots__ = ("runs", "tail", "append", "head")

    def __init__(self, items: list):
        self.runs: list = []         # each RUN items: packed (a _Run) or, if it could not be, the list
        self.head = _NO_HEAD
        self.tail = items
        self.pack()

    def pack(self) -> None:
        """The tail (RUN items) packed, and a new tail begun: the driver appends to it as to a list."""
        if self.tail:
            self.runs.append(_Run.of(self.tail))
        self.tail = []
        self.append = self.tail.append

    def __len__(self) -> int:
        return RUN * len(self.runs) + len(self.tail) + (self.head is not _NO_HEAD)

    def __iter__(self):
        runs = chain.from_iterable(run if type(run) is list else run.items() for run in self.runs)
        return chain((self.head,) if self.head is not _NO_HEAD else (), runs, self.tail)

    def __getitem__(self, index):
        if type(index) is slice:
            return list(self)[index]
        if index < 0:
            index += len(self)
        if self.head is not _NO_HEAD:
            if index == 0:
                return self.head
            index -= 1
        run, at = divmod(index, RUN)
        if run == len(self.runs):
            return self.tail[at]
        if run > len(self.runs) or index < 0:
            raise IndexError("Packed index out of range")
        run = self.runs[run]
        return run[at] if type(run) is list else run.item(at)


RUN = 1024      # items a run (even: a run is whole pairs of operator and term)
_NO_HEAD = object()


class _Run:
    """RUN items of a chain's repetition, operator and term by turns, as arrays."""

    __slots__ = ("texts", "tokens", "refs")

    @classmethod
    def of(cls, items: list):
        """Packed, or the list as it is if anything in it is not a plain token or ref."""
        tokens, refs = items[0::2], items[1::2]
        if len(tokens) != len(refs) or set(map(type, items)) != {tuple}:
            return items
        run = cls()
        run.texts = list(map(itemgetter(0), tokens))
        try:    # an array takes ints only: a None (a ref with no node) or a text among them raises
            run.tokens = array("q", chain.from_iterable(map(itemgetter(1, 2), tokens)))
            run.refs = array("q", chain.from_iterable(refs))
        except (TypeError, IndexError):
            return items
        # every ref three numbers, every token's text a text and its place not made by hand (−1)
        if len(run.refs) != 3 * len(refs) or set(map(type, run.texts)) != {str} or min(run.tokens) < 0:
            return items
        return run

    def items(self):
        tokens, refs = self.tokens, self.refs
        return chain.from_iterable(zip(zip(self.texts, tokens[0::2], tokens[1::2]),
                                       zip(refs[0::3], refs[1::3], refs[2::3])))

    def item(self, at: int) -> tuple:
        pair, second = divmod(at, 2)
        if second:
            return (self.refs[3 * pair], self.refs[3 * pair + 1], self.refs[3 * pair + 2])
        return (self.texts[pair], self.tokens[2 * pair], self.tokens[2 * pair + 1])


class _Lines:
    """Lines of `name = number`, the values a long program gives its inputs one a line, read a line a
    match of one regular expression where the LALR loop took four tokens and seven steps (a third of
    a 10⁵-term program's parse). Only the driver's bookkeeping is skipped: each line's reductions
    are the steps' own (the builder's `number`, then the assignment, called with the same children
    in the same order) and the lines are the tokenizer's: each token is matched by its own pattern
    in TOKENS, where no pattern before it in TOKENS matches (the alternative TOKENS would take), and
    atomically (the match TOKENS would take). Whether the steps make such a line a cycle (from the
    state after a separator, back to it, the statement appended to the program's list) is read off
    the steps where it is first met; the pattern is compiled then too (~2 ms, which a program
    without a list of statements never pays)."""

    KINDS = ("NAME", "EQUAL", "NUMBER", "_SEP")

    def __init__(self):
        self.pattern = None
        # the list's state → the states where the separator, the number and the assignment are reduced
        # or shifted from (the steps' reductions are read there: they call one builder's methods)
        self.cycles: dict[int, tuple[int, int, int] | None] = {}

    def read(self, text: str, match, states: list, values: list, steps: list[dict]) -> int | None:
        """At a separator the program's list of statements is next to shift, the `name = number` lines
        after it read in one go, the separator shifted first and the last line's last: where the
        tokenizer goes on, or None (nothing read, nothing changed)."""
        listed = states[-1]
        if listed not in self.cycles:
            self.cycles[listed] = self._cycle(steps, listed)
        cycle = self.cycles[listed]
        if cycle is None:
            return None
        if self.pattern is None:
            from . import _lalr_tables as tables

            self.pattern = _line_pattern(tables, self.KINDS)
        line = self.pattern.match(text, match.end())
        if line is None:
            return None
        after_sep, numbered, assigned = cycle
        sep = self.KINDS[-1]
        number, assignment = steps[numbered].get(sep)[1], steps[assigned].get(sep)[1]
        kept = values[-1]
        states.append(after_sep)
        while line is not None:
            (a, b), (c, d), (e, f) = line.span(1), line.span(2), line.span(3)
            kept.append(assignment([(text[a:b], a, b), (text[c:d], c, d), number([(text[e:f], e, f)])]))
            last = line
            line = self.pattern.match(text, last.end())
        start, stop = last.span(4)
        values.append((text[start:stop], start, stop))     # the last line's separator, shifted
        return last.end()

    def _cycle(self, steps: list[dict], listed: int) -> tuple[int, int, int] | None:
        """If, from the list's state `listed`, NAME EQUAL NUMBER _SEP shift and reduce by `number` and
        by the assignment, whose statement the list then takes (its only new item), back in the same
        state: the states after the separator, the number and the assignment; else None."""
        name, equal, number, sep = self.KINDS
        after_sep = steps[listed].get(sep)
        named = steps[after_sep].get(name) if type(after_sep) is int else None
        equals = steps[named].get(equal) if type(named) is int else None
        numbered = steps[equals].get(number) if type(equals) is int else None
        if type(numbered) is not int:
            return None
        reduce = steps[numbered].get(sep)
        if type(reduce) is not tuple or reduce[0] != 1 or reduce[1] is None or reduce[2] is None:
            return None
        assigned = reduce[2][equals]
        reduce = steps[assigned].get(sep)
        if type(reduce) is not tuple or reduce[0] != 3 or reduce[1] is None or reduce[2] is None:
            return None
        grows = steps[reduce[2][after_sep]].get(sep)
        if grows != (3, (-1,), None) or type(grows[1]) is _Chained:
            return None
        return after_sep, numbered, assigned


def _line_pattern(tables, kinds: tuple[str, ...]) -> re.Pattern:
    """One line of these kinds of tokens, each token a group, as TOKENS would cut them (see _Lines)."""
    alternatives = re.findall(r"(.*?)\(\?P<(\w+)>\)(?:\||$)", tables.MARKED, re.S)
    patterns = [pattern for pattern, _ in alternatives]
    order = [kind for _, kind in alternatives]
    head = "(?:" + tables.MARKED + r"|[\s\S](?P<unmatched>)|\Z)"
    assert tables.TOKENS.startswith(head), "TOKENS is not the marked alternatives, then what is skipped"
    skipped = tables.TOKENS[len(head):]
    line = ""
    for kind in kinds:
        at = order.index(kind)
        before = f"(?!{'|'.join(patterns[:at])})" if at else ""
        line += f"(?>{before}({patterns[at]}))(?>{skipped})"
    return re.compile(line)


_LINES = _Lines()


def _children(children):
    return children


def _lark_only(_children):
    raise Fallback


def drive(text: str, tables, tokenizer, steps: list[dict], matches=None):
    """The LALR loop: shift tokens, reduce by rules, until the start rule is complete. `matches`, if
    given, are the tokens to read instead of the text's own (math text's, gradcalc/mathtext.py).
    `tokenizer` reads the text's tokens (a Tokenizer)."""
    end = tables.END
    states, values = [tables.START], []
    state = tables.START
    push_state, push_value = states.append, values.append
    given = matches is not None
    if given:
        found = _given(matches)
    else:
        found = tokenizer.finditer(text)
    lines, tokens = None if given else _LINES, None
    while True:
        for match in found:
            # a match is a token (its kind the empty group after it), then the spaces and comments
            # after it; the last match, at the end of the text, is of no group
            kind = match.lastgroup or "$END"
            action = steps[state].get(kind)
            while type(action) is tuple:    # reduce
                size, reduce, gotos = action
                if gotos is None:           # a repetition grows: the list below takes the new items
                    kept = values[-size]
                    chained = type(reduce) is _Chained
                    if chained:             # a chain's: packed a run at a time
                        if type(kept) is list:
                            if len(kept) >= RUN:
                                kept = values[-size] = Packed(kept)
                        elif len(kept.tail) >= RUN:
                            kept.pack()
                    for offset in reduce:
                        kept.append(values[offset])
                    del values[1 - size:], states[1 - size:]
                    state = states[-1]      # the state the list was shifted to
                    if not chained and lines is not None and kind == "_SEP":
                        resume = lines.read(text, match, states, values, steps)
                        if resume is not None:
                            break
                elif size == 1:             # the child is replaced (or passed on) where it lies
                    if reduce is not None:
                        values[-1] = reduce(values[-1:])
                    state = states[-1] = gotos[states[-2]]
                elif reduce is None and size and type(state := gotos[states[-size - 1]]) is tuple:
                    # a repetition's first items close its rule at once, `a + b`: the sum of
                    # [a, +, b], in place of a
                    build, closing = state
                    values[-size - 1] = build(values[-size - 1:])
                    del values[-size:], states[-size:]
                    state = states[-1] = closing[states[-2]]
                else:
                    if size:
                        children = values[-size:]
                        del values[-size:], states[-size:]
                    else:
                        children = []
                    if reduce is None:      # a repetition's first items: their list
                        push_value(children)
                        state = gotos[states[-1]]
                        push_state(state)
                    else:
                        push_value(reduce(children))
                        state = gotos[states[-1]]
                        push_state(state)
                action = steps[state].get(kind)
            else:
                if action is None:
                    if state == end and kind == "$END":   # the start rule is complete, at the end of the text
                        return values[-1]
                    raise Fallback
                push_state(action)              # shift
                if given:
                    push_value(match.token)
                else:
                    start, stop = match.start(), match.end(kind)
                    push_value((text[start:stop], start, stop))
                state = action
                continue
            # `name = number` lines were read at once (_Lines): the tokens go on after them
            if tokens is None:          # (looked for once: a text of ASCII characters or not)
                tokens = tokenizer.pattern(text)
            found = tokens.finditer(text, resume)
            state = states[-1]
            break
        else:
            raise Fallback


class _Given:
    """A token given to the driver (math text's: `lastgroup`, `text`, `start`, `end`) read as the
    driver reads a match: its kind, and the token as the builder sees it; None for the end of the text."""

    __slots__ = ("lastgroup", "token")

    def __init__(self, given):
        self.lastgroup, self.token = (None, None) if given is None else \
            (given.lastgroup, (given.text, given.start, given.end))


def _given(tokens):
    for given in tokens:
        yield _Given(given)
    yield _Given(None)
