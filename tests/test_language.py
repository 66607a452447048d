"""The language people paste: indexing and slicing, array literals, rebinding and augmented assignment,
names such as e and pi, implicit multiplication, module prefixes, and hints for common slips."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc import compute
from gradcalc.higher import beyond
from helpers import assert_error, numeric_gradients, run

X = [[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]]
V = [1.0, -2.0, 3.0, 0.5]


# -- indexing and slicing -----------------------------------------------------------------------

@pytest.mark.parametrize("index", ["[0]", "[-1]", "[1:]", "[:-1]", "[::2]", "[::-1]", "[1:3]",
                                   "[-3:-1]", "[5:]", "[1::2]"])
def test_vector_index_matches_numpy_and_scatters_the_gradient(index):
    v = np.array(V)
    result = compute(f"sum(v{index} * v{index})", v=V)
    assert result.value == pytest.approx(float(np.sum(eval(f"v{index}") ** 2)))  # noqa: S307 (test-only)
    expected = np.zeros_like(v)
    expected[eval(f"np.s_{index}")] = 2 * eval(f"v{index}")  # noqa: S307
    np.testing.assert_allclose(result.gradient["v"], expected)


@pytest.mark.parametrize("index", ["[1, 2]", "[:, 0]", "[0]", "[-1, ::2]", "[:, 1:]", "[0, -1]"])
def test_matrix_index_matches_numpy_and_central_differences(index):
    text = f"sum(sin(X{index}))"
    result = compute(text, X=X)
    assert result.value == pytest.approx(float(np.sum(np.sin(eval(f"np.array(X){index}")))))  # noqa: S307
    np.testing.assert_allclose(result.gradient["X"], numeric_gradients(text, {"X": X})["X"], atol=1e-8)


def test_index_in_the_trace_and_json():
    result = run("x[0] * x[2]", "--x", "[2, 5, 3]", "--json")
    data = json.loads(result.stdout)
    assert data["value"] == 6 and data["gradient"]["x"] == [3, 0, 2]
    table = run("x[0] * x[2]", "--x", "[2, 5, 3]").stdout
    assert "x[0]" in table and "placed at [0], zeros elsewhere" in table


def test_index_hessian_forward_mode_and_check():
    result = compute("x[0]**2 * x[1] + sum(x[1:]**3)", x=[1.0, 2.0, 3.0])
    found = beyond(result, hessian_wanted=True, mode="forward")
    np.testing.assert_allclose(found.hessian.matrix, [[4, 2, 0], [2, 12, 0], [0, 0, 18]])
    np.testing.assert_allclose(found.forward.gradient["x"], result.gradient["x"])
    assert run("x[0]**2 * x[1]", "--x", "[1, 2, 3]", "--check").exit_code == 0
    assert run("x[0]**2 * x[1]", "--x", "[1, 2, 3]", "--expect", "x=[4, 1, 0]").exit_code == 0
    assert run("x[0]**2 * x[1]", "--x", "[1, 2, 3]", "--expect", "x=[4, 1, 1]").exit_code == 1


@pytest.mark.parametrize("expression, value, message, caret", [
    ("x[3]", "[1, 2, 3]", "index 3 is out of range for axis 0 of shape (3,)", "  ^^^^"),
    ("x[0, 0]", "[1, 2, 3]", "too many indices", "  ^^^^^^^"),
    ("x[0]", "2", "cannot index a scalar", "  ^^^^"),
    ("x[1.5]", "[1, 2, 3]", "an index must be a whole number, got 1.5", "    ^^^"),
    ("x[[0, 3]]", "[1, 2, 3]", "an index is out of range for axis 0 of shape (3,)", "  ^^^^^^^^^"),
    ("x[::0]", "[1, 2, 3]", "the step of a slice cannot be 0", "      ^"),
    ("x[0:n]", "[1, 2, 3]", "a slice bound must be a whole number", "      ^"),
    ("[[1, 2], [3]]", "1", "the rows of an array must have the same shape", "           ^^^"),
    ("[x, 1]", "1", "an array written in the expression holds numbers only", "   ^"),
])
def test_bad_indices_and_literals_exit_2_with_caret(expression, value, message, caret):
    assert_error(run(expression, "--x", value, "--n", "1"), 2, message, caret)


def test_index_out_of_range_in_a_batch_is_refused():
    result = run("x[0]", "--points", "-", input="x\n1\n2\n")
    assert result.exit_code == 2


# -- array literals -------------------------------------------------------------------------------

def test_array_literals():
    result = compute("[1, 0, 0] @ x + sum([[1, 2], [3, 4]] @ x[:2])", x=[2.0, 3.0, 4.0])
    assert result.value == 2 + (1 * 2 + 2 * 3) + (3 * 2 + 4 * 3)
    np.testing.assert_allclose(result.gradient["x"], [1 + 4, 6, 0])
    assert compute("sum([-1, 2.5, pi] * x)", x=1.0).value == pytest.approx(1.5 + np.pi)


# -- rebinding, augmented assignment, any name --------------------------------------------------

def test_rebinding_makes_a_new_node_with_a_version_label():
    result = run("c = a + b; c = c + c + 1", "--a", "1", "--b", "2")
    assert result.exit_code == 0
    out = result.stdout
    assert "c₂    n1 + 1" in out and "c     a + b" in out and "∂c₂/∂a = 2" in out
    assert "note: c is assigned more than once" in out
    data = json.loads(run("c = a + b; c = c + c + 1", "--a", "1", "--b", "2", "--json").stdout)
    assert data["value"] == 7 and data["gradient"] == {"a": 2, "b": 2}


@pytest.mark.parametrize("op, expected_value, expected_grad", [
    ("+=", 5.0, 1.0), ("-=", -1.0, 1.0), ("*=", 6.0, 3.0), ("/=", 2 / 3, 1 / 3), ("**=", 8.0, 12.0),
])
def test_augmented_assignment(op, expected_value, expected_grad):
    result = compute(f"c = x; c {op} 3", x=2.0)
    assert result.value == pytest.approx(expected_value)
    assert result.gradient["x"] == pytest.approx(expected_grad)


def test_augmented_matmul_and_update_of_an_input():
    result = compute("v @= M; sum(v)", v=[1.0, 2.0], M=[[1.0, 2.0], [3.0, 4.0]])
    assert result.value == 7 + 10
    result = compute("w = w - 0.1 * 2*w; w**2", w=3.0)      # a gradient step on the input itself
    assert result.value == pytest.approx(2.4 ** 2) and result.gradient["w"] == pytest.approx(2 * 2.4 * 0.8)


def test_use_before_assignment_is_still_refused():
    assert_error(run("z = t*2; t = x", "--x", "1"), 2, "t is used before it is assigned", "      ^")


@pytest.mark.parametrize("text, values, expected", [
    ("e = c - d; e * 2", {"c": 3, "d": 1}, 4.0),
    ("pi = 3; pi * x", {"x": 2}, 6.0),
    ("y = e; e = 1; y + e", {}, np.e + 1),
    ("sum = a + b; sum * sum(v)", {"a": 1, "b": 2, "v": [1, 2]}, 9.0),
])
def test_any_name_can_be_assigned(text, values, expected):
    assert compute(text, values).value == pytest.approx(expected)


def test_shadowing_a_constant_is_noted():
    result = run("e = c - d; e * 2", "--c", "3", "--d", "1")
    assert "shadows the constant e" in result.stdout


# -- implicit multiplication ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2x", 6.0), ("3(x+1)", 12.0), ("2pi", 2 * np.pi), ("2x**2", 18.0), ("-2x", -6.0),
    ("2sin(x)", 2 * np.sin(3)), ("1/2x", 1.5), ("2x + 1", 7.0), ("2x[1]", 4.0), ("1e", np.e),
])
def test_a_number_before_a_name_or_parenthesis_multiplies(text, expected):
    assert compute(text, x=[1.0, 2.0] if "[" in text else 3.0).value == pytest.approx(expected)


def test_a_name_given_a_value_is_never_cut():
    # xy given a value is the name xy, even with x and y given too; x y with a space is a product.
    result = compute("xy + x*y", xy=2.0, x=3.0, y=5.0)
    assert result.value == 17.0 and result.gradient["xy"] == 1.0
    assert compute("x y", x=2.0, y=3.0).value == 6.0


# -- prefixes and slips ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["np.sin(x)", "numpy.sin(x)", "math.sin(x)", "torch.sin(x)"])
def test_module_prefixes(text):
    assert compute(text, x=1.0).value == pytest.approx(np.sin(1.0))


def test_prefixed_constants():
    assert compute("np.pi + math.e + x", x=0.0).value == pytest.approx(np.pi + np.e)


@pytest.mark.parametrize("text, message, hint", [
    ("||x| - |y|| + 1", "||…| can be read two ways: a norm, or bars inside bars", "write norm(…) for the norm"),
    ("x.real", "unknown attribute .real", "attributes: x.T (transpose)"),
    ("x.summ()", "unknown method .summ()", "did you mean .sum()?"),
    ("np.sine(x)", "unknown function 'np.sine'", "did you mean np.sin(...)?"),
    ("np.foo", "unknown name 'np.foo'", "attribute access is not supported"),
    ("np.sum(x, axis=y)", "axis of np.sum must be written in the call", "write a number there"),
    ("np.sum(x, axes=0)", "np.sum has no parameter axes", "np.sum(x, axis=None, keepdims=False)"),
    ("np.sum(x, axis=0, 1)", "an argument by position after one by keyword", "give the keyword arguments last"),
    ("torch.clamp(x)", "clamp needs min or max", "write clamp(x, min=0)"),
    ("exp(x=1)", "exp takes no keyword x", "give exp's arguments by position: exp(x)"),
    ("sin", "sin is a function", "call it: sin(...)"),
    ("\\int x", "the LaTeX command \\int is not read", "gradcalc reads \\frac, \\sqrt"),
    ("x.var()", "divides by n in NumPy and by n − 1 in PyTorch", "write np.var(x) (by n) or torch.var(x)"),
])
def test_slips_get_a_hint(text, message, hint):
    result = run(text, "--x", "[1, 2]")
    assert_error(result, 2, message)
    assert f"hint: {hint}" in result.stderr


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["x[", "]", ":", ",", "-1", "0", "2", "x", "[", "+=", "=", "e", "pi",
                                 "2", "(", ")", "np.", "sin", " ", ";", ".", "|"]), max_size=12))
def test_random_new_syntax_never_crashes(parts):
    result = run("".join(parts) or "x", "--x", "[1, 2, 3]", "-q")
    assert result.exit_code in (0, 2, 3), result.stderr
    assert "Traceback" not in result.stderr


# -- --wrt and --expect for named intermediates -----------------------------------------------

APPLES = ["apple_price = apple * n; price = apple_price * tax", "--apple", "100", "--n", "2", "--tax", "1.1"]


def test_wrt_a_named_intermediate_is_the_gradient_accumulated_there():
    data = json.loads(run(*APPLES, "--wrt", "apple_price", "--wrt", "apple", "--json").stdout)
    assert data["gradient"] == {"apple_price": pytest.approx(1.1), "apple": pytest.approx(2.2)}
    out = run(*APPLES, "--wrt", "apple_price").stdout
    assert "∂price/∂apple_price = 1.1" in out
    assert run(*APPLES, "--wrt", "apple_price", "--expect", "apple_price=1.1").exit_code == 0
    assert run(*APPLES, "--expect", "apple_price=tax").exit_code == 0
    assert run(*APPLES, "--expect", "apple_price=2").exit_code == 1


def test_wrt_a_rebound_name_means_its_last_value():
    result = compute("c = a + b; c = c * c; z = c + 1", a=1.0, b=2.0, wrt=["c"])
    assert result.gradient == {"c": 1.0}


def test_wrt_an_intermediate_with_points():
    result = run("t = x*2; z = t**2", "--points", "-", "--wrt", "t", input="x\n1\n2\n")
    assert result.stdout.splitlines()[1:] == ["1,4.0,4.0", "2,16.0,8.0"]


@pytest.mark.parametrize("option", [["--hessian"], ["--order", "2"], ["--symbolic"], ["--mode", "forward"],
                                    ["--check"]])
def test_options_that_perturb_inputs_refuse_an_intermediate(option):
    result = run(*APPLES, "--wrt", "apple_price", *option)
    assert_error(result, 2, "apple_price is a named intermediate")


def test_wrt_a_near_miss_names_intermediates_too():
    result = run(*APPLES, "--wrt", "apple_pric")
    assert_error(result, 2, "cannot differentiate with respect to apple_pric")
    assert "did you mean apple_price?" in result.stderr


def test_a_fixed_value_the_batch_does_not_use_is_a_note():
    result = run("x*2", "--points", "-", "--y", "1", input="x\n1\n")
    assert result.exit_code == 0 and result.stdout == "x,value,dz/dx\n1,2.0,2.0\n"
    assert result.stderr == "note: --y is not used by this expression (its value is ignored)\n"


def test_pictures_show_versions_indices_and_functions_with_literals():
    text = "c = a + b; c = c * 2; y = x[0] * c + max(a, b, 1) + clip(a, 0, b)"
    out = run(text, "--a", "1", "--b", "2", "--x", "[1, 2, 3]", "--mermaid").stdout
    for drawn in ('("×2<br>c₂")', '(("[0]"))', '(("maximum(·, 1)"))', '(("clip(·, 0, ·)"))'):
        assert drawn in out, drawn
    assert run(text, "--a", "1", "--b", "2", "--x", "[1, 2, 3]", "--dot").exit_code == 0


_bound = st.none() | st.integers(-6, 6)


@st.composite
def _indices(draw, shape):
    parts = []
    for size in shape[:draw(st.integers(1, len(shape)))]:
        if draw(st.booleans()):
            parts.append(str(draw(st.integers(-size, size - 1))))
        else:
            start, stop = draw(_bound), draw(_bound)
            step = draw(st.none() | st.integers(-3, 3).filter(bool))
            text = ("" if start is None else str(start)) + ":" + ("" if stop is None else str(stop))
            parts.append(text + ("" if step is None else f":{step}"))
    return "[" + ", ".join(parts) + "]"


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([(5,), (3, 4)]).flatmap(lambda shape: st.tuples(st.just(shape), _indices(shape))))
def test_random_indices_match_numpy_value_and_gradient(case):
    shape, index = case
    values = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) / 7.0
    taken = eval(f"values{index}")  # noqa: S307 (a test's own generated index)
    result = compute(f"sum(sin(X{index}))", X=values)
    assert result.value == pytest.approx(float(np.sum(np.sin(taken))))
    expected = np.zeros(shape)
    np.add.at(expected, eval(f"np.s_{index}"), np.cos(taken))  # noqa: S307
    np.testing.assert_allclose(result.gradient["X"], expected)


def test_augmented_assignment_and_implicit_product_through_the_cli():
    result = run("c = a + b; c += 1; c *= 2x; c", "--a", "1", "--b", "2", "--x", "3", "--json")
    data = json.loads(result.stdout)
    assert data["value"] == 24 and data["gradient"] == {"a": 6, "b": 6, "x": 8}
    labels = [node["label"] for node in data["nodes"]]
    assert "c" in labels and "c₂" in labels and "c₃" in labels
    assert float(run("3(x+1) + 2pi", "--x", "1", "-q").stdout.splitlines()[0]) == pytest.approx(6 + 2 * np.pi)


def test_symbolic_writes_constants_as_numbers_when_a_variable_shadows_them():
    found = beyond(compute("e = 3; e*x*pi", x=2.0), symbolic=True).symbolic
    assert found.ascii[("gradient", "x")] == "3.141592653589793*e"       # e is the variable here
    assert beyond(compute("x*pi", x=2.0), symbolic=True).symbolic.ascii[("gradient", "x")] == "pi"


def test_a_keyword_argument_is_read():
    # np.sum(x, axis=0) was refused with a hint to write sum(x, 0); tests/test_dialects.py has the rest.
    assert compute("np.sum(x, axis=0)", x=np.array([1.0, 2.0])).value == pytest.approx(3.0)


def test_an_implicit_product_binds_like_a_star():
    # As in SymPy and Wolfram (tests/test_notation.py has the rest): 1/2x is (1/2)·x, not 1/(2x).
    assert compute("1/2x", x=4.0).value == pytest.approx(2.0)
    assert compute("1/(2x)", x=4.0).value == pytest.approx(1 / 8)
