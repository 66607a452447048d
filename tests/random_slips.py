"""Single slips made by hand, for the property tests of gradcalc.diagnose and bench/diagnose_rate.py,
each written from the issue's description of the mistake and independent of the catalogue in
gradcalc.diagnose: on a scalar graph, a change to a backward pass of this module's own (upstream ×
local, added at each input); on array programs (a mean's 1/n dropped) and random matrix-product
programs (a product's gradient untransposed or in the wrong order), an edit of the engine's backward
loop (gradcalc.diagnose.walk)."""

import math

import numpy as np
from hypothesis import strategies as st

from gradcalc.evaluate import needs_grad
from gradcalc.ops import OPS
from gradcalc.ops.rules import numbers_local

DROP = object()     # nothing flows along the edge

# Functions whose derivative a student can take at the wrong place (not the linear ones, whose
# derivative is the same everywhere).
_NOT_AT_OUTPUT = {"neg", "pos", "identity"}


def backward_with(graph, values, edit=None, overwrite=False, shortcut=None):
    """∂out/∂node at every node, by a plain reverse walk over a scalar graph with one slip:
    `edit(node, k, up, local, flowing)` gives what flows instead (None: unchanged, DROP: nothing),
    `overwrite` replaces an input's gradient at each edge, `shortcut[node]` the leaves a node's
    gradient goes to directly."""
    grads = [0.0] * len(graph.nodes)
    grads[graph.output] = 1.0
    for node in reversed(graph.nodes):
        up = grads[node.id]
        if node.op is None:
            continue
        if shortcut and node.id in shortcut:
            for leaf in shortcut[node.id]:
                grads[leaf] += up
            continue
        op = OPS[node.op]
        args = [values[i] for i in node.inputs]
        for k, src in enumerate(node.inputs):
            if op.local[k] is None:
                continue
            local = float(numbers_local(op.local[k], args, values[node.id]))
            flowing = up * local
            if edit is not None:
                changed = edit(node, k, up, local, flowing)
                if changed is DROP:
                    continue
                if changed is not None:
                    flowing = changed
            grads[src] = flowing if overwrite else grads[src] + flowing
    return grads


def _leaves_inside(graph, top):
    seen, stack, leaves = {top}, [top], []
    while stack:
        node = graph.nodes[stack.pop()]
        if node.op is None:
            leaves.append(node.id)
            continue
        for i in node.inputs:
            if i not in seen:
                seen.add(i)
                stack.append(i)
    return leaves


def _at_output(node, values):
    """A function's local derivative evaluated at its output instead of its input (None if undefined)."""
    op = OPS[node.op]
    moved = [values[node.id]] + [values[i] for i in node.inputs[1:]]
    with np.errstate(all="ignore"):
        try:
            wrong = float(numbers_local(op.local[0], moved, op.forward(*moved)))
        except (ValueError, ArithmeticError, TypeError):
            return None
    return wrong if math.isfinite(wrong) else None


def _edge(node_id, k, change):
    """An edit making `change(up, local, flowing)` flow along the one edge (node_id, k)."""
    return lambda node, kk, up, local, flowing: change(up, local, flowing) \
        if node.id == node_id and kk == k else None


def single_slips(graph, values):
    """Every single slip this graph admits, as (mistake id, keyword arguments of backward_with)."""
    needs = needs_grad(graph)
    slips, consumers = [], {}
    for node in graph.nodes:
        if node.op is None:
            continue
        op = OPS[node.op]
        args = [values[i] for i in node.inputs]
        out = values[node.id]
        for k, src in enumerate(node.inputs):
            if not needs[src] or op.local[k] is None:
                continue
            consumers.setdefault(src, []).append((node.id, k))
            name = "quotient-rule-sign" if node.op == "div" and k == 1 else "sign-slip"
            slips.append((name, {"edit": _edge(node.id, k, lambda up, local, flowing: -flowing)}))
            slips.append(("chain-factor-forgotten", {"edit": _edge(node.id, k, lambda up, local, flowing: local)}))
            slips.append(("local-derivative-forgotten", {"edit": _edge(node.id, k, lambda up, local, flowing: up)}))
            if node.op == "sigmoid":
                slips.append(("sigmoid-derivative-as-sigmoid",
                              {"edit": _edge(node.id, k, lambda up, local, flowing, s=out: up * s)}))
            if node.op == "tanh":
                slips.append(("tanh-derivative-as-1-minus-x2",
                              {"edit": _edge(node.id, k, lambda up, local, flowing, u=args[0]: up * (1 - u * u))}))
            if node.op == "pow" and k == 0:   # n·xⁿ for n·xⁿ⁻¹
                slips.append(("power-rule-exponent-not-lowered",
                              {"edit": _edge(node.id, k, lambda up, local, flowing, n=args[1], p=out: up * n * p)}))
            if (op.arity == 1 and node.op not in _NOT_AT_OUTPUT) or (node.op == "pow" and k == 0):
                wrong = _at_output(node, values)
                if wrong is not None:
                    slips.append(("derivative-at-output",
                                  {"edit": _edge(node.id, k, lambda up, local, flowing, w=wrong: up * w)}))
        if node.op == "log" and graph.nodes[node.inputs[0]].op is not None:   # log(u)′ = 1/u, u′ left out
            inner = node.inputs[0]
            leaves = [i for i in _leaves_inside(graph, inner) if needs[i]]
            slips.append(("log-without-inner-derivative", {"shortcut": {inner: leaves}}))
    shared = {src: edges for src, edges in consumers.items() if len(edges) > 1}
    for edges in shared.values():
        for kept in edges:
            dropped = {edge for edge in edges if edge != kept}
            slips.append(("paths-not-added", {"edit": lambda node, k, up, local, flowing, dropped=dropped:
                                              DROP if (node.id, k) in dropped else None}))
    if shared:
        slips.append(("last-path-overwrites", {"overwrite": True}))
    return slips


def rounded(right, decimals):
    """`right` rounded to `decimals` when that is wrong beyond the tolerance and still says ≥ 2
    significant digits (a student's rounding, not a different number); else None."""
    short = round(right, decimals)
    if abs(short - right) <= 1e-6 * abs(right) + 1e-12:
        return None
    digits = repr(short).lstrip("-0.").replace(".", "")
    return short if "e" not in repr(short) and len(digits) >= 2 else None


def mean_slips(graph, values):
    """The mean-as-sum slip at each mean of an array program, as an edit of gradcalc.diagnose.walk
    (the walk is the engine's backward loop; the slip, the 1/n dropped, is made here): (mistake, edits)."""
    needs = needs_grad(graph)
    slips = []
    for node in graph.nodes:
        if node.op in ("mean", "mean_axis") and needs[node.inputs[0]]:
            n = np.size(values[node.inputs[0]]) // max(np.size(values[node.id]), 1)
            slips.append(("mean-as-sum", {(node.id, 0): lambda up, local, flowing, args, out, n=n: flowing * n}))
    return slips


# Random matrix-product programs: A (2, 3), B (3, 2), C (2, 2) and D (3, 3), every sub-expression typed
# by its shape (rows, columns), so products of every fitting pair meet, square ones included (where
# both slips fit), inside smooth functions, sums and means. The output is a scalar.
MATRIX_POINT = {"A": [[0.5, -1.0, 0.2], [1.5, 0.3, -0.4]], "B": [[0.3, 0.8], [-0.6, 0.2], [1.1, -0.5]],
                "C": [[0.9, -0.3], [0.4, 1.2]], "D": [[0.2, 0.7, -0.1], [-0.5, 0.6, 0.3], [0.8, -0.2, 0.4]],
                "s": 0.7}
_MATRICES = {(2, 3): ["A", "B.T"], (3, 2): ["B", "A.T"], (2, 2): ["C", "C.T"], (3, 3): ["D", "D.T"]}
_SMOOTH = ["tanh({})", "sigmoid({})", "sin({})", "exp(0.3*{})"]


def _matrix(shape, depth):
    leaves = st.sampled_from(_MATRICES[shape])
    if depth == 0:
        return leaves
    rows, columns = shape
    products = [st.tuples(_matrix((rows, inner), depth - 1), _matrix((inner, columns), depth - 1))
                .map(lambda t: f"({t[0]} @ {t[1]})") for inner in (2, 3)]
    same = _matrix(shape, depth - 1)
    return st.one_of(leaves, *products,
                     st.tuples(st.sampled_from(_SMOOTH), same).map(lambda t: t[0].format(t[1])),
                     st.tuples(same, st.sampled_from(["+", "-", "*"]), same | st.sampled_from(["s", "0.5"]))
                     .map(lambda t: f"({t[0]} {t[1]} {t[2]})"))


matrix_programs = st.tuples(st.sampled_from(["sum", "mean"]), st.sampled_from(sorted(_MATRICES)),
                            st.integers(1, 3)).flatmap(
    lambda t: _matrix(t[1], t[2]).map(lambda body, reduce=t[0]: f"L = {reduce}({body})")).filter(
    lambda text: "@" in text)


def matmul_slips(graph, values):
    """The two matrix-product slips at each product Y = X @ W of two matrices, as edits of
    gradcalc.diagnose.walk (the walk is the engine's backward loop; the slips are made here, from the
    issue's words: with upstream G = ∂L/∂Y, ∂L/∂X = G·Wᵀ and ∂L/∂W = Xᵀ·G; untransposed, G·W and X·G;
    in the wrong order, Wᵀ·G and G·Xᵀ), each only where its product fits the input's shape (a
    product that does not is no slip a student could write down): (mistake, edits)."""
    needs = needs_grad(graph)
    slips = []
    for node in graph.nodes:
        if node.op != "matmul":
            continue
        x, w = (values[i] for i in node.inputs)
        if np.ndim(x) != 2 or np.ndim(w) != 2:
            continue
        g = np.ones(np.shape(values[node.id]))   # only its shape matters here
        made = {0: [("matmul-untransposed", lambda up, local, flowing, args, out: up @ args[1], g.shape, w.shape),
                    ("matmul-wrong-order", lambda up, local, flowing, args, out: args[1].T @ up, w.T.shape, g.shape)],
                1: [("matmul-untransposed", lambda up, local, flowing, args, out: args[0] @ up, x.shape, g.shape),
                    ("matmul-wrong-order", lambda up, local, flowing, args, out: up @ args[0].T, g.shape, x.T.shape)]}
        for k, src in enumerate(node.inputs):
            if not needs[src]:
                continue
            for mistake, edit, left, right in made[k]:
                if left[1] == right[0] and (left[0], right[1]) == np.shape(values[src]):
                    slips.append((mistake, {(node.id, k): edit}))
    return slips
