"""--json: one JSON object, full float precision, arrays as nested lists."""

from __future__ import annotations

import json
import math

from .. import xp

from .rows import definition


def plain(value):
    """A value as JSON data: a float, or nested lists of floats. A number that is not finite (a
    branch a where did not take, log(0) in where(x > 0, log(x), 0)) is null: JSON has no inf."""
    if type(value) is float:    # most values of a big graph's pass: no call to find its axes
        return value if math.isfinite(value) else None
    if not xp.ndim(value):
        number = float(value)
        return number if math.isfinite(number) else None
    array = xp.np.asarray(value)
    if xp.np.isfinite(array).all():
        return array.tolist()
    return xp.np.where(xp.np.isfinite(array), array, None).tolist()


def to_dict(result) -> dict:
    """The whole --json object as data (`chunks` writes the same text a node at a time)."""
    return {**_head(result), "nodes": list(_nodes(result))}


def _head(result) -> dict:
    return {
        "output": result.output_name,
        "value": plain(result.value),
        "gradient": {name: plain(grad) for name, grad in result.gradient.items()},
        # With --upstream the gradients are of a loss L whose ∂L/∂output was given; else of the output.
        "upstream": None if result.upstream is None else plain(result.upstream),
    }


def _nodes(result):
    """Each node's entry, made when it is written: a big graph's entries never all exist at once."""
    graph, labels, steps = result.graph, result.labels, result.steps
    edges = steps.by_node()
    for node in graph.nodes:
        grad, value = result.grads[node.id], result.values[node.id]
        yield {
            "id": node.id, "op": node.op, "name": node.name, "label": labels[node.id],
            "computes": definition(result, node.id), "inputs": list(node.inputs),
            "value": plain(value), "shape": list(xp.shape(value)),
            "grad": None if grad is None else plain(grad),
            "local": [{"input": step.input, "local": plain(step.local), "upstream": plain(step.upstream),
                       "contribution": plain(step.flowing)} for step in edges(node.id)],
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
    return "".join(chunks(result))


def chunks(result, more: dict | None = None):
    """The --json text in pieces, a node at a time, as `dumps` would write the whole object (with
    the keys of `more` after the nodes), ending with a new line: a big graph's JSON is written as it
    is made, never held whole."""
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    head = encode(_head(result))
    yield _printable(head[:-1] + ', "nodes": [')
    first = True
    for entry in _nodes(result):
        yield _printable(encode(entry) if first else ", " + encode(entry))
        first = False
    yield _printable("], " + encode(more)[1:] if more else "]}")
    yield "\n"


def _printable(text: str) -> str:
    return text if text.isprintable() else _escape_invisible(text)
