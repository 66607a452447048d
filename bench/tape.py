"""The plain-Python reference that bench/big_sum.py measures gradcalc against: a program of `name = number`
lines and one expression of + - * / and parentheses, read with one regular expression into a flat tape
(one forward loop computes every value, one backward loop every gradient), printed as `gradcalc -q` does.

    python bench/tape.py PROGRAM.gc      # the value, then ∂/∂input for each input in order, one a line

The least a Python program can do for the same answer: no graph objects, no trace, no checks.
"""

from __future__ import annotations

import re
import sys

TOKEN = re.compile(r"\s*(?:(?P<number>[0-9]+\.?[0-9]*(?:[eE][-+]?[0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
                   r"|(?P<op>[-+*/()=;\n]))")
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
CONSTANT, ADD, SUB, MUL, DIV = range(5)
CODES = {"+": ADD, "-": SUB, "*": MUL, "/": DIV}


def run(text: str) -> list[float]:
    inputs: dict[str, int] = {}                       # name → its slot on the tape
    codes, left, right, values = [], [], [], []       # the tape: one entry per slot
    operands, operators = [], []                      # the shunting-yard's two stacks
    assigning = None

    def apply(op: str) -> None:
        b, a = operands.pop(), operands.pop()
        codes.append(CODES[op])
        left.append(a)
        right.append(b)
        values.append(0.0)
        operands.append(len(values) - 1)

    def slot(value: float) -> int:
        codes.append(CONSTANT)
        left.append(-1)
        right.append(-1)
        values.append(value)
        return len(values) - 1

    for match in TOKEN.finditer(text):
        number, name, op = match.group("number", "name", "op")
        if number is not None:
            if assigning is not None:
                inputs[assigning] = slot(float(number))
                assigning = None
            else:
                operands.append(slot(float(number)))
        elif name is not None:
            if name in inputs:
                operands.append(inputs[name])
            else:
                assigning = name                      # `name = number`: an input and its value
        elif op in PRECEDENCE:
            precedence = PRECEDENCE[op]
            while operators and operators[-1] != "(" and PRECEDENCE[operators[-1]] >= precedence:
                apply(operators.pop())
            operators.append(op)
        elif op == "(":
            operators.append(op)
        elif op == ")":
            while operators[-1] != "(":
                apply(operators.pop())
            operators.pop()
    while operators:
        apply(operators.pop())
    output = operands[-1]

    for i, code in enumerate(codes):                  # forward
        if code == ADD:
            values[i] = values[left[i]] + values[right[i]]
        elif code == MUL:
            values[i] = values[left[i]] * values[right[i]]
        elif code == SUB:
            values[i] = values[left[i]] - values[right[i]]
        elif code == DIV:
            values[i] = values[left[i]] / values[right[i]]
    grads = [0.0] * len(values)                       # backward
    grads[output] = 1.0
    for i in range(output, -1, -1):
        code, grad = codes[i], grads[i]
        if code == CONSTANT or grad == 0.0:
            continue
        a, b = left[i], right[i]
        if code == ADD:
            grads[a] += grad
            grads[b] += grad
        elif code == MUL:
            grads[a] += grad * values[b]
            grads[b] += grad * values[a]
        elif code == SUB:
            grads[a] += grad
            grads[b] -= grad
        else:
            grads[a] += grad / values[b]
            grads[b] -= grad * values[a] / values[b] ** 2
    return [values[output]] + [grads[i] for i in inputs.values()]


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        numbers = run(handle.read())
    sys.stdout.write("".join(f"{number!r}\n" for number in numbers))


if __name__ == "__main__":
    main()
