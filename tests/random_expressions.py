"""Random smooth expressions over a, b, c for property tests: every function kept on a domain where it
is finite, so derivatives of any order exist at every point drawn."""

from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.parse import parse

VARIABLES = ("a", "b", "c")

# Random smooth expressions over a, b, c: every function kept on a domain where it is finite.
_leaves = st.sampled_from(VARIABLES + ("0.5", "2", "a", "b"))
_unary = st.sampled_from(["sin({})", "cos({})", "tanh({})", "sigmoid({})", "exp(0.3*{})",
                          "log(1 + ({})**2)", "sqrt(2 + sin({}))", "({})**2", "({})**3", "-({})"])
_binary = st.sampled_from(["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (1.5 + cos({}))",
                           "({}) ** 2 * ({})", "exp(0.2*sin({})) ** ({})"])


def _expressions():
    def extend_with(children):
        return st.one_of(
            st.tuples(_unary, children).map(lambda t: t[0].format(t[1])),
            st.tuples(_binary, children, children).map(lambda t: t[0].format(t[1], t[2])))
    return st.recursive(_leaves, extend_with, max_leaves=8)


expressions = _expressions()
points = st.fixed_dictionaries({name: st.floats(-1.5, 1.5) for name in VARIABLES})


def evaluate_at(text, point):
    return compute(text, {n: v for n, v in point.items() if n in _names(text)})


def _names(text):
    return tuple(parse(text).variables)
