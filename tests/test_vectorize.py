"""gradcalc.vectorize: the rows --points writes, from a DataFrame or a mapping, and on Dask."""

import io
import pickle

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcalc
from gradcalc import GradcalcError, MathError, compute
from gradcalc.cli import main

POINTS = "x,y\n1,2\n2,0.5\n-1,3\n0.5,4\n"


def points_frame(expression: str, csv_text: str, *options: str, code: int = 0) -> pd.DataFrame:
    """What `gradcalc EXPRESSION --points -` writes, read back with pandas."""
    outcome = CliRunner().invoke(main, [expression, "--points", "-", *options], input=csv_text)
    assert outcome.exit_code == code, outcome.stderr
    return pd.read_csv(io.StringIO(outcome.stdout))


@pytest.mark.parametrize("expression, csv_text, options, kwargs", [
    ("x**2*y + sin(x*y)", POINTS, (), {}),
    ("x**2*y + sin(x*y)", POINTS, ("--wrt", "y"), {"wrt": "y"}),
    ("t = x*y; z = t/(1 + t**2) + tax", POINTS, ("--tax", "1.08"), {"tax": 1.08}),
    ("scale = 2; z = scale*x**2", "x\n1\n2\n-1\n", (), {}),   # a default left out of the file
    ("x*y", "y,x\n1,2\n3,4\n", (), {}),                        # the file's column order is kept
])
def test_a_dataframe_gives_the_rows_points_writes(expression, csv_text, options, kwargs):
    expected = points_frame(expression, csv_text, *options)
    got = gradcalc.vectorize(expression, **kwargs)(pd.read_csv(io.StringIO(csv_text)))
    pd.testing.assert_frame_equal(got, expected)


def test_a_value_for_a_name_not_used_is_refused():
    with pytest.raises(GradcalcError, match="does not use"):
        gradcalc.vectorize("x + 2", {"y": 1.0})


def test_a_mapping_gives_numpy_arrays_in_the_same_columns():
    f = gradcalc.vectorize("log(x)*y")
    rows = f({"x": [1, 2, 0.5], "y": np.array([2, 0.5, 4])})
    assert list(rows) == ["x", "y", "value", "dz/dx", "dz/dy"]
    assert rows["dz/dx"].tolist() == [2.0, 0.25, 8.0]
    for i, (x, y) in enumerate([(1, 2), (2, 0.5), (0.5, 4)]):
        one = compute("log(x)*y", x=x, y=y)
        assert rows["value"][i] == one.value and rows["dz/dy"][i] == one.gradient["y"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-3, 3), st.floats(0.1, 5)), min_size=1, max_size=40))
def test_every_row_equals_compute_at_that_point(points):
    xs, ys = map(np.array, zip(*points))
    rows = gradcalc.vectorize("x*exp(-x**2/y) + y**0.5")({"x": xs, "y": ys})
    for i in range(len(xs)):
        one = compute("x*exp(-x**2/y) + y**0.5", x=xs[i], y=ys[i])
        assert rows["value"][i] == pytest.approx(one.value, rel=1e-15, abs=1e-300)
        assert rows["dz/dx"][i] == pytest.approx(one.gradient["x"], rel=1e-14, abs=1e-300)


def test_a_row_outside_the_domain_stops_with_its_error_like_points():
    f = gradcalc.vectorize("log(x)*y")
    with pytest.raises(MathError) as error:
        f(pd.read_csv(io.StringIO(POINTS)))
    assert error.value.message == "row 2: log of a non-positive number: log(-1) = nan"
    assert error.value.span == (0, 6) and error.value.exit_code == 3


def test_keep_going_gives_nan_and_the_error_column_like_points():
    expected = points_frame("log(x)*y", POINTS, "--keep-going", code=3)
    got = gradcalc.vectorize("log(x)*y", keep_going=True)(pd.read_csv(io.StringIO(POINTS)))
    assert list(got.columns) == list(expected.columns)
    numbers = ["x", "y", "value", "dz/dx", "dz/dy"]
    pd.testing.assert_frame_equal(got[numbers], expected[numbers])
    # --points says "line 4" (the file's line), vectorize "row 2" (the frame's index label).
    assert got["error"].tolist()[2] == expected["error"][2].replace("line 4", "row 2")
    assert got["error"].isna().tolist() == [True, True, False, True]


def test_inputs_that_are_not_finite_numbers_are_bad_rows():
    f = gradcalc.vectorize("x*y", keep_going=True)
    rows = f({"x": [1.0, np.nan, np.inf], "y": [1, 2, 3]})
    assert np.isnan(rows["value"][1:]).all() and rows["value"][0] == 1.0
    assert rows["error"][1] == "row 1: the value of x is not finite: nan (nan and inf are not allowed)"
    with pytest.raises(GradcalcError, match="row 1: the value of x is not finite") as error:
        gradcalc.vectorize("x*y")({"x": [1.0, np.nan], "y": [1, 2]})
    assert error.value.exit_code == 2


@pytest.mark.parametrize("table, message", [
    ({"x": [1, 2], "yy": [1, 2]}, "column 'yy', which the expression does not use"),
    ({"x": [1, 2]}, "no column for y"),
    ({"x": [1, 2], "y": [1, 2, 3]}, "different lengths: x has 2, y has 3"),
    ({"x": [[1, 2]], "y": [1]}, "not a one-dimensional array"),
    ({"x": ["1", "2"], "y": [1, 2]}, "holds <U1 values, not numbers"),
    ({"x": [True, False], "y": [1, 2]}, "holds bool values"),
    ([[1, 2], [3, 4]], "takes a pandas DataFrame or a mapping"),
])
def test_bad_tables_get_a_clear_error(table, message):
    with pytest.raises(GradcalcError, match=message.replace("(", r"\(").replace("[", r"\[")):
        gradcalc.vectorize("x*y")(table)


def test_bad_options_get_a_clear_error():
    with pytest.raises(GradcalcError, match="one number, not an array"):
        gradcalc.vectorize("x*y", y=[1, 2])
    with pytest.raises(GradcalcError, match="both a column and given one value"):
        gradcalc.vectorize("x*y", y=2)({"x": [1], "y": [2]})
    with pytest.raises(GradcalcError, match="cannot differentiate with respect to w"):
        gradcalc.vectorize("x*y", wrt="w")
    with pytest.raises(GradcalcError, match="element by element"):
        gradcalc.vectorize("sum(x*y)")({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    with pytest.raises(GradcalcError, match="ends too early"):
        gradcalc.vectorize("x*")


def test_an_id_column_is_carried_through_as_points_does():
    text = "id,x,y,label\n7,1,2,a\n8,2,0.5,b\n"
    frame = pd.read_csv(io.StringIO(text))
    got = gradcalc.vectorize("log(x)*y")(frame)
    assert list(got.columns) == ["id", "x", "y", "label", "value", "dz/dx", "dz/dy"]
    assert got["label"].tolist() == ["a", "b"] and got["id"].tolist() == [7, 8]
    pd.testing.assert_frame_equal(got, points_frame("log(x)*y", text))
    rows = gradcalc.vectorize("x*2")({"x": [1.0], "name": np.array(["a"])})   # text passes untouched
    assert rows["name"].tolist() == ["a"] and rows["value"].tolist() == [2.0]
    with pytest.raises(GradcalcError, match="column 'yy', which the expression does not use") as error:
        gradcalc.vectorize("x*y")({"x": [1.0], "yy": [2.0]})
    assert error.value.hint.startswith("did you mean y?")


def test_an_input_named_value_shifts_the_value_column_as_points_does():
    rows = gradcalc.vectorize("value*2")({"value": [1.0, 3.0]})
    assert list(rows) == ["value", "value_", "dz/dvalue"]
    assert list(points_frame("value*2", "value\n1\n3\n").columns) == list(rows)


def test_it_pickles_as_its_text_and_options():
    f = gradcalc.vectorize("x*tax", tax=2.0, wrt=["x"])
    f({"x": [1.0]})                                   # the graph is parsed and kept
    data = pickle.dumps(f)
    assert len(data) < 400 and b"Graph" not in data   # the text travels, not the graph
    g = pickle.loads(data)
    assert g({"x": [1.0, 2.0]})["value"].tolist() == [2.0, 4.0]
    assert list(g({"x": [1.0]})) == ["x", "value", "dz/dx"]


def test_no_rows_and_meta_give_the_columns_and_dtypes():
    f = gradcalc.vectorize("log(x-2)*y")   # 1.0, Dask's stand-in value, is outside the domain
    meta = f.meta()
    assert list(meta.columns) == ["x", "y", "value", "dz/dx", "dz/dy"] and len(meta) == 0
    assert (meta.dtypes == np.float64).all()
    empty = f(pd.DataFrame({"y": np.empty(0), "x": np.empty(0)}))
    assert list(empty.columns) == ["y", "x", "value", "dz/dx", "dz/dy"]
    assert list(f.meta(["y", "x"]).columns) == list(empty.columns)
    assert list(gradcalc.vectorize("x*y", keep_going=True).meta().columns)[-1] == "error"


def test_dask_on_a_local_cluster_matches_points(tmp_path):
    dd = pytest.importorskip("dask.dataframe", reason="pip install -e '.[test]' installs dask")
    import dask
    from dask.distributed import Client, LocalCluster

    # Dask's workers keep their scratch files in the shared temp dir unless told: here, in the test's own
    dask.config.set({"temporary-directory": str(tmp_path)})
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame({"x": rng.uniform(0.1, 3, n).round(6), "y": rng.uniform(-2, 2, n).round(6)})
    path = tmp_path / "points.csv"
    frame.to_csv(path, index=False)
    expression = "log(x)*y + sin(x*y)**2"
    expected = points_frame(expression, path.read_text())
    f = gradcalc.vectorize(expression)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") \
            as cluster, Client(cluster):
        table = dd.read_csv(str(path), blocksize=20_000)
        assert table.npartitions > 1
        lazy = table.map_partitions(f, meta=f.meta(table))
        assert list(lazy.columns) == list(expected.columns)
        got = lazy.compute().reset_index(drop=True)
        inferred = table.map_partitions(f).compute().reset_index(drop=True)   # meta by Dask
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(inferred, expected)
    # keep_going across partitions: the same rows fail as with --points --keep-going.
    frame.loc[::7, "x"] = -frame.loc[::7, "x"]
    frame.to_csv(path, index=False)
    expected = points_frame(expression, path.read_text(), "--keep-going", code=3)
    f = gradcalc.vectorize(expression, keep_going=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") \
            as cluster, Client(cluster):
        table = dd.read_csv(str(path), blocksize=20_000)
        got = table.map_partitions(f, meta=f.meta(table)).compute().reset_index(drop=True)
    numbers = list(expected.columns[:-1])
    pd.testing.assert_frame_equal(got[numbers], expected[numbers])
    assert (got["error"].isna() == expected["error"].isna()).all() and got["error"].notna().sum() == 429


def test_pandas_nullable_and_arrow_columns_are_numbers_and_na_is_a_bad_row():
    frame = pd.DataFrame({"x": pd.Series([1.0, None, 3.0], dtype="Float64"),
                          "y": pd.Series([2, 3, 4], dtype="int64[pyarrow]")})
    rows = gradcalc.vectorize("x*y", keep_going=True)(frame)
    assert rows["value"].tolist()[::2] == [2.0, 12.0] and np.isnan(rows["value"][1])
    assert rows["error"].tolist()[1] == "row 1: the value of x is not finite: nan (nan and inf are not allowed)"


def test_the_index_is_kept_even_with_repeated_labels_and_errors_have_one_dtype():
    f = gradcalc.vectorize("log(x)", keep_going=True)
    rows = f(pd.DataFrame({"x": [1.0, -2.0]}, index=[5, 5]))
    assert rows.index.tolist() == [5, 5]
    assert rows["error"].tolist() == [None, "row 5: log of a non-positive number: log(-2) = nan"]
    assert rows["error"].dtype == f(pd.DataFrame({"x": [1.0]}))["error"].dtype == f.meta()["error"].dtype
