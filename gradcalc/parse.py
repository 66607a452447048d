"""Text → Graph. The only module that imports lark; the graph is built while the LALR parser runs."""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from .errors import GradcalcError, Span
from .graph import Graph, gc_paused
from .limits import DEFAULT, Limits, exceeded
from .ops import BINARY, CONSTANTS, FUNCTIONS, OPS, UNARY, WITH_AXIS

# An expression while parsing: its node id and the span it covers in the text (parentheses included).
Ref = tuple[int, int, int]

_HERE = Path(__file__).resolve().parent
# The installed wheel carries the grammar inside the package; a source checkout has it at the top.
GRAMMAR_PATHS = (_HERE / "grammar" / "gradcalc.lark", _HERE.parent / "grammar" / "gradcalc.lark")

_TOKEN_NAMES = {"RPAR": "')'", "LPAR": "'('", "NAME": "a name", "NUMBER": "a number",
                "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/' or '@'", "POW_OP": "'**'",
                "COMMA": "','", "EQUAL": "'='", "TRANSPOSE": "'.T'", "_SEP": "';' or a new line",
                "$END": "the end of the expression"}

# Characters people paste from notes or other alphabets, and what they probably meant.
_LOOKALIKES = {"х": "x", "у": "y", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "−": "-",
               "–": "-", "—": "-", "∗": "*", "⋅": "*", "²": "**2", "³": "**3", "√": "sqrt",
               "π": "pi", "'": None, '"': None}


_COMMENT = re.compile(r"#[^\n]*")


def grammar_text() -> str:
    for path in GRAMMAR_PATHS:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError("gradcalc.lark not found; the installation is incomplete")


class _Builder:
    """Lark callbacks, run on each reduction of the LALR parser: each one adds nodes to the graph.

    One builder serves every parse: Lark binds its methods once, when the parser is built (reaching a
    builder per parse would cost a lookup per reduction), and `reset` starts each parse afresh.
    """

    def reset(self, text: str, limits: Limits = DEFAULT) -> None:
        self.graph = Graph(text, limits=limits)
        self.assigned: dict[str, Ref] = {}       # name → the node it was assigned

    # -- helpers -----------------------------------------------------------------------------
    def _constant(self, value: float, span: Span) -> Ref:
        import numpy as np

        node = self.graph.add(None, (), span)
        self.graph.constants[node] = np.float64(value)
        return (node, span[0], span[1])

    def _apply(self, op: str, args: list[Ref], span: Span) -> Ref:
        if op not in OPS:
            raise GradcalcError(f"the operator for {op} is not supported yet", span)
        return (self.graph.add(op, tuple(ref[0] for ref in args), span), *span)

    # -- rules -------------------------------------------------------------------------------
    def number(self, children):
        token = children[0]
        value, span = float(token), (token.start_pos, token.end_pos)
        if value == float("inf"):  # the grammar's numbers are unsigned, so only +inf can appear
            raise GradcalcError(f"the number {token} is too large for a 64-bit float",
                                span, hint="numbers must be below about 1.8e308")
        return self._constant(value, span)

    def name(self, children):
        token = children[0]
        name, span = str(token), (token.start_pos, token.end_pos)
        if name in self.assigned:
            return (self.assigned[name][0], *span)
        if name in self.graph.variables:
            return (self.graph.variables[name], *span)
        if name in CONSTANTS:
            return self._constant(CONSTANTS[name], span)
        if name in FUNCTIONS:
            raise GradcalcError(f"{name} is a function", span, hint=f"call it: {name}(...)")
        node = self.graph.add(None, (), span, name=name)
        self.graph.variables[name] = node
        return (node, *span)

    def call(self, children):
        token, rpar = children[0], children[-1]
        args = [c for c in children[2:-1] if c is not None]
        name = str(token)
        span = (token.start_pos, rpar.end_pos)
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f"did you mean {close[0]}?" if close else f"functions: {', '.join(sorted(FUNCTIONS))}"
            raise GradcalcError(f"unknown function {name!r}", (token.start_pos, token.end_pos), hint)
        op = FUNCTIONS[name]
        if name in WITH_AXIS and len(args) == OPS[WITH_AXIS[name]].arity:
            op = WITH_AXIS[name]
        want = OPS[op].arity
        if len(args) != want:
            counts = f"{want} or {OPS[WITH_AXIS[name]].arity}" if name in WITH_AXIS else str(want)
            raise GradcalcError(f"{name} takes {counts} argument{'s' if counts != '1' else ''}, "
                                f"got {len(args)}", span)
        for arg, local in zip(args, OPS[op].local):
            node = self.graph.nodes[arg[0]]
            if local is None and (node.id not in self.graph.constants or node.name is not None):
                raise GradcalcError(f"the axis of {name} must be a number written in the expression",
                                    (arg[1], arg[2]), hint=f"write e.g. {name}(x, 0)")
        return self._apply(op, args, span)

    def group(self, children):
        lpar, inner, rpar = children
        return (inner[0], lpar.start_pos, rpar.end_pos)

    def _binary_chain(self, children):
        # [a, op, b, op, c, …] → ((a op b) op c) …, left-associative. The hot loop of a long sum.
        add = self.graph.add
        left_id, start, _ = children[0]
        for i in range(1, len(children), 2):
            op_token, right = children[i], children[i + 1]
            op = BINARY[op_token]
            if op not in OPS:
                raise GradcalcError(f"the {op_token} operator is not supported yet",
                                    (op_token.start_pos, op_token.end_pos))
            left_id = add(op, (left_id, right[0]), (start, right[2]))
        return (left_id, start, children[-1][2])

    sum = product = _binary_chain

    def power(self, children):
        base, op_token, exponent = children
        return self._apply(BINARY[str(op_token)], [base, exponent], (base[1], exponent[2]))

    def unary(self, children):
        sign, operand = children
        span = (sign.start_pos, operand[2])
        node = operand[0]
        if node in self.graph.constants and self.graph.nodes[node].name is None:
            value = self.graph.constants[node]
            return self._constant(-value if UNARY[str(sign)] == "neg" else value, span)
        return self._apply(UNARY[str(sign)], [operand], span)

    def transpose(self, children):
        operand, token = children
        return self._apply("transpose", [operand], (operand[1], token.end_pos))

    def assignment(self, children):
        token, ref = children
        name, span = str(token), (token.start_pos, token.end_pos)
        graph = self.graph
        if name in self.assigned:
            raise GradcalcError(f"{name} is assigned twice", span,
                                hint="give each intermediate its own name")
        if name in graph.variables:
            first_use = graph.nodes[graph.variables[name]].span
            raise GradcalcError(f"{name} is used before it is assigned", first_use,
                                hint=f"move `{name} = …` above the line that uses {name}")
        if name in CONSTANTS or name in FUNCTIONS:
            raise GradcalcError(f"{name} is a built-in name and cannot be assigned", span)
        node = graph.nodes[ref[0]]
        if node.id in graph.constants and node.name is None:
            # `apple = 100`: an input with a default value, so ∂/∂apple is reported.
            graph.rename(node.id, name)
            graph.defaults[name] = graph.constants.pop(node.id)
            graph.variables[name] = node.id
        elif node.op is not None and node.name is None:
            graph.rename(node.id, name)        # `t = x + y` names the node it made
        else:
            # `t = x` or `t = s`: a node of its own, so t appears in the trace.
            new = graph.add("identity", (node.id,), (span[0], ref[2]), name=name)
            ref = (new, span[0], ref[2])
        self.assigned[name] = (ref[0], span[0], ref[2])
        return self.assigned[name]

    def start(self, children):
        return children[-1]


_BUILDER = _Builder()


@lru_cache(maxsize=1)
def _parser():
    """The LALR parser and the module holding its exception classes, built once per process.

    `_lalr.py` is Lark's stand-alone parser generated from the grammar (`python -m gradcalc.parse`):
    it loads in about a third of the time of importing lark. If the grammar changed since it was
    generated, Lark itself builds the parser (cached on disk), so an edited grammar always takes effect.
    """
    try:
        from . import _lalr
    except ImportError:
        _lalr = None
    if _lalr is not None and _lalr.GRAMMAR == grammar_text():
        return _lalr.Lark_StandAlone(transformer=_BUILDER), _lalr
    import lark.exceptions
    from lark import Lark

    return Lark(grammar_text(), **LARK_OPTIONS, cache=True, transformer=_BUILDER), lark.exceptions


LARK_OPTIONS = {"parser": "lalr", "maybe_placeholders": True}


def generate_standalone(path: Path = _HERE / "_lalr.py") -> None:
    """Write Lark's stand-alone parser for the grammar to `path`, with the grammar it was made from."""
    import io

    from lark import Lark
    from lark.tools.standalone import gen_standalone

    out = io.StringIO()
    gen_standalone(Lark(grammar_text(), **LARK_OPTIONS), out=out)
    header = ("# Generated by `python -m gradcalc.parse` from grammar/gradcalc.lark: do not edit.\n"
              "# Regenerate after changing the grammar (tests/test_scale.py checks that it is current).\n")
    path.write_text(header + out.getvalue() + f"\nGRAMMAR = {grammar_text()!r}\n", encoding="utf-8")


# One parser and one builder are shared, so parses take turns (compute() stays safe to call from
# several threads).
_PARSE_LOCK = threading.Lock()


def parse(text: str, limits: Limits = DEFAULT) -> Graph:
    """Parse a gradcalc program into its graph. Raises GradcalcError with a span on bad input."""
    if len(text) > limits.length:
        raise exceeded("length", len(text), "the program", limits)
    text = text.replace("\r\n", "\n")
    if not _COMMENT.sub("", text).strip():
        what = "has only comments" if text.strip() else "is empty"
        raise GradcalcError(f"the expression {what}", hint='write one, e.g. gradcalc "x**2" --x 3')
    with _PARSE_LOCK:
        return _parse_with(text, limits)


def _parse_with(text: str, limits: Limits) -> Graph:
    parser, lark_errors = _parser()
    UnexpectedCharacters, UnexpectedToken = lark_errors.UnexpectedCharacters, lark_errors.UnexpectedToken
    UnexpectedInput, VisitError = lark_errors.UnexpectedInput, lark_errors.VisitError
    _BUILDER.reset(text, limits)
    try:
        with gc_paused():
            ref = parser.parse(text)
    except GradcalcError as error:
        error.text = text
        raise
    except VisitError as error:  # pragma: no cover - lark wraps callback errors in some versions
        if isinstance(error.orig_exc, GradcalcError):
            error.orig_exc.text = text
            raise error.orig_exc from None
        raise
    except UnexpectedCharacters as error:
        raise _unexpected_character(text, error.pos_in_stream) from None
    except UnexpectedToken as error:
        raise _unexpected_token(text, error) from None
    except UnexpectedInput as error:  # pragma: no cover - other lark errors
        raise GradcalcError("syntax error", (error.pos_in_stream, error.pos_in_stream + 1),
                            text=text) from None
    finally:
        graph = _BUILDER.graph
        _BUILDER.reset("")          # let go of the graph: the builder lives on with the parser
    graph.output = ref[0]
    return graph


def _unexpected_character(text: str, pos: int) -> GradcalcError:
    char = text[pos]
    hint = None
    if char in _LOOKALIKES:
        meant = _LOOKALIKES[char]
        hint = (f"{char!r} (U+{ord(char):04X}) looks like {meant!r}; type {meant!r} instead" if meant
                else "gradcalc has no strings; write numbers, names and operators")
    elif char.isdecimal():
        hint = f"{char!r} is the digit {unicodedata.decimal(char)} of another script; type it in ASCII"
    elif not char.isprintable():
        hint = f"remove the control character U+{ord(char):04X}"
    elif ord(char) > 127:
        hint = f"{char!r} is U+{ord(char):04X}; names use ASCII letters, digits and _"
    return GradcalcError(f"unexpected character {char!r}", (pos, pos + 1), hint, text)


def _unexpected_token(text: str, error) -> GradcalcError:
    token = error.token
    expected = sorted({_TOKEN_NAMES.get(t, repr(t)) for t in error.expected if not t.startswith("__")})
    hint = f"expected {', '.join(expected)}" if expected and len(expected) <= 6 else None
    if token.type == "$END":
        # LALR reports the end of input at the last token: put the caret just past the text.
        end = len(text.rstrip())
        opened = text.count("(") - text.count(")")
        if opened > 0:
            hint = f"add {opened} closing ')'" if opened > 1 else "add a closing ')'"
        return GradcalcError("the expression ends too early", (end, end + 1), hint, text)
    start = token.start_pos
    shown = str(token) if token.type != "_SEP" else ("';'" if str(token).startswith(";") else "a new line")
    if token.type == "RPAR" and text.count(")") > text.count("("):
        hint = "remove it, or add the matching '('"
    return GradcalcError(f"unexpected {shown if token.type == '_SEP' else repr(shown)}",
                         (start, max(start + 1, token.end_pos or start + 1)), hint, text)


if __name__ == "__main__":
    generate_standalone()
    print(f"wrote {_HERE / '_lalr.py'}")
