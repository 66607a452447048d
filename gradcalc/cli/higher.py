"""Beyond one gradient: --hessian, --order, --symbolic, --mode forward, --compare-modes."""

from __future__ import annotations

import click

from .command import Count, option_group
from .output import Output, emit, say_notes

options = option_group(
    click.option("--hessian", is_flag=True,
                 help="Also all second derivatives of a scalar output, by differentiating the "
                      "backward pass."),
    click.option("--order", type=Count(1, 100), metavar="K",
                 help="Also the derivatives up to dᴷz/dxᴷ with respect to the one variable (or --wrt "
                      "NAME), by Taylor mode; elementwise for an array input."),
    click.option("--symbolic", is_flag=True,
                 help="Also each derivative as a simplified formula (∂z/∂x = 2·(x + y)); with --json "
                      "in gradcalc's own syntax, ready to be given back to gradcalc."),
    click.option("--mode", type=click.Choice(["reverse", "forward"]), default="reverse",
                 show_default=True,
                 help="reverse: one backward pass for every input; forward: tangents carried beside "
                      "the values, one pass per input, with a table of every node's tangent."),
    click.option("--compare-modes", is_flag=True,
                 help="Run both modes and count the operations each one executed."),
)


def given(p: dict) -> list[str]:
    return [option for option, wanted in (
        ("--hessian", p["hessian"]), ("--order", p["order"]), ("--symbolic", p["symbolic"]),
        ("--mode forward", p["mode"] == "forward"), ("--compare-modes", p["compare_modes"])) if wanted]


def run(result, p: dict, out: Output) -> None:
    from ..higher import beyond
    from ..render.higher import render

    found = beyond(result, hessian_wanted=p["hessian"], order=p["order"], mode=p["mode"],
                   compare_modes=p["compare_modes"], symbolic=p["symbolic"])
    if not out.tables:
        say_notes(result)
    if out.latex:
        from ..errors import GradcalcError
        from ..render.latex import render as latex

        if p["mode"] == "forward" or p["compare_modes"]:
            raise GradcalcError("--latex cannot be combined with --mode forward or --compare-modes",
                                hint="--latex shows the trace, --symbolic, --hessian and --order")

        return emit(latex(result, found, out.precision, out.max_rows))
    emit(render(result, found, out.as_json, out.rich, out.quiet, out.precision, out.max_rows))
