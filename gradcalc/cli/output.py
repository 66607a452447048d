"""Output options and the one dispatch: JSON, bare numbers, rich tables on a terminal, else plain text.

This module imports no click (only `options` does, when the command is put together): the quick path
(`quick.py`) shows its result through the same `show_result` without loading the command line.
"""

from __future__ import annotations

import os
import re
import sys

from .spec import COMMAND

TYPE_CHECKING = False   # annotations are text: collections.abc only for a type checker
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


def options(command):
    """--json, --plain, -q, --precision, --max-rows, --latex."""
    from . import spec
    from .command import options_for

    return options_for(spec.COMMAND, "output")(command)


_DEFAULTS = {option.dest: option.default for option in COMMAND if option.group == "output"}


class Output:
    """How the user asked to see a result (a plain class: dataclasses would load inspect at start-up)."""

    __slots__ = ("as_json", "plain", "quiet", "precision", "max_rows", "latex")

    def __init__(self, as_json: bool = False, plain: bool = False, quiet: bool = False,
                 precision: int = _DEFAULTS["precision"], max_rows: int = _DEFAULTS["max_rows"],
                 latex: bool = False):
        self.as_json, self.plain, self.quiet = as_json, plain, quiet
        self.precision, self.max_rows, self.latex = precision, max_rows, latex

    @classmethod
    def take(cls, given: dict) -> Output:
        """The output options out of main's keyword arguments (missing ones keep their defaults)."""
        names = ("as_json", "plain", "quiet", "precision", "max_rows", "latex")
        return cls(**{name: given[name] for name in names if name in given})

    @property
    def rich(self) -> bool:
        return use_rich(self.plain)

    @property
    def tables(self) -> bool:
        """Whether the output is the plain or rich tables, whose notes say how the text was read."""
        return not (self.as_json or self.quiet or self.latex)


def use_rich(plain: bool) -> bool:
    """Rich tables only on a terminal, and not with --plain or TERM=dumb. NO_COLOR keeps the tables
    that fit the terminal's width and drops only their colour (rich reads NO_COLOR itself)."""
    if plain or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def on_screen(text: str, hang: Callable[[str], int | None] | None = None) -> str:
    """Plain text (--plain, TERM=dumb) for the terminal it goes to: each line too wide broken between
    words, its continuation 4 columns further in, where the terminal would cut a number or a name at
    its edge. Piped or to a file it is unchanged, every line whole. `hang(line)`: the column a
    line's continuation starts at instead (the answer key's formulas continue under `formula:`)."""
    if not text or not _stdout_is_a_terminal():
        return text
    import shutil

    from ..errors import cells

    width = max(20, shutil.get_terminal_size().columns)
    out = []
    for line in text.split("\n"):
        if len(line) <= width // 2 or cells(line) <= width:
            out.append(line)
            continue
        column = hang(line) if hang is not None else None
        if column is None or column > width // 2:
            column = len(line) - len(line.lstrip(" ")) + 4
        indent = " " * column
        current = ""
        for word in re.findall(r" *[^ ]+| +$", line):
            if current.strip() and cells(current + word) > width:
                out.append(current)
                current = indent + word.lstrip(" ")
            else:
                current += word
        out.append(current)
    return "\n".join(out)


def _stdout_is_a_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def show(out: Output, *, json: Callable[[], str | Iterable[str]] | None = None,
         quiet: Callable[[], str | Iterable[str]] | None = None, rich: Callable[[], Iterable] | None = None, plain: Callable[[], str],
         latex: Callable[[], str] | None = None) -> None:
    """Write one result in the form asked for; each form is a function, so only its renderer loads.

    `rich` returns renderables (printed one after another); without it, a terminal gets `plain`.
    """
    if out.latex and latex is not None:
        emit(latex())
    elif out.as_json and json is not None:
        emit(json())
    elif out.quiet and quiet is not None:
        emit(quiet())
    elif rich is not None and out.rich:
        emit(rich_text(*rich()))
    else:
        emit(on_screen(plain()))


def show_result(result, out: Output, checks=None) -> None:
    """The value, gradient and backward pass (and the checks' table) in the form asked for."""
    def as_json() -> Iterable[str]:
        from ..render.json import chunks     # written as it is made: a big graph's JSON is never whole

        if checks is None:
            return chunks(result)
        from ..render.check import to_dict as checks_dict

        return chunks(result, checks_dict(checks))

    def quiet() -> Iterable[str]:
        from ..numbers import format_line

        # a thousand lines at a time, as emit writes them: a program of 10⁵ inputs made a dict of its
        # gradient and a list of 10⁵ lines (~15 MB) before the first was written
        precision, grad_of, reported = out.precision, result.grad_of, result.reported
        if not result.wrt:
            yield format_line(result.value, precision) + "\n"
        for start in range(0, len(reported), 1000):
            yield "".join([format_line(grad_of(name), precision) + "\n" for name in reported[start:start + 1000]])

    def rich() -> list:
        from ..render.rich import render_result

        from ..render.check import first_wrong_edge

        shown = [render_result(result, out.precision, out.max_rows, first_wrong_edge(checks))]
        if checks is None:
            return shown
        from ..render.check import render_rich

        return [*shown, render_rich(checks, out.precision)]

    def plain() -> str:
        from ..render.plain import render_plain

        text = render_plain(result, out.precision, out.max_rows)
        if checks is not None:
            from ..render.check import render_plain as render_checks

            text += render_checks(checks, out.precision)
        return text

    def latex() -> str:
        from ..render.latex import render

        return render(result, None, out.precision, out.max_rows)

    if not out.tables:
        say_notes(result)
    show(out, json=as_json, quiet=quiet, rich=rich, plain=plain, latex=latex)


def say_notes(result) -> None:
    """How the text was read (a statement computed for nothing, 1/2x as (1/2)·x), on stderr: for
    the outputs without a table of notes to carry it (JSON, -q, LaTeX, pictures)."""
    from .exits import say

    for note in result.graph.notes:
        say(f"note: {note}")


def rich_text(*renderables) -> str:
    """What rich prints for the renderables on this terminal, as text with its escape codes."""
    from ..render import console as make_console

    # No :emoji: codes in gradcalc's text: skipping the lookup spares importing rich's emoji table.
    console = make_console(emoji=False)
    with console.capture() as capture:
        for renderable in renderables:
            console.print(renderable)
    # rich pads every line to the table's width: text copied off the terminal would carry the spaces.
    import re

    codes = re.compile(r"\x1b\[[0-9;]*m")
    return re.sub(r"(?: |\x1b\[[0-9;]*m)+$", lambda end: "".join(codes.findall(end.group())),
                  capture.get(), flags=re.M)


def emit(text: str | Iterable[str]) -> None:
    """Write a result to stdout in pieces, so a reader that stops early (`| head`) is noticed.

    One large write into a pipe whose reader has gone comes back short instead of failing, and
    Python then drops the rest silently: the broken pipe (exit 141) would go unreported. A result
    given as an iterable of texts (--json of a big graph) is written as its texts come.
    """
    from .exits import write

    piece = 1 << 16
    if not isinstance(text, str):
        pending, size = [], 0
        for part in text:
            pending.append(part)
            size += len(part)
            if size >= piece:
                emit("".join(pending))
                pending, size = [], 0
        text = "".join(pending)
    for start in range(0, len(text), piece):
        write("stdout", text[start:start + piece])

