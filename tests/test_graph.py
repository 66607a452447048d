"""The graph's columns (gradcalc.graph.Nodes): every node reads back as it was added, whatever its
number of inputs and however far into the text its span lies."""

from hypothesis import given, settings
from hypothesis import strategies as st

from gradcalc.graph import Graph, Node
from gradcalc.parse import parse

NODES = [
    Node(0, None, (), "x", (0, 1)),
    Node(1, "sin", (0,), None, (2, 8)),
    Node(2, "add", (0, 1), "t", (0, 8)),
    Node(3, "where", (2, 0, 1), None, (0, 20)),
    Node(4, "pi", (), None, (21, 23)),
]


def test_nodes_of_zero_to_three_inputs_read_back_as_added():
    graph = Graph("x", NODES)
    assert list(graph.nodes) == NODES
    assert [graph.nodes.inputs[i] for i in range(5)] == [node.inputs for node in NODES]
    assert graph.nodes[-1] == NODES[-1] and graph.nodes[1:3] == NODES[1:3]
    assert list(reversed(graph.nodes)) == NODES[::-1]
    added = Graph("x")
    for node in NODES:
        assert added.add(node.op, node.inputs, node.span, node.name) == node.id
    assert added.nodes == graph.nodes


def test_a_span_past_a_c_int_widens_the_columns_and_keeps_every_number():
    graph = Graph("x", NODES)
    far = (2**31 + 5, 2**40)
    assert graph.add("mul", (3, 4), far) == 5
    assert graph.nodes.starts.typecode == "q"
    assert list(graph.nodes) == NODES + [Node(5, "mul", (3, 4), None, far)]
    assert graph.add("neg", (5,), (-(2**40), 0)) == 6 and graph.nodes[6].span == (-(2**40), 0)


def test_copy_replace_and_truncate_leave_the_original_alone():
    graph = Graph("x", NODES)
    copied = graph.copy()
    copied.nodes[3] = Node(3, "mul", (1, 2), "u", (3, 4))
    copied.add("exp", (3,), (5, 9))
    assert list(graph.nodes) == NODES
    assert copied.nodes[3] == Node(3, "mul", (1, 2), "u", (3, 4)) and copied.nodes.more == {}
    copied.nodes.truncate(2)
    assert list(copied.nodes) == NODES[:2] and len(graph.nodes) == 5


def test_a_parsed_program_reads_its_inputs_and_spans_off_the_columns():
    text = "t = x*y + 1\nwhere(x > 0, t, -t)"
    graph = parse(text)
    where = graph.nodes[graph.output]
    assert where.op == "where" and len(where.inputs) == 3
    assert text[slice(*where.span)] == "where(x > 0, t, -t)"
    assert graph.nodes[graph.node_of("t")].op == "add"


def test_labels_made_when_read_are_the_list_of_them():
    # Result.labels makes each label when read (a big graph's --json reads each once): the same
    # labels, in the same order, as the list, unnamed nodes numbered past a name that is n1
    from gradcalc.graph import Labels

    graph = parse("n1 = x*y; c = n1 + 2; c = c*x; c + sin(x)*3")
    labels = Labels(graph)
    assert list(labels) == graph.labels() == ["x", "y", "n1", "2", "c", "c₂", "n2", "3", "n3", "z"]
    assert len(labels) == 10 and labels[-1] == "z" and labels[2:5] == ["n1", "2", "c"]
    assert "c₂" in labels and labels == graph.labels()


# graph.node_of reads an index of the names, kept right through every way a name changes.
_STEPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.sampled_from([None, "t", "u", "x"])),
    st.tuples(st.just("rename"), st.integers(0, 40), st.sampled_from([None, "t", "u", "v"])),
    st.tuples(st.just("replace"), st.integers(0, 40), st.sampled_from([None, "t", "u"])),
    st.tuples(st.just("truncate"), st.integers(0, 40)),
    st.tuples(st.just("ask"), st.sampled_from(["t", "u", "v", "x", "w"])),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_STEPS)
def test_node_of_is_the_last_node_of_the_name_through_renames_replacements_and_truncation(steps):
    graph = Graph("x + t")
    graph.add(None, (), (0, 1), "x")
    graph.variables["x"] = 0

    def scanned(name):   # what node_of means: an input, else the last node with the name
        if name in graph.variables:
            return graph.variables[name]
        names = graph.nodes.names
        return next((i for i in range(len(names) - 1, -1, -1) if names[i] == name), None)

    for step in steps:
        size = len(graph.nodes)
        if step[0] == "add":
            graph.add("neg", (size - 1,), (0, 1), step[1])
        elif step[0] == "rename" and step[1] < size:
            graph.rename(step[1], step[2])
        elif step[0] == "replace" and 0 < step[1] < size:
            old = graph.nodes[step[1]]
            graph.nodes[step[1]] = Node(old.id, old.op, old.inputs, step[2], old.span)
        elif step[0] == "truncate" and 0 < step[1] < size:
            graph.nodes.truncate(step[1])
        for name in ("t", "u", "v", "w"):
            assert graph.node_of(name) == scanned(name), (step, name)
    copied = graph.copy()
    copied.rename(len(copied.nodes) - 1, "w")
    assert graph.node_of("w") == scanned("w")    # a copy's index is its own
