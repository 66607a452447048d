"""Output options and the one dispatch: JSON, bare numbers, rich tables on a terminal, else plain text."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable, Iterable

import click

from .command import option_group

options = option_group(
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object (full precision)."),
    click.option("--plain", is_flag=True,
                 help="Plain text tables, no colour (the default when piped)."),
    click.option("-q", "--quiet", is_flag=True,
                 help="Print bare numbers, one per line, in a fixed order: the value, then ∂z/∂NAME "
                      "for each input in the order the values were given (inputs left to their "
                      "defaults after them); with --wrt only those gradients, in --wrt's order. An "
                      "array is one line of nested lists. --hessian, --order, --symbolic: their "
                      "results instead."),
    click.option("--precision", type=click.IntRange(1, 17), default=10, show_default=True,
                 help="Significant digits shown (JSON always carries full precision)."),
    click.option("--max-rows", type=click.IntRange(0), default=200, show_default=True,
                 help="Longest table shown; 0 shows every row."),
    click.option("--latex", is_flag=True,
                 help="Print LaTeX to paste: the trace as tabulars, or with --symbolic the formulas "
                      "(align*), --hessian the matrix (pmatrix), --order the table of orders."),
)


@dataclass(frozen=True)
class Output:
    """How the user asked to see a result."""

    as_json: bool = False
    plain: bool = False
    quiet: bool = False
    precision: int = 10
    max_rows: int = 200
    latex: bool = False

    @classmethod
    def take(cls, given: dict) -> Output:
        """The output options out of main's keyword arguments (missing ones keep their defaults)."""
        names = ("as_json", "plain", "quiet", "precision", "max_rows", "latex")
        out = cls(**{name: given[name] for name in names if name in given})
        clashing = [option for option, wanted in (("--json", out.as_json), ("-q", out.quiet)) if wanted]
        if out.latex and clashing:
            from ..errors import GradcalcError

            raise GradcalcError(f"--latex cannot be combined with {' and '.join(clashing)}",
                                hint="choose one form of output")
        return out

    @property
    def rich(self) -> bool:
        return use_rich(self.plain)


def use_rich(plain: bool) -> bool:
    """Rich tables only on a terminal, and not with --plain or TERM=dumb. NO_COLOR keeps the tables
    that fit the terminal's width and drops only their colour (rich reads NO_COLOR itself)."""
    if plain or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def show(out: Output, *, json: Callable[[], str] | None = None, quiet: Callable[[], str] | None = None,
         rich: Callable[[], Iterable] | None = None, plain: Callable[[], str],
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
        emit(plain())


def rich_text(*renderables) -> str:
    """What rich prints for the renderables on this terminal, as text with its escape codes."""
    from ..render import console as make_console

    # No :emoji: codes in gradcalc's text: skipping the lookup spares importing rich's emoji table.
    console = make_console(emoji=False)
    with console.capture() as capture:
        for renderable in renderables:
            console.print(renderable)
    return capture.get()


def emit(text: str) -> None:
    """Write a result to stdout in pieces, so a reader that stops early (`| head`) is noticed.

    One large write into a pipe whose reader has gone comes back short instead of failing, and
    Python then drops the rest silently: the broken pipe (exit 141) would go unreported.
    """
    piece = 1 << 16
    for start in range(0, len(text), piece):
        click.echo(text[start:start + piece], nl=False)
