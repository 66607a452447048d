"""Problems as published (course notes, books, library docs, papers), typed exactly as their authors
wrote them, each with its source: tests/corpus/published.toml, and a second corpus sampled later from
sources the first did not use, tests/corpus/sampled.toml, a third held out from the readers' work
(sampled from yet other sources while they were being fixed), tests/corpus/heldout.toml, and a fourth held
out the same way later (people's own scripts, notes and course pages), tests/corpus/heldout2.toml, all checked
the same way. Expected values come from independent oracles (SymPy, PyTorch, JAX) run by
tools/corpus_oracle.py into tests/corpus/*_oracle.json.

Every accepted problem must be right; every refused one must exit 2 with a message and a hint; the
number read right must not fall below the corpus's FLOOR. A problem recorded as status = "wrong" (a wrong
number found and reported, not yet fixed; in heldout.toml and heldout2.toml also a refusal found without a
hint) is expected to fail until it is fixed. `python tests/test_published.py` prints each problem's outcome
and the acceptance rate by dialect; `python tests/test_published.py --record` marks the problems read right
since as status = "right".
"""

from __future__ import annotations

import importlib.util
import json
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from gradcalc import compute
from gradcalc.errors import GradcalcError

HERE = Path(__file__).parent
CORPORA = {name: tomllib.loads((HERE / "corpus" / f"{name}.toml").read_text(encoding="utf-8"))["problem"]
           for name in ("published", "sampled", "heldout", "heldout2")}
PROBLEMS = [problem for problems in CORPORA.values() for problem in problems]
ORACLE = {id: expected for name in CORPORA
          for id, expected in json.loads((HERE / "corpus" / f"{name}_oracle.json").read_text(encoding="utf-8")).items()}
DIALECTS = {"python/numpy", "python/torch", "python/jax", "python/tf", "python/engine", "python/plain",
            "math", "latex"}

# The number of problems read and right today: raise it as readers land (never lower it).
FLOOR = {"published": 224, "sampled": 129, "heldout": 117, "heldout2": 120}


def _oracle_tool():
    spec = importlib.util.spec_from_file_location("corpus_oracle", HERE.parent / "tools" / "corpus_oracle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _values(problem: dict) -> dict:
    return {name: np.asarray(value, dtype=float) if isinstance(value, list) else float(value)
            for name, value in problem.get("at", {}).items()}


def outcome(problem: dict):
    """("accepted", Result) or ("refused", GradcalcError)."""
    try:
        return "accepted", compute(problem["text"], _values(problem))
    except GradcalcError as error:
        return "refused", error


def wrong(problem: dict, found) -> str | None:
    """Why an accepted problem's answer differs from the oracle's (None if it is right)."""
    expected = ORACLE[problem["id"]]
    value = np.asarray(found.value, dtype=float)
    if value.shape != np.shape(expected["value"]) or not np.allclose(value, expected["value"],
                                                                     rtol=1e-7, atol=1e-9):
        return f"value {found.value!r}, the oracle says {expected['value']!r}"
    for name, grad in expected["gradient"].items():
        if name not in found.gradient:
            return f"no gradient for {name}"
        mine = np.asarray(found.gradient[name], dtype=float)
        if mine.shape != np.shape(grad) or not np.allclose(mine, grad, rtol=1e-7, atol=1e-9):
            return f"d/d{name} is {found.gradient[name]!r}, the oracle says {grad!r}"
    return None


def _param(problem):
    if problem["status"] == "wrong":   # reported, not fixed yet: strict, so a fix shows up as a failure to record
        return pytest.param(problem, id=problem["id"], marks=pytest.mark.xfail(strict=True, reason=problem["kind"]))
    return pytest.param(problem, id=problem["id"])


@pytest.mark.parametrize("problem", [_param(p) for p in PROBLEMS])
def test_a_published_problem_is_right_or_refused_with_a_hint(problem):
    kind, found = outcome(problem)
    if kind == "refused":
        assert problem["status"] != "right", f"{problem['id']} was read right before: {found.render()}"
        assert found.exit_code == 2 and found.message and found.hint, found.render()
        return
    assert wrong(problem, found) is None, f"{problem['text']!r}: {wrong(problem, found)}"


@pytest.mark.parametrize("corpus", CORPORA)
def test_the_corpus_is_well_formed(corpus):
    problems = CORPORA[corpus]
    assert len(problems) >= 100
    assert len({p["id"] for p in PROBLEMS}) == len(PROBLEMS)   # unique across both files: one oracle table
    for problem in problems:
        assert problem["source"] and problem["text"] and problem["dialect"] in DIALECTS, problem["id"]
        assert problem["status"] in ("right", "refused", "wrong"), problem["id"]
        assert ("kind" in problem) == (problem["status"] != "right"), problem["id"]
    assert {p["dialect"].split("/")[0] for p in problems} >= {"python", "latex"}
    assert {p["dialect"].split("/")[0] for p in CORPORA["published"]} == {"python", "math", "latex"}


def test_the_oracle_file_is_up_to_date():
    # Edit published.toml or sampled.toml, then run tools/corpus_oracle.py (it needs sympy, torch and jax).
    fingerprint = _oracle_tool().fingerprint
    assert set(ORACLE) == {p["id"] for p in PROBLEMS}
    stale = [p["id"] for p in PROBLEMS if ORACLE[p["id"]]["fingerprint"] != fingerprint(p)]
    assert not stale, f"run tools/corpus_oracle.py again: {stale}"


def report(corpus: str = "published") -> tuple[int, list[str]]:
    """The number read right, and the report's lines: the rate by dialect, the refusals (and wrong
    numbers) by kind, and the problems whose recorded status is behind (read right now, recorded as not)."""
    problems = CORPORA[corpus]
    accepted, by_dialect, total, kinds, newly = 0, Counter(), Counter(), Counter(), []
    for problem in problems:
        kind, found = outcome(problem)
        total[problem["dialect"]] += 1
        if kind == "accepted" and wrong(problem, found) is None:
            accepted += 1
            by_dialect[problem["dialect"]] += 1
            if problem["status"] != "right":
                newly.append(problem["id"])
        else:
            kinds[problem.get("kind", "(recorded as right)")] += 1
    lines = [f"{corpus} problems accepted: {accepted} of {len(problems)} ({accepted / len(problems):.0%})"]
    for dialect in sorted(total):
        lines.append(f"  {dialect:14} {by_dialect[dialect]:3} of {total[dialect]:3}")
    lines.append("refused, by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    if newly:
        lines.append(f"read now but recorded as refused (set status = \"right\" in {corpus}.toml): "
                     f"{', '.join(newly)}")
    return accepted, lines


@pytest.mark.parametrize("corpus", CORPORA)
def test_acceptance_rate(capsys, corpus):
    accepted, lines = report(corpus)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert accepted >= FLOOR[corpus]    # a regression in reading what people paste fails here


def record(ids: list[str], corpus: str = "published") -> None:
    """Set status = "right" (and drop kind) for these problems in the corpus file, as they are read
    and right now; the rest of the file is left as written."""
    import re

    path = HERE / "corpus" / f"{corpus}.toml"
    text = path.read_text(encoding="utf-8")
    for id in ids:
        block = re.search(rf'\[\[problem\]\]\nid = "{re.escape(id)}"\n.*?(?=\n\[\[problem\]\]|\n# ---|\Z)', text, re.S)
        updated = re.sub(r'\nstatus = "(refused|wrong)"\nkind = "[^"]*"', '\nstatus = "right"', block.group())
        text = text.replace(block.group(), updated)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import sys

    if "--record" in sys.argv:   # after a reader lands: record what is now read right
        for corpus, problems in CORPORA.items():
            read = [p["id"] for p in problems if p["status"] != "right" and outcome(p)[0] == "accepted"
                    and wrong(p, outcome(p)[1]) is None]
            record(read, corpus)
            print(f"recorded {len(read)} {corpus} problems as right: {', '.join(read)}")
        sys.exit(0)
    for problem in PROBLEMS:
        kind, found = outcome(problem)
        note = "" if kind == "refused" else (wrong(problem, found) or "")
        print(f"{kind:9} {problem['id']:32} {problem['text'].strip()[:50]!r}"
              + (f"  ({found.message})" if kind == "refused" else f"  WRONG: {note}" if note else ""))
    for corpus in CORPORA:
        print("\n".join(report(corpus)[1]))
