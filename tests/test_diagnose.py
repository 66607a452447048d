"""Naming the mistake behind a wrong gradient: every catalogue mistake made by hand on three textbook
problems (the numbers below are worked out with plain math and numpy, not with gradcalc's catalogue),
right answers never diagnosed, random single slips on random graphs found, and a worked backward
pass judged with follow-through."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcalc.diagnose import (FOLLOWS, MISTAKES, NO_MATCH, RIGHT, WRONG, Diagnoser, check_pass, diagnose,
                               seed_of, walk)
from gradcalc.evaluate import needs_grad
from gradcalc.result import compute

from random_expressions import ARRAY_POINT, array_programs, evaluate_at, expressions, points
from random_slips import (MATRIX_POINT, backward_with, matmul_slips, matrix_programs, mean_slips, rounded,
                          single_slips)


def sig(u):
    return 1 / (1 + math.exp(-u))


# The textbook problems ---------------------------------------------------------------------------

SHOP = dict(apple=100.0, apple_num=2.0, orange=150.0, orange_num=3.0, tax=1.1)
APPLE = "apple_price = apple*apple_num; orange_price = orange*orange_num; " \
        "all_price = apple_price + orange_price; price = all_price*tax"
APPLE_SPLIT = APPLE + "; share = price/people"                     # the bill split: a quotient
APPLE_BAG = "apple_price = apple*apple_num; orange_price = orange*orange_num; bag = apple*0.05; " \
            "price = (apple_price + orange_price + bag)*tax"     # apple used twice
APPLE_AVERAGE = "apple_price = apple*apple_num; orange_price = orange*orange_num; " \
                "average = (apple_price + orange_price)/(apple_num + orange_num)"
APPLE_LOG = APPLE + "; L = log(price)"

NEURON = dict(w=0.8, x=1.5, b=-0.4)
U = 0.8 * 1.5 - 0.4
S = sig(U)
NEURON_TEXT = "u = w*x + b; y = sigmoid(u)"
NEURON_LOG = "p = sigmoid(w*x + b); L = -log(p)"
NEURON_SQUARED = "p = sigmoid(w*x + b); L = (p - t)**2 + 0.1*w*w"      # w used twice
NEURON_TANH = "h = tanh(w*x + b); L = (h - t)**2"
NEURON_BY_HAND = "p = 1/(1 + exp(-(w*x + b)))"                          # σ written out: a quotient
SOFTPLUS = "L = log(1 + exp(w*x + b))"
RNN = "h1 = tanh(w*h0 + v*x); h2 = tanh(w*h1 + v*x)"                     # w used twice
RNN_AT = dict(w=0.9, h0=0.5, v=0.4, x=1.2)
BATCH = "L = mean((sigmoid(w*X + b) - T)**2)"
BATCH_AT = dict(w=0.8, b=-0.4, X=[0.5, 1.5, -1.0], T=[1.0, 0.0, 1.0])

NET = dict(X=[[1.0, 2.0], [-1.0, 0.5]], W1=[[0.3, -0.2], [0.4, 0.1]], W2=[[0.5, -0.3], [0.2, 0.8]],
           T=[[1.0, 0.0], [0.0, 1.0]])
NET_SIGMOID = "H = sigmoid(X @ W1); Y = H @ W2; L = mean((Y - T)**2)"
NET_TANH = "H = tanh(X @ W1); Y = H @ W2; L = mean((Y - T)**2)"
NET_SHARED = "H = sigmoid(X @ W1); Y = H @ W2; D = Y - T; L = mean(D*D)"   # D used twice


def net(activation="sigmoid", slip=None):
    """∂L/∂W1 and ∂L/∂W2 of the two-layer net, backpropagated by hand, with one slip made."""
    X, W1, W2, T = (np.array(NET[k]) for k in ("X", "W1", "W2", "T"))
    A = X @ W1
    H = 1 / (1 + np.exp(-A)) if activation == "sigmoid" else np.tanh(A)
    Y = H @ W2
    n = 1 if slip == "mean-as-sum" else 1 / Y.size
    G = 2 * (Y - T) * n
    if slip == "power":
        G = 2 * (Y - T) ** 2 * n
    if slip == "one-path":          # L = mean(D*D): one of D's two paths
        G = (Y - T) * n
    dW2 = H.T @ G
    if slip == "untransposed-W2":
        dW2 = H @ G
    if slip == "order-W2":
        dW2 = G @ H.T
    dH = G @ W2.T
    if slip == "untransposed-H":
        dH = G @ W2
    local = H * (1 - H) if activation == "sigmoid" else 1 - H ** 2
    if slip == "sigmoid-as-sigmoid":
        local = H
    if slip == "tanh-1-x2":
        local = 1 - A ** 2
    if slip == "at-output":
        local = (1 / (1 + np.exp(-H))) * (1 - 1 / (1 + np.exp(-H))) if activation == "sigmoid" else \
            1 - np.tanh(H) ** 2
    dA = dH * local
    if slip == "chain-forgotten":
        dA = local
    if slip == "local-forgotten":
        dA = dH
    if slip == "sign":
        dA = -dA
    dW1 = X.T @ dA
    if slip == "untransposed-W1":
        dW1 = X @ dA
    if slip == "order-W1":
        dW1 = dA @ X.T
    return dW1, dW2


def _net_w1(activation, slip, text=NET_SIGMOID):
    return (text, NET, "W1", net(activation, slip)[0])


def _net_w2(activation, slip, text=NET_SIGMOID):
    return (text, NET, "W2", net(activation, slip)[1])


t = 1.0
h = math.tanh(U)
P_SQ = S
RNN_H1 = math.tanh(0.9 * 0.5 + 0.4 * 1.2)
RNN_A2 = 0.9 * RNN_H1 + 0.4 * 1.2
RNN_H2 = math.tanh(RNN_A2)
BATCH_P = [sig(0.8 * x - 0.4) for x in BATCH_AT["X"]]
BATCH_GRAD = sum(2 * (p - y) * p * (1 - p) * x for p, y, x in zip(BATCH_P, BATCH_AT["T"], BATCH_AT["X"]))
V = 1 + math.exp(-U)

# mistake id → three (program, point, answer name, the wrong number a student gets)
CASES = {
    "paths-not-added": [
        (APPLE_BAG, SHOP, "apple", 1.1 * 2.0),
        (NEURON_SQUARED, {**NEURON, "t": t}, "w", 2 * (S - t) * S * (1 - S) * 1.5),
        (NET_SHARED, NET, "W2", net("sigmoid", "one-path")[1]),
    ],
    "last-path-overwrites": [
        (APPLE_BAG, SHOP, "apple", 1.1 * 2.0),
        (NEURON_SQUARED, {**NEURON, "t": t}, "w", 2 * (S - t) * S * (1 - S) * 1.5),
        (NET_SHARED, NET, "W1", net("sigmoid", "one-path")[0]),
    ],
    "chain-factor-forgotten": [
        (APPLE, SHOP, "apple", 2.0),
        (NEURON_TEXT, NEURON, "w", 1.5),
        _net_w1("sigmoid", "chain-forgotten"),
    ],
    "local-derivative-forgotten": [
        (APPLE, SHOP, "orange", 1.1),
        (NEURON_TEXT, NEURON, "w", S * (1 - S)),
        _net_w1("sigmoid", "local-forgotten"),
    ],
    "sign-slip": [
        (APPLE, SHOP, "orange_num", -150 * 1.1),
        (NEURON_TEXT, NEURON, "b", -S * (1 - S)),
        _net_w1("sigmoid", "sign"),
    ],
    "sigmoid-derivative-as-sigmoid": [
        (NEURON_TEXT, NEURON, "w", S * 1.5),
        (NEURON_LOG, NEURON, "x", -(1 / S) * S * 0.8),
        _net_w1("sigmoid", "sigmoid-as-sigmoid"),
    ],
    "tanh-derivative-as-1-minus-x2": [
        (NEURON_TANH, {**NEURON, "t": t}, "w", 2 * (h - t) * (1 - U ** 2) * 1.5),
        (RNN, RNN_AT, "v", (1 - RNN_A2 ** 2) * (1.2 + 0.9 * (1 - RNN_H1 ** 2) * 1.2)),
        _net_w1("tanh", "tanh-1-x2", NET_TANH),
    ],
    "log-without-inner-derivative": [
        (NEURON_LOG, NEURON, "w", -1 / S),
        (SOFTPLUS, NEURON, "b", 1 / (1 + math.exp(U))),
        (APPLE_LOG, SHOP, "apple", 1 / 715),
    ],
    "power-rule-exponent-not-lowered": [
        (NEURON_SQUARED, {**NEURON, "t": t}, "b", 2 * (S - t) ** 2 * S * (1 - S)),
        (NEURON_TANH, {**NEURON, "t": t}, "x", 2 * (h - t) ** 2 * (1 - h ** 2) * 0.8),
        _net_w2("sigmoid", "power"),
    ],
    "quotient-rule-sign": [
        (APPLE_SPLIT, {**SHOP, "people": 2.0}, "people", 715 / 4),
        (NEURON_BY_HAND, NEURON, "w", -math.exp(-U) * 1.5 / V ** 2),
        (APPLE_AVERAGE, SHOP, "apple_num", 100 / 5 + 650 / 25),
    ],
    "derivative-at-output": [
        (NEURON_TEXT, NEURON, "w", sig(S) * (1 - sig(S)) * 1.5),
        (NEURON_LOG, NEURON, "b", -(1 / math.log(S)) * S * (1 - S)),
        _net_w1("tanh", "at-output", NET_TANH),
    ],
    "mean-as-sum": [
        (BATCH, BATCH_AT, "w", BATCH_GRAD),
        _net_w1("sigmoid", "mean-as-sum"),
        _net_w2("tanh", "mean-as-sum", NET_TANH),
    ],
    "matmul-untransposed": [
        _net_w2("sigmoid", "untransposed-W2"),
        _net_w1("tanh", "untransposed-W1", NET_TANH),
        _net_w1("sigmoid", "untransposed-H", NET_SHARED),
    ],
    "matmul-wrong-order": [
        _net_w2("sigmoid", "order-W2"),
        _net_w1("tanh", "order-W1", NET_TANH),
        _net_w2("sigmoid", "order-W2", NET_SHARED),
    ],
    "rounding": [
        (APPLE_LOG, SHOP, "apple", round(1.1 * 2 / 715, 6)),
        (NEURON_TEXT, NEURON, "w", round(S * (1 - S) * 1.5, 3)),
        _net_w1("sigmoid", None)[:3] + (np.round(net("sigmoid")[0], 4),),
    ],
}


def test_every_mistake_has_three_problems():
    assert set(CASES) == set(MISTAKES)
    assert all(len(cases) >= 3 for cases in CASES.values())


@pytest.mark.parametrize("mistake,case", [(m, c) for m, cases in CASES.items() for c in cases],
                         ids=[f"{m}-{i}" for m, cases in CASES.items() for i in range(len(cases))])
def test_each_mistake_is_named(mistake, case):
    text, point, name, wrong = case
    result = compute(text, point)
    found = diagnose(result, name, wrong)
    assert found is not None, "a wrong number was taken for right"
    assert mistake in (found.mistake,) + found.others, found.sentence
    assert found.sentence.startswith(" ".join(str(found.given).split())[:1]) or found.sentence
    assert NO_MATCH not in found.sentence


@pytest.mark.parametrize("text,point", [(APPLE, SHOP), (NEURON_TEXT, NEURON), (NET_SIGMOID, NET),
                                        (NET_SHARED, NET), (RNN, RNN_AT), (BATCH, BATCH_AT),
                                        (APPLE_BAG, SHOP), (NEURON_SQUARED, {**NEURON, "t": 1.0})])
def test_right_answers_are_never_diagnosed(text, point):
    result = compute(text, point)
    for name in result.graph.variables:
        right = result.grad_of(name)
        assert diagnose(result, name, right) is None
        assert diagnose(result, name, right * (1 + 1e-9)) is None     # within the tolerance
    assert diagnose(result, result.output_name, result.value) is None


def test_the_issue_example_sentence():
    result = compute("z = x*x", x=3.0)
    found = diagnose(result, "x", 3.0)
    assert found.mistake == "paths-not-added"
    assert found.sentence == "3 is what you get if the two paths into x are not added: ∂z/∂x = 3 + 3 = 6"
    assert found.edge == (1, 0)


def test_no_single_mistake():
    result = compute(APPLE, SHOP)
    found = diagnose(result, "tax", 651.5)
    assert found.mistake is None and found.slip is None
    assert found.sentence == f"{NO_MATCH}: ∂price/∂tax = 650"


def test_rounding_needs_the_shown_digits():
    result = compute(NEURON_TEXT, NEURON)
    right = S * (1 - S) * 1.5
    assert diagnose(result, "w", round(right, 4)).mistake == "rounding"
    assert "rounded to 4 decimals" in diagnose(result, "w", round(right, 4)).sentence
    assert diagnose(result, "w", round(right, 4) + 0.001).mistake is None
    assert diagnose(result, "w", 0.3).mistake is None   # one digit says too little to call it rounding


def test_value_answers():
    result = compute(APPLE, SHOP)
    assert diagnose(result, "price", 715.0) is None
    assert diagnose(result, "price", 700.0).mistake is None
    neuron = compute(NEURON_TEXT, NEURON)
    assert diagnose(neuron, "y", round(S, 3)).mistake == "rounding"


def test_as_dict_names_the_edge():
    result = compute(APPLE, SHOP)
    found = diagnose(result, "orange_num", -165.0)
    data = found.as_dict()
    assert data == {"mistake": "sign-slip", "answer": "orange_num", "edge": ["orange_price", "orange_num"],
                    "node": "orange_num", "value": -165.0, "sentence": found.sentence, "others": []}


def test_a_large_program_says_it_was_not_tried():
    text = " + ".join(f"sin(x{i})*x{i}" for i in range(400))
    result = compute(text, {f"x{i}": 0.1 * i for i in range(400)})
    found = diagnose(result, "x3", 123.0)
    assert found.mistake is None and "too large" in found.sentence


# A worked backward pass ------------------------------------------------------------------------------

def test_follow_through():
    # t = x + y, z = t·x at x = 2, y = 1: ∂z/∂t = 2, ∂z/∂x = t + x = 5, ∂z/∂y = 2.
    result = compute("t = x + y; z = t*x", x=2.0, y=1.0)
    entries = check_pass(result.graph, result.values, {"x": 6.0, "y": 3.0, "t": 3.0, "z": 6.0})
    assert [e.name for e in entries] == ["z", "t", "y", "x"]
    status = {e.name: e.status for e in entries}
    assert status == {"z": RIGHT, "t": WRONG, "y": FOLLOWS, "x": FOLLOWS}
    assert [e.name for e in entries if e.first] == ["t"]
    x = entries[-1]
    assert x.basis == 6.0 and x.correct == 5.0
    assert x.note == \
        "∂z/∂x = 6 is right from your ∂z/∂t = 3 (which was wrong); from the right values it is 5"
    assert [e.credit(0.5) for e in entries] == [1.0, 0.0, 0.5, 0.5]


def test_follow_through_past_a_branch_not_taken():
    # At x = 0, log(x)'s derivative 1/x is inf, but Python's conditional does not evaluate that branch: no
    # gradient flows there (0, not 0 × inf = nan), from the right values and from the student's ∂z/∂t = 3 alike.
    result = compute("t = log(x) if x > 0 else 0; z = t*y", x=0.0, y=2.0)
    x = check_pass(result.graph, result.values, {"t": 3.0, "x": 0.0})[-1]
    assert (x.name, x.status, x.correct, x.basis) == ("x", RIGHT, 0.0, 0.0)


def test_later_slip_is_diagnosed_from_the_students_values():
    result = compute("t = x + y; z = t*x", x=2.0, y=1.0)
    # ∂z/∂t = 3 (wrong), then ∂z/∂y with its sign slipped from the student's 3: -3 (no slip of the
    # right pass gives -3).
    entries = check_pass(result.graph, result.values, {"t": 3.0, "y": -3.0})
    y = entries[1]
    assert y.status == WRONG and not y.first
    assert y.diagnosis.mistake == "sign-slip"
    assert y.diagnosis.sentence == "-3 is what you get if the sign slips on the edge t → y: -3 instead of 3"
    # A slip the right pass explains is named from the right values (cheaper, and as true).
    x = check_pass(result.graph, result.values, {"t": 3.0, "x": 4.0})[1]
    assert x.diagnosis.mistake == "chain-factor-forgotten" and "2 × 1 = 2" in x.diagnosis.sentence


def test_first_wrong_entry_named_in_a_textbook_pass():
    result = compute(APPLE, SHOP)
    # all_price's two paths are fine; a sign slip at apple_price, then apple from the student's value.
    entries = check_pass(result.graph, result.values,
                         {"all_price": 1.1, "apple_price": -1.1, "apple": -2.2, "apple_num": -110.0,
                          "orange": 3.3})
    first = next(e for e in entries if e.first)
    assert first.name == "apple_price" and first.diagnosis.mistake == "sign-slip"
    assert {e.name: e.status for e in entries} == {"all_price": RIGHT, "apple_price": WRONG,
                                                   "apple": FOLLOWS, "apple_num": FOLLOWS, "orange": RIGHT}


# Random single slips on random graphs ---------------------------------------------------------------

# Every slip the graph admits (tests/random_slips.py: 12 of the catalogue's 15 mistakes; mean-as-sum
# is made on random array programs below, and the two matrix-product slips on random programs of
# matrix products), made by a backward pass of the test's own.
TRIED = {"slips": 0, "named": 0}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=expressions, point=points, data=st.data())
def test_random_single_slips_are_named(text, point, data):
    result = evaluate_at(text, point)
    graph = result.graph
    if not result.steps:
        return
    name = data.draw(st.sampled_from(sorted(graph.variables)))
    right = result.grad_of(name)
    assert diagnose(result, name, right) is None   # a right answer is never given a mistake
    slips = single_slips(graph, result.values) + [("rounding", {"decimals": d}) for d in range(1, 5)]
    mistake, how = data.draw(st.sampled_from(slips))
    if mistake == "rounding":
        wrong = rounded(right, how["decimals"])
    else:
        below = graph.variables[name]
        wrong = right + (backward_with(graph, result.values, **how)[below]
                         - backward_with(graph, result.values)[below])
    if wrong is None or abs(wrong - right) <= 1e-6 * abs(right) + 1e-12:
        return   # this slip changes nothing here: not a wrong answer
    TRIED["slips"] += 1
    found = diagnose(result, name, wrong)
    assert found is not None
    if mistake in (found.mistake,) + found.others:
        TRIED["named"] += 1


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=array_programs)
def test_random_means_taken_as_sums_are_named(text):
    """mean-as-sum on random array programs: the 1/n of one mean dropped, in the engine's backward loop."""
    result = compute(text, {n: v for n, v in ARRAY_POINT.items() if n in text})
    graph, values = result.graph, result.values
    for mistake, edits in mean_slips(graph, values):
        grads = walk(graph, values, needs_grad(graph), seed_of(graph, values), edits)
        for name, node in graph.variables.items():
            right, wrong = result.grad_of(name), grads[node]
            assert diagnose(result, name, right) is None
            if wrong is not None and not np.allclose(wrong, right, rtol=1e-6, atol=1e-12):
                found = diagnose(result, name, wrong)
                assert mistake in (found.mistake,) + found.others, (text, name, found.sentence)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=matrix_programs)
def test_random_matrix_product_slips_are_named(text):
    """The two matrix-product slips on random programs of products of matrices (square ones too,
    where both fit), made in the engine's backward loop: each named, no right answer diagnosed."""
    result = compute(text, {n: v for n, v in MATRIX_POINT.items() if n in text})
    graph, values = result.graph, result.values
    for name in graph.variables:
        assert diagnose(result, name, result.grad_of(name)) is None
    for mistake, edits in matmul_slips(graph, values) + mean_slips(graph, values):
        grads = walk(graph, values, needs_grad(graph), seed_of(graph, values), edits)
        for name, node in graph.variables.items():
            right, wrong = result.grad_of(name), grads[node]
            if wrong is not None and not np.allclose(wrong, right, rtol=1e-6, atol=1e-12):
                found = diagnose(result, name, wrong)
                assert mistake in (found.mistake,) + found.others, (text, name, found.sentence)


def test_random_slip_rate():
    """The rate of the property test above (run first, in file order): ≥ 90% of single slips named
    (bench/diagnose_rate.py measures it per mistake: 99.9% of 13 955 on 1 000 graphs of each kind)."""
    if TRIED["slips"] < 50:
        pytest.skip(f"the property test did not run first ({TRIED})")
    rate = TRIED["named"] / TRIED["slips"]
    print(f"random single slips named: {TRIED['named']} of {TRIED['slips']} ({rate:.1%})")
    assert rate >= 0.9


def test_diagnoser_reused_for_many_numbers():
    result = compute(APPLE, SHOP)
    diagnoser = Diagnoser(result.graph, result.values, [result.graph.variables["apple"]])
    assert diagnoser.diagnose("apple", 2.2, 1e-6, 1e-12) is None
    assert diagnoser.diagnose("apple", -2.2, 1e-6, 1e-12).mistake == "sign-slip"
    assert diagnoser.diagnose("apple", 2.0, 1e-6, 1e-12).mistake == "chain-factor-forgotten"


# In the trace: --expect ----------------------------------------------------------------------------

def test_cli_expect_names_the_mistake_under_the_table():
    from helpers import run

    result = run("z = x*x", "--x", "3", "--expect", "x=3", "--plain")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = lines.index("  ✗ ∂z/∂x = 3: differs from the computed value")
    assert lines[at + 1] == "    ↳ 3 is what you get if the two paths into x are not added: ∂z/∂x = 3 + 3 = 6"


def test_cli_expect_worked_pass_with_follow_through():
    from helpers import run

    result = run("t = x + y; z = t*x", "--x", "2", "--y", "1", "--expect", "t=3", "--expect", "x=6",
                 "--expect", "y=-2", "--plain")
    assert result.exit_code == 1
    out = result.stdout
    assert "    ↳ first wrong step: no single common mistake gives this number: ∂z/∂t = 2\n" in out
    assert "    ↳ follow-through: ∂z/∂x = 6 is right from your ∂z/∂t = 3 (which was wrong); from the " \
           "right values it is 5\n" in out
    assert "    ↳ -2 is what you get if the sign slips on the edge t → y: -2 instead of 2\n" in out


def test_follow_through_names_the_loss_under_upstream():
    # With --upstream the gradients are of a loss L, not of the output z: the sentence says ∂L/∂…
    from helpers import run

    result = run("t = x*y; z = t*w", "--x", "2", "--y", "3", "--w", "4", "--upstream", "5",
                 "--expect", "t=10", "--expect", "x=30", "--plain")
    assert result.exit_code == 1
    assert "    ↳ follow-through: ∂L/∂x = 30 is right from your ∂L/∂t = 10 (which was wrong); from the " \
           "right values it is 60\n" in result.stdout


def test_cli_json_carries_the_diagnosis():
    import json

    from helpers import run

    result = run(APPLE, *[f"--{k}={v}" for k, v in SHOP.items()], "--expect", "apple=2", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    diagnosis = data["diagnosis"]
    assert diagnosis["mistake"] == "chain-factor-forgotten"
    assert diagnosis["edge"] == ["apple_price", "apple"] and diagnosis["node"] == "apple"
    assert diagnosis["value"] == 2.0 and diagnosis["sentence"].startswith("2 is what you get if the chain")
    assert data["expect"][0]["diagnosis"] == diagnosis and data["expect"][0]["status"] == "wrong"


def test_rich_trace_marks_the_first_wrong_edge():
    from rich.console import Console

    from gradcalc.check import parse_answer, run_checks
    from gradcalc.render.check import first_wrong_edge
    from gradcalc.render.rich import render_result

    result = compute(APPLE, SHOP)
    checks = run_checks(result, [parse_answer("apple=-2.2")])
    edge = first_wrong_edge(checks)
    step = next(s for s in result.steps if (s.node, s.k) == edge)
    assert (result.labels[step.node], result.labels[step.input]) == ("apple_price", "apple")
    console = Console(force_terminal=True, width=120, color_system="standard", record=True)
    console.print(render_result(result, marked_edge=edge))
    marked = [line for line in console.export_text(styles=True).splitlines() if "\x1b[1;31m" in line]
    assert len(marked) == 1 and "apple_price → apple " in marked[0]
    assert first_wrong_edge(run_checks(result, [parse_answer("apple=2.2")])) is None


# Sheets ----------------------------------------------------------------------------------------------

PASS_SHEET = '''title = "Backprop by hand"
{credit}
[[problem]]
name = "A node used twice"
expression = "t = x + y; z = t*x"
at = {{ x = 2, y = 1 }}
points = 3
[problem.expect]
t = 3
x = 6
y = 2
'''


@pytest.mark.parametrize("credit, earned", [("", 1.0), ("follow_through = 0.5", 1.5),
                                            ("follow_through = 1", 2.0), ("follow_through = 0", 1.0)])
def test_sheet_follow_through_credit(credit, earned):
    from gradcalc.sheet import grade, load_sheet

    report = grade(load_sheet(PASS_SHEET.format(credit=credit)), sheet_tolerance=True)   # the teacher's
    graded = report.graded[0]
    assert {v.answer.name: v.entry.status for v in graded.verdicts} == {"t": WRONG, "x": FOLLOWS, "y": RIGHT}
    assert graded.earned == pytest.approx(earned)


def test_sheet_follow_through_out_of_range_is_bad_input(tmp_path):
    from helpers import run

    sheet = tmp_path / "sheet.toml"
    sheet.write_text(PASS_SHEET.format(credit="follow_through = 2"))
    result = run("check", str(sheet))
    assert result.exit_code == 2 and "follow_through must be between 0 and 1, got 2" in result.stderr


def test_sheet_shows_the_mistake_and_the_credit(tmp_path):
    import json

    from helpers import run

    sheet = tmp_path / "sheet.toml"
    sheet.write_text(PASS_SHEET.format(credit="follow_through = 0.5"))
    result = run("check", str(sheet), "--plain", "--teacher-sheet")
    assert result.exit_code == 1
    assert "    ↳ follow-through: ∂z/∂x = 6 is right from your ∂z/∂t = 3 (which was wrong)" in result.stdout
    assert result.stdout.rstrip().endswith(
        "Score: 1.5 of 3 points (1 of 3 answers right, 1 right from earlier wrong values, 0.5 credit each)")
    data = json.loads(run("check", str(sheet), "--json", "--teacher-sheet").stdout)
    assert data["follow_through"] == 0.5 and data["problems"][0]["earned"] == 1.5
    assert [e["status"] for e in data["problems"][0]["expect"]] == [WRONG, FOLLOWS, RIGHT]


# Classes ---------------------------------------------------------------------------------------------

CLASS_SHEET = '''title = "Week 3"
{credit}
[[problem]]
id = "pass"
expression = "t = x + y; z = t*x"
at = {{ x = 2, y = 1 }}
answers = ["t", "x", "y"]

[[problem]]
id = "twice"
expression = "z = x*x"
at = {{ x = 3 }}
answers = ["x"]
'''

CLASS_ANSWERS = """student,pass.t,pass.x,pass.y,twice.x
Ada,2,5,2,6
Ben,3,6,3,3
Cy,3,4,,3
Dee,2,5,-2,x*
Eve,2,5,2,6.0000001
"""


def _book(credit=""):
    from gradcalc.classroom import grade_class, load_class_sheet, read_answers

    sheet = load_class_sheet(CLASS_SHEET.format(credit=credit))
    return grade_class(sheet, read_answers(CLASS_ANSWERS, sheet))


def test_class_follow_through_credit():
    book = _book("follow_through = 0.5")
    ben = next(s for s in book.students if s.name == "Ben")
    assert [m.entry.status if m.entry else "right" for m in ben.marks] == [WRONG, FOLLOWS, FOLLOWS, WRONG]
    assert ben.earned(book.sheet.problems[0]) == pytest.approx(0.5 / 3 + 0.5 / 3)
    assert _book().students[1].earned(book.sheet.problems[0]) == 0.0   # no credit unless the sheet says


def test_class_item_analysis_counts_and_mistakes():
    from gradcalc.diagnose import item_analysis

    items = {item.column: item for item in item_analysis(_book("follow_through = 0.5"))}
    t, x, y, twice = items["pass.t"], items["pass.x"], items["pass.y"], items["twice.x"]
    assert (t.right, t.follow_through, t.wrong, t.blank, t.malformed) == (3, 0, 2, 0, 0)
    assert (x.right, x.follow_through, x.wrong) == (3, 1, 1)       # Cy: 4 from t's forgotten chain
    assert (y.right, y.follow_through, y.wrong, y.blank) == (2, 1, 1, 1)
    assert (twice.right, twice.wrong, twice.malformed) == (2, 2, 1)
    assert twice.common() == [("paths-not-added", "did not add the paths into x", 2)]
    assert twice.summary(twice.common()[0]) == "40% did not add the paths into x"
    assert x.common() == [("chain-factor-forgotten", "forgot the chain factor on t → x", 1)]
    assert y.common() == [("sign-slip", "slipped a sign on t → y", 1)]


def test_class_items_csv_json_and_report(tmp_path):
    import csv
    import io
    import json

    from helpers import run

    sheet, answers = tmp_path / "class.toml", tmp_path / "answers.csv"
    sheet.write_text(CLASS_SHEET.format(credit="follow_through = 0.5"))
    answers.write_text(CLASS_ANSWERS)
    items = tmp_path / "items.csv"
    result = run("check", str(sheet), "--answers", str(answers), "--items", str(items),
                 "--report", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(items.read_text())))
    assert rows[-1] == {"problem": "twice", "answer": "x", "right": "2", "follow_through": "0", "wrong": "2",
                        "blank": "0", "malformed": "1", "mistake_1": "did not add the paths into x",
                        "students_1": "2", "mistake_2": "", "students_2": "", "mistake_3": "", "students_3": ""}
    assert (tmp_path / "r" / "_items.csv").read_text() == items.read_text()
    teacher = (tmp_path / "r" / "_items.md").read_text()
    assert "- **twice.x**: 2 right, 0 follow-through, 2 wrong, 0 blank, 1 malformed\n" \
           "  - 40% did not add the paths into x (2 students, `paths-not-added`)" in teacher
    ben = (tmp_path / "r" / "Ben.md").read_text()
    assert "  - Follow-through: ∂z/∂x = 6 is right from your ∂z/∂t = 3 (which was wrong)" in ben
    assert "  - Why: 3 is what you get if the two paths into x are not added" in ben
    data = json.loads(run("check", str(sheet), "--answers", str(answers), "--json").stdout)
    assert data["follow_through"] == 0.5
    assert data["items"][-1]["mistakes"] == [{"mistake": "paths-not-added", "what": "did not add the paths into x",
                                              "students": 2, "summary": "40% did not add the paths into x"}]
    ben_marks = data["students"][1]["marks"]
    assert [m["status"] for m in ben_marks] == [WRONG, FOLLOWS, FOLLOWS, WRONG]
    assert ben_marks[3]["diagnosis"]["mistake"] == "paths-not-added"


def test_items_needs_answers():
    from helpers import run

    result = run("check", "examples/class.toml", "--items", "items.csv")
    assert result.exit_code == 2 and "--items needs --answers" in result.stderr


# The README's catalogue: every row's example gives the mistake and the sentence written there --------

def _readme_rows():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z0-9-]+)` \| [^|]+ \| `(gradcalc .*?)` \| (.*) \|$", text, re.M)


def test_readme_lists_every_mistake_once():
    assert [row[0] for row in _readme_rows()] == list(MISTAKES)


@pytest.mark.parametrize("mistake, command, sentence", _readme_rows())
def test_readme_catalogue_example(mistake, command, sentence):
    import json
    import shlex

    from helpers import run

    result = run(*shlex.split(command.replace("\\|", "|"))[1:], "--json")
    assert result.exit_code == 1
    diagnosis = json.loads(result.stdout)["diagnosis"]
    assert (diagnosis["mistake"], diagnosis["sentence"]) == (mistake, sentence)


def test_a_class_may_ask_for_the_value_of_an_unnamed_output():
    from gradcalc.classroom import grade_class, load_class_sheet, read_answers

    sheet = load_class_sheet('[[problem]]\nid = "sq"\nexpression = "(x+y)**2"\nat = { x = 1, y = 2 }\n'
                             'answers = ["x", "z"]\n')
    book = grade_class(sheet, read_answers("student,sq.x,sq.z\nAda,6,9\nBen,3,9\n", sheet))
    assert [[m.ok for m in s.marks] for s in book.students] == [[True, True], [False, True]]


def test_cli_quiet_expect_says_the_diagnosis_on_stderr():
    from helpers import run

    result = run("z = x*x", "--x", "3", "--expect", "x=3", "-q")
    assert result.exit_code == 1
    assert result.stdout == "9\n6\n"   # the bare numbers scripts read, unchanged
    assert result.stderr.splitlines() == [
        "diagnosis: ∂z/∂x = 3: 3 is what you get if the two paths into x are not added: ∂z/∂x = 3 + 3 = 6",
        "error: 1 of 1 expected answer is wrong (x)"]
    # A worked pass: the first wrong step, follow-through and the next slip, one line each.
    result = run("t = x + y; z = t*x", "--x", "2", "--y", "1", "--expect", "t=3", "--expect", "x=6",
                 "--expect", "y=-2", "-q")
    assert (result.exit_code, result.stdout) == (1, "6\n5\n2\n")
    first, follows, slip, error = result.stderr.splitlines()
    assert first.startswith("diagnosis: ∂z/∂t = 3: first wrong step: no single common mistake")
    assert follows.startswith("diagnosis: ∂z/∂x = 6: follow-through: ∂z/∂x = 6 is right from your ∂z/∂t = 3")
    assert slip == "diagnosis: ∂z/∂y = -2: -2 is what you get if the sign slips on the edge t → y: -2 instead of 2"
    assert error == "error: 3 of 3 expected answers are wrong (t, x, y)"
    # Right answers: nothing said, exit 0.
    result = run("z = x*x", "--x", "3", "--expect", "x=6", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "9\n6\n", "")


# A class at once: the same judgement as one student at a time ----------------------------------------

def _class_passes(text, at, names, rule, students=300, seed=0):
    """Random worked passes of a class: each of `names` right, left out, or wrong in one of the ways
    a class writes (a slip of the right pass, a slip from the student's own earlier values, right
    from those values, a slip's value or the right one rounded, any other number); each number with
    its text as written and a Within of `rule`."""
    import random

    from gradcalc.diagnose import PassChecker, Within, backward_order

    rng = random.Random(seed)
    result = compute(text, at)
    graph = result.graph
    checker = PassChecker(graph, result.values, names, result.upstream)
    passes = []
    for _ in range(students):
        given, fixed = {}, {}
        for name in backward_order(graph, [n for n in names if rng.random() < 0.6]):
            node = graph.node_of(name)
            right = float(checker.base.correct(node))
            basis = float(checker.basis(node, fixed)) if fixed else right
            mine = checker._yours(node, fixed) if fixed else checker.base
            slips = [float(slip.grads[node]) for slip in mine.slips if slip.grads[node] is not None]
            kind = rng.choice(["slip", "slip", "basis", "right", "rounded", "other"])
            number = rng.choice(slips) if kind == "slip" and slips else basis if kind == "basis" else \
                right if kind == "right" else round(rng.choice(slips or [right]), rng.choice([2, 3])) \
                if kind == "rounded" else right + rng.choice([-1, 1]) * rng.uniform(0.01, 3)
            if rng.random() < 0.3:   # a few students write the same wrong number
                number = round(number, 1)
            written = repr(number) if rng.random() < 0.7 else f"{number:.3g}"
            number = float(written)
            given[name] = (np.float64(number), Within(rule=rule, text=written))
            if not given[name][1].right(number, right):
                fixed[node] = number
        passes.append(given)
    return checker, passes


@pytest.mark.parametrize("text, at, names", [
    (APPLE, SHOP, ["price", "all_price", "apple_price", "orange_price", "apple", "apple_num", "orange", "tax"]),
    (APPLE_BAG, SHOP, ["price", "apple_price", "apple", "apple_num", "orange", "orange_num", "tax"]),
    (NEURON_SQUARED, {**NEURON, "t": t}, ["L", "p", "w", "x", "b"]),
    ("t = x*y; u = sin(t); z = u*exp(x)", {"x": 0.5, "y": 2.0}, ["z", "u", "t", "x", "y"]),
])
@pytest.mark.parametrize("rule", ["plain", "hand", "sigfigs", "decimals"])
def test_class_at_once_judges_as_one_by_one(text, at, names, rule):
    from gradcalc.tolerance import Rule

    rules = {"plain": Rule(hand=False), "hand": Rule(), "sigfigs": Rule(sigfigs=3, hand=False),
             "decimals": Rule(decimals=2, hand=False)}
    checker, passes = _class_passes(text, at, names, rules[rule])
    together = checker.check_class(passes)
    kinds = set()
    for answers, judged in zip(passes, together):
        alone = checker.check({name: number for name, (number, _) in answers.items()},
                              within={name: within for name, (_, within) in answers.items()})
        assert [e.name for e in alone] == list(judged)
        for entry in alone:
            other = judged[entry.name]
            kinds.add(entry.status)
            assert (other.status, other.first, other.note) == (entry.status, entry.first, entry.note)
            assert float(other.basis) == pytest.approx(float(entry.basis), rel=1e-12, abs=1e-12)
            if entry.diagnosis is None:
                assert other.diagnosis is None
                continue
            mine, theirs = entry.diagnosis, other.diagnosis
            assert (theirs.mistake, theirs.others, theirs.edge) == (mine.mistake, mine.others, mine.edge)
            assert theirs.sentence == mine.sentence
            if mine.mistake:
                kinds.add(mine.mistake)
    assert {FOLLOWS, WRONG} <= kinds and len(kinds) > 5   # the class exercised the judgements


OWN_RULES_SHEET = '''title = "Own rules"
follow_through = 0.5

[[problem]]
id = "pass"
expression = "t = x + y; z = t*x"
at = { x = 2, y = 1 }
answers = { t = 1, x = { points = 1, rtol = 0.01 }, y = 1 }

[[problem]]
id = "ln"
expression = "z = log(x)*y"
at = { x = 2, y = 3 }
answers = { y = { points = 1, sigfigs = [3, 2] } }
'''


def test_class_diagnosis_uses_each_answers_own_rule():
    from gradcalc.classroom import grade_class, load_class_sheet, read_answers

    sheet = load_class_sheet(OWN_RULES_SHEET)
    book = grade_class(sheet, read_answers("student,pass.t,pass.x,pass.y,ln.y\n"
                                           "Ada,2,4.02,2,-0.694\n"
                                           "Ben,3,6.03,3,-0.693\n"
                                           "Cy,3,6.2,-3,0.7\n", sheet))
    ada, ben, cy = ({m.asked.column: m for m in s.marks} for s in book.students)
    # 4.02 is 4, the chain factor forgotten, within pass.x's own rtol = 0.01 (not the sheet's 1e-6,
    # under which no slip gives it and it was "no single common mistake").
    assert ada["pass.x"].entry.diagnosis.mistake == "chain-factor-forgotten"
    assert not ada["pass.x"].entry.diagnosis.sentence.endswith("(rounded)")
    # sigfigs = [3, 2]: -0.694 is -ln 2 = -0.693147… with its last figure off, as the rule allows.
    assert ada["ln.y"].entry.diagnosis.mistake == "sign-slip"
    assert ben["ln.y"].entry.diagnosis.mistake == "sign-slip"
    assert not ben["ln.y"].entry.diagnosis.sentence.endswith("(rounded)")
    # Follow-through judged by the answer's rule too: 6.03 is 6 from Ben's own ∂z/∂t = 3, within 1%.
    assert (ben["pass.t"].entry.status, ben["pass.x"].entry.status, ben["pass.y"].entry.status) == \
        (WRONG, FOLLOWS, FOLLOWS)
    assert ben["pass.x"].credit == 0.5
    # 6.2 is 3% off 6: wrong, and said from Cy's own values; -3 from them is a sign slip.
    assert cy["pass.x"].entry.status == WRONG and cy["pass.y"].entry.diagnosis.mistake == "sign-slip"
    # 0.7: two figures where [3, 2] asks for three: wrong by its rounding alone, not diagnosed.
    assert cy["ln.y"].entry is None


def test_sheet_diagnosis_uses_the_problems_own_rule(tmp_path):
    import json

    from helpers import run

    sheet = tmp_path / "sheet.toml"
    sheet.write_text('title = "ln"\n[[problem]]\nexpression = "z = log(x)*y"\nat = { x = 2, y = 3 }\n'
                     'sigfigs = [3, 2]\n[problem.expect]\ny = -0.694\nx = "1.50"\n')
    data = json.loads(run("check", str(sheet), "--json", "--sheet-tolerance").stdout)
    y = next(e for e in data["problems"][0]["expect"] if e["name"] == "y")
    # -0.694 is -ln 2 with its last figure off, as sigfigs = [3, 2] allows: the sign slip, matched
    # by the rule the answer was judged by (not "rounded" from rtol's view).
    assert y["diagnosis"]["mistake"] == "sign-slip" and not y["diagnosis"]["sentence"].endswith("(rounded)")


@pytest.mark.parametrize("rule", ["plain", "sigfigs", "decimals"])
def test_a_slip_that_gives_infinity_explains_no_number(rule):
    # log′ taken at log's output 0 (x = 1) is 1/0 = ∞: |2 − ∞| ≤ rtol·∞ made it "explain" any wrong
    # answer, and --json then failed writing the ∞ (exit 70)
    from gradcalc.diagnose import Within
    from gradcalc.tolerance import Rule

    result = compute("log(x)", {"x": 1.0})
    within = {"plain": Within(), "sigfigs": Within(rule=Rule(sigfigs=3, hand=False), text="2.00"),
              "decimals": Within(rule=Rule(decimals=2, hand=False), text="2.00")}[rule]
    found = Diagnoser(result.graph, result.values, [result.graph.node_of("x")]).diagnose("x", 2.0, within=within)
    assert found.mistake is None and found.value is None and found.sentence.startswith(NO_MATCH)
    checker_found = diagnose(result, "x", 2.0)
    assert checker_found.mistake is None


def test_a_slip_that_gives_infinity_explains_no_number_in_a_class_or_in_json():
    import json

    from gradcalc.classroom import grade_class, load_class_sheet, read_answers
    from helpers import run

    sheet = load_class_sheet('[[problem]]\nid = "ln"\nexpression = "z = log(x)"\nat = { x = 1 }\nanswers = ["x"]\n')
    book = grade_class(sheet, read_answers("student,ln.x\nAda,2\nBen,2.5\nCy,1\n", sheet))
    ada, ben, cy = (s.marks[0] for s in book.students)
    assert ada.entry.diagnosis.mistake is None and ben.entry.diagnosis.mistake is None
    assert cy.entry is None and cy.ok
    shown = run("log(x)", "--x", "1", "--expect", "x=2", "--json")
    assert shown.exit_code == 1
    data = json.loads(shown.stdout)
    assert data["ok"] is False and data["expect"][0]["diagnosis"]["mistake"] is None
