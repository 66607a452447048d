"""Forward mode: a tangent carried beside every value, one pass per scalar input.

Each pass seeds one input element with tangent 1 (the others 0) and walks the nodes in creation order,
reading each node's value from the forward pass (computed once, within its size limits) and computing
its tangent: tangent_out = Σ_k local_k · tangent_k, with the same local derivatives (each op's rule)
the backward pass multiplies by, summed to the node's shape where the op reduces. A linear op (+, .T,
a sum along an axis) applies itself to the tangents and a bilinear one (×, @) gives Ẋ·W + X·Ẇ, as the
Taylor rules of taylor.py read them (indexing and keepdims too: they only move elements); softmax and
logsumexp take theirs from their vector-Jacobian rule by transposition (the rule is linear in ∂L/∂out,
so J·t is the gradient of ⟨rule(g), t⟩ with respect to g: one graph-building reverse pass over the
rule read on nodes). One pass gives the derivative of the output with respect to that one input —
which is why reverse mode, one pass for all inputs, wins when there are many inputs and one output.

Operations are counted the same way in both modes: one per op node whose value is computed, and one
per edge whose chain-rule product is formed (local × tangent forwards, upstream × local backwards);
edges from nodes that depend on no input (constants) are skipped in both. An op on an array counts
once, as numpy does its elements in one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import GradcalcError, MathError
from .evaluate import Value, gradient_nodes, needs_grad
from .graph import Graph
from .nodes import NodeBuilder
from .numbers import element_labels, format_value
from .ops import OPS, sum_to
from .ops.rules import numbers_local
from .taylor import BILINEAR, LINEAR, MOVES


@dataclass
class ForwardPass:
    seed: str                     # the input element whose tangent is 1: x, w[0]
    tangents: list[Value]         # d node / d seed, per node
    operations: int


@dataclass
class ForwardMode:
    output: str
    passes: list[ForwardPass]
    gradient: dict[str, Value]    # ∂output/∂name assembled from the passes

    @property
    def operations(self) -> int:
        return sum(p.operations for p in self.passes)


# Numbers all passes together may compute and keep (a tangent per node per pass, for the table):
# forward mode's cost is passes × graph, so a large input stops here with the reason, in seconds.
MAX_WORK = 5_000_000


def forward_mode(graph: Graph, values: list[Value], wrt: tuple[str, ...] = (),
                 upstream: Value | None = None) -> ForwardMode:
    """One forward pass per scalar element of each input in `wrt` (default: all inputs), carrying
    tangents beside the forward values already computed (evaluate.forward's, with its size limits).

    Each pass gives d output/d input; the gradient of L takes its dot product with `upstream`
    (∂L/∂output, given with --upstream), or with ones, as reverse mode's seed does."""
    names = tuple(wrt) or tuple(graph.variables)
    needs = needs_grad(graph, names)   # ∂/∂y nobody asked for must not fail x**y at x < 0
    passes, gradient = [], {}
    count = sum(int(np.size(values[graph.variables[name]])) for name in names)
    for name in names:
        value = values[graph.variables[name]]
        grad = np.zeros_like(value) if np.ndim(value) else np.float64(0.0)
        for label, index in zip(element_labels(name, value), np.ndindex(np.shape(value))):
            seed = np.float64(1.0)
            if np.ndim(value):
                seed = np.zeros_like(value)
                seed[index] = 1.0
            one = _pass(graph, values, needs, {graph.variables[name]: seed}, label)
            if not passes:
                per_pass = sum(max(1, int(np.size(t))) for t in one.tangents)
                if per_pass * count > MAX_WORK:
                    raise GradcalcError(
                        f"forward mode would take {count} passes over {len(graph.nodes)} nodes "
                        f"({per_pass * count:.3g} numbers); at most {MAX_WORK:.0e} are allowed",
                        hint="this is why reverse mode is the default: use it, or choose fewer "
                             "inputs with --wrt")
            passes.append(one)
            # With an array output, reverse mode seeds ones (the derivative of the sum of its
            # elements) or the given ∂L/∂output: the same weights apply here.
            tangent = one.tangents[graph.output]
            derivative = np.sum(tangent if upstream is None else tangent * upstream)
            if np.ndim(value):
                grad[index] = derivative
            else:
                grad = np.float64(derivative)
        gradient[name] = grad
    return ForwardMode(graph.output_name, passes, gradient)


def along(graph: Graph, values: list[Value], tangents: dict[str, Value], label: str) -> ForwardPass:
    """One pass with the given tangent on each named input (0 on the others): the output's tangent is the
    Jacobian-vector product J·v (jax.jvp's, torch.autograd.functional.jvp's)."""
    for name, tangent in tangents.items():
        want = np.shape(values[graph.variables[name]])
        if np.shape(tangent) != want:
            raise GradcalcError(f"the tangent of {name} has shape {np.shape(tangent)} but {name} has shape {want}",
                                hint=f"give {name}'s tangent in {name}'s shape")
    seeds = {graph.variables[name]: np.asarray(tangent, dtype=float) if np.ndim(tangent) else np.float64(tangent)
             for name, tangent in tangents.items()}
    return _pass(graph, values, needs_grad(graph, tuple(tangents)), seeds, label)


def _pass(graph: Graph, values: list[Value], needs, seeds: dict[int, Value], label: str) -> ForwardPass:
    tangents: list[Value] = [np.float64(0.0)] * len(graph.nodes)
    operations = 0
    # A tangent that is not finite is an error only if it reaches the output (else it went nowhere, or
    # into stop_gradient or a comparison): each such node's first origin, and the origins' errors.
    origin: dict[int, int] = {}
    undefined: dict[int, MathError] = {}
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            if node.op is None:
                if node.id in seeds:
                    tangents[node.id] = seeds[node.id]
                elif np.ndim(values[node.id]):
                    tangents[node.id] = np.zeros_like(values[node.id])
                continue
            op = OPS[node.op]
            args = [values[i] for i in node.inputs]
            out = values[node.id]
            operations += 1        # the op's value, computed once by the forward pass
            moving = [k for k, src in enumerate(node.inputs) if needs[src]]
            operations += len(moving)
            linear = (LINEAR[node.op] or 0) if node.op in LINEAR else 1 if node.op.startswith(MOVES) else -1
            if linear >= 0:                # linear (taylor.py's registry): the op of the tangents
                series = linear or len(args)
                tangent = op.forward(*[tangents[src] for src in node.inputs[:series]], *args[series:])
            elif node.op == "mul":         # Ẋ·W + X·Ẇ, each a local × tangent
                tangent = np.float64(0.0)
                for k in moving:
                    tangent = tangent + args[1 - k] * tangents[node.inputs[k]]
            elif node.op in BILINEAR:      # X·W: Ẋ·W + X·Ẇ
                tangent = np.float64(0.0)
                for k in moving:
                    tangent = tangent + op.forward(*[tangents[node.inputs[j]] if j == k else args[j]
                                                     for j in range(len(args))])
            elif op.vjp:                   # softmax, logsumexp: the rule transposed
                tangent = np.float64(0.0)
                for k in moving:
                    tangent = tangent + _transposed(op, k, args, out, tangents[node.inputs[k]], node, graph)
            else:                          # Σ local · tangent, each local read off the op's rule
                tangent = np.float64(0.0)
                for k in moving:
                    local = numbers_local(op.local[k], args, out)
                    # (a Python conditional's branch not taken is never evaluated: its 0 is flat too)
                    tangent = tangent + (_times(local, tangents[node.inputs[k]]) if k in op.flat or node.op == "if_else"
                                         else local * tangents[node.inputs[k]])
            if not np.all(np.isfinite(tangent)):
                sources = [origin[i] for i in node.inputs if i in origin]
                origin[node.id] = min(sources) if sources else node.id
                if not sources:
                    shown = ", ".join(format_value(a) for a in args)
                    undefined[node.id] = MathError(
                        f"the tangent of {op.symbol} of {shown} is not finite, so the derivative is undefined "
                        f"there", node.span, text=graph.text,
                        hint="the function is not differentiable at this point; try another")
            tangents[node.id] = _fit(tangent, np.shape(out))
    if graph.output in origin:
        raise undefined[origin[graph.output]]
    return ForwardPass(label, tangents, operations)


def _times(local, tangent):
    """local × tangent of a flat input (stop_gradient's, a comparison's): 0, even where the tangent
    is inf or nan, as no gradient path goes through it (elsewhere 0 × inf is nan, as in JAX)."""
    product = local * tangent
    if np.all(np.isfinite(product)):
        return product
    zero = np.asarray(local) == 0
    found = np.where(zero, 0.0, product)
    return found if found.ndim else np.float64(found)


def _transposed(op, k: int, args: list, out, tangent, node, graph: Graph):
    """J_k·t read off input k's vector-Jacobian rule: the rule is linear in g = ∂L/∂out, so J_k·t is
    the gradient of ⟨rule(g), t⟩ with respect to g, found by reverse mode over the rule's own nodes."""

    rule_graph = Graph(graph.text)
    ids = []
    for value in [*args, out]:
        ids.append(rule_graph.add(None, (), node.span))
        rule_graph.constants[ids[-1]] = value
    g = rule_graph.variables["g"] = rule_graph.add(None, (), node.span, name="g")
    builder = NodeBuilder(rule_graph, [*args, out, np.zeros_like(out) if np.ndim(out) else np.float64(0.0)])
    builder.span = node.span
    flowing = op.flowing_node(builder, k, g, tuple(ids[:-1]), ids[-1])
    found = gradient_nodes(builder, flowing, [g], seed=builder.const(tangent), what="--mode forward")
    return builder.values[builder.checked(found[g])]


def _fit(tangent, shape):
    """local × tangent in the output's shape: summed where the op reduced (sum, max, a loss),
    spread where it broadcast (x + s with a scalar s whose tangent is a number)."""
    if np.shape(tangent) == shape:
        return tangent
    if np.size(tangent) > int(np.prod(shape)) or np.ndim(tangent) > len(shape):
        return sum_to(tangent, shape)   # also (1, 1) → (): as many numbers, more axes
    return np.broadcast_to(tangent, shape) * 1.0


def reverse_operations(result) -> int:
    """What the reverse mode run of `result` executed: one forward pass, then one backward pass."""
    return sum(node.op is not None for node in result.graph.nodes) + len(result.steps)
