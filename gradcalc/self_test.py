"""A sheet tests itself (as PrairieLearn's test()): graded with its own key it earns full marks, with
the key changed by 1% none, and every student's point can be computed (`gradcalc check SHEET --self-test`).

Each check runs the class grader itself, on a class made up of the key: one row per student (the
students of --answers, or DRAWN made-up ones when the sheet varies its points), so a point drawn
outside a function's domain, a formula that does not read back, or a tolerance that lets a 1% error
through shows up as it would for a class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .answer_key import student_keys
from .classroom import AnswersFile, ClassSheet, Row, grade_class
from .errors import GradcalcError
from .tolerance import MOST_FIGURES

DRAWN = 200            # made-up students whose points are drawn when the sheet varies them
CHANGE = 0.01          # a perturbed answer: a + CHANGE·(|a| + 1), 1% of it and never less than 0.01
SHOWN = 5              # failures listed per check


@dataclass
class Check:
    what: str
    count: int = 0                   # answers (or points) checked
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class SelfTest:
    sheet: ClassSheet
    students: int
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _number(entry, change: float = 0.0) -> str:
    """An answer as a student would type it, optionally changed: a number as its rule asks (0.353 for
    sigfigs = 3, every digit under rtol/atol), an array with every digit."""
    import numpy as np

    written = entry.written(MOST_FIGURES, change)
    if written is not None:
        return written
    array = np.asarray(entry.value, dtype=np.float64)
    return json.dumps((array + change * (np.abs(array) + 1) if change else array).tolist())


def self_test(sheet: ClassSheet, students: list[str] | None, seed: int) -> SelfTest:
    varying = any(problem.varying for problem in sheet.problems)
    names = students or ([f"student-{i}" for i in range(1, DRAWN + 1)] if varying else ["key"])
    points = Check("every student's point can be computed")
    try:
        keys = student_keys(sheet, names, seed)
    except GradcalcError as error:   # a student's point: no draw inside the domain
        points.failures.append(error.message)
        return SelfTest(sheet, len(names), [points])
    points.count = len(names)
    columns = [entry.column for kp in keys[0].problems for entry in kp.entries]

    def grade(what: str, answer, want_right: bool) -> Check:
        rows = [Row(key.student, line, [answer(entry) for kp in key.problems for entry in kp.entries])
                for line, key in enumerate(keys, start=2)]
        check = Check(what)
        book = grade_class(sheet, AnswersFile(columns, [row for row in rows if any(row.texts)]), seed=seed)
        for student in book.students:
            for mark in student.marks:
                if mark.verdict is None:       # no formula to give (arrays): nothing checked
                    continue
                check.count += 1
                if mark.ok != want_right:
                    why = "" if mark.ok else f": {mark.verdict.failure}"
                    who = "" if student.name == "key" else f"{student.name}, "
                    check.failures.append(f"{who}{mark.asked.column} = {mark.text} is "
                                          f"{'right' if mark.ok else 'wrong'}{why}")
        return check

    def formula(e) -> str:
        # A formula that holds only where its labels are one-hot (softmax(z) - y) is not given: the
        # grader's nearby points vary y too, where it is not the gradient.
        return "" if e.formula is None or getattr(e.formulas, "condition", "") else e.formula

    checks = [points,
              grade("the key's values earn full marks", lambda e: _number(e), True),
              grade("the key's formulas earn full marks", formula, True),
              grade(f"the values changed by {CHANGE:.0%} earn nothing",
                    lambda e: _number(e, CHANGE), False),
              grade(f"the formulas changed by {CHANGE:.0%} earn nothing",
                    lambda e: f"({formula(e)}) + {CHANGE!r}*(abs({formula(e)}) + 1)" if formula(e) else "", False)]
    return SelfTest(sheet, len(names), checks)
