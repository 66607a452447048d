"""The computational graph: nodes kept in creation order, which is a topological order."""

from __future__ import annotations

import gc
from array import array

from .errors import Span
from .limits import DEFAULT, Limits, exceeded

# Plain classes with __slots__, not dataclasses: `dataclasses` imports `inspect` (ast, dis, tokenize),
# about 15 ms of a plain question's start-up, and a parse makes one Node per node.


class Node:
    """One operation, input or constant of a program; replaced, never changed, once in a Graph."""

    # The span's two ends are slots of their own: a tuple per node was a fifth of a big graph's memory.
    __slots__ = ("id", "op", "inputs", "name", "start", "end")

    def __init__(self, id: int, op: str | None, inputs: tuple[int, ...], name: str | None, span: Span):
        self.id = id                # its place in Graph.nodes
        self.op = op                # key into OPS; None for variables and constants
        self.inputs = inputs        # ids of the nodes this one reads
        self.name = name            # "x", "t" — or None for an unnamed intermediate
        self.start, self.end = span

    @property
    def span(self) -> Span:
        """Where it stands in the source text: (start, end) offsets."""
        return (self.start, self.end)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Node:
            return NotImplemented
        return (self.id, self.op, self.inputs, self.name, self.span) == \
            (other.id, other.op, other.inputs, other.name, other.span)

    def __hash__(self) -> int:
        return hash((self.id, self.op, self.inputs, self.name, self.span))

    def __repr__(self) -> str:
        return f"Node({self.id}, {self.op!r}, {self.inputs}, {self.name!r}, {self.span})"


# What `right` holds for a node of fewer than two inputs (its one input in `left`, or -1 there too)
# and for one of three or more (its inputs in `more`).
AT_MOST_ONE, IN_MORE = -1, -2


class Nodes:
    """A graph's nodes, held as columns and read as a list of Node: `nodes[i]`, iteration, slices and
    len make each Node when asked for. A parse of a 10⁵-term sum makes 5·10⁵ nodes that forward and
    backward read column by column.

    The columns hold no object per node where a number will do: input ids and span ends are machine
    integers in arrays, 16 bytes a node (a tuple of two Python ints and a packed span as an int were
    ~150, most of a long sum's memory). They are C ints, widened to 64 bits should a number not fit.
    `ops` and `names` are lists of shared strings (None for an input or a constant, and for an
    unnamed node). Read a node's inputs with `input_ids(i)` (a tuple) or, in a hot loop, off `left`
    and `right`: right[i] ≥ 0 is a second input, AT_MOST_ONE says there is at most one (left[i], or
    none where that is −1), IN_MORE that `more[i]` holds them."""

    __slots__ = ("ops", "left", "right", "more", "names", "starts", "ends", "appends", "named", "indexed")

    def __init__(self, nodes=()):
        self.ops: list[str | None] = []
        self.left, self.right = array("i"), array("i")
        self.more: dict[int, tuple[int, ...]] = {}
        self.names: list[str | None] = []
        self.starts, self.ends = array("i"), array("i")
        # name → its last node, over the first `indexed` nodes (last_named); None until first asked
        self.named: dict[str, int] | None = None
        self.indexed = 0
        self._bind()
        for node in nodes:
            self.append(node)

    def _bind(self) -> None:
        # the columns' bound append methods, for Graph.add (looking each up was a tenth of its time)
        self.appends = (self.ops.append, self.left.append, self.right.append, self.names.append,
                        self.starts.append, self.ends.append)

    def span(self, node_id: int) -> Span:
        return (self.starts[node_id], self.ends[node_id])

    def last_named(self, name: str) -> int | None:
        """The last node named `name`, or None. Read off an index made when first asked and brought up
        to date with the nodes added since (rename, __setitem__ and truncate keep it right): a scan a
        question was quadratic where many names are asked of a long program (a points header's
        60 000 spelled-out Greek names, each looked up before its letter)."""
        names = self.names
        if self.named is None:
            self.named, self.indexed = {}, 0
        if self.indexed < len(names):
            self.named.update({name: i for i, name in enumerate(names[self.indexed:], self.indexed)
                               if name is not None})
            self.indexed = len(names)
        return self.named.get(name)

    def rename(self, node_id: int, name: str | None) -> None:
        """Give node `node_id` the name `name` (None: none), keeping last_named's index right."""
        old, self.names[node_id] = self.names[node_id], name
        named = self.named
        if named is None or old == name or node_id >= self.indexed:
            return                                  # no index, or the node is not in it yet
        if old is not None and named.get(old) == node_id:
            self.named = None                       # the name's node before this one: made again when asked
        elif name is not None and named.get(name, -1) < node_id:
            named[name] = node_id

    def input_ids(self, node_id: int) -> tuple[int, ...]:
        right = self.right[node_id]
        if right >= 0:
            return (self.left[node_id], right)
        if right == AT_MOST_ONE:
            left = self.left[node_id]
            return (left,) if left >= 0 else ()
        return self.more[node_id]

    @property
    def inputs(self) -> _Inputs:
        """Each node's input ids as a tuple, `nodes.inputs[i]` (a view: made when read)."""
        return _Inputs(self)

    def push(self, op: str | None, inputs: tuple[int, ...], span: Span, name: str | None) -> None:
        """Add a node's columns (Graph.add checks the limit and gives its id)."""
        node_id = len(self.ops)
        left, right = self._coded(node_id, inputs)
        start, end = span
        try:
            self.left.append(left)
            self.right.append(right)
            self.starts.append(start)
            self.ends.append(end)
        except OverflowError:
            self.widen(node_id)
            return self.push(op, inputs, span, name)
        self.ops.append(op)
        self.names.append(name)

    def _coded(self, node_id: int, inputs: tuple[int, ...]) -> tuple[int, int]:
        """What `left` and `right` hold for these inputs (three or more go in `more`)."""
        count = len(inputs)
        if count == 2:
            return inputs[0], inputs[1]
        if count < 2:
            return (inputs[0] if count else -1), AT_MOST_ONE
        self.more[node_id] = tuple(inputs)
        return inputs[0], IN_MORE

    def widen(self, count: int) -> None:
        """The number columns cut back to `count` nodes and made 64-bit: a number did not fit a C int."""
        if self.left.typecode == "q":
            raise OverflowError("a node id or a span's end does not fit in 64 bits")
        for column in ("left", "right", "starts", "ends"):
            setattr(self, column, array("q", getattr(self, column)[:count]))
        self._bind()

    def append(self, node: Node) -> None:
        if node.id != len(self.ops):
            raise ValueError(f"node {node.id} appended as node {len(self.ops)}")
        self.push(node.op, node.inputs, node.span, node.name)

    def __len__(self) -> int:
        return len(self.ops)

    def __getitem__(self, index):
        if type(index) is slice:
            return [self[i] for i in range(*index.indices(len(self.ops)))]
        if index < 0:
            index += len(self.ops)
        return Node(index, self.ops[index], self.input_ids(index), self.names[index],
                    (self.starts[index], self.ends[index]))

    def __setitem__(self, index: int, node: Node) -> None:
        if index < 0:
            index += len(self.ops)
        if node.id != index:
            raise ValueError(f"node {node.id} put in place of node {index}")
        self.more.pop(index, None)
        left, right = self._coded(index, node.inputs)
        start, end = node.span
        try:
            self.left[index], self.right[index], self.starts[index], self.ends[index] = left, right, start, end
        except OverflowError:
            self.widen(len(self.ops))
            self.left[index], self.right[index], self.starts[index], self.ends[index] = left, right, start, end
        self.ops[index] = node.op
        self.rename(index, node.name)

    def __iter__(self):
        for i in range(len(self.ops)):
            yield self[i]

    def __reversed__(self):
        for i in range(len(self.ops) - 1, -1, -1):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Nodes):
            return self._columns() == other._columns()
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def _columns(self) -> tuple:
        # as lists: an array('i') and an array('q') of the same numbers are not equal
        return (self.ops, self.left.tolist(), self.right.tolist(), self.more, self.names, self.starts.tolist(),
                self.ends.tolist())

    __hash__ = None

    def __repr__(self) -> str:
        return repr(list(self))

    def truncate(self, count: int) -> None:
        """Take back the nodes from `count` on (a lambda's body, read as text to read again where called)."""
        for column in (self.ops, self.left, self.right, self.names, self.starts, self.ends):
            del column[count:]
        for node_id in [node_id for node_id in self.more if node_id >= count]:
            del self.more[node_id]
        if self.indexed > count:
            self.named = None      # names of the nodes taken back: made again when next asked

    def copy(self) -> Nodes:
        copied = Nodes()
        copied.ops, copied.names, copied.more = list(self.ops), list(self.names), dict(self.more)
        copied.left, copied.right = array(self.left.typecode, self.left), array(self.right.typecode, self.right)
        copied.starts, copied.ends = array(self.starts.typecode, self.starts), array(self.ends.typecode, self.ends)
        copied._bind()
        return copied


class _Inputs:
    """`nodes.inputs`: each node's input ids as a tuple, read off the columns."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: Nodes):
        self.nodes = nodes

    def __getitem__(self, node_id: int) -> tuple[int, ...]:
        if node_id < 0:
            node_id += len(self.nodes.ops)
        return self.nodes.input_ids(node_id)

    def __len__(self) -> int:
        return len(self.nodes.ops)

    def __iter__(self):
        input_ids = self.nodes.input_ids
        for i in range(len(self.nodes.ops)):
            yield input_ids(i)


class Graph:
    """A program as nodes. An op is created after its inputs, so `nodes` is topologically sorted."""

    __slots__ = ("text", "nodes", "variables", "constants", "defaults", "output", "limits", "versions",
                 "notes", "written_products", "axis_or_number", "asked", "scalar_asked", "seed", "questions",
                 "wants")

    def __init__(self, text: str, nodes=None, variables: dict[str, int] | None = None,
                 constants: dict | None = None, defaults: dict | None = None, output: int = -1,
                 limits: Limits = DEFAULT, versions: dict[int, int] | None = None,
                 notes: list[str] | None = None):
        self.text = text
        # a list of Node is taken as columns (a Nodes is taken as it is, shared)
        self.nodes = Nodes() if nodes is None else nodes if isinstance(nodes, Nodes) else Nodes(nodes)
        self.variables = {} if variables is None else variables     # input name → node id, first use first
        self.constants = {} if constants is None else constants     # node id → value of a literal
        self.defaults = {} if defaults is None else defaults        # `apple = 100`: an input with a value
        self.output = output
        self.limits = limits                                         # checked as nodes are added
        # A name assigned again (`c = c + 1`) names a new node: node id → its version, 2 for the second.
        self.versions = {} if versions is None else versions
        self.notes = [] if notes is None else notes                 # what the trace should say about names
        # Products written as notes write them (W x, a·b): node id → the operator as written ("" for
        # none). Two arrays multiplied so are a matrix product; the forward pass decides, seeing shapes.
        self.written_products: dict[int, str] = {}
        # max(X, 1), min(X, -1): node id → the integer, an axis of an array X or a number to compare
        # with; the forward pass refuses it where X is an array with that axis (two readings).
        self.axis_or_number: dict[int, int] = {}
        # the inputs a pasted program asks the gradients of, in its order (tape.gradient(loss, [w, b]),
        # jax.grad(f, argnums=1)): what is reported when no --wrt is given; () for every input
        self.asked: tuple[str, ...] = ()
        # where a pasted program asks a gradient its library computes of one number only (y.backward(),
        # torch.autograd.grad(y, x) without a seed): (the call as written, start, end); None elsewhere
        self.scalar_asked: tuple[str, int, int] | None = None
        # y.backward(v) in a pasted program: (the node whose value is ∂L/∂output, the call as written),
        # the upstream the backward pass starts from where no --upstream is given; None: ones
        self.seed: tuple[int, str] | None = None
        # a persistent tape's questions before the last: (the node asked of, the inputs asked or None, the
        # call as written), each answered in a note beside the output's gradients
        self.questions: tuple = ()
        # what a pasted program asks beyond the gradient, as the options that compute it would
        # (jax.jacfwd(f)(x) of a vector f: {"jacobian": the call as written}; jax.hessian: "hessian";
        # grad(grad(f)): {"order": 2}): the command line computes them as if those options were given
        self.wants: dict = {}

    def copy(self) -> Graph:
        """A copy whose node list and tables can grow (derivative nodes) without changing this graph."""
        copied = Graph(self.text, self.nodes.copy(), dict(self.variables), dict(self.constants),
                       dict(self.defaults), self.output, self.limits, dict(self.versions), list(self.notes))
        copied.written_products = dict(self.written_products)
        copied.axis_or_number = dict(self.axis_or_number)
        copied.scalar_asked = self.scalar_asked
        copied.asked = self.asked
        copied.seed, copied.questions = self.seed, self.questions
        copied.wants = dict(self.wants)
        return copied

    def add(self, op: str | None, inputs: tuple[int, ...], span: Span, name: str | None = None) -> int:
        nodes = self.nodes
        node_id = len(nodes.ops)
        if node_id >= self.limits.nodes:
            raise exceeded("nodes", node_id + 1, "the program", self.limits, span, self.text)
        # Nodes.push, written out for two inputs and for none (an input, a constant): a long sum's
        # parse adds 5·10⁵ nodes, and two calls each were a tenth of its time
        if len(inputs) == 2:
            left, right = inputs
        elif not inputs:
            left, right = -1, AT_MOST_ONE       # as Nodes._coded writes no inputs
        else:
            nodes.push(op, inputs, span, name)
            return node_id
        start, end = span
        put_op, put_left, put_right, put_name, put_start, put_end = nodes.appends
        try:
            put_left(left)
            put_right(right)
            put_start(start)
            put_end(end)
        except OverflowError:
            nodes.widen(node_id)
            nodes.push(op, inputs, span, name)
            return node_id
        put_op(op)
        put_name(name)
        return node_id

    def rename(self, node_id: int, name: str | None) -> None:
        self.nodes.rename(node_id, name)

    def node_of(self, name: str) -> int | None:
        """The node a name means: an input, else the last node assigned that name (a named
        intermediate, `t = x + y`); None if the program has neither."""
        node = self.variables.get(name)
        if node is not None:
            return node
        return self.nodes.last_named(name)

    def intermediates(self) -> list[str]:
        """The names of assigned (computed) values, in order of assignment."""
        return list(dict.fromkeys(name for name in self.nodes.names
                                  if name is not None and name not in self.variables))

    @property
    def output_name(self) -> str:
        """The output's own name, or the first of z, f, out that is not an input."""
        name = self.nodes.names[self.output]
        if name is not None:
            return name
        return next(n for n in ("z", "f", "out", "output_") if n not in self.variables)

    def labels(self) -> list[str]:
        """A short label per node: its name, its source text for a literal, else n1, n2, … in creation order."""
        return list(Labels(self))


class Labels:
    """A graph's labels, read as their list is (`labels[i]`, len, in order), each made when read:
    a node's name, its literal's text, or n1, n2, … for the unnamed nodes in creation order, whose
    numbers are worked out once into an array. A list of them all held a string a node (~30 MB for
    a 10⁵-term sum's --json, which reads each once)."""

    __slots__ = ("graph", "numbers")

    def __init__(self, graph: Graph):
        self.graph = graph
        names, constants, output = graph.nodes.names, graph.constants, graph.output
        taken = {name for name in names if name and name[0] == "n"}    # only n… can clash with n1
        self.numbers = numbers = array("i", [0]) * len(names)     # n's number, 0 for the others
        count = 0
        for node_id, name in enumerate(names):
            if name is None and node_id != output and node_id not in constants:
                count += 1
                while f"n{count}" in taken:
                    count += 1
                numbers[node_id] = count

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, node_id):
        if type(node_id) is slice:
            return [self[i] for i in range(*node_id.indices(len(self.numbers)))]
        number = self.numbers[node_id]
        if number:
            return f"n{number}"
        graph = self.graph
        if node_id < 0:
            node_id += len(self.numbers)
        name = graph.nodes.names[node_id]
        if name is not None:
            version = graph.versions.get(node_id)
            return name if version is None else version_label(name, version)
        if node_id == graph.output:
            return graph.output_name
        start, end = graph.nodes.span(node_id)
        written = graph.text[start:end].strip().translate(_SUPERSCRIPTS)
        # a number a pasted library call implies (square is **2) is not in the text: its value
        return written or _number_label(graph.constants[node_id])

    def __iter__(self):
        for node_id in range(len(self.numbers)):
            yield self[node_id]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Labels, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(list(self))


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")   # x² is x^2: its exponent's label is 2


def _number_label(value) -> str:
    return f"{value:g}" if isinstance(value, float) else "const"


def version_label(name: str, version: int) -> str:
    """c₂ for the second value assigned to c, c₃ for the third (the first is plain c)."""
    return name + str(version).translate(_SUBSCRIPTS)


class gc_paused:
    """Parsing and the passes make many long-lived objects and no reference cycles; the cyclic garbage
    collector would scan them over and over as they pile up (a 10⁵-term sum ran ~1.5× slower).
    `with gc_paused():` turns it off for the block (a class: contextlib is an import a question can skip)."""

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.was_enabled:
            gc.enable()
