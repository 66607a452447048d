"""A graded class: the gradebook (CSV), every verdict (JSON) and a Markdown feedback file per student.

Student text (names, answers) is shown with control characters escaped in every output: a name or
an answer cannot move the teacher's cursor, set a window title or fake a score.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re

import numpy as np

from ..classroom import BLANK, escape
from ..errors import caret
from ..numbers import DEFAULT_PRECISION, format_number, format_value

RIGHT, WRONG = "✓", "✗"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # a spreadsheet would run such a cell as a formula


def _cell(text: str) -> str:
    """A student's name as a gradebook cell: escaped, and never read as a spreadsheet formula."""
    text = escape(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def gradebook_csv(book, precision: int = DEFAULT_PRECISION) -> str:
    """student, one column per problem (points earned), total, max: one row per student."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    problems = book.sheet.problems
    out.writerow(["student"] + [p.id for p in problems] + ["total", "max"])
    top = format_number(float(book.sheet.max), precision)   # exact sums, the float nearest them
    for student in book.students:
        out.writerow([_cell(student.name)] + [format_number(float(student.earned(p)), precision) for p in problems]
                     + [format_number(float(student.total), precision), top])
    return buffer.getvalue()


# JSON -------------------------------------------------------------------------------------------

def _plain(value):
    from .json import plain

    return None if value is None else plain(value)


def mark_dict(mark) -> dict:
    verdict = mark.verdict
    data = {"problem": mark.asked.problem.id, "name": mark.asked.name, "answer": mark.text,
            "kind": mark.kind, "ok": mark.ok, "points": float(mark.earned),
            "worth": float(mark.asked.worth)}
    if verdict is None:
        return {**data, "given": None, "compared_at": 0, "failure": "no answer"}
    data.update(given=_plain(verdict.expected), compared_at=verdict.points, failure=verdict.failure,
                notes=list(verdict.answer.notes))
    if verdict.answer.review:   # too long or costly to grade: a person should read it
        data["review"] = verdict.answer.review
    if mark.entry is not None:
        data.update(mark.entry.as_dict())
    error = verdict.answer.malformed
    if error is not None:
        data["error"] = {"message": error.message, "hint": error.hint,
                         "caret": caret(error.text, error.span) if error.text and error.span else []}
    return data


def to_dict(book) -> dict:
    return {**_head(book), "students": [_student_dict(book, s) for s in book.students],
            "items": [item_dict(item) for item in items(book)]}


def _head(book) -> dict:
    sheet = book.sheet
    return {
        "title": sheet.title, "max": float(sheet.max), "seed": book.seed,
        "tolerance": {"rtol": book.rtol, "atol": book.atol}, "follow_through": sheet.follow_through,
        "problems": [{"id": p.id, "name": p.name, "expression": p.expression, "points": p.points,
                      "notes": list(p.result.graph.notes),
                      "at": {name: _plain(v) for name, v in p.result.inputs.items()},
                      "answers": [{"name": a.name, "column": a.column, "worth": float(a.worth),
                                   "quantity": book.keys[a.column].quantity,
                                   "computed": _plain(book.keys[a.column].computed)} for a in p.asked]}
                     for p in sheet.problems],
    }


def _student_dict(book, s) -> dict:
    sheet = book.sheet
    return {"student": s.name, "line": s.line, "total": float(s.total), "max": float(sheet.max),
            "right": s.right, "answers": len(s.marks),
            "problems": {p.id: float(s.earned(p)) for p in sheet.problems},
            "marks": [mark_dict(m) for m in s.marks]}


# Item analysis ----------------------------------------------------------------------------------

def items(book) -> list:
    from ..diagnose import item_analysis

    return item_analysis(book)


def item_dict(item) -> dict:
    return {"problem": item.problem, "name": item.name, "column": item.column, "right": item.right,
            "follow_through": item.follow_through, "wrong": item.wrong, "blank": item.blank,
            "malformed": item.malformed,
            "mistakes": [{"mistake": mistake, "what": said, "students": n, "summary": item.summary((mistake, said, n))}
                         for mistake, said, n in item.common(len(item.mistakes))]}


ITEM_COLUMNS = ("problem", "answer", "right", "follow_through", "wrong", "blank", "malformed",
                "mistake_1", "students_1", "mistake_2", "students_2", "mistake_3", "students_3")


def items_csv(book) -> str:
    """The item analysis as CSV: a row per asked answer, its counts and its three most common named
    mistakes (each as the summary says it, and how many students made it)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(ITEM_COLUMNS)
    for item in items(book):
        common = [cell for mistake in item.common(3) for cell in (mistake[1], mistake[2])]
        out.writerow([item.problem, item.name, item.right, item.follow_through, item.wrong, item.blank,
                      item.malformed] + common + [""] * (6 - len(common)))
    return buffer.getvalue()


def items_markdown(book) -> str:
    """The item analysis for the teacher: per problem and answer, the counts and what to re-teach."""
    lines = [f"# {md_text(book.sheet.title)}: item analysis", "",
             f"{len(book.students)} students. Per answer: right, right from the student's own earlier "
             f"wrong values (follow-through), wrong, blank, malformed; then the most common named "
             f"mistakes.", ""]
    for item in items(book):
        lines.append(f"- **{md_text(item.column)}**: {item.right} right, {item.follow_through} "
                     f"follow-through, {item.wrong} wrong, {item.blank} blank, {item.malformed} malformed")
        lines += [f"  - {md_text(item.summary(mistake))} ({mistake[2]} student{'' if mistake[2] == 1 else 's'}, "
                  f"{md_code(mistake[0])})" for mistake in item.common(3)]
    return "\n".join(lines) + "\n"


_UNPRINTABLE = re.compile(r"[^\n\x20-\x7e]")


def _printable(text: str) -> str:
    def escaped(match: re.Match) -> str:
        ch = match.group()
        if ch.isprintable():
            return ch
        return json.dumps(ch)[1:-1]    # \u001b; characters beyond the BMP as a surrogate pair

    return _UNPRINTABLE.sub(escaped, text)


def json_pieces(book):
    """The JSON of `to_dict`, a student at a time (the whole text of a class of 60 000 students at
    once took 460 MB); any character that is not printable is written as a \\u escape (JSON reads
    it back as the same text), so the output is safe to print as well as exact."""
    head = json.dumps(_head(book), ensure_ascii=False)
    yield _printable(head[:-1]) + ', "students": ['
    for i, student in enumerate(book.students):
        yield (", " if i else "") + _printable(json.dumps(_student_dict(book, student), ensure_ascii=False))
    yield '], "items": ' + _printable(json.dumps([item_dict(item) for item in items(book)],
                                                 ensure_ascii=False)) + "}\n"


def render_json(book) -> str:
    """One JSON object (see `json_pieces`)."""
    return "".join(json_pieces(book))


# Markdown feedback -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>~&])")


def md_text(text: str) -> str:
    """Text within a line of Markdown prose (never at its start): control characters escaped, and
    every character that could start emphasis, a link, code or HTML taken literally."""
    return _MD_SPECIAL.sub(r"\\\1", escape(text))


def md_code(text: str) -> str:
    """Text as an inline code span that no backtick inside can close."""
    text = escape(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_block(lines: list[str]) -> list[str]:
    """Lines as an indented fenced block (under a list item) that nothing inside can close."""
    lines = [escape(line) for line in lines]
    fence = "`" * max(3, max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0) + 1)
    return [f"  {fence}text"] + [f"  {line}" for line in lines] + [f"  {fence}"]


@functools.lru_cache(maxsize=4096)   # a class has few distinct scores: 40 000 files format the same ones
def _of(earned, worth) -> str:
    """Exact fractions of points, shown as the float nearest them: 0.1 + 0.2 of 0.3 reads 0.3 of 0.3."""
    return (f"{format_number(float(earned), 4)} of {format_number(float(worth), 4)} "
            f"point{'' if worth == 1 else 's'}")


def _point(values: dict) -> str:
    return ", ".join(f"{name} = {' '.join(format_value(value, 6).split())}" for name, value in values.items())


def _reason(mark, precision: int) -> str:
    """Why an answer is wrong, in words."""
    verdict = mark.verdict
    if verdict is None:
        return "no answer"
    if verdict.answer.review:
        return f"marked for review: {verdict.answer.review}"
    if verdict.answer.malformed is not None:
        return f"malformed: {verdict.answer.malformed.message}"
    if verdict.failure == "differs from the computed value":
        return (f"at the given point the answer is {format_value(verdict.expected, precision)}, but "
                f"{verdict.quantity} = {format_value(verdict.computed, precision)}")
    if verdict.failure == "differs from the computed value at the given point":
        return (f"at the given point the answer gives {format_value(verdict.expected, precision)}, but "
                f"{verdict.quantity} = {format_value(verdict.computed, precision)}")
    return verdict.failure


def _how_right(mark) -> str:
    verdict = mark.verdict
    if verdict.points <= 1:
        return "right at the given point"
    near = verdict.points - 1
    return f"right at the given point and at {near} point{'s' if near > 1 else ''} near it"


def feedback(book, student, solutions: bool = False, precision: int = DEFAULT_PRECISION) -> str:
    """A student's feedback as Markdown: each problem, each answer given, ✓ or ✗ and why."""
    sheet = book.sheet
    lines = [f"# {md_text(sheet.title)}", "",
             f"**Student:** {md_text(student.name)}  ",
             f"**Score:** {_of(student.total, sheet.max)} ({student.right} of {len(student.marks)} "
             f"answer{'' if len(student.marks) == 1 else 's'} right)", ""]
    for problem in sheet.problems:
        marks = [m for m in student.marks if m.asked.problem is problem]
        lines += [f"## {problem.number}. {md_text(problem.name)} — {_of(student.earned(problem), problem.points)}",
                  ""] + _about(book, problem)
        for mark in marks:
            key = book.keys[mark.asked.column]
            worth = f"({_of(mark.earned, mark.asked.worth)})"
            if mark.ok:
                lines.append(f"- {RIGHT} {escape(key.quantity)}: your answer {md_code(mark.text.strip())} — "
                             f"{_how_right(mark)} {worth}")
                lines += _notes(mark)
                continue
            if mark.kind == BLANK:
                lines.append(f"- {WRONG} {escape(key.quantity)}: no answer {worth}")
            else:
                lines.append(f"- {WRONG} {escape(key.quantity)}: your answer {md_code(_shown(mark))} — "
                             f"{md_text(_reason(mark, precision))} {worth}")
            lines += _notes(mark)
            lines += _diagnosis(mark)
            error = mark.verdict.answer.malformed if mark.verdict else None
            if error is not None and error.text and error.span:
                lines += md_block(caret(error.text, error.span) + ([f"hint: {error.hint}"] if error.hint else []))
            if solutions:
                lines += _solution(book, key, precision)
        lines.append("")
    if any(m.kind == "formula" for m in student.marks):
        lines.append(f"Formulas are compared at the given point and at random points near it (seed "
                     f"{book.seed}).  ")
    lines.append(f"Tolerance: |answer − correct| ≤ {format_number(book.atol)} + "
                 f"{format_number(book.rtol)}·|correct|.")
    return "\n".join(lines) + "\n"


def _about(book, problem) -> list[str]:
    """The lines every student's file has under a problem's heading, made once per class."""
    made = book.__dict__.setdefault("_about", {})
    if problem.number not in made:
        program = "; ".join(line.strip() for line in problem.expression.strip().splitlines() if line.strip())
        notes = problem.result.graph.notes   # how the expression was read, as the command line says it
        made[problem.number] = ([f"{md_code(program)} at {escape(_point(problem.result.inputs))}", ""]
                                + [f"Note: {md_text(note)}  " for note in notes] + ([""] if notes else []))
    return made[problem.number]


def _shown(mark, most: int = 200) -> str:
    """The answer as given; one marked for review (200 000 characters, say) cut to its start."""
    text = mark.text.strip()
    if mark.verdict is None or not mark.verdict.answer.review or len(text) <= most:
        return text
    return f"{text[:most]}… ({len(text):,} characters)"


def _notes(mark) -> list[str]:
    """How the student's text was read (a statement computed for nothing), under the answer."""
    return [f"  - Note: {md_text(note)}" for note in (mark.verdict.answer.notes if mark.verdict else ())]


def _diagnosis(mark) -> list[str]:
    """The mistake a wrong answer comes from, or the follow-through it earned credit for."""
    entry = mark.entry
    if entry is None or entry.status == "right":
        return []
    if entry.status == "follow-through":
        return [f"  - Follow-through: {md_text(entry.note)}"]
    if entry.diagnosis is None:
        return []
    if entry.diagnosis.mistake is None:   # the line above already gives the right value
        return ["  - No single common mistake gives this number."]
    first = "the first wrong step of this problem: " if entry.first and len(mark.asked.problem.asked) > 1 else ""
    return [f"  - Why: {first}{md_text(entry.diagnosis.sentence)}"]


def _solution(book, key, precision: int) -> list[str]:
    """The correct value, its formula and the backward pass that gives it."""
    from ..classroom import solution

    found = solution(key)
    value = " ".join(format_value(key.computed, precision).split())
    lines = [f"  - Solution: {escape(key.quantity)} = {value} at the given point"]
    if found.formula:
        lines.append(f"  - As a formula: {escape(key.quantity)} = {md_code(found.formula)}")
    if found.steps:
        lines.append("  - The backward pass to it (upstream × local = flowing):")
        lines += ["  " + line for line in md_block(_trace(key.asked.problem.result, found.steps, precision))]
    return lines


def _trace(result, steps, precision: int) -> list[str]:
    from .rows import local_formula

    labels = result.labels
    fmt = lambda v: " ".join(format_value(v, precision).split())  # noqa: E731
    lines = []
    for step in steps:
        local, up = local_formula(result, step), fmt(step.upstream)
        # The local derivative as a formula, then its value, unless they read the same (× 1).
        product = f"{up} × {local}" + ("" if local == fmt(step.local) else f" = {up} × {fmt(step.local)}")
        lines.append(f"∂{labels[result.graph.output]}/∂{labels[step.input]} += {product} = "
                     f"{fmt(step.flowing)}   (through {labels[step.node]})")
    return lines


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def file_names(students) -> list[str]:
    """A file name per student from the name (letters, digits, _ and - only, so a name can never
    reach outside the report directory), unique within the class."""
    # The last number tried per stem: 40 000 students all called "Student" took 116 s when every
    # name counted up from 2 again, each past all the numbers taken before.
    taken, tried, names = set(), {}, []
    for student in students:
        stem = _UNSAFE_NAME.sub("-", student.name).strip("-_")[:60] or f"line-{student.line}"
        if stem.upper() in _RESERVED:
            stem += "_"
        name, k = stem, tried.get(stem.lower(), 1)
        while name.lower() in taken:
            k += 1
            name = f"{stem}-{k}"
        tried[stem.lower()] = k
        taken.add(name.lower())
        names.append(name + ".md")
    return names
