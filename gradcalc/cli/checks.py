"""--expect and --check: answers and the numerical gradient compared with the backward pass (exit 1)."""

from __future__ import annotations

from . import spec
from .command import options_for

options = options_for(spec.COMMAND, "checks")


def given(p: dict) -> list[str]:
    return [option for option, wanted in (("--expect", p["expect"]), ("--check", p["numerical"]))
            if wanted]


def answers(p: dict, values=()) -> list:
    """The --expect answers, read (a malformed one is bad input); `values` are the names given values."""
    if not given(p):
        return []
    from ..check import parse_answer

    return [parse_answer(spec, names=values) for spec in p["expect"]]


def run(result, answers: list, p: dict):
    """The checks' report, or None if none were asked for."""
    if not given(p):
        return None
    from ..check import run_checks

    found = run_checks(result, answers, p["numerical"], p["rtol"], p["atol"])
    if p.get("quiet") or p.get("as_json"):   # no table to carry how an answer's text was read
        from .exits import say

        for verdict in found.verdicts:
            for note in verdict.answer.notes:
                say(f"note: in the answer {verdict.answer.name}=…: {note}")
    return found


def verdict(checks, quiet: bool = False) -> None:
    """Exit 1 (after the output is written) if any check failed. With -q, which has no table to
    carry them, the wrong answers' diagnoses go to stderr: stdout keeps only the bare numbers."""
    if checks is not None and not checks.ok:
        if quiet:
            from ..errors import visible
            from ..render.check import WHY, diagnosis_notes
            from .exits import say

            several = sum(v.entry is not None for v in checks.verdicts) > 1
            for wrong in checks.verdicts:
                for line in diagnosis_notes(wrong, several) if not wrong.ok else ():
                    say(f"diagnosis: {wrong.quantity} = {visible(wrong.answer.text.strip())}: "
                        f"{line.removeprefix(WHY)}")
        raise checks.error()   # CheckFailed (exit 1), or NotCheckable (exit 4)
