"""--json: one JSON object, full float precision, arrays as nested lists."""

from __future__ import annotations

import json
import math

from .. import xp

from .rows import definition


def plain(value):
    """A value as JSON data: a float, or nested lists of floats. A number that is not finite (a
    branch a where did not take, log(0) in where(x > 0, log(x), 0)) is null: JSON has no inf."""
    if not xp.ndim(value):
        number = float(value)
        return number if math.isfinite(number) else None
    array = xp.np.asarray(value)
    if xp.np.isfinite(array).all():
        return array.tolist()
    return xp.np.where(xp.np.isfinite(array), array, None).tolist()


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
            "value": plain(result.values[node.id]), "shape": list(xp.shape(result.values[node.id])),
            "grad": None if grad is None else plain(grad),
            "local": locals_by_node.get(node.id, []),
        })
    return {
        "output": result.output_name,
        "value": plain(result.value),
        "gradient": {name: plain(grad) for name, grad in result.gradient.items()},
        # With --upstream the gradients are of a loss L whose ∂L/∂output was given; else of the output.
        "upstream": None if result.upstream is None else plain(result.upstream),
        "nodes": nodes,
    }


def dumps(data) -> str:
    """One JSON text. Never NaN or Infinity, which are not JSON: a non-finite number reaching here
    is a bug in gradcalc (exit 70), not output a reader would choke on. Characters JSON would pass
    raw (DEL, the C1 controls such as the one-byte CSI, a right-to-left override) are written as
    \\u escapes, so a `cat` of the output cannot drive the terminal either."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text if text.isprintable() else _escape_invisible(text)


def _escape_invisible(text: str) -> str:
    from ..errors import visible

    out = []
    for ch in text:
        if ch.isprintable() or visible(ch) == ch:
            out.append(ch)
        elif ord(ch) < 0x10000:   # only inside strings: JSON's own structure is printable ASCII
            out.append(f"\\u{ord(ch):04x}")
        else:                     # beyond the BMP: a surrogate pair, as JSON spells it
            high, low = divmod(ord(ch) - 0x10000, 0x400)
            out.append(f"\\u{0xd800 + high:04x}\\u{0xdc00 + low:04x}")
    return "".join(out)


def render_json(result) -> str:
    return dumps(to_dict(result)) + "\n"
