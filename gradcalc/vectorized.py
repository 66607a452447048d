"""gradcalc.vectorize(text): the value and gradient at every row of a table, by --points's engine.

`--points` reads rows from a file and hands each chunk's columns to `Vectorized.evaluate`; called on
a pandas DataFrame (or a mapping of equal-length arrays), a Vectorized returns the rows `--points`
writes: the inputs, `value`, and one `dz/dx` column per variable. A Vectorized pickles as its text
and options (the graph is parsed again where it lands), so Dask can ship it to its workers:
`dd.read_csv(...).map_partitions(gradcalc.vectorize(text))`.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping

import numpy as np

from .api import speaks_api
from .errors import GradcalcError, MathError
from .graph import Graph
from .limits import DEFAULT, Limits


class Vectorized:
    """A function of a table: value and gradient at every row, one vectorised pass per slice."""

    @speaks_api
    def __init__(self, text: str, values: Mapping[str, Any] | None = None, *,
                 wrt: str | Iterable[str] = (), keep_going: bool = False, limits: Limits = DEFAULT,
                 graph: Graph | None = None):
        from .limits import chosen
        from .result import check_wrt, expression_text, to_value

        self.text, self.keep_going, self.limits = expression_text(text), bool(keep_going), chosen(limits)
        self._graph = graph
        self.wrt = check_wrt(self.graph, wrt)
        self.fixed: dict[str, float] = {}
        for name, raw in (values or {}).items():
            if name not in self.graph.variables:
                close = difflib.get_close_matches(str(name), list(self.graph.variables), n=1)
                raise GradcalcError(f"a value was given for {name}, which the expression does not use",
                                    hint=f"did you mean {close[0]}?" if close else
                                    f"the expression uses {', '.join(self.graph.variables)}")
            value = to_value(raw, name)
            if np.ndim(value):
                raise GradcalcError(f"a value given for {name} holds for every row, so it is one "
                                    f"number, not an array", hint=f"make {name} a column instead")
            self.fixed[name] = float(value)

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            from .parse import parse

            self._graph = parse(self.text, self.limits)
        return self._graph

    def __getstate__(self) -> dict:
        # The text, not the graph: what is sent to another process stays small and plain.
        return {**self.__dict__, "_graph": None}

    def __repr__(self) -> str:
        return f"gradcalc.vectorize({self.text!r})"

    # The columns ---------------------------------------------------------------------------------
    @property
    def gradient_names(self) -> list[str]:
        return list(self.wrt or self.graph.variables)

    def output_columns(self, given: list[str]) -> list[str]:
        """The inputs as given, `value`, `dz/dx` per variable (and `error` with keep_going), named
        as --points names them."""
        from .render.batch import output_columns

        return output_columns(given, self.graph.output_name, self.gradient_names, self.keep_going)

    def input_columns(self) -> list[str]:
        """The columns a table must have: every input not given a value and without a default."""
        return [name for name in self.graph.variables
                if name not in self.fixed and name not in self.graph.defaults]

    @speaks_api
    def meta(self, table: Any = None):
        """An empty pandas DataFrame shaped like the result (Dask's `meta=`): for the columns of
        `table` (a pandas or Dask DataFrame, or a list of names), else for every input."""
        import pandas as pd

        given = self.input_columns() if table is None else \
            list(table) if isinstance(table, (list, tuple)) else [str(c) for c in table.columns]
        return self(pd.DataFrame({name: np.empty(0) for name in given}))

    # The engine ----------------------------------------------------------------------------------
    def evaluate(self, columns: dict[str, np.ndarray], n: int
                 ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[int, MathError]]:
        """Value (n,), gradient per variable (n,) and each failing row's MathError, for the columns
        given (arrays of n floats); the other inputs take their fixed value or their default."""
        from .batch import evaluate_columns

        return evaluate_columns(self.graph, columns, n, self.fixed, self.wrt)

    @speaks_api
    def __call__(self, table: Any):
        """The rows --points would write for `table`: a DataFrame for a DataFrame (same index), a
        dict of numpy arrays for a mapping. A row outside the domain raises its MathError (`row i:
        …`), or with keep_going gets NaN and a message in the `error` column."""
        frame = _is_dataframe(table)
        if frame:
            given = list(table.columns)
            duplicates = sorted({str(name) for name in given if given.count(name) > 1})
            if duplicates:   # table[name] would be a DataFrame of both columns
                raise GradcalcError(f"the table has the column {duplicates[0]} twice",
                                    hint="rename or drop one of them")
            raw = {name: _numbers(table[name]) for name in given}
            labels = table.index
        elif isinstance(table, Mapping):
            from .result import masked_problem

            for name in table:
                masked_problem(table[name], f"the column {name}")
            given, raw, labels = list(table), {name: np.asarray(table[name]) for name in table}, None
        else:
            raise GradcalcError(f"vectorize takes a pandas DataFrame or a mapping from names to "
                                f"arrays, not {type(table).__name__}",
                                hint='write {"x": [1, 2], "y": [3, 4]}')
        carried = self._check_columns(given)
        n, columns, errors = self._columns(given, raw, carried)
        value, gradient, math_errors = self.evaluate(columns, n)
        for i, error in math_errors.items():
            errors.setdefault(i, error)
        where = (lambda i: f"row {labels[i]!r}" if not isinstance(labels[i], (int, np.integer))
                 else f"row {labels[i]}") if frame else (lambda i: f"row {i}")
        errors = {i: type(e)(f"{where(i)}: {e.message}", e.span, e.hint, e.text)
                  for i, e in sorted(errors.items())}
        if errors and not self.keep_going:
            raise next(iter(errors.values()))
        names = self.output_columns(given)
        computed = [value] + [gradient[name] for name in self.gradient_names]
        if errors:
            bad = np.fromiter(errors, dtype=np.intp, count=len(errors))
            for column in computed:
                column[bad] = np.nan
        data = dict(zip(names, [raw[name] for name in given] + computed))
        if self.keep_going:
            messages = np.full(n, None, dtype=object)
            for i, error in errors.items():
                messages[i] = error.message
            data[names[-1]] = messages
        if frame:
            import pandas as pd

            result = pd.DataFrame(data, index=table.index, columns=names)
            if self.keep_going:   # object dtype for the messages, as in meta, whatever they hold
                result[names[-1]] = pd.Series(data[names[-1]], index=result.index, dtype=object)
            return result
        return data

    def _check_columns(self, given: list) -> list:
        """The columns carried through (an id, a label): not inputs, and not close to an input that
        has no column (that is a typo: refused), as --points decides."""
        from .batch import carried_columns

        graph = self.graph
        carried = carried_columns(given, graph, self.fixed, unknown=lambda name: (
            f"the table has a column {name!r}, which the expression does not use"))
        for name in given:
            if name in self.fixed:
                raise GradcalcError(f"{name} is both a column and given one value for every row",
                                    hint="drop the column or the value")
        duplicates = sorted({name for name in given if given.count(name) > 1})
        if duplicates:
            raise GradcalcError(f"the table has the column {duplicates[0]} twice")
        missing = [name for name in self.input_columns() if name not in given]
        if missing:
            raise GradcalcError(f"the table has no column for {', '.join(missing)}",
                                hint=f"add a column, or give one value for every row: "
                                     f"vectorize(text, {{{missing[0]!r}: 1.0}})")
        return carried

    def _columns(self, given: list[str], raw: dict[str, np.ndarray], carried: list = ()
                 ) -> tuple[int, dict[str, np.ndarray], dict[int, GradcalcError]]:
        """Each column as a contiguous float64 array, their common length, and the rows whose input
        is not a finite number (evaluated at 1 instead, so the other rows go on)."""
        lengths = {name: len(array) if np.ndim(array) == 1 else None for name, array in raw.items()}
        for name, length in lengths.items():
            if length is None:
                raise GradcalcError(f"the column {name} is not a one-dimensional array: it has shape "
                                    f"{np.shape(raw[name])}", hint="give one number per row")
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{name} has {length}" for name, length in lengths.items())
            raise GradcalcError(f"the columns have different lengths: {shown}",
                                hint="every column holds one number per row")
        n = next(iter(lengths.values()), 0)
        columns, errors = {}, {}
        for name in given:
            if name in carried:   # any type, passed on as it is
                continue
            array = raw[name]
            if array.dtype.kind not in "fiu":   # bool, text, objects: not numbers, even if numpy casts
                raise GradcalcError(f"the column {name} holds {array.dtype} values, not numbers",
                                    hint="convert it first, e.g. with pandas.to_numeric")
            column = np.ascontiguousarray(array, dtype=np.float64)
            finite = np.isfinite(column)
            if not finite.all():
                for i in np.flatnonzero(~finite):
                    errors.setdefault(int(i), GradcalcError(
                        f"the value of {name} is not finite: {column[i]} (nan and inf are not allowed)"))
                column = np.where(finite, column, 1.0)
            columns[name] = column
        return n, columns, errors


def _numbers(series) -> np.ndarray:
    """A pandas column as numpy: a nullable or Arrow-backed numeric column as floats, NA as NaN."""
    if getattr(series.dtype, "kind", "O") in "fiu" and not isinstance(series.dtype, np.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return series.to_numpy()


def _is_dataframe(table: Any) -> bool:
    # Duck-typed, so that importing pandas is never needed just to ask.
    return type(table).__module__.startswith("pandas") and hasattr(table, "columns") \
        and hasattr(table, "index")


@speaks_api
def vectorize(text: str, values: Mapping[str, Any] | None = None, *, wrt: str | Iterable[str] = (),
              keep_going: bool = False, limits: Limits = DEFAULT, **named_values: Any) -> Vectorized:
    """A function of a pandas DataFrame (or a mapping of equal-length arrays) returning the rows
    `--points` writes: the inputs, `value`, and one gradient column per variable, named `dz/dx`.

    `values` (or keywords) hold for every row, like `--tax 1.08` beside `--points`.

    >>> f = vectorize("x**2*y")
    >>> rows = f({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    >>> list(rows), rows["dz/dx"].tolist()
    (['x', 'y', 'value', 'dz/dx', 'dz/dy'], [6.0, 16.0])
    """
    from .result import merge_values

    return Vectorized(text, merge_values(values, named_values), wrt=wrt, keep_going=keep_going,
                      limits=limits)
