"""`gradcalc check SHEET.toml`: grade a homework sheet."""

from __future__ import annotations

import click

from ..errors import GradcalcError
from ..limits import DEFAULT, read_text
from . import classroom, pictures, spec
from .command import OneLineErrors, options_for, refuse_conflicts
from .exits import guard
from .output import Output, on_screen, show

SHEET_EPILOG = """\b
A sheet is TOML; each [[problem]] has an expression, a point and the answers to check (sheet.toml):
  title = "Backpropagation, week 3"
  [[problem]]
  name = "Square of a sum"
  expression = "(x+y)**2"
  at = { x = 1, y = 2 }
  [problem.expect]
  x = "2*(x+y)"      # a formula: also compared at 5 random points near the given one
  y = 6              # a number: compared at the given point
  z = 9              # the output's own name: its value
  gradcalc check sheet.toml

\b
A sheet graded on its own is a student's hand-in: each problem is worth 1 point, and it may not set
points, follow_through or a looser tolerance (exit 2). Grade a hand-in by your own copy of the sheet,
which sets them:
  gradcalc check homework.toml --rules week3.toml
A sheet you wrote yourself (points = 2 in a problem, say) is graded by its own rules with --teacher-sheet:
  gradcalc check sheet.toml --teacher-sheet

\b
A whole class: each problem names the answers students give, answers = ["x", "z"] (or with the
points of each, answers = { x = 2, z = 1 }), and a CSV has a row per student (student,p1.x,p1.z):
  gradcalc check class.toml --answers answers.csv > gradebook.csv
  gradcalc check class.toml --answers answers.csv --report feedback/ --solutions
  gradcalc check class.toml --html pages/ --quiz      # a quiz page per problem

\b
Exit codes: 0 every answer right (with --answers: the class graded), 1 some answer wrong or
malformed (the rest are graded), 2 a malformed sheet (TOML, an expression, a point, points) or
answers file, 3 a math error.
"""


@click.command(cls=OneLineErrors, epilog=SHEET_EPILOG, context_settings={"help_option_names": ["-h", "--help"],
                                                      "max_content_width": 100})
@click.argument("sheet", metavar="SHEET.toml")
@options_for(spec.CHECK, "sheet")
@options_for(spec.CHECK, "key")
@classroom.options
@pictures.sheet_options
def check_sheet(sheet, as_json, plain, precision, rtol, atol, limit, rules, student, teacher_sheet,
                **p):
    """Grade a homework sheet: every problem's answers, a report and a score; exit 1 if any is wrong.

    With --answers, grade a whole class: a row of answers per student, a gradebook on stdout."""
    with guard():
        limits = DEFAULT.with_overrides(limit)
        refuse_conflicts(click.get_current_context(), spec.CHECK, spec.CHECK_CONFLICTS)
        if p["key"] or p["self_test"]:
            return _key_or_self_test(sheet, p, as_json, precision, limits)
        if classroom.given(sheet, p):
            loaded = classroom.run(sheet, p, as_json, precision, rtol, atol, limits)
            if p["pages"] is not None:   # the class's problems to practise on, judged as the class was
                pictures.write_class_pages(loaded, p, precision, rtol, atol)
            return
        from ..render import sheet as render
        from ..sheet import ClassSheetOnly, grade, load_handin, load_sheet

        source = "standard input" if sheet == "-" else sheet
        # Refused before TOML reads it: a 99 MB sheet took 35 s and 1.1 GB to say it had no problems.
        text = read_text(sheet, "the sheet", limits.replace(file=limits.sheet), limit="sheet")
        try:
            if rules is None:
                handin, ignored, unasked = load_sheet(text, source), (), ()
            else:   # graded by the teacher's copy: the hand-in's own rules set aside, whatever they say
                handin, set_aside = load_handin(text, source)
        except ClassSheetOnly:
            if p["pages"] is None or rules is not None:
                raise
            # A class sheet has no answers of its own to grade: --html DIR writes its problems' pages.
            from ..classroom import load_class_sheet

            return pictures.write_class_pages(load_class_sheet(text, source), p, precision, rtol, atol)
        if rules is not None:   # the teacher's copy: its problems and rules, the hand-in's answers
            from ..classroom import load_class_sheet
            from ..sheet import with_rules

            if rules == "-" and sheet == "-":
                raise GradcalcError("the hand-in and the teacher's copy cannot both come from standard input",
                                    hint="give one of them as a file")
            rules_source = "standard input" if rules == "-" else rules
            teacher = load_class_sheet(read_text(rules, "the teacher's copy", limits.replace(file=limits.sheet),
                                                 limit="sheet"), rules_source)
            handin, ignored, unasked = with_rules(handin, teacher, rules_source, student)
            ignored = set_aside + ignored
        report = grade(handin, rtol, atol, sheet_tolerance=teacher_sheet or rules is not None,
                       ignored=tuple(ignored), unasked=tuple(unasked))
        if p["pages"] is not None:
            pictures.write_sheet_pages(report, p, precision)
        out = Output(as_json=as_json, plain=plain, precision=precision)
        show(out, json=lambda: _json(render.to_dict(report)),
             rich=lambda: [render.render_rich(report, precision)],
             plain=lambda: render.render_plain(report, precision))
        if not report.ok:
            from ..errors import CheckFailed

            right, count = report.answers
            wrong = count - right
            kinds = [v.answer.kind for g in report.graded for v in g.verdicts]
            why = [f"{kinds.count(kind)} {said}" for kind, said in (("malformed", "malformed"),
                                                                  ("blank", "not answered")) if kind in kinds]
            raise CheckFailed(f"{wrong} of {count} answer{'' if count == 1 else 's'} {'is' if wrong == 1 else 'are'} wrong"
                              + (f" ({', '.join(why)})" if why else ""))


def _key_or_self_test(sheet: str, p: dict, as_json: bool, precision: int, limits) -> None:
    """--key (the answer key, at the sheet's point or each student's) or --self-test."""
    from ..classroom import decode, load_class_sheet
    from ..limits import read_bytes
    from ..check import SEED

    if p["answers"] == "-" and sheet == "-":
        raise GradcalcError("the sheet and the answers cannot both come from standard input",
                            hint="give one of them as a file")
    source = "standard input" if sheet == "-" else sheet
    loaded = load_class_sheet(read_text(sheet, "the sheet", limits.replace(file=limits.sheet), limit="sheet"),
                              source)
    students, separator = None, ","
    if p["answers"] is not None:
        from ..answer_key import read_students

        answers_source = "standard input" if p["answers"] == "-" else p["answers"]
        separator, students = read_students(decode(read_bytes(p["answers"], "the answers file"),
                                                   answers_source), answers_source)
    from ..render import sheet as render
    from .output import emit

    if p["self_test"]:
        from ..self_test import self_test

        tested = self_test(loaded, students, SEED)
        emit(_json(render.self_test_dict(tested)) if as_json else on_screen(render.self_test_plain(tested)))
        if not tested.ok:
            from ..errors import CheckFailed

            failed = sum(not check.ok for check in tested.checks)
            raise CheckFailed(f"the sheet fails {failed} of {len(tested.checks)} self-test checks")
        return
    from ..answer_key import sheet_key, student_keys

    keys = [sheet_key(loaded, SEED)] if students is None else student_keys(loaded, students, SEED)
    if p["key_latex"]:
        emit(render.key_latex(keys, precision))
    elif as_json:
        emit(_json(render.keys_dict(loaded, keys, one=students is None)))
    elif students is None:
        emit(on_screen(render.key_plain(keys[0], precision), hang=render.formula_column))
    else:
        emit(render.keys_csv(keys, precision, separator))   # as the class's spreadsheet saved its file


def _json(data: dict) -> str:
    from ..render.json import dumps

    return dumps(data) + "\n"


def grades_a_sheet(argv: list[str]) -> bool:
    """`gradcalc check [OPTIONS] SHEET.toml [OPTIONS]` grades a homework sheet. "check" could also be
    an expression (a variable named check): only `check` followed by nothing but the grader's own
    options and at most one file dispatches, so `check --var check=3` stays an expression."""
    if not argv or argv[0] != "check":
        return False
    flags = spec.names(spec.CHECK, takes_value=False) | set(spec.HELP)
    takes_value = spec.names(spec.CHECK, takes_value=True)
    files, i = 0, 1
    while i < len(argv):
        arg = argv[i]
        if arg.split("=", 1)[0] in takes_value:
            i += "=" not in arg   # skip the option's value
        elif arg == "-" or not arg.startswith("-"):
            files += 1
        elif arg not in flags:
            return False
        i += 1
    return files <= 1
