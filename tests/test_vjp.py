"""Each array op's one vector-Jacobian rule, read four ways, against central differences."""

from __future__ import annotations

import numpy as np
import pytest

from gradcalc.graph import Graph
from gradcalc.nodes import NodeBuilder
from gradcalc.ops import OPS, index_op, sum_to
from gradcalc.ops.arrays import take_op
from gradcalc.ops.rules import factor_local

from helpers import central_differences

rng = np.random.default_rng(7)


def a(*shape):
    return rng.normal(size=shape) if shape else np.float64(rng.normal())


# (op, arguments): every shape convention a rule must follow (a vector on either side of @, stacks).
CASES = [
    ("matmul", [a(3, 4), a(4, 2)]), ("matmul", [a(4), a(4, 2)]), ("matmul", [a(3, 4), a(4)]),
    ("matmul", [a(4), a(4)]), ("matmul", [a(2, 3, 4), a(4, 2)]), ("matmul", [a(3, 4), a(2, 4, 2)]),
    ("matmul", [a(4), a(2, 4, 3)]), ("matmul", [a(2, 3, 4), a(4)]), ("matmul", [a(2, 3, 4), a(2, 4, 5)]),
    ("matmul", [a(1, 3, 4), a(2, 4, 5)]), ("matmul", [a(2, 1, 3, 4), a(3, 4, 5)]),
    ("transpose", [a(3, 4)]), ("transpose", [a(4)]), ("outer", [a(3), a(4)]),
    ("sum_axis", [a(3, 4), np.float64(0)]), ("sum_axis", [a(3, 4), np.float64(-1)]),
    ("sum_axis", [a(5), np.float64(0)]), ("mean_axis", [a(3, 4), np.float64(1)]),
    ("mean_axis", [a(2, 3, 4), np.float64(0)]),
    ("softmax", [a(5)]), ("softmax", [a(3, 4)]), ("logsumexp", [a(5)]), ("logsumexp", [a(3, 4)]),
    ("expand_axis", [a(3, 4), np.float64(1)]), ("expand_axis", [a(4), np.float64(0)]),
    (index_op((1,)), [a(4)]), (index_op((slice(1, None), 0)), [a(3, 4)]),
    ("scatter[1:]", [a(3), a(4)]),
    ("reshape", [a(2, 3), np.array([3.0, 2.0])]), ("reshape", [a(6), np.array([-1.0, 3.0])]),
    ("reshape_as", [a(2, 3), a(3, 2)]), ("reshape_as", [a(2), a(2, 1)]),
    ("max_axis", [a(3, 4), np.float64(0)]), ("min_axis", [a(3, 4), np.float64(1)]),
    (take_op(("range", "index")), [a(3, 4), np.float64(3), np.array([0.0, 2.0, 2.0])]),
    (take_op(("index",)), [a(5), np.array([1.0, 1.0, 4.0])]),
    (take_op(("range", "index"), back=True), [a(3), a(3, 4), np.float64(3), np.array([0.0, 2.0, 2.0])]),
    (take_op(("index",), back=True), [a(3), a(5), np.array([1.0, 1.0, 4.0])]),
]
index_op((slice(1, None),))    # makes scatter[1:]


def _numeric(op, args, k, g):
    """∂⟨forward(args), g⟩/∂args[k] by central differences."""
    return central_differences(lambda x: np.sum(op.forward(*args[:k], x, *args[k + 1:]) * g), args[k])


def _graph_reading(op, args, out, k, g):
    graph = Graph("")
    ids = []
    for _ in args:
        ids.append(graph.add(None, (), (0, 0), name=f"v{len(ids)}"))
        graph.variables[f"v{len(ids) - 1}"] = ids[-1]
    out_id = graph.add(op_key := next(key for key, o in OPS.items() if o is op), tuple(ids), (0, 0))
    assert op_key
    builder = NodeBuilder(graph, [*args, out])
    flowing = op.flowing_node(builder, k, builder.const(g), tuple(ids), out_id)
    return builder.values[flowing]


@pytest.mark.parametrize("key, args", CASES, ids=[f"{c[0]}{[np.shape(v) for v in c[1]]}" for c in CASES])
def test_vector_jacobian_rule_matches_differences_and_its_graph_reading(key, args):
    op = OPS[key]
    assert op.vjp, key
    out = op.forward(*args)
    g = a(*np.shape(out))
    for k, rule in enumerate(op.vjp):
        if rule is None:       # an axis written in the call
            continue
        # index inputs (whole numbers) and the zeros the gradient is added into: no gradient
        if key.startswith("take[") and k > 0 or key.startswith("added_at[") and k > 0:
            assert not np.any(op.flow(k, g, args, out)[1]), key
            continue
        local, flowing = op.flow(k, g, args, out)
        flowing = sum_to(flowing, np.shape(args[k]))
        np.testing.assert_allclose(flowing, _numeric(op, args, k, g), rtol=1e-6, atol=1e-8,
                                   err_msg=f"{key}, input {k}")
        # the trace's local: what the upstream was multiplied by (1 for a rule that only moves it)
        assert np.all(np.isfinite(local)) and factor_local(rule, args, out)[0] is not None
        read = _graph_reading(op, args, out, k, g)
        np.testing.assert_allclose(sum_to(read, np.shape(args[k])), flowing, rtol=1e-12, atol=1e-12,
                                   err_msg=f"{key}, input {k}, graph reading")
        text = op.formula_text(k, [f"a{j}" for j in range(len(args))], "out", upstream="G")
        assert "G" in text or text == "0", text      # the like-shaped input of a scatter gets 0


def test_the_local_of_a_product_is_its_other_factor():
    x, w = a(3, 4), a(4, 2)
    out = OPS["matmul"].forward(x, w)
    assert factor_local(OPS["matmul"].vjp[0], [x, w], out)[1] == "up · local"
    np.testing.assert_array_equal(factor_local(OPS["matmul"].vjp[0], [x, w], out)[0], w.T)
    assert factor_local(OPS["matmul"].vjp[1], [x, w], out)[1] == "local · up"
    np.testing.assert_array_equal(factor_local(OPS["matmul"].vjp[1], [x, w], out)[0], x.T)
    s = OPS["softmax"].forward(a(4))
    np.testing.assert_array_equal(factor_local(OPS["softmax"].vjp[0], [a(4)], s)[0], s)
    assert factor_local(OPS["transpose"].vjp[0], [x], x.T) == (1.0, None)


def test_rules_read_as_text():
    assert OPS["matmul"].formula_text(0, ["X", "W"], "Y", upstream="∂L/∂Y") == "∂L/∂Y · Wᵀ"
    assert OPS["matmul"].formula_text(1, ["X", "W"], "Y", upstream="∂L/∂Y") == "Xᵀ · ∂L/∂Y"


@pytest.mark.parametrize("text, values, message", [
    # a product's gradient that overflows is caught where it is made
    ("sum((X @ W) * 1e200)", {"X": [[1e200]], "W": [[1e-200]]},
     "the gradient overflows at [[1e200]] @ [[1e-200]] with respect to its second operand"),
    # an input's gradient summed from two finite contributions
    ("sum(1.5e308*X + 1.5e308*X)", {"X": [1e-308, 1e-308]},
     "the gradient with respect to X overflows: its contributions add up"),
    # a summed gradient passed on as it is by + is checked there, not taken as already checked
    ("u = X + Y\nsum(1.5e308*u + 1.5e308*u)", {"X": [1e-308, 1e-308], "Y": [0.0, 0.0]},
     "the gradient overflows at [1e-308, 1e-308] + [0, 0] with respect to its first operand"),
    # relu keeps finite values finite: the overflow is found at the × that makes it, before and after
    ("sum(relu(X*1e300)*1e300)", {"X": [1.0, 2.0]}, "overflow: [1e300, 2e300] × 1e300 = [inf, inf]"),
])
def test_arrays_are_checked_for_inf_once_where_it_can_first_appear(text, values, message):
    from gradcalc import compute
    from gradcalc.errors import MathError

    with pytest.raises(MathError) as caught:
        compute(text, {k: np.array(v) for k, v in values.items()})
    assert message in str(caught.value)
