"""Python's control flow in a pasted program (for, while, if, break, continue) as straight-line code.

gradcalc's language has no statement that branches or repeats. A pasted program's loops and ifs are
read here, before gradcalc/dialects.py reads the rest, and written out as the straight-line Python it
reads, computing what the framework computes when it runs the program eagerly (PyTorch, JAX outside
jit, TensorFlow's eager mode, NumPy):

- a for loop over what the text fixes — range(3), range(n) with n = 3 written above, range(len(xs)) of
  a list written out, a list or tuple, zip and enumerate of those — is unrolled: its body once per
  element, the loop's name that element (a number, or the name of the value) in each copy;
- an if whose condition the text decides (reset = True, then `if reset:`; `if i == 0:` in an unrolled
  loop) keeps the branch taken and drops the other;
- an if decided by the values given (`if b.sum() > 0:`) guards each assignment of its branches with a
  flag, `c = (100 * b) if _if1 else c`: gradcalc's conditional, whose condition must be one number
  (Python's if raises on an array's truth too) and whose gradient flows into the branch taken only,
  as in PyTorch and JAX eagerly;
- a while loop, and a break or continue under a condition decided by the values, become steps guarded
  by a flag that is 1 while the loop runs: at most MOST_STEPS of them, the limit of an unrolled for
  loop too. A loop still running after them is refused where it stands (exit 2), as a for loop over
  more elements is when it is read (range(10**9) ends at once, not after a billion copies).

The text is read by Python's ast module, which parses and never runs anything. Each expression is
copied as written (a loop's name replaced), so a caret in the straight-line text maps back to the
pasted one (`Flat.origin`). Statements nest no deeper than Python's parser allows (100 levels).
"""

from __future__ import annotations

import ast
import bisect
import re

from .errors import GradcalcError
from .limits import DEFAULT
from .limits import LOOP_STEPS as MOST_STEPS    # the most steps of a loop read (for or while)

MOST_TEXT = DEFAULT.length       # the most characters the unrolled program may have (a program's own limit)
MOST_STATEMENTS = 50_000         # the most statements loops inside loops are unrolled to

# Only a text with one of these at a statement's start is read here (a formula alone pays nothing).
_TRIGGER = re.compile(r"(?m)^[ \t]*(?:while|for|if|break|continue)\b")
# What a loop's body may not hold: one step of training (the gradient is asked once)
_TRAINING = re.compile(r"\.backward[ \t]*\(|\.step[ \t]*\(|\.zero_grad[ \t]*\(|\.gradient[ \t]*\(")


class Flat:
    """The straight-line text, where each if statement's condition starts in it (one number, as
    Python's if takes), where each loop's end check stands, and a note of what was read."""

    __slots__ = ("text", "conditions", "checks", "notes", "_starts", "_pieces", "inner")

    def __init__(self, pieces: list, conditions: set, checks: set, notes: list):
        self.text = "".join(piece for piece, _, _ in pieces)
        self.conditions, self.checks, self.notes = frozenset(conditions), frozenset(checks), notes
        self._pieces, self._starts, at = pieces, [], 0
        self.inner = None       # the text this one was written from, when it was itself written (a class read)
        for piece, _, _ in pieces:
            self._starts.append(at)
            at += len(piece)

    def origin(self, pos: int) -> int:
        """Where the character at `pos` of the straight-line text stands in the pasted text: itself where
        it was copied, the statement it was written for where it was written here."""
        k = max(0, bisect.bisect_right(self._starts, pos) - 1)
        piece, start, copied = self._pieces[k]
        found = start + min(pos - self._starts[k], len(piece)) if copied else start
        return found if self.inner is None else self.inner.origin(found)

    def span(self, span):
        """A span of the straight-line text as a span of the pasted one (never empty or reversed)."""
        start, end = self.origin(span[0]), self.origin(max(span[0], span[1] - 1)) + 1
        return (start, max(end, start + 1))


def flatten(text: str) -> Flat | None:
    """The program with its classes read as functions and its control flow as straight-line code, or
    None when it has neither (or is no Python that parses: then gradcalc/dialects.py reads or refuses
    it as before)."""
    classes = _classes(text) if _CLASSY.search(text) else None
    source = classes.text if classes is not None else text
    if _TRIGGER.search(source) is None:
        return classes
    tree = _parsed(source)
    if tree is None:
        return classes
    writer = _Writer(source)
    writer.module(tree)
    if not writer.changed:
        return classes
    flat = writer.flat()
    if classes is not None:
        flat.inner = classes
        flat.notes[:0] = classes.notes
    return flat


def _parsed(text: str):
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# A class, or a method (a def whose first parameter is self) pasted alone
_CLASSY = re.compile(r"^[ \t]*class\b|\bdef[ \t]+\w+[ \t]*\([ \t]*self\b|(?<![\w.])self\."
                     r"|^\w+[ \t]*=[ \t]*[A-Za-z_][\w.]*[ \t]*$|GradientTape|[\[(][^\n]*\bfor\b|[(,][ \t]*\*[A-Za-z_]"
                     r"|^[ \t]*\w+(?:[ \t]*,[ \t]*\w+)+[ \t]*=[ \t]*\w+[ \t]*$", re.M)
# What names a hand-written derivative rather than the function (Sigmoid.gradient, QuadraticCost.delta)
_DERIVATIVE = re.compile(r"grad|deriv|delta|backward|prime|jacobian|hessian", re.I)
_MAIN = ("forward", "__call__", "call")


def _classes(text: str) -> Flat | None:
    """A class's methods as functions (self and cls left out, self.alpha read as alpha), the one that
    computes the output (forward, __call__, else the first that is no derivative) last; __init__'s
    self.alpha = 0.2 and class attributes as assignments before them."""
    tree, dedented = _parsed(text), None
    if tree is None:                 # a method pasted with its indentation: the lines one level out
        dedented = _dedented(text)
        tree = _parsed(dedented.text) if dedented is not None else None
        if tree is None:
            return None
        text = dedented.text
    writer = _ClassWriter(text)
    aliases, helpers, known = _aliases(tree, writer), _tape_helpers(tree, writer), {}
    writer.lengths = _lengths(tree)
    last = tree.body[-1] if tree.body else None
    call = _helper_call(last, helpers)
    for statement in tree.body:
        if statement in [made for _, made in aliases.values()] or \
                call is not None and isinstance(statement, ast.FunctionDef) and statement.name == call[1].func.id:
            writer.copy_to(writer.start(statement))     # loss_func = F.cross_entropy: read where it is called
            writer.pos = writer.end(statement)
            writer.changed = True
            if isinstance(statement, ast.Assign):
                writer.said.append(f"{statement.targets[0].id} is {writer.source(statement.value)}")
        elif statement is last and call is not None:
            writer.copy_to(writer.start(statement))
            writer.tape_call(helpers[call[1].func.id], call[1])
            writer.pos = writer.end(statement)
        elif not isinstance(statement, ast.ClassDef) and (subs := writer.comprehensions(statement, known, aliases)):
            writer.copy_to(writer.start(statement))
            writer.copy(writer.start(statement), writer.end(statement), subs)
            writer.pos = writer.end(statement)
            writer.changed = True
        elif isinstance(statement, ast.ClassDef):
            writer.class_def(statement)
        elif _test_method(statement):       # def test_sum(self): … assert …: a unit test's lines, the program
            writer.copy_to(writer.start(statement))
            writer.lines(statement.body, {}, "\n")
            writer.pos = writer.end(statement)
            writer.changed = True
            writer.said.append(f"the test method {statement.name} read as its lines")
        elif isinstance(statement, ast.FunctionDef) and not statement.decorator_list and \
                (_self_of(statement) or re.search(r"(?<![\w.])self\.", writer.source(statement))):
            writer.copy_to(writer.start(statement))
            writer.method(statement, _self_of(statement), last=True)
            writer.pos = writer.end(statement)
            writer.changed = True
            writer.said.append(f"the method {statement.name} read as a function (self.x as x)")
        _learn(statement, known)
    if not writer.changed:
        return None
    flat = writer.flat()
    flat.notes = [f"read as Python: {note}" for note in writer.said]
    flat.inner = dedented
    return flat


def _dedented(text: str) -> Flat | None:
    """The text with the indentation all its lines share taken out (a method copied from its class)."""
    lines = text.split("\n")
    depth = min((len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()), default=0)
    if not depth:
        return None
    pieces, at = [], 0
    for k, line in enumerate(lines):
        cut = min(depth, len(line) - len(line.lstrip(" \t")))
        pieces.append((line[cut:] + ("\n" if k < len(lines) - 1 else ""), at + cut, True))
        at += len(line) + 1
    return Flat(pieces, set(), set(), [])


_LIBRARIES = frozenset({"F", "torch", "np", "numpy", "jnp", "jax", "tf", "nn", "math", "scipy", "optax", "special"})


def _aliases(tree, writer) -> dict:
    """loss_func = F.cross_entropy, loss_func = nll (a def of the text): {name: (what it names, the
    assignment)}, for names assigned once."""
    defs = {s.name for s in tree.body if isinstance(s, ast.FunctionDef)}
    stored: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stored[node.id] = stored.get(node.id, 0) + 1
    found = {}
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)) or stored.get(statement.targets[0].id) != 1:
            continue
        value, root = statement.value, statement.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(value, ast.Name) and value.id in defs or \
                isinstance(value, ast.Attribute) and isinstance(root, ast.Name) and root.id in _LIBRARIES:
            found[statement.targets[0].id] = (writer.source(value), statement)
    return found


def _lengths(tree) -> dict:
    """Names assigned once a list written out, or an array made of one (torch.tensor([1.0, 0.0])): its length."""
    found: dict = {}
    for statement in tree.body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found[node.id] = None if node.id in found else found.get(node.id)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name) and found.get(statement.targets[0].id, 0) is None:
            value = statement.value
            if isinstance(value, ast.Call) and value.args and not isinstance(value.func, ast.Name):
                value = value.args[0]       # torch.tensor([…]), np.array([…])
            if isinstance(value, (ast.List, ast.Tuple)) and not any(isinstance(e, (ast.List, ast.Tuple, ast.Starred))
                                                                    for e in value.elts):
                found[statement.targets[0].id] = len(value.elts)
    return {name: length for name, length in found.items() if isinstance(length, int)}


def _tape_helpers(tree, writer) -> dict:
    """def grad_f(x): with tf.GradientTape() as tape: …; return tape.gradient(value, x): {name: (the def,
    its with block, its return)}."""
    found = {}
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or function.decorator_list:
            continue
        body = [s for s in function.body if not _shows_only(s)]
        if len(body) != 2 or not isinstance(body[0], ast.With) or not isinstance(body[1], ast.Return):
            continue
        block, returned = body
        item = block.items[0]
        asked = returned.value
        if "GradientTape" in writer.source(item.context_expr) and isinstance(item.optional_vars, ast.Name) and \
                isinstance(asked, ast.Call) and isinstance(asked.func, ast.Attribute) and asked.func.attr == "gradient" \
                and isinstance(asked.func.value, ast.Name) and asked.func.value.id == item.optional_vars.id:
            found[function.name] = (function, block, returned)
    return found


def _helper_call(statement, helpers) -> tuple | None:
    """The program's last line when it calls a tape helper once (grad_f(tf.constant(0.)).numpy()):
    (the line, the call)."""
    value = statement.value if isinstance(statement, (ast.Expr, ast.Assign)) else None
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "numpy" \
            and not value.args:
        value = value.func.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in helpers and \
            not value.keywords and len(value.args) == len(helpers[value.func.id][0].args.args):
        return statement, value
    return None


def _test_method(statement) -> bool:
    """def test_…(self): with no other parameter and no return: a unit test, whose lines compute and check."""
    return isinstance(statement, ast.FunctionDef) and statement.name.startswith("test") and \
        [a.arg for a in statement.args.args] in ([], ["self"]) and not statement.decorator_list and \
        not any(isinstance(node, ast.Return) for node in ast.walk(statement))


def _self_of(function) -> str | None:
    """self (or cls): the first parameter of a method, unless it is a static method."""
    if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list):
        return None
    params = function.args.posonlyargs + function.args.args
    return params[0].arg if params and params[0].arg in ("self", "cls") else None


class _Unknown:
    """What the text does not fix: a value known only when the program runs."""


UNKNOWN = _Unknown()
_NUMBER = (int, float, bool)


class _Element:
    """One element a for loop runs over: its text where the loop's name stood, and its value when the
    text fixes it (a number), else UNKNOWN; or a tuple of elements (zip, enumerate)."""

    __slots__ = ("text", "value", "parts")

    def __init__(self, text=None, value=UNKNOWN, parts=None):
        self.text, self.value, self.parts = text, value, parts


class _Loop:
    """A loop being unrolled: its running flag and its step's flag, made when a break or a continue
    under a condition of the values asks for them. `running` and `going` are what reads them: their
    names once assigned, else what they start as (1.0, or the guard of the block around the loop)."""

    __slots__ = ("run_name", "go_name", "running", "going", "stopped", "returns")

    def __init__(self, run_name, go_name, start, returns=None):
        self.run_name, self.go_name, self.stopped = run_name, go_name, False
        self.running = self.going = start
        # a def's body after an if that returns, read as one step whose `return v` is `returns = v` and a break
        self.returns = returns

    def run(self, writer, value: str, node) -> None:
        writer.line(writer._w(f"{self.run_name} = {value}", node))
        self.running = self.run_name

    def go(self, writer, value: str, node) -> None:
        writer.line(writer._w(f"{self.go_name} = {value}", node))
        self.going = self.go_name

    def step(self, writer, node) -> None:
        """A step of a loop with a break or a continue: its own flag, from the loop's running one."""
        if self.running == self.run_name:
            self.go(writer, self.running, node)
        else:
            self.going = self.running


class _Writer:
    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0]
        for k, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(k + 1)
        self.pieces: list[tuple[str, int, bool]] = []
        self.pos = 0               # how far the pasted text has been copied
        self.out = 0               # the straight-line text's length so far
        self.changed = False
        self.conditions: set[int] = set()
        self.checks: set[int] = set()
        self.counter = 0
        self.unrolled: list[int] = []     # the steps of each loop read
        self.guarded = 0                  # conditions decided by the values
        self.decided = 0                  # conditions decided by the text
        self.taken = set(re.findall(r"\b_(?:if|else|run|go|ret)\d+\b", text))
        self.defined: set[str] = set()    # the names assigned so far in the scope at hand (a def's parameters)
        # names first assigned where the values decide (an if's branch, a while's body): Python has no value
        # for them where it did not run, so reading them after is refused (the assignment that made them)
        self.unsure: dict[str, object] = {}
        self.written = 0                 # characters of the lines written for loops and ifs so far

    # -- positions --------------------------------------------------------------------------------
    def at(self, line: int, col: int) -> int:
        """The character offset of ast's (line, column in UTF-8 bytes)."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        row = self.text[start:end]
        return start + (col if row.isascii() else len(row.encode("utf-8")[:col].decode("utf-8", "ignore")))

    def start(self, node) -> int:
        return self.at(node.lineno, node.col_offset)

    def end(self, node) -> int:
        return self.at(node.end_lineno, node.end_col_offset)

    def source(self, node) -> str:
        return self.text[self.start(node):self.end(node)]

    # -- writing ----------------------------------------------------------------------------------
    def copy_to(self, pos: int) -> None:
        if pos > self.pos:
            self._piece(self.text[self.pos:pos], self.pos, True)
            self.pos = pos

    def _piece(self, text: str, origin: int, copied: bool) -> None:
        if text:
            self.pieces.append((text, origin, copied))
            self.out += len(text)

    def write(self, text: str, origin: int) -> None:
        self._piece(text, origin, False)

    def copy(self, start: int, end: int, subs: dict) -> None:
        """text[start:end] with each (position → (end, text)) of `subs` put in its place."""
        for at in sorted(k for k in subs if start <= k < end):
            stop, replacement = subs[at]
            self._piece(self.text[start:at], start, True)
            self.write(replacement, at)
            start = stop
        self._piece(self.text[start:end], start, True)

    def flat(self) -> Flat:
        self.copy_to(len(self.text))
        notes = []
        if self.unrolled:
            steps = ", ".join(map(str, self.unrolled[:6])) + (", …" if len(self.unrolled) > 6 else "")
            notes.append(f"read as Python: {len(self.unrolled)} loop{'s' if len(self.unrolled) != 1 else ''} "
                         f"unrolled ({steps} step{'s' if self.unrolled != [1] else ''}"
                         + (f", each step taken while its condition holds, at most {MOST_STEPS}" if self.guarded else "")
                         + ")")
        if self.guarded:
            notes.append("read as Python: an if (or a loop's condition) decided by the values given takes its branch "
                         "where it runs, and the gradient flows through the branch taken, as in PyTorch and JAX")
        return Flat(self.pieces, self.conditions, self.checks, notes)

    def name(self, kind: str) -> str:
        while True:
            self.counter += 1
            made = f"_{kind}{self.counter}"
            if made not in self.taken:
                return made

    # -- reading the statements -------------------------------------------------------------------
    def module(self, tree) -> None:
        self.scope(tree.body, {})
        last = tree.body[-1] if tree.body else None
        if isinstance(last, (ast.If, ast.For, ast.While)) and self.unsure:
            # the program ends in it, its last assignment the output: read as the statements after it are
            name = next(name for name in _assigned([last])[::-1] if name in self.unsure)
            self._sure(ast.Expr(ast.Name(name, ast.Load(), **_place(self.unsure[name]))))

    def scope(self, body: list, known: dict) -> None:
        """A module's or a def's statements: the control flow among them written out, the rest copied."""
        for statement in body:
            self._sure(statement)
            if isinstance(statement, (ast.If, ast.For, ast.While)):
                self.copy_to(self.start(statement))
                indent = self._indent(statement)
                self.changed = True
                self.lines, self.indent = [], indent
                self.block([statement], None, known, None, {})
                self._flush(statement)
                self.pos = self.end(statement)
            elif isinstance(statement, (ast.Break, ast.Continue)):
                raise _error(f"{'break' if isinstance(statement, ast.Break) else 'continue'} outside a loop",
                             self.start(statement), 5, "write it inside the for or while loop it ends")
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = {a.arg for a in _arguments(statement.args)}
                outside, self.defined, unsure, self.unsure = self.defined, self.defined | params, self.unsure, {}
                inner = {k: v for k, v in known.items() if k not in params}
                body = statement.body
                k = next((k for k, s in enumerate(body) if isinstance(s, (ast.If, ast.For, ast.While))
                          and any(isinstance(n, ast.Return) for n in ast.walk(s))), None)
                self.scope(body if k is None else body[:k], inner)
                if k is not None:
                    self.returning(statement, body[k:], inner)
                self.defined, self.unsure = outside | {statement.name}, unsure
            elif isinstance(statement, ast.With):
                self.scope(statement.body, known)
            else:
                _learn(statement, known)
                self.defined.update(_assigned([statement]))
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and \
                        any(statement.value.value is word for word in (True, False, None)) and all(isinstance(target, ast.Name) for target in statement.targets):
                    self.copy_to(self.start(statement))     # reset = True: a setting the ifs read, no value
                    self.pos = self.end(statement)

    def returning(self, function, body: list, known: dict) -> None:
        """A def's statements from an if that returns on: one step whose return v is `_ret = v` and the end
        of the step (later statements run where no return ran), then return _ret."""
        self.copy_to(self.start(body[0]))
        self.changed = True
        self.lines, self.indent = [], self._indent(body[0])
        step = _Loop(self.name("run"), self.name("go"), "1.0", self.name("ret"))
        ended = self.block(body, "1.0", known, step, {})
        if ended != "break":
            raise _error(f"{function.name} may reach its end without a return (Python returns None there)",
                         self.start(body[-1]), len(self.source(body[-1]).split("\n")[0]),
                         f"end {function.name} with return …, or return in each branch (an else too)")
        self.unsure.pop(step.returns, None)
        self.line(self._w(f"return {step.returns}", body[-1]))
        self._flush(body[0])
        self.pos = self.end(body[-1])

    def _sure(self, statement) -> None:
        """Refuse a read of a name that has a value only where a condition of the values held."""
        if not self.unsure:
            return
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.unsure:
                made = self.unsure[node.id]
                raise _error(f"{node.id} is assigned only where a condition decided by the values holds (line "
                             f"{made.lineno}): Python raises NameError where it does not", self.start(node), len(node.id),
                             f"give {node.id} a value before the if or the loop (or in each branch: an else too)")

    def _indent(self, statement) -> str:
        line = self.text[self.line_starts[statement.lineno - 1]:self.start(statement)]
        return line if not line.strip() else ""

    def _flush(self, statement) -> None:
        """The lines written for `statement` over its place (each line a list of pieces)."""
        if not self.lines:
            self.write("pass" if self._inside_block(statement) else "", self.start(statement))
            return
        for k, line in enumerate(self.lines):
            if k:
                self.write("\n" + self.indent, self.start(statement))
            for text, origin, copied in line:
                if copied == "condition":
                    self.conditions.add(self.out)
                    copied = False
                elif copied == "check":
                    self.checks.add(self.out)
                    copied = False
                self._piece(text, origin, copied)

    def _inside_block(self, statement) -> bool:
        return bool(self._indent(statement))

    # A line is a list of (text, origin, copied) pieces; copied "condition" marks where an if's condition
    # starts (its opening bracket), "check" where a loop's end check's condition starts.
    def line(self, *parts) -> None:
        self.lines.append(list(parts))
        self.written += sum(len(part[0]) for part in parts) + len(self.indent) + 1
        if self.written > MOST_TEXT:        # loops inside loops: refused before they are all written out
            raise _error(f"the program with its loops unrolled is more than {MOST_TEXT:,} characters", parts[0][1], 1,
                         "write what the loops compute as one formula (sum(x) for a running total)")

    def expression(self, node, subs: dict) -> list:
        """The pieces of an expression's text as written, each loop name in `subs` replaced."""
        saved, self.pieces, out = self.pieces, [], self.out
        self.copy(self.start(node), self.end(node), self._subs(node, subs))
        made, self.pieces, self.out = self.pieces, saved, out
        return made

    def _subs(self, node, subs: dict) -> dict:
        if not subs:
            return {}
        found = {}
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in subs:
                if not isinstance(inner.ctx, ast.Load):
                    raise _error(f"the loop's name {inner.id} is assigned in its body", self.start(inner), len(inner.id),
                                 "give the value a name of its own")
                found[self.start(inner)] = (self.end(inner), subs[inner.id])
        return found

    # -- blocks -----------------------------------------------------------------------------------
    def block(self, body: list, guard, known: dict, loop, subs: dict) -> str:
        """Write a block's statements under `guard` (the name of a flag that is 1 where they run, None:
        always). Returns "break" or "continue" where the block surely ends so, "" otherwise."""
        maybe = ""
        for statement in body:
            step = loop is not None and guard == loop.going
            if guard in (None, "1.0") or loop is not None and loop.returns is not None and step:
                self._sure(statement)       # read where it surely runs (or a return ended the def)
            ended = self.statement(statement, guard, known, loop, subs)
            if ended in ("break", "continue"):
                return ended
            if ended == "ended":          # a break or continue under this block's guard: the rest never runs
                return "maybe"
            if ended == "maybe" and loop is not None:
                # a break or continue under a condition of the values: the rest of this block runs where
                # the step still goes
                if step:
                    guard = loop.going
                else:
                    self.line(self._w(f"{guard} = {loop.going} if {guard} else 0.0", statement))
                maybe = "maybe"
        return maybe

    def _w(self, text: str, node) -> tuple:
        return (text, self.start(node), False)

    def statement(self, node, guard, known: dict, loop, subs: dict) -> str:
        if isinstance(node, ast.Pass):
            return ""
        if _shows_only(node):
            return ""       # a docstring, or a print in a loop or a branch (it shows each step: not the output)
        if isinstance(node, ast.Return):
            if loop is None or loop.returns is None or node.value is None:
                raise self._unread(node, "return inside a loop" if node.value is not None else "return without a value")
            self.assign(loop.returns, node, self.expression(node.value, subs), None if guard == "1.0" else guard)
            if guard in (None, "1.0") or guard == loop.going:
                return "break"
            loop.stopped = True
            loop.go(self, f"0.0 if {guard} else {loop.going}", node)
            return "ended"
        if isinstance(node, (ast.Break, ast.Continue)):
            word = "break" if isinstance(node, ast.Break) else "continue"
            if loop is not None and loop.returns is not None:
                loop = None         # in a def's body, not in a loop
            if loop is None:
                raise _error(f"{word} outside a loop", self.start(node), len(word),
                             "write it inside the for or while loop it ends")
            if guard is None or guard == loop.going:       # the step stops here wherever it still went
                if word == "break" and guard is not None and guard != "1.0":
                    loop.run(self, f"0.0 if {guard} else {loop.running}", node)
                return word
            loop.stopped = True
            if word == "break":
                loop.run(self, f"0.0 if {guard} else {loop.running}", node)
            loop.go(self, f"0.0 if {guard} else {loop.going}", node)
            return "ended"
        if isinstance(node, ast.If):
            return self.if_statement(node, guard, known, loop, subs)
        if isinstance(node, ast.For):
            return self.for_loop(node, guard, known, subs)
        if isinstance(node, ast.While):
            return self.while_loop(node, guard, known, subs)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.assign(node.targets[0].id, node, self.expression(node.value, subs), guard)
            _learn(node, known, guard is not None, subs)
            return ""
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
            op = _AUGMENTED.get(type(node.op))
            if op is None:
                raise self._unread(node, "this augmented assignment")
            value = [self._w(f"{name} {op} (", node), *self.expression(node.value, subs), self._w(")", node)]
            self.assign(name, node, value, guard)
            _learn(node, known, guard is not None, subs)
            return ""
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self.assign(node.target.id, node, self.expression(node.value, subs), guard)
            return ""
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef, ast.Try, ast.With,
                             ast.Return, ast.Raise, ast.Global, ast.Nonlocal, ast.Delete, ast.Import,
                             ast.ImportFrom)) or guard is not None:
            raise self._unread(node, None)
        # x[i] = v, a, b = …, a call on its own line: copied as written (read by gradcalc/dialects.py)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load) and inner.id in subs:
                self._subs(node, subs)
        self.line(*self.expression(node, subs))
        self.defined.update(_assigned([node]))
        _learn(node, known, False, subs)
        return ""

    def _unread(self, node, what) -> GradcalcError:
        kind = what or {ast.Return: "return", ast.FunctionDef: "a def", ast.ClassDef: "a class", ast.Try: "try",
                        ast.With: "with", ast.Raise: "raise", ast.Import: "an import",
                        ast.ImportFrom: "an import"}.get(type(node), "this statement")
        where = "in a branch or a loop decided by the values given" if not isinstance(
            node, (ast.FunctionDef, ast.ClassDef, ast.Try, ast.With, ast.Return, ast.Raise)) else "inside a loop or an if"
        return _error(f"{kind} {where} is not read", self.start(node), len(self.source(node).split("\n")[0]),
                      "write what it computes as assignments, name = …, one formula per name")

    def assign(self, name: str, node, value: list, guard) -> None:
        if guard is None or guard == "1.0":
            self.line(self._w(f"{name} = ", node), *value)
        else:       # runs where the guard is 1: the value as it was elsewhere (none yet: see `unsure`)
            if name not in self.defined:
                self.unsure.setdefault(name, node)
            self.line(self._w(f"{name} = (", node), *value,
                      self._w(f") if {guard} else {name if name in self.defined else '0.0'}", node))
        self.defined.add(name)

    def _condition(self, node, subs: dict) -> list:
        return [("(", self.start(node), "condition"), *self.expression(node, subs), (")", self.start(node), False)]

    # -- if ---------------------------------------------------------------------------------------
    def if_statement(self, node, guard, known: dict, loop, subs: dict) -> str:
        decided = _static(node.test, known)
        if decided is not UNKNOWN:
            self.decided += 1
            return self.block(node.body if decided else node.orelse, guard, known, loop, subs)
        self.guarded += 1
        taken, other = self.name("if"), self.name("else")
        outer = f" if {guard} else 0.0" if guard not in (None, "1.0") else ""
        self.line(self._w(f"{taken} = (1.0 if ", node), *self._condition(node.test, subs),
                  self._w(f" else 0.0){outer}", node))
        if node.orelse:       # (before the branch: a return or break in it changes the flag `taken`)
            self.line(self._w(f"{other} = (0.0 if {taken} else 1.0){outer}", node))
        before, defined = dict(known), set(self.defined)
        first = self.block(node.body, taken, known, loop, subs)
        after_first = dict(known)
        known.clear()
        known.update(before)
        if node.orelse:
            second = self.block(node.orelse, other, known, loop, subs)
        else:
            second = ""
        for name in list(known):        # a name the branches left differently is known only when it runs
            if name not in after_first or after_first[name] != known[name]:
                known.pop(name)
        if guard in (None, "1.0") and node.orelse and not first and not second:
            # assigned in each branch (no break between): it has a value whichever runs
            for name in (set(_assigned(node.body)) & set(_assigned(node.orelse))) - defined:
                self.unsure.pop(name, None)
        if loop is not None and loop.returns is not None and _returns(node.body) and _returns(node.orelse):
            return "break"           # each branch returns: nothing after the if runs
        if loop is not None and loop.returns is not None and (_returns(node.body) or _returns(node.orelse)):
            # if x <= 0: return -x (else: y = x**2): after the if, the other branch's names have values
            for name in set(_assigned(node.orelse if _returns(node.body) else node.body)) - defined:
                self.unsure.pop(name, None)
        return "maybe" if first or second else ""

    # -- for --------------------------------------------------------------------------------------
    def for_loop(self, node, guard, known: dict, subs: dict) -> str:
        if node.orelse:
            raise _error("a for loop's else is not read", self.start(node), 3, "write what it computes after the loop")
        self._no_training(node)
        elements = self.elements(node.iter, known, subs)
        if all(_shows_only(statement) for statement in node.body):     # for g in grads: print(g)
            self.unrolled.extend([elements.count] if elements is not None else [])
            return ""
        if elements is None:
            written = self.source(node.iter)
            target = self.source(node.target)
            counted = re.match(r"range[ \t]*\([ \t]*len[ \t]*\([ \t]*(\w+)", written)
            raise _error(f"for {target} in {written}: a loop is read over what the text fixes (range(3), a list or "
                         f"tuple written out, zip or enumerate of those)", self.start(node.iter), len(written),
                         f"write the count: for {target} in range(3): for {counted.group(1)} of 3 elements" if counted
                         else f"write what it runs over, for {target} in [0.5, 1.0, 2.0]:, or its count, for k in "
                         f"range(3): (then index with k)")
        stops = _may_stop(node.body)
        inside = _size(node.body, known)
        if min(elements.count, MOST_STEPS) * inside > MOST_STATEMENTS:    # loops inside loops: refused at once
            raise _error(f"the loop runs its body {elements.count:,} times, {inside:,} statements each (the loops in it "
                         f"unrolled): more than the {MOST_STATEMENTS:,} statements gradcalc unrolls", self.start(node.iter),
                         len(self.source(node.iter)), "write what the loops compute as one formula (sum(x) for a running "
                         "total)")
        if elements.count > MOST_STEPS and not stops:
            raise _error(f"a loop of {elements.count} steps is more than gradcalc unrolls ({MOST_STEPS})",
                         self.start(node.iter), len(self.source(node.iter)),
                         "write what the loop computes as one formula (a running total of x[i] is sum(x), of x[i]*y[i] "
                         "is sum(x*y))")
        loop = _Loop(self.name("run"), self.name("go"), guard if guard is not None else "1.0")
        steps = 0
        for element in elements[:MOST_STEPS]:
            inner = dict(subs)
            self._bind(node.target, element, inner, known)
            steps += 1
            if stops:
                loop.step(self, node)
                ended = self.block(node.body, loop.going, known, loop, inner)
            else:
                ended = self.block(node.body, guard, known, None, inner)
            if ended == "break":
                break
        self.unrolled.append(steps)
        if elements.count > MOST_STEPS and steps == MOST_STEPS:
            self._check(node, loop, node.body)
        self._forget(node.body, known)
        return ""

    def _no_training(self, node) -> None:
        code = self.source(node)
        found = _TRAINING.search(code)
        if found:
            word = found.group().strip(".( \t")
            at = self.start(node) + found.start()
            raise _error(f"a .{word}() inside a loop (a training loop) is not read", at, len(found.group()),
                         "paste one step: the loop's body once, up to .backward()")

    def _bind(self, target, element: _Element, subs: dict, known: dict) -> None:
        if isinstance(target, ast.Name):
            if element.parts is not None:
                raise _error(f"{target.id} takes a tuple of {len(element.parts)} values here", self.start(target),
                             len(target.id), f"unpack it: for {', '.join(f'{target.id}{k}' for k in range(len(element.parts)))} "
                             f"in …:")
            subs[target.id] = element.text
            if element.value is UNKNOWN:
                known.pop(target.id, None)
            else:
                known[target.id] = element.value
            return
        if isinstance(target, (ast.Tuple, ast.List)) and element.parts is not None and \
                len(target.elts) == len(element.parts):
            for inner, part in zip(target.elts, element.parts):
                self._bind(inner, part, subs, known)
            return
        raise _error("the loop's names do not match what it runs over", self.start(target), len(self.source(target)),
                     "name each value: for i, x in enumerate(xs):, for a, b in zip(xs, ys):")

    def elements(self, node, known: dict, subs: dict) -> list | None:
        """What a for loop runs over, when the text fixes it: its elements (at most MOST_STEPS + 1 of them
        made: a longer range is refused by its length), or None."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name, args = node.func.id, node.args
            if name == "range" and 1 <= len(args) <= 3:
                bounds = [_static(arg, known) for arg in args]
                if all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) and (len(bounds) < 3 or bounds[2]):
                    counted = range(*bounds)
                    return _Elements([_Element(_number(v), v) for v in counted[:MOST_STEPS + 1]], len(counted))
                return None
            if name in ("zip", "enumerate", "reversed", "list", "tuple") and args:
                inner = [self.elements(arg, known, subs) for arg in args[:1 if name != "zip" else len(args)]]
                if any(part is None for part in inner):
                    return None
                if name == "zip":
                    return _Elements([_Element(parts=list(parts)) for parts in zip(*inner)],
                                     min(part.count for part in inner))
                if name == "enumerate":
                    first = _static(args[1], known) if len(args) > 1 else 0
                    if not isinstance(first, int) or len(args) > 2:
                        return None
                    return _Elements([_Element(parts=[_Element(_number(first + k), first + k), part])
                                      for k, part in enumerate(inner[0])], inner[0].count)
                if name == "reversed" and len(inner[0]) < inner[0].count:
                    return None        # reversed(range(10**9)): its last elements are not made
                return _Elements(inner[0][::-1], inner[0].count) if name == "reversed" else inner[0]
            return None
        if isinstance(node, (ast.List, ast.Tuple)):
            return _Elements([self._element(item, known, subs) for item in node.elts])
        if isinstance(node, ast.Name):
            value = known.get(node.id, UNKNOWN)
            if isinstance(value, (list, tuple)) and all(isinstance(v, _NUMBER) for v in value):
                return _Elements([_Element(_number(v), v) for v in value])
            if isinstance(value, _Listed):       # params = [w1, w2]: its elements' names
                return _Elements(value.elements)
        return None

    def _element(self, node, known: dict, subs: dict) -> _Element:
        value = _static(node, known)
        if isinstance(value, _NUMBER):
            return _Element(_number(value), value)
        if isinstance(node, (ast.Tuple, ast.List)):
            return _Element(parts=[self._element(item, known, subs) for item in node.elts])
        pieces = self.expression(node, subs)
        text = "".join(piece for piece, _, _ in pieces)
        return _Element(text if isinstance(node, ast.Name) or isinstance(node, ast.Attribute) else f"({text})")

    def _check(self, node, loop: _Loop, body: list) -> None:
        """After the last step read, each name the loop assigns passes a check that the loop has ended."""
        for name in _assigned(body):
            self.line(self._w(f"{name} = {name} if ", node), ("(", self.start(node), "check"),
                      self._w(f"{loop.running}) else {name}", node))

    def _forget(self, body: list, known: dict) -> None:
        for name in _assigned(body):
            if name in known and not isinstance(known[name], _NUMBER):
                known.pop(name)

    # -- while ------------------------------------------------------------------------------------
    def while_loop(self, node, guard, known: dict, subs: dict) -> str:
        if node.orelse:
            raise _error("a while loop's else is not read", self.start(node), 5, "write what it computes after the loop")
        self._no_training(node)
        loop = _Loop(self.name("run"), self.name("go"), guard if guard is not None else "1.0")
        stops, flagged, steps = _may_stop(node.body), False, 0
        outer = f" if {guard} else 0.0" if guard is not None else ""
        while True:
            holds = _static(node.test, known) if not flagged else UNKNOWN
            if holds is not UNKNOWN and not holds:
                break
            if steps == MOST_STEPS:
                if not flagged:
                    raise _error(f"the while loop runs more than {MOST_STEPS} steps, more than gradcalc unrolls",
                                 self.start(node), 5, "write what the loop computes as one formula")
                self._check(node, loop, node.body)
                break
            if holds is UNKNOWN:         # the values decide whether this step runs
                self.line(self._w(f"{loop.run_name} = (1.0 if ", node), *self._condition(node.test, subs),
                          self._w(f" else 0.0) if {loop.running} else 0.0" if flagged else f" else 0.0){outer}", node))
                loop.running = loop.run_name
                if not flagged:
                    self.guarded += 1
                flagged = True
            steps += 1
            if stops:
                loop.step(self, node)
                ended = self.block(node.body, loop.going, known, loop, subs)
                flagged = flagged or loop.stopped
            else:
                ended = self.block(node.body, loop.running if flagged else guard, known, None, subs)
            if ended == "break":
                break
            if flagged:
                known_now = {name for name in _assigned(node.body) if name in known}
                for name in known_now:          # values a step may not have changed: known no more
                    known.pop(name)
        self.unrolled.append(steps)
        self._forget(node.body, known)
        return ""


class _ClassWriter(_Writer):
    """Writes a class's methods as functions (gradcalc/pyflow._classes)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.said: list[str] = []
        self.lengths: dict = {}

    def class_def(self, node) -> None:
        methods, settings = [], []
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and all(
                    isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in item.decorator_list):
                methods.append(item)
            elif isinstance(item, ast.Assign) and all(isinstance(t, ast.Name) for t in item.targets):
                settings.append(item)
            elif not _shows_only(item):
                return        # a class of another kind (NamedTuple fields, a property): refused as before
        init = next((m for m in methods if m.name == "__init__"), None)
        attributes = self._attributes(init) if init is not None else []
        if attributes is None or node.decorator_list:
            return
        methods = [m for m in methods if m.name != "__init__"]
        if not methods:
            return
        main = next((m for m in methods if m.name in _MAIN), None) or \
            next((m for m in methods if not _DERIVATIVE.search(m.name)), methods[0])
        self.copy_to(self.start(node) if not node.decorator_list else self.start(node.decorator_list[0]))
        start = self.start(node)
        for item in settings:                   # alpha = 0.2 in the class's body
            self.copy(self.start(item), self.end(item), {})
            self.write("\n", start)
        for target, value, subs in attributes:     # self.alpha = alpha in __init__: alpha's default
            self.write(f"{target} = ", start)
            self.copy(self.start(value), self.end(value), subs)
            self.write("\n", start)
        # a hand-written derivative (Sigmoid.gradient, QuadraticCost.delta) is left out unless the program calls it
        left = [m for m in methods if m is not main and _DERIVATIVE.search(m.name)
                and f".{m.name}(" not in self.source(main)]
        for method in [m for m in methods if m is not main and m not in left] + [main]:
            self.method(method, _self_of(method), last=method is main)
        self.pos = self.end(node)
        self.changed = True
        self.said.append(f"class {node.name} read as its methods' functions (self.x as x), {main.name} the program"
                         + (f"; {', '.join(m.name for m in left)} (a derivative written by hand) left out" if left else ""))

    def _attributes(self, init):
        """__init__'s self.x = value, each with its parameters' defaults put in: [(x, value, subs)], or
        None where it does something else."""
        self_name = _self_of(init)
        args = init.args.args[1:]
        defaults = dict(zip([a.arg for a in args[len(args) - len(init.args.defaults):]], init.args.defaults))
        found = []
        for statement in init.body:
            if _shows_only(statement) or isinstance(statement, ast.Expr) and "super" in self.source(statement):
                continue
            if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Attribute)
                    and isinstance(statement.targets[0].value, ast.Name) and statement.targets[0].value.id == self_name):
                return None
            if any(isinstance(node, ast.Call) and "nn." in self.source(node.func) for node in ast.walk(statement.value)):
                return None           # self.fc = nn.Linear(3, 2): weights drawn at random (refused as before)
            subs = {}
            for node in ast.walk(statement.value):
                if isinstance(node, ast.Name) and node.id in defaults:
                    subs[self.start(node)] = (self.end(node), self.source(defaults[node.id]))
            found.append((statement.targets[0].attr, statement.value, subs))
        return found

    def method(self, node, self_name, last: bool) -> None:
        """def f(self, x): … as def f(x): …, its body one level in, self.w as w."""
        args = node.args
        positional = args.posonlyargs + args.args
        first = len(args.posonlyargs + args.args) - len(args.defaults)
        params = [self.source(a) + (f"={self.source(args.defaults[k - first])}" if k >= first else "")
                  for k, a in enumerate(positional)]
        if self_name is not None and positional and positional[0].arg == self_name:
            params = params[1:]
        if args.vararg:
            params.append("*" + self.source(args.vararg))
        elif args.kwonlyargs:
            params.append("*")
        for a, default in zip(args.kwonlyargs, args.kw_defaults):
            params.append(self.source(a) + (f"={self.source(default)}" if default is not None else ""))
        if args.kwarg:
            params.append("**" + self.source(args.kwarg))
        self.write(f"def {node.name}({', '.join(params)}):", self.start(node))
        subs = {}
        if self_name is not None or "self." in self.source(node):    # def forward(inputs): … self.w (the notes' slip)
            self_name = self_name or "self"
            for inner in ast.walk(node):
                if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == self_name:
                    subs[self.start(inner)] = (self.end(inner), inner.attr)
        self.lines(node.body, subs, "\n    ")
        self.write("\n" if not last else "", self.end(node))

    def lines(self, body: list, subs: dict, indent: str) -> None:
        """Each line of a block's statements after `indent` (a line break and the spaces the block is
        written at), the block's own indentation taken out."""
        depth = self.start(body[0]) - self.line_starts[body[0].lineno - 1]
        for statement in body:
            line, start, end = statement.lineno, self.start(statement), self.end(statement)
            while start < end:
                line_end = self.text.find("\n", start)
                line_end = end if line_end < 0 or line_end > end else line_end
                self.write(indent, start)
                self.copy(start, line_end, subs)
                start = line_end + 1
                if start < end:
                    row = self.line_starts[line]
                    line += 1
                    blank = len(self.text[row:end]) - len(self.text[row:end].lstrip(" \t"))
                    start = row + min(depth, blank)

    def comprehensions(self, statement, known: dict, aliases: dict) -> dict:
        """Where a statement's text is read otherwise: a name bound to a function (loss_func) as that
        function; [f(v) for v in xs] over what the text fixes as [f(a), f(b), …], and sum(f(v) for v in
        xs) (or of a list) as (f(a) + f(b) + …), Python's sum of the elements one by one."""
        subs = {self.start(node): (self.end(node), aliases[node.id][0]) for node in ast.walk(statement)
                if isinstance(node, ast.Name) and node.id in aliases and isinstance(node.ctx, ast.Load)}
        for node in ast.walk(statement):      # w, b = params: w = params[0]; b = params[1]
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple) and \
                    all(isinstance(e, ast.Name) for e in node.targets[0].elts) and isinstance(node.value, ast.Name) and \
                    node.value.id not in [e.id for e in node.targets[0].elts]:
                name = node.value.id
                subs[self.start(node)] = (self.end(node), "; ".join(f"{e.id} = {name}[{k}]"
                                                                    for k, e in enumerate(node.targets[0].elts)))
        done: list[tuple[int, int]] = []
        for node in ast.walk(statement):      # f(t, *params) with params = torch.tensor([1.0, 0.0]): params[0], params[1]
            if isinstance(node, ast.Starred) and isinstance(node.value, ast.Name) and \
                    isinstance(self.lengths.get(node.value.id), int):
                name = node.value.id
                subs[self.start(node)] = (self.end(node), ", ".join(f"{name}[{k}]" for k in range(self.lengths[name])))
        for node in ast.walk(statement):      # (outer ones first: one inside another is written with it)
            summed = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum" and \
                len(node.args) == 1 and not node.keywords and isinstance(node.args[0], (ast.ListComp, ast.GeneratorExp))
            made = node.args[0] if summed else node
            if not isinstance(made, (ast.ListComp, ast.GeneratorExp)) or \
                    any(low <= self.start(node) < high for low, high in done):
                continue
            if not summed and isinstance(made, ast.GeneratorExp):
                continue
            items = self.comprehension(made, known)
            if items is None:
                continue
            text = ("(" + " + ".join(items) + ")" if items else "0.0") if summed else "[" + ", ".join(items) + "]"
            subs = {at: sub for at, sub in subs.items() if not self.start(node) <= at < self.end(node)}
            subs[self.start(node)] = (self.end(node), text)
            done.append((self.start(node), self.end(node)))
        return subs

    def comprehension(self, node, known: dict) -> list | None:
        """The elements' texts of [f(v) for v in xs] when the text fixes xs (and any if in it), else None."""
        if len(node.generators) != 1 or node.generators[0].is_async:
            return None
        made = node.generators[0]
        elements = self.elements(made.iter, known, {})
        if elements is None:
            return None
        if elements.count > MOST_STEPS:
            raise _error(f"a comprehension over {elements.count} values is more than gradcalc unrolls ({MOST_STEPS})",
                         self.start(made.iter), len(self.source(made.iter)), "write what it computes as one formula")
        items = []
        for element in elements:
            subs, inner = {}, dict(known)
            self._bind(made.target, element, subs, inner)
            kept = [_static(test, inner) for test in made.ifs]
            if any(k is UNKNOWN for k in kept):
                return None
            if all(kept):
                items.append("".join(piece for piece, _, _ in self.expression(node.elt, subs)))
        return items

    def tape_call(self, helper, call) -> None:
        """grad_f(tf.constant(0.)) of def grad_f(x): with tf.GradientTape() as tape: …; return
        tape.gradient(value, x): the helper's lines at the top level, x = the argument given."""
        function, block, returned = helper
        params = [a.arg for a in function.args.args]
        for name, arg in zip(params, call.args):
            self.write(f"{name} = ", self.start(arg))
            self.copy(self.start(arg), self.end(arg), {})
            self.write("\n", self.start(arg))
        self.lines([block], {}, "\n")
        self.write("\n", self.start(returned))
        self.copy(self.start(returned.value), self.end(returned.value), {})
        self.said.append(f"{function.name}({', '.join(params)}) read as its lines, its tape's gradient the question")


class _Elements(list):
    """The elements a loop runs over (the first MOST_STEPS + 1 of them made) and how many there are."""

    def __init__(self, made, count=None):
        super().__init__(made)
        self.count = len(made) if count is None else count


class _Listed:
    """A name assigned a list or tuple written out (params = [w1, w2]): its elements."""

    __slots__ = ("elements",)

    def __init__(self, elements):
        self.elements = elements


_AUGMENTED = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}


def _number(value) -> str:
    value = float(value) if isinstance(value, bool) else value
    return repr(value) if value >= 0 else f"({value!r})"


def _place(node) -> dict:
    return {key: getattr(node, key) for key in ("lineno", "col_offset", "end_lineno", "end_col_offset")}


def _arguments(args) -> list:
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]


def _assigned(body: list) -> list[str]:
    """The names a block assigns, in order (nested blocks included)."""
    names = []
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
                names.append(node.id)
    return names


def _returns(body: list) -> bool:
    """Whether a block surely ends in a return (an if's: each branch's)."""
    last = body[-1] if body else None
    return isinstance(last, ast.Return) or isinstance(last, ast.If) and _returns(last.body) and _returns(last.orelse)


def _size(body: list, known: dict, depth: int = 0) -> int:
    """The statements a block is written out to, a for loop over range(n) the text fixes n times its body (a
    guess for what the text does not fix: its body once). Blocks nest no deeper than Python's parser allows."""
    total = 0
    for node in body:
        if isinstance(node, ast.For):
            count = 1
            if isinstance(node.iter, ast.Call) and isinstance(node.iter.func, ast.Name) and node.iter.func.id == "range":
                bounds = [_static(arg, known) for arg in node.iter.args]
                if bounds and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) and \
                        (len(bounds) < 3 or bounds[2]):
                    count = min(len(range(*bounds)), MOST_STEPS)
            total += count * _size(node.body, known, depth + 1)
        elif isinstance(node, ast.While):
            total += MOST_STEPS * _size(node.body, known, depth + 1)
        elif isinstance(node, ast.If):
            total += 1 + _size(node.body, known, depth + 1) + _size(node.orelse, known, depth + 1)
        else:
            total += 1
    return total


def _shows_only(node) -> bool:
    """Whether a statement computes nothing: pass, a string alone (a docstring), a print."""
    return isinstance(node, ast.Pass) or isinstance(node, ast.Expr) and (
        isinstance(node.value, ast.Constant) or isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "print")


def _may_stop(body: list) -> bool:
    """Whether a break or continue of this loop stands in its body (not in a loop inside it)."""
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Break, ast.Continue)):
            return True
        if isinstance(node, ast.If):
            todo.extend(node.body + node.orelse)
        elif isinstance(node, ast.With):
            todo.extend(node.body)
    return False


def _learn(statement, known: dict, unsure: bool = False, subs=None) -> None:
    """What an assignment tells of a name: a value the text fixes (n = 3, reset = True), a list of
    names (params = [w1, w2]), or nothing (any other value: the name is forgotten)."""
    targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
    before = known.get(targets[0].id) if len(targets) == 1 and isinstance(targets[0], ast.Name) else None
    for target in targets:
        for node in ast.walk(target) if target is not None else ():
            if isinstance(node, ast.Name):
                known.pop(node.id, None)
    if unsure or len(targets) != 1 or not isinstance(targets[0], ast.Name):
        return
    name = targets[0].id
    if isinstance(statement, ast.Assign):
        value = _static(statement.value, known)
        if value is not UNKNOWN:
            known[name] = value
        elif isinstance(statement.value, (ast.List, ast.Tuple)) and not subs and \
                all(isinstance(item, ast.Name) for item in statement.value.elts):
            known[name] = _Listed([_Element(item.id) for item in statement.value.elts])
    elif isinstance(statement, ast.AugAssign) and isinstance(before, _NUMBER) and type(statement.op) in _BINARY:
        value = _static(statement.value, known)
        if isinstance(value, _NUMBER):
            try:
                known[name] = _BINARY[type(statement.op)](before, value)
            except (ArithmeticError, ValueError):
                pass


_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
           ast.Pow: lambda a, b: a ** b}
_COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}


def _static(node, known: dict, depth: int = 0):
    """The value of an expression the text fixes (numbers, True/False, names given such values above,
    range, len of a list written out), or UNKNOWN. A short expression only (depth ≤ 20): no recursion
    follows the user's text further."""
    if depth > 20:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, (*_NUMBER, type(None))) else UNKNOWN
    if isinstance(node, ast.Name):
        value = known.get(node.id, UNKNOWN)
        return UNKNOWN if isinstance(value, _Listed) else value
    if isinstance(node, ast.UnaryOp):
        value = _static(node.operand, known, depth + 1)
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(node.op, ast.Not):
            return not value
        if not isinstance(value, _NUMBER):
            return UNKNOWN
        return -value if isinstance(node.op, ast.USub) else +value if isinstance(node.op, ast.UAdd) else UNKNOWN
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _static(node.left, known, depth + 1), _static(node.right, known, depth + 1)
        if not isinstance(left, _NUMBER) or not isinstance(right, _NUMBER):
            return UNKNOWN
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 2 ** 64):
            return UNKNOWN       # 10**10**10: not worked out here
        try:
            return _BINARY[type(node.op)](left, right)
        except (ArithmeticError, ValueError):
            return UNKNOWN
    if isinstance(node, ast.BoolOp):
        values = [_static(value, known, depth + 1) for value in node.values]
        if any(value is UNKNOWN for value in values):
            return UNKNOWN
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        values = [_static(value, known, depth + 1) for value in [node.left, *node.comparators]]
        if any(not isinstance(value, _NUMBER) for value in values):
            return UNKNOWN
        return all(_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:]))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot)):
        left, right = _static(node.left, known, depth + 1), _static(node.comparators[0], known, depth + 1)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        return (left is right) == isinstance(node.ops[0], ast.Is)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        args = [_static(arg, known, depth + 1) for arg in node.args]
        name = node.func.id
        if name == "len" and len(node.args) == 1:
            listed = known.get(node.args[0].id) if isinstance(node.args[0], ast.Name) else None
            if isinstance(listed, _Listed):
                return len(listed.elements)
            if isinstance(node.args[0], (ast.List, ast.Tuple)):
                return len(node.args[0].elts)
            return len(args[0]) if isinstance(args[0], (list, tuple, range)) else UNKNOWN
        if any(not isinstance(arg, _NUMBER) for arg in args) or not args:
            return UNKNOWN
        if name in ("int", "abs", "float", "min", "max", "bool"):
            try:
                return {"int": int, "abs": abs, "float": float, "min": min, "max": max, "bool": bool}[name](*args)
            except (TypeError, ValueError, OverflowError):
                return UNKNOWN
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_static(item, known, depth + 1) for item in node.elts]
        if len(values) <= MOST_STEPS and all(isinstance(value, _NUMBER) for value in values):
            return values if isinstance(node, ast.List) else tuple(values)
    return UNKNOWN


def _error(message: str, start: int, length: int, hint: str) -> GradcalcError:
    return GradcalcError(message, (start, start + max(length, 1)), hint=hint)
