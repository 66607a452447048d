"""The table of functions (README.md and --help), read off the entries of OPS."""

from __future__ import annotations

from .core import OPS

_ARGUMENTS = {1: ("x",), 2: ("x", "y"), 3: ("x", "lo", "hi")}
# Where the usual names of the arguments read better than x, y (the table only).
_ARGUMENT_NAMES = {"atan2": ("y", "x"), "log_base": ("x", "base"), "leaky_relu": ("x", "slope"),
                   "cross_entropy": ("y", "t"), "sum_axis": ("x", "axis"), "mean_axis": ("x", "axis"),
                   "maximum": ("a", "b"), "minimum": ("a", "b"), "matmul": ("a", "b"), "where": ("c", "a", "b"),
                   "polygamma": ("n", "x")}


def function_table() -> list[tuple[tuple[str, ...], str, str, str]]:
    """One row per callable op: how it is called (then its aliases), each input's local derivative,
    where it is defined, and its value at kinks and ties."""
    rows = []
    for key, op in OPS.items():
        if not op.names:
            continue
        labels = _ARGUMENT_NAMES.get(key, _ARGUMENTS[op.arity])
        call = f"{op.names[0]}({', '.join(labels)})"
        parts, uses_out = [], False
        for k, (label, literal) in enumerate(zip(labels, op.literal)):
            if literal:
                continue
            text = op.formula_text(k, list(labels), "out")
            uses_out = uses_out or "out" in text.replace("outer", "").replace("∂L/∂out", "")
            parts.append(text if op.arity == 1 else f"∂/∂{label}: {text}")
        if uses_out:
            parts.append(f"out = {call}")
        rows.append(((call,) + op.names[1:], "; ".join(parts), op.domain or "everywhere", op.kink))
    return rows


def function_table_markdown() -> str:
    lines = ["| function | derivative | defined for | at kinks and ties |", "| --- | --- | --- | --- |"]
    for names, derivative, domain, kink in function_table():
        lines.append(f"| {', '.join(f'`{name}`' for name in names)} | {derivative} | {domain} | {kink} |")
    return "\n".join(lines) + "\n"


def function_table_text() -> str:
    return "\n".join(f"  {' '.join(names)}: {derivative}; {domain}" + (f"; {kink}" if kink else "")
                      for names, derivative, domain, kink in function_table())
