"""The public Python API: compute(text, values) → Result. The CLI is a thin layer over it.

Scalars come out as Python floats and arrays as numpy arrays; what a Result method returns is what
the CLI's --json prints for the same question (the same functions build both). The engine's Result
(gradcalc.result) holds the numbers; this one adds the command line's features and notebook display,
whose code lives with the features and in render/.
"""

from __future__ import annotations

import math
import re

from . import result as engine
from .errors import GradcalcError
from .limits import DEFAULT, Limits
from .result import check_wrt, bind, expression_text, merge_values, to_value  # noqa: F401 - the API
from .xp import np

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: `import gradcalc; gradcalc.compute(...)` imports no typing
    from collections.abc import Iterable, Mapping
    from typing import Any


# The engine speaks the command line's words (give --y VALUE, --order, --wrt x); errors reaching a
# caller of the API say the same in the API's words. The words of an option are replaced; any other
# --NAME is a variable's value (--y VALUE), said as its name.
_API_WORDS = (
    (r'gradcalc "([^"]*)" --(\w+) (\S+)', r'compute("\1", \2=\3)'),
    (r"give ((?:--\w+ VALUE\s*)+)", lambda found: "give a value for " + ", ".join(
        re.findall(r"--(\w+)", found.group(1))) + ": compute(text, " + ", ".join(
        f"{name}=…" for name in re.findall(r"--(\w+)", found.group(1))) + ")"
        + found.group(1)[len(found.group(1).rstrip()):]),     # the space before what follows kept
    (r"--symbolic", "formulas()"), (r"--hessian", "hessian()"), (r"--jacobian", "jacobian()"), (r"--tangent", "jvp()"), (r"--order K\b", "derivative(k)"),
    (r"--order", "derivative()"), (r"--wrt NAME", "wrt=NAME"), (r"--wrt (\w+)", r"wrt='\1'"),
    (r"--wrt", "wrt"), (r"--upstream", "upstream"), (r"--points", "vectorize"),
    (r"--limit (\w+)=(\S+)", r"limits=Limits(\1=\2)"), (r"--limit", "limits"),
    (r"--check", "check()"), (r"--expect (\w+)=…", r"expect('\1', …)"), (r"--expect", "expect()"), (r"--mode forward", "forward mode"),
    (r"--(\w+) ", r"\1="), (r"--(\w+)", r"\1"),
)


class _InApiWords:
    """Around a public call: a GradcalcError raised inside is said in the API's words."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, GradcalcError):
            error.message = _api_words(error.message)
            error.args = (error.message, *error.args[1:])
            if error.hint:
                error.hint = _api_words(error.hint)
        return False


def _api_words(text: str) -> str:
    for pattern, words in _API_WORDS:
        text = re.sub(r"(?<![\w-])" + pattern, words, text)
    return text


in_api_words = _InApiWords()


def speaks_api(function):
    """A public function or method whose errors are said in the API's words."""
    from functools import wraps

    @wraps(function)
    def in_words(*args, **kwargs):
        with in_api_words:
            return function(*args, **kwargs)
    return in_words


class Result(engine.Result):
    """Everything one evaluation found, with what the command line's options compute from it."""

    @speaks_api
    def to_dict(self) -> dict:
        """What `--json` prints: value, gradient and every node with its local derivatives."""
        from .render.json import to_dict

        return to_dict(self)

    @speaks_api
    def hessian(self, wrt: str | Iterable[str] | None = None) -> dict:
        """All second derivatives of a scalar output, as `--hessian --json` gives them:
        `{"variables": [...], "matrix": [[...]]}` (an array input has one row per element)."""
        return self._beyond(wrt, hessian_wanted=True)["hessian"]

    @speaks_api
    def jacobian(self, wrt: str | Iterable[str] | None = None) -> dict:
        """∂output[i]/∂input[j] for every element, as `--jacobian --json` gives it: `{"rows": [...],
        "variables": [...], "matrix": [[...]], "blocks": {name: output shape + name's shape}, ...}`."""
        return self._beyond(wrt, jacobian_wanted=True)["jacobian"]

    @speaks_api
    def jvp(self, tangents: Mapping[str, Any]) -> dict:
        """The output's tangent along the inputs' given tangents (0 on the others), J·v, as `--tangent
        NAME=VALUE --json` gives it: `{"tangents": {...}, "value": ...}` (jax.jvp's second result)."""
        from collections.abc import Mapping

        if not isinstance(tangents, Mapping) or not tangents:
            raise GradcalcError("the tangents are a mapping from input names to values", hint='jvp({"x": 1.0})')
        given = {name: to_value(value, f"the tangent of {name}") for name, value in tangents.items()}
        return self._beyond(None, tangents=[given])["jvp"][0]

    @speaks_api
    def hvp(self, vectors: Mapping[str, Any]) -> dict:
        """The Hessian of a scalar output times a vector (its parts by input name, 0 on the others), without the
        Hessian: `{"vector": {...}, "value": {name: (H·v) for name}}` (PyTorch's hvp, and vhp: the same numbers)."""
        from collections.abc import Mapping

        if not isinstance(vectors, Mapping) or not vectors:
            raise GradcalcError("the vector is a mapping from input names to values", hint='hvp({"x": [1.0, 0.0]})')
        given = {name: to_value(value, f"the vector's part for {name}") for name, value in vectors.items()}
        return self._beyond(None, vectors=[given])["hvp"][0]

    @speaks_api
    def derivative(self, k: int = 1, wrt: str | None = None) -> dict:
        """dᵏz/dxᵏ of a scalar output by its one scalar input (or `wrt`), as `--order K --json`
        gives it: `{"variable": "x", "order": k, "value": ..., "values": [...]}` (every order)."""
        from .taylor import MAX_ORDER

        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_ORDER:
            raise GradcalcError(f"the order of a derivative is a whole number from 1 to {MAX_ORDER}, "
                                f"not {k!r}",
                                hint="for the second derivative: derivative(2)")
        names = self.reported if wrt is None else ()
        if len(names) > 1:   # the engine's message would say --wrt, a command-line option
            raise GradcalcError(f"derivative needs one variable; the expression uses "
                                f"{', '.join(names)}", hint=f"pass one: derivative({k}, wrt={names[0]!r})")
        return self._beyond(wrt, order=k)["derivative"]

    @speaks_api
    def formulas(self, wrt: str | Iterable[str] | None = None) -> dict[str, str]:
        """Each gradient as a simplified formula in gradcalc's own syntax (`{"x": "2*(x + y)"}`), as
        `--symbolic --json` gives it; each can be given back to gradcalc.compute."""
        found = self._beyond(wrt, symbolic=True)
        shared = found.get("symbolic_definitions", [])   # only for very long formulas
        return {name: "; ".join(shared + [text]) for name, text in found["symbolic"].items()}

    @speaks_api
    def check(self, rtol: float = 1e-6, atol: float = 1e-12) -> dict:
        """The gradient against central differences, as `--check --json` reports it (`"ok"` says
        whether every input agreed)."""
        from .check import run_checks
        from .render.check import to_dict

        return to_dict(run_checks(self, [], True, _tolerance("rtol", rtol), _tolerance("atol", atol)))

    @speaks_api
    def expect(self, name: str, answer: Any, rtol: float = 1e-6, atol: float = 1e-12) -> dict:
        """Check an answer for ∂z/∂name (or for the value, if name is the output), as
        `--expect name=answer --json` reports it. `answer` is a number, a nested list, or a formula
        such as "2*(x+y)" (then also compared at random points near this one)."""
        from .check import parse_answer, run_checks
        from .render.check import to_dict

        if not isinstance(name, str):
            raise GradcalcError(f"the name of an expected answer is a string, not {name!r}")
        if isinstance(answer, str):
            text = answer
        elif isinstance(answer, bool):
            raise GradcalcError(f"the answer for {name} is not a number or formula: {answer!r}")
        else:   # a number or nested list, written as --expect would take it
            import json

            number = to_value(answer, f"the answer for {name}")
            text = json.dumps(number.tolist() if np.ndim(number) else
                              int(answer) if isinstance(answer, (int, np.integer)) else float(number))
        answers = [parse_answer(f"{name}={text}")]
        return to_dict(run_checks(self, answers, False, _tolerance("rtol", rtol),
                                  _tolerance("atol", atol)))

    @speaks_api
    def latex(self, *, symbolic: bool = False, hessian: bool = False, order: int | None = None,
              wrt: str | Iterable[str] | None = None, precision: int = 10, max_rows: int = 200) -> str:
        """LaTeX to paste, as `--latex` prints it: the trace's tables, or with `symbolic`, `hessian`
        or `order` the formulas (align*), the Hessian (pmatrix) and the orders (tabular)."""
        from .render.latex import render

        if not (symbolic or hessian or order):
            return render(self, None, precision, max_rows)
        from .higher import beyond

        result = self if wrt is None else self.replace(wrt=check_wrt(self.graph, wrt))
        found = beyond(result, hessian_wanted=hessian, order=order, symbolic=symbolic)
        return render(result, found, precision, max_rows)

    def _beyond(self, wrt, **wanted) -> dict:
        from .higher import beyond
        from .render.higher import to_json

        result = self if wrt is None else self.replace(wrt=check_wrt(self.graph, wrt))
        return to_json(beyond(result, **wanted), result.graph.output)

    # Notebooks and rich show the same tables as a terminal; render.rich draws them.
    def __rich__(self):
        from .render.rich import render_result

        return render_result(self)

    def _repr_html_(self) -> str:
        from .render.rich import notebook_html

        return notebook_html(self)

    def to_html(self, precision: int = 10, quiz: bool = False) -> str:
        """The page `--html` writes: one self-contained HTML file stepping through both passes."""
        from .render.html import html_page

        return html_page(self, precision, quiz)[0]

    def explore(self, precision: int = 10, quiz: bool = False, height: int = 720) -> Explorer:
        """The same page inline in a notebook (Jupyter shows the returned object): an iframe whose
        srcdoc holds the page, so no server is needed."""
        return Explorer(self.to_html(precision, quiz), height)


class Explorer:
    """The stepping page shown in a notebook, in a sandboxed iframe (scripts run, nothing else)."""

    def __init__(self, page: str, height: int = 720):
        self.page, self.height = page, height

    def _repr_html_(self) -> str:
        import html

        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #ccc" '
                f'title="gradcalc: the backward pass, step by step"></iframe>')


def _tolerance(name: str, value: Any) -> float:
    # inf would accept any answer; nan none (as --rtol and --atol refuse them).
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 \
            or not math.isfinite(value):
        raise GradcalcError(f"{name} is a finite number ≥ 0, not {value!r}", hint=f"such as {name}=1e-6")
    return float(value)



@speaks_api
def evaluate(graph, values: dict[str, Any] | None = None, wrt: Iterable[str] = (),
             upstream: Any = None) -> Result:
    """Forward then backward over a parsed graph."""
    return _with_methods(engine.evaluate(graph, values, wrt, upstream))


def _with_methods(found: engine.Result) -> Result:
    found.__class__ = Result     # the same fields; this class only adds methods
    return found


@speaks_api
def compute(text: str, values: Mapping[str, Any] | None = None, *, wrt: str | Iterable[str] = (),
            upstream: Any = None, limits: Limits = DEFAULT, **named_values: Any) -> Result:
    """Parse `text`, run forward and backward, return the Result. `limits` bounds the input's size.

    Values go in a mapping (any variable name works, even `wrt` or `text`) or as keywords.

    >>> compute("(x+y)**2", x=1, y=2).gradient
    {'x': 6.0, 'y': 6.0}
    >>> compute("wrt*values", {"wrt": 3, "values": 1}).value
    3.0
    """
    return _with_methods(engine.compute(text, values, wrt=wrt, upstream=upstream, limits=limits,
                                        **named_values))
