"""How close a number answer must be, as a grader sets it: rtol/atol, significant figures (Moodle STACK's
NumSigFigs) or decimal places (STACK's NumDecPlaces), and when rounding alone is why an answer fails.

STACK's rules (doc/en/Authoring/Answer_Tests/Numerical.md in maths/moodle-qtype_stack): NumSigFigs
with option n checks that the answer is written with n significant figures, counted liberally (100
has 1, 2 or 3), and is within ±0.5 of its last significant place of the right value; `[n, m]` asks
for n figures of which m must be right (`[n, n - 1]`: the last digit may be wrong); `[n, -1]` for
at least n figures. NumDecPlaces with option d: written with exactly d decimals (12.30, not 12.3),
and the right value rounded to d decimals. Only a number's text decides how it was written, so the
text of the student's answer is read here, never its float.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from .check import ATOL, RTOL
from .errors import GradcalcError
from .numbers import NUMBER, describe, format_number

KEYS = ("rtol", "atol", "sigfigs", "decimals")
# The default for answers computed by hand (a class's): right within rtol/atol as a program's are,
# or written with at least this many significant figures, every one of them a correct rounding.
HAND_FIGURES = 3
MOST_FIGURES = 17          # a float64 has about 17 significant digits; more can never be checked


@dataclass(frozen=True)
class Rule:
    """How one answer is judged. Formulas are compared with rtol/atol at every point; a number with
    the rule's figures or decimals when it sets them, else with rtol/atol."""

    rtol: float = RTOL
    atol: float = ATOL
    sigfigs: int | None = None       # written with this many significant figures …
    accurate: int | None = None      # … of which this many must be right (None: all; -1: at least sigfigs)
    decimals: int | None = None      # written with this many decimal places, the right value rounded
    hand: bool = True                # nothing set: also right when ≥ HAND_FIGURES figures round right

    @property
    def figures(self) -> bool:
        return self.sigfigs is not None or self.decimals is not None

    @property
    def figure(self) -> int:
        """The significant figure a number must be right to, unless decimals are asked: sigfigs (or
        the figures of it that must be right), else the hand-computed default's."""
        if self.sigfigs is None:
            return HAND_FIGURES
        return self.sigfigs if self.accurate in (None, -1) else self.accurate

    def passes(self, text: str, value: float) -> bool | None:
        """Whether the number written as `text` is right for `value` under this rule (what a
        diagnosis matches a mistake's number by); None when `text` is no plain number."""
        if written(text) is None:
            return None
        return judge_number(self, text, value)[0]

    def instead(self, text: str) -> tuple[str, str] | None:
        """For a number written as `text` under a rule of figures or decimals: how it is written and
        what the rule asks for instead, in words ('4 significant figures', '3 significant figures');
        None under rtol/atol or for text that is no plain number."""
        form = written(text) if self.figures else None
        if form is None:
            return None
        if self.decimals is not None:
            return _count(form.decimals, "decimal"), self.asks
        figures = form.most if form.most < self.sigfigs else form.fewest   # as _rounded counts them
        return _count(figures, "significant figure"), self.asks

    @property
    def asks(self) -> str:
        """What the rule's figures or decimals ask for, in words: '3 significant figures', 'at least 3
        significant figures', '2 decimal places' (None under rtol/atol)."""
        if self.decimals is not None:
            return _count(self.decimals, "decimal place")
        if self.sigfigs is None:
            return None
        return ("at least " if self.accurate == -1 else "") + _count(self.sigfigs, "significant figure")

    def sentence(self, given: str = "answer", correct: str = "correct") -> str:
        """The rule in words, for feedback and the gradebook's JSON (a sheet's report compares the
        `expected` value an answer gives with the `computed` one)."""
        within = f"|{given} − {correct}| ≤ {format_number(self.atol)} + {format_number(self.rtol)}·|{correct}|"
        if self.decimals is not None:
            return f"numbers written with {_count(self.decimals, 'decimal place')}, correctly rounded; " \
                   f"formulas within {within}"
        if self.sigfigs is not None:
            if self.accurate == -1:
                how = f"at least {_count(self.sigfigs, 'significant figure')}, correctly rounded"
            elif self.accurate is not None and self.accurate < self.sigfigs:
                how = (f"{_count(self.sigfigs, 'significant figure')}, the first {self.accurate} right "
                       f"(the last {'digit' if self.sigfigs - self.accurate == 1 else 'digits'} may be off)")
            else:
                how = f"{_count(self.sigfigs, 'significant figure')}, correctly rounded"
            return f"numbers written with {how}; formulas within {within}"
        if self.hand:
            return f"{within}, or a number written with at least {HAND_FIGURES} significant figures, " \
                   f"correctly rounded"
        return within


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def read_rule(where: str, data: dict, base: Rule) -> Rule:
    """`base` with the tolerance keys `data` sets (a sheet's, a problem's or an answer's table).
    Setting any of them ends the hand-computed default; rtol/atol alone make numbers use them too."""
    given = {key: data[key] for key in KEYS if key in data}
    if not given:
        return base
    if "sigfigs" in given and "decimals" in given:
        raise GradcalcError(f"{where}: sigfigs and decimals both set", hint="give one of them")
    rule = replace(base, hand=False)
    for key in ("rtol", "atol"):
        if key in given:
            rule = replace(rule, **{key: _tolerance(where, key, given[key])})
    if "sigfigs" in given:
        n, m = _sigfigs(where, given["sigfigs"])
        rule = replace(rule, sigfigs=n, accurate=m, decimals=None)
    elif "decimals" in given:
        rule = replace(rule, decimals=_whole(where, "decimals", given["decimals"], 0, 20), sigfigs=None,
                       accurate=None)
    elif "rtol" in given or "atol" in given:   # a tolerance set here replaces the figures above
        rule = replace(rule, sigfigs=None, accurate=None, decimals=None)
    return rule


def _tolerance(where: str, key: str, value: Any) -> float:
    from .numbers import number_problem

    problem = "text" if isinstance(value, str) else number_problem(value)
    if problem is None and value < 0:
        problem = "negative"
    if problem:
        raise GradcalcError(f"{where}: {key} must be a finite number ≥ 0, got {describe(value)}",
                            hint=f"write {key} = {'1e-3' if key == 'rtol' else '1e-9'}")
    return float(value)


def _whole(where: str, key: str, value: Any, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise GradcalcError(f"{where}: {key} must be a whole number from {least} to {most}, got "
                            f"{describe(value)}", hint=f"write {key} = 3")
    return value


def _sigfigs(where: str, value: Any) -> tuple[int, int | None]:
    """`sigfigs = 3`, or STACK's `[n, m]`: n written, m right (`[3, 2]`: the last digit may be off;
    `[3, -1]`: at least 3 written)."""
    if isinstance(value, list):
        if len(value) != 2:
            raise GradcalcError(f"{where}: sigfigs must be a number of figures or a pair [written, right], "
                                f"got {describe(value)}", hint="write sigfigs = 3, or [3, 2] to let the "
                                "last digit be off")
        n = _whole(where, "sigfigs", value[0], 1, MOST_FIGURES)
        m = value[1]
        if m != -1:
            m = _whole(where, "the figures that must be right (sigfigs' second number)", m, 1, n)
        return n, (None if m == n else m)
    return _whole(where, "sigfigs", value, 1, MOST_FIGURES), None


# Judging a number ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    """A number as written: its exact value, the range of its significant figures (100: 1 to 3) and
    its decimal places (1.5e-1: 2)."""

    value: Decimal
    fewest: int
    most: int
    decimals: int


def written(text: str) -> Written | None:
    """The number `text` as written, or None if it is not a plain number."""
    text = text.strip()
    if not NUMBER.match(text):
        return None
    mantissa, _, exponent = text.lower().partition("e")
    shift = int(exponent) if exponent else 0
    whole, point, fraction = mantissa.lstrip("+-").partition(".")
    digits = (whole + fraction).lstrip("0")
    try:
        value = Decimal(text)
    except InvalidOperation:   # NUMBER matched, so this cannot happen; refuse rather than guess
        return None
    if not digits:   # zero: 0 has one figure, 0.00 one to three (STACK)
        return Written(value, 1, max(1, len(fraction) + 1 if point else 1), len(fraction) - shift)
    most = len(digits)
    # Trailing zeros of a whole number without a point are placeholders or figures: 100 has 1 to 3.
    fewest = most - (len(digits) - len(digits.rstrip("0"))) if not point else most
    return Written(value, max(fewest, 1), most, len(fraction) - shift)


def _within(given: Decimal, correct: Decimal, place: int) -> bool:
    """|given − correct| ≤ half a unit in the 10**place position: `given` is a correct rounding."""
    return abs(given - correct) * 2 <= Decimal(1).scaleb(place)


def _place(correct: Decimal, figures: int, rounded: int | None = None) -> int:
    """The power of ten of the `figures`-th significant figure of the right value rounded to `rounded`
    figures (default: `figures`), as STACK places it: 9.96 to 2 figures is 10, so 9.6 to 10.4 pass."""
    from decimal import ROUND_HALF_EVEN, Context

    shown = Context(prec=rounded or figures, rounding=ROUND_HALF_EVEN).plus(correct)
    return shown.adjusted() - figures + 1


def judge_number(rule: Rule, text: str, computed: float) -> tuple[bool, str | None]:
    """Whether the number written as `text` is right under `rule` for the value `computed`, and, when
    it is wrong only by how it was rounded, why in words ("right to 2 significant figures; the sheet
    asks for 3"); None as the reason when it is simply a different number."""
    import math

    form = written(text)
    if form is None or not math.isfinite(computed):
        return False, None
    given, correct = form.value, Decimal(computed)
    if not rule.figures:
        if abs(float(given) - computed) <= rule.atol + rule.rtol * abs(computed):
            return True, None
        # Every figure written must be a correct rounding, not only the first three: 0.1969 for
        # 0.19661… is wrong in its fourth.
        if rule.hand and form.most >= HAND_FIGURES and \
                _within(given, correct, _place(correct, min(form.most, MOST_FIGURES))):
            return True, None
        return False, _rounded(form, correct, rule, computed)
    if rule.decimals is not None:
        d = rule.decimals
        if form.decimals == d and _within(given, correct, -d):
            return True, None
        return False, _rounded(form, correct, rule, computed)
    if not given:   # zero has no significant figures to count: right only for zero itself
        return correct == 0 or abs(computed) <= rule.atol, None
    n, m = rule.sigfigs, rule.accurate
    count_ok = form.most >= n if m == -1 else form.fewest <= n <= form.most
    right = _within(given, correct, _place(correct, n, n) if m in (None, -1) else _place(correct, m, n))
    if count_ok and right:
        return True, None
    return False, _rounded(form, correct, rule, computed)


EXACT = "the value is right, but "   # how a failure of the right value itself, written otherwise, begins


def _rounded(form: Written, correct: Decimal, rule: Rule, computed: float) -> str | None:
    """Why a number that is a correct rounding of the right value, as written, still fails; for the
    value itself (2 where 2.00 is asked) what the rule asks for and the value written so."""
    given = form.value
    if rule.figures and given == Decimal(repr(computed)):   # the number gradcalc computes, every digit
        return f"{EXACT}the sheet asks for {rule.asks}: write {as_written(rule, computed)}"
    if not given or correct == 0:
        return None
    if rule.decimals is not None:
        d, shown = rule.decimals, form.decimals
        if not _within(given, correct, -shown):
            return None
        if shown < d:
            return f"right to {_count(shown, 'decimal place')}; the sheet asks for {d}"
        return f"right, but written with {_count(shown, 'decimal place')}; the sheet asks for {d}"
    figures = form.most
    if not _within(given, correct, _place(correct, figures)):
        return None
    if rule.sigfigs is not None:
        n = rule.sigfigs
        if figures < n:
            return f"right to {_count(figures, 'significant figure')}; the sheet asks for {n}"
        if rule.accurate != -1 and form.fewest > n:
            return f"right, but written with {_count(form.fewest, 'significant figure')}; the sheet asks for {n}"
        return None
    needed = _needed(correct, rule)
    if needed is None or figures >= needed:
        return None
    asks = HAND_FIGURES if rule.hand and needed > HAND_FIGURES else needed
    return (f"right to {_count(figures, 'significant figure')}; the sheet asks for {asks}"
            + ("" if rule.hand else f" (its tolerance is rtol = {format_number(rule.rtol)}, "
                                    f"atol = {format_number(rule.atol)})"))


def _needed(correct: Decimal, rule: Rule) -> int | None:
    """The fewest significant figures whose correct rounding is within the tolerance."""
    allowed = Decimal(rule.atol) + Decimal(rule.rtol) * abs(correct)
    for figures in range(1, MOST_FIGURES + 1):
        if Decimal(1).scaleb(_place(correct, figures)) / 2 <= allowed:
            return figures
    return None


def page_terms(rule: Rule, computed: float) -> dict:
    """What a page's script needs to judge a number typed for `computed` as judge_number does, and to
    say why one right but for its rounding fails (_rounded): the rule's fields, the right value as an
    exact decimal, and where its significant figures are: the k-th figure's power of ten (_place) is
    adjusted − k + 1, one more for k ≤ carries (9.96 to 2 figures is 10)."""
    import math

    from .numbers import format_number

    correct = Decimal(computed) if math.isfinite(computed) else Decimal(0)
    n, m = rule.sigfigs, rule.accurate
    carries = 0   # roundings that carry into a new leading digit are those to the first few figures
    while carries < MOST_FIGURES and _place(correct, carries + 1) != correct.adjusted() - carries:
        carries += 1
    return {
        "rtol": rule.rtol, "atol": rule.atol, "sigfigs": n, "accurate": m, "decimals": rule.decimals,
        "hand": rule.hand, "handFigures": HAND_FIGURES, "exact": str(correct),
        "adjusted": correct.adjusted(), "carries": carries,
        "place": None if n is None else _place(correct, n, n) if m in (None, -1) else _place(correct, m, n),
        "needed": None if rule.figures else _needed(correct, rule),
        "tolerance": f"rtol = {format_number(rule.rtol)}, atol = {format_number(rule.atol)}",
        # The value itself (every digit of it) written otherwise than asked: what to write instead.
        "shortest": repr(float(computed)) if math.isfinite(computed) else None,
        "asks": rule.asks, "written": as_written(rule, computed) if rule.figures else None,
    }


def as_written(rule: Rule, value: float, precision: int = MOST_FIGURES) -> str:
    """`value` as a student writes it for `rule` to accept it: rounded to the rule's significant
    figures (0.353 for sigfigs = 3; sigfigs = [3, 2] and [3, -1] write 3 too) or decimal places (0.35,
    2.00 for decimals = 2); under rtol/atol with `precision` figures when those are close enough, else
    every digit (repr). A key printed this way, copied by a student, earns the marks."""
    import math

    value = float(value)
    if not math.isfinite(value):
        return format_number(value)
    if rule.decimals is not None:
        text = f"{value:.{rule.decimals}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text   # -0.00 → 0.00
    if rule.sigfigs is not None:
        text = f"{value:.{rule.sigfigs - 1}e}"   # exactly sigfigs figures, correctly rounded
        exponent = int(text.split("e")[1])
        if -5 <= exponent < 16:   # 0.353, 12.0, 12300 (trailing zeros of a whole number count liberally)
            text = format(Decimal(text), "f")
        else:
            mantissa, power = text.split("e")
            text = f"{mantissa}e{int(power)}"
        return text[1:] if value == 0 and text.startswith("-") else text
    text = format_number(value, precision)
    return text if judge_number(rule, text, value)[0] else repr(value)


def overridden(rule: Rule, rtol: float | None, atol: float | None) -> Rule:
    """The grader's --rtol/--atol replace every tolerance a sheet sets (its figures and decimals too)."""
    if rtol is None and atol is None:
        return rule
    return replace(rule, rtol=rule.rtol if rtol is None else rtol, atol=rule.atol if atol is None else atol,
                   sigfigs=None, accurate=None, decimals=None, hand=False)


def set_by(data: dict) -> tuple[str, ...]:
    """The tolerance keys a table (a sheet's, a problem's) sets itself, in KEYS' order."""
    return tuple(key for key in KEYS if key in data)


def said(rule: Rule, keys: tuple[str, ...]) -> list[str]:
    """Each of `keys` as `rule` has it: `sigfigs = [3, 2]`, `rtol = 0.01` (sigfigs and decimals
    only while the rule still counts them: a grader's --rtol/--atol drop them, see overridden)."""
    found = []
    for key in keys:
        value = getattr(rule, key)
        if key == "sigfigs" and value is not None:
            found.append(f"sigfigs = {value if rule.accurate is None else f'[{value}, {rule.accurate}]'}")
        elif key == "decimals" and value is not None:
            found.append(f"decimals = {value}")
        elif key in ("rtol", "atol"):
            found.append(f"{key} = {format_number(value)}")
    return found


def looser(rule: Rule, keys: tuple[str, ...] = KEYS, skip: tuple[str, ...] = ()) -> list[str]:
    """Every one of `keys` (those a table sets) that makes `rule` looser than the defaults or changes
    how a number is judged (`sigfigs = 3`, `rtol = 0.01`): a sheet handed in with its answers must not
    be able to set any of them (`skip`: what the grader set themselves). Stricter rtol/atol pass."""
    defaults = {"rtol": RTOL, "atol": ATOL}
    return [words for key in keys if key not in skip for words in said(rule, (key,))
            if key not in defaults or getattr(rule, key) > defaults[key]]


def rejudged(verdict, rule: Rule):
    """A verdict on a single number judged again by `rule`'s figures or decimals (check.py judged it
    with rtol/atol); any other verdict as it is."""
    import numpy as np

    from .check import Verdict

    answer = verdict.answer
    if answer.number is None or answer.malformed is not None or np.ndim(answer.number) or \
            np.ndim(verdict.computed):
        return verdict
    ok, why = judge_number(rule, answer.text, float(verdict.computed))
    if ok == verdict.ok and (ok or why is None):
        return verdict
    return Verdict(answer, verdict.quantity, verdict.expected, verdict.computed, ok, verdict.points,
                   None if ok else why or "differs from the computed value")


def rounding(failure: str | None) -> bool:
    """Whether a verdict's failure is its rounding alone (judge_number's reasons)."""
    return bool(failure) and failure.startswith(("right to ", "right, but written with ", EXACT))
