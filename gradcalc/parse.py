"""Text → Graph. The only module that imports lark; the graph is built while the LALR parser runs."""

from __future__ import annotations

import os
import re
from _thread import allocate_lock   # threading.Lock itself, without importing threading
from collections import ChainMap
from functools import lru_cache

from . import lalr
from .errors import GradcalcError, Span, not_utf8
from .graph import Graph, gc_paused
from .names import did_you_mean, fold, meant_function
from .numbers import format_shape
from .limits import DEFAULT, Limits, chosen, exceeded
from .ops import BINARY, CALLS, CONSTANTS, OPS, UNARY, index_op, take_op

# An expression while parsing: its node id and the span it covers in the text (parentheses included).
Ref = tuple[int, int, int]

# Paths as strings (os.path, not pathlib: a question should not import pathlib and urllib for them).
_HERE = os.path.dirname(os.path.realpath(__file__))
# The installed wheel carries the grammar inside the package; a source checkout has it at the top.
GRAMMAR_PATHS = (os.path.join(_HERE, "grammar", "gradcalc.lark"),
                 os.path.join(os.path.dirname(_HERE), "grammar", "gradcalc.lark"))

_TOKEN_NAMES = {"RPAR": "')'", "LPAR": "'('", "NAME": "a name", "NUMBER": "a number",
                "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/' or '@'", "POW_OP": "'**'",
                "METHOD": "a method such as .sum(", "ATTRIBUTE": "an attribute such as .T", "COMMA": "','", "EQUAL": "'='", "_SEP": "';' or a new line",
                "LSQB": "'['", "RSQB": "']'", "COLON": "':'", "AUG_OP": "'+=' or another", "SUPERSCRIPT": "a superscript power such as ²", "ROOT": "'√'", "PI": "'π'", "COMPARE_OP": "a comparison such as <", "IF": "'if'", "ELSE": "'else'", "LAMBDA": "'lambda'", "DEF": "'def'", "RETURN": "'return'", "INDENT": "an indented line", "DEDENT": "the end of a def's body", "LBRACE": "'{'", "RBRACE": "'}'",
                "$END": "the end of the expression"}
# The module prefixes of pasted code: np.sin(x) is sin(x), math.pi is pi.
_PREFIX = re.compile(r"^(?:np|numpy|math|torch)\.(?:linalg\.)?")


class _OnFirstUse:
    """A module of gradcalc's imported on first use, then put in its place: dialects' tables cost a
    few ms that a plain question (no module path, method or keyword) need not pay at start-up, nor
    indent's reader one without a def line, nor brackets' reader one without a lambda."""

    __slots__ = ("_module",)

    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, name: str):
        return getattr(_load(self._module), name)


def _load(name: str):
    """Import one of the modules above and put it in its stand-in's place (written as imports, so the
    layer test sees them)."""
    if name == "brackets":
        from . import brackets as module
    elif name == "dialects":
        from . import dialects as module
    else:
        from . import indent as module
    globals()[name] = module
    return module


class _Pattern:
    """A regular expression compiled on first use: those of the hints and notes (a class of non-ASCII
    characters takes ~1 ms to compile) cost a plain question's start-up nothing."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __getattr__(self, method: str):     # search, sub, finditer: kept once found
        found = getattr(re.compile(self.pattern), method)
        setattr(self, method, found)
        return found


brackets, dialects, indent = _OnFirstUse("brackets"), _OnFirstUse("dialects"), _OnFirstUse("indent")
# Python's words for settings (keepdims=True, axis=None): read where a call's argument is a setting,
# they make no node (their ref's id is None) and are refused anywhere a value is needed.
_WORDS = {"True": True, "False": False, "None": None,
          **dict.fromkeys(("np.newaxis", "numpy.newaxis", "jnp.newaxis", "tf.newaxis"), None)}

# Characters people paste from notes or other alphabets, and what they probably meant.
_LOOKALIKES = {"х": "x", "у": "y", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "−": "-",
               "–": "-", "—": "-", "∗": "*", "⋅": "*", "ⁿ": "**n", "⁻": "**-",
               "π": "pi", "'": None, '"': None, "|": "abs"}


_COMMENT = _Pattern(r"#[^\n]*")


def grammar_text() -> str:
    for path in GRAMMAR_PATHS:
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                return handle.read()
    raise FileNotFoundError("gradcalc.lark not found; the installation is incomplete")


class _Builder:
    """Lark callbacks, run on each reduction of the LALR parser: each one adds nodes to the graph.

    One builder serves every parse: Lark binds its methods once, when the parser is built (reaching a
    builder per parse would cost a lookup per reduction), and `reset` starts each parse afresh.
    """

    def reset(self, text: str, limits: Limits = DEFAULT, program=None, names=frozenset(), source=None) -> None:
        self.graph = Graph(text, limits=limits)
        self.source = text if source is None else source   # what the parser reads (a lambda's body is kept from it)
        # def f(x): … and f = lambda x: …: their Functions, evaluated where they are called
        self.functions: dict[str, object] = {}
        self.called: set[str] = set()            # the functions called (a def never called may be the program)
        self.lambda_depth = 0                    # inside a def's or lambda's body (read again where it is called)
        self.lambda_seen = False                 # a lambda was read: the text is Python, never math text
        self.names = names                       # the names given values (xy is x·y only if x, y are)
        # names the text lists as inputs, or assigned where `assigned` no longer holds them (a called
        # function's body, a name given a lambda): with assigned's names, the names the text declares
        # (a 10⁵-line program's names were in a set of their own, 8 MB)
        self.declared: set[str] = set()
        # Pasted Python (gradcalc.dialects.read_python): its functions, the output it asks for, and
        # while a function's body is read, the calls under way and the body's own names.
        self.python = program
        self.calling: list[str] = []
        self.locals: frozenset[str] = frozenset()
        self.by_lark = False                     # Lark, not the driver, parses this program
        self.pending: dict[str, float] = {}      # def f(x, a=0.5) as the program: a's default
        self.ranges: dict[tuple[int, int], Ref] = {}   # range(n) of a value, by its span: n
        # max or min along an axis that PyTorch returns as (values, indices): "torch", or "either"
        # when NumPy's reading (the values alone) is as likely (x.max(1))
        self.pairs: dict[int, str] = {}
        self.booleans: set[int] = set()          # arrays written of True and False only: x[them] is a mask
        if program is not None:
            self.graph.notes.extend(program.notes)
        # name → the node it was assigned last: an id, not a ref (a 10⁵-line program's refs were 11 MB)
        self.assigned: dict[str, int] = {}
        self.version: dict[str, int] = {}        # name → how many values it has had (2 after c = c + 1)
        self.noted: set[str] = set()             # the notes on notation already given (one of each)
        # the nodes a statement gave a name (t = …): 1 at their ids. A byte a node, not a set of
        # ints (a 10⁵-line program's set was 8 MB)
        self.named = bytearray()

    # -- helpers -----------------------------------------------------------------------------
    def _constant(self, value, span: Span) -> Ref:
        node = self.graph.add(None, (), span)
        # evaluate.forward makes a number np.float64 for numpy; -[1, 2] folds to an array constant
        self.graph.constants[node] = value if getattr(value, "ndim", 0) else float(value)
        return (node, span[0], span[1])

    def _word(self, ref: Ref):
        """True, False or None, as written for `ref` (a word's ref has no node)."""
        if type(ref) is not tuple or (ref[1], ref[2]) in self.ranges:
            self._value(ref)      # a tuple, a lambda or range(n): refused, saying what it is
        written = self.graph.text[ref[1]:ref[2]].strip("() \t")
        if written[:1] in "'\"":       # reduction='sum': the word in the quotes
            return written[1:-1]
        return _WORDS[written] if written in _WORDS else written.rpartition(".")[2]    # tf.float32: "float32"

    def _value(self, *refs: Ref) -> None:
        """Refuse True, False and None where a value is needed: x + None is Python's TypeError."""
        for ref in refs:
            if isinstance(ref, _Tuple):
                raise _tuple_error(self.graph.text, ref)
            if isinstance(ref, _Lambda):
                raise GradcalcError("a lambda is a function, not a value", (ref[1], ref[2]),
                                    hint="name it on a line of its own, f = lambda x: …, then call f(x) "
                                         "(or leave it last: it is the output at its parameters)")
            if ref[0] is None and (ref[1], ref[2]) in self.ranges:
                written = self.graph.text[ref[1]:ref[2]]
                called = written[:written.index("(")].strip() if "(" in written else "range"
                raise GradcalcError(f"{called}(n) of a value is read only as an index", (ref[1], ref[2]),
                                    hint=f"write it inside [ ], as in probs[{called}(N), y], or write the number: "
                                         + ("range(3)" if called == "range" else f"{called}(4.0)"))
            if ref[0] is None:
                word = self.graph.text[ref[1]:ref[2]].strip("() \t")
                if word[:1] in "'\"":
                    raise GradcalcError(f"the string {word} is not a number", (ref[1], ref[2]),
                                        hint="a string is read only as a setting of a call, such as reduction='sum' "
                                             "or approximate='tanh'; write a number or a name here")
                raise GradcalcError(f"{word} is not a number", (ref[1], ref[2]),
                                    hint=f"{word} is read only as a setting of a call (keepdims=True, "
                                         f"a_max=None); write a number or a name here")

    def _apply(self, op: str, args: list[Ref], span: Span) -> Ref:
        self._value(*args)
        if op not in OPS:
            raise GradcalcError(f"the operator for {op} is not supported yet", span)
        return (self.graph.add(op, tuple(ref[0] for ref in args), span), *span)

    # -- rules -------------------------------------------------------------------------------
    def number(self, children):
        written, start, end = children[0]
        value = float(written)
        if value == _INFINITY:  # the grammar's numbers are unsigned, so only +inf can appear
            raise GradcalcError(f"the number {written} is too large for a 64-bit float",
                                (start, end), hint="numbers must be below about 1.8e308")
        graph = self.graph
        node = graph.add(None, (), (start, end))
        graph.constants[node] = value
        return (node, start, end)

    def name(self, children):
        name, start, end = children[0]
        node = self.assigned.get(name)
        if node is not None:
            return (node, start, end)
        node = self.graph.variables.get(name)
        if node is not None:
            return (node, start, end)
        span = (start, end)
        if name in self.pending:      # def f(x, a=0.5), the program: a is an input given 0.5
            node = self.graph.add(None, (), span, name=name)
            self.graph.variables[name] = node
            self.graph.defaults[name] = self.pending.pop(name)
            return (node, *span)
        if name in _WORDS:
            return (None, *span)
        if "." in name:
            module, _, last = name.rpartition(".")
            if module in dialects.NAMESPACES and last in dialects.CONSTANTS:   # np.pi, math.tau
                return self._constant(dialects.CONSTANTS[last], span)
            if module in dialects.NAMESPACES and last in dialects.DTYPES:     # tf.float32: a cast's word
                return (None, *span)
        bare = _PREFIX.sub("", name)
        if bare in CONSTANTS:
            return self._constant(CONSTANTS[bare], span)
        if "." in name and _is_function(dialects.lookup(name)[0]) or bare in CALLS and name not in self.names:
            # A function's name not called (sin x, sin^2(x), erf + 1), unless it was given a value:
            # norm + beta with --norm 1 is the variable norm, as PyTorch's and SciPy's parameters are named.
            raise _uncalled(self.graph.text, name, span)
        if bare != name or "." in name:
            raise GradcalcError(f"unknown name {name!r}", span, hint=_meant(name, bare))
        if name in _PYTHON_KEYWORDS:      # x and y, not x: Python's words, never a variable there
            raise GradcalcError(f"Python's {name} is not read here", span, hint=_PYTHON_KEYWORDS[name])
        node = self.graph.add(None, (), span, name=name)
        self.graph.variables[name] = node
        return (node, *span)

    def compare(self, children):
        left, token, right = children
        return self._apply(_COMPARISONS[token[0]], [left, right], (left[1], right[2]))

    def conditional(self, children):
        chosen, _if, condition, _else, otherwise = children
        if self.python is not None and {condition[1], condition[1] - 1} & self.python.checks:
            # a loop unrolled to its most steps (gradcalc/pyflow.py): chosen passes where the loop has ended
            return self._apply("loop_ended", [condition, chosen], (chosen[1], otherwise[2]))
        if self.python is not None and {condition[1], condition[1] - 1} & self.python.conditions:
            # an if statement read as one expression: its condition is one number, as Python's if needs
            condition = self._apply("one_condition", [condition], (condition[1], condition[2]))
        return self._apply("if_else", [condition, chosen, otherwise], (chosen[1], otherwise[2]))

    def string(self, children):
        """'sum', "tanh": a word, read only as a call's setting (reduction='sum'); a ref with no node."""
        _, start, end = children[0]
        return (None, start, end)

    def pi(self, children):
        _, start, end = children[0]
        return self._constant(CONSTANTS["pi"], (start, end))

    def call(self, children):
        token, rpar = children[0], children[-1]
        args = [c for c in children[2:-1] if c is not None]
        name = token[0]
        span = (token[1], rpar[2])
        passed = self.lambda_seen and next((a for a in (arg.ref if isinstance(arg, _Keyword) else arg for arg in args)
                                            if isinstance(a, _Lambda)), None)
        if passed:     # jax.grad(lambda x: …)(3.0), map(lambda …): a function as an argument
            raise GradcalcError(f"a lambda passed to {name} is not read", (passed[1], passed[2]),
                                hint=f"name it on a line of its own, f = {_short(self.graph.text[passed[1]:passed[2]])}, "
                                     f"and pass f: {name}(f)")
        if self.python is not None and "." in self.python.aliases.get(name, name) and \
                (name in self.python.aliases or token[1] in self.python.transformed):
            # grad_tanh = grad(jnp.tanh); grad_tanh(2.0), or jax.grad(jnp.sin)(1.0): the library's function
            # differentiated at the number given, as jax.grad(f)(3.0) is for a def f
            name = self.python.aliases.get(name, name)
            self._input_at(args)
        if self.python is not None and self.python.aliases.get(name, name) in self.python.functions:
            return self._inline(self.python.functions[self.python.aliases.get(name, name)], args, span)
        if self.functions:
            function = self.functions.get(self.python.aliases.get(name, name) if self.python else name)
            if function is not None:
                self.called.add(function.name)
                if self.lambda_depth:      # in a body read to be kept as text: the call is made where it is called
                    return self._constant(0.0, span)
                return self._inline(function, args, span)
        if self.lambda_depth and "." not in name and name not in CALLS and name not in dialects.BARE:
            self.called.add(self.python.aliases.get(name, name) if self.python else name)
            return self._constant(0.0, span)   # a function defined later (or itself): known where it is called
        if name == "range" and "range" not in CALLS or name in _ARANGES and len(args) == 1 and \
                not isinstance(args[0], (_Keyword, _Tuple)) and args[0][0] is not None and self._literal(args[0]) is None:
            return self._range(args, span)     # np.arange(N), N known when the program runs: range(N)
        if "." in name:      # np.sum(x, axis=0), F.relu(x), tf.reduce_mean(x): the library's own function
            spelling, module, function = dialects.lookup(name)
            if isinstance(spelling, dialects.Spelling):
                return self._spell(spelling, name, args, span)
            if spelling is None or spelling not in CALLS:
                raise _unknown_in_module(name, module, function, (token[1], token[2]))
            if spelling == "log" and module != "math" and len(args) > 1:   # np.log(x, out): no base
                raise GradcalcError(f"{name} takes one argument: its second is no base, as in math.log (numpy's is out=)", span,
                                    hint=f"for log base b write {name}(x)/{name}(b), or {module}.log2(x), "
                                         f"{module}.log10(x)")
            name = spelling
        keywords = [arg for arg in args if isinstance(arg, _Keyword)]
        # softmax(X, 0): an axis by position, where gradcalc's own function takes one argument only
        if (name not in CALLS or keywords or len(args) > 1 == max(CALLS[name])) and name in dialects.BARE:
            return self._spell(dialects.BARE[name], name, args, span)
        if keywords:     # exp(x=1) and other keywords gradcalc's own functions do not take
            first = keywords[0]
            raise GradcalcError(f"{name} takes no keyword {first.name}", first.span,
                                hint=f"give {name}'s arguments by position: {name}(x)")
        bare = _PREFIX.sub("", name)
        if name == "sum" and len(args) == 1 and self.python is not None and name not in self.assigned and \
                not _NUMPY_SUM.search(self.graph.text):
            return self._spell(dialects.PYTHON_SUM, name, args, span)
        if name in ("max", "min") and self.python is not None and len(args) >= 2 and name not in self.assigned and \
                not _NUMPY_SUM.search(self.graph.text) and \
                all(type(arg) is tuple and arg[0] is not None for arg in args):
            return self._python_extreme(name, args, span)
        if name == "len" and len(args) == 1 and name not in self.assigned:   # len(x): x.shape[0], no gradient
            self._value(args[0])
            return self._apply("len", [args[0]], span)
        if bare not in CALLS and "." not in name and dialects.unsupported(bare) is not None:
            raise GradcalcError(f"{name} {dialects.unsupported(bare)}", (token[1], token[2]),
                                hint="gradcalc --help lists the functions it reads; write the formula with those")
        if bare not in CALLS:
            derivative = leibniz(self.graph.text, {name})
            if derivative is not None:      # d/dx (x**2): dx is called
                raise derivative
            hint = _meant(name, bare)
            if name in self.assigned:     # f(x) = x**2; f(3): a definition names a value
                hint = (f"{name} is a value assigned above, not a function: use it as {name} "
                        f"(to multiply, write {name}*(...))")
            elif name in ("σ", "sigma"):   # σ(x): ML notes' logistic sigmoid; a product elsewhere
                called = self.graph.text[token[2]:rpar[2]]
                hint = f"σ(x) is the logistic sigmoid in ML notes: write sigmoid{called}; " \
                       f"for {name} times {called}, write {name}*{called}"
            elif "." not in name and not hint.startswith("did you mean"):   # x(x+1), a product on paper
                # a product on paper is of a variable's name (x, w1, θ_2); grad(…), draw_dot(…) are calls
                hint = (f"{name} is not a function; to multiply, write {name}*(...) "
                        if re.fullmatch(r"[^\W\d_](?:_?[0-9₀-₉]+|_[^\W\d_])?", name) else
                        f"{name} is not a function gradcalc knows ") + "(gradcalc --help lists the functions)"
            raise GradcalcError(f"unknown function {name!r}", (token[1], token[2]), hint)
        self._value(*args)
        by_arity = CALLS[bare]
        op = by_arity.get(len(args))
        if op is None:
            variadic = [key for key in by_arity.values() if OPS[key].variadic]
            if variadic and len(args) >= 2:
                return self._fold(variadic[0], args)
            counts = sorted(by_arity)
            said = " or ".join(map(str, counts)) + (" or more" if variadic else "")
            raise GradcalcError(f"{name} takes {said} argument{'s' if said != '1' else ''}, "
                                f"got {len(args)}", span)
        for arg, literal in zip(args, OPS[op].literal):
            node = self.graph.nodes[arg[0]]
            if literal and (node.id not in self.graph.constants or node.name is not None):
                what, example = ("order n", f"{name}(1, x)") if op == "polygamma" else ("axis", f"{name}(x, 0)")
                raise GradcalcError(f"the {what} of {name} must be a number written in the expression",
                                    (arg[1], arg[2]), hint=f"write e.g. {example}")
        ref = self._apply(op, args, span)
        if name in ("max", "min") and len(args) == 2:
            # max(X, 1): NumPy's max along axis 1 (as sum(X, 1) is), or the larger of X and 1; the
            # forward pass sees whether X has that axis. max(x, 0) is ReLU: never an axis.
            number = self._literal(args[1])
            if number is not None and not getattr(number, "ndim", 0) and number != 0 and number == int(number):
                self.graph.axis_or_number[ref[0]] = int(number)
        return ref

    def _fold(self, op: str, args: list[Ref]) -> Ref:
        """max(a, b, c) as max(max(a, b), c): one node per pair, each spanning its arguments."""
        left = args[0]
        for right in args[1:]:
            left = self._apply(op, [left, right], (left[1], right[2]))
        return left

    # -- pasted Python: functions defined with def or lambda, evaluated where they are called --------
    def _input_at(self, args: list) -> None:
        """The number written as a differentiated library function's argument is its input x."""
        positional = [arg for arg in args if not isinstance(arg, _Keyword)]
        if len(positional) != 1 or self.calling:
            return
        ref = positional[0]
        self._value(ref)
        node = self.graph.nodes[ref[0]]
        if node.id in self.graph.constants and node.name is None and "x" not in self.graph.variables \
                and "x" not in self.assigned:
            self.graph.rename(node.id, "x")
            self.graph.defaults["x"] = self.graph.constants.pop(node.id)
            self.graph.variables["x"] = node.id

    def _inline(self, function, args: list, span: Span) -> Ref:
        """f(a, b) for a function the program defines: its body read again with f's parameters bound
        to the arguments (the program's other names visible, as in Python), its return the value."""
        name = function.name
        if name in self.calling:
            raise GradcalcError(f"{name} calls itself", span,
                                hint="recursion is not read: write what it computes as one formula")
        if len(self.calling) >= 50:
            raise GradcalcError("functions call each other more than 50 deep", span,
                                hint="write the formula out with fewer functions")
        bound: dict[str, Ref] = {}
        for arg in args:
            if isinstance(arg, _Keyword):
                if arg.name not in function.params or arg.name in bound:
                    raise GradcalcError(f"{name} has no parameter {arg.name}" if arg.name not in function.params
                                        else f"{name} got {arg.name} twice", arg.span,
                                        hint=f"{name}({', '.join(function.params)})")
                bound[arg.name] = arg.ref
                continue
            free = [p for p in function.params if p not in bound]
            if not free:
                raise GradcalcError(f"{name} takes {len(function.params)} argument"
                                    f"{'s' if len(function.params) != 1 else ''}", (arg[1], arg[2]),
                                    hint=f"{name}({', '.join(function.params)})")
            bound[free[0]] = arg
        graph = self.graph
        for parameter in function.params:
            if parameter not in bound:
                if parameter not in function.defaults:
                    raise GradcalcError(f"{name} needs its argument {parameter}", span,
                                        hint=f"{name}({', '.join(function.params)})")
                bound[parameter] = self._constant(function.defaults[parameter], (span[1], span[1]))
            ref = bound[parameter]
            self._value(ref)
            node = graph.nodes[ref[0]]
            if not self.calling and node.id in graph.constants and node.name is None and \
                    parameter not in graph.variables and parameter not in self.assigned:
                # jax.grad(f)(3.0): the number written for x is an input x with that value
                graph.rename(node.id, parameter)
                graph.defaults[parameter] = graph.constants.pop(node.id)
                graph.variables[parameter] = node.id
        saved = self.assigned, self.locals
        inside = self.assigned = {**self.assigned, **{parameter: ref[0] for parameter, ref in bound.items()}}
        self.locals = function.locals
        self.calling.append(name)
        try:
            body = _join_lines(" " * function.start + function.body, frozenset({function.returns}))
            ref = _parse_fragment(body, self.by_lark)
        finally:
            self.calling.pop()
            self.assigned, self.locals = saved
            # the names the body assigned stay declared
            self.declared.update(name for name, node in inside.items()
                                 if name not in saved[0] and (name not in bound or bound[name][0] != node))
        if isinstance(ref, _Tuple):     # def f(x): return a, b — f(x)[0] takes a
            return _Tuple(ref.items, *span, called=True)
        if isinstance(ref, _Lambda):
            raise GradcalcError(f"{name} returns a function", span,
                                hint=f"write {name} as the function of all its parameters: lambda x, y: …")
        return (ref[0], *span)

    # -- the dialects: np.sum(x, axis=1), x.clamp(min=0), X.T ----------------------------------------
    def keyword(self, children):
        token, ref = children
        return _Keyword(token[0], ref, (token[1], ref[2]))

    def _python_extreme(self, name: str, args: list, span: Span) -> Ref:
        """Python's own max(a, b, …) and min: it keeps the first of equal values (the next replaces it only
        when strictly larger or smaller), so at a tie all the gradient goes to the earlier argument, as
        PyTorch's tensors passed to it give (max(x, 0) at 0 is x: gradient 1)."""
        self._value(*args)
        keep = "greater_equal" if name == "max" else "less_equal"
        maker = _Maker(self, span, name)
        out = args[0]
        for arg in args[1:]:
            out = maker("where", maker(keep, out, arg), out, arg)
        return (out[0], *span)

    def _spell(self, spelling: dialects.Spelling, name: str, args: list, span: Span) -> Ref:
        """A library's function, its arguments matched to its parameters as Python would, built by its
        recipe from gradcalc's ops."""
        values: dict[str, object] = {}
        positional = True
        for arg in args:
            if isinstance(arg, _Keyword):
                positional = False
                parameter = spelling.parameter(arg.name)
                if parameter is None:
                    raise GradcalcError(f"{name} has no parameter {arg.name}", arg.span,
                                        hint=f"{name}({spelling.signature()})")
                if parameter in values:
                    raise GradcalcError(f"{name} got {arg.name} twice", arg.span,
                                        hint=f"{name}({spelling.signature()})")
                values[parameter] = (arg.ref, arg.span)
                continue
            if not positional:
                raise GradcalcError("an argument by position after one by keyword", (arg[1], arg[2]),
                                    hint="give the keyword arguments last, as in Python")
            if len(values) >= len(spelling.params):
                if spelling.rest:
                    continue
                raise GradcalcError(f"{name} takes at most {len(spelling.params)} argument"
                                    f"{'s' if len(spelling.params) != 1 else ''}", (arg[1], arg[2]),
                                    hint=f"{name}({spelling.signature()})")
            values[spelling.params[len(values)]] = (arg, (arg[1], arg[2]))
        if name in ("torch.max", "torch.min", "x.max", "x.min") and len(args) == 2 and not isinstance(args[1], _Keyword) \
                and not isinstance(args[1], _Tuple) and args[1][0] is not None and self._literal(args[1]) is None:
            # torch.max(X, a) of two tensors (d2l's relu) is their elementwise maximum, not max along an axis
            return self._spell(dialects.NUMPY[name[-3:] + "imum"], name + "imum", args, span)
        maker = _Maker(self, span, name)
        given = {}
        for parameter in spelling.params:
            if parameter in values:
                ref, where = values[parameter]
                if parameter in dialects.LITERAL:
                    given[parameter] = self._setting(ref, where, name, parameter)
                elif isinstance(ref, _Tuple):       # np.array((1, 2)): the recipe reads it (m.numbers)
                    given[parameter] = ref
                elif ref[0] is None and (ref[1], ref[2]) not in self.ranges and self._word(ref) is None:
                    given[parameter] = None        # a_max=None: no bound
                else:
                    self._value(ref)
                    given[parameter] = ref
            elif parameter in spelling.defaults:
                default = spelling.defaults[parameter]
                given[parameter] = default if parameter in dialects.LITERAL or default is None \
                    else maker.const(default)
            else:
                raise GradcalcError(f"{name} needs its argument {parameter}", span,
                                    hint=f"{name}({spelling.signature()})")
        out = spelling.build(maker, **given)
        if name in ("torch.sort", "x.sort"):      # (values, indices): [0] and .values are the values
            self.pairs[out[0]] = "torch"
        if type(out) is tuple:      # np.array(x) is x's node, but its caret is the whole call's
            out = (out[0], *span)
        if name.rsplit(".", 1)[-1] in ("max", "min", "amax", "amin") and given.get("axis") is not None:
            keywords = {arg.name for arg in args if isinstance(arg, _Keyword)}
            if "dim" in keywords or name.startswith("torch."):
                self.pairs[out[0]] = "torch"
                self._first_index(out[0], name)
            elif "axis" not in keywords and not name.startswith(("np.", "numpy.", "jnp.", "jax.", "tf.")):
                self.pairs[out[0]] = "either"
        return out

    def _first_index(self, node: int, name: str) -> None:
        """PyTorch's x.max(dim) and x.min(dim) give a tie's gradient to the first index (the one they
        return), not shared as x.max() and torch.amax do: the node's op is the first-index one."""
        ops = self.graph.nodes.ops
        if ops[node] == "expand_axis":        # keepdim=True
            node = self.graph.nodes.left[node]
        if name.rsplit(".", 1)[-1] in ("max", "min") and ops[node] in ("max_axis", "min_axis"):
            ops[node] += "_first"

    def _setting(self, ref: Ref, where: Span, name: str, parameter: str):
        """An argument read when the program is read (axis=1, keepdims=True): its Python value; a
        tuple (axis=(0, 1), a shape (2, 3)) or a list as TensorFlow writes them ([0, 1]) is a tuple."""
        if isinstance(ref, _Tuple):
            if any(isinstance(item, _Tuple) or item[0] is None or self._literal(item) is None for item in ref.items):
                what, example = ("the shape", "(2, 3)") if parameter in ("n0", "s0") else (parameter, f"{parameter}=(0, 1)")
                raise GradcalcError(f"{what} of {name} must be numbers written in the call", where,
                                    hint=f"write e.g. {example}")
            return tuple(self._setting(item, where, name, parameter) for item in ref.items)
        if ref[0] is None:
            return self._word(ref)
        value = self._literal(ref)
        if value is None:
            raise GradcalcError(f"{parameter} of {name} must be written in the call", where,
                                hint=f"write a number there, e.g. {parameter}=0")
        if getattr(value, "ndim", 0):      # tf.reduce_sum(x, axis=[0, 1]), tf.reshape(x, [2, 3])
            if value.ndim > 1:
                raise GradcalcError(f"{parameter} of {name} must be a number or a list of numbers", where,
                                    hint=f"write e.g. {parameter}=(0, 1)")
            return tuple(int(v) if abs(v) < 2 ** 31 and v == int(v) else float(v) for v in value)
        return int(value) if abs(value) < 2 ** 31 and value == int(value) else value   # inf: no int

    def method(self, children):
        operand, token, _, *args, rpar = children
        args = [arg for arg in args if arg is not None]
        attribute = token[0][1:]
        span = (operand[1], rpar[2])
        spelling = dialects.METHODS.get(attribute)
        if spelling is None and attribute in CALLS:        # x.exp(), x.tanh(): gradcalc's function of x
            spelling = dialects.Spelling("x", lambda m, x, _f=attribute: m.call(_f, x))
        if spelling is None and dialects.unsupported(attribute) is not None:
            raise GradcalcError(f".{attribute}() {dialects.unsupported(attribute)}", (token[1], token[2]),
                                hint="gradcalc --help lists the functions it reads; write the formula with those")
        if spelling is None:
            known = did_you_mean(attribute, list(dialects.METHODS) + list(CALLS), cutoff=0.8)
            raise GradcalcError(f"unknown method .{attribute}()", (token[1], token[2]),
                                hint=f"did you mean .{known}()?" if known else
                                "methods: x.sum(), x.mean(), x.pow(2), x.exp(), x.clamp(min=0), x.mm(w), "
                                "x.T (README: How gradcalc reads what you paste)")
        if attribute in ("var", "std") and {"dim", "keepdim"} & {arg.name for arg in args if isinstance(arg, _Keyword)}:
            spelling = dialects.TORCH[attribute]      # x.var(dim=1): dim and keepdim are PyTorch's words (NumPy's: axis)
        return self._spell(spelling, f"x.{attribute}", [operand] + args, span)

    def attribute(self, children):
        operand, token = children
        attribute = token[0][1:]
        span = (operand[1], token[2])
        if operand[0] in self.pairs and attribute in ("values", "indices"):
            return self._pair(operand, 0 if attribute == "values" else 1, span)
        op = dialects.ATTRIBUTES.get(attribute)
        if attribute in ("shape", "size"):      # num_examples = X.shape[0] (CS231n): a number, no gradient
            self._value(operand)
            shape = self._apply("shape", [operand], span)
            return shape if attribute == "shape" else self._apply("prod", [shape], span)
        if op is None and attribute in ("grad_fn", "is_leaf", "requires_grad"):
            raise GradcalcError(f".{attribute} is what PyTorch records of a tensor, no number gradcalc computes with",
                                (token[1], token[2]), hint="leave the line out: gradcalc's trace shows the graph "
                                                           "(each node, what it computes and its inputs)")
        if op is None:
            hint = f"call it: .{attribute}()" if attribute in dialects.METHODS or attribute in CALLS \
                else "attributes: x.T (transpose), x.data (the value, held constant)"
            raise GradcalcError(f"unknown attribute .{attribute}", (token[1], token[2]), hint)
        return self._apply(op, [operand], span)

    # -- notation from paper: 2x, (x+1)(x-1), x², √x, f(x) = … --------------------------------------
    def juxtaposed(self, _children):
        # The empty rule between two factors written side by side: the product's operator is a *.
        return _JUXTAPOSED

    def _check_juxtaposed(self, children, i):
        """Note the readings of a product without * that differ between conventions (1/2x, e^2x), once
        each."""
        text = self.graph.text
        left, right = children[i - 1], children[i + 1]
        if i >= 3 and children[i - 2][0] in _DIVIDE and "division" not in self.noted:
            self.noted.add("division")
            whole = _short(text[children[0][1]:right[2]])
            top = _short(text[children[0][1]:children[i - 2][1]].strip())
            bottom = _short(text[left[1]:right[2]])
            self.graph.notes.append(
                f"{whole} is read as ({_short(text[children[0][1]:left[2]])})·{_short(text[right[1]:right[2]])}: a "
                f"product written without * binds like *, left to right (as in SymPy and Wolfram); "
                f"if {bottom} is the denominator, write {top}/({bottom})")
        exponent = re.compile(_NUMBER_EXPONENT).search(text, max(left[1], left[2] - 40), left[2])
        if exponent and "exponent" not in self.noted:
            self.noted.add("exponent")
            base = _short(text[left[1]:exponent.start()])
            self.graph.notes.append(
                f"{_short(text[left[1]:right[2]])} is read as {_short(text[left[1]:left[2]])}·"
                f"{_short(text[right[1]:right[2]])}: a power takes only the number after it; for the whole "
                f"product as the exponent, write {base}{exponent.group(1)}({_short(text[exponent.start(2):right[2]])})")

    def root(self, children):
        token, operand = children
        return self._apply("sqrt", [operand], (token[1], operand[2]))

    def superscript(self, children):
        operand, token = children
        power, span = float(token[0].translate(_SUPERSCRIPT_DIGITS)), (token[1], token[2])
        if abs(power) == float("inf"):
            raise GradcalcError(f"the power {token[0]} is too large for a 64-bit float", span,
                                hint="powers must be below about 1.8e308")
        exponent = self._constant(power, span)
        return self._apply("pow", [operand, exponent], (operand[1], token[2]))

    def definition(self, children):
        # f(x, y) = x*y: the output is called f, and x, y are its inputs (in that order).
        token, body = children[0], children[-1]
        name = token[0]
        for arg in children[2:-2]:
            if arg is None:
                continue
            if isinstance(arg, _Keyword):
                raise GradcalcError(f"{name}(…) = … lists the names of its inputs", arg.span,
                                    hint=f"write {name}(x) = … with plain names")
            if arg[0] is None:        # f(x, True) = …, f((a, b)) = …
                raise GradcalcError(f"{name}(…) = … lists the names of its inputs, and "
                                    f"{_short(self.graph.text[arg[1]:arg[2]])} is not one", (arg[1], arg[2]),
                                    hint=f"write {name}(x) = … with plain names")
            node = self.graph.nodes[arg[0]]    # (its name, not its text: LaTeX's y_{\text{pred}} is y_pred)
            written = node.name if node.op is None and node.name else self.graph.text[arg[1]:arg[2]]
            self.declared.add(written)
            if self.graph.variables.get(written) != arg[0]:
                raise GradcalcError(f"{name}(…) = … lists the names of its inputs, and {written} is not one",
                                    (arg[1], arg[2]),
                                    hint=f"write {name}(x) = … with plain names, or {name} = … without them")
        if self._literal(body) is not None:   # f(x) = 2: a constant function, not an input f
            body = (self.graph.add("identity", (body[0],), (body[1], body[2])), body[1], body[2])
        return self._assign(token, body, token[1])

    # -- arrays and indices ------------------------------------------------------------------------
    def _literal(self, ref: Ref):
        """The value of a number written in the program (signs folded), else None."""
        self._value(ref)
        node = self.graph.nodes[ref[0]]
        if node.id in self.graph.constants and node.name is None:
            return self.graph.constants[node.id]
        if node.op in _FOLDED and len(node.inputs) == 2:    # tf.linspace(-10.0, 10.0, 200+1): a number too
            a, b = (self.graph.nodes[i] for i in node.inputs)
            if all(n.id in self.graph.constants and n.name is None and not getattr(self.graph.constants[n.id], "ndim", 0)
                   for n in (a, b)):
                return _FOLDED[node.op](self.graph.constants[a.id], self.graph.constants[b.id])
        return None

    def _grouping(self, ref: Ref) -> bool:
        """Whether [ … ] around `ref` can only be grouping, as math text writes it: it holds a power,
        a quotient, a function or a fraction, which no index or list of numbers written in code holds."""
        if self._literal(ref) is not None:
            return False
        return re.search(_NOT_AN_INDEX, self.graph.text[ref[1]:ref[2]]) is not None

    def brace(self, children):
        lbrace, inner, rbrace = children
        return (inner[0], lbrace[1], rbrace[2])

    def array(self, children):
        import numpy as np

        lsqb, *items, rsqb = children
        span = (lsqb[1], rsqb[2])
        if _JOINING.search(self.graph.text, max(lsqb[1] - 40, 0), lsqb[1]):
            return _Tuple(items, *span)     # np.concatenate([a, b]), torch.stack([x, y]): the arrays joined
        if len(items) == 1 and self._grouping(items[0]):      # [(σ/r)^12 − (σ/r)^6] as grouping
            return (items[0][0], *span)
        values, computed, words = [], [], 0
        for k, item in enumerate(items):
            if item[0] is None and self.graph.text[item[1]:item[2]].strip("() \t") in ("True", "False"):
                words += 1
                values.append(1.0 if self._word(item) else 0.0)    # [True, False]: NumPy's 1 and 0
                continue
            value = self._literal(item)
            if value is None and self.python is not None and len(items) > 1:
                computed.append((k, item))      # jnp.asarray([x[0], 5*x[2]]): one value an item, computed
                value = 0.0
            elif value is None:
                raise GradcalcError("an array written in the expression holds numbers only",
                                    (item[1], item[2]), hint="give the array as a value instead, "
                                    "e.g. --v [1,2,3], or combine names with + and *")
            values.append(value)
        if computed:
            return self._array_of(values, computed, span)
        shapes = {np.shape(v) for v in values}
        if len(shapes) > 1:
            first = np.shape(values[0])
            odd = next(item for item, v in zip(items, values) if np.shape(v) != first)
            odd_shape = np.shape(values[items.index(odd)])
            raise GradcalcError(f"the rows of an array must have the same shape: this one is "
                                f"{format_shape(odd_shape)}, the first {format_shape(first)}",
                                (odd[1], odd[2]), hint="[[1, 2], [3, 4]] is a 2×2 matrix")
        node = self.graph.add(None, (), span)
        self.graph.constants[node] = np.array(values, dtype=np.float64)
        if items and (words == len(items) or all(item[0] in self.booleans for item in items)):
            self.booleans.add(node)      # [True, False, True], NumPy's bool array: x[it] takes elements, not indices
        return (node, *span)

    def _array_of(self, values: list, computed: list, span: Span) -> Ref:
        """[x[0], 5*x[2], 1.0] in a pasted program: the numbers written, plus each computed item (one
        value each, else refused) times the unit vector of its place."""
        import numpy as np

        if any(np.ndim(v) for v in values):
            raise GradcalcError("an array of computed items holds one value an item here, not rows",
                                span, hint="give the array as a value instead, e.g. --v [[1,2],[3,4]]")
        total = None
        if any(values):
            total = (self.graph.add(None, (), span), *span)
            self.graph.constants[total[0]] = np.array(values, dtype=np.float64)
        for k, item in computed:
            unit = self.graph.add(None, (), (item[1], item[2]))
            self.graph.constants[unit] = np.eye(len(values))[k]
            one = self._apply("one_item", [item], (item[1], item[2]))
            term = self._apply("mul", [(unit, item[1], item[2]), one], (item[1], item[2]))
            total = term if total is None else self._apply("add", [total, term], span)
        return (total[0], *span)

    def _index_number(self, ref: Ref, what: str) -> int:
        value = self._literal(ref)
        node = self.graph.nodes[ref[0]]
        if value is None:
            if node.op is None and node.name is not None:
                raise GradcalcError(f"{what} must be a whole number written in the expression, "
                                    f"not the name {node.name}", (ref[1], ref[2]),
                                    hint="indices are fixed when the program is read: write x[0], x[1:]")
            raise GradcalcError(f"{what} must be a whole number written in the expression",
                                (ref[1], ref[2]), hint="write x[0], x[-1], x[1:] or X[:, 0]")
        if getattr(value, "ndim", 0):   # x[[0, 1]:2]: a list as a slice bound (was exit 70)
            raise GradcalcError(f"{what} must be one whole number, not a list", (ref[1], ref[2]),
                                hint="write a whole number, as in x[0:2]")
        if value != int(value) if abs(value) < 2 ** 62 else True:
            raise GradcalcError(f"{what} must be a whole number, got {value:g}", (ref[1], ref[2]),
                                hint=f"write {int(value) if abs(value) < 2 ** 62 else 0} instead?")
        return int(value)

    def ellipsis(self, children):
        """... among indices: the axes not named, as many as it takes (a slice of each, at its place)."""
        _, start, end = children[0]
        return _Slice(Ellipsis, start, end)

    def slice(self, children):
        start, colon, stop = children[:3]
        step = children[4] if len(children) == 5 else None
        parts = [None if ref is None else self._index_number(ref, "a slice bound")
                 for ref in (start, stop, step)]
        if step is not None and parts[2] == 0:
            raise GradcalcError("the step of a slice cannot be 0", (step[1], step[2]),
                                hint="write x[::1], x[::2] or x[::-1]")
        first = start[1] if start is not None else colon[1]
        last = max([colon[2]] + [ref[2] for ref in (stop, step) if ref is not None]
                   + [c[2] for c in children[3:4] if c is not None])
        return _Slice(slice(*parts), first, last)

    def _range(self, args: list, span: Span) -> Ref:
        """range(n): 0, 1, …, n − 1, an index array (probs[range(N), y]); of a number written in the
        program it is those numbers, of a value it is read when the program runs."""
        if len(args) != 1 or isinstance(args[0], _Keyword):
            raise GradcalcError("range takes one argument here, the count n", span,
                                hint="write range(n): 0, 1, …, n − 1")
        count = self._literal(args[0])
        if count is None:
            self._value(args[0])
            self.ranges[span] = args[0]
            return (None, *span)
        if count != int(count) or not 0 <= count <= 10 ** 7:
            raise GradcalcError(f"range needs a whole number n ≥ 0, got {count:g}", (args[0][1], args[0][2]),
                                hint="write range(3)")
        import numpy as np

        node = self.graph.add(None, (), span)
        self.graph.constants[node] = np.arange(int(count), dtype=np.float64)
        return (node, *span)

    def _index_array(self, sub) -> str | None:
        """"range" or "index" if a subscript is an array of indices (range(N), y, [0, 2]), else None."""
        if isinstance(sub, _Slice):
            return None
        if sub[0] is None:
            return "range" if (sub[1], sub[2]) in self.ranges else None
        node = self.graph.nodes[sub[0]]
        if node.op is None and node.name is not None or node.op in _INDEX_OPS:    # x[i], x[np.argmax(x)]
            return "index"
        if node.op is None and node.id in self.graph.constants and \
                not isinstance(self.graph.constants[node.id], float) and \
                getattr(self.graph.constants[node.id], "ndim", 0):
            return "index"
        return None

    def _pair(self, operand: Ref, which: int, span: Span) -> Ref:
        """x.max(dim=1)[0] or .values: PyTorch's maxima (the op's value); [1] or .indices refused."""
        text = self.graph.text
        written = _short(text[operand[1]:operand[2]])
        if self.pairs[operand[0]] == "either":
            raise GradcalcError(f"{written}[{which}] can be read two ways", span,
                                hint="PyTorch's (values, indices) or NumPy's element: write "
                                     f"{written.replace('(', '(dim=', 1) if '=' not in written else written}"
                                     f".values for PyTorch's, or name the axis (axis=…) for NumPy's")
        if which:
            raise GradcalcError("the indices of a max or min carry no gradient", span,
                                hint=f"take the values: {written}.values (or [0])")
        # the values are a node of their own: torch.max(X, dim=0)[0][1] indexes them, not the pair again
        return self._apply("identity", [operand], span)

    def index(self, children):
        operand, _, *subscripts, rsqb = children
        if isinstance(operand, _Tuple):       # f(x)[0] of a function that returns a, b
            return self._tuple_item(operand, subscripts, (operand[1], rsqb[2]))
        if operand[0] in self.pairs and len(subscripts) == 1 and not isinstance(subscripts[0], _Slice) \
                and subscripts[0][0] is not None and self._literal(subscripts[0]) in (0, 1):
            return self._pair(operand, int(self._literal(subscripts[0])), (operand[1], rsqb[2]))
        if any(self._is_new_axis(sub) for sub in subscripts):
            return self._new_axes(operand, subscripts, rsqb)
        if len(subscripts) == 1 and type(subscripts[0]) is tuple and subscripts[0][0] is not None and \
                (self.graph.nodes.ops[subscripts[0][0]] in _MASK_OPS or subscripts[0][0] in self.booleans):
            # x[x > 0], x[~torch.isnan(x)]: the elements where the mask holds, in order, as a vector
            maker = _Maker(self, (operand[1], rsqb[2]), "a mask")
            return dialects.NUMPY["extract"].build(maker, subscripts[0], operand)
        kinds = [self._index_array(sub) for sub in subscripts]
        if any(kinds):       # probs[range(N), y], x[[0, 2]], x[i]: indices read when the program runs
            pattern, inputs = [], []
            for sub, kind in zip(subscripts, kinds):
                if kind == "range":
                    pattern.append("range")
                    inputs.append(self.ranges[(sub[1], sub[2])])
                elif kind == "index":
                    pattern.append("index")
                    inputs.append(sub)
                else:
                    pattern.append(sub.key if isinstance(sub, _Slice) else self._index_number(sub, "an index"))
            return self._apply(take_op(tuple(pattern)), [operand] + inputs, (operand[1], rsqb[2]))
        if len(subscripts) == 1 and not isinstance(subscripts[0], _Slice) and self._grouping(subscripts[0]):
            # ε[(σ/r)^12 − (σ/r)^6]: math text's brackets around a formula no index could be
            inner = subscripts[0]
            return self._apply("mul", [operand, inner], (operand[1], rsqb[2]))
        if len(subscripts) == 1 and not isinstance(subscripts[0], _Slice) and self._literal(subscripts[0]) is None \
                and self.graph.nodes[subscripts[0][0]].op is not None:
            inner, text = subscripts[0], self.graph.text
            written, base = _short(text[inner[1]:inner[2]]), _short(text[operand[1]:operand[2]])
            raise GradcalcError(f"{base}[{written}] can be read two ways", (inner[1], inner[2]),
                                hint=f"an index must be a whole number written in the expression "
                                     f"({base}[0], {base}[1:]); for a product, write {base}*({written})")
        key = tuple(sub.key if isinstance(sub, _Slice) else self._index_number(sub, "an index")
                    for sub in subscripts)
        return self._apply(index_op(key), [operand], (operand[1], rsqb[2]))

    def _is_new_axis(self, sub) -> bool:
        """None (np.newaxis) as an index: x[:, None] puts in an axis of size 1 there."""
        return not isinstance(sub, _Slice) and type(sub) is tuple and sub[0] is None \
            and (sub[1], sub[2]) not in self.ranges and _WORDS.get(self.graph.text[sub[1]:sub[2]].strip("() \t"), 0) is None

    def _new_axes(self, operand: Ref, subscripts: list, rsqb) -> Ref:
        """x[:, None], x[None, :], x[0, None]: the other subscripts taken as they are, then an axis of size 1
        put in where each None stands among the result's axes (after the slices and Nones before it)."""
        import numpy as np

        span = (operand[1], rsqb[2])
        rest = [sub for sub in subscripts if not self._is_new_axis(sub)]
        if any(self._index_array(sub) for sub in rest):
            raise GradcalcError("None among index arrays is not read", span,
                                hint="index first, then put the axis in: y = x[idx], then y[:, None]")
        axes, kept = [], 0
        dots = next((k for k, sub in enumerate(subscripts) if isinstance(sub, _Slice) and sub.key is Ellipsis), None)
        for k, sub in enumerate(subscripts):
            if self._is_new_axis(sub) and dots is not None and k > dots:    # x[..., None]: counted from the end
                axes.append(-1.0 - sum(isinstance(later, _Slice) or self._is_new_axis(later)
                                       for later in subscripts[k + 1:]))
            elif self._is_new_axis(sub):
                axes.append(float(kept))
            if isinstance(sub, _Slice) and sub.key is not Ellipsis or self._is_new_axis(sub):
                kept += 1
        key = tuple(sub.key if isinstance(sub, _Slice) else self._index_number(sub, "an index") for sub in rest)
        taken = operand
        if key:     # x[:, None] of a single number is numpy's IndexError: the index says so
            taken = self._apply(index_op(key), [operand], span)
        where = self.graph.add(None, (), (span[1], span[1]))
        self.graph.constants[where] = axes[0] if len(axes) == 1 else np.array(axes)
        return self._apply("unsqueeze", [taken, (where, span[1], span[1])], span)

    def group(self, children):
        lpar, inner, rpar = children
        if type(inner) is not tuple:     # ((2, 3)), (lambda t: t): a tuple or a lambda, kept as what it is
            return inner
        return (inner[0], lpar[1], rpar[2])

    def _tuple_item(self, operand: _Tuple, subscripts: list, span: Span) -> Ref:
        count = len(operand.items)
        which = None
        if len(subscripts) == 1 and not isinstance(subscripts[0], _Slice):
            which = self._index_number(subscripts[0], "an index")
        if which is None or not -count <= which < count:
            raise GradcalcError(f"a tuple of {count} value{'s' if count != 1 else ''} is indexed by one whole "
                                f"number, 0 to {count - 1}", span,
                                hint=f"write {_short(self.graph.text[operand[1]:operand[2]])}[0]")
        item = operand.items[which]
        return item if isinstance(item, _Tuple) else (item[0], *span)

    def tuple(self, children):
        # (2, 3), (3,), (): a shape or axes written in a call; a, b: what `return a, b` leaves
        if isinstance(children[0][0], str):       # ( … ): the tokens around the items (a token's [0] is its text)
            items = [item for item in children[1:-1] if item is not None]
            return _Tuple(items, children[0][1], children[-1][2])
        items = [item for item in children if item is not None]
        return _Tuple(items, items[0][1], items[-1][2])

    def _binary_chain(self, children):
        # [a, op, b, op, c, …] → ((a op b) op c) …, left-associative. The hot loop of a long sum: an
        # operator written with its ASCII sign takes its op from _CHAINED, the rest the checks below.
        if len(children) == 3:      # a op b, most chains (of an ASCII operator between values): no loop
            left, op_token, right = children
            op = _CHAINED.get(op_token[0])
            if op is not None and op_token is not _JUXTAPOSED and left[0] is not None and right[0] is not None:
                return (self.graph.add(op, (left[0], right[0]), (left[1], right[2])), left[1], right[2])
        add, chained = self.graph.add, _CHAINED
        items = iter(children)      # read in turn: a long chain's children are a lalr.Packed
        left_id, start, _ = next(items)
        i = -1                      # where op_token stands in children
        for op_token in items:
            right = next(items)
            i += 2
            right_id = right[0]
            if right_id is None or left_id is None:
                self._value(children[i - 1], right)
            op = chained.get(op_token[0])
            if op is not None and op_token is not _JUXTAPOSED:
                left_id = add(op, (left_id, right_id), (start, right[2]))
                continue
            if op_token is _JUXTAPOSED:
                self._check_juxtaposed(children, i)
            op = BINARY[op_token[0]]
            if op not in OPS:
                raise GradcalcError(f"the {op_token[0]} operator is not supported yet",
                                    (op_token[1], op_token[2]))
            left_id = add(op, (left_id, right_id), (start, right[2]))
            if op_token is _JUXTAPOSED or op_token[0] in _DOT_PRODUCTS:
                self.graph.written_products[left_id] = "" if op_token is _JUXTAPOSED else op_token[0]
        return (left_id, start, children[-1][2])

    sum = product = _binary_chain

    def power(self, children):
        base, op_token, exponent = children
        return self._apply(BINARY[op_token[0]], [base, exponent], (base[1], exponent[2]))

    def unary(self, children):
        sign, operand = children
        span = (sign[1], operand[2])
        self._value(operand)
        node = operand[0]
        if node in self.graph.constants and self.graph.nodes[node].name is None:
            value = self.graph.constants[node]
            return self._constant(-value if UNARY[sign[0]] == "neg" else value, span)
        return self._apply(UNARY[sign[0]], [operand], span)

    def invert(self, children):
        """~m, ~torch.isnan(x): the logical not of a mask (1 where m is 0), no gradient; refused when the program
        runs for numbers other than 0 and 1 (Python's ~ of a whole number is its bitwise not)."""
        token, operand = children
        return self._apply("invert", [operand], (token[1], operand[2]))

    def assignment(self, children):
        token, ref = children
        if isinstance(ref, _Lambda):      # f = lambda x: …: a function, read again where it is called
            function = ref.function(token[0], (token[1], token[2]))
            self.functions[function.name] = function
            if self.assigned.pop(function.name, None) is not None:
                self.declared.add(function.name)
            return _Lambda(ref.parts, token[1], ref[2], function)
        return self._assign(token, ref, token[1])

    # -- lambda x: …, read in the grammar; its body, built as it was read, is taken back and kept as text
    def lambda_start(self, children):
        self.lambda_depth += 1
        self.lambda_seen = True
        return self._mark(children[0])

    def lambdef(self, children):
        mark, *params, colon, body = children
        names, defaults = self._parameters(params)
        if isinstance(body, _Lambda):
            raise GradcalcError("a lambda that returns a lambda is not read", (body[1], body[2]),
                                hint="write the function of all the parameters: lambda x, y: …")
        self._take_back(mark)
        self.lambda_depth -= 1
        start = colon[2]
        end = brackets.statement_end(self.source, start, ",;\n#", closer_ends=True)   # at , ) ] } ; # or a line break
        return _Lambda((names, defaults, start, self.source[start:end], body[1]), mark.token[1], end)

    def _parameters(self, params) -> tuple[list, dict]:
        """A def's or lambda's parameters (name tokens, or keywords for those with defaults): their
        names, and the defaults, which must be numbers."""
        names, defaults = [], {}
        for param in params:
            if param is None:
                continue
            name = param.name if isinstance(param, _Keyword) else param[0]
            where = param.span if isinstance(param, _Keyword) else (param[1], param[2])
            if name in names:
                raise GradcalcError(f"the parameter {name} is named twice", where, hint="name each parameter once")
            if isinstance(param, _Keyword):
                value = self._literal(param.ref) if type(param.ref) is tuple and param.ref[0] is not None else None
                if value is None or getattr(value, "ndim", 0):
                    raise GradcalcError(f"the default of {name} must be a number", where,
                                        hint=f"write {name}=0.5, or give {name} its value with --{name}")
                defaults[name] = value
            names.append(name)
        return names, defaults

    # -- def f(x): …, read in the grammar as a lambda is; its body (the return blanked) kept as text ---------
    def def_start(self, children):
        self.lambda_depth += 1
        self.lambda_seen = True
        mark = self._mark(children[0])
        self.locals = _EVERY_NAME       # the body's names may be its own (they are known where it is called)
        return mark

    def def_head(self, children):
        mark, name, _lpar, *params, _rpar, _annotation, colon = children
        return (mark, name, *self._parameters(params), colon)

    def annotated(self, children):
        name, _colon, _annotation, default = children
        return name if default is None else _Keyword(name[0], default, (name[1], default[2]))

    def annotation(self, _children):
        return None                      # a type (x: float, -> jnp.ndarray) changes no value

    def starred(self, children):
        star, name = children
        if name is None and self.source[star[1]:star[2]] == "*":
            return None     # def f(a, *, eps=1e-5): eps by keyword only, a parameter as any other here
        end = name[2] if name is not None else star[2]
        raise GradcalcError(f"the parameter {self.source[star[1]:end]} is not read", (star[1], end),
                            hint="give the function plain parameters: def f(x, y): …")

    def returned(self, children):
        token, value = children
        if value is None:
            raise GradcalcError("return without a value", (token[1], token[2]), hint="return the formula: return x**2")
        if self.python is not None and type(value) is tuple and value[0] is not None and \
                any(low <= token[1] < high for low, high in self.python.detached):
            # returned under @torch.no_grad() (or from a with torch.no_grad(): block): no gradient
            value = self._apply("stop_gradient", [value], (token[1], value[2]))
        return _Return(token, value)

    def function(self, children):
        (mark, name, params, defaults, colon), opened, *body, closed = children
        header = (mark.token[1], colon[2])
        returned = next((i for i, statement in enumerate(body) if isinstance(statement, _Return)), None)
        if returned is None:
            raise GradcalcError(f"{name[0]} returns nothing", header,
                                hint=f"end {name[0]} with return and the formula it computes")
        if returned < len(body) - 1:
            after = body[returned + 1]
            raise GradcalcError("a line after return is never run", (after[1], after[2]),
                                hint=f"end {name[0]} with its return line")
        token = body[-1].token
        local_names = frozenset(self.assigned.maps[0]) - set(params)     # what the body wrote over
        self._take_back(mark)
        self.lambda_depth -= 1
        start, end, source = opened[1], closed[1], self.source
        after = source[token[2]:end]
        returns = token[2] + len(after) - len(after.lstrip())
        text = source[start:token[1]] + " " * (token[2] - token[1]) + after     # return x: x, a statement
        function = dialects.Function(name[0], params, defaults, start, text, returns, local_names, (name[1], name[2]))
        self.functions[function.name] = function
        if self.assigned.pop(function.name, None) is not None:
            self.declared.add(function.name)
        return _Lambda((params, defaults, start, text, returns), mark.token[1], end, function, by_def=True)

    def _main_lambda(self, defined, why: str = "the function defined last") -> Ref:
        """A lambda defined last (f = lambda x: …, or alone, then called f), or a def never called: the
        output is its value at its parameters, which are inputs (a default, a=0.5, their value)."""
        function = defined.made or defined.function("f", (defined[1], defined[1] + len("lambda")))
        self.graph.notes.append(f"the output is {function.name}({', '.join(function.params)}), {why}, at its "
                                f"inputs' values")
        self.pending = {**self.pending, **function.defaults}
        self.calling.append(function.name)
        try:
            ref = _parse_fragment(_join_lines(" " * function.start + function.body, frozenset({function.returns})),
                                  self.by_lark)
        finally:
            self.calling.pop()
        if isinstance(ref, _Tuple):
            raise _tuple_error(self.graph.text, ref, output="return" if defined.by_def else "last")
        self._value(ref)
        return self._assign(lalr.token(function.name, *function.span), ref, ref[1])

    def _mark(self, token) -> _Mark:
        """Where the graph and the builder stand as a def's or lambda's body is read (to be taken back):
        the names the body assigns are written over the program's, read through, so taking them back
        is dropping what was written (a program of many defs is not copied at each)."""
        mark = _Mark(token, len(self.graph.nodes), self)
        self.assigned, self.version = ChainMap({}, self.assigned), ChainMap({}, self.version)
        self.functions = ChainMap({}, self.functions)
        return mark

    def _take_back(self, mark):
        """Forget what was built since `mark`: the nodes of a def's or lambda's body, read as its text
        instead. Only what was made since is looked at, so the time is the body's, not the program's."""
        graph, cut = self.graph, mark.nodes
        names, made = graph.nodes.names, range(cut, len(graph.nodes))
        for node in made:
            name = names[node]
            if name is not None and graph.variables.get(name) == node:
                del graph.variables[name]
                graph.defaults.pop(name, None)
            graph.constants.pop(node, None)
            graph.versions.pop(node, None)
            self.pairs.pop(node, None)
        del self.named[cut:]
        graph.nodes.truncate(cut)
        del graph.notes[mark.notes:]
        self.noted, self.declared, self.pending = mark.noted, mark.declared, mark.pending
        self.assigned, self.version, self.functions, self.locals = mark.assigned, mark.version, mark.functions, mark.locals

    def augmented(self, children):
        # c += 1 is c = c + 1 (and c₂ in the trace)
        token, op_token, ref = children
        current = self.name([token])
        start = token[1]
        value = self._apply(BINARY[op_token[0][:-1]], [current, ref], (start, ref[2]))
        return self._assign(token, value, start)

    def _assign(self, token, ref: Ref, start: int) -> Ref:
        name = token[0]
        graph = self.graph
        if type(ref) is not tuple or ref[0] is None:    # a value's ref is a plain tuple with a node
            self._value(ref)
        if "." in name:
            raise GradcalcError(f"{name} cannot be assigned: a name has no dots", (token[1], token[2]),
                                hint=f"use a plain name, e.g. {name.replace('.', '_')}")
        again = name in self.assigned
        if not again and name in graph.variables and name not in self.locals:
            # An input assigned a new value must be read by that statement (x = x - 0.1*g, an
            # update); `z = t*2; t = x` uses t before giving it a value, which is a slip.
            if not _reads(graph, ref[0], graph.variables[name]):
                first_use = graph.nodes[graph.variables[name]].span
                raise GradcalcError(f"{name} is used before it is assigned", first_use,
                                    hint=f"move `{name} = …` above the line that uses {name}")
            again = True
        if self.python is not None and any(low <= start < high for low, high in self.python.detached):
            # assigned under `with torch.no_grad():`: the value, with no gradient (shown in the trace)
            ref = self._apply("stop_gradient", [ref], (start, ref[2]))
        node_id = ref[0]
        unnamed = graph.nodes.names[node_id] is None
        if unnamed and node_id in graph.constants and not again:
            # `apple = 100`: an input with a default value, so ∂/∂apple is reported.
            graph.rename(node_id, name)
            graph.defaults[name] = graph.constants.pop(node_id)
            graph.variables[name] = node_id
        elif unnamed and graph.nodes.ops[node_id] is not None:
            graph.rename(node_id, name)        # `t = x + y` names the node it made
        else:
            # `t = x`, `t = s` or a number given to a name again: a node of its own, so t is in the trace.
            new = graph.add("identity", (node_id,), (start, ref[2]), name=name)
            ref = (new, start, ref[2])
        if again:
            version = self.version[name] = self.version.get(name, 1) + 1
            graph.versions[ref[0]] = version   # the trace's note on c, c₂, … is drawn from these (rows.py)
        elif name in CONSTANTS:
            graph.notes.append(f"{name} is assigned here, so from there on {name} means that value "
                               f"and shadows the constant {name} = {CONSTANTS[name]!r}")
        elif name in CALLS:
            graph.notes.append(f"{name} is assigned a value; {name}(…) still calls the function {name}")
        node_id = self.assigned[name] = ref[0]
        named = self.named
        if node_id >= len(named):        # grown by half again at least: not a bytes object a line
            named.extend(bytes(max(node_id + 1 - len(named), len(named) // 2 + 64)))
        named[node_id] = 1
        if self.lambda_depth:       # a def's body, read to be kept: its checks show a statement's span
            return (node_id, start, ref[2])
        # The statement as the start rule reads it: the node's id alone, where a ref and its two
        # positions, held until the parse ends, were ~130 bytes a line (11 MB for 10⁵ lines).
        return node_id

    def _ref(self, node_id: int) -> Ref:
        """A ref to a node, spanning the node."""
        return (node_id, *self.graph.nodes.span(node_id))

    def start(self, children):
        # A statement that names nothing and is not the last is computed for nothing: most often a
        # formula pasted with a line break, `(x+1)` then `(x-1)` on the next line. Answering with the
        # last line alone would be a different formula's answer, so it is an error.
        program = None if self.calling else self.python
        last = children[-1]
        if isinstance(last, _Lambda) and not self.calling and (program is None or program.output is None):
            derived = _derived_function(last, children)
            if derived is not None:      # def sigmoid …, def sigmoid_prime …: the function, not its derivative
                children = children[:-1] + [self._main_lambda(derived, f"the function that {last.made.name} "
                                                              f"(defined last) differentiates by hand")]
            elif not (last.by_def and last.made.name in self.called):     # a def called is no program
                children = children[:-1] + [self._main_lambda(last)]
        if any(isinstance(child, _Lambda) for child in children):     # def f, f = lambda …: no value
            children = [child for child in children if not isinstance(child, _Lambda)]
            if not children:
                raise GradcalcError("the program computes nothing", (0, 0),
                                    hint="call the function it defines last, f(x), or paste the lines that compute the value")
        if isinstance(children[-1], _Tuple):
            if self.calling:         # a function's `return a, b`: f(x)[0] may take a value of it
                return children[-1]
            raise _tuple_error(self.graph.text, children[-1], output="last")
        if program is not None and program.output is not None:
            outputs = program.output if isinstance(program.output, tuple) else (program.output,)
            for output in outputs:
                if output not in self.assigned:
                    raise GradcalcError(f"{output}.backward() asks for the gradient of {output}, "
                                        f"which the program does not compute", (0, 0),
                                        hint=f"paste the lines that compute {output}")
            if len(outputs) == 1:
                children = children + [self._ref(self.assigned[outputs[0]])]
            else:      # tape.gradient([y0, y1], x): TF differentiates the sum of every target's elements
                span = (program.output_at, program.output_at + 1)
                total = None
                for output in outputs:
                    summed = self._apply("sum", [self._ref(self.assigned[output])], span)
                    total = summed if total is None else self._apply("add", [total, summed], span)
                children = children + [total]
            questions = []
            for output, sources, call in program.questions:     # a persistent tape asked before the last question
                if output not in self.assigned:
                    raise GradcalcError(f"{call} asks for the gradient of {output}, which the program does not compute",
                                        (program.output_at, program.output_at + 1), hint=f"paste the lines that compute {output}")
                questions.append((self.assigned[output], sources, call))
            self.graph.questions = tuple(questions)
            if program.seed is not None:     # y.backward(v): v, assigned a name in its line, is ∂L/∂y
                if program.seed[0] not in self.assigned:
                    raise GradcalcError(f"{program.seed[1]} is given {program.seed[0]}, which the program does not "
                                        f"compute", (program.output_at, program.output_at + 1),
                                        hint=f"paste the line that makes {program.seed[0]}")
                self.graph.seed = (self.assigned[program.seed[0]], program.seed[1])
            for key in ("tangents", "vectors"):     # jax.jvp's tangents, hvp's vectors: a name's node, or a value
                if key in program.wants:
                    self.graph.wants[key] = [{name: _tangent(kind, written, self.assigned) for name, (kind, written)
                                              in given.items()} for given in program.wants[key]]
        output = children[-1] if type(children[-1]) is not int else self._ref(children[-1])
        self._value(output)
        named = self.named
        # (a statement that names its value is that node's id, _assign: named, so never computed for nothing)
        lost = next((ref for ref in children[:-1] if type(ref) is not int and
                     (ref[0] is None or ref[0] >= len(named) or not named[ref[0]])), None)
        if lost is not None:
            shown = _short(self.graph.text[lost[1]:lost[2]])
            raise GradcalcError(
                f"{shown} is computed for nothing: a program's output is its last statement, and a line "
                f"break or ; ends a statement", (lost[1], lost[2]),
                hint=f"if one formula was broken across lines, join them (a line that starts with an "
                     f"operator such as + or * continues the one before); to use {shown} later, name "
                     f"it: t = {shown}")
        return output


# from numpy import *, from jax.numpy import sum: a pasted program's bare sum is the library's (every element)
# The ops whose values are indices (argmax, argsort): x[np.argsort(x)] takes the elements there.
_INDEX_OPS = frozenset({"argmax", "argmin", "argmax_axis", "argmin_axis", "argsort"})
# The ops whose values are masks (0 or 1): x[mask] takes the elements where the mask holds.
_MASK_OPS = frozenset({"less", "greater", "less_equal", "greater_equal", "equal", "not_equal", "isnan", "invert"})
# A list written as the first argument of a joining call: its items are the arrays joined (parse.array).
_JOINING = re.compile(r"\b(?:concatenate|concat|cat|stack)[ \t]*\([ \t\n]*$")
_NUMPY_SUM = re.compile(r"(?m)^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\*|[^\n#]*\bsum\b)")


# Python's words that two names side by side may be: what to type instead (never a product).
_MASKS = "comparisons are masks of 1s and 0s"
_PYTHON_KEYWORDS = {
    "and": f"{_MASKS}: write (a > 0) * (b > 0) for both, or np.where(c, a, b) to choose",
    "or": f"{_MASKS}: write np.maximum(a > 0, b > 0) for either, or np.where(c, a, b) to choose",
    "not": f"{_MASKS}: write 1 - (x > 0) for not x > 0",
    "is": "write == to compare values (x is None: gradcalc's inputs always have values)",
    "in": "membership is not read: write the formula for the values given",
    "def": "write def f(x): on its own line, the body indented below it, ending with return …",
    "for": "loops are not read: write what the loop computes as one formula (sum(x) for a sum)",
    "while": "loops are not read: write what the loop computes as one formula",
    "import": "write import lines on their own line (they are skipped)",
    "from": "write from … import lines on their own line (they are skipped)",
    "yield": "generators are not read: write the formula",
    "del": "del is not read: remove the line",
    "global": "global is not read: remove the line",
}

# arange(n) of one count, read as range(n) where n is a value (CS231n's probs[np.arange(N), y])
_ARANGES = frozenset({"np.arange", "numpy.arange", "jnp.arange", "jax.numpy.arange", "torch.arange", "tf.range"})

_BUILDER = _Builder()
_INFINITY = float("inf")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_DIVIDE = {"/", "÷"}
_COMPARISONS = {"<": "less", ">": "greater", "<=": "less_equal", "≤": "less_equal", ">=": "greater_equal",
                "≥": "greater_equal", "==": "equal", "!=": "not_equal", "≠": "not_equal"}
# What no index holds: a power, a quotient, a function call, a number with a fraction.
_NOT_AN_INDEX = r"\*\*|[\^/÷√²³]|[A-Za-z]\s*\(|[0-9]\.[0-9]*[1-9]"
# Patterns compiled (and cached by re) when a product without * is read, not on import.
_NUMBER_EXPONENT = r"(\^|\*\*)\s*(-?[0-9.]+)\s*$"


class _Slice:
    """start:stop:step inside [ ], as read: the slice and where it was written."""

    __slots__ = ("key", "start", "end")

    def __init__(self, key: slice, start: int, end: int):
        self.key, self.start, self.end = key, start, end


class _Tuple(tuple):
    """(2, 3), (0, 1), (3,): a tuple written in the program, read as a call's setting (a shape, the
    axes of a sum); a ref with no node, as True and None are, so it is refused where a value is needed.
    `called`: it is what a function returned (def f(x): return a, b), and f(x)[0] takes its first value."""

    def __new__(cls, items: list, start: int, end: int, called: bool = False):
        made = super().__new__(cls, (None, start, end))
        made.items, made.called = items, called
        return made


class _Lambda(tuple):
    """lambda x, a=0.5: … or def f(x): …, as read: a ref with no node (a function is no value), with its
    parameters, their defaults and its body's text (`parts`); `made`: its Function, once it has a name."""

    def __new__(cls, parts: tuple, start: int, end: int, made=None, by_def: bool = False):
        read = super().__new__(cls, (None, start, end))
        read.parts, read.made, read.by_def = parts, made, by_def
        return read

    def function(self, name: str, span: Span):
        params, defaults, start, body, returns = self.parts
        return dialects.Function(name, params, defaults, start, body, returns, frozenset(), span)


class _Mark:
    """Where the graph and the builder stood when `lambda` or `def` was read (its body is taken back to here)."""

    __slots__ = ("token", "nodes", "notes", "noted", "declared", "pending", "assigned", "version", "functions",
                 "locals")

    def __init__(self, token, nodes: int, builder: _Builder):
        self.token, self.nodes, self.notes = token, nodes, len(builder.graph.notes)
        self.noted, self.declared, self.pending = set(builder.noted), set(builder.declared), dict(builder.pending)
        self.assigned, self.version, self.functions = builder.assigned, builder.version, builder.functions
        self.locals = builder.locals


class _EveryName(frozenset):
    """The names of a def's body while it is first read: any may be its own (assigned in the body)."""

    def __contains__(self, name) -> bool:
        return True


_EVERY_NAME = _EveryName()


class _Return(tuple):
    """`return value` in a def's body, as read: a ref with no node, spanning the statement."""

    def __new__(cls, token, value):
        read = super().__new__(cls, (None, token[1], value[2]))
        read.token, read.value = token, value
        return read


def _tuple_error(text: str, ref: _Tuple, output: str = "") -> GradcalcError:
    """A tuple where one value is needed; `output`: "last" (the last statement) or "return" (the return of
    the function taken as the program)."""
    shown, count = _short(text[ref[1]:ref[2]]), len(ref.items)
    values = f"{count} value{'s' if count != 1 else ''}"
    first = _short(text[ref.items[0][1]:ref.items[0][2]]) if ref.items and not ref.called else f"{shown}[0]"
    if not count and text[ref[1]] == "[":   # np.array([]): an array, and nothing to compute with
        return GradcalcError(f"{shown} is an empty array: gradcalc computes with numbers, and it has none",
                             (ref[1], ref[2]), hint="give its numbers, e.g. np.array([1.0, 2.0])")
    if output:
        returned = "return " if output == "return" else ""
        return GradcalcError(f"the output {shown} is a tuple of {values}: gradcalc differentiates one output",
                             (ref[1], ref[2]),
                             hint=f"end with the one value to differentiate{f' ({returned}{first}, if it is that one)' if count else ''}, "
                                  f"and run gradcalc once for each value you want"
                                  + ("; JAX's has_aux=True differentiates the first value" if returned else ""))
    return GradcalcError(f"{shown} is a tuple of {values}, not one value", (ref[1], ref[2]),
                         hint="a tuple is read as a call's shape or axes (np.zeros((2, 3)), x.sum(axis=(0, 1)))"
                              + (f"; for one of its values write {first}" if count else ""))


class _Keyword:
    """name=value inside a call's parentheses, as read."""

    __slots__ = ("name", "ref", "span")

    def __init__(self, name: str, ref: Ref, span: Span):
        self.name, self.ref, self.span = name, ref, span


# A def's name that says it is another's derivative: sigmoid_prime, dsigmoid, f_grad, grad_f, drelu_dz,
# tanh_derivative, loss_backward (the function's name in the middle)
_BY_HAND = ("(?:d_?|grad_|deriv(?:ative)?_|derivative_of_)?", "(?:_?prime|_grad(?:ient)?|_deriv(?:ative)?|_der|"
            "_backward|_back|_d[a-z]\\w*)?")


def _derived_function(last, children):
    """The def that the last def, by its name, differentiates by hand (the nearest before it), or None."""
    if not last.by_def:
        return None
    name = last.made.name
    for child in reversed(children[:-1]):
        if isinstance(child, _Lambda) and child.by_def and child.made.name != name:
            base = re.escape(child.made.name)
            if re.fullmatch(f"{_BY_HAND[0]}{base}{_BY_HAND[1]}", name) and name != child.made.name:
                return child
    return None


class _Maker:
    """What a dialect's recipe builds with: gradcalc's ops as nodes, all spanning the call."""

    __slots__ = ("builder", "span", "name")

    def __init__(self, builder: _Builder, span: Span, name: str):
        self.builder, self.span, self.name = builder, span, name

    def __call__(self, op: str, *refs: Ref) -> Ref:
        return self.builder._apply(op, list(refs), self.span)

    def const(self, value: float) -> Ref:
        # An empty span at the call's end: the trace labels the node by its value, not by text.
        end = self.span[1]
        node = self.builder.graph.add(None, (), (end, end))
        self.builder.graph.constants[node] = value
        return (node, end, end)

    def axis(self, value, name: str) -> Ref:
        """An axis (axis=1), or several (axis=(0, 1), TensorFlow's axis=[0, 1]) as one constant."""
        axes = value if isinstance(value, tuple) else (value,)
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            self.refuse(f"the axis of {name} must be a whole number or a tuple of them",
                        "write e.g. axis=0 or axis=(0, 1)")
        if len(set(axes)) < len(axes):
            self.refuse(f"an axis of {name} is named twice", "name each axis once, e.g. axis=(0, 1)")
        if len(axes) == 1:
            return self.const(float(axes[0]))
        import numpy as np

        return self.const(np.array(axes, dtype=np.float64))

    def call(self, function: str, *refs: Ref) -> Ref:
        op = CALLS[function].get(len(refs))
        if op is None:      # max(a, b) is maximum
            op = next(key for key in CALLS[function].values() if OPS[key].variadic)
        return self(op, *refs)

    def refuse(self, message: str, hint: str):
        raise GradcalcError(f"{self.name}: {message}", self.span, hint=hint)

    def number(self, ref: Ref):
        """The number written for an argument (signs folded), or None if it is not one."""
        return None if ref[0] is None else self.builder._literal(ref)

    def folded(self, ref, most: int = 64):
        """The value of an expression of numbers alone (np.pi / 4 in DeZero's Variable(np.array(np.pi / 4))),
        computed now; None when it reads an input, is not small, an op refuses it, or its value is not finite."""
        if isinstance(ref, _Tuple) or ref[0] is None:
            return None
        graph, seen, todo = self.builder.graph, set(), [ref[0]]
        nodes = graph.nodes
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if len(seen) > most or (nodes.ops[node] is None and node not in graph.constants):
                return None
            todo.extend(nodes.input_ids(node))
        import numpy as np

        values = {}
        with np.errstate(all="ignore"):
            for node in sorted(seen):
                op = nodes.ops[node]
                try:
                    values[node] = graph.constants[node] if op is None else \
                        OPS[op].forward(*(values[i] for i in nodes.input_ids(node)))
                except ValueError:   # an op's refusal, shapes that do not fit: the forward pass says where
                    return None
        value = values[ref[0]]
        return value if np.all(np.isfinite(value)) else None

    def numbers(self, ref) -> tuple | None:
        """The numbers of a tuple written in the call ((2, 3) in np.array((2, 3))), or None."""
        if not isinstance(ref, _Tuple) or any(isinstance(item, _Tuple) or item[0] is None for item in ref.items):
            return None
        found = [self.builder._literal(item) for item in ref.items]
        return None if any(v is None or getattr(v, "ndim", 0) for v in found) else tuple(found)

    def items(self, ref) -> list | None:
        """The values of a tuple or list written in the call (np.concatenate([a, b]), torch.stack((x, y))),
        each checked to be a value; None if the argument is no tuple or list."""
        if not isinstance(ref, _Tuple):
            return None
        self.builder._value(*ref.items)
        return list(ref.items)

    def given(self) -> frozenset:
        """The names given values (--w): a value written in the code for them is overridden."""
        return frozenset(self.builder.names)

    def target(self) -> str:
        """The name the call's value is given (w in `w = torch.randn(3)`, and in
        `w = tf.Variable(tf.random.normal((3, 2)))`), else x."""
        line = self.builder.graph.text[:self.span[0]].rsplit("\n", 1)[-1]
        match = re.search(r"([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(?:[A-Za-z_][\w.]*\s*\(\s*)*$", line)
        return match.group(1) if match else "x"


def _is_function(spelling) -> bool:
    return isinstance(spelling, dialects.Spelling) or spelling in CALLS


def _unknown_in_module(name: str, module: str, function: str, span: Span) -> GradcalcError:
    reason = dialects.unsupported(name)
    if reason is not None:
        return GradcalcError(f"{name} {reason}", span, hint="gradcalc --help lists the functions it reads; write the "
                                                 "formula with those")
    known = list(dialects.NAMESPACES.get(module, {})) + list(CALLS)
    meant = meant_function(function, known)
    if meant:
        hint = f"did you mean {module}.{meant}(...)?"
    elif module:
        hint = (f"gradcalc reads these of {module}: " + ", ".join(dialects.known_functions(module)[:12])
                + " and gradcalc's own functions (gradcalc --help)")
    else:
        hint = "gradcalc --help lists the functions; README: How gradcalc reads what you paste"
    return GradcalcError(f"unknown function {name!r}", span, hint)


def _short(text: str, most: int = 40) -> str:
    """Program text quoted in a note: whole if short, else its ends around an ellipsis; on one line
    (a formula continued over lines is quoted as one)."""
    text = " ".join(text.split("\n")).replace("\r", " ")
    return text if len(text) <= most else f"{text[:most // 2 - 1]}…{text[-(most // 2 - 1):]}"


def _reads(graph: Graph, node_id: int, target: int) -> bool:
    """Whether node `node_id` depends on node `target` (an explicit walk; ids below target cannot)."""
    seen, stack = set(), [node_id]
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen or current < target:
            continue
        seen.add(current)
        stack.extend(graph.nodes.inputs[current])
    return False


_POWER_AFTER = (r"\s*(?:(\^|\*\*)\s*(\(\s*[-−]?\s*[0-9]+\s*\)|[-−]?\s*[0-9]+)|(⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))\s*")
_WORD_AFTER = r"\s*([A-Za-z_0-9.]+)"
_INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan", "sinh": "asinh", "cosh": "acosh", "tanh": "atanh",
             "exp": "log", "sigmoid": "logit"}


def _uncalled(text: str, name: str, span: Span) -> GradcalcError:
    """A function's name used as a value: sin x, sin^2(x), sin²(x), sin⁻¹(x), or erf + 1."""
    power = re.compile(_POWER_AFTER).match(text, span[1])
    after = power.end() if power else span[1]
    if text[after:after + 1] == "(":
        depth, end = 0, after
        for end in range(after, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        argument = text[after + 1:end].strip() or "x"
    else:
        word = re.compile(_WORD_AFTER).match(text, after)
        if power is None and word:   # sin x: a function written without its parentheses
            start = word.start(1)
            return GradcalcError(f"unexpected {word.group(1)!r}", (start, word.end(1)),
                                 hint=f"call it with parentheses: {name}({word.group(1)})")
        argument = word.group(1) if word else "x"
    if power is None:
        hint = f"call it: {name}(...)" + ("" if "." in name else f"; for a variable named {name}, give --{name} VALUE")
        return GradcalcError(f"{name} is a function", span, hint=hint)
    exponent = power.group(3).translate(_SUPERSCRIPT_DIGITS) if power.group(3) else power.group(2)
    exponent = int(re.sub(r"[\s()]", "", exponent).replace("−", "-"))
    written = text[span[0]:after].strip()
    call = f"{name}({argument})"
    if exponent == -1:
        bare = _PREFIX.sub("", name)
        inverse = (f"{written}({argument}) is the inverse function: write {_INVERSES[bare]}({argument})"
                   if _INVERSES.get(bare) in CALLS else f"gradcalc has no inverse of {name}")
        return GradcalcError(f"{name} is a function", span,
                             hint=f"{inverse}; for 1/{call} write {call}**-1")
    return GradcalcError(f"{name} is a function", span,
                         hint=f"{written}({argument}) means {call}**{exponent} in textbooks: "
                              f"write {call}**{exponent}")


def _meant(name: str, bare: str) -> str | None:
    """A hint for an unknown (perhaps dotted) name: the function or constant it probably meant."""
    last = bare.rsplit(".", 1)[-1]
    known = list(CALLS) + list(CONSTANTS)
    meant = last if last in known else meant_function(last, known)
    if meant:
        return f"did you mean {meant}{'(...)' if meant in CALLS and '.' in name else ''}?"
    if "." in name:
        return "attribute access is not supported (only .T, the transpose); call a function such " \
               "as sum(x)"
    return f"functions: {', '.join(sorted(CALLS))}"


# -- the parser ---------------------------------------------------------------------------------
# tools/generate_tables.py writes the grammar's LALR tables into _lalr_tables.py; lalr.py's driver
# runs them, calling the _Builder exactly as Lark would. Whatever the driver cannot finish (a syntax
# error, or tables older than the grammar) Lark itself parses again, so errors read exactly as before
# and an edited grammar always takes effect.

LARK_OPTIONS = {"parser": "lalr", "maybe_placeholders": True}


# The operator of a product written without *: the empty rule `juxtaposed` stands for it.
_JUXTAPOSED = lalr.token("*", -1, -1)
# A centred dot between two arrays is their matrix (or dot) product, as notes write it.
_DOT_PRODUCTS = frozenset({"·", "⋅"})
# The ASCII operators of a sum or product, and their ops: the builder's hot loop reads these without
# the checks the others need (a written product noted, an op not supported).
_CHAINED = {sign: BINARY[sign] for sign in "+-*/"}


@lru_cache(maxsize=1)
def _tables():
    """The generated tables, their reductions calling the one builder; None if missing or stale."""
    return lalr.load(_BUILDER, grammar_text())


@lru_cache(maxsize=1)
def _lark_parser():
    """Lark's own parser, for syntax errors and for a grammar newer than the tables.

    Built in memory (about 20 ms, only on those paths): Lark's on-disk cache option unpickles a file
    with a predictable name in the shared temp directory, which another local user could plant.
    """
    from lark import Lark

    return Lark(grammar_text(), **LARK_OPTIONS, transformer=_FromLark(_BUILDER))


class _FromLark:
    """The builder as Lark's transformer: Lark's tokens handed on as the driver's, (text, start, end).
    A rule the builder has no method for raises AttributeError here too, so Lark builds its tree."""

    __slots__ = ("builder",)

    def __init__(self, builder: _Builder):
        self.builder = builder

    def __getattr__(self, name: str):
        from lark import Token

        method = getattr(self.builder, name)

        def called(children):
            return method([(str(c), c.start_pos, c.end_pos) if isinstance(c, Token) else c for c in children])
        return called


# One parser and one builder are shared, so parses take turns (compute() stays safe to call from
# several threads).
_PARSE_LOCK = allocate_lock()


def parse(text: str, limits: Limits = DEFAULT, names=()) -> Graph:
    """Parse a gradcalc program into its graph. Raises GradcalcError with a span on bad input.
    `names` are the names given values: math text's xy is x·y only when x and y are given and xy is not."""
    limits = chosen(limits)
    if len(text) > limits.length:
        raise exceeded("length", len(text), "the program", limits)
    text = text.replace("\r\n", "\n")
    if not (_COMMENT.sub("", text) if "#" in text else text).strip():
        what = "has only comments" if text.strip() else "is empty"
        raise GradcalcError(f"the expression {what}", hint='write one, e.g. gradcalc "x**2" --x 3')
    text, names = fold(text), frozenset(map(fold, names))     # µ is μ: in the text and --µ alike
    pasted = text
    if ">>>" in text or "In [" in text:     # >>> x = 2: the session's code (dialects loads only then)
        text = dialects.without_prompts(text)
    printed = _PRINTED.search(text) if ":" in text and "\n" in text.strip() else None
    if printed is not None:     # Output: tensor([[14.]]) under the code: what the page printed
        text = text[:printed.start()] + " " * (printed.end() - printed.start()) + text[printed.end():]
    with _PARSE_LOCK:
        try:
            graph = _parse_with(text, limits, names)
        except GradcalcError as error:
            if "==" in text:
                _equation_hint(text, error)
            if error.text == text:          # shown as pasted, prompts and all (the carets stay put)
                error.text = pasted
            raise
    if "==" in text:
        _equation_note(graph, text)
    if "=" in text:
        _unused_note(graph)
    if "e" in text and "e" not in graph.variables and any(f"{digit}e" in text for digit in "0123456789"):
        _euler_note(graph, text)      # (the pattern compiled only where a digit meets an e)
    if printed is not None:
        graph.notes.insert(0, f"the line {printed.group().strip()[:40]!r} is read as what the page printed, "
                              f"and skipped (in Python it is an annotation, which computes nothing)")
    elif pasted is not text:
        graph.notes.insert(0, "read as a pasted session: its prompts (>>>, In [1]:) and the lines without one "
                              "(what it printed) skipped")
    return graph


# The last line of a paste, `Output: tensor([[14.]])` (a blog's printed result under its code): in Python
# an annotation without a value, which computes nothing; gradcalc's grammar has no annotations.
_PRINTED = _Pattern(r"(?mi)^[ \t]*(?:output|out|result|prints?|returns?)[ \t]*:[ \t]*[^=\s][^=\n]*\s*\Z")


def _unused_note(graph: Graph) -> None:
    """A program whose last line is not what the rest computes towards (a backward pass written by
    hand after the forward one, as CS231n's notes do: f = q*z, then dfdx = …): name the values the
    output leaves unused, and how to differentiate one of them instead."""
    named = graph.intermediates()
    if len(named) < 2:
        return      # (before the text is cut into lines: a 10⁵-line program's inputs name no intermediate)
    lines = [line.split("#")[0].strip() for line in graph.text.replace(";", "\n").splitlines()]
    if [line for line in lines if line][-1:] == [graph.output_name]:
        return      # a last line of the output's name alone: chosen on purpose
    inputs, used = graph.nodes.inputs, [False] * len(graph.nodes)
    read = [False] * len(graph.nodes)       # read by any node at all
    used[graph.output] = True
    for node_id in range(len(graph.nodes) - 1, -1, -1):   # ids are in creation order: one pass back
        for source in inputs[node_id]:
            read[source] = True
            if used[node_id]:
                used[source] = True
    last = {name: node_id for node_id, name in enumerate(graph.nodes.names) if name is not None}
    # (each name's last node in one pass: graph.node_of scans the names, quadratic over a long program)
    # y.backward(v)'s v, used by the backward pass, and a persistent tape's earlier questions, answered
    asked = {graph.seed[0]} if graph.seed is not None else set()
    asked.update(node for node, _, _ in graph.questions)
    unused = [name for name in named if not used[node_id := last[name]] and not read[node_id] and node_id not in asked
              and not _FLOW_FLAG.fullmatch(name)]
    if unused:
        listed = ", ".join(unused[:-1]) + (" and " if len(unused) > 1 else "") + unused[-1]
        graph.notes.append(f"the output is {graph.output_name}, the program's last value; {listed} "
                           f"{'is' if len(unused) == 1 else 'are'} computed but not used by it: to differentiate "
                           f"{unused[0]}, end the program with {unused[0]}")


# The flags gradcalc/pyflow.py writes for a loop's or an if's control: no value of the program's
_FLOW_FLAG = _Pattern(r"_(?:if|else|run|go|ret)[0-9]+")


# 1e, 2e-x: a number then e, which math text reads as a product with Euler's e, where a reader of code
# may have meant scientific notation left unfinished (1e, 2e-3 with the 3 lost).
_NUMBER_E = _Pattern(r"(?<![\w.])([0-9]+(?:\.[0-9]*)?)e(?![\w.(^]|[ \t]*\^|[-+]?[0-9])([-+][ \t]*[^\W\d]\w*)?")


def _euler_note(graph: Graph, text: str) -> None:
    """1e is 1·e = 2.718…, 2e-x is 2·e − x: said in a note, with how to write the other reading."""
    match = _NUMBER_E.search(text)
    if match is None:
        return
    number, rest = match.group(1), (match.group(2) or "").replace(" ", "")
    if rest:
        graph.notes.append(f"{match.group()} is read as {number}·e {rest[0]} {rest[1:]} (Euler's number e = 2.718…); "
                           f"for {number}·10^({rest}) write {number}*10^({rest})")
    else:
        graph.notes.append(f"{match.group()} is read as {number}·e (Euler's number e = 2.718…); for a number in "
                           f"scientific notation, write its exponent: {number}e0, {number}e-3")


# y == x^2 and f(x) == x^2 as a formula's head: == compares, = names.
_EQUATION_HEAD = _Pattern(r"(?m)(?:^|;)[ \t]*([^\W\d]\w*)[ \t]*(\([^()=]*\))?[ \t]*==(?!=)")


def _equation_hint(text: str, error: GradcalcError) -> None:
    """f(x) == x^2: not a call of an unknown f, but a definition written with =="""
    head = _EQUATION_HEAD.search(text)
    if head is not None and head.group(2) and error.message == f"unknown function '{head.group(1)}'":
        error.hint = f"== compares two values; to define {head.group(1)}, write {head.group(1)}{head.group(2)} = … " \
                     f"with one ="


def _equation_note(graph: Graph, text: str) -> None:
    """y == x^2 as the output: a mask (1 where equal, gradient 0), which may have been meant as y = x^2."""
    heads = list(_EQUATION_HEAD.finditer(text))
    output = graph.nodes[graph.output]
    formula = text[heads[-1].end():] if heads else ""
    if heads and output.op == "equal" and not heads[-1].group(2) and "\n" not in formula.rstrip() and \
            ";" not in formula and not re.fullmatch(r"\s*[\w.]+\s*", formula):     # x == y: a mask meant
        name = heads[-1].group(1)
        graph.notes.append(f"{name} == … compares {name} with the formula (1 where they are equal, else 0; "
                           f"its gradient is 0); to name the formula {name}, write {name} = … with one =")


# -- lines that continue a statement ----------------------------------------------------------------
# Python joins lines inside brackets and after a trailing backslash; a formula printed over two lines
# (a library docstring's loss, `a*b` then `- c*d`) continues on a line that starts with a binary
# operator. Such line breaks become spaces before parsing (the text keeps its length, so every caret
# stays where it was); a comment on a joined line becomes spaces too.
_STARTS_WITH_OPERATOR = r"[ \t\f]*(\*\*|[-+*/@^−×·÷](?!=)|=(?!=))"     # = : a formula's next line
_NAMES_SOMETHING = r"\s*[^\W\d][\w.]*\s*(\([^()]*\)\s*)?(=(?!=)|\*\*=|[-+*/@^−×÷]=)"


def _join_lines(text: str, returns: frozenset = frozenset()) -> str:
    """`returns`: where a def's `return` stood (now blanks): a line starting there is a statement of
    its own, even when it starts with an operator (return -x)."""
    if "\n" not in text or not _may_join(text):
        return text
    starts_with_operator, names_something = re.compile(_STARTS_WITH_OPERATOR), re.compile(_NAMES_SOMETHING)
    lines = text.split("\n")
    joined = []                     # per line break: True if it continues the statement
    depth, named, line_start = 0, False, 0
    for i, line in enumerate(lines):
        line_start += len(lines[i - 1]) + 1 if i else 0
        code = line.split("#", 1)[0]
        if i == 0 or not joined[-1]:
            named = bool(names_something.match(code.rsplit(";", 1)[-1]))
        elif ";" in code:
            named = bool(names_something.match(code.rsplit(";", 1)[-1]))
        if i == len(lines) - 1:
            break
        depth = max(0, depth + sum(map(code.count, "([{")) - sum(map(code.count, ")]}")))
        stripped = code.rstrip()
        operator = starts_with_operator.match(lines[i + 1])
        if operator is not None and line_start + len(line) + 1 + operator.start(1) in returns:
            operator = None
        continues = operator is not None and stripped.strip() != "" and not stripped.endswith(";")
        if continues and named and operator.group(1) in "+-−":
            # `t = a` then `- b`: t = a − b, or t = a and the output −b? Both are read in Python.
            start = sum(len(line) + 1 for line in lines[:i + 1]) + operator.start(1)
            sign = operator.group(1)
            raise GradcalcError(
                f"a line that starts with {sign} after a named statement can be read two ways",
                (start, start + 1), text=text,
                hint=f"to continue the line before, write it on that line (or in parentheses); for "
                     f"an output of its own, name it: out = {sign}{lines[i + 1][operator.end(1):].strip()}")
        # a trailing \ joins as in Python; LaTeX's \\ ends a line of an align environment
        joined.append(depth > 0 or (stripped.endswith("\\") and not stripped.endswith("\\\\")) or continues)
    if not any(joined):
        return text
    out = []
    for line, join in zip(lines, joined + [False]):
        if join:
            code, hash_, comment = line.partition("#")
            if code.rstrip().endswith("\\") and not code.rstrip().endswith("\\\\") and not hash_:   # LaTeX's \\ stays
                cut = code.rstrip()
                code = cut[:-1] + " " + code[len(cut):]
            line = code + " " * (len(hash_) + len(comment))
        out.append(line + (" " if join else "\n"))
    return "".join(out)[:-1]


def _tangent(kind: str, written: str, assigned: dict[str, int]):
    """A tangent jax.jvp is given: ("node", the node of a name the program assigns) or ("text", a value
    written in the call, read where it is used as --NAME values are)."""
    if kind == "name":
        if written not in assigned:
            raise GradcalcError(f"the direction {written} (a tangent or a vector) is not made by the program", (0, 0),
                                hint=f"paste the line that makes {written}, or write its value there: {written} = …")
        return "node", assigned[written]
    return "text", written


def _ancestors(graph: Graph, node: int) -> bytearray:
    """1 for each node the given one is computed from (itself included), in one pass back over the ids."""
    used, inputs = bytearray(len(graph.nodes)), graph.nodes.inputs
    used[node] = 1
    for node_id in range(node, -1, -1):
        if used[node_id]:
            for source in inputs[node_id]:
                used[source] = 1
    return used


def _may_join(text: str) -> bool:
    """False when no line break can continue a statement (a quick look at the whole text, so a long
    program of one statement a line is not read line by line): no bracket opens before the last
    line, no line ends with a backslash, none starts with an operator."""
    head = text[:text.rfind("\n")]
    return "(" in head or "[" in head or "{" in head or "\\" in text or \
        re.compile("\n" + _STARTS_WITH_OPERATOR).search(text) is not None


def _parse_with(text: str, limits: Limits, names: frozenset) -> Graph:
    # for, while and if statements, break and continue: read as straight-line code first, a class as its
    # methods' functions (gradcalc/pyflow.py)
    flat = _flattened(text) if any(word in text for word in _FLOW_WORDS) else None
    if flat is None:
        return _parse_read(text, limits, names)
    if len(flat.text) > limits.length:
        raise exceeded("length", len(flat.text), "the program with its loops unrolled", limits)
    try:
        graph = _parse_read(flat.text, limits, names, flat)
    except GradcalcError as error:
        if error.span is not None and error.text in (None, flat.text):
            error.span = flat.span(error.span)
        error.text = text
        raise
    starts, ends = graph.nodes.starts, graph.nodes.ends     # each node where it stands in the pasted text
    for k in range(len(starts)):
        starts[k], ends[k] = flat.span((starts[k], ends[k]))
    graph.text = text
    graph.notes.extend(flat.notes)
    return graph


# Words of what gradcalc/pyflow.py reads (its loops and ifs, classes, a function bound to a name, a tape in a
# helper): a text with none of them does not import it
_FLOW_WORDS = ("for", "while", "if", "class", "self", "def", "Tape", "= F.", "= torch.", "= np.", "= jnp.", "= tf.")


def _flattened(text: str):
    from . import pyflow

    try:
        return pyflow.flatten(text)
    except GradcalcError as error:
        error.text = text
        raise


def _parse_read(text: str, limits: Limits, names: frozenset, flat=None) -> Graph:
    try:
        program = _read_python(text)
        if flat is not None:       # the straight-line text of a program's control flow: Python, always
            program = program or dialects.Program(text, {}, {}, None, [])
            program.conditions = program.conditions | flat.conditions
            program.checks = flat.checks
    except GradcalcError as error:
        error.text = text
        raise
    python = program is not None
    if not python and "=" in text and re.search(_DEFINES, text):    # N(x) = … then N(d1): math text's functions
        program = _math_functions(text, names)
    source = _join_lines(text if program is None else program.source)
    if "[" in source:
        source = _EMPTY_LIST.sub(r"\1(\2)", source)      # torch.randn([]): a shape of no sizes, as () is
    failed = None
    try:
        graph = _parse_plain(source, text, limits, names, program)
        if python:
            # after .backward(): the .grad shown, then the leaves, where that is not every input in order
            reads = tuple(name for name in program.reads if name in graph.variables)
            graph.asked = program.wrt or (reads if reads and reads != tuple(graph.variables) else ())
            if graph.seed is not None and not graph.asked:    # y.backward(v), v given: no gradient of y's asked of v
                used = _ancestors(graph, graph.output)
                asked = tuple(name for name, node in graph.variables.items() if used[node])
                graph.asked = asked if asked != tuple(graph.variables) else ()
            graph.scalar_asked = program.scalar
            graph.wants = {**program.wants, **graph.wants}
        if python or _BUILDER_READ[0] or not _reads_otherwise(graph, names):
            return graph
    except GradcalcError as error:
        if python or _BUILDER_READ[0]:     # Python read as Python (a lambda too): math text is not its dialect
            raise
        failed = error
    finally:
        _BUILDER_DECLARED[0] = (set(), {})       # a long program's names are not kept past its parse
    # Math text and LaTeX (gradcalc/mathtext.py): read the tokens as notes mean them, and parse again.
    from . import mathtext

    try:
        calls = CALLS if program is None else {**CALLS, **{name: {len(function.params)}    # ζ(x) = … then ζ(-x)
                                                           for name, function in program.functions.items()}}
        rewritten = mathtext.rewrite(source, _token_source(), _ignored(), names, calls, CONSTANTS)
    except GradcalcError as error:
        error.text = text
        raise
    if rewritten is None:
        if failed is not None:
            raise failed
        return graph
    tokens, notes = rewritten
    graph = _parse_plain(text, text, limits, names, program, tokens)
    graph.notes[:0] = [note for note in dict.fromkeys(notes)]
    return graph


# An empty list written as a call's argument (torch.randn([]), size=[]): a shape, read as the empty tuple.
_EMPTY_LIST = _Pattern(r"([(,][ \t]*|[(,][ \t]*[A-Za-z_]\w*[ \t]*=[ \t]*)\[([ \t]*)\](?=[ \t]*[,)])")

# What every definition of a function holds, `N(x) =`: a text without it has none (a quick look,
# where finding the definitions took a 10⁵-line program a quarter of a second).
_DEFINES = r"\)[ \t]*=(?!=)"


def _reads_otherwise(graph: Graph, names: frozenset) -> bool:
    """Whether a variable of the parsed graph is one math text reads otherwise: xy with x and y given,
    the T of X^T with no value, log_2 (a logarithm's base), x_ before {1} (a subscript)."""
    variables, (declared, assigned) = graph.variables, _BUILDER_DECLARED[0]
    if "^{" in graph.text and re.search(r"\^\{[(\[][0-9]+[)\]]\}", graph.text):
        return True       # W^{(1)}: layer 1's W in notes, a name of its own, never the power W^1
    if all(name in names for name in variables):
        return False      # the common case: every variable given a value (mathtext is not imported)
    # (no set of the ungiven names: a 10⁵-line program's inputs given in its text are 10⁵ of them)
    unknown = [name for name in variables if name not in names and name not in declared and name not in assigned]
    if any(name == "T" or name.endswith("_") or name.startswith("log") for name in unknown):
        return True
    if "^T" in graph.text and any(name[:1] == "T" and len(name) > 1 for name in unknown):
        return True       # w^Tx: the transpose times x, or the power w^Tx (math text's rules say which)
    if "d" in unknown and any(name[:1] == "d" and name[1:] in names for name in unknown):
        return True       # d/dx sin(x) with x given: the formula after d/dx, its derivative printed
    if "^{(" in graph.text and any(len(name) == 1 for name in unknown):
        return True       # x^{(i)}: the i-th example's x in machine-learning notes, not a power

    listed = lambda name: name in variables and name not in names and (name in declared or name in assigned)  # noqa: E731
    if any(listed(name.partition("_")[0]) for name in variables if "_" in name[1:]):
        return True       # f(w, x) = … w_0 … x_0: a head listing vectors, the formula their components
    if not unknown or not (names or declared or assigned):
        return False
    pieces = names.union(declared, assigned)
    from .mathtext import could_split

    return any(could_split(name, pieces, CALLS) for name in unknown)


# The last plain parse's input names and assigned names (its `declared` set and `assigned` table), until
# read: looked up in place, not copied into one set (a 10⁵-line program's names made a 4 MB set)
_BUILDER_DECLARED: list[tuple[set, dict]] = [(set(), {})]
_BUILDER_READ = [False]                               # whether the last plain parse read a lambda


def _parse_plain(source: str, text: str, limits: Limits, names: frozenset, program, given=None) -> Graph:
    """Parse `source` (the program's text, Python around it blanked) by the tables' driver, or Lark for
    the syntax error; or the tokens `given` (math text's), by the same two."""
    _BUILDER.reset(text, limits, program, names, source)
    # The collector stays off until the builder has let go of its tables too: the first collection
    # after a pause walks every container made during it that is still alive.
    with gc_paused():
        tokens = given
        try:
            # a def's body is an indented block: its INDENT and DEDENT tokens read off the lines' indentation
            if given is None and "def" in source and indent.has_def(source):   # (indent loads only then)
                tokens = indent.tokens(source, text, _token_source(), _ignored())
            if given is None and program is not None and program.edits():
                # import torch as t; t.tensor(…), a for loop unrolled, act = nn.Softmax(dim=1): the dialect's reading
                tokens = dialects.edited_tokens(tokens if tokens is not None else _lexed(source), program, indent.Token,
                                                _lexed)
            tables = _tables()
            if tables is None:
                raise lalr.Fallback
            try:
                ref = lalr.drive(source, *tables, matches=tokens)
            except lalr.Fallback:
                _BUILDER.reset(text, limits, program, names, source)
                raise
        except GradcalcError as error:
            error.text = text
            raise
        except lalr.Fallback:
            _BUILDER.by_lark = True
            if tokens is None:
                ref = _parse_with_lark(source, text)
            else:
                try:
                    ref = _parse_tokens_with_lark(tokens, text)
                except GradcalcError as error:
                    error.text = text
                    raise
        finally:
            graph = _BUILDER.graph
            if given is None:           # read by _parse_with, to decide whether math text reads it otherwise
                _BUILDER_DECLARED[0] = (_BUILDER.declared, _BUILDER.assigned)
                _BUILDER_READ[0] = _BUILDER.lambda_seen
            _BUILDER.reset("")          # let go of the graph: the builder lives on with the parser
    graph.output = _shown_value(graph, ref[0])
    return graph


def _shown_value(graph, output: int) -> int:
    """The output, or what it shows: y.numpy() and y.item() written last (print(y.numpy()), the TF
    docs' reduce_sum(x).numpy()) read out y's value, and the question is y's gradient; inside the
    program they hold no gradient (the framework sees a number there)."""
    nodes = graph.nodes
    while nodes.ops[output] == "stop_gradient" and nodes.names[output] is None and \
            graph.text[nodes.starts[output]:nodes.ends[output]].rstrip().endswith((".numpy()", ".item()")):
        output = nodes.left[output]
    return output


# Arithmetic of numbers written in a call's setting (200+1, 2*3), folded when the setting is read.
_FOLDED = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}


# Words that may start the Python around a formula (imports, prints, def, .backward()): only a text
# holding one of them is read by gradcalc.dialects.read_python, so a formula alone pays nothing.
_PYTHON_WORDS = ("import", "print", "def", "with", "for", "while", "if", "else", "class",
                 "return", "try", "@", "backward", "grad", " is ", "dtype", "device", "label",
                 "assert", "pass", ",", '"""', "'''", "list(", ".shape", "]=", "] =", "]+=", "] +=", "]-=", "] -=", "]*=", "] *=", "]/=", "] /=",  # m[y] = 0
                 "nn.", "losses.", "layers.")   # criterion = nn.MSELoss(), layer = tf.keras.layers.Dense(2)
# For a long text, one pattern; the words that start with a space or a dot (" is ", ".shape") are looked
# for on their own: a formula's every space or dot would start the pattern's trial of each word (a
# 10⁵-term sum's search 47 → 13 ms)
_SPACED = tuple(word for word in _PYTHON_WORDS if word[0] in " .")
_PYTHON_WORD = _Pattern("|".join(re.escape(word) for word in _PYTHON_WORDS if word not in _SPACED))


def read_as_python(text: str) -> bool:
    """Whether the text is read as pasted Python (imports, def, print…), where names are never cut."""
    try:
        return _read_python(text) is not None
    except GradcalcError:
        return False


def _read_python(text: str):
    # a long text in one pass of one pattern (29 searches of a 10⁵-term sum took ~60 ms); a short one
    # by the searches, which cost less than compiling the pattern
    if len(text) > 10_000:
        if _PYTHON_WORD.search(text) is None and not any(word in text for word in _SPACED):
            return None
    elif not any(word in text for word in _PYTHON_WORDS):
        return None
    if "\\" in text and "'" not in text and '"' not in text and _LATEX_COMMAND.search(text):
        return None       # \sum, \log outside a string: LaTeX (H[P] = \sum_j …), never Python
    return dialects.read_python(text)


_LATEX_COMMAND = _Pattern(r"\\[A-Za-z]")


def _parse_fragment(source: str, by_lark: bool) -> Ref:
    """A function's body (the program's text with all else blanked), read while the program is; a
    math text body (f(x) = sin x) by the tokens it was read as when the program was."""
    tables = None if by_lark else _tables()
    matches = _BODIES.get(source)
    python = _BUILDER.python
    if matches is None and python is not None and (python.modules or python.objects or python.parts):
        # t.sin(x), act(x), margins[y] = 0 in a def's body
        matches = dialects.edited_tokens(_lexed(source), dialects.Program(
            "", {}, {}, None, [], modules=python.modules, objects=python.objects, parts=python.parts), indent.Token, _lexed)
    outer, _BUILDER.source = _BUILDER.source, source     # a lambda in the body keeps its text from it
    try:
        if tables is None:
            return _lark_parser().parse(source) if matches is None else _parse_tokens_with_lark(matches, source)
        return lalr.drive(source, *tables, matches=matches)   # a Fallback makes Lark read the whole program again
    finally:
        _BUILDER.source = outer


# Math text functions' bodies that math text reads otherwise (f(x) = sin x): the body as the
# fragment parse sees it → its tokens; made by _math_functions for the parse under way.
_BODIES: dict[str, list] = {}


def _math_functions(text: str, names: frozenset):
    """Functions the text defines and calls later (N(x) = … then N(d1)), read as pasted Python's
    functions are (gradcalc.dialects.Program): each call reads the body again with the parameters
    bound; None if there are none."""
    from .mathtext import definitions, rewrite

    _BODIES.clear()
    found = definitions(text)
    if found is None:
        return None
    source, defined, notes = found
    functions = {}
    for name, params, start, body, span in defined:
        returns = start + len(body) - len(body.lstrip())
        functions[name] = dialects.Function(name, params, {}, start, body, returns, frozenset(), span)
        fragment = " " * start + body
        try:
            read = rewrite(fragment, _token_source(), _ignored(), names | set(params), CALLS, CONSTANTS)
        except GradcalcError:
            read = None          # the body's own parse says what is wrong, where it is called
        if read is not None:
            _BODIES[fragment] = read[0]
            notes = notes + read[1]
    return dialects.Program(source, functions, {}, None, notes)


def _parse_tokens_with_lark(tokens, text: str):
    from lark import Token
    from lark.exceptions import UnexpectedToken, VisitError

    interactive = _lark_parser().parse_interactive("")
    try:
        with gc_paused():
            for token in tokens:
                if token.lastgroup == "unmatched":
                    raise _unexpected_character(text, token.start)
                interactive.feed_token(Token(token.lastgroup, token.text, start_pos=token.start,
                                             end_pos=token.end))
            return interactive.feed_eof()
    except VisitError as error:  # pragma: no cover - lark wraps callback errors in some versions
        if isinstance(error.orig_exc, GradcalcError):
            raise error.orig_exc from None
        raise
    except UnexpectedToken as error:
        raise _unexpected_token(text, error) from None


@lru_cache(maxsize=1)
def _lark_terminals():
    """The terminals as one regular expression, in tools/generate_tables.py's order, for tables older
    than the grammar (while it is being edited)."""
    lark = _lark_parser()
    terminals = sorted(lark.terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                      -len(t.pattern.value), t.name))
    tokens = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals) + r"|(?P<unmatched>[\s\S])"
    return tokens, frozenset(lark.ignore_tokens)


def _lexed(source: str) -> list:
    """The source's tokens, as the driver would read them off the text."""
    ignored = _ignored()
    return [indent.Token(match.lastgroup, match.group(), match.start(), match.end())
            for match in re.finditer(_token_source(), source) if match.lastgroup not in ignored]


def _token_source() -> str:
    """The terminals as one alternation with what Lark ignores as a token of its own (math text's
    lexer reads one match a token, and adds alternatives of its own before them)."""
    tables = _tables()
    if tables is None:
        return _lark_terminals()[0]
    return f"(?P<__SKIPPED>{tables[0].SKIP})|{tables[0].TERMINALS}|(?P<unmatched>[\\s\\S])"


def _ignored() -> frozenset:
    return frozenset({"__SKIPPED"}) if _tables() is not None else _lark_terminals()[1]


def _parse_with_lark(source: str, text: str):
    """Lark parses `source` (`text` with its continued lines joined); errors quote `text`."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

    try:
        with gc_paused():
            return _lark_parser().parse(source)
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


# Patterns of the syntax errors' hints, compiled (and cached by re) when an error needs one: a
# program without errors does not pay for them.
_ENDS_OPERAND = set(")]⁰¹²³⁴⁵⁶⁷⁸⁹")
_WORD_BEFORE = r"([A-Za-z_][A-Za-z_0-9.]*)\s*$"
_ATTRIBUTE = r"\.\s*([A-Za-z_][A-Za-z_0-9]*)\s*(\(\s*\)|\()?"


# Prefixes that name a library, not a variable: jnp.sin(x) is a function, x.dot(w) a method call.
_MODULES = {"np", "numpy", "math", "torch", "jnp", "jax", "F", "nn", "tf", "scipy", "sp", "special"}


def _attribute_hint(text: str, pos: int) -> str | None:
    """`x.sum()` → sum(x); `jnp.sin(x)` → sin(...); any other attribute: only .T exists."""
    after = re.compile(_ATTRIBUTE).match(text, pos)
    if after is None:
        return None
    attribute, call = after.group(1), after.group(2)
    before = re.compile(_WORD_BEFORE).search(text, 0, pos)
    owner = before.group(1) if before else "…"
    known = attribute if attribute in CALLS else \
        did_you_mean(attribute, CALLS, cutoff=0.8)
    if known is None:
        return "attributes are not supported (only .T, the transpose); functions are called as " \
               "sum(x), max(x), exp(x)"
    if call is not None and call.strip() != "()":
        if owner.split(".")[0] in _MODULES:           # jnp.sin(x): a module's function
            return f"write {known}(...) without the prefix (np., numpy., math. and torch. also work)"
        return f"write {known}({owner}, ...) instead of {owner}.{attribute}(...)"   # x.dot(w)
    return f"write {known}({owner}) instead of {owner}.{attribute}{'()' if call else ''}"


_PYTHON_OPERATORS = set("%&~!?")
# What stands just before an operator as its left operand: a number, a name or a closing bracket.
_OPERAND_BEFORE = r"(?:[0-9.]+|[^\W\d][\w.]*|[)\]])\s*$"


def _python_operator_hint(text: str, pos: int) -> str:
    """%, &, ~ and ! as Python, NumPy and paper mean them: what each computes, and how gradcalc spells
    it where it has it (never another operation in its place)."""
    char, after = text[pos], text[pos + 1:].lstrip()
    operand_before = re.compile(_OPERAND_BEFORE).search(text, 0, pos) is not None
    operand_after = after[:1].isalnum() or after[:1] in ("(", "√", "[", "_")
    if char == "?":      # C's c ? a : b
        ternary = re.compile(r"([^;\n?:=]*?)\s*\?\s*([^;\n?:]+?)\s*:\s*([^;\n?:]+)").match(text, max(
            text.rfind(";", 0, pos), text.rfind("\n", 0, pos), text.rfind("=", 0, pos)) + 1)
        if ternary is not None and all(part.strip() for part in ternary.groups()):
            condition, chosen, otherwise = (part.strip() for part in ternary.groups())
            return f"c ? a : b (C's conditional) is written a if c else b here: {chosen} if {condition} else {otherwise}"
        return "'?' has no meaning in a formula; C's c ? a : b is written a if c else b"
    if char == "%":
        number = re.compile(r"([0-9]*\.?[0-9]+)\s*$").search(text, 0, pos)
        if number is not None and not operand_after and not after.startswith("="):
            # 5% * x: a percentage
            return f"gradcalc reads no %: for {number.group(1)} percent, write {number.group(1)}/100"
        return ("'%' is Python's remainder (modulo), which gradcalc does not have: its value jumps at every "
                "multiple of the divisor (for a percentage, write /100)")
    if char == "&":
        return ("'&' is Python's bitwise and (NumPy's logical and on masks): for the mask where both "
                "comparisons hold, multiply them, as in (a > 0) * (b > 0)")
    if char == "~":
        return "'~' is Python's bitwise not (NumPy's logical not on a mask): for not (x > 0), write 1 - (x > 0)"
    # ! : x! (a factorial), x ! = y (a spaced !=), or !x (C's not)
    if after.startswith("="):
        return "for not equal, write != with no space between"
    if operand_before:
        written = _operand_before(text, pos)
        if "factorial" in CALLS:
            return f"x! is written factorial(x) here: factorial({written})"
        return "x! (a factorial) is not supported yet"
    return "'!' alone is no operator here; for not (x > 0), write 1 - (x > 0), and for not equal, !="


# Primes as notes write them: ' (ASCII), ’ (a typographic apostrophe), ′ ″ ‴ (prime, double, triple).
_PRIMES = {"'": 1, "’": 1, "′": 1, "″": 2, "‴": 3}
_ORDINALS = {1: "derivative", 2: "second derivative", 3: "third derivative"}


# d/dx, dy/dx, \frac{d}{dx}, \frac{dy}{dx}: Leibniz's notation for a derivative, read as names d, dx
# and dy unless caught: where such names have no value (or dx is called), the error says so instead.
_LEIBNIZ = _Pattern(r"\\frac\s*\{\s*d\s*(?P<f1>[^\W\d]\w*)?\s*\}\s*\{\s*d\s*(?P<v1>[^\W\d]\w*)\s*\}"
                    r"|(?<![\w.])d(?P<f2>[^\W\d]\w*)?\s*/\s*d(?P<v2>[^\W\d]\w*)")


def leibniz(text: str, names) -> GradcalcError | None:
    """d/dx sin(x) (or dy/dx, \\frac{d}{dx}) where `names` (without a value, or called) hold its d's:
    the derivative it writes, which gradcalc computes rather than reads, and how to ask for it."""
    for match in _LEIBNIZ.finditer(text):
        of, by = match.group("f1") or match.group("f2"), match.group("v1") or match.group("v2")
        if f"d{by}" not in names and not (of is None and "d" in names):
            continue
        rest = text[match.end():].strip() if of is None else ""
        if rest[:1] in "([" and rest and brackets.statement_end(rest, 1, "", closer_ends=True) == len(rest) - 1:
            rest = rest[1:-1].strip()      # d/dx (x**2), d/dx [x^2]: the brackets group
        formula = f"{of} = …" if of else rest or "…"
        written = text[match.start():match.end()]
        return GradcalcError(f"{written} is a derivative, which gradcalc computes rather than reads",
                             (match.start(), match.end()), text=text,
                             hint=f'write the function alone and give the point: gradcalc "{formula}" --{by} VALUE, '
                                  f"then read ∂{of or 'z'}/∂{by}")
    return None


def _prime(text: str, pos: int) -> GradcalcError | None:
    """f'(x), f’(2), f″(x), and y' = … at a statement's start: a derivative written with primes, which
    gradcalc computes rather than reads; the error says how to ask for it (never Octave's transpose)."""
    name_match = re.compile(r"[^\W\d][\w]*$").search(text, 0, pos)
    if name_match is None:
        return None
    name, end, order = name_match.group(), pos, 0
    while end < len(text) and text[end] in _PRIMES:
        order += _PRIMES[text[end]]
        end += 1
    after = text[end:].lstrip(" \t")
    call = re.match(r"\(([^()]*)\)", after)
    statement_start = max(text.rfind(";", 0, name_match.start()), text.rfind("\n", 0, name_match.start())) + 1
    heads = not text[statement_start:name_match.start()].strip()
    if call is None and not (heads and re.match(r"(\([^()]*\)\s*)?=(?!=)", after)):
        return None       # x' alone: Octave's transpose, or a variable x′ (the hint after this says)
    what = f"{name}{text[pos:end]}"
    defined = re.compile(rf"(?m)(?:^|;)[ \t]*{re.escape(name)}[ \t]*\(([^()=]*)\)[ \t]*=(?!=)([^;\n]*)").search(text)
    if defined is not None:
        params = [p.strip() for p in defined.group(1).split(",") if p.strip()] or ["x"]
        formula = f"{name}({', '.join(params)}) = {defined.group(2).strip()}"
    elif name in CALLS:
        params, formula = ["x"], f"{name}(x)"
    else:
        params, formula = ["x"], f"{name}(x) = …"
    argument = call.group(1).strip() if call is not None else ""
    at = argument if re.fullmatch(r"[-+]?[0-9.]+(e[-+]?[0-9]+)?", argument) else "VALUE"
    out = name if defined is not None or name not in CALLS else "z"
    ask = f'gradcalc "{formula}" ' + " ".join(f"--{p} {at if len(params) == 1 else 'VALUE'}" for p in params)
    if order > 1:
        ask += f" --order {order}"
        read = f"d{'²³'[order - 2] if order <= 3 else f'^{order}'}{out}/d{params[0]}{'²³'[order - 2] if order <= 3 else f'^{order}'}"
    else:
        read = f"∂{out}/∂{params[0]}"
    hint = f"gradcalc computes derivatives rather than reading them: run {ask} and read {read}"
    stop = min([k for k in (text.find(";", end), text.find("\n", end)) if k >= 0], default=len(text))
    if heads and re.match(r"(\([^()]*\)\s*)?=(?!=)", after):   # y' = 2x, f′(x) = 2x: a derivative stated
        hint = f"{what}{call.group() if call else ''} = … states a derivative; gradcalc computes one from its function: write the " \
               f"function itself ({name}(x) = …) and read ∂{name}/∂x"
    elif len(params) > 1:           # f(w, x): f' names no one derivative
        hint = f"{name} has {len(params)} inputs ({', '.join(params)}), so {what} names no one derivative; " \
               f"gradcalc computes each: run {ask} and read " + " and ".join(f"∂{out}/∂{p}" for p in params)
    elif not heads or text[end + len(text[end:]) - len(after) + call.end():stop].strip():
        # g = f(x) + f'(x): the derivative inside a formula, written out as --symbolic prints it
        hint += f"; to use {what}(…) inside a formula, write its formula out ({ask.replace(' --order', ' --symbolic --order') if order > 1 else ask + ' --symbolic'} prints it)"
    return GradcalcError(f"{what}(…) is the {_ORDINALS.get(order, f'derivative of order {order}')} of {name}, "
                         f"which gradcalc does not read in a formula" if call is not None else
                         f"{what} is a derivative, which gradcalc does not read in a formula",
                         (name_match.start(), end), hint, text)


def _operand_before(text: str, pos: int) -> str:
    """The name, number or bracketed group just before `pos` (x in x!, (x+1) in (x+1)!)."""
    end = len(text[:pos].rstrip())
    if end and text[end - 1] in ")]":
        depth = 0
        for k in range(end - 1, -1, -1):
            depth += (text[k] in ")]") - (text[k] in "([")
            if depth == 0:
                word = re.compile(r"[^\W\d][\w.]*$").search(text, 0, k)   # f(x)!: the call
                return text[word.start() if word else k:end]
    word = re.compile(r"(?:[0-9.]+|[^\W\d][\w.]*)$").search(text, 0, end)
    return word.group() if word else "x"


def _unexpected_character(text: str, pos: int) -> GradcalcError:
    import unicodedata

    char = text[pos]
    if "\udc80" <= char <= "\udcff":     # bytes that were not UTF-8 (Python's surrogateescape)
        error = not_utf8(text, "the expression", pos)
        if error is not None:
            return error
    hint = None
    if char == "|":
        closing = text.find("|", pos + 1)
        inner = text[pos + 1:closing].strip() if closing > pos else "x"
        hint = f"write abs({inner or 'x'}) for |{inner or 'x'}|"
    elif char in _PRIMES and _prime(text, pos) is not None:   # f'(x), f′(x), y' = 2x: a derivative
        return _prime(text, pos)
    elif char == "." and text[pos + 1:pos + 2] in ("^", "*", "/", "'") or char == "'" and \
            (text[:pos].rstrip()[-1:].isalnum() or text[:pos].rstrip()[-1:] in (")", "]")):
        # Octave's elementwise operators (NumPy's * / ** already work element by element) and its
        # transpose x': the hint retypes the whole text, which computes the same
        retyped = re.sub(r"([\w)\]])\s*\.?'", r"\1.T", text.replace(".^", "**").replace(".*", "*").replace("./", "/"))
        what = {"^": "Octave's .^ is **", "*": "Octave's .* is *", "/": "Octave's ./ is /"}.get(
            text[pos + 1:pos + 2] if char == "." else "", "x' is Octave's transpose, x.T")
        hint = f"{what} here: write {_short(retyped, 60)}"
        if re.search(r"(?<![.*])\*(?!\*)", text.replace(".*", "  ")):
            hint += " (Octave's * between two matrices is @ here; with a number, *)"
        if char == ".":
            return GradcalcError(f"unexpected '.{text[pos + 1]}'", (pos, pos + 2), hint, text)
    elif char == ".":
        hint = _attribute_hint(text, pos)
        if hint is None and not text[pos + 1:pos + 2].strip("}) \t\n$"):   # const. — a sentence's full stop
            hint = "remove the '.': a full stop ends the sentence, not the formula"
    elif char == "\\":
        hint = "\\ starts a LaTeX command such as \\frac{1}{x} or \\sin; here none follows it"
    elif char in _LOOKALIKES:
        meant = _LOOKALIKES[char]
        hint = (f"{char!r} (U+{ord(char):04X}) looks like {meant!r}; type {meant!r} instead" if meant
                else "gradcalc has no strings; write numbers, names and operators")
    elif char.isdecimal():
        hint = f"{char!r} is the digit {unicodedata.decimal(char)} of another script; type it in ASCII"
    elif unicodedata.category(char) in ("Zs", "Zl", "Zp"):   # NBSP, a thin space: pasted
        hint = f"U+{ord(char):04X} is a kind of space gradcalc does not read; type a plain space instead"
    elif not char.isprintable():
        hint = f"remove the control character U+{ord(char):04X}"
    elif ord(char) > 127:
        hint = f"{char!r} is U+{ord(char):04X}; names use ASCII or Greek letters, digits and _"
    elif char == "`":   # Markdown's code quotes, copied with the formula from a docs page
        hint = "a backquote is Markdown's code quote, not part of the formula: remove it"
    elif char in _PYTHON_OPERATORS:
        hint = _python_operator_hint(text, pos)
    else:
        hint = f"{char!r} has no meaning in a formula: remove it"
    return GradcalcError(f"unexpected character {char!r}", (pos, pos + 1), hint, text)


# An operator the text ends with (x +), and what it needs after it.
_DANGLING = _Pattern(r"(\*\*=|//=|\*\*|//|[-+*/@^−–×÷·⋅∗]=?|==|!=|<=|>=|[<>=≤≥≠,√])\s*$")
_NEEDS = {"+": "a term", "-": "a term", "−": "a term", "–": "a term", "*": "a factor", "×": "a factor",
          "·": "a factor", "⋅": "a factor", "∗": "a factor", "/": "a divisor", "÷": "a divisor",
          "**": "an exponent", "^": "an exponent", "@": "a matrix", "=": "a formula", ",": "an argument",
          "√": "what it takes the root of", **{op: "a right-hand side" for op in
                                            ("==", "!=", "<=", ">=", "<", ">", "≤", "≥", "≠")}}
# Operators other languages write that gradcalc spells otherwise (the same comparison), or lacks.
_SPELLED = {"=<": "'=<' is written <= here", "<>": "'<>' (not equal, as SQL and Pascal write it) is written != here",
            "===": "'===' (JavaScript's equality) is written == here", "!==": "'!==' is written != here"}
_COMPARE = _Pattern(r"<=|>=|==|!=|[<>≤≥≠]")


def _unclosed(text: str) -> str:
    """The closing brackets the text still needs, innermost first: '])' for `f([x`."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    opened: list[str] = []
    for char in text:
        if char in pairs:
            opened.append(pairs[char])
        elif char in ")]}" and opened and opened[-1] == char:
            opened.pop()
    return "".join(reversed(opened))


def _operator_hint(text: str, token) -> str | None:
    """Hints for an operator where none can stand: a comparison chained (1 < x < 2), two in a row
    (x + * y, =<, <>, //), one before a closing bracket (f(x +)), or a trailing comma in a call."""
    start, written = token.start_pos, str(token)
    if token.type == "COMPARE_OP":
        chain = _chain(text, start)
        if chain is not None:    # Python's 1 < x < 2 is (1 < x) and (x < 2): as masks, their product
            mask = " * ".join(f"({left} {op} {right})" for left, op, right in chain)
            return f"comparisons are not chained here; for the mask of all of them, multiply them: {mask}"
    previous = _DANGLING.search(text, 0, start)
    if previous is None:
        return None
    before = previous.group(1)
    together = previous.end(1) == start
    pair = before + written
    if together and pair in ("//", "//=") or together and before == "/" and written == "/=":
        spelled = "/=" if pair.endswith("=") else "/"
        return (f"'{pair}' is Python's floor division, which gradcalc does not have (its value jumps at each "
                f"whole number, and its gradient is 0 between); for division, write {spelled}")
    if together and (pair in _SPELLED or pair[:3] in _SPELLED):
        return _SPELLED.get(pair, _SPELLED.get(pair[:3]))
    if together and pair == "=>":
        return "'=>' is no operator here; for greater than or equal, write >="
    if together and pair in ("<<", ">>"):
        return f"'{pair}' is Python's bit shift, which gradcalc does not have; to multiply or divide by a power " \
               f"of 2, write * 2**n or / 2**n"
    if before == ",":
        return "remove the ',' before ')'" if token.type == "RPAR" else None
    if before not in _NEEDS:
        return None
    if token.type in ("RPAR", "RSQB", "RBRACE", "_SEP", "COMMA"):
        return f"'{before}' needs {_NEEDS[before]} after it: write it, or remove the '{before}'"
    if token.type in ("MUL_OP", "POW_OP", "COMPARE_OP", "EQUAL", "AUG_OP") or written == "=":
        return f"'{before}' and '{written}' stand side by side with nothing between them: write what goes " \
               f"between them, or remove one"
    return None


def _empty_hint(text: str, token) -> str | None:
    """[], 3.4.5, x := 2: brackets holding nothing, a number with two points, Pascal's :=."""
    start, written = token.start_pos, str(token)
    before = text[:start].rstrip()
    if token.type in ("RPAR", "RSQB") and before[-1:] in "([" and before[-1:]:
        return "empty brackets hold nothing: write what goes inside them, or remove them"
    if token.type == "NUMBER" and written.startswith(".") and re.search(r"[0-9]\.[0-9]*$", before):
        return "a number has one decimal point"
    if written == ":" and text[start + 1:start + 2] == "=":
        name = re.compile(r"[^\W\d]\w*$").search(before)
        return f"':=' is written = here: {name.group() if name else 'x'} = …"
    return None


def _chain(text: str, pos: int):
    """The comparisons chained around the one at `pos` (1 < x < 2), as [(left, operator, right)], within
    the innermost brackets or argument holding it; None if it is the only one there."""
    depth, start = 0, 0
    for k in range(pos - 1, -1, -1):      # back to the opening bracket, comma or statement start
        char = text[k]
        depth += (char in ")]}") - (char in "([{")
        if depth < 0 or depth == 0 and char in ",;\n=" and text[k - 1:k + 1] not in ("==", "<=", ">=", "!=") \
                and text[k:k + 2] != "==":
            start = k + 1
            break
    depth, end = 0, len(text)
    for k in range(pos, len(text)):
        char = text[k]
        depth += (char in "([{") - (char in ")]}")
        if depth < 0 or depth == 0 and char in ",;\n":
            end = k
            break
    # x if 0 < x < 1 else 0: the chain stands between Python's words
    words = [(start + w.start(), start + w.end()) for w in
             re.finditer(r"\b(?:if|else|and|or|not|return|lambda)\b", text[start:end])]
    start = max([after for at, after in words if at < pos], default=start)
    end = min([at for at, after in words if at >= pos], default=end)
    segment = text[start:end]
    depth, cuts, last = 0, [], 0
    for match in _COMPARE.finditer(segment):
        inner = segment[last:match.start()]
        depth += sum(map(inner.count, "([{")) - sum(map(inner.count, ")]}"))
        last = match.start()
        if depth == 0:
            cuts.append(match)
    if len(cuts) < 2:
        return None
    pieces = [segment[:cuts[0].start()]] + [segment[a.end():b.start()] for a, b in zip(cuts, cuts[1:])] + \
        [segment[cuts[-1].end():]]
    pieces = [piece.strip() for piece in pieces]
    if not all(pieces):
        return None
    return [(pieces[k], cut.group(), pieces[k + 1]) for k, cut in enumerate(cuts)]


def _unexpected_token(text: str, error) -> GradcalcError:
    token = error.token
    if token.type == "DEDENT":      # a def's body ends with its last line: that line's break is what came
        from lark import Token

        token = Token("_SEP", "\n", start_pos=token.start_pos, end_pos=token.start_pos + 1)
    expected = sorted({_TOKEN_NAMES.get(t, repr(t)) for t in error.expected if not t.startswith("__")})
    hint = f"expected {', '.join(expected)}" if expected and len(expected) <= 6 else None
    if token.type == "$END":
        # LALR reports the end of input at the last token: put the caret just past the text.
        end = len(text.rstrip())
        closing = _unclosed(text)
        dangling = _DANGLING.search(text)
        if dangling is not None:          # x + : the operator's other side is missing
            operator = dangling.group(1)
            hint = f"'{operator}' needs {_NEEDS.get(operator, 'something')} after it: write it, or remove the " \
                   f"'{operator}'"
            if closing:
                hint += f"; then add the closing {closing!r}"
        elif closing:
            hint = "add a closing ')'" if closing == ")" else \
                f"add {len(closing)} closing ')'" if set(closing) == {")"} else f"add the closing {closing!r}"
        return GradcalcError("the expression ends too early", (end, end + 1), hint, text)
    start = token.start_pos
    before = re.compile(_WORD_BEFORE).search(text, 0, start)
    operators = _operator_hint(text, token) or _empty_hint(text, token)
    if operators is not None:
        hint = operators
    elif token.type == "COLON" and re.search(r"([A-Za-z_]\w*)\s*\(\s*$", text[:start]):
        # a1(:,1): Octave's and MATLAB's column, counted from 1
        name = re.search(r"([A-Za-z_]\w*)\s*\(\s*$", text[:start]).group(1)
        hint = f"{name}(:, k) is Octave's column k (counted from 1): write {name}[:, k-1], as in {name}[:, 0] for {name}(:,1)"
    elif before and token.type in ("NAME", "NUMBER") and _PREFIX.sub("", before.group(1)) in CALLS:
        # sin x: a function written without its parentheses
        end = re.match(r"[A-Za-z_0-9.]*", text[start:]).end() + start
        hint = f"call it with parentheses: {before.group(1)}({text[start:end]})"
    elif str(token) == "=" and before and text[:start].count("(") > text[:start].count(")"):
        # np.sum(x, axis=0): a keyword argument pasted from Python
        hint = f"keyword arguments are not supported: give {before.group(1)}'s value by position, " \
               f"as in sum(x, 0) for sum(x, axis=0)"
    elif token.type == "NUMBER" and (text[:start].rstrip()[-1:] in _ENDS_OPERAND or before):
        # (x+1)2 or x² 3: only a number written first multiplies without *
        hint = f"a number multiplies without * only when it comes first, as in 2x or 2(x+1); " \
               f"write *{token} here"
    elif str(token) == "=" and re.fullmatch(r"\s*[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)+\s*,?\s*",
                                            text[:start].rsplit("\n", 1)[-1].rsplit(";", 1)[-1]):
        # a, b = f(x): Python's unpacking of a tuple (grads, aux = jax.grad(f, has_aux=True)(x))
        first = text[:start].rsplit("\n", 1)[-1].rsplit(";", 1)[-1].split(",")[0].strip()
        rest = text[start + 1:].split("\n", 1)[0].strip()
        hint = (f"unpacking is not read but for has_aux's two values: write {first}, aux = {_short(rest)}, and "
                f"gradcalc differentiates the function's first value" if "has_aux" in rest else
                # value_and_grad(f)(…) is read as f(…) itself: its value, and gradcalc prints the gradients
                f"unpacking is not read: write {first} = {_short(rest)}, and gradcalc shows {first} and its "
                f"gradients" if "value_and_grad" in rest else
                f"unpacking is not read: name one value, {first} = {_short(rest)}[0] takes the first")
    elif str(token) == "=" and text[:start].count("(") <= text[:start].count(")"):
        # \text{Tanh}(x) = \tanh(x) = …, y = f(x) = …: one formula under several names
        hint = "one = per formula: keep the last = and what follows it, as in f = …"
    elif str(token) == "\\_":   # \text{negative\_slope}: LaTeX's escaped underscore
        name = re.search(r"[A-Za-z0-9_]*$", text[:start]).group() + "_" + \
            re.match(r"[A-Za-z0-9_]*", text[start + 2:]).group()
        hint = f"\\_ is LaTeX's underscore: write {name}"
    elif str(token) == "," and text[:start].count("(") <= text[:start].count(")") \
            and text[:start].count("[") <= text[:start].count("]"):
        # return loss, aux (torch.func's has_aux) or x, y: a tuple, where one output is computed
        first = text[text.rfind("\n", 0, start) + 1:start].strip()
        hint = f"a comma outside brackets makes a tuple, and gradcalc computes one output: write {first} alone" \
            if first else "a comma separates arguments or list elements: remove this one"
    elif text[:start].rstrip().endswith("√"):
        end = re.match(r"[-+−]?[A-Za-z_0-9.]*", text[start:]).end() + start
        hint = f"√ takes the name, number or parentheses right after it: write √({text[start:end]})"
    shown = str(token) if token.type != "_SEP" else ("';'" if str(token).startswith(";") else "end of line")
    if shown == "end of line":   # x +⏎ y: a line break ends a statement, as in Python
        going_on = "a line break ends the statement: to go on on the next line, put the expression in " \
                   "parentheses or end the line with \\"
        hint = f"{hint}; {going_on}" if operators is not None else going_on
    pairs = {"RPAR": "()", "RSQB": "[]", "RBRACE": "{}"}
    if token.type in pairs and operators is None and text.count(pairs[token.type][1]) > text.count(pairs[token.type][0]):
        hint = f"remove it, or add the matching '{pairs[token.type][0]}'"
    return GradcalcError(f"unexpected {shown if token.type == '_SEP' else repr(shown)}",
                         (start, max(start + 1, token.end_pos or start + 1)), hint, text)

