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
    return how_compared(every, report.seed, report.rtol, report.atol) + [
        f"Score: {_of(report.score, report.total, precision)} ({right} of {count} answer{'' if count == 1 else 's'} "
        f"right{follow})"]


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
        "tolerance": {"rtol": report.rtol, "atol": report.atol},
        "follow_through": report.sheet.follow_through,
        "problems": [{"number": g.problem.number, "name": g.problem.name,
                      "expression": g.problem.expression, "points": g.problem.points,
                      "earned": float(g.earned), "notes": list(g.result.graph.notes),
                      "expect": [verdict_dict(v) for v in g.verdicts]}
                     for g in report.graded],
    }
