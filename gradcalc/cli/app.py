"""The gradcalc command: click reads the options, then one engine call, one renderer, an exit code."""

from __future__ import annotations

import click

from .. import __version__
from ..errors import UnusedValue
from . import batch, checks, higher, output, pictures, program, sheet, spec
from .command import Command, closest_option, refuse_conflicts
from .exits import exit_code_table, guard
from .helptext import examples_folder

_FOLDER = examples_folder()
_FILES = (f"these are in {_FOLDER}: cd there to run them" if _FOLDER is not None else
          "these are in the examples folder of gradcalc's source")

EPILOG = """Examples:
  gradcalc "(x+y)**2" --x 1 --y 2
  gradcalc "t = x + y; z = t**2" --x 1 --y 2
  gradcalc "apple*apple_num*tax" --apple 100 --apple_num 2 --tax 1.1
  gradcalc "x**2" --x 3 --wrt x -q            # prints 6
  gradcalc "sin(x)*exp(-x)" --x 0.5 --json
  gradcalc "(x+y)**2" --x 1 --y 2 --expect "x=2*(x+y)" --expect y=6
  gradcalc "sin(x)*y" --x 0.5 --y 2 --check
  gradcalc "X@W + b" --X "[[1,2]]" --W "[[1,0,2],[0,1,3]]" --b "[0,0,0]" --upstream "[[1,0,0]]"
  gradcalc "x**2*y + y**3" --x 1 --y 2 --hessian --symbolic
  gradcalc "sin(x)" --x 0.5 --order 4           # d⁴z/dx⁴ = sin(x)
  gradcalc "x1*x2*x3" --x1 1 --x2 2 --x3 3 --compare-modes
  gradcalc "x.pow(2).sum() + np.pi*y" --x "[1,2]" --y 1   # pasted code: see README.md, "How gradcalc reads what you paste"

With files (""" + _FILES + """):
  gradcalc -f network.gc --W "[[1,2],[3,4]]"    # the program in a file
  gradcalc "X@W + b" --X "[[1,2]]" --W @w.csv --b "[0,0,0]"   # a value from a CSV file
  gradcalc "(x+y)**2" --points points.csv > gradients.csv
  gradcalc check homework.toml                  # grade a homework sheet
  gradcalc check class.toml --answers answers.csv   # grade a class: a gradebook

""" + exit_code_table() + "\n"


@click.command(cls=Command, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"],
                                                              "max_content_width": 100})
@program.options
@output.options
@higher.options
@checks.options
@program.limit_option
@batch.options
@pictures.options
@click.version_option(__version__, "--version", prog_name="gradcalc")
@click.pass_context
def main(ctx: click.Context, **p):
    """Compute a value and its gradient, and show the backward pass step by step.

    EXPRESSION is a formula or a small program (`t = x + y; z = t**2`). Give each variable's value as
    --NAME VALUE. Every node's local derivative and the gradient flowing back through it are shown,
    as in a textbook computational graph.
    """
    with guard():
        try:
            run(ctx, p)
        except UnusedValue as error:   # a value for a name close to an option: a mistyped option
            if error.unknown and closest_option(ctx.command, error.name):
                raise program.unknown_option(ctx.command, error.name) from None
            raise


def run(ctx: click.Context, p: dict) -> None:
    """The one engine call and the one renderer for the options read."""
    limits = program.limits(p)
    text = program.program_text(p, limits)
    values = program.values(ctx, p, limits)
    refuse_conflicts(ctx, spec.COMMAND, spec.COMMAND_CONFLICTS)
    out = output.Output.take(p)
    if batch.wanted(p):
        return batch.run(text, values, p, out.as_json, limits)
    answers = checks.answers(p, values)
    from ..result import compute   # the engine's: its errors speak of the options

    result = compute(text, values, wrt=p["wrt"], upstream=program.upstream(p, limits), limits=limits)
    program.note_unused(ctx, result)
    if pictures.run(result, p, out):
        return
    p = higher.asked_by_program(result, p)
    if higher.given(p):
        return higher.run(result, p, out)
    found = checks.run(result, answers, p)
    output.show_result(result, out, found)
    checks.verdict(found, out.quiet)


main.subcommands = {"check": (sheet.grades_a_sheet, sheet.check_sheet)}
