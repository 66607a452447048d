"""`gradcalc check SHEET.toml --answers ANSWERS.csv`: grade a whole class (options and their rules)."""

from __future__ import annotations

import click

from ..errors import GradcalcError
from .command import option_group
from .exits import say

options = option_group(
    click.option("--answers", metavar="ANSWERS.csv",
                 help="Grade a class: a CSV with a student column and a PROBLEM_ID.NAME column per "
                      "answer ('-' for stdin); prints the gradebook as CSV (--json: every verdict); "
                      "exit 0 once graded."),
    click.option("--report", metavar="DIR",
                 help="With --answers: write a Markdown feedback file per student into DIR."),
    click.option("--solutions", is_flag=True,
                 help="With --report: show the correct value, its formula and the backward pass for "
                      "every answer that is wrong."),
)


def given(sheet: str, p: dict) -> bool:
    """Whether the class grader is asked for; refuses its options without --answers."""
    if p["answers"] is None and (p["report"] or p["solutions"]):
        raise GradcalcError(f"{'--report' if p['report'] else '--solutions'} needs --answers",
                            hint="gradcalc check SHEET.toml --answers ANSWERS.csv --report DIR")
    if p["answers"] == "-" and sheet == "-":
        raise GradcalcError("the sheet and the answers cannot both come from standard input",
                            hint="give one of them as a file")
    if p["solutions"] and not p["report"]:
        raise GradcalcError("--solutions adds to the feedback files: give --report DIR too")
    return p["answers"] is not None


def run(sheet: str, p: dict, as_json: bool, precision: int, rtol, atol, limits) -> None:
    """The gradebook (or --json) on stdout, feedback files in --report DIR."""
    from ..classroom import decode, grade_class, load_class_sheet, read_answers
    from ..limits import read_bytes, read_text
    from ..render import classroom as render
    from .output import emit

    source = "standard input" if sheet == "-" else sheet
    loaded = load_class_sheet(read_text(sheet, "the sheet", limits.replace(file=limits.sheet), limit="sheet"),
                              source)
    answers = p["answers"]
    answers_source = "standard input" if answers == "-" else answers
    table = read_answers(decode(read_bytes(answers, "the answers file"), answers_source), loaded,
                         answers_source)
    book = grade_class(loaded, table, rtol, atol)
    if p["report"] is not None:
        _write_reports(book, p["report"], p["solutions"], precision)
    emit(render.render_json(book) if as_json else render.gradebook_csv(book, precision))


def _write_reports(book, report: str, solutions: bool, precision: int) -> None:
    from pathlib import Path

    from ..render import classroom as render

    try:
        folder = Path(report)
        folder.mkdir(parents=True, exist_ok=True)
        for student, name in zip(book.students, render.file_names(book.students)):
            (folder / name).write_text(render.feedback(book, student, solutions, precision), encoding="utf-8")
    except (OSError, ValueError) as error:
        raise GradcalcError(f"cannot write the report into {report!r}: "
                            f"{getattr(error, 'strerror', None) or error}",
                            hint="give a directory you can write to") from None
    from ..classroom import escape

    count = len(book.students)
    say(f"wrote {count} feedback file{'' if count == 1 else 's'} to {escape(report)}")
