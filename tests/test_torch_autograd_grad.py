"""PyTorch's other two ways to ask for a gradient: torch.autograd.grad(y, x) (the docs' functional form,
with one or several inputs, and create_graph) and a training step's optimizer (made, zero_grad,
.backward(), step): read as the question they ask, the output the one differentiated."""

import math

import pytest

import gradcalc

AUTOGRAD = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = x**3 + 2*x
{lhs} = torch.autograd.grad(y, x{extra}){index}
print(g)
"""


@pytest.mark.parametrize("lhs, extra, index", [
    ("g,", "", ""), ("(g,)", "", ""), ("g", "", "[0]"), ("g", ", create_graph=True", "[0]"), ("[g]", "", "")])
def test_autograd_grad_asks_for_the_gradient_of_its_first_argument(lhs, extra, index):
    result = gradcalc.compute(AUTOGRAD.format(lhs=lhs, extra=extra, index=index))
    assert result.output_name == "y"
    assert result.value == 12.0
    assert result.gradient["x"] == 14.0       # 3x² + 2 at 2
    assert "the output is y, as torch.autograd.grad(y, …) asks" in result.graph.notes


def test_autograd_grad_of_several_inputs():
    result = gradcalc.compute("""\
import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
x = torch.tensor([0.5, -1.0])
loss = torch.sigmoid(w @ x + b)
dw, db = torch.autograd.grad(loss, [w, b])
""")
    s = 1 / (1 + math.exp(1.0))          # w·x + b = −1
    assert result.value == pytest.approx(s)
    assert result.gradient["b"] == pytest.approx(s * (1 - s))
    assert list(result.gradient["w"]) == pytest.approx([0.5 * s * (1 - s), -s * (1 - s)])


def test_a_training_step_with_an_optimizer():
    result = gradcalc.compute("""\
import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
x = torch.tensor([0.5, -1.0])
optimizer = torch.optim.SGD([w], lr=0.1)
loss = (w @ x - 1.0)**2
optimizer.zero_grad()
loss.backward()
optimizer.step()
print(w.grad)
""")
    assert result.value == pytest.approx(6.25)
    assert list(result.gradient["w"]) == pytest.approx([-2.5, 5.0])     # 2(w·x − 1)·x, before the step
    assert any("the update step after .backward()" in note for note in result.graph.notes)
