"""One table of operations: forward, one derivative rule each, names and docs.

Everything else — evaluation, tables, pictures, JSON — reads `OPS`. Adding a function means adding one
entry (ops/elementwise.py or ops/arrays.py), and grammar only if it needs new syntax.
"""

from __future__ import annotations

from . import elementwise  # noqa: F401,I001  (fills OPS: arithmetic and functions first)
from . import arrays  # noqa: F401  (then the array ops)
from . import gamma  # noqa: F401  (then Γ, ψ and their kin)
from .arrays import broadcast_axes, index_op, index_text, sum_to, take_op
from .core import OPS, InputError, Op, callables, several, unary

__all__ = ["BINARY", "CALLS", "CONSTANTS", "FUNCTIONS", "OPS", "UNARY", "InputError", "Op", "broadcast_axes",
           "callables", "function_table", "function_table_markdown", "function_table_text", "index_op",
           "index_text", "several", "sum_to", "take_op", "unary"]

# The names a program can call → {number of arguments: op}, read off the `names` of each op.
CALLS: dict[str, dict[int, str]] = callables()
# The names a program can call → the op of their first (usually only) form.
FUNCTIONS: dict[str, str] = {name: next(iter(by_arity.values())) for name, by_arity in CALLS.items()}

CONSTANTS: dict[str, float] = {"pi": 3.141592653589793, "e": 2.718281828459045}

# Infix operators as written → op names (typographic forms pasted from notes included).
BINARY = {"+": "add", "-": "sub", "−": "sub", "–": "sub", "*": "mul", "×": "mul", "·": "mul", "⋅": "mul",
          "∗": "mul", "/": "div", "÷": "div", "**": "pow", "^": "pow", "@": "matmul"}
UNARY = {"-": "neg", "−": "neg", "–": "neg", "+": "pos"}


def __getattr__(name: str):
    """The table of functions (ops/docs.py) is made only when asked for (--help, the README test)."""
    if name.startswith("function_table"):
        from . import docs

        return getattr(docs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
