"""--json: one JSON object, full float precision, arrays as nested lists."""

from __future__ import annotations

import json

import numpy as np

from .rows import definition


def plain(value):
    """A value as JSON data: a float, or nested lists of floats."""
    return value.tolist() if isinstance(value, np.ndarray) else float(value)


def to_dict(result) -> dict:
    graph, labels = result.graph, result.labels
    locals_by_node: dict[int, list] = {}
    for step in result.steps:
        locals_by_node.setdefault(step.node, []).append(
            {"input": step.input, "local": plain(step.local), "upstream": plain(step.upstream),
             "contribution": plain(step.flowing)})
    nodes = []
    for node in graph.nodes:
        grad = result.grads[node.id]
        nodes.append({
            "id": node.id, "op": node.op, "name": node.name, "label": labels[node.id],
            "computes": definition(result, node.id), "inputs": list(node.inputs),
            "value": plain(result.values[node.id]), "shape": list(np.shape(result.values[node.id])),
            "grad": None if grad is None else plain(grad),
            "local": locals_by_node.get(node.id, []),
        })
    return {
        "output": result.output_name,
        "value": plain(result.value),
        "gradient": {name: plain(grad) for name, grad in result.gradient.items()},
        # With --upstream the gradients are of a loss L whose ∂L/∂output was given; else of the output.
        "upstream": plain(result.grads[graph.output]) if result.seeded else None,
        "nodes": nodes,
    }


def dumps(data) -> str:
    """One JSON text. Never NaN or Infinity, which are not JSON: a non-finite number reaching here
    is a bug in gradcalc (exit 70), not output a reader would choke on."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def render_json(result) -> str:
    return dumps(to_dict(result)) + "\n"
