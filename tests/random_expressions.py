"""Random smooth expressions over a, b, c for property tests: every function kept on a domain where it
is finite, so derivatives of any order exist at every point drawn."""

from hypothesis import reject
from hypothesis import strategies as st

from gradcalc import MathError, compute
from gradcalc.parse import parse

VARIABLES = ("a", "b", "c")

# Random smooth expressions over a, b, c: every function kept on a domain where it is finite.
_leaves = st.sampled_from(VARIABLES + ("0.5", "2", "a", "b"))
_unary = st.sampled_from(["sin({})", "cos({})", "tanh({})", "sigmoid({})", "exp(0.3*{})",
                          "log(1 + ({})**2)", "sqrt(2 + sin({}))", "({})**2", "({})**3", "-({})",
                          # the functions added for issue 13, each inside its domain
                          "asin(0.5*tanh({}))", "acos(0.5*tanh({}))", "atan({})", "sinh(0.5*tanh({}))",
                          "cosh(0.5*tanh({}))", "asinh({})", "acosh(1.5 + ({})**2)", "atanh(0.5*tanh({}))",
                          "log2(1 + ({})**2)", "log10(2 + sin({}))", "log1p(({})**2)", "expm1(0.3*tanh({}))",
                          "exp2(tanh({}))", "cbrt(2 + sin({}))", "softplus({})", "erf({})", "erfc({})",
                          "gelu({})", "silu({})",
                          # notation from paper: superscript powers and √
                          "({})²", "({})³", "√(2 + sin({}))", "(1.5 + cos({}))⁻¹", "2√(1 + ({})²)"])
_binary = st.sampled_from(["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (1.5 + cos({}))",
                           "({}) ** 2 * ({})", "exp(0.2*sin({})) ** ({})",
                           "atan2({}, 2 + cos({}))", "hypot(1 + ({})**2, {})", "log(2 + ({})**2, 3 + sin({}))",
                           "pow(2 + sin({}), tanh({}))",
                           # products written without *
                           "({})({})", "2({})(1 + ({})²)", "sin({})cos({})"])


def _expressions():
    def extend_with(children):
        return st.one_of(
            st.tuples(_unary, children).map(lambda t: t[0].format(t[1])),
            st.tuples(_binary, children, children).map(lambda t: t[0].format(t[1], t[2])))
    return st.recursive(_leaves, extend_with, max_leaves=8)


expressions = _expressions()
points = st.fixed_dictionaries({name: st.floats(-1.5, 1.5) for name in VARIABLES})


def evaluate_at(text, point):
    try:
        return compute(text, {n: v for n, v in point.items() if n in names_in(text)})
    except MathError:   # nested exponentials can overflow (exp(0.3*exp(0.3*a + 2**2*2)) at a = 0)
        reject()


def names_in(text):
    return tuple(parse(text).variables)


# Random array programs over x (3,), M (2, 3) and s (): every sub-expression typed by its shape, so
# broadcasting, reductions, @, .T and softmax all meet. The output is a scalar.
ARRAY_POINT = {"x": [0.3, -0.8, 1.1], "M": [[0.5, -1.0, 0.2], [1.5, 0.3, -0.4]], "s": 0.7}
_smooth = ["sin({})", "tanh({})", "sigmoid({})", "exp(0.3*{})", "cos({})"]


def _shaped(shape: str, depth: int):
    leaves = {"3": st.just("x"), "2": st.just("(M @ x)"), "": st.sampled_from(["s", "0.5"])}[shape]
    if depth == 0:
        return leaves
    same = _shaped(shape, depth - 1)
    scalar = _shaped("", depth - 1)
    options = [
        leaves,
        st.tuples(st.sampled_from(_smooth), same).map(lambda t: t[0].format(t[1])),
        st.tuples(same, st.sampled_from(["+", "-", "*"]), same | scalar).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
    ]
    if shape == "":
        vec3, vec2 = _shaped("3", depth - 1), _shaped("2", depth - 1)
        options += [st.tuples(st.sampled_from(["sum", "mean", "max", "logsumexp"]), vec3)
                    .map(lambda t: f"{t[0]}({t[1]})"),
                    vec2.map(lambda v: f"sum({v})"), vec3.map(lambda v: f"(x @ {v})")]
    if shape == "3":
        options += [_shaped("3", depth - 1).map(lambda v: f"softmax({v})"),
                    _shaped("2", depth - 1).map(lambda v: f"(M.T @ {v})")]
    if shape == "2":
        options += [_shaped("3", depth - 1).map(lambda v: f"(M @ {v})")]
    return st.one_of(*options)


array_programs = _shaped("", 3)
