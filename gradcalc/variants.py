"""A point per student: a sheet's `at` may give ranges or choices, and each student's values are
drawn from them by a keyed hash of the sheet's seed, the problem and the student's name.

    at = { x = { range = [1, 3] }, y = { range = [0, 1], decimals = 1 }, k = { choices = [2, 5, 10] }, b = 1 }

`range = [LO, HI]` draws whole numbers from LO to HI (both included) when both ends are whole and
no `decimals` are given, else numbers with `decimals` places (default 2); `choices` draws one of
the values listed. A plain array stays what it always was, an array value (`x = [1, 3]` is a
vector), so no existing sheet changes meaning. A point where the problem cannot be computed (log of
a negative number, a division by zero) is drawn again, deterministically, up to MAX_TRIES times.

The hash is BLAKE2b keyed with the seed, over the length-prefixed problem id, variable and name, so
no name can pick its point or collide with another field, and the same inputs give the same point on
every machine (Python's own hash() is salted per process).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import GradcalcError, MathError
from .numbers import describe, number_problem

MAX_TRIES = 100           # draws per student and problem before the ranges are called impossible
MAX_DECIMALS = 6
MAX_CHOICES = 10_000
SPEC_KEYS = ("range", "choices", "decimals")


@dataclass(frozen=True)
class Spec:
    """Where one variable's values come from: a range (whole or with decimals) or a list of choices."""

    choices: tuple = ()                  # the values listed, or ()
    low: Decimal | None = None           # a range's ends, exact
    high: Decimal | None = None
    decimals: int = 0

    def pick(self, draw: int) -> float:
        if self.choices:
            return self.choices[draw % len(self.choices)]
        # In whole units of the last decimal: 3.1 is 31 tenths, and 31/10 is the float nearest 3.1.
        scale = 10 ** self.decimals
        low, high = int(self.low * scale), int(self.high * scale)
        units = low + draw % (high - low + 1)
        return units if self.decimals == 0 else units / scale

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        places = "whole numbers" if self.decimals == 0 else f"{self.decimals} decimal{'s' * (self.decimals > 1)}"
        return f"from {self.low} to {self.high}, {places}"


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_spec(value: Any) -> bool:
    return isinstance(value, dict)


def read_spec(where: str, name: str, value: dict) -> Spec:
    """A variable's `{ range = [LO, HI], decimals = D }` or `{ choices = [...] }`, checked (exit 2)."""
    example = f"write {name} = {{ range = [1, 3] }} or {name} = {{ choices = [1, 2, 5] }}"
    for key in value:
        if key not in SPEC_KEYS:
            raise GradcalcError(f"{where}: the values of {name} have an unknown key {key!r}",
                                hint=f"the keys are range (with decimals) and choices: {example}")
    if ("range" in value) == ("choices" in value):
        raise GradcalcError(f"{where}: give {name} either a range or choices", hint=example)
    if "choices" in value:
        choices = value["choices"]
        if "decimals" in value:
            raise GradcalcError(f"{where}: decimals go with a range, not with choices",
                                hint=f"write the choices as they should be: {name} = {{ choices = [0.5, 1.5] }}")
        if not isinstance(choices, list) or not choices or len(choices) > MAX_CHOICES:
            raise GradcalcError(f"{where}: the choices of {name} must be a list of 1 to {MAX_CHOICES:,} numbers",
                                hint=example)
        for choice in choices:
            problem = number_problem(choice) if _numeric(choice) else f"not a number: {describe(choice)}"
            if problem:
                raise GradcalcError(f"{where}: a choice of {name} is {problem}", hint=example)
        return Spec(choices=tuple(choices))
    ends = value["range"]
    if not isinstance(ends, list) or len(ends) != 2 or any(not _numeric(end) or number_problem(end) for end in ends):
        raise GradcalcError(f"{where}: the range of {name} must be two finite numbers [LO, HI], got "
                            f"{describe(ends)}", hint=example)
    low, high = (Decimal(str(end)) for end in ends)
    if low > high:
        raise GradcalcError(f"{where}: the range of {name} runs from {ends[0]} down to {ends[1]}",
                            hint=f"write the lower end first: range = [{ends[1]}, {ends[0]}]")
    whole = all(isinstance(end, int) for end in ends)
    decimals = value.get("decimals", 0 if whole else 2)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise GradcalcError(f"{where}: decimals of {name} must be a whole number from 0 to {MAX_DECIMALS}",
                            hint="write decimals = 1 for values such as 1.5")
    step = Decimal(1).scaleb(-decimals)
    first, last = (low / step).to_integral_value("ROUND_CEILING") * step, \
        (high / step).to_integral_value("ROUND_FLOOR") * step
    if first > last:
        raise GradcalcError(f"{where}: the range of {name} holds no number with {decimals} decimals",
                            hint="widen the range or allow more decimals")
    return Spec(low=first, high=last, decimals=decimals)


def split(where: str, at: dict) -> tuple[dict, dict[str, Spec]]:
    """`at` as its fixed values and its varying ones."""
    fixed = {name: value for name, value in at.items() if not is_spec(value)}
    varying = {name: read_spec(where, name, value) for name, value in at.items() if is_spec(value)}
    return fixed, varying


def student_key(name: str) -> str:
    """The name a point is drawn for: NFC and without surrounding space, so the same name typed on
    two keyboards (é as one character or as e and an accent) gets the same point."""
    return unicodedata.normalize("NFC", name).strip()


def _draw(seed: int, problem: str, variable: str, student: str, attempt: int) -> int:
    fields = (problem, variable, student, str(attempt))
    message = b"".join(len(data).to_bytes(8, "big") + data for data in (f.encode("utf-8") for f in fields))
    digest = hashlib.blake2b(message, digest_size=8, key=str(seed).encode("utf-8")[:64],
                             person=b"gradcalc-variant")
    return int.from_bytes(digest.digest(), "big")


def point(seed: int, problem: str, student: str, fixed: dict, varying: dict[str, Spec],
          attempt: int = 0) -> dict:
    """One draw of a student's point (attempt 0, 1, … for the draws after a point outside the domain)."""
    key = student_key(student)
    drawn = {name: spec.pick(_draw(seed, problem, name, key, attempt)) for name, spec in varying.items()}
    return {**fixed, **drawn}


def inside(seed: int, problem: str, student: str, fixed: dict, varying: dict[str, Spec], compute,
           where: str) -> tuple[dict, Any]:
    """The student's point and `compute(point)` there: the first draw at which the problem computes
    without a math error. Exit 2 naming the problem when MAX_TRIES draws all fall outside."""
    last = None
    for attempt in range(MAX_TRIES if varying else 1):
        at = point(seed, problem, student, fixed, varying, attempt)
        try:
            return at, compute(at)
        except MathError as error:
            last = error
            if not varying:
                raise
    assert last is not None
    ranges = "; ".join(f"{name} {spec.describe()}" for name, spec in varying.items())
    raise GradcalcError(f"{where + ': ' if where else ''}none of {MAX_TRIES} points drawn from its ranges can "
                        f"be computed (last: {last.message})",
                        hint=f"narrow the ranges to the function's domain ({ranges})")
