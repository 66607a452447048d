"""One evaluation's Result (values, gradients, the backward trace), and how values are bound to a
program's inputs: the engine's side of the API, importing no renderer and no front end."""

from __future__ import annotations

from functools import cached_property
from operator import eq
from types import MappingProxyType

from . import xp
from .errors import GradcalcError, MissingValue, UnusedValue
from .evaluate import Steps, Value, backward, forward
from .graph import Graph, Labels
from .limits import DEFAULT, Limits, check
from .names import did_you_mean, fold, fold_keys, spelled_greek, spelled_out, unaccented
from .numbers import format_shape
from .ops import CONSTANTS
from .parse import parse
from .xp import np

TYPE_CHECKING = False
if TYPE_CHECKING:   # annotations are text: typing is no import of a plain question
    from collections.abc import Iterable, Mapping
    from typing import Any


class Result:
    """Everything one evaluation found: the graph, a value and a gradient per node, the backward trace."""

    # A plain class (dataclasses would cost a plain question ~15 ms of imports), with a __dict__ for
    # `labels` (a cached property) and for api.Result, which takes over an engine Result's fields.
    def __init__(self, graph: Graph, values: list[Value], grads: list[Value | None], steps: Steps | None,
                 inputs: dict[str, Value], wrt: tuple[str, ...] = (), seeded: bool = False,
                 unused: tuple[str, ...] = (), given: tuple[str, ...] = (), upstream: Value | None = None):
        # steps None: the backward pass is walked again, recording its edges, when first read (-q
        # and gradcalc.compute's gradient never read them: a Step per edge was most of the memory)
        self.graph, self.values, self.grads, self._steps = graph, values, grads, steps
        self.inputs, self.wrt = inputs, wrt
        self.seeded = seeded        # True when the caller supplied ∂L/∂output
        # Values given for names the program does not mention: ignored, so one set of values serves
        # several expressions (the command line says so in a note on stderr).
        self.unused = unused
        self.given = given          # the inputs whose values were given, in the order given
        # ∂L/∂output as given (--upstream), None for ones: what a check or a higher derivative
        # evaluates the program again with.
        self.upstream = upstream

    def replace(self, **changes) -> Result:
        """A Result of the same class with some fields changed (`result.replace(wrt=("x",))`)."""
        fields = {name: getattr(self, "_steps" if name == "steps" else name) for name in _FIELDS}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"Result has no field {sorted(unknown)[0]!r}")
        return type(self)(**{**fields, **changes})

    @property
    def steps(self) -> Steps:
        """Each edge of the backward pass, in the order it was taken (recorded on first read)."""
        if self._steps is None:
            self._steps = backward(self.graph, self.values, self.upstream, wrt=self.wrt)[1]
        return self._steps

    @steps.setter
    def steps(self, steps: Steps | None) -> None:
        self._steps = steps

    @property
    def value(self) -> float | np.ndarray:
        """The output's value: a float for a scalar, a numpy array otherwise."""
        return _public(self.values[self.graph.output])

    @property
    def output_name(self) -> str:
        return self.graph.output_name

    @property
    def reported(self) -> tuple[str, ...]:
        """The inputs whose derivatives are reported, in a fixed order: `wrt` as given; else the
        inputs in the order their values were given, then those left to their defaults (in order of
        first use)."""
        if self.wrt:
            return self.wrt
        return self.given + tuple(name for name in self.graph.variables if name not in self.given)

    @property
    def gradient(self) -> dict[str, float | np.ndarray]:
        """∂output/∂name for each reported input (see `reported` for the order)."""
        return {name: self.grad_of(name) for name in self.reported}

    def grad_of(self, name: str) -> float | np.ndarray:
        node = self.graph.variables.get(name)
        if node is None:
            node = self.graph.node_of(name)     # a named intermediate given with wrt
        grad = self.grads[node]
        if grad is None:  # the output does not depend on it (e.g. `0*x` folded away)
            value = self.values[node]
            return 0.0 if type(value) is float else _public(np.zeros_like(value))
        return _public(grad)

    @property
    def loss(self) -> str | None:
        """With --upstream, the name of the loss whose ∂L/∂output was given (L, or loss where the
        program has an L), which every gradient is then of; None when they are of the output."""
        return loss_name(self.labels) if self.seeded else None

    @cached_property
    def labels(self) -> Labels:
        """A label per node (made when read: a big graph's --json reads each once)."""
        return Labels(self.graph)

    def __repr__(self) -> str:
        from .numbers import format_value

        grads = ", ".join(f"∂{self.output_name}/∂{n}={format_value(g)}" for n, g in self.gradient.items())
        return f"<Result {self.output_name}={format_value(self.value)} {grads}>"


def loss_name(labels: list[str]) -> str:
    """The loss an --upstream gradient ∂L/∂output is of: L, unless the program names a node L."""
    return next(name for name in ("L", "loss", "L_") if name not in labels)


_FIELDS = ("graph", "values", "grads", "steps", "inputs", "wrt", "seeded", "unused", "given", "upstream")


def _public(value: Value) -> float | np.ndarray:
    """What the API hands out: a Python float for a scalar, the numpy array for an array."""
    if type(value) is float:
        return value
    return float(value) if xp.ndim(value) == 0 else value


def check_wrt(graph: Graph, wrt: str | Iterable[str]) -> tuple[str, ...]:
    """The names to differentiate by: inputs, or named intermediates (∂price/∂apple_price: the
    gradient accumulated at that node)."""
    if isinstance(wrt, str):
        wrt = (wrt,)
    try:
        names = tuple(wrt)
    except TypeError:
        names = None
    if names is None or not all(isinstance(name, str) for name in names):
        hint = "give the names of inputs: wrt=[\"x\"]"
        if "wrt" in graph.variables:
            hint = "to give a value to a variable named wrt, pass the values as a mapping: " \
                   "compute(text, {\"wrt\": 3})"
        raise GradcalcError(f"wrt takes the names of the inputs to differentiate by, not {wrt!r}",
                            hint=hint)
    names = tuple(dict.fromkeys(text_name(graph, name) for name in names))   # --wrt µ is μ, ŷ y_hat, beta β
    for name in names:
        if graph.node_of(name) is None:
            known = list(graph.variables) + graph.intermediates()
            close = did_you_mean(name, known)
            raise GradcalcError(f"cannot differentiate with respect to {name}: the expression does "
                                f"not use it", hint=f"did you mean {close}?" if close else
                                f"the expression uses {', '.join(known) or 'no variables'}")
    return names


def to_value(raw: Any, name: str = "value") -> Value:
    """A number or nested list as gradcalc's value: a float for a scalar, a float array otherwise.

    A Python float or int stays a Python float (no numpy needed); evaluate.forward decides whether the
    program runs on floats or on numpy."""
    if isinstance(raw, str):   # "pi/4", "[2., 3.]": text is read as --x reads it, by the one reader
        from .values import read_value

        raw = read_value(raw, name)
    if (type(raw) is float and raw - raw == 0.0) or (type(raw) is int and -2**63 <= raw < 2**63):
        return float(raw)    # finite (inf - inf is nan); an int numpy would also read as int64
    if type(raw) is int:      # beyond 64 bits (2**100): numpy would hold it as an object, not a number
        try:
            return float(raw)
        except OverflowError:   # past the largest float (str() of it is refused past 4300 digits)
            digits = int(raw.bit_length() * 0.30103) + 1
            raise GradcalcError(f"the value of {name} is too large for a 64-bit float: an integer of "
                                f"about {digits} digits", hint="64-bit floats reach about 1.8e308") from None
    from .arrays import MAX_AXES, nested_list_problem   # here: a number needs neither

    masked_problem(raw, f"the value of {name}")
    as_floats = False
    if isinstance(raw, np.ndarray) and raw.dtype == object:   # numpy's own array of Python ints
        raw = raw.tolist()
    if isinstance(raw, (list, tuple)):
        try:
            fits = np.asarray(raw).dtype.kind in "fiu"   # at C speed: the common, well-formed case
        except (ValueError, OverflowError):
            fits = False
        # Only a list numpy cannot read as numbers is walked element by element, to say where.
        problem = None if fits else nested_list_problem(raw, name)
        if problem:
            raise GradcalcError(problem, hint="write an array as nested lists of numbers, every row "
                                              "the same length: [[1, 2], [3, 4]]")
        # Every element a finite number, yet numpy read objects: an integer beyond 64 bits (2**100),
        # which numpy keeps as a Python int. Read as floats, as the same integer alone is.
        as_floats = not fits
    try:
        array = np.asarray(raw, dtype=np.float64) if as_floats else np.asarray(raw)
        if array.dtype.kind not in "fiu":  # true, "1" and None are not numbers, even if numpy casts them
            raise TypeError(f"it holds {array.dtype.name} values, not numbers")
        array = array.astype(np.float64, copy=False)
    except (ValueError, TypeError) as error:
        shown = repr(raw)
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        raise GradcalcError(f"the value of {name} is not a number or a rectangular array of numbers: "
                            f"{shown}", hint=str(error).split("\n")[0]) from None
    if not np.all(np.isfinite(array)):
        index = tuple(np.argwhere(~np.isfinite(array))[0])   # the first bad element, () for a scalar
        where = f"{name}[{', '.join(map(str, index))}]" if index else name
        raise GradcalcError(f"the value of {name} is not finite: {where} is {array[index]}",
                            hint="give a finite number; nan and inf are not allowed as inputs")
    if array.size == 0:
        raise GradcalcError(f"the value of {name} is empty", hint="give at least one number")
    if array.ndim > MAX_AXES:
        raise GradcalcError(f"the value of {name} has {array.ndim} axes; gradcalc takes at most {MAX_AXES}",
                            hint="reshape it to fewer axes")
    return np.float64(array) if array.ndim == 0 else array


def masked_problem(raw: Any, what: str) -> None:
    """Refuse a numpy masked array with elements masked: np.asarray would silently take the
    numbers under the mask, which the caller meant to leave out."""
    mask = getattr(raw, "mask", None)
    if mask is None or not type(raw).__module__.startswith("numpy"):
        return
    hidden = int(np.count_nonzero(np.ma.getmaskarray(raw)))
    if hidden:
        raise GradcalcError(f"{what} is a masked array with {hidden} masked "
                            f"{'element' if hidden == 1 else 'elements'}: gradcalc has no masked "
                            f"values and would use the numbers under the mask",
                            hint="fill them (value.filled(0)) or drop them (value.compressed())")


def text_name(graph: Graph, name: str) -> str:
    """The name as the text has it, the one alias rule of every place a name is given (a value,
    --wrt, --expect, the API's expect, a points file's column): look-alike letters folded (µ is μ),
    an accent spelled as code spells it (ŷ is y_hat), and a Greek letter's spelled-out name (beta,
    sigma_1) the letter (β, σ_1) where the text has the letter and no name so spelled."""
    name = fold(unaccented(name) or name)
    letter = spelled_greek(name)    # first: node_of walks the nodes, and a header may name 60 000
    if letter and graph.node_of(name) is None and graph.node_of(letter) is not None:
        return letter
    return name


def greek_keys(graph: Graph, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with each name as the text has it (`text_name`: --beta gives β) where that is an
    input, unless a value for the letter was given too."""
    renamed = {name: letter for name in values if (letter := text_name(graph, name)) != name
               and letter in graph.variables and letter not in values}
    return {renamed.get(name, name): value for name, value in values.items()} if renamed else values


def bind(graph: Graph, values: dict[str, Any], unused: list[str] | None = None) -> dict[str, Value]:
    """Match given values to the program's inputs: every input needs one. A value for a name the
    program does not mention is appended to `unused` (an error if that is None); a value for a
    computed name or a constant is always an error."""
    values = greek_keys(graph, fold_keys(values))    # --µ gives the text's μ, --beta its β
    for name in values:
        if name not in graph.variables:
            error = _unused_value(graph, name)
            if unused is None or not error.unknown:
                raise error
            unused.append(name)
    if not values and len(graph.defaults) == len(graph.variables) and all(map(eq, graph.defaults, graph.variables)):
        # every input given its value in the program (x0 = 0.5, …): the graph's own table of them, read
        # only, not a copy (a 10⁵-line program's was 3.7 MB)
        return MappingProxyType(graph.defaults)
    inputs: dict[str, Value] = {}
    missing = []
    for name in graph.variables:
        if name in values:
            inputs[name] = to_value(values[name], name)
            check("elements", xp.size(inputs[name]), f"the value of {name}", graph.limits)
        elif name in graph.defaults:
            inputs[name] = graph.defaults[name]
        else:
            missing.append(name)
    if missing:
        from .parse import leibniz

        derivative = leibniz(graph.text or "", set(missing))
        if derivative is not None:     # d/dx sin(x): names d and dx without values
            raise derivative
        first = graph.nodes[graph.variables[missing[0]]]
        options = " ".join(f"--{name} VALUE" + (f" (or --{spelled} VALUE)" if (spelled := spelled_out(name))
                                                 and spelled not in graph.variables else "") for name in missing)
        hint = f"give {options}"
        near = did_you_mean(missing[0], unused or ())
        parts = _spelled_together(missing[0], unused or ())
        if parts:   # xy with --x and --y given: a product written without * between two names
            hint = (f"{missing[0]} is one name; to multiply {', '.join(parts[:-1])} and {parts[-1]}, "
                    f"write {'*'.join(parts)}")
        joined, together = next(((name, spelled) for name in missing[:20] if (spelled := _spelled_together(
            name, (set(graph.variables) | set(values)) - {name}))), (None, None))
        needed = [piece for piece in dict.fromkeys(together or ()) if piece not in values]
        if needed and not parts and not _python(graph.text):   # y + yy, no values: yy may be y·y
            hint += (f"; if {joined} is {'·'.join(together)}, give "
                     f"{' '.join(f'--{p} VALUE' for p in needed)} and not --{joined} ({joined} is then read as "
                     f"{'·'.join(together)})")
        points = {name: given for name in missing for given in (unused or ())
                  if given in (f"{name}_0", f"{name}0", f"{name}₀", f"{name}_{{0}}")}
        if points:   # f(w, x) = … with --w_0 1: the point (w₀, …) where f is evaluated, named for the input
            hint += (f"; {' and '.join(points.values())} {'was' if len(points) == 1 else 'were'} given: "
                     f"for the point where {graph.output_name} is evaluated, give "
                     f"{'its value' if len(points) == 1 else 'their values'} to the input"
                     f"{'' if len(points) == 1 else 's'}: " +
                     " ".join(f"--{name} {_shown(values[given])}" for name, given in points.items()))
        elif same_but_case := [given for given in unused or () if given.lower() == missing[0].lower()]:
            hint = (f"write --{missing[0]} {_shown(values[same_but_case[0]])}: --{same_but_case[0]} was given, "
                    f"and names are case-sensitive ({same_but_case[0]} and {missing[0]} are two variables)")
        elif near and _doubled(near, missing[0]):      # --xx 1 for x
            hint += f" (a value was given for {near}: did you mean {missing[0]}?)"
        elif near and _doubled(missing[0], near):      # taxx in the text, --tax given
            hint += f" (a value was given for {near}: if {missing[0]} is a slip, write {near} in the expression)"
        elif near:   # either side may be the slip
            hint += (f" (a value was given for {near}: if it is for {missing[0]}, give it as --{missing[0]}; "
                     f"if {missing[0]} is a slip, write {near} in the expression)")
        if any(note.startswith(f"{missing[0]} == … compares") for note in graph.notes):   # y == x^2
            hint += f"; to name the formula {missing[0]}, write {missing[0]} = … with one ="
        logarithm = _logarithm(missing[0])
        if logarithm:   # log_2 + 1: a variable, or a logarithm whose argument is missing?
            hint += f"; {logarithm}"
        raise MissingValue(f"no value for {', '.join(missing)}", missing, first.span,
                           hint=hint, text=graph.text)
    return inputs


# Logarithms' short names that books differ on (lg is log10 in ISO 80000-2 and DIN, log2 in CLRS).
_SHORT_LOGS = {"lg": "lg is log10 in ISO 80000 and log2 in computer science: write log10(x) or log2(x)",
               "lb": "lb is ISO 80000's log2: write log2(x)", "ld": "ld is log2 in German texts: write log2(x)"}


def _logarithm(name: str) -> str | None:
    """How to write the logarithm a name without a value may be (log_2, lg), or None."""
    from .mathtext import log_base

    base = log_base(name)
    if base is None or len(base) > 1 and not base[0].isdigit():     # log_prob: a variable's name
        return _SHORT_LOGS.get(name) if base is None else None
    spelled = {"2": "log2(x)", "10": "log10(x)", "e": "log(x)"}.get(base, f"log(x, {base})")
    return f"for the logarithm to base {base} of x, write {name}(x) or {spelled}"


def _doubled(slip: str, name: str) -> bool:
    """Whether `slip` is `name` with one letter typed twice (taxx for tax)."""
    return len(slip) == len(name) + 1 and any(slip[:i] + slip[i + 1:] == name and slip[i] == slip[i - 1]
                                              for i in range(1, len(slip)))


def _python(text: str | None) -> bool:
    from .parse import read_as_python

    return text is None or read_as_python(text)


def _shown(raw) -> str:
    """A given value as it can be typed again after --NAME."""
    text = raw if isinstance(raw, str) else repr(raw).removesuffix(".0")
    return text if not any(c in text for c in " []") else f'"{text}"'


def _spelled_together(name: str, given) -> list[str] | None:
    """`name` written as two or more of the given names side by side (xy from x and y), or None."""
    given = set(given)
    if not given or len(name) > 64:
        return None
    ways: dict[int, list[str]] = {0: []}   # prefix length → one way to spell it from given names
    for end in range(1, len(name) + 1):
        for start in range(end):
            if start in ways and name[start:end] in given:
                ways[end] = ways[start] + [name[start:end]]
                break
    found = ways.get(len(name))
    return found if found and len(found) > 1 else None


def _unused_value(graph: Graph, name: str) -> UnusedValue:
    inputs = ", ".join(graph.variables) or "no inputs"
    if graph.node_of(name) is not None:     # not an input (bind asks only for those): computed
        return UnusedValue(f"{name} is computed by the program, so it takes no value", name,
                           hint=f"give values for its inputs instead: {inputs}")
    if name in CONSTANTS:
        return UnusedValue(f"{name} is the constant {name} = {CONSTANTS[name]!r}, so it takes no value",
                           name, hint=f"to use a variable of your own, give it another name "
                                      f"(such as {name}0)")
    close = did_you_mean(name, graph.variables)
    return UnusedValue(f"a value was given for {name}, which the expression does not use", name,
                       hint=f"did you mean {close}?" if close else f"the expression uses {inputs}",
                       unknown=True)


def evaluate(graph: Graph, values: dict[str, Any] | None = None, wrt: Iterable[str] = (),
             upstream: Any = None) -> Result:
    """Forward then backward over a parsed graph."""
    wrt = check_wrt(graph, wrt or graph.asked)
    # --alpha gives α: keyed as the text names it before `given` keeps the order they came in
    values = greek_keys(graph, fold_keys(values or {}))
    unused: list[str] = []
    inputs = bind(graph, values, unused)
    node_values = forward(graph, inputs)
    seed, want = None, None
    if upstream is not None or graph.seed is not None:
        # --upstream, else y.backward(v) in the program: v
        seed = to_value(upstream, "upstream") if upstream is not None else node_values[graph.seed[0]]
        want = xp.shape(node_values[graph.output])
    if seed is not None and xp.shape(seed) != want:
        shown, out = format_shape(xp.shape(seed)), graph.output_name
        if upstream is None:
            raise GradcalcError(f"{graph.seed[1]}: the seed has shape {shown} but {out} has shape "
                                f"{format_shape(want)}", hint=f"give a seed of {out}'s shape, {format_shape(want)}: "
                                                              f"∂L/∂{out}, as the library requires")
        raise GradcalcError(f"the upstream gradient has shape {shown} but the output {out} has shape "
                            f"{format_shape(want)}", hint=f"give --upstream as an array of shape {format_shape(want)}, "
                                                          f"∂L/∂{out}")
    elif seed is None and graph.scalar_asked is not None and np.size(node_values[graph.output]) != 1:
        raise _not_one_number(graph, xp.shape(node_values[graph.output]))   # torch: numel() == 1
    if "one_element" in graph.wants:     # torch.autograd.grad(dy_dx, x) again: dy_dx must be one number
        _one_element(graph, inputs, wrt)
    grads, _ = backward(graph, node_values, seed, wrt=wrt, record=False)
    for note in _earlier_answers(graph, node_values, inputs):
        if note not in graph.notes:
            graph.notes.append(note)
    given = tuple(name for name in (values or {}) if name in graph.variables)
    return Result(graph, node_values, grads, None, inputs, wrt, seeded=seed is not None,
                  unused=tuple(unused), given=given, upstream=seed)


def _not_one_number(graph: Graph, shape) -> GradcalcError:
    """y.backward() of an array y: PyTorch raises ('grad can be implicitly created only for scalar
    outputs'), where gradcalc would give the gradient of y's sum."""
    call, start, end = graph.scalar_asked
    cut = call.rfind(".backward(")
    if cut > 0:
        name = call[:cut]
        fix, seed = f"{name}.sum().backward()", f"{name}.backward(gradient=v)"
    else:
        name = graph.output_name
        fix, seed = f"torch.autograd.grad({name}.sum(), …)", "grad_outputs=v"
    return GradcalcError(f"{call} asks the gradient of {name}, a {format_shape(shape)} array: PyTorch computes it of "
                         f"one number only ('grad can be implicitly created only for scalar outputs')",
                         (start, end), text=graph.text,
                         hint=f"write {fix} for the gradient of the sum of its elements, or give ∂L/∂{name} "
                              f"with --upstream (PyTorch's {seed})")


def _one_element(graph: Graph, inputs: dict, wrt: tuple[str, ...]) -> None:
    """torch.autograd.grad of a gradient (after create_graph=True) without grad_outputs: PyTorch computes
    it of one number only, so the input differentiated by must have one element."""
    for name in wrt or tuple(graph.variables):
        if name in inputs and np.size(inputs[name]) != 1:
            call = graph.wants["one_element"]
            raise GradcalcError(f"{call} differentiates a gradient by {name}, a {format_shape(xp.shape(inputs[name]))} "
                                f"array: the gradient has {name}'s shape, and PyTorch differentiates one number only "
                                f"('grad can be implicitly created only for scalar outputs')",
                                hint=f"give {name} one element (torch.tensor([2.0])): then it is the second derivative; "
                                     f"every second derivative of an array is the formula's --hessian")


def _earlier_answers(graph: Graph, node_values: list, inputs: dict) -> list[str]:
    """A persistent tape's questions before the last, each answered: its call and its gradients (the
    output's, the last question's, are the Result's)."""
    from .numbers import format_value

    notes = []
    for node, sources, call in graph.questions:
        asked = graph.copy()
        asked.output = node
        names = check_wrt(asked, sources) if sources else tuple(asked.variables)
        found = Result(asked, node_values, backward(asked, node_values, None, wrt=names, record=False)[0], None,
                       inputs, names)
        out = found.labels[node]
        shown = "; ".join(f"∂{out}/∂{name} = {format_value(grad)}" for name, grad in found.gradient.items())
        kept = "of the persistent tape" if ".gradient(" in call else "of the graph retain_graph=True kept"
        notes.append(f"{call} (an earlier question {kept}): {shown}")
    return notes


def compute(text: str, values: Mapping[str, Any] | None = None, *, wrt: str | Iterable[str] = (),
            upstream: Any = None, limits: Limits = DEFAULT, **named_values: Any) -> Result:
    """Parse `text`, run forward and backward, return the engine's Result (`gradcalc.compute`, the
    public one, documents it and adds the Result's feature methods)."""
    values = merge_values(values, named_values)
    graph = parse(expression_text(text), limits, values)
    if upstream is not None and graph.seed is not None:
        raise GradcalcError(f"{graph.seed[1]} gives the upstream gradient already, and --upstream another",
                            hint="leave --upstream out (the program's seed is used), or write the call without its seed")
    return evaluate(graph, values, wrt, upstream)


def expression_text(text: Any) -> str:
    """The program's text, which must be a string (a number or None is a mistake, not a program)."""
    if not isinstance(text, str):
        raise GradcalcError(f"the expression is a string of gradcalc's syntax, not "
                            f"{type(text).__name__}: {text!r}"[:200], hint='write "(x+y)**2"')
    return text


def merge_values(values: Mapping[str, Any] | None, named_values: dict[str, Any]) -> dict[str, Any]:
    """The values of a mapping and of keywords, each name given once."""
    if values is None:
        return dict(named_values)
    if type(values) is not dict:
        from collections.abc import Mapping   # here: a dict, the common case, needs no abstract classes

        if not isinstance(values, Mapping):
            raise GradcalcError(f"the values are given as a mapping from names to values, not "
                                f"{type(values).__name__}", hint='write {"x": 1, "y": 2}')
    twice = [name for name in named_values if name in values]
    if twice:
        raise GradcalcError(f"{twice[0]} is given twice, in the mapping and as a keyword")
    for name in values:
        if not isinstance(name, str):
            raise GradcalcError(f"a variable's name is a string, not {name!r}")
    return {**values, **named_values}
