"""Checking answers: expected gradients (numbers or formulas) and the numerical gradient check."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import GradcalcError, MathError
from .names import did_you_mean, is_name, unaccented
from .evaluate import Value, forward
from .graph import Graph
from .numbers import BadNumber, load_json, read_number
from .ops import OPS
from .parse import parse

# Formulas are also tried at random points near the given one; a fixed seed keeps runs reproducible.
SEED = 0
SAMPLES = 5
ELEMENTS = 20       # --check compares at most this many elements of an array input (a seeded sample)
RTOL, ATOL = 1e-6, 1e-12
MAX_WORK = 2_000_000    # node evaluations --check may spend (four per element checked): seconds


@dataclass(frozen=True)
class Answer:
    """`x=2*(x+y)`: what the student says ∂z/∂x is (or, for the output's own name, its value)."""

    name: str
    text: str                       # the answer as written
    number: Value | None = None     # a plain number (or array) given
    formula: Graph | None = None    # anything else: a formula in gradcalc's grammar
    malformed: GradcalcError | None = None   # why it cannot be graded (a sheet grades the rest)
    notes: tuple[str, ...] = ()     # how the formula's text was read (a statement computed for nothing)
    written_as_formula: bool = False   # a formula, judged and let go (see `judged`)
    review: str | None = None       # why a person should look at it (too long or costly to grade)
    blank: bool = False             # asked (by a teacher's copy of a sheet) and not given: wrong

    @property
    def kind(self) -> str:
        """malformed, number or formula (blank: not given)."""
        if self.blank:
            return "blank"
        if self.malformed is not None:
            return "malformed"
        return "formula" if self.formula is not None or self.written_as_formula else "number"

    def judged(self) -> Answer:
        """What a verdict keeps of the answer once judged: its kind, text, notes and error, not its
        parsed formula (a class of 60 000 distinct answers kept 60 000 graphs)."""
        if self.formula is None:
            return self
        return Answer(self.name, self.text, self.number, None, self.malformed, self.notes, True, self.review)

    @property
    def spec(self) -> str:
        return f"{self.name}={self.text}"

    def refused(self, error: GradcalcError) -> Answer:
        """The same answer, malformed for `error` (graded wrong), its notes kept."""
        return Answer(self.name, self.text, malformed=error, notes=self.notes, review=self.review)

    def error(self, message: str, span=None, hint=None, cls=GradcalcError) -> GradcalcError:
        """An error about the answer, with the caret placed in `NAME=ANSWER` as written."""
        offset = len(self.name) + 1
        span = None if span is None else (span[0] + offset, span[1] + offset)
        return cls(f"in the answer {self.name}=…: {message}", span, hint, self.spec)


def parse_answer(spec: str, keep_going: bool = False, limits=None, names=()) -> Answer:
    """`NAME=ANSWER` → Answer; a syntax error in the answer is a GradcalcError with its caret (with
    `keep_going`, an Answer carrying the error: malformed, but NAME is known). A formula is read
    within `limits` (a class grader's are tighter than a program's) by the program's own parse, with
    `names` (the problem's variables) as the names given values: 2xy is 2·x·y when x and y are."""
    try:
        return _parse_answer(spec, limits, names)
    except _BadAnswer as bad:
        if not keep_going:
            raise bad.error from None
        return bad.answer


class _BadAnswer(Exception):
    def __init__(self, answer: Answer, error: GradcalcError):
        self.answer, self.error = Answer(answer.name, answer.text, malformed=error), error


def _parse_answer(spec: str, limits=None, names=()) -> Answer:
    name, eq, text = spec.partition("=")
    name = unaccented(name.strip()) or name.strip()   # ŷ=0.5: the text's ŷ is y_hat
    if not eq or not is_name(name) or not text.strip():
        raise GradcalcError(f"an expected answer must be NAME=ANSWER, got {spec!r}",
                            hint='write --expect x=6 or --expect "x=2*(x+y)"')
    answer = Answer(name, text)
    number = None
    if read_number(text) is not None:   # the command line's numbers: ASCII digits, so not ٦
        number = np.float64(read_number(text))
    elif text.lstrip().startswith("["):
        from .arrays import nested_list_problem

        try:
            data = load_json(text)
            # true, null and strings are not numbers, even where numpy would cast them
            problem = nested_list_problem(data, name)
        except BadNumber as error:   # nested too deeply
            problem = f"not a number, an array of numbers, or a formula ({error})"
        except (ValueError, TypeError):   # not JSON: numbers as typed ([2., 3.], [pi/4, 1]), as --x reads them
            from .values import read_list

            try:
                data = read_list(text, name)
            except GradcalcError as error:
                raise _BadAnswer(answer, answer.error(
                    f"not a number, an array of numbers, or a formula ({error.message})",
                    error.span, error.hint)) from None
            problem = nested_list_problem(data, name)
        if problem and "not finite" not in problem:
            raise _BadAnswer(answer, answer.error(problem, (0, len(text)), 'write arrays as nested '
                                                  'lists of numbers: "[[1, 2], [3, 4]]"')) from None
        number = np.asarray(data, dtype=np.float64)
    if number is not None:
        if not np.all(np.isfinite(number)):   # 1e999 reads as inf, JSON takes NaN and Infinity
            raise _BadAnswer(answer, answer.error("not a finite number: inf, nan, or beyond a 64-bit "
                                                  "float", (0, len(text)), "numbers must be below "
                                                  "about 1.8e308; gradcalc never computes inf or nan"))
        return Answer(name, text, number=number)
    try:
        formula = parse_formula(text, limits, names)
    except GradcalcError as error:
        malformed = answer.error(error.message, error.span, error.hint)
        malformed.limit = getattr(error, "limit", None)   # over a limit: costly, not mistyped
        raise _BadAnswer(answer, malformed) from None
    return Answer(name, text, formula=formula, notes=tuple(formula.notes))


# Formulas that differ only in their numbers, each number as long as the other's (a class where
# every student writes `(2*(x+y))*1.0042/1.0042` with a number of their own), share one parse: the
# graph is the same but for its constants' values. Keyed by the text with its numbers masked.
_NUMBER = r"(?<![\w.])(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?![\w.])"
_NUMBER_RE = None
_PARSED: dict = {}
_PARSED_MOST = 256


def _mask(number) -> str:
    return "#" * len(number.group())


def parse_formula(text: str, limits=None, names=()) -> Graph:
    """parse(text, limits, names), or a graph already parsed from a text of the same shape with its
    numbers changed (and the same names given values)."""
    global _NUMBER_RE
    if _NUMBER_RE is None:    # compiled on first use: a plain question never needs it
        import re

        _NUMBER_RE = re.compile(_NUMBER)
    numbers = list(_NUMBER_RE.finditer(text))
    if not numbers:
        return parse(text, names=names) if limits is None else parse(text, limits, names)
    names = frozenset(names)
    key = (_NUMBER_RE.sub(_mask, text), limits, names)
    shaped = _PARSED.get(key)
    if shaped is not None:
        values = [float(m.group()) for m in numbers]
        if all(math.isfinite(value) for value in values):
            return _with_numbers(shaped, text, values)
    formula = parse(text, names=names) if limits is None else parse(text, limits, names)
    if shaped is None and _shaped(formula, numbers):
        if len(_PARSED) >= _PARSED_MOST:
            _PARSED.pop(next(iter(_PARSED), None), None)   # the oldest
        _PARSED[key] = formula
    return formula


def _shaped(formula: Graph, numbers: list) -> bool:
    """Whether the graph depends on its numbers only through their values: each number written is
    one constant node of that value, an input of elementwise ops that read no literal, and the graph
    holds no other constant, no default value and no note (a note quotes the text)."""
    spans = {(m.start(), m.end()): float(m.group()) for m in numbers}
    if formula.notes or formula.defaults or len(formula.constants) != len(spans):
        return False
    for node_id, value in formula.constants.items():
        node = formula.nodes[node_id]
        if node.name is not None or type(value) is not float or spans.get(node.span) != value:
            return False
    used = set()
    for node in formula.nodes:
        if node.op is not None:
            op = OPS[node.op]
            if not op.elementwise or any(op.literal):
                return False
            used.update(node.inputs)
    return used >= formula.constants.keys()


def _with_numbers(shaped: Graph, text: str, values: list[float]) -> Graph:
    """The graph of `shaped`'s text for `text`: the same nodes and spans, its constants' values
    those written in `text` (in the order written, as the constants' spans are)."""
    formula = shaped.copy()
    formula.text = text
    ids = sorted(formula.constants, key=formula.nodes.span)
    formula.constants = dict(zip(ids, values))
    return formula


@dataclass
class Verdict:
    """One answer judged: right or wrong, with the values compared and where it went wrong."""

    answer: Answer
    quantity: str                   # "∂z/∂x" or "z"
    expected: Value | None          # the answer's value at the given point (None: undefined there)
    computed: Value
    ok: bool
    points: int = 1                 # how many points the answer was compared at
    failure: str | None = None      # why it is wrong, when it is
    entry: Any = None               # diagnose.Entry: right, follow-through or wrong, and the mistake
    wrong_shape: bool = False       # its array cannot be the quantity's: no slip of the pass explains it


@dataclass
class Checks:
    """Everything checked for one evaluation: expected answers and the numerical gradient."""

    verdicts: list[Verdict] = field(default_factory=list)
    numerical: list[NumericalCheck] = field(default_factory=list)
    rtol: float = RTOL
    atol: float = ATOL
    seed: int = SEED
    samples: int = SAMPLES     # random points near the given one a formula is also compared at

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts) and all(c.ok for c in self.numerical)

    @property
    def failed(self) -> bool:
        """Some answer is wrong or some gradient differs (exit 1); else, if not ok, some input
        could not be checked at this point (exit 4)."""
        return not all(v.ok for v in self.verdicts) or any(c.status == "mismatch" for c in self.numerical)

    def error(self) -> GradcalcError:
        """What the command line raises when not ok: CheckFailed (exit 1) or NotCheckable (exit 4)."""
        from .errors import CheckFailed, NotCheckable

        if self.failed:
            return CheckFailed(self.summary())
        unchecked = [c for c in self.numerical if c.status == "not checkable"]
        names = ", ".join(c.name for c in unchecked)
        why = ("the point is on a kink, where the gradient is a convention" if all(
            (c.near_kink or "").startswith("on a kink") for c in unchecked) else
            "the differences are not finite on either side of the point")
        return NotCheckable(f"the gradient of {names} cannot be checked here: {why}",
                            hint="the backprop gradient is shown; check it at a point nearby")

    def summary(self) -> str:
        wrong = [v for v in self.verdicts if not v.ok]
        off = [c for c in self.numerical if c.status == "mismatch"]
        parts = []
        if wrong:
            parts.append(f"{len(wrong)} of {len(self.verdicts)} expected answer{'' if len(self.verdicts) == 1 else 's'} "
                         f"{'is' if len(wrong) == 1 else 'are'} wrong "
                         f"({', '.join(v.answer.name for v in wrong)})")
        if off:
            parts.append(f"the gradient of {', '.join(c.name for c in off)} differs from the "
                         f"numerical gradient beyond the tolerance")
        return "; ".join(parts)


def fits(given_shape: tuple, computed_shape: tuple) -> bool:
    """Whether an answer of `given_shape` can be a quantity of `computed_shape`: the same shape, or a
    single number standing for every element. Broadcasting is not enough: [[1], [2]] is not a 2×3
    gradient, nor [1] a 3-vector's."""
    return given_shape == computed_shape or given_shape == ()


def close(expected: Value, computed: Value, rtol: float, atol: float) -> bool:
    """|expected − computed| ≤ atol + rtol·|computed| everywhere, shapes agreeing (`fits`)."""
    expected, computed = np.asarray(expected), np.asarray(computed)
    if not fits(expected.shape, computed.shape):
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(expected - computed) <= atol + rtol * np.abs(computed)))


def named_values(result_graph: Graph, values: list[Value]) -> dict[str, Value]:
    """The values an answer may use: the inputs and every named intermediate (`t = x + y`)."""
    # off the names column: a Node made per node was most of an all-distinct class's grading time
    return {name: values[node_id] for node_id, name in enumerate(result_graph.nodes.names) if name is not None}


def _formula_value(formula: Graph, env: dict[str, Value]) -> Value:
    from .result import bind

    inputs = bind(formula, {name: env[name] for name in formula.variables if name in env})
    return forward(formula, inputs)[formula.output]


def describe_point(inputs: dict[str, Value]) -> str:
    from .numbers import format_value

    return ", ".join(f"{name} = {' '.join(format_value(value, 6).split())}" for name, value in inputs.items())


def _pieces(graph: Graph, values: list[Value]) -> list:
    """Which smooth piece every kink (relu, abs, sign, max) is on: the sign of its input, or where
    the maximum is."""
    return [OPS[node.op].piece(*(values[i] for i in node.inputs), values[node.id])
            for node in graph.nodes if node.op is not None and OPS[node.op].piece is not None]


class Nearby:
    """Random points near the given one where the problem itself is defined and every kink is on the
    same side as at the given point (a relu answer is only right where the relu is active), drawn once
    and shared."""

    def __init__(self, result, seed: int, count: int):
        self.result, self.count = result, count
        self.rng = np.random.default_rng(seed)
        self._points: list | None = None

    @property
    def points(self) -> list:
        if self._points is None:
            self._points = self._draw()
        return self._points

    def _draw(self) -> list:
        from .result import evaluate

        result, points, scale = self.result, [], 0.5
        given = _pieces(result.graph, result.values)
        for attempt in range(20 * self.count):
            if len(points) == self.count:
                break
            if attempt and attempt % (2 * self.count) == 0:
                scale /= 4  # near a domain edge (log x at small x) or a kink: draw closer
            inputs = {}
            for name, value in result.inputs.items():
                step = self.rng.uniform(-1.0, 1.0, np.shape(value)) * scale * np.maximum(1.0, np.abs(value))
                inputs[name] = np.float64(value + step) if np.ndim(value) == 0 else value + step
            try:
                point = evaluate(result.graph, inputs, result.wrt, result.upstream)
            except MathError:
                continue
            if all(np.array_equal(a, b) for a, b in zip(given, _pieces(point.graph, point.values))):
                points.append(point)
        return points


def check_answers(result, answers: list[Answer], rtol: float = RTOL, atol: float = ATOL,
                  seed: int = SEED, samples: int = SAMPLES, keep_going: bool = False,
                  in_sheet: bool = False) -> list[Verdict]:
    """Judge each answer at the given point; formulas also at `samples` random points near it.

    An answer names an input (∂z/∂x), a named intermediate (∂z/∂t, the gradient flowing into it)
    or the output itself (its value). A malformed answer (a syntax error, an unknown name) is bad
    input; with `keep_going` it is judged wrong instead, and the others are judged as usual.
    `in_sheet`: the answers are a sheet's [problem.expect], and an unknown name is said so.
    """
    graph = result.graph
    answers = [_as_named(graph, answer) for answer in answers]   # alpha=9 is about the text's α
    wanted = answer_inputs(graph, answers)
    if result.wrt and not set(wanted) <= set(result.wrt):
        # --wrt skipped the other gradients, and answers may be about them: compute those asked
        # about, and only those (∂/∂y of x**y at x < 0 is nan, and no answer needs it).
        from .result import evaluate

        wrt = tuple(result.wrt) + tuple(name for name in wanted if name not in result.wrt)
        result = evaluate(graph, result.inputs, wrt, result.upstream)
    available = named_values(graph, result.values)
    for answer in answers:  # every name is checked before anything is computed
        if answer.name not in available and answer.name != result.output_name:
            close_name = did_you_mean(answer.name, available)
            hint = (f"did you mean {close_name}?" if close_name else
                    f"name an input or a named intermediate ({', '.join(available) or 'none'}) or "
                    f"the output {result.output_name}")
            if in_sheet:   # the sheet's TOML, not the answer's text, is what the user wrote
                raise GradcalcError(f"[problem.expect] {answer.name}: the expression has no input or "
                                    f"named value {answer.name}", hint=hint)
            raise GradcalcError(f"--expect {answer.name}=…: the expression has no input or named "
                                f"value {answer.name}", (0, len(answer.name)), hint, answer.spec)
    answers = [readable(answer, graph, available) for answer in answers]
    malformed = next((answer.malformed for answer in answers if answer.malformed), None)
    if malformed and not keep_going:
        raise malformed
    nearby = Nearby(result, seed, samples)
    if not keep_going:
        return [judge_answer(result, answer, available, nearby, rtol, atol) for answer in answers]
    verdicts = []
    for answer in answers:
        try:
            verdicts.append(judge_answer(result, answer, available, nearby, rtol, atol))
        except GradcalcError as error:   # shapes that do not fit, an op refusing its inputs
            verdicts.append(unjudgeable(answer, error, *answer_target(result, answer.name)))
    return verdicts


# One answer far longer than any honest one is that answer's failure, never its sheet's or class's
# (a 131 073-character cell was exit 2; a 500 000-character hand-in answer printed 3 MB).
MAX_ANSWER = 20_000          # characters


def unjudgeable(answer: Answer, error: GradcalcError, quantity: str, computed) -> Verdict:
    """The verdict on an answer that cannot be evaluated (its shapes do not fit, an op refuses its
    inputs, it is over a limit): malformed, judged wrong, never the end of the other answers."""
    malformed = answer.error(error.message, error.span, error.hint)
    malformed.limit = getattr(error, "limit", None)   # over a limit: a class marks it for review
    return Verdict(answer.refused(malformed), quantity, None, computed, False, 0, f"malformed: {error.message}")


def _as_named(graph: Graph, answer: Answer) -> Answer:
    """The answer under its name as the text has it (result.text_name: alpha is α, as --alpha is),
    and so the names its formula uses."""
    from dataclasses import replace

    from .result import text_name

    name = text_name(graph, answer.name)
    formula = answer.formula
    renamed = {} if formula is None else \
        {v: named for v in formula.variables if (named := text_name(graph, v)) != v and graph.node_of(v) is None}
    if renamed:    # x=2*alpha*x: the formula's alpha is the text's α too
        formula = formula.copy()
        formula.variables = {renamed.get(v, v): i for v, i in formula.variables.items()}
        for v, i in formula.variables.items():
            formula.rename(i, v)
    return answer if name == answer.name and not renamed else replace(answer, name=name, formula=formula)


def answer_inputs(graph: Graph, answers: list[Answer]) -> tuple[str, ...]:
    """The inputs whose gradients the answers need: those they name, and for an answer about a named
    intermediate (∂z/∂t) the inputs t depends on, so the backward pass reaches t. The output's own
    value needs no gradient. In the order of the graph's variables."""
    wanted: set[int] = set()
    for answer in answers:
        if answer.name in graph.variables:
            wanted.add(graph.variables[answer.name])
            continue
        node = graph.node_of(answer.name)
        if node is None or node == graph.output:
            continue
        stack, seen = [node], {node}   # the inputs below t, walked without recursion
        while stack:
            below = graph.nodes[stack.pop()]
            if below.op is None and below.name in graph.variables:
                wanted.add(below.id)
            for i in below.inputs:
                if i not in seen:
                    seen.add(i)
                    stack.append(i)
    return tuple(name for name, node_id in graph.variables.items() if node_id in wanted)


def readable(answer: Answer, graph: Graph, available) -> Answer:
    """The answer if it may be graded as written, else a malformed one saying why: its formula uses
    only names the problem has (see `_unknown_names`) and is a formula of them (see `confine`)."""
    return confine(_unknown_names(answer, available), graph)


def confine(answer: Answer, graph: Graph) -> Answer:
    """The answer, or a malformed one if its formula could pass without being a formula of the
    problem's inputs: it assigns a name the problem has (`x = 0; y = 0; x + y + 3` was compared at
    the given point only, its variables all given values inside it), answers the output's value
    with the output itself or the intermediates it is computed from (`price` for price), or uses
    the output in a gradient. A helper name of its own (`s = x + y; 2*s`) is fine, and so is naming
    its last statement after the quantity asked (`z = x*y`)."""
    formula = answer.formula
    if formula is None or answer.malformed is not None:
        return answer
    inputs, output = set(graph.variables), graph.output_name
    computed = set(graph.intermediates()) | {output}
    for name, node_id in formula.variables.items():
        if name in formula.defaults and (name in inputs or name in computed):
            kind = "input" if name in inputs else "value"
            return answer.refused(answer.error(
                f"{name} = … gives the problem's {kind} {name} a value inside the answer",
                formula.nodes[node_id].span, "an answer is a formula of the problem's names, not new "
                "values for them: write the formula alone, e.g. 2*(x+y)"))
    nodes = formula.nodes
    for node_id, (op, name) in enumerate(zip(nodes.ops, nodes.names)):
        named = name is not None and op is not None and name not in formula.variables
        if named and (name in inputs or (name in computed and node_id != formula.output)):
            return answer.refused(answer.error(
                f"{name} = … assigns the problem's {'input' if name in inputs else 'value'} "
                f"{name} inside the answer", nodes.span(node_id),
                "an answer is a formula of the problem's names: give a helper value a name of its own"))
    used = [name for name in formula.variables if name not in formula.defaults]
    if answer.name == output:   # the value: what the expression computes, written in its inputs
        wrong = next((name for name in used if name not in inputs), None)
        if wrong is not None:
            return answer.refused(answer.error(
                f"the value of {output} is asked, and {wrong} is " + (
                    "the output itself" if wrong == output else f"a value {output} is computed from"),
                formula.nodes[formula.variables[wrong]].span,
                f"write the value as a number, or as a formula of the inputs "
                f"({', '.join(graph.variables) or 'none'})"))
    elif output in used:
        return answer.refused(answer.error(
            f"the answer uses the output {output} itself", formula.nodes[formula.variables[output]].span,
            f"write {output}'s formula out, in the inputs and named intermediates"))
    return answer


def _unknown_names(answer: Answer, available) -> Answer:
    """The answer, or (if its formula uses a name the problem does not have) a malformed one."""
    for name, node_id in (answer.formula.variables.items() if answer.formula else ()):
        if name not in available and name not in answer.formula.defaults:
            close_name = did_you_mean(name, available)
            hint = (f"did you mean {close_name}?" if close_name else
                    f"an answer may use {', '.join(available)}")
            return answer.refused(answer.error(
                f"unknown name {name}", answer.formula.nodes[node_id].span, hint))
    return answer


def answer_target(result, name: str) -> tuple[str, Value]:
    """What an answer named `name` is compared with: a gradient, or the output's value."""
    graph, out = result.graph, result.output_name
    of = result.loss or out     # with --upstream the gradients are ∂L/∂…, as the Result says
    if name in graph.variables:
        return f"∂{of}/∂{name}", result.grad_of(name)
    if name == out:
        return out, result.value
    node = graph.node_of(name)
    grad = result.grads[node]
    return f"∂{of}/∂{name}", np.zeros_like(result.values[node]) if grad is None else grad


def shape_failure(result, name: str, quantity: str, given: Value, computed: Value, rtol: float,
                  atol: float) -> str | None:
    """Why an answer cannot be the quantity by its shape alone ("your answer has shape (1, 2); ∂z/∂W
    has W's shape (2, 1)", and whether it is the right answer transposed or the right numbers in
    another shape); None when it has the quantity's shape or is a single number (`fits`)."""
    given, computed = np.asarray(given), np.asarray(computed)
    if fits(given.shape, computed.shape):
        return None
    output = result.graph.output_name
    whose = "shape" if name == output else f"{name}'s shape"   # a gradient has its input's shape
    said = (f"your answer {_shape_words(given.shape)}; {quantity} "
            f"{'is a single number' if not computed.ndim else f'has {whose} {computed.shape}'}")
    if given.ndim == 2 and given.shape == computed.shape[::-1] and close(given.T, computed, rtol, atol):
        return said + "; it is the transpose of the right answer"
    if given.size == computed.size and close(given.reshape(computed.shape), computed, rtol, atol):
        return said + "; it has the right numbers in the wrong shape"
    return said


def _shape_words(shape: tuple[int, ...]) -> str:
    return "is a single number" if not shape else f"has shape {shape}"


def judge_answer(result, answer: Answer, available, nearby: Nearby, rtol, atol) -> Verdict:
    from .numbers import format_value

    quantity, computed = answer_target(result, answer.name)
    if answer.malformed is not None:
        return Verdict(answer, quantity, None, computed, False, 0,
                       answer.malformed.message if answer.blank else f"malformed: {answer.malformed.message}")
    if answer.formula is None:
        ok = close(answer.number, computed, rtol, atol)
        shape = None if ok else shape_failure(result, answer.name, quantity, answer.number, computed, rtol, atol)
        return Verdict(answer, quantity, answer.number, computed, ok,
                       failure=None if ok else shape or "differs from the computed value",
                       wrong_shape=shape is not None)
    try:
        expected = _formula_value(answer.formula, available)
    except MathError as error:
        return Verdict(answer, quantity, None, computed, False,
                       failure=f"the answer is undefined at the given point: {error.message}")
    if not close(expected, computed, rtol, atol):
        shape = shape_failure(result, answer.name, quantity, expected, computed, rtol, atol)
        return Verdict(answer, quantity, expected, computed, False,
                       failure=shape or "differs from the computed value at the given point",
                       wrong_shape=shape is not None)
    # A formula without variables is a number written as arithmetic: only the given point counts.
    uses = [name for name in answer.formula.variables if name not in answer.formula.defaults]
    if not uses:
        return Verdict(answer, quantity, expected, computed, True)
    for i, point in enumerate(nearby.points):
        _, there = answer_target(point, answer.name)
        where = describe_point(point.inputs)
        try:
            value = _formula_value(answer.formula, named_values(point.graph, point.values))
        except MathError as error:
            return Verdict(answer, quantity, expected, computed, False, 2 + i,
                           f"right at the given point, but undefined at {where} ({error.message})")
        if not close(value, there, rtol, atol):
            return Verdict(answer, quantity, expected, computed, False, 2 + i,
                           f"right at the given point only: at {where} the answer gives "
                           f"{format_value(value)} but {quantity} = {format_value(there)}")
    return Verdict(answer, quantity, expected, computed, True, 1 + len(nearby.points))


# The numerical gradient check ------------------------------------------------------------------

@dataclass(frozen=True)
class NumericalCheck:
    """Backprop beside central differences for one input: the textbook's gradient check.

    `status` is "ok", "mismatch", or "not checkable": at some element the differences are not finite
    (the expression overflows or is undefined on both sides of the point), so there is nothing to
    compare with — neither ✓ nor ✗ (exit 4)."""

    name: str
    backprop: Value                 # at the elements checked (all of them unless the input is large)
    numerical: Value                # nan where an element is not checkable
    relative_error: float | None    # max over checkable elements of |a − n| / max(|a|, |n|)
    ok: bool
    checked: int = 1                # elements compared
    size: int = 1                   # elements the input has
    status: str = "ok"
    near_kink: str | None = None    # "one-sided" or "on a kink", and of which op: said under the table


def _output_sum(graph: Graph, inputs: dict[str, Value], seed: Value) -> float:
    # Backward starts from `seed` (ones for an array output): the scalar it differentiates is Σ seed·z.
    with np.errstate(all="ignore"):   # a sum that overflows is inf: not checkable, not a warning
        return float(np.sum(seed * forward(graph, inputs)[graph.output]))


def numerical_gradient(result, name: str, elements: list | None = None) -> tuple[Value, float, dict]:
    """Central differences for each element of input `name` (or for the listed index tuples only, as
    a 1-D array); the floor set by rounding error; and for the elements next to a kink (relu, abs,
    max …) how they were differenced: {index: ("one-sided" | "on a kink", the kinked ops)}. An
    element with no finite difference quotient on either side of the point is nan (not checkable).

    gradcalc's one finite-difference helper. Each element's step is chosen by `_difference`: scaled to
    the point, and shrunk until the estimate stops changing, so a pole or domain edge near the point
    (log x at x = 1e-4) is not stepped over.
    """
    graph, seed = result.graph, result.grads[result.graph.output]
    inputs = dict(result.inputs)   # a copy: the result's own inputs stay as they were
    base = np.array(inputs[name], dtype=np.float64)
    grad, noise = np.empty_like(base), np.empty_like(base)
    f0 = _output_sum(graph, inputs, seed)
    kinked = [node for node in graph.nodes if node.op is not None and OPS[node.op].piece is not None]
    given = _pieces(graph, result.values) if kinked else None
    near: dict = {}

    def moved(index, delta):
        point = base.copy()
        point[index] += delta
        inputs[name] = np.float64(point) if point.ndim == 0 else point

    def f(index, delta) -> float:
        moved(index, delta)
        return _output_sum(graph, inputs, seed)

    def crossed(index, delta) -> list[str]:
        """The kinked ops whose piece differs at the point moved by delta (all, if undefined there)."""
        moved(index, delta)
        try:
            with np.errstate(all="ignore"):
                there = _pieces(graph, forward(graph, inputs))
        except MathError:
            return [node.op for node in kinked]
        return [node.op for node, a, b in zip(kinked, given, there) if not np.array_equal(a, b)]

    def one(index):
        estimate, rounding, how = _difference(f, f0, index, base[index], crossed if kinked else None)
        if how is not None:
            near[index] = how
        return estimate, rounding

    if elements is not None:
        found = [one(index) for index in elements]
        return (np.array([g for g, _ in found]), max((n for _, n in found), default=0.0),
                {i: near[index] for i, index in enumerate(elements) if index in near})
    for index in np.ndindex(base.shape):
        grad[index], noise[index] = one(index)
    flat = {int(np.ravel_multi_index(index, base.shape)) if base.ndim else 0: how for index, how in near.items()}
    return (np.float64(grad) if base.ndim == 0 else grad), (float(np.max(noise)) if noise.size else 0.0), flat


def sample_elements(shape: tuple[int, ...], limit: int, seed: int = SEED) -> list | None:
    """A seeded random sample of `limit` element indices, or None when the array is small enough to
    check whole (each element costs four evaluations of the expression)."""
    size = int(np.prod(shape))
    if size <= limit:
        return None
    flat = np.sort(np.random.default_rng(seed).choice(size, limit, replace=False))
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat]


EPS = float(np.finfo(np.float64).eps)
LADDER = 8          # steps tried per element, each an eighth of the one before


def _steps(top: float, bottom: float) -> list[float]:
    """From `top` down by eighths, LADDER of them, then `bottom` if that is smaller still."""
    steps = [top / 8 ** k for k in range(LADDER)]
    if bottom < steps[-1] / 2:
        steps.append(bottom)
    return steps


def _difference(f, f0: float, index, x: float, crossed=None) -> tuple[float, float, tuple | None]:
    """One partial derivative by differences, and the rounding error it may carry (nan, 0 where the
    differences are not finite on either side: not checkable).

    Richardson's (4·D(h) − D(2h))/3 cancels the h² term of central differences D, so cubics come out
    exact. The first step, ε^⅓·max(1, |x|), balances truncation against rounding; a step is accepted
    once D(h) and D(2h) agree (what is left of the truncation error is then far below rounding),
    else it shrinks by eighths down to ε^⅓·|x|, a step scaled to the point (log x at x = 1e-4), and
    if none agrees the estimate that changed least from the step before is used. A step of |x|/2
    or more straddles 0, where 1/x and x**-2 have their pole (and x**-2 is even: the differences
    are 0 at every such step), so there the estimate is compared with one from steps that stay on
    x's side of 0. Where one side is outside the domain, one-sided differences take the same ladder.

    With `crossed` (the kinked ops a move lands on another piece of): where the widest step on one
    side crosses a kink (a relu whose input is 1.4e-17) and on the other does not, one-sided
    differences from the other side; where both do, the point is on a kink. The third value says so.
    """
    top = EPS ** (1 / 3) * max(1.0, abs(x))
    bottom = EPS ** (1 / 3) * abs(x) if x != 0 else top
    if crossed is not None:
        above, below = crossed(index, 2 * top), crossed(index, -2 * top)
        if above or below:
            ops = ", ".join(dict.fromkeys(above + below))
            if not (above and below):   # one side stays on the point's piece: difference there only
                sides = ((1.0, False),) if not above else ((-1.0, False),)
                found = _ladder(f, f0, index, x, _steps(top, bottom), sides)
                if found is not None:
                    return found[0], found[1], ("one-sided", ops, "above" if not above else "below")
            found = _ladder(f, f0, index, x, _steps(top, bottom))
            return ((math.nan, 0.0) if found is None else found[:2]) + (("on a kink", ops, None),)
    found = _ladder(f, f0, index, x, _steps(top, bottom))
    if found is not None and x != 0 and found[2] >= abs(x) / 2:
        inside = _ladder(f, f0, index, x, _steps(abs(x) / 4, bottom))
        if inside is not None:
            (a, noise_a, _), (b, noise_b, _) = found, inside
            if abs(a - b) > noise_a + noise_b + math.sqrt(EPS) * max(abs(a), abs(b)):
                found = inside
    return ((math.nan, 0.0) if found is None else found[:2]) + (None,)


def _ladder(f, f0: float, index, x: float, steps: list[float],
            sides=((1.0, True), (1.0, False), (-1.0, False))) -> tuple[float, float, float] | None:
    """(estimate, rounding error, step): central differences down the ladder, else one-sided ones
    (or only the `sides` given: (sign, central) pairs)."""
    for sign, central in sides:
        best, previous = None, None
        for h in steps:
            step = sign * ((x + h) - x)     # exactly representable at x
            if step == 0:
                continue
            try:
                plus, plus2 = f(index, step), f(index, 2 * step)
                minus, minus2 = (f(index, -step), f(index, -2 * step)) if central else (f0, f0)
            except MathError:
                continue
            with np.errstate(all="ignore"):
                if central:
                    near, far = (plus - minus) / (2 * step), (plus2 - minus2) / (4 * step)
                    scale = max(abs(plus2), abs(minus2), abs(plus), abs(minus))
                else:   # one side: (−3f(x) + 4f(x+h) − f(x+2h)) / 2h, second order
                    near, far = (plus - f0) / step, (plus2 - f0) / (2 * step)
                    scale = max(abs(f0), abs(plus), abs(plus2))
                # Both cancel the h² term: (4·near − far)/3 centrally, 2·near − far from one side;
                # written as near + … so that huge values do not overflow.
                estimate = near + (near - far) / 3 if central else near + (near - far)
                noise = (8 * EPS / abs(step)) * scale
            if not (math.isfinite(estimate) and math.isfinite(noise)):
                continue
            if abs(near - far) <= math.sqrt(EPS) * abs(estimate) + noise:
                return estimate, noise, abs(step)
            change = math.inf if previous is None else abs(estimate - previous)
            if best is None or change < best[3]:
                best = (estimate, noise, abs(step), change)
            previous = estimate
        if best is not None:
            return best[:3]
    return None


def check_numerically(result, rtol: float = RTOL, atol: float = ATOL, limit: int = ELEMENTS,
                      seed: int = SEED) -> list[NumericalCheck]:
    """The backprop gradient of every reported input against central differences; an input with
    more than `limit` elements is checked at a seeded random sample of them."""
    computed = [name for name in result.gradient if name not in result.graph.variables]
    if computed:
        raise GradcalcError(f"--check perturbs inputs; {computed[0]} is a named intermediate "
                            f"(computed by the program)", hint="check the inputs' gradients: choose "
                            "inputs with --wrt, or compare the intermediate with --expect")
    checked = sum(min(int(np.prod(np.shape(result.inputs[name]))), limit) for name in result.gradient)
    work = 4 * checked * len(result.graph.nodes)
    if work > MAX_WORK:   # a program can declare thousands of inputs (`a1 = 1; …`): stay within seconds
        raise GradcalcError(f"--check would evaluate the expression {4 * checked:,} times over "
                            f"{len(result.graph.nodes):,} nodes; at most {MAX_WORK:.0e} node "
                            f"evaluations are allowed", hint="check fewer inputs with --wrt NAME")
    checks = []
    for name, backprop in result.gradient.items():
        shape = np.shape(result.inputs[name])
        elements = sample_elements(shape, limit, seed)
        numerical, noise, near = numerical_gradient(result, name, elements)
        if elements is not None:
            backprop = np.asarray(backprop)[tuple(np.array(elements).T)]
        a, n = np.asarray(backprop, dtype=np.float64), np.asarray(numerical)
        checkable = np.isfinite(n)
        on_kink = np.zeros(a.shape, dtype=bool).ravel()
        for flat, (how, _, _) in near.items():
            on_kink[flat] = how == "on a kink"
        on_kink = on_kink.reshape(a.shape)
        with np.errstate(all="ignore"):
            diff = np.abs(a - n)
            scale = np.maximum(np.abs(a), np.abs(n))
            # Below atol/rtol the comparison is absolute, and so is the error shown: 1e-14 against
            # 0 was "relative error 1" beside a ✓.
            floor = np.maximum(scale, atol / rtol if rtol > 0 else 0.0)
            relative = np.where(floor > 0, diff / np.where(floor > 0, floor, 1.0), 0.0)[checkable]
            # The difference quotient is itself only good to about `noise`: allow for it.
            off = (diff > atol + rtol * scale + noise) & checkable
        # On a kink the backprop gradient is a convention (relu′(0) = 0): differences straddling it
        # can neither confirm nor refute it.
        status = ("mismatch" if np.any(off & ~on_kink) else "not checkable" if np.any(off) or
                  not checkable.all() else "ok")
        kink = None
        if near:
            hows = [how for how, _, _ in near.values()]
            ops = ", ".join(dict.fromkeys(op for _, names, _ in near.values() for op in names.split(", ")))
            kink = ("on a kink" if "on a kink" in hows else "one-sided") + f" ({ops})"
        checks.append(NumericalCheck(name, backprop, numerical,
                                     float(np.max(relative)) if relative.size else None, status == "ok",
                                     int(a.size), int(np.prod(shape)), status, kink))
    return checks


def run_checks(result, answers: list[Answer], numerical: bool = False, rtol: float = RTOL,
               atol: float = ATOL, seed: int = SEED) -> Checks:
    """Expected answers and (if asked) the numerical gradient check, for one evaluation; a wrong
    answer's mistake named (diagnose.py)."""
    from .diagnose import diagnose_verdicts

    verdicts = check_answers(result, answers, rtol, atol, seed)
    diagnose_verdicts(result, verdicts, rtol, atol)
    return Checks(verdicts, check_numerically(result, rtol, atol, seed=seed) if numerical else [],
                  rtol, atol, seed)
