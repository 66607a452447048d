"""A whole class graded at once: one sheet, a CSV of every student's answers, a gradebook.

The expected answers come from gradcalc itself (each problem computed at its point). A student's
answer is a number or a formula; every distinct text in a column is parsed and judged once, and a
formula is evaluated at the given point and the points near it in one vectorised pass, so a class
costs about as much as its distinct answers, not its students × answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from .check import (ATOL, RTOL, SAMPLES, SEED, Answer, Nearby, Verdict, answer_target, describe_point, judge_answer,
                    named_values, parse_answer, readable, unjudgeable, MAX_ANSWER)
from .csvtext import decimal_point, rows as csv_rows
from .errors import GradcalcError, MathError, MissingValue, visible
from .limits import Limits
from .ops import OPS
from .names import did_you_mean
from .points import MAX_POINTS, exact
from . import variants
from .sheet import (PROBLEM_KEYS, BaseSheet, Places, checked_number, checked_point, checked_text, follow_through, read_toml,
                    toml_kind, unknown_key, value_only, variant_seed)
from .tolerance import KEYS as TOLERANCE_KEYS, Rule, judge_number, overridden, read_rule, rounding

_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_TIGHT_COMMA = re.compile(r"(\d),(\d)")   # a comma between two digits: an element's end, or a decimal comma
_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


# Student text on a screen or in a file: every control character (ESC, BEL, NUL, a bidi override) is
# shown as an escape, so a name or an answer cannot move the cursor, set a title or fake a score.
escape = visible


# The sheet --------------------------------------------------------------------------------------

@dataclass
class Asked:
    """One answer a problem asks for: ∂output/∂name (an input or a named intermediate) or the value."""

    problem: ClassProblem
    name: str
    worth: Fraction                  # points it is worth, exact (a third of 1 point is 1/3)
    rule: Rule = Rule()              # how close it must be: the answer's own keys, else its problem's
    # Its formula (answer_formulas), the same at every student's point: made once, when first asked.
    formulas: Any = field(default=None, repr=False, compare=False)
    formulas_made: bool = field(default=False, repr=False, compare=False)

    @property
    def column(self) -> str:
        return f"{self.problem.id}.{self.name}"


@dataclass
class ClassProblem:
    number: int
    id: str
    name: str
    expression: str
    at: dict[str, Any]
    points: float
    asked: list[Asked] = field(default_factory=list)
    result: Any = None               # api.Result at the problem's point
    rule: Rule = Rule()              # the problem's own tolerance keys, else the sheet's
    varying: dict = field(default_factory=dict)   # variants.Spec by name: a point per student
    fixed: dict = field(default_factory=dict)     # the values of `at` every student shares
    compute: Any = None              # point → Result, for the students' own points


@dataclass
class ClassSheet(BaseSheet):
    problems: list[ClassProblem]
    rule: Rule = Rule()              # the sheet's tolerance keys; none: the default for hand-computed answers
    seed: int = 0                    # every student's point is drawn from it (variants.py)

    @property
    def columns(self) -> dict[str, Asked]:
        return {asked.column: asked for problem in self.problems for asked in problem.asked}

    @property
    def max(self) -> Fraction:
        return sum((exact(problem.points) for problem in self.problems), Fraction(0))


def load_class_sheet(text: str, source: str = "the sheet") -> ClassSheet:
    """Read a sheet for grading a class and compute every problem at its point.

    A problem asks for `answers = ["x", "t", "z"]` (each worth an equal share of its `points`) or
    `answers = { x = 2, t = 1 }` (the points of each); without `answers`, the names under
    `[problem.expect]` are asked (so today's sheets grade a class too). Every error names the line
    and column in the sheet (exit 2); a problem that cannot be computed at its point is exit 3.
    """
    from .check import answer_inputs
    from .parse import parse

    places = Places(text)

    def bad_toml(error: Exception) -> GradcalcError:   # with a caret where tomllib stopped
        where = _TOML_WHERE.search(str(error))
        span = None
        if where:
            lines = text.split("\n")
            row, col = int(where.group(1)), int(where.group(2))
            start = sum(len(line) + 1 for line in lines[:row - 1]) + col - 1
            span = (min(start, len(text)), min(start, len(text)) + 1)
        message = _TOML_WHERE.sub("", str(error)).strip()
        return places.error(source, span, f"not valid TOML: {message}",
                            "see examples/class.toml for the layout")

    data = read_toml(text, source, bad_toml)
    problems_data = data.get("problem", [])
    if not isinstance(problems_data, list) or not problems_data:
        raise GradcalcError(f"{source} has no problems", hint='add one with [[problem]], id = "p1", '
                            'expression = "...", at = { ... } and answers = ["x"]')
    title = checked_text(source, "title", data.get("title", source))
    rtol = checked_number(source, "rtol", data.get("rtol", RTOL))
    atol = checked_number(source, "atol", data.get("atol", ATOL))
    rule = read_rule(source, data, Rule())
    problems, ids = [], {}
    seed = variant_seed(source, data)
    for number, item in enumerate(problems_data, start=1):
        if not isinstance(item, dict):
            raise GradcalcError(f"{source}: problem {number} must be a table, got {toml_kind(item)}",
                                hint="write each problem under a [[problem]] heading")
        problem = _load_problem(number, item, places, source, parse, rule)
        if problem.id in ids:
            raise places.error(source, places.inside(number, "id", problem.id),
                               f"problem {number}: the id {problem.id!r} is also problem "
                               f"{ids[problem.id]}'s", "give every problem its own id")
        ids[problem.id] = number
        try:
            # Only the derivatives the answers are about: x**n at x = -2 has ∂/∂x but no ∂/∂n. A name
            # the expression lacks is left to _check_asked, whose caret is on the answers.
            # The value alone needs no gradient at all, and an unnamed output (z) is no input to
            # differentiate by (asking for its value was refused).
            graph = parse(problem.expression, names=problem.at)
            wanted = answer_inputs(graph, [Answer(asked.name, "") for asked in problem.asked])
            problem.compute = _computed(graph, wanted)
            # With ranges or choices, the sheet's own point is the one drawn for no student.
            problem.fixed, problem.varying = variants.split(f"problem {number} ({problem.id})", problem.at)
            problem.at, problem.result = variants.inside(seed, problem.id, "", problem.fixed, problem.varying,
                                                         problem.compute, "")
        except GradcalcError as error:
            if isinstance(error, MissingValue):
                values = ", ".join(f"{name} = VALUE" for name in error.names)
                error = GradcalcError(error.message, hint=f"add {values} to the problem's at = {{ … }}")
            raise places.error(source, places.key(number, "at"),
                               f"problem {number} ({problem.id}): {error.message}", error.hint,
                               MathError if isinstance(error, MathError) else GradcalcError) from None
        _check_asked(problem, places, source)
        problems.append(problem)
    return ClassSheet(title, problems, rtol, atol, follow_through(source, data), rule, seed)


def _computed(graph, wanted):
    """point → the problem's Result there, each point computed once (students share points, and a
    point outside the domain raises its MathError again without computing)."""
    from .result import evaluate

    done: dict = {}

    def compute(at: dict):
        key = tuple((name, value) for name, value in at.items() if not isinstance(value, list))
        if len(key) < len(at):       # an array value: not cached (a point per student is scalars)
            return evaluate(graph, at, wanted) if wanted else value_only(graph, at)
        if key not in done:
            try:
                done[key] = evaluate(graph, at, wanted) if wanted else value_only(graph, at)
            except MathError as error:
                done[key] = error
        if isinstance(done[key], MathError):
            raise done[key]
        return done[key]
    return compute


def _load_problem(number: int, item: dict, places: Places, source: str, parse, rule: Rule) -> ClassProblem:
    where = f"problem {number}"
    for key in item:
        if key not in PROBLEM_KEYS:
            raise places.error(source, places.name(number, key),
                               unknown_key(where, key, PROBLEM_KEYS).message,
                               unknown_key(where, key, PROBLEM_KEYS).hint)
    ident = item.get("id", f"p{number}")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise places.error(source, places.key(number, "id"),
                           f"{where}: the id must be letters, digits, _ or -, got "
                           f"{escape(json.dumps(ident, default=str, ensure_ascii=False))}",
                           'ids name the answers file\'s columns (p1.x): write id = "p1"')
    where = f"{where} ({ident})"
    expression = item.get("expression")
    if not isinstance(expression, str):
        raise places.error(source, places.key(number, "expression"), f"{where}: no expression",
                           'write expression = "(x+y)**2"')
    try:
        parse(expression, names=item.get("at") if isinstance(item.get("at"), dict) else ())
    except GradcalcError as error:
        span = places.key(number, "expression")
        line = 0 if span is None else places.text.count("\n", 0, span[0]) + 1
        error.message = f"{source}, line {line}: {where}: {error.message}" if line else \
            f"{source}: {where}: {error.message}"
        raise
    try:
        at = checked_point(where, item.get("at", {}))
        name = checked_text(where, "name", item.get("name", ident))
    except GradcalcError as error:
        key = "at" if error.message.startswith(f"{where}: at") or "value of" in error.message else "name"
        raise places.error(source, places.key(number, key), error.message, error.hint) from None
    try:
        points = checked_number(where, "points", item.get("points", 1), MAX_POINTS)
    except GradcalcError as error:
        raise places.error(source, places.key(number, "points"), error.message, error.hint) from None
    problem = ClassProblem(number, ident, name, expression, at, points)
    problem.rule = _rule(places, source, number, where, item, rule)
    asked = item.get("answers", None)
    if asked is None:
        expect = item.get("expect")
        if not isinstance(expect, dict) or not expect:
            raise places.error(source, places.key(number, "expression"),
                               f"{where}: no answers asked",
                               'add answers = ["x", "y"]: the names whose gradients (or, for the '
                               'output, value) students give')
        asked = list(expect)
    if isinstance(asked, list) and asked and all(isinstance(a, str) for a in asked):
        share = exact(points) / len(asked)
        worths, rules = {name: share for name in asked}, {}
        if len(worths) < len(asked):
            twice = next(name for name in asked if asked.count(name) > 1)
            raise places.error(source, places.inside(number, "answers", twice),
                               f"{where}: {twice} is asked twice", "list each answer once")
    elif isinstance(asked, dict) and asked:
        # An answer's points, or a table of its points and its own tolerance keys.
        rules = {name: _rule(places, source, number, f"{where}: the answer {name}", value, problem.rule,
                             name) for name, value in asked.items() if isinstance(value, dict)}
        worths = {name: _worth(places, source, number, where, name,
                               _answer_points(places, source, number, where, name, value))
                  for name, value in asked.items()}
        total = sum(worths.values(), Fraction(0))
        if "points" in item and total != exact(points):   # exact: 0.1 + 0.2 is 0.3
            raise places.error(source, places.key(number, "points"),
                               f"{where}: points = {points:g}, but its answers are worth {float(total):g}",
                               "make them agree, or leave points out (it is then their sum)")
        problem.points = float(total)
        if total > MAX_POINTS:
            raise places.error(source, places.key(number, "answers"), f"{where}: its answers are worth "
                               f"{float(total):.6g} in all; a problem may be worth at most {MAX_POINTS:,}")
    else:
        raise places.error(source, places.key(number, "answers"),
                           f"{where}: answers must list names, e.g. answers = [\"x\", \"y\"], or give "
                           f"each its points, e.g. answers = {{ x = 2, y = 1 }}")
    problem.asked = [Asked(problem, name, worth, rules.get(name, problem.rule)) for name, worth in worths.items()]
    return problem


def _rule(places, source, number, where, data: dict, base: Rule, answer: str | None = None) -> Rule:
    """The tolerance keys of a problem (or of one of its answers) over `base`, errors with a caret."""
    try:
        return read_rule(where, data, base)
    except GradcalcError as error:
        key = next((k for k in TOLERANCE_KEYS if k in data), "answers")
        span = places.inside(number, "answers", answer) if answer else places.key(number, key)
        raise places.error(source, span, error.message, error.hint) from None


_ANSWER_KEYS = ("points",) + TOLERANCE_KEYS


def _answer_points(places, source, number, where, name, value):
    """An answer's points: the number itself, or a table's `points` (1 if it gives none)."""
    if not isinstance(value, dict):
        return value
    for key in value:
        if key not in _ANSWER_KEYS:
            error = unknown_key(f"{where}: the answer {name}", key, _ANSWER_KEYS)
            raise places.error(source, places.inside(number, "answers", name), error.message, error.hint)
    return value.get("points", 1)


def _worth(places, source, number, where, name, value) -> Fraction:
    try:
        return exact(checked_number(f"{where}: the answer {name}", "its points", value, MAX_POINTS))
    except GradcalcError as error:
        raise places.error(source, places.inside(number, "answers", name), error.message) from None


def _check_asked(problem: ClassProblem, places: Places, source: str) -> None:
    """Every name asked is an input, a named intermediate or the output."""
    result = problem.result
    known = [node.name for node in result.graph.nodes if node.name is not None]
    for asked in problem.asked:
        if asked.name not in known and asked.name != result.output_name:
            close_name = did_you_mean(asked.name, known)
            hint = (f"did you mean {close_name}?" if close_name else
                    f"ask for an input or a named intermediate ({', '.join(dict.fromkeys(known)) or 'none'})"
                    f" or the output {result.output_name}")
            raise places.error(source, places.inside(problem.number, "answers", asked.name),
                               f"problem {problem.number} ({problem.id}): the expression has no input "
                               f"or named value {escape(asked.name)}", hint)


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a spreadsheet's byte-order mark dropped); else exit 2 naming the line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise GradcalcError(f"{source}, line {line}, column {column}: not UTF-8 text ({error.reason})",
                            hint="save the file as UTF-8 (in a spreadsheet: CSV UTF-8)") from None


# The answers file -------------------------------------------------------------------------------

@dataclass
class Row:
    student: str
    line: int                        # where the row starts in the answers file
    texts: list[str] | None          # the answers, in the order of the file's columns (None: unreadable)
    review: list[str] = field(default_factory=list)   # what is wrong with the row itself
    ids: dict[str, str] = field(default_factory=dict)  # IDENTITY columns: how an LMS knows the student


@dataclass
class AnswersFile:
    columns: list[str]               # PROBLEM_ID.NAME for each answer column, in the file's order
    rows: list[Row]


def read_answers(text: str, sheet: ClassSheet, source: str = "the answers file") -> AnswersFile:
    """The answers CSV: a `student` column, then one column per `PROBLEM_ID.NAME` the sheet asks.

    A file that cannot be read as a whole (not CSV, an unknown or missing column) is exit 2 naming
    the line and column. A bad row is that student's, never the class's: a row of the wrong length
    (an unquoted decimal comma, `0,693`, splits a field in two), a student without a name or on two
    rows is kept and marked for review, and graded as far as it can be read. Blank lines are
    skipped. A field of any length is read (the file's size is limited): an answer too long to grade
    is that student's, see `judge`.
    """
    def bad(line: int, column: int | None, message: str, hint: str | None = None) -> GradcalcError:
        where = f"line {line}" + (f", column {column}" if column else "")
        return GradcalcError(f"{source}, {where}: {message}", hint=hint)

    # A spreadsheet in a decimal-comma locale saves fields separated by ';' (or tabs): read those too,
    # their answers' commas as decimal commas (2,2 is 2.2), as --points reads them.
    separator, found = csv_rows(text, source)
    known = sheet.columns
    rows: list[Row] = []
    seen: dict[str, int] = {}
    header: list[str] | None = None
    for start, fields in found:
        if header is None:
            header = [f.strip() for f in fields]
            _check_header(header, known, start, bad)
            continue
        review = []
        if len(fields) != len(header):
            width, joined = len(fields), _bracketed(fields, len(header), separator)
            how = "; read with each answer's brackets kept together"
            if joined is None and separator == ",":   # a ; file's fields hold their decimal commas
                joined, how = _decimal_commas(fields, len(header)), "; read with each decimal comma inside one answer"
            fields = fields if joined is None else joined
            review.append(f"line {start}: the row has {width} fields but the header has {len(header)} "
                          f"columns" + ("; not graded" if len(fields) != len(header) else how))
        student = fields[0].strip()
        if not student:
            student = f"(no name, line {start})"
            review.append(f"line {start}: no student name")
        elif student in seen:
            review.append(f"line {start}: the student is also on line {seen[student]}")
        seen.setdefault(student, start)
        aligned = len(fields) == len(header)
        ids = {IDENTITY[identity(header[i])]: fields[i].strip() for i in range(1, len(header))
               if aligned and identity(header[i])}
        texts = [decimal_point(field, separator) if header[i] in known else field
                 for i, field in enumerate(fields[1:], start=1)] if aligned else None
        rows.append(Row(student, start, texts, review, ids))
    if header is None:
        raise GradcalcError(f"{source} is empty", hint="the first line names the columns: student,"
                            + ",".join(list(known)[:3]))
    return AnswersFile(header[1:], rows)


# Columns of the answers file beside the answers that say who the student is to a learning-management
# system (--format canvas|moodle): Canvas's gradebook columns, Moodle's user fields.
IDENTITY = {"id": "ID", "sis user id": "SIS User ID", "sis login id": "SIS Login ID", "section": "Section",
            "email": "Email address", "email address": "Email address", "idnumber": "ID number",
            "id number": "ID number", "username": "Username"}


def identity(column: str) -> str | None:
    """The IDENTITY key of an answers file's column (`SIS_User_ID`, `Email`), else None."""
    key = " ".join(column.strip().lower().replace("_", " ").split())
    return key if key in IDENTITY else None


_WHOLE, _DIGITS = re.compile(r"^\s*[+-]?\d+$"), re.compile(r"^\d+\s*$")


def _bracketed(fields: list[str], width: int, separator: str) -> list[str] | None:
    """A row with too many fields put back together where an answer's brackets hold the separator
    (`[3,0; 4,0]` unquoted in a ; file is the fields `[3,0` and ` 4,0]`), if that gives the header's
    width; else None."""
    joined, depth = [], 0
    for text in fields:
        if depth > 0:
            joined[-1] += separator + text
        else:
            joined.append(text)
        depth = max(0, depth + text.count("[") + text.count("(") - text.count("]") - text.count(")"))
    return joined if len(joined) == width and len(joined) < len(fields) else None


def _decimal_commas(fields: list[str], width: int) -> list[str]:
    """A row with too many fields put back together where the only way is to read each extra field
    as the decimals of the one before (`0,693` unquoted is the fields `0` and `693`); else as it is."""
    extra = len(fields) - width
    if extra <= 0:
        return fields
    pairs = [i for i in range(1, len(fields) - 1) if _WHOLE.match(fields[i]) and _DIGITS.match(fields[i + 1])]
    if len(pairs) != extra or any(b - a < 2 for a, b in zip(pairs, pairs[1:])):
        return fields   # none, or more ways than one: the row cannot be read
    joined, skip = [], set(pairs)
    for i, text in enumerate(fields):
        if i - 1 in skip:
            joined[-1] += "," + text
        else:
            joined.append(text)
    return joined


def _check_header(header: list[str], known: dict, line: int, bad) -> None:
    if header[0].lower() != "student":
        raise bad(line, 1, f"the first column must be student, got {escape(header[0])!r}",
                  "name the column of students' names student")
    seen, who = {}, {}
    for column, name in enumerate(header[1:], start=2):
        if name in seen:
            raise bad(line, column, f"the column {escape(name)} is also column {seen[name]}")
        seen[name] = column
        same = identity(name) and IDENTITY[identity(name)]
        if same in who:
            raise bad(line, column, f"the column {escape(name)} says what column {who[same]} says ({same})")
        if same:
            who[same] = column
        if name not in known and identity(name) is None:
            same = [column for column in known if column.lower() == name.lower()]
            if same:
                raise bad(line, column, f"the sheet asks for no answer {escape(name)!r}",
                          f"did you mean {same[0]}? (names are case-sensitive: x and X are different "
                          f"variables)")
            close_name = did_you_mean(name, list(known) + list(IDENTITY))
            raise bad(line, column, f"the sheet asks for no answer {escape(name)!r}",
                      f"did you mean {close_name}?" if close_name else
                      f"columns are PROBLEM_ID.NAME: {', '.join(list(known)[:6])}"
                      + (", …" if len(known) > 6 else "") + "; and who the student is to a learning-"
                      "management system: email, idnumber, username, id, sis_user_id, sis_login_id, section")
    missing = [name for name in known if name not in seen]
    if missing:
        raise bad(line, None, f"no column for {', '.join(missing[:5])}" + (", …" if len(missing) > 5 else ""),
                  "add the column (it may be empty: no answers, no points)")


# Grading ------------------------------------------------------------------------------------------

BLANK = "blank"
UNALIGNED = "not graded: the row's fields do not line up with the columns"


@dataclass
class Mark:
    """One student's answer to one asked quantity."""

    asked: Asked
    text: str
    verdict: Verdict | None          # None: left blank
    entry: Any = None                # diagnose.Entry of a wrong answer: its mistake, or follow-through
    credit: float = 0.0              # the share of its worth a wrong answer earns (follow-through)
    key: Any = None                  # the Key it was judged against (the student's own point)

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok

    @property
    def earned(self) -> Fraction:
        if self.ok:
            return self.asked.worth
        return self.asked.worth * exact(self.credit) if self.credit else Fraction(0)

    @property
    def kind(self) -> str:
        if self.verdict is None:
            return BLANK
        return self.verdict.answer.kind


@dataclass
class Student:
    name: str
    line: int
    marks: list[Mark]                # in the sheet's order
    notes: list[str] = field(default_factory=list)   # what is wrong with the student's row itself
    ids: dict[str, str] = field(default_factory=dict)  # the answers file's IDENTITY columns, by name

    @property
    def review(self) -> dict[str, list[str]]:
        """What a teacher should know of this student's row: the columns left blank, the malformed
        ones, and what needs a person's look (the row itself, an answer too long, a decimal comma)."""
        found: dict[str, list[str]] = {"blank": [], "malformed": [], "look": list(self.notes)}
        for mark in self.marks:
            review = mark.verdict.answer.review if mark.verdict is not None else None
            if review == UNALIGNED:   # said once, for the row
                continue
            if review:
                found["look"].append(f"{mark.asked.column}: {review}")
            elif mark.kind in (BLANK, "malformed"):
                found[mark.kind].append(mark.asked.column)
        return found

    def earned(self, problem: ClassProblem) -> Fraction:
        return sum((mark.earned for mark in self.marks if mark.asked.problem is problem), Fraction(0))

    @property
    def total(self) -> Fraction:
        return sum((mark.earned for mark in self.marks), Fraction(0))

    @property
    def right(self) -> int:
        return sum(mark.ok for mark in self.marks)


class Stack:
    """A problem's given point and the points near it, each named value stacked into one array
    (row 0 the given point), so a formula is evaluated at all of them in one forward pass."""

    def __init__(self, result, seed: int):
        self.result = result
        self.nearby = Nearby(result, seed, SAMPLES)   # the same points `check` alone would use
        self._env: dict | None = None
        self._wheres: dict[int, str] = {}
        # what every answer to this problem is read and judged against, found once, not per answer
        self.available = named_values(result.graph, result.values)
        self.limits = _answer_limits(result)

    @property
    def points(self) -> list:
        return self.nearby.points

    @property
    def env(self) -> dict | None:
        """name → its values at every point (None when a value is an array: no stacking then)."""
        if self._env is None:
            available = self.available
            if any(np.ndim(v) for v in available.values()):
                self._env = {}
            else:
                everywhere = [available] + [named_values(p.graph, p.values) for p in self.points]
                self._env = {name: np.array([values[name] for values in everywhere], dtype=np.float64)
                             for name in available}
        return self._env or None

    def where(self, i: int) -> str:
        """Nearby point i (1, 2, …) as the reasons write it."""
        if i not in self._wheres:
            self._wheres[i] = describe_point(self.points[i - 1].inputs)
        return self._wheres[i]


@dataclass
class Key:
    """What one asked answer is compared with: the correct value at the point and near it."""

    asked: Asked
    quantity: str
    computed: Any
    stack: Stack                     # shared by the problem's answers
    rule: Rule = Rule()              # the answer's tolerance, the grader's --rtol/--atol applied
    _targets: Any = None
    _solution: Any = None
    point: tuple | None = None       # the student's own point (None: the sheet's, every student's)

    @property
    def result(self):
        """The problem computed at this key's point."""
        return self.stack.result

    @property
    def nearby(self):
        return self.stack.nearby

    @property
    def targets(self) -> np.ndarray:
        """The correct value at every stacked point (scalar problems only)."""
        if self._targets is None:
            self._targets = np.array([self.computed] + [answer_target(p, self.asked.name)[1]
                                                        for p in self.stack.points], dtype=np.float64)
        return self._targets


@dataclass
class Gradebook:
    sheet: ClassSheet
    keys: dict[str, Key]             # by column
    students: list[Student]
    rtol: float
    atol: float
    seed: int = SEED
    distinct: int = 0                # distinct non-blank answers judged
    rule: Rule = Rule()              # the sheet's tolerance, the grader's --rtol/--atol applied


def grade_class(sheet: ClassSheet, answers: AnswersFile, rtol: float | None = None,
                atol: float | None = None, seed: int = SEED, diagnose: bool = True) -> Gradebook:
    """Judge every student's every answer; each distinct answer in a column is judged once, and a
    student's wrong answers to a problem as a worked pass (their mistakes named, follow-through;
    `diagnose=False` leaves that out, for a benchmark's baseline)."""
    from .diagnose import ClassMarker

    keys: dict[str, Key] = {}
    for problem in sheet.problems:
        keys.update(problem_keys(problem, problem.result, seed, rtol, atol))
    own = StudentKeys(sheet, keys, seed, rtol, atol)   # a student's own point's keys, where the sheet varies it
    # Each distinct text of a column judged once: its verdict, and whether a wrong one is diagnosed
    # (a number or formula, not malformed, not of a shape no slip gives, not failing by its rounding
    # alone, which is said so).
    judged: dict[tuple, tuple[Verdict, bool]] = {}
    parsed: dict | None = {} if own.varying else None    # each text read once, judged at every point
    order = {column: i for i, column in enumerate(answers.columns)}
    students = []
    # The grader's --rtol/--atol replace every rule of the sheet; without them each answer has its own.
    given_rtol, given_atol = rtol, atol
    rtol = sheet.rule.rtol if rtol is None else rtol
    atol = sheet.rule.atol if atol is None else atol
    marker = ClassMarker(sheet.follow_through)   # each wrong answer's mistake (by its own rule), follow-through
    for row in answers.rows:
        marks = []
        wrong: dict[str, list[Mark]] = {}      # by problem id
        mine = own.of(row.student)
        for column in keys:
            key = mine[column]
            if row.texts is None:   # its fields do not line up with the columns: nothing is guessed
                marks.append(Mark(key.asked, "", _for_review(key, "", UNALIGNED, "a person should read the row"),
                                  key=key))
                continue
            text = row.texts[order[column]]
            if not text.strip():
                marks.append(Mark(key.asked, text, None, key=key))
                continue
            found = judged.get((column, key.point, text))
            if found is None:
                verdict = judge(key, text, parsed)
                verdict.answer = verdict.answer.judged()   # its graph let go: memory per answer small
                found = judged[column, key.point, text] = (verdict, diagnose and not verdict.ok and (
                    verdict.answer.malformed is None and verdict.expected is not None
                    and not verdict.wrong_shape and not rounding(verdict.failure)))
            mark = Mark(key.asked, text, found[0], key=key)
            marks.append(mark)
            if found[1]:
                wrong.setdefault(key.asked.problem.id, []).append(mark)
        for theirs in wrong.values():
            marker.add(own.marked(theirs[0].asked.problem, row.student), theirs)
        students.append(Student(row.student, row.line, marks, row.review, row.ids))
    try:
        marker.finish()
    except Exception as error:   # naming mistakes failed (gradcalc's slip): grade without it, and say so
        _unnamed(students, f"{type(error).__name__}: {error}")
    return Gradebook(sheet, keys, students, rtol, atol, seed, len(judged),
                     overridden(sheet.rule, given_rtol, given_atol))


def _unnamed(students: list[Student], why: str) -> None:
    """Take back whatever naming the mistakes had set (no partial follow-through) and tell each
    student with a wrong answer's row that it was graded without it."""
    for student in students:
        wrong = [mark for mark in student.marks if mark.verdict is not None and not mark.ok]
        for mark in wrong:
            mark.entry, mark.credit = None, 0.0
        if wrong:
            student.notes.append(f"mistakes not named: gradcalc failed ({why}); this is a bug in "
                                 "gradcalc, please report it")


def problem_keys(problem: ClassProblem, result, seed: int, rtol: float | None = None, atol: float | None = None,
                 point: tuple | None = None, nearby: Nearby | None = None) -> dict[str, Key]:
    """The keys of a problem's answers at one point (its result there), sharing one Stack; the grader's
    `rtol`/`atol` (None: not given) applied to each answer's tolerance; `nearby`: the points a formula
    is also compared at, if not drawn near this one."""
    stack = Stack(result, seed)
    if nearby is not None:
        stack.nearby = nearby
    keys = {}
    for asked in problem.asked:
        quantity, computed = answer_target(result, asked.name)
        keys[asked.column] = Key(asked, quantity, computed, stack, overridden(asked.rule, rtol, atol), point=point)
    return keys


@dataclass
class Marked:
    """A problem at a student's own point, as diagnose.ClassMarker reads a problem."""

    id: str
    result: Any
    asked: list


class StudentKeys:
    """Each student's keys: the sheet's own where a problem has one point for all, else made at the
    student's point (variants.py), once per distinct point: choices and whole ranges repeat."""

    def __init__(self, sheet: ClassSheet, keys: dict[str, Key], seed: int, rtol: float | None = None,
                 atol: float | None = None):
        self.sheet, self.keys, self.seed, self.rtol, self.atol = sheet, keys, seed, rtol, atol
        self.varying = [problem for problem in sheet.problems if problem.varying]
        self.at: dict[tuple, dict[str, Key]] = {}      # (problem id, point) → its keys
        self._points: dict[tuple[str, str], tuple] = {}

    def point(self, problem: ClassProblem, student: str) -> tuple:
        """The student's point of a varying problem, as (name, value) pairs, and its keys made."""
        found = self._points.get((problem.id, student))
        if found is None:
            where = f"problem {problem.number} ({problem.id}), student {escape(student)}"
            at, result = variants.inside(self.sheet.seed, problem.id, student, problem.fixed, problem.varying,
                                         problem.compute, where)
            found = tuple((name, value) for name, value in at.items() if name in problem.varying)
            self._points[problem.id, student] = found
            if (problem.id, found) not in self.at:
                self.at[problem.id, found] = problem_keys(problem, result, self.seed, self.rtol, self.atol,
                                                          found, self._shared_nearby(problem))
        return found

    def _shared_nearby(self, problem: ClassProblem):
        """The sheet's own nearby points, for a problem without kinks: a formula is then the right
        function wherever it matches at the student's point and at those (inside the domain, each one),
        and 5 passes per student's point are saved. With a kink (relu, abs, max) the points must be on
        the student's own side of it: drawn near their point (None)."""
        if any(node.op is not None and OPS[node.op].piece is not None for node in problem.result.graph.nodes):
            return None
        return self.keys[problem.asked[0].column].stack.nearby

    def of(self, student: str) -> dict[str, Key]:
        if not self.varying:
            return self.keys
        mine = dict(self.keys)
        for problem in self.varying:
            mine.update(self.at[problem.id, self.point(problem, student)])
        return mine

    def marked(self, problem: ClassProblem, student: str):
        if not problem.varying:
            return problem
        found = self.point(problem, student)
        result = next(iter(self.at[problem.id, found].values())).result
        return Marked(f"{problem.id} at {found}", result, problem.asked)


# One cell is one student's answer: far longer or costlier than any honest one is that cell's
# failure, marked for a person to read, never the class's (one 131 073-character cell was exit 2).
ANSWER_LIMITS = Limits(length=MAX_ANSWER, nodes=4 * MAX_ANSWER, elements=100_000, total=1_000_000)


def _answer_limits(result) -> Limits:
    """ANSWER_LIMITS, or room for a few values as large as the problem's own."""
    largest = max((int(np.size(v)) for v in result.values), default=1)
    if 10 * largest <= ANSWER_LIMITS.elements:
        return ANSWER_LIMITS
    return ANSWER_LIMITS.replace(elements=10 * largest, total=100 * largest)


def _for_review(key: Key, text: str, why: str, hint: str) -> Verdict:
    answer = Answer(key.asked.name, text, malformed=GradcalcError(f"{why}: not graded", hint=hint),
                    review=why)
    return Verdict(answer, key.quantity, None, key.computed, False, 0, f"marked for review: {why}")


def judge(key: Key, text: str, parsed: dict | None = None) -> Verdict:
    """One answer's verdict, the same as `check` gives for it on one student's sheet; an answer too
    long or too costly to grade is marked for review (wrong, and said to the teacher)."""
    result = key.result
    if len(text) > MAX_ANSWER:
        return _for_review(key, text, f"the answer is {len(text):,} characters long, over the "
                           f"{MAX_ANSWER:,} an answer may have", "a person should read it")
    try:
        verdict = _judge_within(key, text, result, key.rule, parsed)
    except RecursionError:   # a library walking a formula recursively (numpy printing, …)
        return _for_review(key, text, "the answer is nested too deeply to grade", "a person should read it")
    except Exception as error:   # gradcalc's own slip: this answer's, never the class's
        return _for_review(key, text, f"gradcalc failed on this answer ({type(error).__name__}: {error}); "
                           "this is a bug in gradcalc, please report it with the answer",
                           "a person should read it")
    error = verdict.answer.malformed
    if error is not None and getattr(error, "limit", None):
        return _for_review(key, text, f"the answer is too costly to grade ({error.message})",
                           "a person should read it")
    if error is not None and _DECIMAL_COMMA.match(text):   # 0,693: a person decides, told what it would be
        dotted = text.strip().replace(",", ".")
        other = _judge_within(key, dotted, result, key.rule)
        verdict.answer = replace(verdict.answer, review=f"written with a decimal comma; as {dotted} it "
                                 f"would be {'right' if other.ok else 'wrong too'}")
    elif verdict.wrong_shape and _TIGHT_COMMA.search(text):
        # [3,0,4,0]: commas alone separate elements, four of them, the wrong shape; read with decimal
        # commas, [3.0,4.0], it may be right: a person decides (said only then: wrong either way is wrong).
        dotted = _TIGHT_COMMA.sub(r"\1.\2", text.strip())
        try:
            other = _judge_within(key, dotted, result, key.rule).ok
        except Exception:   # noqa: BLE001 - a second reading is only ever a note: never the class's end
            other = False
        if other:
            verdict.answer = replace(verdict.answer, review=f"read as elements apart by commas, the wrong shape; "
                                     f"with decimal commas, {dotted}, it would be right")
    return verdict


def _judge_within(key: Key, text: str, result, rule: Rule, parsed: dict | None = None) -> Verdict:
    # `parsed`: each text read once per column, and judged at every student's own point (variants.py).
    answer = None if parsed is None else parsed.get((key.asked.column, text))
    if answer is None:
        answer = parse_answer(f"{key.asked.name}={text}", keep_going=True, limits=key.stack.limits,
                              names=result.graph.variables)
        if answer.malformed is not None and _DECIMAL_COMMA.match(text):
            answer.malformed.hint = f"write a decimal point: {text.strip().replace(',', '.')}"
        if parsed is not None:
            parsed[key.asked.column, text] = answer
    if answer.number is not None and not np.ndim(answer.number) and not np.ndim(key.computed):
        # A number as written: its figures count (tolerance.py), not only its float.
        ok, why = judge_number(rule, text, float(key.computed))
        return Verdict(answer, key.quantity, answer.number, key.computed, ok, 1,
                       None if ok else why or "differs from the computed value")
    rtol, atol = rule.rtol, rule.atol
    available = key.stack.available
    answer = readable(answer, result.graph, available)
    if answer.formula is not None:
        try:
            fast = _judge_stacked(key, answer, rtol, atol)
        except GradcalcError:    # an op that mixes rows (sum, @): judged one point at a time below
            fast = None
        if fast is not None:
            return fast
    try:
        return judge_answer(result, answer, available, key.nearby, rtol, atol)
    except GradcalcError as error:   # shapes that do not fit: the answer cannot be evaluated
        return unjudgeable(answer, error, key.quantity, key.computed)


def _judge_stacked(key: Key, answer: Answer, rtol: float, atol: float) -> Verdict | None:
    """A formula at the given point and every nearby point in one forward pass (each name's values
    stacked into an array); None where that does not apply (arrays, or no variables in the formula)."""
    from .evaluate import forward
    from .numbers import format_value

    formula, stack = answer.formula, key.stack
    uses = [name for name in formula.variables if name not in formula.defaults]
    env = stack.env if uses else None
    # Scalars in, scalar constants and elementwise ops only: every node is one number per point.
    if env is None or any(np.ndim(v) for v in formula.constants.values()) or \
            any(np.ndim(v) for v in formula.defaults.values()) or \
            not all(OPS[op].elementwise for op in set(formula.nodes.ops) if op is not None):
        return None
    n = 1 + len(stack.points)
    bad = np.zeros(n, dtype=bool)
    errors: dict[int, MathError] = {}

    def on_nonfinite(value, error_at) -> None:
        finite = np.isfinite(value)
        new = ~bad if finite.ndim == 0 else ~finite & ~bad
        for i in np.flatnonzero(new):
            errors[int(i)] = error_at(int(i))
        bad[new] = True

    # The stacked values are checked floats already: bound directly (every name is known, see
    # readable), a formula's own defaults filling the rest.
    inputs = {name: env[name] if name in env else formula.defaults[name] for name in formula.variables}
    values = forward(formula, inputs, on_nonfinite)
    given = np.broadcast_to(values[formula.output], (n,))
    targets, quantity, computed = key.targets, key.quantity, key.computed
    with np.errstate(all="ignore"):   # close(), for every point at once
        near = np.abs(given - targets) <= atol + rtol * np.abs(targets)
    wrong = np.flatnonzero(~near | bad)
    if not len(wrong):
        return Verdict(answer, quantity, np.float64(given[0]), computed, True, n)
    i = int(wrong[0])
    if i == 0:
        if 0 in errors:
            return Verdict(answer, quantity, None, computed, False,
                           failure=f"the answer is undefined at the given point: {errors[0].message}")
        return Verdict(answer, quantity, np.float64(given[0]), computed, False,
                       failure="differs from the computed value at the given point")
    expected, where = np.float64(given[0]), stack.where(i)
    if i in errors:
        return Verdict(answer, quantity, expected, computed, False, 1 + i,
                       f"right at the given point, but undefined at {where} ({errors[i].message})")
    return Verdict(answer, quantity, expected, computed, False, 1 + i,
                   f"right at the given point only: at {where} the answer gives "
                   f"{format_value(np.float64(given[i]))} but {quantity} = {format_value(targets[i])}")


# Solutions ----------------------------------------------------------------------------------------

@dataclass
class Solution:
    """What --solutions shows for an answer: its formula and the backward steps that lead to it."""

    formula: str | None              # gradcalc's syntax; None where no formula can be given
    steps: list                      # evaluate.Step on every path from the output to the node
    condition: str = ""              # where the formula holds, if not everywhere ("y sums to 1")


def _node_of(result, name: str) -> int:
    """The node a name means (graph.node_of), and the output's for its own name even when unnamed."""
    graph = result.graph
    if name == result.output_name and name not in graph.variables:
        return graph.output
    return graph.node_of(name)


def solution(key: Key) -> Solution:
    """The formula of the asked quantity (the expression itself for the value) and the steps of the
    backward pass through the nodes that depend on it; found once per key."""
    if key._solution is None:
        key._solution = _solution(key)
    return key._solution


def _solution(key: Key) -> Solution:
    result = key.result
    graph, target = result.graph, _node_of(result, key.asked.name)
    found = answer_formulas(key.asked, result)
    if target == graph.output:   # the value: the expression with its intermediates written out
        if found is not None:
            return Solution(found.ascii["f"], [])
        lines = key.asked.problem.expression.strip().splitlines()
        return Solution("; ".join(line.strip() for line in lines if line.strip()), [])
    downstream = [False] * len(graph.nodes)
    downstream[target] = True
    for node in graph.nodes[target + 1:]:
        downstream[node.id] = any(downstream[i] for i in node.inputs)
    steps = [step for step in result.steps if downstream[step.input] and downstream[step.node]]
    return Solution(None if found is None else found.ascii["f"], steps, getattr(found, "condition", ""))


def answer_formulas(asked: Asked, result):
    """The formula of an asked answer as symbolic.Formulas (root "f"): the expression itself for the
    value, else the derivative. None where there is none (arrays). It is the same at every student's
    point: made once per asked answer."""
    if asked.formulas_made:
        return asked.formulas
    graph, target = result.graph, _node_of(result, asked.name)
    try:
        from .graph import Graph, Node
        from .higher import NodeBuilder, gradient_nodes
        from .symbolic import formulas

        if target == graph.output:
            found = formulas(graph, result.values, {"f": target})
        else:
            # A named intermediate becomes an input of a copy of the graph, so its formula reads in
            # the names around it (∂price/∂apple_price = tax), as the student is asked to write it.
            nodes, variables = list(graph.nodes), dict(graph.variables)
            if asked.name not in variables:
                old = nodes[target]
                nodes[target] = Node(old.id, None, (), old.name, old.span)
                variables[asked.name] = target
            copy = Graph(graph.text, nodes, variables, dict(graph.constants), dict(graph.defaults), graph.output)
            builder = NodeBuilder(copy, list(result.values))
            nodes = gradient_nodes(builder, graph.output, [target], what="the solution's formula")
            taken = {node.name for node in graph.nodes if node.name} | {result.output_name}
            found = formulas(builder.graph, builder.values, {"f": nodes[target]}, taken)
    except GradcalcError:   # arrays: softmax(z) - y where that is the gradient, else no formula
        from .symbolic import textbook_array_formula

        found = None if target == graph.output else \
            textbook_array_formula(graph, result.values, result.grads, target)
    asked.formulas, asked.formulas_made = found, True
    return found
