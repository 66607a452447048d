"""Homework sheets: several problems, each an expression, a point and expected answers, graded with a score."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from .check import ATOL, RTOL, SEED, Answer, Verdict, check_answers, parse_answer
from .points import MAX_POINTS, exact
from .errors import GradcalcError, MissingValue
from .numbers import describe, number_problem
from .names import did_you_mean
from .tolerance import Rule, looser, overridden, read_rule, rejudged

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
    rule: Rule = Rule(hand=False)    # the sheet's tolerance: rtol and atol, or sigfigs or decimals


@dataclass
class Sheet(BaseSheet):
    problems: list[Problem]


@dataclass
class Graded:
    problem: Problem
    result: Any                      # the api.Result at the problem's point
    verdicts: list[Verdict]
    follow_through: float = 0.0

    @property
    def right(self) -> int:
        return sum(v.ok for v in self.verdicts)

    @property
    def earned(self) -> Fraction:
        """Exact: 0.1 points for 1 of 3 answers is 1/30, and three thirds are the whole; an answer
        right from the student's own earlier values earns the sheet's follow_through share."""
        carried = sum(v.entry is not None and v.entry.status == "follow-through" for v in self.verdicts)
        credit = self.right + (exact(self.follow_through) * carried if carried else 0)
        return exact(self.problem.points) * credit / len(self.verdicts)


@dataclass
class Report:
    sheet: Sheet
    graded: list[Graded] = field(default_factory=list)
    seed: int = SEED
    rtol: float = RTOL
    atol: float = ATOL

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
    if isinstance(value, bool) or not isinstance(value, (int, float, str, list)):
        raise GradcalcError(f"{where}: the answer for {name} must be a number, an array or a formula "
                            f"in quotes, got {toml_kind(value)}")
    problem = None
    if isinstance(value, (int, float)) and number_problem(value):   # 1e999, nan, 5000 digits
        problem = f"the answer is {number_problem(value)}"
    elif isinstance(value, list):
        from .arrays import nested_list_problem

        problem = nested_list_problem(value, name)
    if problem:   # graded wrong, as a malformed answer is
        return Answer(name, describe(value), malformed=GradcalcError(f"in the answer {name}=…: {problem}"))
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        return parse_answer(f"{name}={text}", keep_going=True, names=names)
    except GradcalcError as error:
        error.message = f"{where}: {error.message}"
        raise


def read_toml(text: str, source: str, bad_toml: Callable[[Exception], GradcalcError]) -> dict:
    """A sheet's TOML with its top-level keys checked, for one student's sheet and a class's alike.
    Every way it can fail is exit 2; `bad_toml` words tomllib's own complaint for its kind of sheet."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise bad_toml(error) from None
    except RecursionError:   # tomllib recurses into nested arrays and inline tables
        raise GradcalcError(f"{source} is nested too deeply to read",
                            hint="a sheet needs arrays a few levels deep at most") from None
    except ValueError as error:   # an integer of thousands of digits: Python refuses to convert it
        raise GradcalcError(f"{source} has a number gradcalc cannot read: {str(error)[:80]}",
                            hint="numbers must be below about 1.8e308") from None
    for key in data:
        if key not in SHEET_KEYS:
            raise unknown_key(source, key, SHEET_KEYS)
    return data


def load_sheet(text: str, source: str = "the sheet") -> Sheet:
    """Read a TOML sheet; every problem's expression is parsed here, so a typo in the sheet is
    reported (exit 2) before anything is graded. An answer that does not parse is kept, malformed:
    it is graded wrong and the others are graded as usual."""
    from .parse import parse

    data = read_toml(text, source, lambda error: GradcalcError(
        f"{source} is not valid TOML: {error}", hint="see examples/homework.toml for the layout"))
    problems_data = data.get("problem", [])
    if not isinstance(problems_data, list) or not problems_data:
        raise GradcalcError(f"{source} has no problems",
                            hint="add one with [[problem]], expression = \"...\" and [problem.expect]")
    title = checked_text(source, "title", data.get("title", source))
    rtol = checked_number(source, "rtol", data.get("rtol", RTOL))
    atol = checked_number(source, "atol", data.get("atol", ATOL))
    rule = read_rule(source, data, Rule(hand=False))
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
            raise GradcalcError(f"{where}: a class sheet (answers = […]) is graded with the students' "
                                f"answers", hint="give them: gradcalc check SHEET.toml --answers ANSWERS.csv")
        if not isinstance(expect, dict) or not expect:
            raise GradcalcError(f"{where}: no expected answers",
                                hint="add [problem.expect] with a line per answer, e.g. x = \"2*(x+y)\"")
        answers = [_answer(where, key, value, set(at) | set(graph.variables)) for key, value in expect.items()]
        points = checked_number(where, "points", item.get("points", 1), MAX_POINTS)
        # A problem's own tolerance keys replace the sheet's.
        problems.append(Problem(number, name, expression, at, answers, points, read_rule(where, item, rule)))
    return Sheet(title, problems, rtol, atol, follow_through(source, data), rule)


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
          sheet_tolerance: bool = False) -> Report:
    """Compute every problem at its point and judge its answers (formulas also at points near it).

    The grader's `rtol`/`atol` win. Without them the sheet's own are used only where they are at least
    as strict as the defaults: a hand-in holds its answers and could otherwise set `rtol = 1e9` and
    pass anything. `sheet_tolerance` (the grader's say-so, for a sheet they wrote) lifts that.
    """
    from .result import evaluate
    from .check import answer_inputs
    from .diagnose import diagnose_verdicts
    from .parse import parse

    for key, given, default in (("rtol", rtol, RTOL), ("atol", atol, ATOL)):
        own = getattr(sheet, key)
        if given is None and own > default and not sheet_tolerance:
            from .numbers import format_number

            own, default = format_number(own), format_number(default)
            raise GradcalcError(f"the sheet sets {key} = {own}, looser than the default {default}; "
                                f"a sheet cannot loosen the tolerance its own answers are graded with",
                                hint=f"if you wrote the sheet, grade it with --sheet-tolerance "
                                     f"(or --{key} {own})")
    rules = [overridden(problem.rule or sheet.rule, rtol, atol) for problem in sheet.problems]
    for problem, rule in zip(sheet.problems, rules):   # the sheet's own keys, then each problem's
        loose = looser(rule, tuple(key for key, given in (("rtol", rtol), ("atol", atol)) if given is not None))
        if loose and not sheet_tolerance:
            raise GradcalcError(f"{problem.where} is graded with {loose}, looser than the default "
                                f"tolerance; a sheet cannot loosen the tolerance its own answers are "
                                f"graded with", hint="if you wrote the sheet, grade it with --sheet-tolerance")
    rtol = sheet.rtol if rtol is None else rtol
    atol = sheet.atol if atol is None else atol
    report = Report(sheet, seed=seed, rtol=rtol, atol=atol)
    for problem, rule in zip(sheet.problems, rules):
        where = problem.where
        try:
            graph = parse(problem.expression, names=problem.at)
            # Only the gradients the answers are about: x**n at x = -2 has ∂/∂x but no ∂/∂n.
            wanted = answer_inputs(graph, problem.answers)
            result = evaluate(graph, problem.at, wanted) if wanted else value_only(graph, problem.at)
            verdicts = check_answers(result, problem.answers, rule.rtol, rule.atol, seed, keep_going=True)
            if rule.figures:
                verdicts = [rejudged(verdict, rule) for verdict in verdicts]
            diagnose_verdicts(result, verdicts, rule.rtol, rule.atol)
        except GradcalcError as error:
            error.message = f"{where}: {error.message}"
            if isinstance(error, MissingValue):
                values = ", ".join(f"{name} = VALUE" for name in error.names)
                error.hint = f"add {values} to the problem's at = {{ … }}"
            raise
        report.graded.append(Graded(problem, result, verdicts, sheet.follow_through))
    return report


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
