"""Notation of lecture notes and textbooks (d2l, OpenStax Calculus, CS231n) as written there: each test
is one whole notation (not one example), with values from numpy written out independently, and the
readings that would compute something else refused (exit 2) with a hint that computes what is meant."""

import numpy as np
import pytest
from helpers import central_differences

from gradcalc import compute
from gradcalc.errors import GradcalcError

W1 = np.array([[1.0, -2.0], [0.5, 3.0]])
W2 = np.array([[2.0, 1.0]])


def _refused(text, values, *words):
    with pytest.raises(GradcalcError) as caught:
        compute(text, values)
    error = caught.value
    assert error.exit_code == 2 and error.hint and error.span is not None, error.render()
    for word in words:
        assert word in error.render(), error.render()
    return error


@pytest.mark.parametrize("subscript", ["_F", "_{F}", r"_\textrm{F}", r"_\mathrm{F}", r"_{\mathrm{F}}", r"_{\text{F}}"])
def test_the_frobenius_norm_is_read_in_every_spelling(subscript):
    # d2l 5.3's weight decay: s = λ/2 (‖W⁽¹⁾‖_F² + ‖W⁽²⁾‖_F²); it was 'no value for W, _F' (give --_F: 0.4)
    text = rf"s = \frac{{\lambda}}{{2}} \left(\|\mathbf{{W}}^{{(1)}}\|{subscript}^2 + \|\mathbf{{W}}^{{(2)}}\|{subscript}^2\right)"
    found = compute(text, {"λ": 0.1, "W1": W1, "W2": W2})
    assert found.value == pytest.approx(0.1 / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum()))    # 0.9625
    np.testing.assert_allclose(found.gradient["W1"], 0.1 * W1)
    np.testing.assert_allclose(found.gradient["W2"], 0.1 * W2)
    assert found.gradient["λ"] == pytest.approx(((W1 ** 2).sum() + (W2 ** 2).sum()) / 2)


def test_a_norm_with_another_subscript_is_refused_naming_the_ones_read():
    _refused(r"\|w\|_3", {"w": np.array([3.0, 4.0])}, "subscript 3", "\\|W\\|_F")
    assert compute(r"\|w\|_2", {"w": np.array([3.0, 4.0])}).value == pytest.approx(5.0)


@pytest.mark.parametrize("text", [r"W^{(2)} + 1", r"W^{[2]} + 1", r"y = \mathbf{W}^{(2)} + 1"])
def test_a_numbered_label_is_a_name_of_its_own_never_a_power(text):
    found = compute(text, {"W2": 3.0})
    assert found.value == pytest.approx(4.0) and found.gradient["W2"] == pytest.approx(1.0)
    # with W alone given, W^{(2)} would be W² — refused, the hint naming the value to give
    _refused(text, {"W": 3.0}, "W2", "not a power")


@pytest.mark.parametrize("text, y", [
    # OpenStax Calculus 3.6's exercises, as printed: y = f(u), u = g(x) on one line
    (r"y=3u-6, \,\,\, u=2x^2", lambda x: 3 * (2 * x ** 2) - 6),
    (r"y=6u^3, \,\,\, u=7x-4", lambda x: 6 * (7 * x - 4) ** 3),
    (r"y= \sin u, \,\,\, u=5x-1", lambda x: np.sin(5 * x - 1)),
    (r"y= \cos u, \,\,\, u=\dfrac{−x}{8}", lambda x: np.cos(-x / 8)),
    ("y = u^2, u = v + 1, v = 3x", lambda x: (3 * x + 1) ** 2),        # a longer chain
    ("y = u v, v = x^2, u = sin(x)", lambda x: np.sin(x) * x ** 2),    # listed in any order
])
def test_definitions_listed_on_one_line_give_the_first_through_the_others(text, y):
    # it was 'unexpected ,' with the hint "write y=3u-6 alone": that computes dy/du, not the dy/dx asked
    found = compute(text, {"x": 1.5})
    assert found.value == pytest.approx(y(1.5))
    assert found.gradient["x"] == pytest.approx(central_differences(lambda v: y(v[0]), np.array([1.5]))[0], rel=1e-6)
    assert any("chain rule" in note for note in found.graph.notes)


@pytest.mark.parametrize("text", ["y = 2x, z = 3x", "u = 2y, y = 3u + x"])
def test_definitions_that_are_no_chain_stay_refused(text):
    _refused(text, {"x": 1.5}, "','")


P = np.array([0.0, 0.0, 1.0])
Q = np.array([0.2, 0.3, 0.5])


@pytest.mark.parametrize("text, values, expected", [
    # CS231n's cross-entropy and d2l's entropy: the sum runs over a function's argument, p(x) is p's element
    (r"H(p,q) = - \sum_x p(x) \log q(x)", {"p": P, "q": Q}, -(P * np.log(Q)).sum()),
    (r"H = \sum_j - P(j) \log P(j)", {"P": Q}, -(Q * np.log(Q)).sum()),
    (r"\sum_{i=1}^{n} w(i) x(i)", {"w": P, "x": Q}, (P * Q).sum()),
])
def test_a_sum_over_a_functions_argument_reads_its_elements(text, values, expected):
    # it was 'no value for x', hint --x VALUE, which read p(x) as p·x
    found = compute(text, values)
    assert found.value == pytest.approx(expected)
    for name, value in values.items():
        f = lambda v, name=name: compute(text, {**values, name: v}).value  # noqa: E731
        np.testing.assert_allclose(found.gradient[name], central_differences(f, value), rtol=1e-5, atol=1e-6)


def test_a_sum_over_a_functions_argument_without_its_array_asks_for_the_array():
    _refused(r"H(p,q) = - \sum_x p(x) \log q(x)", {"q": Q}, "p(x) is an element of p", "as an array")


def test_w_transpose_x_written_together_is_the_dot_product():
    # CS231n's binary SVM: w^Tx_i was read as w to the power Tx_i, the hint giving a value for Tx_i
    w, x = np.array([0.5, -0.25]), np.array([1.0, 3.0])
    found = compute(r"L_i = C \max(0, 1 - y_i w^Tx_i)", {"C": 2.0, "y_i": 1.0, "w": w, "x_i": x})
    assert found.value == pytest.approx(2.0 * max(0.0, 1 - w @ x))           # 2.5
    np.testing.assert_allclose(found.gradient["w"], -2.0 * x)
    np.testing.assert_allclose(found.gradient["x_i"], -2.0 * w)
    assert found.gradient["y_i"] == pytest.approx(-2.0 * (w @ x))


def test_a_given_name_before_a_name_without_value_is_its_value_not_a_product():
    # R(W) in L_i = … + R(W) (CS231n): W has no value, so R·W cannot be meant; R(W) is R's value at W,
    # given as R, with its gradient ∂L/∂R (a hint to give --W would compute R·W)
    values = {"C": 1.0, "y_i": -1.0, "w": np.array([0.5, -0.25]), "x_i": np.array([1.0, 2.0]), "R": 0.25}
    found = compute(r"L_i = C \max(0, 1 - y_i w^Tx_i) + R(W)", values)
    fixed = compute(r"L_i = C \max(0, 1 - y_i w^Tx_i) + R", values)
    assert found.value == pytest.approx(fixed.value) == pytest.approx(1.25)
    assert found.gradient["R"] == 1.0 and np.allclose(found.gradient["w"], fixed.gradient["w"])
    assert any("R(W) is read as R" in note for note in found.graph.notes)
    # where an argument has a value, ∂z/∂w would leave out how R changes with w: refused
    error = _refused(r"R(w, b) + \|w\|^2", {"R": 0.25, "w": np.array([0.5, -0.25])}, "R(w, b)", "R's formula")
    assert "Tx_i" not in error.hint


X = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]])
WV = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("accent", [r"\hat{\mathbf{y}}", r"\hat{\boldsymbol{y}}", r"{\hat{\mathbf{y}}}",
                                    r"\widehat{\mathbf{y}}"])
def test_an_accent_over_a_bold_letter_is_the_accented_name(accent):
    # d2l 3.1: {\hat{\mathbf{y}}} = Xw + b was '\hat over more than one letter is not read'
    found = compute(rf"{accent} = \mathbf{{X}} \mathbf{{w}} + b", {"X": X, "w": WV, "b": 0.1})
    assert found.graph.output_name == "y_hat"
    np.testing.assert_allclose(found.value, X @ WV + 0.1)
    np.testing.assert_allclose(found.gradient["w"], X.sum(axis=0))
    y, y_hat = np.array([0.0, 1.0, 0.0]), np.array([0.2, 0.7, 0.1])
    found = compute(rf"l(\mathbf{{y}}, {accent}) = - \sum_{{j=1}}^q y_j \log \hat{{y}}_j", {"y": y, "y_hat": y_hat})
    assert found.value == pytest.approx(-(y * np.log(y_hat)).sum())
    np.testing.assert_allclose(found.gradient["y_hat"], -y / y_hat)


def test_a_where_clause_restating_the_formulas_elements_leaves_the_formula():
    # d2l 4.1: ŷ = softmax(o) \quad where \quad ŷ_i = exp(o_i)/Σ_j exp(o_j)
    o = np.array([1.0, -0.5, 2.0])
    found = compute(r"\hat{\mathbf{y}} = \mathrm{softmax}(\mathbf{o}) \quad \textrm{where}\quad "
                    r"\hat{y}_i = \frac{\exp(o_i)}{\sum_j \exp(o_j)}", {"o": o})
    np.testing.assert_allclose(found.value, np.exp(o) / np.exp(o).sum())
    # a clause defining other names on the same line is read before the formula
    found = compute(r"y = a + b \quad \text{where} \quad a = x^2, b = 3x", {"x": 2.0})
    assert found.value == pytest.approx(10.0) and found.gradient["x"] == pytest.approx(7.0)


def test_an_accent_over_two_letters_is_refused():
    _refused(r"\hat{xy} + 1", {"x": 1.0}, "more than one letter", "xy_hat")


@pytest.mark.parametrize("text, expected", [
    # d2l 3.1: ŷ = w_1 x_1 + ⋯ + w_d x_d + b is the dot product (it was 'the LaTeX command \cdots is not read')
    (r"\hat{y} = w_1  x_1 + \cdots + w_d  x_d + b", lambda w, x: w @ x + 0.1),
    (r"z = x_1^2 + \ldots + x_n^2", lambda w, x: (x ** 2).sum()),
    (r"z = 2 + w_1 \sin(x_1) + ⋯ + w_n \sin(x_n)", lambda w, x: 2 + (w * np.sin(x)).sum()),
])
def test_a_sum_written_with_dots_is_the_sum_over_the_arrays(text, expected):
    w, x = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    values = {"w": w, "x": x, "b": 0.1}
    found = compute(text, {name: values[name] for name in values if name in text or name == "x"})
    assert found.value == pytest.approx(expected(w, x))
    np.testing.assert_allclose(found.gradient["x"], central_differences(lambda v: expected(w, v), x), rtol=1e-6)


@pytest.mark.parametrize("text, words", [
    (r"z = x_1^2 + \cdots + x_5^2", ["first and a last term"]),       # the range's end a number: refused
    (r"z = x_1 + \cdots + y_n", ["first and a last term"]),             # the terms not alike
    (r"z = x_1 + \cdots", ["first and a last term"]),
    (r"z = x_1 + \cdots + x_n", ["elements of x", "as an array"]),      # no value for x
])
def test_dots_that_are_no_clear_sum_are_refused(text, words):
    _refused(text, {"y": np.array([1.0, 2.0])} if "x_n" not in text else {}, *words)


S = np.array([13.0, -7.0, 11.0])


def _svm(s, y, delta):
    return sum(max(0.0, s[j] - s[y] + delta) for j in range(len(s)) if j != y)


@pytest.mark.parametrize("y", [0, 1, 2])
def test_a_sum_over_every_index_but_one_leaves_that_term_out(y):
    # CS231n's multiclass SVM loss: \sum_{j\neq y_i} (it was '\sum from another lower bound than 1')
    text = r"L_i = \sum_{j\neq y_i} \max(0, s_j - s_{y_i} + \Delta)"
    found = compute(text, {"s": S, "y_i": float(y), "Δ": 10.0})
    assert found.value == pytest.approx(_svm(S, y, 10.0))
    np.testing.assert_allclose(found.gradient["s"], central_differences(lambda v: _svm(v, y, 10.0), S), atol=1e-6)
    assert found.gradient["Δ"] == pytest.approx(central_differences(lambda d: _svm(S, y, d[0]), np.array([10.0]))[0])
    assert any("less the term at j = y_i" in note for note in found.graph.notes)


def test_a_sum_over_every_index_but_one_without_its_value_is_refused():
    _refused(r"L_i = \sum_{j\neq y_i} \max(0, s_j - s_{y_i} + \Delta)", {"s": S, "Δ": 10.0}, "y_i", "every index but y_i")


def test_an_index_that_is_a_given_label_is_that_element():
    # CS231n's softmax loss: f_{y_i} is f at the class y_i (it was 'no value for f_y_i')
    f = np.array([-2.85, 0.86, 0.28])
    for y in (0, 2):
        found = compute(r"L_i = -\log\left(\frac{e^{f_{y_i}}}{ \sum_j e^{f_j} }\right)", {"f": f, "y_i": float(y)})
        assert found.value == pytest.approx(-(f[y] - np.log(np.exp(f).sum())))
        np.testing.assert_allclose(found.gradient["f"], np.exp(f) / np.exp(f).sum() - np.eye(3)[y])


@pytest.mark.parametrize("element", ["W_{k,l}", "W_{kl}"])
def test_a_double_sum_over_a_matrixs_elements(element):
    # CS231n's L2 regularization R(W) = \sum_k\sum_l W_{k,l}^2 (it was 'W_{k,l} (two indices)' refused)
    W = np.array([[0.2, -0.5, 0.1], [1.5, 1.3, 2.1]])
    found = compute(rf"R(W) = \sum_k\sum_l {element}^2", {"W": W})
    assert found.value == pytest.approx((W ** 2).sum())
    np.testing.assert_allclose(found.gradient["W"], 2 * W)


def test_a_double_sum_of_one_index_terms_is_refused():
    # a_k b_l summed over k and l is an outer product's sum, not elementwise: refused, never sum(a*b)
    _refused(r"z = \sum_k\sum_l a_k b_l", {"a": S, "b": S}, "one of the double sum's two indices")
    _refused(r"R = \sum_k\sum_l W_{k,l}^2", {}, "matrix W")


@pytest.mark.parametrize("text, value, said", [
    ("1e", np.e, "1e0, 1e-3"),                    # scientific notation left unfinished, or 1·e: a note says
    ("2e-x", 2 * np.e - 1.0, "2*10^(-x)"),
    ("x + 2.5e", 1.0 + 2.5 * np.e, "2.5e0"),
])
def test_a_number_then_e_is_read_as_a_product_with_a_note(text, value, said):
    found = compute(text, {"x": 1.0})
    assert found.value == pytest.approx(value)
    assert any("Euler's number" in note and said in note for note in found.graph.notes), found.graph.notes


@pytest.mark.parametrize("text", ["2e^x", "x*1e-3", "e^x", "2.5e3 + x"])
def test_no_note_where_e_is_plainly_meant(text):
    assert not any("Euler's number" in note for note in compute(text, {"x": 1.0}).graph.notes)


def test_latex_output_separates_products_of_long_names_with_a_cdot():
    # \mathit{apple} \mathit{apple\_num} reads as one italic word in a PDF: the product is spelled
    from click.testing import CliRunner

    from gradcalc.cli import main

    result = CliRunner().invoke(main, ["apple * apple_num * orange + 2*x*y", "--apple", "1", "--apple_num", "2",
                                       "--orange", "3", "--x", "1", "--y", "2", "--symbolic", "--latex"])
    assert result.exit_code == 0, result.output
    assert r"&= \mathit{apple\_num} \cdot \mathit{orange}" in result.output
    assert r"&= 2 y" in result.output          # one-letter names stay side by side


def test_a_functionals_head_in_brackets_is_its_name():
    # d2l 4.1's entropy H[P] = \sum_j -P(j) \log P(j): it was read as Python's x[i] = v, hinted with np.where
    P = np.array([0.2, 0.5, 0.3])
    found = compute(r"H[P] = \sum_j - P(j) \log P(j)", {"P": P})
    assert found.graph.output_name == "H"
    assert found.value == pytest.approx(-(P * np.log(P)).sum())
    np.testing.assert_allclose(found.gradient["P"], -np.log(P) - 1)


@pytest.mark.parametrize("text, values", [
    (r"L_i = C \max(0, 1 - y_i w^Tx_i)", {"C": 1.0, "y_i": -1.0, "w": np.array([0.5, -0.25])}),
    ("w^Tx", {"w": np.array([0.5, -0.25])}),
    ("w^Tx", {}),
])
def test_w_transpose_x_with_no_value_for_either_reading_is_refused(text, values):
    # the hint was 'give --Tx VALUE', which computes the power w^Tx, never the transpose product
    error = _refused(text, values, "transpose", "power")
    assert "transpose, write ^T x" in error.hint and "power, write ^{Tx" in error.hint


def test_w_transpose_x_with_a_value_for_tx_stays_the_power():
    assert compute("w^Tx", {"w": 2.0, "Tx": 3.0}).value == pytest.approx(8.0)


@pytest.mark.parametrize("text, expected", [
    (r"\|\mathbf{w}\|^2_2", 25.0), (r"\|\mathbf{w}\|_2^2", 25.0), (r"\|w\|^2", 25.0), (r"\|w\|^2 + 1", 26.0),
    (r"\|W\|^2_F + 1", 6.0), (r"\|W\|^{2}_{F}", 5.0), (r"\frac{\lambda}{2}\|\mathbf{w}\|^2", 12.5),
])
def test_a_norms_power_and_subscript_in_either_order(text, expected):
    # \|w\|^2_2 was 'no value for _2' (the hint --_2 VALUE)
    found = compute(text, {"w": np.array([3.0, 4.0]), "W": np.array([[1.0, 2.0]]), "λ": 1.0}
                    if "W" in text or "lambda" in text else {"w": np.array([3.0, 4.0])})
    assert found.value == pytest.approx(expected)
