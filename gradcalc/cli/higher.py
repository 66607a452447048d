"""Beyond one gradient: --hessian, --order, --symbolic, --mode forward, --compare-modes."""

from __future__ import annotations

from . import spec
from .command import options_for
from .output import Output, emit, on_screen, say_notes

options = options_for(spec.COMMAND, "higher")


def given(p: dict) -> list[str]:
    return [option for option, wanted in (
        ("--hessian", p["hessian"]), ("--jacobian", p["jacobian"]),
        ("--tangent", bool(p["tangent"] or p.get("program_tangents"))), ("batch_jacobian", bool(p.get("batch_of"))),
        ("hvp", bool(p.get("program_vectors"))),
        ("--order", p["order"]), ("--symbolic", p["symbolic"]),
        ("--mode forward", p["mode"] == "forward"), ("--compare-modes", p["compare_modes"])) if wanted]


def asked_by_program(result, p: dict) -> dict:
    """The options, with what a pasted program asks beyond the gradient (Graph.wants) added as the
    options that compute it: jax.jacfwd(f)(x) of a vector f is --jacobian, jax.hessian(f)(x)
    --hessian, grad(grad(f))(x) --order 2. Checks and pictures given on the command line are of the
    gradient: then nothing is added."""
    wants = result.graph.wants
    if not wants or p["expect"] or p["numerical"] or p["points"] is not None:
        return p
    import numpy as np

    from ..result import to_value
    from ..values import read_value

    def read(key: str) -> list[dict]:
        return [{name: to_value(result.values[found] if kind == "node" else read_value(found, f"the vector of {name}"),
                                f"the vector of {name}")
                 for name, (kind, found) in given.items()} for given in wants.get(key, ())]
    directions = read("tangents")
    return {**p, "jacobian": p["jacobian"] or ("jacobian" in wants and np.ndim(result.value) != 0),
            "hessian": p["hessian"] or "hessian" in wants, "order": p["order"] or wants.get("order"),
            "program_tangents": directions, "batch_of": wants.get("batch_jacobian", (None, None))[1],
            "program_vectors": read("vectors")}


def tangents(p: dict) -> list[dict]:
    """--tangent NAME=VALUE given (one direction), and the directions the program asks (jax.jvp's)."""
    from ..errors import GradcalcError
    from ..result import to_value
    from ..values import parse_value

    given = {}
    for pair in p["tangent"]:
        name, equals, raw = pair.partition("=")
        if not equals or not name.strip():
            raise GradcalcError(f"--tangent takes NAME=VALUE, not {pair!r}", hint="write --tangent x=1")
        given[name.strip()] = to_value(parse_value(name.strip(), raw), f"the tangent of {name.strip()}")
    return ([given] if given else []) + list(p.get("program_tangents", ()))


def run(result, p: dict, out: Output) -> None:
    from ..higher import beyond
    from ..render.higher import render

    found = beyond(result, hessian_wanted=p["hessian"], order=p["order"], mode=p["mode"],
                   compare_modes=p["compare_modes"], symbolic=p["symbolic"], jacobian_wanted=p["jacobian"],
                   tangents=tangents(p), batch_of=p.get("batch_of"), vectors=p.get("program_vectors"))
    if not out.tables:
        say_notes(result)
    if out.latex:
        from ..render.latex import render as latex

        return emit(latex(result, found, out.precision, out.max_rows))
    text = render(result, found, out.as_json, out.rich, out.quiet, out.precision, out.max_rows)
    emit(text if out.rich or out.as_json or out.quiet else on_screen(text))
