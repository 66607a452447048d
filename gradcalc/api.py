"""The public Python API: compute(text, **values) → Result. The CLI is a thin layer over it."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable

import numpy as np

from .errors import GradcalcError, MissingValue, UnusedValue
from .arrays import MAX_AXES, nested_list_problem
from .evaluate import Step, Value, backward, forward
from .graph import Graph
from .limits import DEFAULT, Limits, check
from .numbers import format_shape
from .ops import CONSTANTS
from .parse import parse


@dataclass
class Result:
    """Everything one evaluation found: the graph, a value and a gradient per node, the backward trace."""

    graph: Graph
    values: list[Value]
    grads: list[Value | None]
    steps: list[Step]
    inputs: dict[str, Value]
    wrt: tuple[str, ...] = ()
    seeded: bool = field(default=False)   # True when the caller supplied ∂L/∂output

    @property
    def value(self) -> Value:
        return self.values[self.graph.output]

    @property
    def output_name(self) -> str:
        return self.graph.output_name

    @property
    def gradient(self) -> dict[str, Value]:
        """∂output/∂name for each input variable (those in `wrt` if given), in order of first use."""
        names = self.wrt or tuple(self.graph.variables)
        return {name: self.grad_of(name) for name in names}

    def grad_of(self, name: str) -> Value:
        grad = self.grads[self.graph.variables[name]]
        if grad is None:  # the output does not depend on it (e.g. `0*x` folded away)
            return np.zeros_like(self.inputs[name])
        return grad

    @cached_property
    def labels(self) -> list[str]:
        return self.graph.labels()

    def __rich__(self):
        from .render.rich import render_result

        return render_result(self)

    def _repr_html_(self) -> str:
        """Notebooks show the same tables as a terminal, as HTML."""
        from rich.console import Console

        with open(os.devnull, "w") as sink:
            console = Console(record=True, width=110, file=sink)
            console.print(self)
        return console.export_html(inline_styles=True, code_format="<pre>{code}</pre>")

    def __repr__(self) -> str:
        from .numbers import format_value

        grads = ", ".join(f"∂{self.output_name}/∂{n}={format_value(g)}" for n, g in self.gradient.items())
        return f"<Result {self.output_name}={format_value(self.value)} {grads}>"


def to_value(raw: Any, name: str = "value") -> Value:
    """A number or nested list as gradcalc's value: np.float64 for a scalar, a float array otherwise."""
    if isinstance(raw, (list, tuple)):
        try:
            fits = np.asarray(raw).dtype.kind in "fiu"   # at C speed: the common, well-formed case
        except ValueError:
            fits = False
        # Only a list numpy cannot read as numbers is walked element by element, to say where.
        problem = None if fits else nested_list_problem(raw, name)
        if problem:
            raise GradcalcError(problem, hint="write an array as nested lists of numbers, every row "
                                              "the same length: [[1, 2], [3, 4]]")
    try:
        array = np.asarray(raw)
        if array.dtype.kind not in "fiu":  # true, "1" and None are not numbers, even if numpy casts them
            raise TypeError(f"it holds {array.dtype.name} values, not numbers")
        array = array.astype(np.float64, copy=False)
    except (ValueError, TypeError) as error:
        raise GradcalcError(f"the value of {name} is not a number or a rectangular array of numbers: "
                            f"{raw!r}", hint=str(error).split("\n")[0]) from None
    if not np.all(np.isfinite(array)):
        index = tuple(np.argwhere(~np.isfinite(array))[0])   # the first bad element, () for a scalar
        where = f"{name}[{', '.join(map(str, index))}]" if index else name
        raise GradcalcError(f"the value of {name} is not finite: {where} is {array[index]}",
                            hint="give a finite number; nan and inf are not allowed as inputs")
    if array.size == 0:
        raise GradcalcError(f"the value of {name} is empty", hint="give at least one number")
    if array.ndim > MAX_AXES:
        raise GradcalcError(f"the value of {name} has {array.ndim} axes; gradcalc takes at most {MAX_AXES}",
                            hint="reshape it to fewer axes")
    return np.float64(array) if array.ndim == 0 else array


def bind(graph: Graph, values: dict[str, Any]) -> dict[str, Value]:
    """Match given values to the program's inputs: every input needs one, every value an input."""
    unknown = [name for name in values if name not in graph.variables]
    if unknown:
        raise _unused_value(graph, unknown[0])
    inputs: dict[str, Value] = {}
    missing = []
    for name, node in graph.variables.items():
        if name in values:
            inputs[name] = to_value(values[name], name)
            check("elements", np.size(inputs[name]), f"the value of {name}", graph.limits)
        elif name in graph.defaults:
            inputs[name] = graph.defaults[name]
        else:
            missing.append(name)
    if missing:
        first = graph.nodes[graph.variables[missing[0]]]
        options = " ".join(f"--{name} VALUE" for name in missing)
        raise MissingValue(f"no value for {', '.join(missing)}", missing, first.span,
                           hint=f"give {options}", text=graph.text)
    return inputs


def _unused_value(graph: Graph, name: str) -> UnusedValue:
    inputs = ", ".join(graph.variables) or "no inputs"
    computed = next((node for node in graph.nodes if node.name == name), None)
    if computed is not None:
        return UnusedValue(f"{name} is computed by the program, so it takes no value", name,
                           hint=f"give values for its inputs instead: {inputs}")
    if name in CONSTANTS:
        return UnusedValue(f"{name} is the constant {name} = {CONSTANTS[name]!r}, so it takes no value",
                           name, hint=f"to use a variable of your own, give it another name "
                                      f"(such as {name}0)")
    close = difflib.get_close_matches(name, list(graph.variables), n=1)
    return UnusedValue(f"a value was given for {name}, which the expression does not use", name,
                       hint=f"did you mean {close[0]}?" if close else f"the expression uses {inputs}",
                       unknown=True)


def evaluate(graph: Graph, values: dict[str, Any] | None = None, wrt: Iterable[str] = (),
             upstream: Any = None) -> Result:
    """Forward then backward over a parsed graph."""
    wrt = tuple(wrt)
    for name in wrt:
        if name not in graph.variables:
            close = difflib.get_close_matches(name, list(graph.variables), n=1)
            raise GradcalcError(f"cannot differentiate with respect to {name}: the expression does "
                                f"not use it", hint=f"did you mean {close[0]}?" if close else
                                f"the expression uses {', '.join(graph.variables) or 'no variables'}")
    inputs = bind(graph, values or {})
    node_values = forward(graph, inputs)
    seed = None
    if upstream is not None:
        seed = to_value(upstream, "upstream")
        want = np.shape(node_values[graph.output])
        if np.shape(seed) != want:
            raise GradcalcError(f"the upstream gradient has shape {format_shape(np.shape(seed))} but "
                                f"the output {graph.output_name} has shape {format_shape(want)}",
                                hint=f"give --upstream as an array of shape {format_shape(want)}, "
                                     f"∂L/∂{graph.output_name}")
    grads, steps = backward(graph, node_values, seed, wrt=wrt)
    return Result(graph, node_values, grads, steps, inputs, wrt, seeded=seed is not None)


def compute(text: str, values: dict[str, Any] | None = None, *, wrt: Iterable[str] = (),
            upstream: Any = None, limits: Limits = DEFAULT, **named_values: Any) -> Result:
    """Parse `text`, run forward and backward, return the Result. `limits` bounds the input's size.

    >>> compute("(x+y)**2", x=1, y=2).gradient
    {'x': np.float64(6.0), 'y': np.float64(6.0)}
    """
    return evaluate(parse(text, limits), {**(values or {}), **named_values}, wrt, upstream)
