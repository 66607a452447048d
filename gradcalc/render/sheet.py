"""A graded homework sheet: a table of answers per problem, why each wrong one is wrong, the score."""

from __future__ import annotations

from ..errors import visible
from ..numbers import DEFAULT_PRECISION, format_number, format_value
from .check import ANSWER_COLUMNS, answer_rows, how_compared
from .rows import Table


def _point(values: dict) -> str:
    # Arrays on one line: the title is a single line.
    return ", ".join(f"{name} = {' '.join(format_value(value, 6).split())}" for name, value in values.items())


def parts(report, precision: int = DEFAULT_PRECISION) -> list[tuple[Table, list[str]]]:
    out = []
    for graded in report.graded:
        problem = graded.problem
        rows, notes = answer_rows(graded.verdicts, precision)
        # How the problem's expression was read, as the command line says it for the same text.
        notes = [f"note: {visible(note)}" for note in graded.result.graph.notes] + notes
        where = f" at {_point(graded.result.inputs)}" if graded.result.inputs else ""
        program = "; ".join(line.strip() for line in problem.expression.strip().splitlines() if line.strip())
        title = (f"{problem.number}. {visible(problem.name)}: {visible(program)}{where} — "
                 f"{_of(graded.earned, problem.points, precision)}")
        out.append((Table(title, ANSWER_COLUMNS, rows), notes))
    return out


def footer(report, precision: int = DEFAULT_PRECISION) -> list[str]:
    right, count = report.answers
    every = [v for g in report.graded for v in g.verdicts]
    carried = sum(v.entry is not None and v.entry.status == "follow-through" for v in every)
    credit = report.sheet.follow_through
    follow = f", {carried} right from earlier wrong values, {format_number(credit)} credit each" \
        if carried and credit else ""
    compared = [line for line in how_compared(every, report.seed, report.rtol, report.atol)
                if not line.startswith("Tolerance:")]
    ignored = [f"Not used: the hand-in's own {item}: the teacher's copy (--rules) decides how it is graded."
               for item in report.ignored]
    ignored += [f"Not graded: the hand-in's answer for {item}: the teacher's copy (--rules) does not ask for it."
                for item in report.unasked]
    return compared + tolerance_lines(report) + [visible(line) for line in ignored] + [
        f"Score: {_of(report.score, report.total, precision)} ({right} of {count} answer{'' if count == 1 else 's'} "
        f"right{follow})"]


def judged_by(report) -> list[tuple[str, object]]:
    """Who was judged by which rule: ("", rule) when every answer shares one, else a pair per problem
    ("problem 2") or, where a problem's answers differ, per answer ("∂z/∂x in problem 2")."""
    every = {rule for g in report.graded for rule in g.rules}
    if len(every) <= 1:
        return [("", next(iter(every)))] if every else []
    found = []
    for g in report.graded:
        if len(set(g.rules)) == 1:
            found.append((f"problem {g.problem.number}", g.rules[0]))
        else:
            found += [(f"{v.quantity} in problem {g.problem.number}", rule) for v, rule in zip(g.verdicts, g.rules)]
    return found


def rule_words(rule) -> str:
    return rule.sentence("expected", "computed")


def tolerance_lines(report) -> list[str]:
    """The rule each answer was judged by: one line when they share one, else a line per problem (or
    answer) naming it."""
    return [f"Tolerance{f' of {who}' if who else ''}: {rule_words(rule)}." for who, rule in judged_by(report)]


def _of(earned: float, worth: float, precision: int = DEFAULT_PRECISION) -> str:
    """`1.5 of 2 points`, `1 of 1 point`: the noun agrees with what the problem is worth."""
    # --precision digits, as every other number: 999.5 of 1000 once showed as 1e3 of 1e3. The sums
    # are exact fractions, shown as the float nearest them: 0.1 + 0.2 of 0.3 reads 0.3 of 0.3.
    return (f"{format_number(float(earned), precision)} of {format_number(float(worth), precision)} "
            f"point{'' if worth == 1 else 's'}")


def render_plain(report, precision: int = DEFAULT_PRECISION) -> str:
    from .check import plain_text

    return visible(report.sheet.title) + "\n" + plain_text(parts(report, precision)) + "\n" + \
        "\n".join(footer(report, precision)) + "\n"


def render_rich(report, precision: int = DEFAULT_PRECISION):
    from rich.console import Group
    from rich.text import Text

    from .check import rich_group

    return Group(Text(visible(report.sheet.title), style="bold underline"), Text(""),
                 rich_group(parts(report, precision), footer(report, precision)))


def to_dict(report) -> dict:
    from .check import verdict_dict

    right, count = report.answers
    return {
        "title": report.sheet.title, "score": float(report.score), "total": float(report.total),
        "right": right, "answers": count, "ok": report.ok, "seed": report.seed,
        # The rule every answer was judged by, or null when they differ (each answer has its own).
        "tolerance": _common_rule(report),
        "follow_through": report.sheet.follow_through,
        "ignored": list(report.ignored), "not_asked": list(report.unasked),
        "problems": [{"number": g.problem.number, "name": g.problem.name,
                      "expression": g.problem.expression, "points": g.problem.points,
                      "earned": float(g.earned), "notes": list(g.result.graph.notes),
                      "tolerance": _rule_dict(g.rules[0]) if len(set(g.rules)) == 1 else None,
                      "expect": [dict(verdict_dict(v), tolerance=_rule_dict(rule))
                                 for v, rule in zip(g.verdicts, g.rules)]}
                     for g in report.graded],
    }


def _rule_dict(rule) -> dict:
    from .classroom import rule_dict

    return dict(rule_dict(rule), sentence=rule_words(rule))


def _common_rule(report) -> dict | None:
    found = judged_by(report)
    return _rule_dict(found[0][1]) if len(found) == 1 and not found[0][0] else None


# The answer key (gradcalc check SHEET --key) -------------------------------------------------------

def _value_text(entry, precision: int) -> str:
    """An answer's value as the key shows it: a number as the answer's rule accepts it (0.353 for
    sigfigs = 3, 0.50 for decimals = 2), so a student copying it earns the marks; an array on one line."""
    written = entry.written(precision)
    return written if written is not None else " ".join(format_value(entry.value, precision).split())


def _varying(sheet) -> list[str]:
    return [problem.id for problem in sheet.problems if problem.varying]


def formula_column(line: str) -> int | None:
    """Where a key's line continues on a narrow terminal: under its formula, or None (the default)."""
    mark = line.find("formula: ")
    return mark + len("formula: ") if mark >= 0 else None


def key_plain(key, precision: int = DEFAULT_PRECISION) -> str:
    lines = [f"Answer key: {visible(key.sheet.title)}" + (f" — {visible(key.student)}" if key.student else "")]
    for kp in key.problems:
        problem = kp.problem
        program = "; ".join(line.strip() for line in problem.expression.strip().splitlines() if line.strip())
        named = visible(problem.name) + ("" if problem.name == problem.id else f" ({problem.id})")
        lines.append(f"{problem.number}. {named}: {visible(program)} at {_point(kp.at)}")
        width = max(len(f"{e.quantity} = {_value_text(e, precision)}") for e in kp.entries)
        for e in kp.entries:
            said = f"{e.quantity} = {_value_text(e, precision)}"
            condition = getattr(e.formulas, "condition", "")
            lines.append(f"   {said:<{width}}" + (f"   formula: {e.formula}" if e.formula else "")
                         + (f" (where {condition})" if condition else ""))
    varying = _varying(key.sheet)
    if varying and key.student is None:
        lines.append(f"Each student has their own point in {', '.join(varying)} (drawn from the sheet's "
                     f"seed {key.sheet.seed} and their name); this is the sheet's own. Their keys: "
                     f"--key --answers ANSWERS.csv")
    return "\n".join(lines) + "\n"


def keys_csv(keys, precision: int = DEFAULT_PRECISION, separator: str = ",") -> str:
    """Every student's own key as CSV: their point of each varying problem (ID:at) and each answer
    under the answers file's own column name (ID.NAME), fields separated by `separator` (the
    answers file's: `;` or a tab where a decimal-comma spreadsheet saved it)."""
    import csv
    import io

    from ..csvtext import inert

    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=separator, lineterminator="\n")
    sheet = keys[0].sheet if keys else None
    header = ["student"]
    for problem in sheet.problems if sheet else []:
        header += ([f"{problem.id}:at"] if problem.varying else []) + [a.column for a in problem.asked]
    out.writerow(header)
    for key in keys:
        row = [inert(visible(key.student))]   # a name a spreadsheet would run as a formula gets a '
        for kp in key.problems:
            row += ([_point({n: v for n, v in kp.at.items() if n in kp.problem.varying})]
                    if kp.problem.varying else []) + [_value_text(e, precision) for e in kp.entries]
        out.writerow(row)
    return buffer.getvalue()


def key_dict(key) -> dict:
    from ..tolerance import MOST_FIGURES
    from .json import plain

    return {"student": key.student,
            "problems": [{"id": kp.problem.id, "name": kp.problem.name, "expression": kp.problem.expression,
                          "at": {name: plain(v) for name, v in kp.at.items()},
                          "answers": [{"column": e.column, "name": e.name, "quantity": e.quantity,
                                       "value": plain(e.value), "written": _value_text(e, MOST_FIGURES),
                                       "formula": e.formula} for e in kp.entries]}
                         for kp in key.problems]}


def keys_dict(sheet, keys, one: bool) -> dict:
    head = {"title": sheet.title, "seed": sheet.seed, "varying": _varying(sheet)}
    if one:
        return {**head, **key_dict(keys[0])}
    return {**head, "students": [key_dict(key) for key in keys]}


def key_latex(keys, precision: int = DEFAULT_PRECISION) -> str:
    """The keys as LaTeX to paste: per problem an align* of each answer's formula and value."""
    from ..symbolic import Printer
    from . import latex

    blocks = []
    for key in keys:
        if key.student is not None:
            blocks.append([f"% Student: {latex.text_cell(visible(key.student))}"])
        for kp in key.problems:
            problem, output = kp.problem, kp.problem.result.output_name
            rows = []
            for e in kp.entries:
                name = latex.name(output) if e.name == output else latex.partial(output, e.name)
                value = _value_text(e, precision).replace("inf", r"\infty")
                if e.formulas is None:
                    rows.append(f"{name} &= {value}")
                    continue
                if e.formulas.table is None:   # symbolic.KnownFormula: softmax(z) - y
                    text = e.formulas.formula.spelled(latex.LatexStyle())
                    rows.append(f"{name} &= {text} = {value} && \\text{{where {latex.text_cell(e.formulas.condition)}}}")
                    continue
                printer = Printer(e.formulas.table, latex.LatexStyle(), e.formulas.names)
                rows += [f"{latex.name(n)} &= {printer.definition(x)}" for x, n in e.formulas.names.items()]
                formula = printer.formula(e.formulas.exprs["f"])
                rows.append(f"{name} &= {formula}" + ("" if formula == value else f" = {value}"))
            body = [f"  {row} \\\\" for row in rows[:-1]] + [f"  {rows[-1]}"]
            blocks.append([f"% {problem.number}. {visible(problem.name)} at {_point(kp.at)}",
                           r"\begin{align*}"] + body + [r"\end{align*}"])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


# The self-test (gradcalc check SHEET --self-test) ----------------------------------------------------

def self_test_plain(tested) -> str:
    from ..self_test import SHOWN

    lines = [f"Self-test: {visible(tested.sheet.title)}"]
    for check in tested.checks:
        counted = f" ({check.count} checked)" if check.count else ""
        lines.append(f"{'✓' if check.ok else '✗'} {check.what}{counted}")
        lines += [f"    {visible(failure)}" for failure in check.failures[:SHOWN]]
        if len(check.failures) > SHOWN:
            lines.append(f"    … and {len(check.failures) - SHOWN} more")
    lines.append("The sheet passes its self-test." if tested.ok else "The sheet fails its self-test.")
    return "\n".join(lines) + "\n"


def self_test_dict(tested) -> dict:
    return {"title": tested.sheet.title, "ok": tested.ok, "students": tested.students,
            "checks": [{"check": c.what, "ok": c.ok, "checked": c.count, "failures": c.failures}
                       for c in tested.checks]}
