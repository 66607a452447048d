"""Helpers the test modules share (they import this, never each other): running the command line,
checking an error's message and caret, numerical gradients, the textbook golden cases."""

import numpy as np
from click.testing import CliRunner

from gradcalc.api import bind
from gradcalc.cli import main
from gradcalc.evaluate import forward
from gradcalc.parse import parse


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, list(args), input=input, env=env)


def assert_error(result, code, message, caret_line=None, json=False):
    """The command failed with `code`, saying `message` on stderr's first line (and `caret_line`);
    stdout empty, or with `json` (--json was given) the same error as one JSON object."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr.splitlines()[0]
    if json:
        assert_json_error(result)
    else:
        assert result.stdout == ""
    if caret_line is not None:
        lines = result.stderr.splitlines()
        assert caret_line in lines, result.stderr


def assert_json_error(result):
    """--json: stdout is one JSON object {"error": …} saying what stderr says, with the exit code."""
    import json

    from gradcalc.errors import visible

    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1, result.stdout
    error = json.loads(result.stdout)["error"]
    assert error["exit_code"] == result.exit_code
    # the message as it is; stderr shows control characters escaped (and cuts a very long one)
    assert result.stderr.splitlines()[0].startswith(f"error: {visible(error['message'])[:200]}")
    assert (error["hint"] is None) == ("hint: " not in result.stderr)
    return error


def central_differences(f, x, h=1e-6):
    """∂f/∂x for every element of x by central differences; f takes an array shaped like x."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2 * h)
    return grad


def extrapolated_difference(f, x, index, step=1e-5):
    """∂f/∂x[index] of an array-valued f, as a reference to test against: central differences at the
    step h and h/2 combined by Richardson extrapolation, (4·D(h/2) − D(h))/3, whose truncation error is
    O(h⁴) where D's is O(h²); h is `step` times max(1, |x[index]|), so a large input moves in its own
    scale. Returns (estimate, error), both shaped like f(x): error bounds the reference's own error,
    how far D(h/2) and D(h) lie apart (D(h/2)'s truncation, more than the estimate's) plus the rounding
    of f's values over the step (f computed to ~64 ulps of its size; a badly conditioned point has
    large values and says so here, rather than failing by the reference's own error)."""
    x = np.asarray(x, dtype=float)
    h = step * max(1.0, abs(float(x[index])))

    def difference(h):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        above, below = np.asarray(f(plus), dtype=float), np.asarray(f(minus), dtype=float)
        return (above - below) / (2 * h), np.maximum(np.abs(above), np.abs(below))

    coarse, size = difference(h)
    fine, fine_size = difference(h / 2)
    rounding = 64 * np.finfo(float).eps * np.maximum(size, fine_size) / (h / 2)
    return (4 * fine - coarse) / 3, np.abs(fine - coarse) / 3 + rounding


def assert_matches_difference(found, reference, rtol, atol, message=""):
    """`found` within rtol/atol of an extrapolated_difference (estimate, error), its error added."""
    estimate, error = reference
    found = np.asarray(found, dtype=float)
    off = np.abs(found - estimate)
    allowed = atol + rtol * np.abs(estimate) + error
    assert np.all(off <= allowed), (f"{message}: {found} vs {estimate} (off {off}, allowed {allowed}, of which "
                                    f"the reference's own error {error})")


def numeric_gradients(text, point, upstream=None, h=1e-6, wrt=None):
    """Central differences of L = Σ upstream ⊙ output (the sum when no upstream) for every element."""
    graph = parse(text, names=frozenset(point))

    def loss(values):
        out = forward(graph, bind(graph, values))[graph.output]
        return float(np.sum(out if upstream is None else upstream * out))

    return {name: central_differences(lambda value, name=name: loss({**point, name: value}), point[name], h)
            for name in wrt or point}


APPLE = "apple_price = apple * apple_num; price = apple_price * tax"
APPLE_ORANGE = """
apple_price = apple * apple_num
orange_price = orange * orange_num
all_price = apple_price + orange_price
price = all_price * tax
"""
APPLE_ORANGE_VALUES = ["--apple", "100", "--apple_num", "2", "--orange", "150", "--orange_num", "3",
                       "--tax", "1.1"]

GOLDEN = [
    # (program, values, output name, value, gradients as shown)
    ("(x+y)**2", {"x": 1, "y": 2}, "z", "9", {"x": "6", "y": "6"}),
    ("t = x + y; z = t**2", {"x": 1, "y": 2}, "z", "9", {"x": "6", "y": "6"}),
    (APPLE, {"apple": 100, "apple_num": 2, "tax": 1.1}, "price", "220",
     {"apple": "2.2", "apple_num": "110", "tax": "200"}),
    (APPLE_ORANGE, {"apple": 100, "apple_num": 2, "orange": 150, "orange_num": 3, "tax": 1.1},
     "price", "715", {"apple": "2.2", "apple_num": "110", "orange": "3.3", "orange_num": "165",
                      "tax": "650"}),
    # A multiply node 10 × 5 receiving upstream 1.2 passes back 6 and 12.
    ("z = 1.2 * (a*b)", {"a": 10, "b": 5}, "z", "60", {"a": "6", "b": "12"}),
    ("x*x", {"x": 3}, "z", "9", {"x": "6"}),
    ("a = x*y; z = a*a + a", {"x": 2, "y": 3}, "z", "42", {"x": "39", "y": "26"}),
]


# The functions gradcalc had before issue #13: test_ops.py tests them, test_functions.py the ones added since.
EARLIER = {"exp", "log", "ln", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "sign"}
