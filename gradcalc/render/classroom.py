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

from ..classroom import BLANK, escape
from ..csvtext import inert
from ..errors import caret
from ..numbers import DEFAULT_PRECISION, format_number, format_value

RIGHT, WRONG = "✓", "✗"


def _cell(text: str) -> str:
    """A student's name as a gradebook cell: escaped, and never read as a spreadsheet formula."""
    return inert(escape(text))


def gradebook_csv(book, precision: int = DEFAULT_PRECISION) -> str:
    """student, one column per problem (points earned), total, max, review: one row per student."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    problems = book.sheet.problems
    out.writerow(["student"] + [p.id for p in problems] + ["total", "max", "review"])
    top = format_number(float(book.sheet.max), precision)   # exact sums, the float nearest them
    for student in book.students:
        out.writerow([_cell(student.name)] + [format_number(float(student.earned(p)), precision) for p in problems]
                     + [format_number(float(student.total), precision), top, _cell(review_text(student))])
    return buffer.getvalue()


def review_text(student) -> str:
    """The review cell: `blank: p1.y, p2.x; malformed: p3.w; line 7: no student name; p4.z: written
    with a decimal comma; …` (empty when every answer was read and graded)."""
    review = student.review
    return "; ".join([f"{kind}: {', '.join(review[kind])}" for kind in ("blank", "malformed") if review[kind]]
                     + review["look"])


def review_summary(book) -> str | None:
    """One line for stderr counting what the review column holds, or None if it is empty."""
    counts = {"blank": 0, "malformed": 0, "look": 0}
    looks = []
    for student in book.students:
        for kind, items in student.review.items():
            counts[kind] += len(items)
        if student.review["look"]:
            looks.append(escape(student.name))
    if not any(counts.values()):
        return None
    shown = ", ".join(looks[:5]) + (f" and {len(looks) - 5:,} more" if len(looks) > 5 else "")
    plural = lambda n, word: f"{n:,} {word}{'' if n == 1 else 's'}"  # noqa: E731
    return (f"graded {plural(len(book.students), 'student')}: {plural(counts['blank'], 'blank answer')}, "
            f"{counts['malformed']:,} malformed, {plural(len(looks), 'student')} to look at"
            + (f" ({shown})" if looks else "") + "; the gradebook's review column says which")


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
    if mark.key is not None and mark.key.point is not None:   # the student's own point (variants)
        data.update(at={name: _plain(v) for name, v in mark.key.point}, computed=_plain(mark.key.computed))
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
                                   "computed": _plain(book.keys[a.column].computed),
                                   "rule": rule_dict(book.keys[a.column].rule)} for a in p.asked]}
                     for p in sheet.problems],
    }


def rule_dict(rule) -> dict:
    """How an answer is judged: rtol and atol (formulas, and numbers unless figures are asked), the
    significant figures or decimals a number is written with, and the rule in words."""
    return {"rtol": rule.rtol, "atol": rule.atol, "sigfigs": rule.sigfigs, "accurate": rule.accurate,
            "decimals": rule.decimals, "hand_figures": rule.hand, "sentence": rule.sentence()}


def _student_dict(book, s) -> dict:
    sheet = book.sheet
    return {"student": s.name, "line": s.line, "total": float(s.total), "max": float(sheet.max),
            "right": s.right, "answers": len(s.marks), "review": s.review,
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
        error = verdict.answer.malformed
        said = "" if error is None or error.message.endswith("not graded") else f"malformed: {error.message}; "
        return f"{said}marked for review: {verdict.answer.review}"
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
        result = marks[0].key.result if marks and marks[0].key is not None else problem.result
        lines += [f"## {problem.number}. {md_text(problem.name)} — {_of(student.earned(problem), problem.points)}",
                  ""] + _about(book, problem, result) + problem_feedback(book, student, problem, solutions, precision)
        lines.append("")
    if any(m.kind == "formula" for m in student.marks):
        lines.append(f"Formulas are compared at the given point and at random points near it (seed "
                     f"{book.seed}).  ")
    lines.append(f"Tolerance: {book.rule.sentence()}.")
    return "\n".join(lines) + "\n"


def problem_feedback(book, student, problem, solutions: bool = False,
                     precision: int = DEFAULT_PRECISION) -> list[str]:
    """The lines of a student's feedback on one problem: each answer, ✓ or ✗ and why."""
    lines = []
    for mark in (m for m in student.marks if m.asked.problem is problem):
        key = mark.key or book.keys[mark.asked.column]   # the student's own point's key
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
            lines += _solution(key, precision)
    return lines


def _about(book, problem, result) -> list[str]:
    """The lines every student's file has under a problem's heading (at the student's own point where
    the sheet gives each their own), made once per class and point."""
    made = book.__dict__.setdefault("_about", {})
    if (problem.number, id(result)) not in made:
        program = "; ".join(line.strip() for line in problem.expression.strip().splitlines() if line.strip())
        notes = result.graph.notes   # how the expression was read, as the command line says it
        rules = [book.keys[asked.column].rule for asked in problem.asked]
        own = [f"Tolerance: {rule.sentence()}" + ("" if len(set(rules)) == 1 else f" ({md_text(asked.name)})")
               + "  " for asked, rule in zip(problem.asked, rules) if rule != book.rule]
        made[problem.number, id(result)] = ([f"{md_code(program)} at {escape(_point(result.inputs))}", ""]
                                + [f"Note: {md_text(note)}  " for note in notes] + own + ([""] if notes or own else []))
    return made[problem.number, id(result)]


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
    from .check import explanation

    found = explanation(mark.entry)
    if found is None:
        return []
    kind, text = found
    if kind == "follow-through":
        return [f"  - Follow-through: {md_text(text)}"]
    if kind == "no mistake":    # the line above already gives the right value
        return ["  - No single common mistake gives this number."]
    several = len(mark.asked.problem.asked) > 1
    return [f"  - Why: {'the first wrong step of this problem: ' if mark.entry.first and several else ''}"
            f"{md_text(text)}"]


def _solution(key, precision: int) -> list[str]:
    """The correct value, its formula and the backward pass that gives it."""
    from ..classroom import solution

    found = solution(key)
    value = " ".join(format_value(key.computed, precision).split())
    lines = [f"  - Solution: {escape(key.quantity)} = {value} at the given point"]
    if found.formula:
        lines.append(f"  - As a formula: {escape(key.quantity)} = {md_code(found.formula)}"
                     + (f" (where {md_text(found.condition)})" if found.condition else ""))
    if found.steps:
        lines.append("  - The backward pass to it (upstream × local = flowing):")
        lines += ["  " + line for line in md_block(_trace(key.result, found.steps, precision))]
    return lines


def _trace(result, steps, precision: int) -> list[str]:
    from .rows import definition, local_formula

    labels = result.labels
    fmt = lambda v: " ".join(format_value(v, precision).split())  # noqa: E731
    # Every unnamed node the lines mention (n1, n2, …) is defined first, with its value, and so is
    # every unnamed node those definitions mention: the student can follow each label to the inputs.
    graph = result.graph
    mentioned = {i for step in steps for i in (step.node, step.input, *graph.nodes[step.node].inputs)}
    unnamed = lambda i: graph.nodes[i].op is not None and graph.nodes[i].name is None  # noqa: E731
    defined, stack = set(), [i for i in mentioned if unnamed(i)]
    while stack:
        i = stack.pop()
        if i not in defined:
            defined.add(i)
            stack.extend(j for j in graph.nodes[i].inputs if unnamed(j))
    lines = [f"{labels[i]} = {definition(result, i)} = {fmt(result.values[i])}" for i in sorted(defined)]
    for step in steps:
        local, up = local_formula(result, step), fmt(step.upstream)
        # The local derivative as a formula, then its value, unless they read the same (× 1, × −1).
        same = local.replace("−", "-") == fmt(step.local)
        product = f"{up} × {local}" + ("" if same else f" = {up} × {fmt(step.local)}")
        lines.append(f"∂{labels[result.graph.output]}/∂{labels[step.input]} += {product} = "
                     f"{fmt(step.flowing)}   (through {labels[step.node]})")
    return lines


# Windows refuses these as a file's name with any extension, in any case (COM¹: its superscript digits
# too); "index" is the report's own index, and "_…" names (_items.md) cannot be a student's.
_RESERVED = {"CON", "PRN", "AUX", "NUL", "INDEX", *(f"{port}{n}" for port in ("COM", "LPT")
                                                   for n in (*"0123456789", "¹", "²", "³"))}
MAX_STEM_BYTES = 100    # a file name is at most 255 bytes on Linux and macOS, 255 UTF-16 units on Windows


def _stem(name: str) -> str:
    """A student's name as a file's stem: NFC, Unicode letters, digits and marks kept, every other run
    of characters (spaces, / \\ : * ? " < > |, dots, controls, emoji) one `-`, no `-`, `_` or `.` at
    either end, at most MAX_STEM_BYTES of UTF-8 cut between characters (a mark stays with its letter)."""
    import unicodedata

    kept = "".join(ch if ch in "_-" or unicodedata.category(ch)[0] in "LNM" else "-"
                   for ch in unicodedata.normalize("NFC", name))
    stem = re.sub(r"-{2,}", "-", kept).strip("-_")
    if len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        cut = stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore")
        while cut and len(cut) < len(stem) and unicodedata.category(stem[len(cut)])[0] == "M":
            cut = cut[:-1]   # a letter and its combining marks stay together
        stem = cut.rstrip("-_")
    return stem


def _same(name: str) -> str:
    """The key under which two names are one file on a case- or normalisation-insensitive disk."""
    import unicodedata

    return unicodedata.normalize("NFKC", name.casefold())


def file_names(students) -> list[str]:
    """A file name per student from the name (Unicode letters and digits kept, safe on Windows, macOS
    and Linux, never reaching outside the report directory), unique within the class however the disk
    compares names (Ann.md and ann.md are one file on Windows and macOS): the first keeps the name,
    the next get -2, -3, … in the class's order."""
    # The last number tried per stem: 40 000 students all called "Student" took 116 s when every
    # name counted up from 2 again, each past all the numbers taken before.
    taken, tried, names = {_same("index")}, {}, []
    for student in students:
        stem = _stem(student.name) or f"line-{student.line}"
        if stem.upper() in _RESERVED or _same(stem) == _same("index"):
            stem += "_"
        name, k = stem, tried.get(_same(stem), 1)
        while _same(name) in taken:
            k += 1
            name = f"{stem}-{k}"
        tried[_same(stem)] = k
        taken.add(_same(name))
        names.append(name + ".md")
    return names


INDEX_COLUMNS = ("student", "line", "file", "total", "max")


def index_csv(book, names: list[str], precision: int = DEFAULT_PRECISION) -> str:
    """index.csv of a report: each student's name (as the gradebook writes it), the line of their row
    in the answers file, their feedback file, total and max."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(INDEX_COLUMNS)
    top = format_number(float(book.sheet.max), precision)
    for student, name in zip(book.students, names):
        out.writerow([_cell(student.name), student.line, name, format_number(float(student.total), precision), top])
    return buffer.getvalue()


def index_markdown(book, names: list[str]) -> str:
    """index.md of a report: a table from each student to their feedback file (a link)."""
    from urllib.parse import quote

    lines = [f"# {md_text(book.sheet.title)}: feedback files", "",
             "| student | line | file | score |", "|---|---|---|---|"]
    for student, name in zip(book.students, names):
        lines.append(f"| {md_text(student.name)} | {student.line} | [{md_text(name)}]({quote(name)}) | "
                     f"{_of(student.total, book.sheet.max)} |")
    return "\n".join(lines) + "\n"


# Learning-management systems -------------------------------------------------------------------
#
# Canvas: the gradebook's own CSV, as Canvas exports it and reads it back (instructure/canvas-lms,
# app/models/course.rb, gradebook_to_csv): the columns Student, ID, SIS User ID, SIS Login ID and
# Section, then one column per assignment; a second row "Points Possible" with each one's points.
# A column Canvas does not know becomes a new assignment of that name (so each is named after the
# sheet and the problem, and no name ends in "(digits)", which Canvas reads as an assignment's id).
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Moodle: Grades › Import › CSV file maps one column to a user field (gradeimport_csv in
# moodle/moodle, grade/import/csv: userid, useridnumber, useremail or username) and each other to a
# grade item, new or existing; its own export names those fields ID number, Email address, Username.
MOODLE_IDENTIFIERS = ("ID number", "Email address", "Username")


def _item(book, problem) -> str:
    """A problem as an LMS's grade item: `Gradients by hand, week 5: log`."""
    return f"{book.sheet.title}: {problem.id}"


def canvas_csv(book, precision: int = DEFAULT_PRECISION) -> str:
    """The gradebook as Canvas's gradebook import reads it (Grades › Import)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    problems = book.sheet.problems
    out.writerow(list(CANVAS_COLUMNS) + [_cell(_item(book, p)) for p in problems])
    out.writerow(["Points Possible", "", "", "", ""] + [format_number(p.points, precision) for p in problems])
    for student in book.students:
        out.writerow([_cell(student.name)] + [_cell(student.ids.get(c, "")) for c in CANVAS_COLUMNS[1:]]
                     + [format_number(float(student.earned(p)), precision) for p in problems])
    return buffer.getvalue()


def moodle_csv(book, precision: int = DEFAULT_PRECISION) -> str:
    """The gradebook as Moodle's CSV grade import reads it: the identifying columns the answers file
    has (ID number, Email address, Username), the student's name, a column per problem."""
    from ..errors import GradcalcError

    have = [c for c in MOODLE_IDENTIFIERS if any(c in s.ids for s in book.students)]
    if not have:
        raise GradcalcError("--format moodle needs a column that tells Moodle who each student is",
                            hint="add one after student in the answers file: email, idnumber or username "
                                 "(student,email,p1.x,…)")
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    problems = book.sheet.problems
    out.writerow(have + ["Student"] + [_cell(_item(book, p)) for p in problems])
    for student in book.students:
        out.writerow([_cell(student.ids.get(c, "")) for c in have] + [_cell(student.name)]
                     + [format_number(float(student.earned(p)), precision) for p in problems])
    return buffer.getvalue()


def gradescope_json(book, solutions: bool = False, precision: int = DEFAULT_PRECISION) -> str:
    """results.json as Gradescope's autograder reads it (gradescope-autograders.readthedocs.io, specs):
    the submission's `score`, an `output`, and `tests`, one per problem with its `name`, `number`,
    `score`, `max_score` and `output` (the feedback on it). Gradescope grades one submission at a time:
    the answers file holds that submission's row."""
    from ..errors import GradcalcError

    if len(book.students) != 1:
        raise GradcalcError(f"--format gradescope writes the results of one submission, but the answers "
                            f"file has {len(book.students):,} students",
                            hint="in Gradescope's run_autograder, grade the submission's own row: "
                                 "gradcalc check SHEET.toml --answers submission.csv --format gradescope")
    student, sheet = book.students[0], book.sheet
    review = review_text(student)
    results = {
        "score": float(student.total),
        "output": f"{sheet.title}: {_of(student.total, sheet.max)}" + (f"\nFor review: {review}" if review else ""),
        "tests": [{"name": f"{p.number}. {p.name}", "number": str(p.number), "score": float(student.earned(p)),
                   "max_score": float(p.points), "output": "\n".join(problem_feedback(
                       book, student, p, solutions, precision))} for p in sheet.problems],
    }
    return json.dumps(results, ensure_ascii=False, indent=2) + "\n"
