"""The answer key of a sheet: every asked answer's correct value and formula, at the sheet's own point
or at each student's (`gradcalc check SHEET --key [--answers CSV]`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .classroom import ClassProblem, ClassSheet, StudentKeys, answer_formulas, escape, problem_keys
from .csvtext import rows as csv_rows
from .errors import GradcalcError
from .tolerance import Rule, as_written


@dataclass
class Entry:
    """One asked answer: its column (p1.x), what it is (∂z/∂x), its value and formula."""

    column: str
    name: str
    quantity: str
    value: Any
    formulas: Any                    # symbolic.Formulas (root "f"), or None (arrays)
    rule: Rule = Rule()              # how the answer is judged: the key writes the value as it accepts

    def written(self, precision: int, change: float = 0.0) -> str | None:
        """The value as a student writes it under the answer's rule (0.353 for sigfigs = 3), changed
        by `change`·(|value| + 1) first if given; None for an array (judged by rtol/atol alone)."""
        import numpy as np

        if np.ndim(self.value):
            return None
        value = float(self.value)
        return as_written(self.rule, value + change * (abs(value) + 1) if change else value, precision)

    @property
    def formula(self) -> str | None:
        return None if self.formulas is None else self.formulas.ascii["f"]


@dataclass
class KeyProblem:
    problem: ClassProblem
    at: dict                         # the point the values are at
    entries: list[Entry] = field(default_factory=list)


@dataclass
class AnswerKey:
    sheet: ClassSheet
    student: str | None              # None: the sheet's own point
    problems: list[KeyProblem]


def _entries(problem: ClassProblem, keys: dict) -> KeyProblem:
    result = next(iter(keys.values())).result
    entries = [Entry(key.asked.column, key.asked.name, key.quantity, key.computed,
                     answer_formulas(key.asked, result), key.rule) for key in keys.values()]
    return KeyProblem(problem, dict(result.inputs), entries)


def sheet_key(sheet: ClassSheet, seed: int) -> AnswerKey:
    """The key at the sheet's own point (for a sheet with ranges, the point drawn for no student)."""
    return AnswerKey(sheet, None, [_entries(p, problem_keys(p, p.result, seed)) for p in sheet.problems])


def student_keys(sheet: ClassSheet, students: list[str], seed: int) -> list[AnswerKey]:
    """Each student's own key: their point of every problem, and the answers there."""
    shared = {}
    for problem in sheet.problems:
        shared.update(problem_keys(problem, problem.result, seed))
    own = StudentKeys(sheet, shared, seed)
    found = []
    for student in students:
        mine = own.of(student)
        found.append(AnswerKey(sheet, student, [
            _entries(p, {asked.column: mine[asked.column] for asked in p.asked}) for p in sheet.problems]))
    return found


def read_students(text: str, source: str) -> tuple[str, list[str]]:
    """The separator and the names in the `student` column of a CSV (the answers file, or a list of
    names alone), read by the class's reader (csvtext.rows: its separator, quotes, line ends and
    lines), so the key draws each point for the name the class is graded under, and is written with
    the separator the file was saved with."""
    names, seen, header = [], {}, None
    separator, rows = csv_rows(text, source)
    for line, fields in rows:
        if header is None:
            header = fields
            if fields[0].strip().lower() != "student":
                raise GradcalcError(f"{source}, line {line}: the first column must be student, "
                                    f"got {escape(fields[0].strip())!r}",
                                    hint="name the column of students' names student")
            continue
        name = fields[0].strip()
        if not name:
            raise GradcalcError(f"{source}, line {line}: no student name",
                                hint="the first field of each row names the student")
        if name in seen:
            raise GradcalcError(f"{source}, line {line}: the student {escape(name)!r} is "
                                f"also on line {seen[name]}", hint="give each student one row")
        seen[name] = line
        names.append(name)
    if header is None:
        raise GradcalcError(f"{source} is empty", hint="the first line names the columns: student,…")
    return separator, names
