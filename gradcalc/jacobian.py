"""The Jacobian of an output: ∂y[i]/∂x[j] for every element of the output and of each input.

Reverse mode gives one row a pass (the backward pass seeded with 1 at output element i, 0 elsewhere:
y[i]'s gradient); forward mode one column a pass (the tangents seeded with 1 at input element j: the
output's tangent). The cheaper is taken: fewer output elements than input elements, reverse. Both
read each op's rule as the backward and forward passes do (evaluate.py, forward_mode.py); nothing is
derived here. What a library returns for jax.jacobian(f)(x) or torch.autograd.functional.jacobian is
one block per input, shaped output shape + input shape: `Jacobian.block(name)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import GradcalcError
from .evaluate import backward
from .numbers import element_labels, format_shape


def shape_of(shape: tuple) -> str:
    """A shape as the trace writes it: (3,), (2,2), or scalar."""
    return format_shape(shape) if shape else "scalar"

# Each pass walks the whole graph: at most Limits.jacobian passes (1000 unless --limit jacobian=N),
# and passes × nodes at most this many times that, so a hostile size ends in seconds.
JACOBIAN_VISITS = 2_000


@dataclass
class Jacobian:
    """matrix[i][j] = ∂output element i / ∂ input element j, inputs side by side in `names`' order."""

    output: str
    output_shape: tuple
    rows: list[str]                 # y[0], y[1], … (y for a scalar output)
    variables: list[str]            # x[0], x[1], …, w (the columns)
    names: tuple[str, ...]          # the inputs, in order
    shapes: dict[str, tuple]        # each input's shape
    matrix: np.ndarray
    method: str                     # "reverse" (a pass per row) or "forward" (a pass per column)

    @property
    def passes(self) -> int:
        return len(self.rows) if self.method == "reverse" else len(self.variables)

    def block(self, name: str) -> np.ndarray | float:
        """∂output/∂name shaped output shape + name's shape, as jax.jacobian and PyTorch's jacobian give it."""
        start = 0
        for each in self.names:
            size = int(np.prod(self.shapes[each], dtype=np.int64))
            if each == name:
                block = self.matrix[:, start:start + size].reshape(tuple(self.output_shape) + tuple(self.shapes[name]))
                return float(block) if block.ndim == 0 else block
            start += size
        raise KeyError(name)


def _within_limit(graph, passes: int, entries: int, out_size: int, in_size: int) -> None:
    """Refuse a Jacobian whose passes, work or size is over the limits, saying which and how to raise it."""
    most, nodes = graph.limits.jacobian, len(graph.nodes)
    shape = f"{out_size}×{in_size}"
    if entries > graph.limits.elements:
        raise GradcalcError(f"the Jacobian would be {shape}, {entries:,} numbers, over the limit of "
                            f"{graph.limits.elements:,} numbers in one value",
                            hint="ask for fewer inputs with --wrt, or one output element at a time (y[i]: "
                                 "its gradient is the Jacobian's row i)")
    visits = passes * nodes
    if passes <= most and visits <= most * JACOBIAN_VISITS:
        return
    needed = max(passes, -(-visits // JACOBIAN_VISITS))
    hint = (f"raise the limit with --limit jacobian={needed} (each pass walks the graph once), ask for fewer "
            "inputs with --wrt, or one output element at a time (y[i]: its gradient is row i)")
    if passes > most:
        raise GradcalcError(f"the Jacobian ({shape}) would take {passes} passes, over the limit of {most}",
                            hint=hint)
    raise GradcalcError(f"the Jacobian ({shape}) would take {passes} passes over {nodes} nodes, {visits:,} "
                        f"node visits, over the limit of {most * JACOBIAN_VISITS:,}", hint=hint)


def jacobian(result, names: tuple[str, ...] = ()) -> Jacobian:
    """Every ∂output element/∂input element: a reverse pass per output element, or a forward pass per
    input element where there are fewer of those."""
    graph, values = result.graph, result.values
    names = tuple(names) or tuple(result.reported)
    computed = [name for name in names if name not in graph.variables]
    if computed:
        raise GradcalcError(f"--jacobian differentiates with respect to inputs; {computed[0]} is a named "
                            f"intermediate (computed by the program)",
                            hint="ask for its gradient without this option, or choose inputs with --wrt")
    out = values[graph.output]
    out_shape = tuple(np.shape(out))
    shapes = {name: tuple(np.shape(result.inputs[name])) for name in names}
    rows = element_labels(result.output_name, np.asarray(out))
    variables = [label for name in names for label in element_labels(name, np.asarray(result.inputs[name]))]
    method = "reverse" if len(rows) <= len(variables) else "forward"
    if method == "forward":     # forward mode keeps every node's tangent of every pass: within its own limit
        from .forward_mode import MAX_WORK

        if sum(max(1, int(np.size(value))) for value in values) * len(variables) > MAX_WORK:
            method = "reverse"
    passes = len(rows) if method == "reverse" else len(variables)
    _within_limit(graph, passes, len(rows) * len(variables), len(rows), len(variables))
    matrix = np.zeros((len(rows), len(variables)))
    if method == "reverse":
        var_nodes = [graph.variables[name] for name in names]
        for i, index in enumerate(np.ndindex(out_shape)):
            seed = np.zeros(out_shape)
            seed[index] = 1.0
            grads, _ = backward(graph, values, seed if out_shape else np.float64(1.0), wrt=names, record=False)
            matrix[i] = np.concatenate([np.ravel(np.zeros(shapes[name]) if grads[node] is None else grads[node])
                                        for name, node in zip(names, var_nodes)])
    else:
        from .forward_mode import forward_mode

        found = forward_mode(graph, values, names)
        for j, one in enumerate(found.passes):
            matrix[:, j] = np.ravel(np.broadcast_to(one.tangents[graph.output], out_shape))
    return Jacobian(result.output_name, out_shape, rows, variables, names, shapes, matrix, method)


def described(found: Jacobian) -> str:
    """How the Jacobian was computed, with its shapes: for the trace's note."""
    inputs = ", ".join(f"{name} {shape_of(found.shapes[name])}" for name in found.names)
    if found.method == "reverse":
        how = (f"{found.passes} reverse pass{'es' * (found.passes != 1)}, one per element of {found.output} "
               f"(the backward pass seeded with 1 at that element: its gradient is that row)")
    else:
        how = (f"{found.passes} forward-mode pass{'es' * (found.passes != 1)}, one per input element (its "
               f"tangent at {found.output} is that column), fewer than {found.output}'s {len(found.rows)} elements")
    return (f"the Jacobian of {found.output} {shape_of(found.output_shape)} with respect to {inputs} is "
            f"{len(found.rows)}×{len(found.variables)}, by {how}")


@dataclass
class BatchJacobian:
    """TensorFlow's tape.batch_jacobian(y, x): array[b, i…, j…] = Σ_b' ∂y[b', i…]/∂x[b, j…], each y[:, i]'s
    gradient summed over the batch (TF's computation; ∂y[b, i]/∂x[b, j] where no example reads another's)."""

    output: str
    variable: str
    array: np.ndarray            # shape (batch,) + y's other axes + x's other axes
    rows: list[str]              # y[b,i]: one per batch element and element of y's other axes
    columns: list[str]           # x[b,j]: the elements of x's other axes, in every batch element

    @property
    def matrix(self) -> np.ndarray:
        return self.array.reshape(len(self.rows), len(self.columns))


def batch_jacobian(result, name: str) -> BatchJacobian:
    """One reverse pass per element of y's axes after the first (TF's loop over them), seeded with 1 at that
    element of every batch element: the gradient, by x, of the sum over the batch."""
    graph, values = result.graph, result.values
    out, source = np.asarray(values[graph.output]), np.asarray(result.inputs[name])
    if out.ndim < 1 or source.ndim < 1 or out.shape[0] != source.shape[0]:
        raise GradcalcError(f"batch_jacobian needs {result.output_name} and {name} with the same first axis, the "
                            f"batch: they have shapes {format_shape(out.shape)} and {format_shape(source.shape)}",
                            hint="TensorFlow raises here too: use tape.jacobian for the whole Jacobian")
    inner = out.shape[1:]
    passes = int(np.prod(inner, dtype=np.int64))
    _within_limit(graph, passes, out.size * int(np.prod(source.shape[1:], dtype=np.int64)), out.size, source.size)
    array = np.zeros(out.shape + source.shape[1:])
    for index in np.ndindex(inner):
        seed = np.zeros(out.shape)
        seed[(slice(None),) + index] = 1.0
        grads, _ = backward(graph, values, seed, wrt=(name,), record=False)
        grad = grads[graph.variables[name]]
        array[(slice(None),) + index] = 0.0 if grad is None else grad
    batch = range(out.shape[0])
    rows = [f"{result.output_name}[{b}{''.join(f',{k}' for k in index)}]" for b in batch for index in np.ndindex(inner)]
    columns = [f"{name}[b{''.join(f',{k}' for k in index)}]" for index in np.ndindex(source.shape[1:])]
    return BatchJacobian(result.output_name, name, array, rows, columns)
