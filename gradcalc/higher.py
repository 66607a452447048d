"""Derivatives of derivatives: the backward pass of evaluate.py run on graph nodes, so it can be run again.

`gradient_nodes` (evaluate.py) is the one reverse walk with nodes for numbers: where the trace
multiplies upstream × local, it adds nodes, each op's rule read on nodes. A gradient is then a node
like any other, with a value — so differentiating it again gives the Hessian and dᵏz/dxᵏ, and
reading it as a formula gives the symbolic derivative (symbolic.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import GradcalcError
from .evaluate import gradient_nodes
from .nodes import NodeBuilder
from .numbers import element_labels

__all__ = ["Beyond", "Derivative", "Hessian", "NodeBuilder", "beyond", "checked_gradient", "extend", "gradient_nodes",
           "hessian", "nth_derivative", "taylor", "taylor_derivative"]

# A Hessian's rows are computed one by one, each a reverse pass over the graph: at most
# Limits.hessian rows (200 unless --limit hessian=N), and rows × nodes at most that many times this.
HESSIAN_VISITS = 10_000


def checked_gradient(builder: NodeBuilder, output: int, wrt: list[int], seed: int | None = None,
                     what: str = "this derivative") -> dict[int, int]:
    """gradient_nodes, each derivative finite (else the error of the value it came from): a value
    that is not finite may only have met a 0, as in a branch a where did not take (nodes.py)."""
    found = gradient_nodes(builder, output, wrt, seed, what=what)
    return {src: builder.checked(node) for src, node in found.items()}


def extend(result) -> NodeBuilder:
    """A builder over a copy of the result's graph and values, so the Result itself is unchanged."""
    return NodeBuilder(result.graph.copy(), list(result.values), wrt=tuple(result.wrt))


@dataclass
class Hessian:
    """All second derivatives of a scalar output: matrix[i][j] = ∂²z/∂v_i∂v_j over scalar elements."""

    output: str
    variables: list[str]                 # labels of the rows and columns: x, y, w[0], …
    matrix: np.ndarray
    builder: NodeBuilder
    gradient: dict[str, int]             # ∂z/∂v as nodes of builder.graph
    nodes: dict[tuple[str, str], int] = field(default_factory=dict)   # ∂²z/∂v∂u (scalar inputs)
    built: int = 0                       # derivative nodes the two passes added


def _within_limit(graph, names: tuple[str, ...], sizes: list[int], rows: int) -> None:
    """Refuse a Hessian over the rows limit (--limit hessian) or its work, rows × nodes over
    HESSIAN_VISITS a row allowed: saying how to raise it, and --wrt only where fewer inputs fit."""
    most = graph.limits.hessian
    visits = rows * len(graph.nodes)
    if rows <= most and visits <= most * HESSIAN_VISITS:
        return
    needed = max(rows, -(-visits // HESSIAN_VISITS))
    hint = f"raise the limit with --limit hessian={needed} (each row is one more reverse pass)"
    fits = [name for name, size in zip(names, sizes) if size <= most and size * len(graph.nodes) <= most * HESSIAN_VISITS]
    if len(names) > 1 and fits:
        each = ", ".join(f"{name} {size}" for name, size in zip(names, sizes))
        hint = f"ask for fewer inputs with --wrt (scalar elements: {each}), or {hint}"
    if rows > most:
        raise GradcalcError(f"the Hessian would be {rows}×{rows}, over the limit of {most} rows", hint=hint)
    raise GradcalcError(f"the Hessian would take {rows} reverse passes over {len(graph.nodes)} nodes, "
                        f"{visits:,} node visits, over the limit of {most * HESSIAN_VISITS:,}", hint=hint)


def hessian(result, names: tuple[str, ...] = (), builder: NodeBuilder | None = None) -> Hessian:
    """Differentiate the gradient nodes once more: one reverse pass per scalar element of the inputs."""
    graph = result.graph
    names = tuple(names) or tuple(graph.variables)
    seeded = result.upstream is not None     # --upstream or y.backward(v): the Hessian of L = ⟨v, y⟩
    if np.ndim(result.value) != 0 and not seeded:
        raise GradcalcError(f"--hessian needs a scalar output; {result.output_name} has shape "
                            f"{np.shape(result.value)}", hint="reduce the output to a number first, or give "
                                                              "∂L/∂output with --upstream (the Hessian of L)")
    labels = [label for name in names for label in element_labels(name, result.inputs[name])]
    _within_limit(graph, names, [int(np.size(result.inputs[name])) for name in names], len(labels))
    builder = builder or extend(result)
    before = builder.added
    var_nodes = [graph.variables[name] for name in names]
    first = checked_gradient(builder, graph.output, var_nodes, builder.const(result.upstream) if seeded else None,
                             what="--hessian")
    matrix = np.zeros((len(labels), len(labels)))
    nodes: dict[tuple[str, str], int] = {}
    row = 0
    for name, var in zip(names, var_nodes):
        grad = first[var]
        shape = np.shape(builder.values[grad])
        for index in np.ndindex(shape):
            seed = np.zeros(shape)
            seed[index] = 1.0
            second = checked_gradient(builder, grad, var_nodes, builder.const(seed), what="--hessian")
            matrix[row] = np.concatenate([np.ravel(builder.values[second[v]]) for v in var_nodes])
            if not shape:
                nodes.update({(name, other): second[v] for other, v in zip(names, var_nodes)
                              if np.ndim(builder.values[v]) == 0})
            row += 1
    gradient = {name: first[var] for name, var in zip(names, var_nodes)}
    return Hessian(result.loss or result.output_name, labels, matrix, builder, gradient, nodes, builder.added - before)


def hessian_vector(result, vectors: dict) -> dict:
    """H·v, the Hessian of a scalar output times the given vector (one part per input, 0 on the others), without
    the Hessian: the gradient of ⟨∇z, v⟩, one graph-building reverse pass per input given (PyTorch's hvp; its
    vhp, vᵀ·H, is the same numbers, the Hessian being symmetric)."""
    graph = result.graph
    if np.ndim(result.value) != 0:
        raise GradcalcError(f"a Hessian-vector product needs a scalar output; {result.output_name} has shape "
                            f"{np.shape(result.value)}", hint="reduce the output to a number first")
    unknown = [name for name in vectors if name not in graph.variables]
    if unknown:
        raise GradcalcError(f"a vector is given for {unknown[0]}, which is no input of the program",
                            hint=f"its inputs: {', '.join(graph.variables) or 'none'}")
    for name, vector in vectors.items():
        if np.shape(vector) != np.shape(result.inputs[name]):
            raise GradcalcError(f"the vector for {name} has shape {np.shape(vector)} but {name} has shape "
                                f"{np.shape(result.inputs[name])}", hint=f"give it in {name}'s shape")
    names = tuple(result.reported)
    builder = extend(result)
    var_nodes = [graph.variables[name] for name in names]
    first = checked_gradient(builder, graph.output, list(dict.fromkeys(var_nodes + [graph.variables[n] for n in vectors])),
                             what="a Hessian-vector product")
    found = {name: np.zeros(np.shape(result.inputs[name])) for name in names}
    for name, vector in vectors.items():
        second = checked_gradient(builder, first[graph.variables[name]], var_nodes, builder.const(np.asarray(vector, float)),
                                  what="a Hessian-vector product")
        for other, node in zip(names, var_nodes):
            found[other] = found[other] + builder.values[second[node]]
    return {name: float(value) if np.ndim(value) == 0 else value for name, value in found.items()}


@dataclass
class Derivative:
    """dᵏz/dxᵏ at the point, every order's value on the way, and (for formulas) every order's node."""

    output: str
    variable: str
    order: int
    value: float
    builder: NodeBuilder | None = None
    nodes: list[int] = field(default_factory=list)    # nodes[j] is the (j+1)-th derivative
    values: list = field(default_factory=list)        # values[j] is the (j+1)-th derivative's value
    method: str = "differentiating the last"          # how the values were found
    # digits[j]: how many significant digits of values[j] rounding leaves right (None: all), the
    # value rounded to them (Taylor mode's error bound, taylor.Series.checked).
    digits: list = field(default_factory=list)

    def __post_init__(self):
        if not self.values and self.builder is not None:
            self.values = [self.builder.values[node] for node in self.nodes]


def taylor(result, name: str, order: int, directional: bool = False):
    """The Taylor series of the output along `name` (taylor.py), on a copy of the result's graph."""
    from .taylor import propagate

    return propagate(extend(result), result, name, order, directional)


def taylor_derivative(result, name: str, order: int) -> Derivative:
    """dz/dx … dᵏz/dxᵏ by Taylor mode (taylor.py): no graph grows with the order."""

    seed = result.upstream     # --upstream or y.backward(v): the derivatives of L = ⟨v, y⟩
    scalar_input = np.ndim(result.inputs[name]) == 0
    if np.ndim(result.value) != 0 and scalar_input and seed is None:
        raise GradcalcError("--order works on a scalar output of one scalar input, or elementwise "
                            "on an array input", hint="reduce the output to a number first, or give ∂L/∂output "
                                                      "with --upstream (the derivatives of L)")
    if seed is not None and not scalar_input and np.shape(result.value) != np.shape(result.inputs[name]):
        raise GradcalcError(f"--order with --upstream on an array input needs the output in the input's shape "
                            f"(each element's own derivatives); {result.output_name} has shape "
                            f"{np.shape(result.value)} and {name} {np.shape(result.inputs[name])}",
                            hint="leave out --upstream, or ask of one element at a time")
    found, digits = taylor(result, name, order).checked()
    if seed is not None:       # d^k L = Σ v·d^k y (elementwise on an array input: v_i·d^k y_i/dx_i^k)
        found = [np.sum(seed * v) if scalar_input else seed * v for v in found]
    found = [v if right is None else _rounded(v, right) for v, right in zip(found, digits)]
    value = found[-1]
    return Derivative(result.loss or result.output_name, name, order, float(value) if np.ndim(value) == 0 else value,
                      values=found, method="Taylor-mode propagation", digits=digits)


def _rounded(value, digits: int):
    """`value` rounded to `digits` significant digits (each element of an array)."""
    if digits == 0:          # zero within rounding (taylor.Series.checked)
        return value * 0.0
    text = np.vectorize(lambda v: float(f"{v:.{digits}g}"), otypes=[np.float64])(value)
    return np.float64(text) if np.ndim(value) == 0 else text


def nth_derivative(result, name: str, order: int, builder: NodeBuilder | None = None) -> Derivative:
    """Repeat the graph-building backward pass `order` times on one scalar input."""
    if np.ndim(result.value) != 0 or np.ndim(result.inputs[name]) != 0:
        raise GradcalcError("--order works on a scalar output of one scalar input",
                            hint="use --hessian for the second derivatives of an array input")
    builder = builder or extend(result)
    var = result.graph.variables[name]
    node, nodes = result.graph.output, []
    for k in range(1, order + 1):
        node = checked_gradient(builder, node, [var], what="--order")[var]
        if k < order:
            node = _compact(builder, node)
        nodes.append(node)
    return Derivative(result.output_name, name, order, float(builder.values[node]), builder, nodes)


def _compact(builder: NodeBuilder, node: int) -> int:
    """The derivative rebuilt from its simplified, multiplied-out formula, unless that would cost
    accuracy: without this each order doubles the graph (the product rule makes two terms of one)."""
    from .symbolic import rebuild

    try:
        compact = rebuild(builder, node)
    except GradcalcError:
        return node
    return node if compact is None else compact


@dataclass
class Beyond:
    """What the options beyond one gradient asked for; None where not asked."""

    hessian: Hessian | None = None
    derivative: Derivative | None = None
    forward: object | None = None              # forward_mode.ForwardMode
    reverse_operations: int | None = None      # set by --compare-modes
    mode_difference: float | None = None       # largest |forward − reverse| over the gradient
    mode: str = "reverse"                      # which mode's gradient the report shows
    symbolic: object | None = None             # symbolic.Formulas, keyed as in `beyond`
    jacobian: object | None = None             # jacobian.Jacobian
    jvp: list = field(default_factory=list)    # (tangents by input name, forward_mode.ForwardPass) per direction
    batch_jacobian: object | None = None       # jacobian.BatchJacobian (TF's tape.batch_jacobian, from a program)
    hvp: list = field(default_factory=list)    # (the vector by input name, H·v by input name) per vector


def beyond(result, *, hessian_wanted: bool = False, order: int | None = None, mode: str = "reverse",
           compare_modes: bool = False, symbolic: bool = False, jacobian_wanted: bool = False,
           tangents: list | None = None, batch_of: str | None = None, vectors: list | None = None) -> Beyond:
    """Run the requested computations beyond one reverse-mode gradient on an evaluated Result.

    Formulas (symbolic) are keyed ("gradient", x), ("hessian", u, v) for u before v, ("order", k).
    """
    found = Beyond(mode=mode)
    computed = [name for name in result.wrt if name not in result.graph.variables]
    if computed:
        asked = "--hessian" if hessian_wanted else "--order" if order else "--symbolic" if symbolic \
            else "--jacobian" if jacobian_wanted else "--tangent" if tangents else "--mode forward" if mode == "forward" \
            else "--compare-modes"
        raise GradcalcError(f"{asked} differentiates with respect to inputs; {computed[0]} is a named "
                            f"intermediate (computed by the program)",
                            hint="ask for its gradient without this option, or choose inputs with --wrt")
    if mode == "forward" or compare_modes:
        from .forward_mode import forward_mode, reverse_operations

        seed = result.upstream   # --upstream
        found.forward = forward_mode(result.graph, result.values, result.reported, upstream=seed)
        if compare_modes:
            found.reverse_operations = reverse_operations(result)
            found.mode_difference = max((float(np.max(np.abs(found.forward.gradient[name] - grad)))
                                         for name, grad in result.gradient.items()), default=0.0)
    builder = extend(result)   # one graph for every derivative asked for: shared nodes built once
    names = result.reported
    if jacobian_wanted:
        from .jacobian import jacobian

        found.jacobian = jacobian(result, names)
    for given in vectors or ():
        found.hvp.append((given, hessian_vector(result, given)))
    if batch_of is not None:
        from .jacobian import batch_jacobian

        found.batch_jacobian = batch_jacobian(result, batch_of)
    if tangents:
        from .forward_mode import along

        for k, given in enumerate(tangents):
            unknown = [name for name in given if name not in result.graph.variables]
            if unknown:
                raise GradcalcError(f"a tangent is given for {unknown[0]}, which is no input of the program",
                                    hint=f"its inputs: {', '.join(result.graph.variables) or 'none'}")
            found.jvp.append((given, along(result.graph, result.values, given, f"v{k + 1}" if len(tangents) > 1 else "v")))
    if hessian_wanted:
        found.hessian = hessian(result, names, builder)
    if order is not None:
        if len(names) != 1:
            raise GradcalcError(f"--order needs one variable; the expression uses "
                                f"{', '.join(names) or 'none'}",
                                hint=f"choose one with --wrt {names[0]}" if names else None)
        found.derivative = taylor_derivative(result, names[0], order)
        if symbolic:       # formulas of every order: differentiate each order's formula again
            formulas_of = nth_derivative(result, names[0], order, builder)
            found.derivative.builder, found.derivative.nodes = builder, formulas_of.nodes
    if symbolic:
        from .symbolic import formulas

        variables = [result.graph.variables[name] for name in names]
        first = checked_gradient(builder, result.graph.output, variables, what="--symbolic")
        roots: dict[tuple, int] = {("gradient", name): first[v] for name, v in zip(names, variables)}
        if found.hessian is not None:
            roots.update({("hessian", u, v): node for (u, v), node in found.hessian.nodes.items()
                          if names.index(u) <= names.index(v)})
        if found.derivative is not None:
            roots.update({("order", k): node for k, node in enumerate(found.derivative.nodes, 1)})
        taken = {node.name for node in result.graph.nodes if node.name} | {result.output_name}
        found.symbolic = formulas(builder.graph, builder.values, roots, taken, expand=True, own_names=True)
    return found
