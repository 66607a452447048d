"""The plain question, answered without loading click: `gradcalc "(x+y)**2" --x 1 --y 2 [--json]`.

A shell loop or a grader asks gradcalc one question per process, so start-up is its speed, and
importing click costs as much as the rest of a scalar answer. Most questions are one expression,
`--NAME VALUE` numbers or lists, and at most --json, --plain, -q, --wrt, --precision, --max-rows.
Those this module reads itself and answers through the same engine and the same `show_result` as
the full command.

Everything else goes to the full command line (`answer` returns None) and is read again from the
start by click: any other option, --help, `check`, a value from a file (@w.csv) or a closed
stdin, and every question whose answer is not a plain success: a syntax error, a missing value, a
math error, a value the expression does not use (a note). So every message, hint and exit code
comes from one place; tests/test_quick.py runs both ways over many command lines and compares them.
"""

from __future__ import annotations

import sys

from ..names import is_name
from ..values import looks_like_value
from . import spec

# What the quick path reads itself: the output options that need no renderer of their own, and --wrt.
ANSWERED = ("as_json", "plain", "quiet", "precision", "max_rows", "wrt")
# Every option of the full command (from spec.py, as click's are): a word among them is never a
# variable's value here, so the line goes to click.
OPTIONS = spec.names(spec.COMMAND) | set(spec.HELP) | {spec.VERSION}
FLAGS = {name: option.dest for option in spec.COMMAND if option.dest in ANSWERED and option.kind == spec.FLAG
         for name in option.names}
COUNTS = {name: (option.dest, option.low, option.high) for option in spec.COMMAND
          if option.dest in ANSWERED and option.kind == spec.COUNT for name in option.names}
WRT = spec.by_dest(spec.COMMAND)["wrt"].names
DEFAULTS = {option.dest: option.default for option in spec.COMMAND if option.dest in ANSWERED[:-1]}


class Question:
    """A plain question as read off the command line."""

    __slots__ = ("expression", "bindings", "wrt", "output")

    def __init__(self):
        self.expression: str | None = None
        self.bindings: list[tuple[str, str]] = []
        self.wrt: list[str] = []
        self.output = dict(DEFAULTS)


def read(argv: list[str]) -> Question | None:
    """The question, or None if the line holds anything the full command line should read."""
    if not argv or argv[0] == "check":
        return None
    question = Question()
    words = iter(argv)
    for word in words:
        name, equals, attached = word.partition("=")
        if word in FLAGS:
            question.output[FLAGS[word]] = True
            continue
        if not word.startswith("-"):
            if question.expression is not None:
                return None   # two expressions: the full command line says what is wrong
            question.expression = word
            continue
        if not name.startswith("--") or (not is_name(name[2:]) and name not in COUNTS):
            return None   # -x**2, -qq, --, --max-rows typed wrong: click's pre-parser decides
        value = attached if equals else next(words, None)
        if value is None:
            return None
        if name in WRT:
            if value.startswith("-"):
                return None
            question.wrt.append(value)
        elif name in COUNTS:
            key, low, high = COUNTS[name]
            if not (value.isascii() and value.isdigit()) or int(value) < low \
                    or (high is not None and int(value) > high):
                return None
            question.output[key] = int(value)
        elif name in OPTIONS:
            return None
        elif looks_like_value(value) and not value.strip().startswith("@"):
            question.bindings.append((name[2:], value))
        else:
            return None   # @file, stdin, or not a value: the full command line reads it or explains
    return question if question.expression is not None else None


def answer(argv: list[str]) -> int | None:
    """Answer a plain question: its exit code, or None (nothing written) for the full command line."""
    question = read(argv)
    if question is None or sys.stdout is None:
        return None
    from ..result import compute
    from ..values import parse_value

    names = [name for name, _ in question.bindings]
    if len(set(names)) < len(names):
        return None
    try:
        values = {name: parse_value(name, raw) for name, raw in question.bindings}
        result = compute(question.expression, values, wrt=tuple(question.wrt))
    except Exception:
        return None   # the full command line computes it again and reports it in its words
    if result.unused or result.graph.wants:
        return None   # a note, a mistyped option, or a Jacobian asked: the full command line says which
    from .exits import answering, exit_code
    from .output import Output, show_result

    answering(bool(question.output.get("as_json")))
    try:
        show_result(result, Output(**question.output))
    except (Exception, KeyboardInterrupt) as error:
        return exit_code(error)   # the guard's own translation; the caller leaves with the code
    return 0
