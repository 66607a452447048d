"""The program and its values: EXPRESSION or -f, `--NAME VALUE` bindings, --var, --upstream, --wrt,
--limit."""

from __future__ import annotations

import click

from ..errors import GradcalcError
from ..limits import DEFAULT, Limits, read_text
from ..names import did_you_mean, is_name, unaccented
from ..values import looks_like_value, parse_value
from . import spec
from .command import closest_option, option_group, options_for
from .exits import say

options = option_group(click.argument("expression", required=False), options_for(spec.COMMAND, "program"))

limit_option = options_for(spec.COMMAND, "limit")


def limits(given: dict) -> Limits:
    return DEFAULT.with_overrides(given["limit"])


# Characters of a program file from which its graph's memory is worth the malloc setting below.
BIG = 1 << 20


def map_large_blocks() -> None:
    """Have glibc's malloc map each block over 128 KiB on its own, as it does at first, for the rest of
    the process. Why: once a large block is freed (the file's text read, a table outgrown), glibc
    raises that bound and keeps such blocks in its heap, where each column or table of a big graph,
    grown a node at a time, leaves its old place behind as a hole when it moves: a 10⁵-line
    program's heap held 20–23 MB of holes after its parse. A block mapped on its own grows in place
    (mremap) and goes back to the system when freed (that program's -q peak 103 → ~91 MB, CPU the
    same). Only where the C library is glibc; elsewhere nothing happens, and a failure is no error."""
    import os

    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 128 * 1024)    # M_MMAP_THRESHOLD (setting it also stops glibc raising it)
        libc.malloc_trim(0)             # and what the file's reading freed goes back now
    except (ValueError, OSError, AttributeError, ImportError):   # not glibc, or no such function
        return


def program_text(given: dict, limits: Limits) -> str:
    expression, file = given["expression"], given["file"]
    if file is not None and expression is not None:
        raise GradcalcError("give the expression either as an argument or with -f, not both")
    if file is not None:
        text = read_text(file, "the program file", limits)
        if len(text) > BIG:
            map_large_blocks()
        return text
    if expression is None:
        raise GradcalcError("no expression given", hint='try: gradcalc "(x+y)**2" --x 1 --y 2')
    return expression


def values(ctx: click.Context, given: dict, limits: Limits = DEFAULT) -> dict:
    """The variables' values: `--NAME VALUE` bindings, then `--var NAME=VALUE`."""
    values = {}
    pairs = list(ctx.meta["gradcalc.bindings"])
    for item in given["var"]:
        if "=" not in item:
            raise GradcalcError(f"--var needs NAME=VALUE, got {item!r}", hint="write --var json=2")
        name, raw = item.split("=", 1)
        pairs.append((unaccented(name) or name, raw))
    for name, raw in pairs:
        if not is_name(name):
            raise GradcalcError(f"--var {name}={raw}: {name!r} is not a variable name",
                                hint="names start with a letter or _, then letters, digits or _")
        if name in values:
            raise GradcalcError(f"--{name} is given twice")
        if (raw is None or not looks_like_value(raw)) and closest_option(ctx.command, name):
            raise unknown_option(ctx.command, name)
        values[name] = parse_value(name, raw, limits)
    return values


def upstream(given: dict, limits: Limits):
    """--upstream's array (or number), or None."""
    raw = given["upstream"]
    return None if raw is None else parse_value("upstream", raw, limits)


def note_unused(ctx: click.Context, result) -> None:
    """A value for a name the expression does not use: a note on stderr, since one set of values may
    serve several expressions (a name close to an option stays an error: a mistyped option)."""
    _note(ctx, result.graph, result.unused)


def drop_unused(ctx: click.Context, graph, fixed: dict) -> dict:
    """--points: the fixed values without those for names the program does not mention (noted)."""
    from ..ops import CONSTANTS

    unused = [name for name in fixed
              if graph.node_of(name) is None and name not in CONSTANTS]
    _note(ctx, graph, unused)
    return {name: value for name, value in fixed.items() if name not in unused}


def _note(ctx: click.Context, graph, unused) -> None:
    for name in unused:
        if closest_option(ctx.command, name):
            raise unknown_option(ctx.command, name)
        close = did_you_mean(name, graph.variables)
        meant = f"; did you mean {close}?" if close else ""
        say(f"note: --{name} is not used by this expression (its value is ignored{meant})")


def unknown_option(command: click.Command, name: str) -> GradcalcError:
    return GradcalcError(f"unknown option --{name}",
                         hint=f"did you mean {closest_option(command, name)}? "
                              f"(--{name} VALUE would give a value to a variable {name})")
