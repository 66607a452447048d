"""Coverage-guided fuzzing of the parser, the evaluator and the renderers with atheris (libFuzzer).

    pip install -e '.[fuzz]'
    python fuzz/fuzz_gradcalc.py -max_total_time=600        # ten minutes; any libFuzzer flag works

Each input is a program (or, if its first byte is odd, a command-line value) plus a point to evaluate
it at. A GradcalcError (exit 2 or 3) is a correct answer to bad input; anything else — another
exception, a non-finite result, an input that takes over -timeout seconds — is a finding, saved by
libFuzzer as crash-* / timeout-*. Add each finding to tests/corpus/hostile.txt as a regression case.
The seeds are the corpus's own cases, so the fuzzer starts from hostile input.
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
from pathlib import Path

import atheris

# Not instrumented: the libraries whose own code is not under test (instrumenting numpy is slow).
import click  # noqa: F401
import numpy as np

with atheris.instrument_imports(include=["gradcalc", "lark"]):
    from gradcalc.api import evaluate
    from gradcalc.values import parse_value
    from gradcalc.errors import GradcalcError
    from gradcalc.parse import parse
    from gradcalc.render.json import render_json
    from gradcalc.render.plain import render_plain

ROOT = Path(__file__).resolve().parent.parent
# Points chosen to reach the edges: zeros of both signs, kinks, subnormals, overflow, poles.
POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.5, 1e-320, 1e300, -1e300, 710.0, math.pi / 2, 1e-8, 37.0]


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    at = POINTS[data[1] % len(POINTS)]
    text = data[2:].decode("utf-8", errors="surrogateescape")   # as the shell hands over argv
    if data[0] % 2:
        _value(text)
    else:
        _program(text, at)


def _value(text: str) -> None:
    try:
        value = parse_value("x", text)
        result = evaluate(parse("x * 2"), {"x": value})
    except GradcalcError:
        return
    assert np.all(np.isfinite(result.value)), (text, result.value)


def _program(text: str, at: float) -> None:
    try:
        graph = parse(text)
        values = {name: at for name in graph.variables if name not in graph.defaults}
        result = evaluate(graph, values)
    except GradcalcError as error:
        assert error.render().startswith("error: ")
        return
    assert np.all(np.isfinite(result.value)), (text, result.value)
    for grad in result.gradient.values():
        assert np.all(np.isfinite(grad)), (text, result.gradient)
    render_plain(result)
    render_json(result)


def _seeds() -> str:
    """A directory of seed inputs: every expression in the hostile corpus, at a few points."""
    folder = tempfile.mkdtemp(prefix="gradcalc-fuzz-")
    corpus = ROOT / "tests" / "corpus" / "hostile.txt"
    lines = [line for line in corpus.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for i, line in enumerate(lines):
        expression = re.split(r"\s*\|\|\|", line[3:])[0]
        Path(folder, f"seed{i}").write_bytes(bytes([0, i % len(POINTS)]) + expression.encode())
    return folder


def main() -> None:
    args = sys.argv[:]
    if not any(not arg.startswith("-") for arg in args[1:]):   # no corpus directory given
        args.append(_seeds())
    defaults = ["-timeout=10", "-rss_limit_mb=2048", "-max_len=4096",
                f"-dict={Path(__file__).with_name('gradcalc.dict')}"]
    args[1:1] = [flag for flag in defaults if not any(a.startswith(flag.split("=")[0] + "=") for a in args)]
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
