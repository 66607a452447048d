"""A vector marked as a row (wᵀ) keeps its reading through a sign, a factor or a quotient: the logistic
loss log(1 + e^{−y wᵀx}) is read as papers write it, with wᵀx the dot product. Two vectors side by side
with no ᵀ stay refused."""

import math

import numpy as np
import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc.cli import main

W, X = np.array([1.0, 2.0]), np.array([0.5, -1.0])
A = np.array([[1.0, 0.0], [0.0, 2.0]])


@pytest.mark.parametrize("text, value", [
    ("w^T x", W @ X), ("-w^T x", -(W @ X)), ("y w^T x", 3 * (W @ X)), ("2 w^T x / 3", 2 * (W @ X) / 3),
    ("-x^T A x", -(X @ A @ X)),
    (r"\log\left(1 + e^{-y w^T x}\right)", math.log1p(math.exp(-3 * (W @ X)))),
])
def test_a_row_vector_keeps_its_reading(text, value):
    result = gradcalc.compute(text, {"w": W, "x": X, "y": 3.0, "A": A})
    assert result.value == pytest.approx(value)


def test_the_logistic_loss_gradient():
    result = gradcalc.compute(r"\log\left(1 + e^{-y w^T x}\right)", {"w": W, "x": X, "y": 3.0})
    margin = 3.0 * (W @ X)
    np.testing.assert_allclose(result.gradient["w"], -3.0 * X / (1 + math.exp(margin)))


@pytest.mark.parametrize("text", ["w x", "-w x", "2 w x"])
def test_two_vectors_with_no_transpose_stay_refused(text):
    result = CliRunner().invoke(main, [text, "--w", "[1,2]", "--x", "[0.5,-1]"])
    assert result.exit_code == 2
    assert "writes two vectors side by side, which has more than one reading" in result.stderr
