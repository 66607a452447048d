"""Homework sheets: several problems, each an expression, a point and expected answers, graded with a score."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from .check import ATOL, MAX_ANSWER, RTOL, SEED, Answer, Verdict, check_answers, describe_point, parse_answer
from .points import MAX_POINTS, exact
from .errors import GradcalcError, MissingValue, visible
from .numbers import describe, number_problem
from .names import did_you_mean
from .tolerance import EXACT, KEYS, Rule, looser, overridden, read_rule, rejudged, said, set_by

_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*problem[ \t]*\]\]", re.M)
SHEET_KEYS = ("title", "rtol", "atol", "sigfigs", "decimals", "follow_through", "seed", "problem")   # seed: variants.py
# id, answers: classroom.py; rtol, atol, sigfigs, decimals: the problem's own tolerance (tolerance.py)
PROBLEM_KEYS = ("name", "expression", "at", "expect", "points", "id", "answers", "rtol", "atol", "sigfigs",
                "decimals")


@dataclass
class Problem:
    number: int                      # 1, 2, … in the order of the sheet
    name: str
    expression: str
    at: dict[str, Any]
    answers: list[Answer]
    points: float = 1.0              # what the problem is worth; answers share it equally
    rule: Rule | None = None         # its own tolerance (rtol, atol, sigfigs, decimals), else the sheet's
    # From a teacher's copy (--rules): each answer's points and tolerance, where they are its own.
    worths: list[Fraction] | None = None
    rules: list[Rule] | None = None
    # `answers = { x = { points = 2, rtol = … } }` beside [problem.expect]: a class's or a teacher's copy's
    # per-answer points and tolerances, which grading the sheet's own answers cannot honour.
    per_answer: bool = False
    result: Any = None               # computed already (by the teacher's copy): grade computes it once
    keys: tuple[str, ...] = ()       # the tolerance keys its own table sets (rtol, sigfigs, …)

    @property
    def where(self) -> str:
        """How errors name it: `problem 2 (The apple shop)`."""
        unnamed = self.name == f"problem {self.number}"
        return f"problem {self.number}" + ("" if unnamed else f" ({self.name})")


@dataclass
class BaseSheet:
    """What a homework sheet and a class sheet both have: problems and how their answers are judged."""
    title: str
    problems: list
    rtol: float = RTOL
    atol: float = ATOL
    follow_through: float = 0.0      # the credit of an answer right from the student's own wrong values
    # The sheet's tolerance: rtol and atol, or sigfigs or decimals; none set, the default for answers
    # computed by hand (a class's, a hand-in's on its own, a quiz's alike: tolerance.Rule).
    rule: Rule = Rule()


@dataclass
class Sheet(BaseSheet):
    problems: list[Problem]
    # Its TOML as read and where from: an error about it (a hand-in unlike the teacher's copy) has a caret.
    text: str = field(default="", repr=False)
    source: str = "the sheet"
    keys: tuple[str, ...] = ()       # the tolerance keys the sheet itself sets


@dataclass
class Graded:
    problem: Problem
    result: Any                      # the api.Result at the problem's point
    verdicts: list[Verdict]
    follow_through: float = 0.0
    rules: list[Rule] = field(default_factory=list)   # the rule each answer was judged by
    rule: Rule | None = None                           # the problem's, the grader's flags applied

    @property
    def right(self) -> int:
        return sum(v.ok for v in self.verdicts)

    @property
    def earned(self) -> Fraction:
        """Exact: 0.1 points for 1 of 3 answers is 1/30, and three thirds are the whole; an answer
        right from the student's own earlier values earns the sheet's follow_through share."""
        share = exact(self.problem.points) / len(self.verdicts)
        worths = self.problem.worths or [share] * len(self.verdicts)
        carried = sum((w for v, w in zip(self.verdicts, worths)
                       if v.entry is not None and v.entry.status == "follow-through"), Fraction(0))
        right = sum((w for v, w in zip(self.verdicts, worths) if v.ok), Fraction(0))
        return right + (exact(self.follow_through) * carried if carried else 0)


@dataclass
class Report:
    sheet: Sheet
    graded: list[Graded] = field(default_factory=list)
    seed: int = SEED
    rtol: float = RTOL
    atol: float = ATOL
    # What the hand-in set for itself and was not used (graded with a teacher's copy, --rules).
    ignored: list[str] = field(default_factory=list)
    unasked: list[str] = field(default_factory=list)   # its answers the teacher's copy does not ask for

    @property
    def score(self) -> Fraction:
        return sum((g.earned for g in self.graded), Fraction(0))

    @property
    def total(self) -> Fraction:
        return sum((exact(g.problem.points) for g in self.graded), Fraction(0))

    @property
    def answers(self) -> tuple[int, int]:
        """(right, all) over every answer of every problem."""
        return sum(g.right for g in self.graded), sum(len(g.verdicts) for g in self.graded)

    @property
    def ok(self) -> bool:
        right, count = self.answers
        return right == count


class Places:
    """Where things stand in the sheet's text, so an error names the line and column (best effort:
    `[[problem]]` headers and `key = value` lines; a sheet written otherwise gets no caret)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [m.start() for m in _HEADER.finditer(text)]

    def _block(self, number: int) -> tuple[int, int] | None:
        if number > len(self.starts):
            return None
        end = self.starts[number] if number < len(self.starts) else len(self.text)
        return self.starts[number - 1], end

    def key(self, number: int, key: str) -> tuple[int, int] | None:
        """The span of `key = value`'s value (its first line) in problem `number`, else its header."""
        block = self._block(number)
        if block is None:
            return None
        found = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*", re.M).search(self.text, *block)
        start = block[0] if found is None else found.end()
        end = self.text.find("\n", start)
        return start, len(self.text) if end == -1 else end

    def name(self, number: int, key: str) -> tuple[int, int] | None:
        """The span of `key` itself where it is set in problem `number`."""
        block = self._block(number)
        found = block and re.compile(rf"^[ \t]*({re.escape(key)})[ \t]*[=.]", re.M).search(self.text, *block)
        return found.span(1) if found else self.key(number, key)

    def inside(self, number: int, key: str, word: str) -> tuple[int, int] | None:
        """The span of `word` (quoted, or a bare key) in the value of `key`, else the value's."""
        span = self.key(number, key)
        block = self._block(number)
        if span is None or block is None:
            return span
        pattern = re.compile(rf"""(["']){re.escape(word)}\1|(?<![\w.]){re.escape(word)}(?=[ \t]*=)""")
        found = pattern.search(self.text, span[0], block[1])
        return found.span() if found else span

    def header(self, number: int) -> tuple[int, int] | None:
        """The span of problem `number`'s `[[problem]]` header."""
        block = self._block(number)
        if block is None:
            return None
        end = self.text.find("\n", block[0])
        return block[0], block[1] if end == -1 else min(end, block[1])

    def within(self, number: int, key: str, value: str, offset: int) -> tuple[int, int] | None:
        """The span of the character at `offset` of the text value of `key` in problem `number` (its
        line found in the sheet as written: a value with escapes gets the key's span instead)."""
        span = self.key(number, key)
        block = self._block(number)
        if span is None or block is None:
            return span
        start = value.rfind("\n", 0, offset) + 1
        end = value.find("\n", offset)
        line = value[start:len(value) if end == -1 else end]
        found = self.text.find(line, span[0], block[1]) if line.strip() else -1
        if found == -1:
            return span
        return found + offset - start, found + offset - start + 1

    def error(self, source: str, span, message: str, hint: str | None = None,
              cls: type[GradcalcError] = GradcalcError) -> GradcalcError:
        if span is None:
            return cls(f"{source}: {message}", hint=hint)
        line = self.text.count("\n", 0, span[0]) + 1
        column = span[0] - (self.text.rfind("\n", 0, span[0]) + 1) + 1
        return cls(f"{source}, line {line}, column {column}: {message}", span, hint, self.text)


class ClassSheetOnly(GradcalcError):
    """A class sheet (answers asked by name, no [problem.expect]) read as one sheet of answers: it has
    none to grade. The CLI reads it as a class sheet where that is what was asked (--html's pages)."""


def unknown_key(where: str, key: str, allowed: tuple[str, ...]) -> GradcalcError:
    close = did_you_mean(key, allowed)
    return GradcalcError(f"{where}: unknown key {key!r}",
                         hint=f"did you mean {close}?" if close else f"the keys are {', '.join(allowed)}")


def checked_number(where: str, key: str, value: Any, most: float | None = None) -> float:
    problem = number_problem(value) if not isinstance(value, str) else f"not a number: text {describe(value)}"
    if problem is None and value < 0:
        problem = "negative"
    if problem is None and most is not None and value > most:
        raise GradcalcError(f"{where}: {key} must be at most {most:,}, but it is {describe(value)}",
                            hint=f"write {key} = 1 (totals stay finite and exact)")
    if problem:
        raise GradcalcError(f"{where}: {key} must be a finite number ≥ 0, but it is {problem}"
                            + ("" if problem.startswith(("not", "beyond")) else f": {describe(value)}"),
                            hint=f"write {key} = {({'points': '1', 'follow_through': '0.5'}).get(key, '1e-6')}")
    return float(value)


def checked_text(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise GradcalcError(f"{where}: {key} must be text in quotes, got {toml_kind(value)}",
                            hint=f'write {key} = "…"')
    return value


def toml_kind(value: Any) -> str:
    """What a TOML value is, without printing it (it may be huge or nested 100 000 deep)."""
    return {dict: "a table", list: "an array", bool: "true or false", str: "text"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def checked_point(where: str, at: Any) -> dict[str, Any]:
    """`at = { x = 1, W = [[1, 2]] }`: every value a finite number or a rectangular array of them, or
    (a point per student, see variants.py) a range or choices: `x = { range = [1, 3] }`."""
    from .arrays import nested_list_problem
    from .variants import read_spec

    if not isinstance(at, dict):
        raise GradcalcError(f"{where}: at must be a table of values, e.g. at = {{ x = 1, y = 2 }}")
    at = {name: _typed(where, name, value) for name, value in at.items()}
    for name, value in at.items():
        if isinstance(value, dict):
            read_spec(where, name, value)
            continue
        problem = nested_list_problem(value, name) if isinstance(value, list) else None
        if isinstance(value, str):
            problem = f"the value of {name} is text, not a number: {describe(value)}"
        elif not isinstance(value, list) and number_problem(value):
            problem = f"the value of {name} is {number_problem(value)}"
        if problem:
            raise GradcalcError(f"{where}: {problem}",
                                hint="give each value as a finite number or an array of numbers")
    return at


def _typed(where: str, name: str, value: Any) -> Any:
    """A value written as text (`x = "pi/4"`, `W = "[[1, 2], [3, 4]]"`, `v = ["1/3", 2]`) read by the
    one reader of typed values, as --x reads it; numbers and arrays of numbers as they are."""
    from .values import read_scalar, read_value

    try:
        if isinstance(value, str):
            return read_value(value, name)
        if not isinstance(value, list) or not any(isinstance(v, (str, list)) for v in value):
            return value
        copy = list(value)
        stack = [copy]   # nested lists, one level at a time (no recursion)
        while stack:
            items = stack.pop()
            for k, item in enumerate(items):
                if isinstance(item, str):
                    items[k] = read_scalar(item, name)
                elif isinstance(item, list):
                    items[k] = list(item)
                    stack.append(items[k])
        return copy
    except GradcalcError as error:
        raise GradcalcError(f"{where}: {error.message}", error.span, error.hint, error.text) from None


def _answer(where: str, name: str, value: Any, names=()) -> Answer:
    """An answer as TOML gives it: a number, an array of numbers, or a string (number or formula)."""
    problem = None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, list)):
        problem = f"an answer is a number, an array or a formula in quotes, not {toml_kind(value)}"
    elif isinstance(value, str) and len(value) > MAX_ANSWER:
        problem = f"the answer is {len(value):,} characters long, over the {MAX_ANSWER:,} an answer may have"
    elif isinstance(value, (int, float)) and number_problem(value):   # 1e999, nan, 5000 digits
        problem = f"the answer is {number_problem(value)}"
    elif isinstance(value, list):
        from .arrays import nested_list_problem

        problem = nested_list_problem(value, name)
    if problem:   # graded wrong, as a malformed answer is
        return Answer(name, describe(value), malformed=GradcalcError(f"in the answer {name}=…: {problem}"))
    # A TOML number as it was written (2.00 has 3 significant figures; its float 2.0 only 2).
    text = value if isinstance(value, str) else value.text if isinstance(value, WrittenFloat) else json.dumps(value)
    try:
        return parse_answer(f"{name}={text}", keep_going=True, names=names)
    except GradcalcError as error:
        error.message = f"{where}: {error.message}"
        raise


class WrittenFloat(float):
    """A TOML float that keeps its text: an answer's figures are in how it is written (`x = 2.00` is
    right to 3 significant figures, as "2.00" in a class's CSV is; the float 2.0 says 2)."""

    text: str

    @classmethod
    def read(cls, text: str) -> "WrittenFloat":
        number = cls(text)   # tomllib checked the syntax; float reads its _ separators too
        number.text = text.replace("_", "")
        return number


def read_toml(text: str, source: str, bad_toml: Callable[[Exception], GradcalcError],
              keys: tuple[str, ...] | None = SHEET_KEYS) -> dict:
    """A sheet's TOML with its top-level keys checked (against `keys`; None: not checked), for one
    student's sheet and a class's alike. Every way it can fail is exit 2; `bad_toml` words tomllib's
    own complaint for its kind of sheet."""
    import tomllib

    try:
        data = tomllib.loads(text, parse_float=WrittenFloat.read)
    except tomllib.TOMLDecodeError as error:
        raise bad_toml(error) from None
    except RecursionError:   # tomllib recurses into nested arrays and inline tables
        raise GradcalcError(f"{source} is nested too deeply to read",
                            hint="a sheet needs arrays a few levels deep at most") from None
    except ValueError as error:   # an integer of thousands of digits: Python refuses to convert it
        raise GradcalcError(f"{source} has a number gradcalc cannot read: {str(error)[:80]}",
                            hint="numbers must be below about 1.8e308") from None
    for key in data if keys is not None else ():
        if key not in keys:
            raise unknown_key(source, key, keys)
    return data


def _bad_sheet_toml(source: str) -> Callable[[Exception], GradcalcError]:
    return lambda error: GradcalcError(f"{source} is not valid TOML: {error}",
                                       hint="see examples/homework.toml for the layout")


def load_sheet(text: str, source: str = "the sheet") -> Sheet:
    """Read a TOML sheet; every problem's expression is parsed here, so a typo in the sheet is
    reported (exit 2) before anything is graded. An answer that does not parse is kept, malformed:
    it is graded wrong and the others are graded as usual."""
    return _sheet_of(read_toml(text, source, _bad_sheet_toml(source)), text, source)


# What the teacher's copy decides for a hand-in graded by it (--rules), so the hand-in's own are not used.
DECIDED = (*KEYS, "follow_through", "seed", "points")   # KEYS: the tolerance keys


def load_handin(text: str, source: str = "the hand-in") -> tuple[Sheet, list[str]]:
    """A hand-in to grade by the teacher's copy (--rules): its answers, never its rules. Every key it
    sets that the copy decides (DECIDED), and every key no sheet has, is taken out before the sheet is
    read, whatever its value (`rtol = -1`, `sigfigs = "three"`, `points = "all"`), and said as not
    used: nothing a student writes there can stop their grading. Also what was taken out."""
    data = read_toml(text, source, _bad_sheet_toml(source), keys=None)
    unused = []

    def keep(table: dict, known: tuple[str, ...], where: str) -> dict:
        for key in [key for key in table if key in DECIDED or key not in known]:
            written = table.pop(key)
            if key == "points" and written == 1 and not isinstance(written, bool):
                continue   # a point a problem, as a hand-in has anyway: nothing tried
            shown = written.text if isinstance(written, WrittenFloat) else describe(written)
            unused.append(f"{visible(key)[:40]} = {shown[:40]} ({where})")
        return table

    keep(data, SHEET_KEYS, "the sheet")
    problems = data.get("problem")
    for number, item in enumerate(problems if isinstance(problems, list) else (), start=1):
        if isinstance(item, dict):
            keep(item, PROBLEM_KEYS, f"problem {number}")
    return _sheet_of(data, text, source), unused


def _sheet_of(data: dict, text: str, source: str) -> Sheet:
    from .parse import parse

    problems_data = data.get("problem", [])
    if not isinstance(problems_data, list) or not problems_data:
        raise GradcalcError(f"{source} has no problems",
                            hint="add one with [[problem]], expression = \"...\" and [problem.expect]")
    title = checked_text(source, "title", data.get("title", source))
    rtol = checked_number(source, "rtol", data.get("rtol", RTOL))
    atol = checked_number(source, "atol", data.get("atol", ATOL))
    rule = read_rule(source, data, Rule())
    problems = []
    for number, item in enumerate(problems_data, start=1):
        if not isinstance(item, dict):
            raise GradcalcError(f"problem {number} must be a table, got {toml_kind(item)}",
                                hint="write each problem under a [[problem]] heading")
        name = checked_text(f"problem {number}", "name", item.get("name", f"problem {number}"))
        where = f"problem {number} ({name})" if "name" in item else f"problem {number}"
        for key in item:
            if key not in PROBLEM_KEYS:
                raise unknown_key(where, key, PROBLEM_KEYS)
        expression = item.get("expression")
        if not isinstance(expression, str):
            raise GradcalcError(f"{where}: no expression", hint='write expression = "(x+y)**2"')
        given = item.get("at") if isinstance(item.get("at"), dict) else {}
        try:
            graph = parse(expression, names=given)     # mv^2 with at = { m = 2, v = 3 } is m·v²
        except GradcalcError as error:
            error.message = f"{where}: {error.message}"
            raise
        at, expect = checked_point(where, item.get("at", {})), item.get("expect")
        if any(isinstance(value, dict) for value in at.values()):   # one hand-in: the sheet's own point
            from .result import evaluate
            from .variants import inside, split

            # The point a class sheet's key gives (drawn for no student, again where it cannot be computed).
            at, _ = inside(variant_seed(source, data), str(item.get("id", f"p{number}")), "", *split(where, at),
                           lambda point, graph=graph: evaluate(graph, point), where)
        if (not isinstance(expect, dict) or not expect) and "answers" in item:
            raise ClassSheetOnly(f"{where}: a class sheet (answers = […]) is graded with the students' "
                                 f"answers", hint="give them: gradcalc check SHEET.toml --answers ANSWERS.csv; "
                                 "or write its problems' quiz pages: gradcalc check SHEET.toml --html DIR --quiz")
        if not isinstance(expect, dict) or not expect:
            raise GradcalcError(f"{where}: no expected answers",
                                hint="add [problem.expect] with a line per answer, e.g. x = \"2*(x+y)\"")
        answers = [_answer(where, key, value, set(at) | set(graph.variables)) for key, value in expect.items()]
        points = checked_number(where, "points", item.get("points", 1), MAX_POINTS)
        # A problem's own tolerance keys replace the sheet's.
        per_answer = isinstance(item.get("answers"), dict)
        problems.append(Problem(number, name, expression, at, answers, points, read_rule(where, item, rule),
                                per_answer=per_answer, keys=set_by(item)))
    return Sheet(title, problems, rtol, atol, follow_through(source, data), rule, text=text, source=source,
                 keys=set_by(data))


def variant_seed(source: str, data: dict) -> int:
    """`seed = 2026`: what every student's point is drawn from (variants.py); 0 if not given."""
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 63:
        raise GradcalcError(f"{source}: seed must be a whole number from 0 to 2**63 - 1, got {toml_kind(seed)}",
                            hint="write seed = 2026 (a new seed gives every student a new point)")
    return seed


def follow_through(source: str, data: dict) -> float:
    """`follow_through = 0.5`: the share of its worth an answer earns when it is wrong only because an
    earlier entry of the student's backward pass was (0, the default: none; 1: full)."""
    value = checked_number(source, "follow_through", data.get("follow_through", 0.0))
    if value > 1:
        raise GradcalcError(f"{source}: follow_through must be between 0 and 1, got {value:g}",
                            hint="write follow_through = 0.5 for half credit")
    return value


def grade(sheet: Sheet, rtol: float | None = None, atol: float | None = None, seed: int = SEED,
          sheet_tolerance: bool = False, ignored: tuple[str, ...] = (), unasked: tuple[str, ...] = ()) -> Report:
    """Compute every problem at its point and judge its answers (formulas also at points near it).

    A sheet graded on its own is a hand-in: it holds its answers, so the rules they are graded by are
    not its to set. The grader's `rtol`/`atol` win; the sheet's own tolerance may be stricter than the
    defaults, never looser (`rtol = 1e9` would pass anything), and its problems are worth a point
    each with no follow-through credit: a hand-in that sets `points` or `follow_through` is refused,
    as one that loosens its tolerance is. `sheet_tolerance` (the grader's say-so: --teacher-sheet,
    for a sheet they wrote, or a sheet built from their copy by `with_rules`) lifts that.
    `ignored`: what a hand-in set and the teacher's copy overrode, `unasked`: the answers it gave that
    the copy does not ask for (not graded); both said in the report.
    """
    from .result import evaluate
    from .check import answer_inputs
    from .diagnose import diagnose_verdicts
    from .parse import parse

    if not sheet_tolerance:
        refuse_handin_rules(sheet, rtol, atol)
    for problem in sheet.problems:
        if problem.per_answer:   # the teacher's own sheet: say so rather than grade by other rules
            raise GradcalcError(f"{problem.where}: answers = {{…}} gives answers points or tolerances of their "
                                f"own, which grading its [problem.expect] answers does not use",
                                hint="give the problem's points and tolerance; per answer they are for a class "
                                     "(--answers) or a teacher's copy of the sheet (--rules)")
    rules = [overridden(problem.rule or sheet.rule, rtol, atol) for problem in sheet.problems]
    report = Report(sheet, seed=seed, rtol=sheet.rtol if rtol is None else rtol,
                    atol=sheet.atol if atol is None else atol, ignored=list(ignored),
                    unasked=list(unasked))
    for problem, rule in zip(sheet.problems, rules):
        where = problem.where
        # Each answer's own rule (a teacher's copy may set one per answer), the grader's flags winning.
        own = [rule] * len(problem.answers) if problem.rules is None else \
            [overridden(r, rtol, atol) for r in problem.rules]
        try:
            result = problem.result
            if result is None:
                graph = parse(problem.expression, names=problem.at)
                # Only the gradients the answers are about: x**n at x = -2 has ∂/∂x but no ∂/∂n.
                wanted = answer_inputs(graph, problem.answers)
                result = evaluate(graph, problem.at, wanted) if wanted else value_only(graph, problem.at)
            verdicts: list = [None] * len(problem.answers)
            for judged_by in dict.fromkeys(own):   # the answers sharing a rule judged together
                which = [i for i, r in enumerate(own) if r == judged_by]
                found = check_answers(result, [problem.answers[i] for i in which], judged_by.rtol,
                                      judged_by.atol, seed, keep_going=True, in_sheet=True)
                for i, verdict in zip(which, found):
                    # A number as written: its figures count (sigfigs, decimals, or a class's default
                    # of 3 figures correctly rounded), not only its float, by the class's judge_number.
                    verdicts[i] = rejudged(verdict, judged_by)
            diagnose_verdicts(result, verdicts, rule.rtol, rule.atol, rules=own)
            for verdict in verdicts:   # the right value written otherwise: its failure says it all
                if verdict.failure and verdict.failure.startswith(EXACT):
                    verdict.entry = None
        except GradcalcError as error:
            error.message = f"{where}: {error.message}"
            if isinstance(error, MissingValue):
                values = ", ".join(f"{name} = VALUE" for name in error.names)
                error.hint = f"add {values} to the problem's at = {{ … }}"
            raise
        report.graded.append(Graded(problem, result, verdicts, sheet.follow_through, own, rule))
    return report


def blank(name: str) -> Answer:
    """An answer the teacher's copy asks for and the hand-in does not give: graded wrong."""
    return Answer(name, "", malformed=GradcalcError("not answered"), blank=True)


def refuse_handin_rules(sheet: Sheet, rtol: float | None, atol: float | None) -> None:
    """Refuse (exit 2) a hand-in that sets how it is graded: a tolerance looser than the defaults
    (unless the grader set it), `follow_through`, or `points` other than 1; every such key named."""
    from .numbers import format_number

    skip = tuple(key for key, given in (("rtol", rtol), ("atol", atol)) if given is not None)
    found = []
    # Every key the sheet and each problem set themselves, named where it is set (rtol = 1e9 beside
    # sigfigs = 1 is two attempts, and both are said).
    found += [f"{words} (the sheet)" for words in looser(overridden(sheet.rule, rtol, atol), sheet.keys, skip)]
    if sheet.follow_through:
        found.append(f"follow_through = {format_number(sheet.follow_through)} (the sheet)")
    for problem in sheet.problems:
        rule = overridden(problem.rule or sheet.rule, rtol, atol)
        found += [f"{words} ({problem.where})" for words in looser(rule, problem.keys, skip)]
        if problem.points != 1:
            found.append(f"points = {format_number(problem.points)} ({problem.where})")
        if problem.per_answer:
            found.append(f"answers = {{…}} ({problem.where}: points or tolerances per answer)")
    if found:
        raise GradcalcError(
            "a sheet graded on its own is a hand-in, and a hand-in cannot set the rules it is graded "
            "by; this one sets " + "; ".join(found),
            hint=f"if you wrote this sheet, grade it by its own rules: gradcalc check SHEET.toml --teacher-sheet; "
                 f"a student's hand-in, grade by your own copy of the sheet: --rules TEACHER.toml (its points, "
                 f"tolerances and follow_through). On its own a sheet may be stricter than "
                 f"rtol = {format_number(RTOL)}, atol = {format_number(ATOL)}, not looser, and each problem is "
                 f"worth 1 point")


def with_rules(handin: Sheet, teacher, source: str = "the teacher's copy",
               student: str | None = None) -> tuple[Sheet, list[str], list[str]]:
    """The hand-in as the teacher's copy (a class sheet, classroom.ClassSheet) grades it: the teacher's
    problems (the hand-in's must be the same expressions at the same points, in the same order), the
    answers the teacher asks for (blank where the hand-in gives none), and the teacher's points,
    tolerances and follow_through. Also what the hand-in set for itself that was not used, and the
    answers it gave that the copy does not ask for ("z (problem 1)").

    Where the copy gives each student a point of their own, the hand-in's must be `student`'s, drawn
    as the class's is (variants.py): a hand-in cannot show whose it is, and could claim any point."""
    from .numbers import format_number
    from .variants import inside

    places = Places(handin.text)
    if len(handin.problems) != len(teacher.problems):
        extra = len(teacher.problems) + 1   # the hand-in's first problem the copy does not have
        raise _differs(handin, places, places.header(extra) if extra <= len(handin.problems) else None,
                       f"the hand-in has {len(handin.problems)} problem{'' if len(handin.problems) == 1 else 's'}, "
                       f"{source} {len(teacher.problems)}", "grade a hand-in with the copy of its own sheet")
    ignored, unasked = [], []
    # Every tolerance key the hand-in sets itself is not used (the copy's rule is), and each is said.
    ignored += [f"{words} (the sheet)" for words in said(handin.rule, handin.keys)]
    if handin.follow_through and handin.follow_through != teacher.follow_through:
        ignored.append(f"follow_through = {format_number(handin.follow_through)} (the sheet)")
    problems = []
    for mine, theirs in zip(handin.problems, teacher.problems):
        where = f"problem {mine.number}"
        at, result, whose = theirs.at, theirs.result, source   # computed once, when the copy was read
        if theirs.varying:
            if student is None:
                raise GradcalcError(f"{source}: problem {theirs.number} ({theirs.id}) gives each student a point "
                                    f"of their own, and a hand-in cannot show whose it is (it could claim any "
                                    f"point of the range)",
                                    hint="say whose hand-in it is: --student NAME (their point is drawn as "
                                         "--key --answers draws it), or grade the class with --answers ANSWERS.csv")
            at, result = inside(teacher.seed, theirs.id, student, theirs.fixed, theirs.varying, theirs.compute,
                                f"problem {theirs.number} ({theirs.id}), student {visible(student)}")
            whose = f"{visible(student)}'s, drawn from {source}"
        # Spaces aside (x*x is x * x): the teacher's expression is what is computed either way.
        if "".join(mine.expression.split()) != "".join(theirs.expression.split()):
            offset = _first_difference(mine.expression, theirs.expression)
            kept = _kept(mine.expression[:offset])   # the characters alike before it, spaces aside
            raise _differs(handin, places, places.within(mine.number, "expression", mine.expression, offset),
                           f"the hand-in's {where} is not {source}'s: its expression is "
                           f"{_around(_lines(mine.expression), kept)}, {source}'s "
                           f"{_around(_lines(theirs.expression), kept)}")
        there = f"in {source}" if whose == source else f"in {visible(student)}'s"
        apart = _point_differences(mine.at, at, there)
        if apart:
            name, differences = apart[0][0], "; ".join(words for _, words in apart)
            ordered = {n: at[n] for n in [*mine.at, *at] if n in at}
            drawn = f"; {visible(student)}'s point is {describe_point(ordered)}" if whose != source else ""
            raise _differs(handin, places, places.inside(mine.number, "at", name) if name in mine.at
                           else places.key(mine.number, "at"),
                           f"the hand-in's {where} is asked at another point than {whose}"
                           + ("" if whose != source else "'s") + f": {differences}{drawn}")
        if mine.points != 1 and mine.points != theirs.points:
            ignored.append(f"points = {format_number(mine.points)} ({where})")
        if mine.per_answer:
            ignored.append(f"answers = {{…}} ({where}: points or tolerances per answer)")
        ignored += [f"{words} ({where})" for words in said(mine.rule or handin.rule, mine.keys)]
        given = {answer.name: answer for answer in mine.answers}
        asked = [asked.name for asked in theirs.asked]
        unasked += [f"{name} ({where})" for name in given if name not in asked]
        problems.append(Problem(mine.number, theirs.name, theirs.expression, dict(at),
                                [given.get(name) or blank(name) for name in asked], theirs.points,
                                theirs.rule, [a.worth for a in theirs.asked], [a.rule for a in theirs.asked],
                                result=result))
    graded = Sheet(handin.title, problems, teacher.rtol, teacher.atol, teacher.follow_through, teacher.rule)
    return graded, ignored, unasked


def _differs(handin: Sheet, places: Places, span, message: str,
             hint: str = "a hand-in answers the teacher's problems as they were set") -> GradcalcError:
    """How every way a hand-in is not the teacher's copy is said: where in the hand-in (its line and
    column, a caret under what differs), what it has and what the copy has."""
    return places.error(handin.source, span, message, hint)


def _kept(text: str) -> int:
    """How many characters of `text` count in comparing expressions (not spaces, not `;`)."""
    return sum(not c.isspace() and c != ";" for c in text)


def _around(line: str, kept: int, before: int = 15, after: int = 25) -> str:
    """`line` quoted around its `kept`-th counted character, where two expressions part: long ones
    cut to the same first 40 characters read alike."""
    at, counted = len(line), 0
    for i, c in enumerate(line):
        if not c.isspace() and c != ";":
            if counted == kept:
                at = i
                break
            counted += 1
    start = max(0, at - before) if len(line) > before + after else 0
    end = min(len(line), start + before + after)
    return visible(json.dumps(("…" if start else "") + line[start:end] + ("…" if end < len(line) else ""),
                              ensure_ascii=False))


def _first_difference(mine: str, theirs: str) -> int:
    """Where `mine` first differs from `theirs`, spaces and statements' ends aside: an offset into
    `mine` (just after its end if it stops short)."""
    kept = [(i, c) for i, c in enumerate(mine) if not c.isspace() and c != ";"]   # ; or a new line
    other = [c for c in theirs if not c.isspace() and c != ";"]
    for (i, c), d in zip(kept, other):
        if c != d:
            return i
    if len(kept) > len(other):   # the hand-in's has more: the first of it
        return kept[len(other)][0]
    return kept[-1][0] + 1 if kept else 0   # it stops short: just after its end


def _point_differences(mine: dict, theirs: dict, there: str) -> list[tuple[str, str]]:
    """Each name whose value differs between the hand-in's point and the copy's, with the two said:
    `x = 0 in the hand-in, 3 in week3.toml` (`there`); a name one of them lacks too."""
    import numpy as np

    from .numbers import format_value

    def said(value) -> str:
        return " ".join(format_value(value, 6).split())

    found = []
    for name in dict.fromkeys([*mine, *theirs]):
        if name not in mine:
            found.append((name, f"no {name} in the hand-in, {name} = {said(theirs[name])} {there}"))
        elif name not in theirs:
            found.append((name, f"{name} = {said(mine[name])} in the hand-in, no {name} {there}"))
        elif np.shape(mine[name]) != np.shape(theirs[name]) or not np.array_equal(mine[name], theirs[name]):
            found.append((name, f"{name} = {said(mine[name])} in the hand-in, {said(theirs[name])} {there}"))
    return found


def _lines(text: str) -> str:
    """An expression on one line, as an error quotes it."""
    return "; ".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())


def value_only(graph, at: dict[str, Any]):
    """The Result for answers about the output's value only: forward, and no gradient at all (an
    `∂/∂n` of x**n at x = -2 that nobody asked for must not fail the problem)."""
    import numpy as np

    from .result import Result, bind
    from .evaluate import forward

    inputs = bind(graph, at)
    values = forward(graph, inputs)
    grads = [None] * len(graph.nodes)
    grads[graph.output] = np.ones_like(values[graph.output])
    return Result(graph, values, grads, [], inputs)
