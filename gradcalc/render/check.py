"""Expected answers and the numerical gradient check as rows: ✓/✗, expected, computed, why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import caret, visible
from ..numbers import DEFAULT_PRECISION, format_number, format_value
from .rows import Cell, Table

if TYPE_CHECKING:   # a renderer reads the report it is given, not the engine module
    from ..check import Checks

RIGHT, WRONG = "✓", "✗"


def _mark(ok: bool) -> str:
    return RIGHT if ok else WRONG


ANSWER_COLUMNS = ("", "answer", "expected", "computed", "compared at")


def answer_rows(verdicts, precision: int = DEFAULT_PRECISION) -> tuple[list[tuple[str, ...]], list[str]]:
    """A row per answer, and a line for each wrong one saying why."""
    rows, notes = [], []
    several = sum(v.entry is not None for v in verdicts) > 1   # a worked pass: say which step is first
    for verdict in verdicts:
        answer = verdict.answer
        where = ("not compared" if answer.malformed else "given point" if verdict.points == 1
                 else f"given + {verdict.points - 1} nearby")
        expected = (answer.kind if answer.malformed else "undefined" if verdict.expected is None
                    else Cell(verdict.expected, precision))   # malformed, or blank: not given
        # An answer is a student's text: shown with its control characters escaped.
        shown = visible(answer.text.strip())
        said = verdict.quantity if answer.blank else f"{verdict.quantity} = {shown}"
        rows.append((_mark(verdict.ok), said, expected, Cell(verdict.computed, precision), where))
        if verdict.failure:
            notes.append(f"{WRONG} {said}: {visible(verdict.failure)}")
            notes += diagnosis_notes(verdict, several)
        # How the answer's text was read (`(x+1)` then `(x-1)`: the first computed for nothing).
        notes += [f"note: {verdict.quantity} = {shown}: {visible(note)}" for note in answer.notes]
        if answer.malformed:   # where in the answer, and how to fix it, as for bad input
            error = answer.malformed
            notes += caret(error.text, error.span) if error.text and error.span else []
            notes += [f"  hint: {visible(error.hint)}"] if error.hint else []
    return rows, notes


WHY = "  ↳ "   # a line under a wrong answer saying which mistake gives it


def explanation(entry) -> tuple[str, str] | None:
    """What to say under an answer of a worked backward pass: ("follow-through", why it earned credit:
    right from the student's own earlier values), ("mistake", the sentence naming the slip that gives
    it) or ("no mistake", the sentence saying none does); None for a right answer or one not diagnosed."""
    if entry is None or entry.status == "right":
        return None
    if entry.status == "follow-through":
        return "follow-through", entry.note
    if entry.diagnosis is None:
        return None
    return "mistake" if entry.diagnosis.mistake is not None else "no mistake", entry.diagnosis.sentence


def diagnosis_notes(verdict, several: bool = False) -> list[str]:
    """The explanation of a wrong answer; the first wrong step of the pass says so."""
    found = explanation(verdict.entry)
    if found is None:
        return []
    if found[0] == "follow-through":
        return [f"{WHY}follow-through: {found[1]}"]
    return [f"{WHY}{'first wrong step: ' if verdict.entry.first and several else ''}{found[1]}"]


def first_wrong_edge(checks) -> tuple[int, int] | None:
    """The backward step (node, k) where the first wrong answer's mistake was made, if named."""
    for verdict in checks.verdicts if checks is not None else ():
        entry = verdict.entry
        if entry is not None and entry.first and entry.diagnosis is not None and entry.diagnosis.slip:
            return entry.diagnosis.slip.node, entry.diagnosis.slip.k
    return None


def how_compared(verdicts, seed: int, rtol: float, atol: float, samples: int = 5) -> list[str]:
    notes = []
    if any(v.answer.kind == "formula" for v in verdicts):
        notes.append(f"Formulas: compared at the given point and {samples} random points near it "
                     f"(seed {seed}: the same points every run).")
    notes.append(f"Tolerance: |expected − computed| ≤ {format_number(atol)} + "
                 f"{format_number(rtol)}·|computed|.")
    return notes


def expect_table(checks: Checks, precision: int = DEFAULT_PRECISION) -> tuple[Table, list[str]]:
    """The answers table, and the lines under it: why each wrong answer is wrong, and how compared."""
    rows, notes = answer_rows(checks.verdicts, precision)
    notes += how_compared(checks.verdicts, checks.seed, checks.rtol, checks.atol, checks.samples)
    right = sum(v.ok for v in checks.verdicts)
    title = f"Expected answers: {right} of {len(checks.verdicts)} right"
    return Table(title, ANSWER_COLUMNS, rows), notes


def numerical_table(checks: Checks, precision: int = DEFAULT_PRECISION) -> tuple[Table, list[str]]:
    rows = [(_MARKS[c.status], c.name, Cell(c.backprop, precision), _numerical(c.numerical, precision),
             "—" if c.relative_error is None else format_number(c.relative_error, 3))
            for c in checks.numerical]
    statuses = {c.status for c in checks.numerical}
    title = "Gradient check: backprop vs central differences" + (
        " — MISMATCH" if "mismatch" in statuses else " — NOT CHECKABLE HERE" if "not checkable" in statuses
        else "")
    notes = [f"{c.name}: {c.checked} of {c.size} elements compared, drawn at random (seed {checks.seed})"
             for c in checks.numerical if c.checked < c.size]
    for c in checks.numerical:
        kink = c.near_kink or ""
        ops = kink[kink.find("(") + 1:-1]
        if c.status == "not checkable" and kink.startswith("on a kink"):
            where = "the point is" if c.size == 1 else "an element is"
            notes.append(f"{c.name}: not checkable here (?): {where} on a kink of {ops}, where the "
                         f"backprop gradient is a convention that differences straddling the kink can "
                         f"neither confirm nor refute; neither ✓ nor ✗ (exit 4)")
        elif c.status == "not checkable":
            notes.append(f"{c.name}: not checkable here (?): the differences are not finite on either "
                         f"side of the point; neither ✓ nor ✗ (exit 4)")
        elif kink.startswith("one-sided"):
            where = "the point" if c.size == 1 else "an element"
            notes.append(f"{c.name}: a kink of {ops} is within a step of {where}: compared with "
                         f"one-sided differences from the side {where} is on")
        elif kink:
            where = "the point is" if c.size == 1 else "some elements are"
            notes.append(f"{c.name}: {where} on a kink of {ops}: the differences straddle it, and agree "
                         f"with the backprop gradient's convention there")
    notes += ["relative error = |b − n| / max(|b|, |n|, atol/rtol) for backprop b and numerical n; off when "
             f"|b − n| > {format_number(checks.atol)} + {format_number(checks.rtol)}·max(|b|, |n|) + "
             "the rounding error of the differences."]
    return Table(title, ("", "input", "backprop", "numerical", "relative error"), rows), notes


_MARKS = {"ok": "✓", "mismatch": "✗", "not checkable": "?"}


def _numerical(value, precision: int) -> str:
    """The difference quotients; `—` where there is none (not checkable)."""
    import numpy as np

    if np.all(np.isfinite(value)):
        return Cell(value, precision)
    if np.ndim(value) == 0:
        return "— (not finite)"
    return " ".join(format_value(np.where(np.isfinite(value), value, 0.0), precision).split()) + \
        " (0 where not finite)"


def _finite_or_null(value):
    """A value for JSON, null where it is not finite."""
    import numpy as np

    from .json import plain

    if np.ndim(value) == 0:
        return plain(value) if np.isfinite(value) else None
    return np.where(np.isfinite(value), value, None).tolist()


def tables(checks: Checks, precision: int = DEFAULT_PRECISION) -> list[tuple[Table, list[str]]]:
    parts = []
    if checks.verdicts:
        parts.append(expect_table(checks, precision))
    if checks.numerical:
        parts.append(numerical_table(checks, precision))
    return parts


def render_plain(checks: Checks, precision: int = DEFAULT_PRECISION) -> str:
    return plain_text(tables(checks, precision))


def plain_text(parts: list[tuple[Table, list[str]]]) -> str:
    from .plain import table_lines

    lines = []
    for table, notes in parts:
        lines += [""] + table_lines(table) + [f"  {note}" for note in notes]
    return "\n".join(lines) + "\n"


def render_rich(checks: Checks, precision: int = DEFAULT_PRECISION):
    from rich.console import Group
    from rich.text import Text

    return Group(Text(""), rich_group(tables(checks, precision)))   # a blank line after the Result


def rich_group(parts: list[tuple[Table, list[str]]], footer: list[str] = ()):
    from rich.console import Group
    from rich.text import Text

    from .rich import rich_table

    items, notes, notes_before = [], [], False
    for table, notes in parts:
        if items and notes_before:   # a blank line between the notes and the next title, as plain has
            items.append(Text(""))
        # The title above the table, not in it: a table's title wraps at the table's width, which
        # broke a heading such as a sheet problem's point (`at W = [[1, 2],⏎ [3, 4]]`).
        texts = (4,) if table.columns == ANSWER_COLUMNS else ()   # `given + 5 nearby` may wrap
        items.append(rich_table(table, heading=2, texts=texts))
        items += [Text(note, style="red" if note.startswith(WRONG) else "yellow" if note.startswith(WHY)
                       else "dim") for note in notes]
        notes_before = bool(notes)   # a table (Fit) ends in a blank line of its own
    if footer and notes:
        items.append(Text(""))
    items += [Text(line, style="bold") for line in footer]
    return Group(*items)


def verdict_dict(v) -> dict:
    from .json import plain

    return {"name": v.answer.name, "answer": v.answer.text, "quantity": v.quantity,
            "kind": v.answer.kind,
            "expected": None if v.expected is None else plain(v.expected),
            "computed": plain(v.computed), "ok": v.ok, "compared_at": v.points, "failure": v.failure,
            "notes": list(v.answer.notes),
            **({} if v.entry is None else v.entry.as_dict())}


def to_dict(checks: Checks) -> dict:
    """The checks for --json: full precision, null for an answer undefined at the point."""
    from .json import plain

    data: dict = {"tolerance": {"rtol": checks.rtol, "atol": checks.atol}}
    if checks.verdicts:
        data["expect"] = [verdict_dict(v) for v in checks.verdicts]
        data["seed"] = checks.seed
        first = next((v.entry for v in checks.verdicts if v.entry is not None and v.entry.first), None)
        data["diagnosis"] = None if first is None or first.diagnosis is None else first.diagnosis.as_dict()
    if checks.numerical:
        data["check"] = [{"name": c.name, "backprop": plain(c.backprop),
                          "numerical": _finite_or_null(c.numerical),
                          "relative_error": c.relative_error, "ok": c.ok, "status": c.status,
                          "elements_checked": c.checked, "elements": c.size, "near_kink": c.near_kink}
                         for c in checks.numerical]
    data["ok"] = checks.ok
    return data
