"""Fuzzing the files and streams gradcalc reads: --points CSV and JSON lines, TOML sheets, .npy and
.csv values. Whatever the bytes, a run ends with a documented exit code and a one-line message,
never a traceback or exit 70; --json output is always valid JSON (no NaN, no Infinity); CSV output
always parses with the same number of fields on every line; no control character of the input
reaches stdout or stderr raw.

Bounded by the hypothesis profile in tests/conftest.py; `HYPOTHESIS_PROFILE=long` runs far more.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from gradcalc.cli import main

NO_EXPLAIN = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
SETTINGS = settings(phases=NO_EXPLAIN, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
CONTROL = [chr(c) for c in range(0x20) if chr(c) not in "\n\r\t"] + ["\x7f", "\u202e", "\x9b"]


def _run(args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def _strict(text):
    def refuse(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _assert_clean(result, codes=(0, 2, 3)):
    assert result.exit_code in codes, (result.exit_code, result.stdout[-500:], result.stderr[-500:])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for stream in (result.stdout, result.stderr):
        assert not any(ch in stream for ch in CONTROL), repr(stream[-300:])
    if result.exit_code not in (0, 1):   # notes (a carried column) may come before the error
        said = "".join(line for line in result.stderr.splitlines(True) if not line.startswith("note: "))
        assert said.startswith("error: ") or said.startswith("Usage:"), result.stderr


# Numbers as files spell them: ordinary, huge, tiny, non-finite, not numbers at all.
number_text = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.integers(min_value=300, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(["1e999", "-1e999", "nan", "NaN", "inf", "-Infinity", "1_000", "0x10", "٣", "", " ",
                     "1e-400", "+.5", "-0", "1.", ".", "e5", "true", "null"]),
)
field_text = st.one_of(number_text, st.text(alphabet=st.sampled_from(CONTROL + list('",; x1é\'')),
                                             max_size=6))


@st.composite
def csv_files(draw):
    columns = draw(st.sampled_from([["x"], ["x", "y"], ["y", "x"], ["x", "x"], ["x", "z"], [" x ", "y"]]))
    lines = [",".join(columns)]
    for _ in range(draw(st.integers(0, 8))):
        width = draw(st.sampled_from([len(columns), len(columns), len(columns) + 1, 1]))
        fields = draw(st.lists(field_text, min_size=width, max_size=width))
        quoted = draw(st.booleans())
        lines.append(",".join(f'"{f}"' if quoted and '"' not in f else f for f in fields))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(["", "   ", "\t"])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(min_value=-10**400, max_value=10**400),
              st.text(alphabet=st.sampled_from(CONTROL + list("ab1 ")), max_size=4)),
    lambda inner: st.lists(inner, max_size=3), max_leaves=5)


@st.composite
def jsonl_files(draw):
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["{", "[1]", '{"x": 1e999}', '{"x": NaN}', "{}",
                                               '{"x": ' + "[" * 3000 + "]" * 3000 + "}"])))
            continue
        record = draw(st.dictionaries(st.sampled_from(["x", "y", "q"]), json_value, max_size=3))
        lines.append(json.dumps(record, allow_nan=True))
    return "\n".join(lines) + "\n"


@SETTINGS
@given(csv_files(), st.sampled_from([[], ["--json"], ["--keep-going"], ["--json", "--keep-going"]]))
def test_random_points_csv(tmp_path_factory, text, options):
    path = tmp_path_factory.mktemp("points") / "p.csv"
    path.write_text(text, encoding="utf-8")
    result = _run([*_points_args(text, path), *options])
    _assert_clean(result)
    _check_output(result.stdout, "--json" in options)


def _points_args(text, path):
    header = text.split("\n")[0]
    return ["x*y", "--points", path] + ([] if "y" in header else ["--y", "2"])


def _check_output(stdout, as_json):
    if as_json:
        for line in stdout.splitlines():
            _strict(line)
    elif stdout:
        rows = list(csv.reader(io.StringIO(stdout)))
        assert len({len(row) for row in rows}) == 1, rows


@SETTINGS
@given(jsonl_files(), st.sampled_from([[], ["--json"], ["--keep-going"], ["--json", "--keep-going"]]))
def test_random_points_json_lines(tmp_path_factory, text, options):
    path = tmp_path_factory.mktemp("points") / "p.jsonl"
    path.write_text(text, encoding="utf-8")
    result = _run(["x*y", "--points", path, *options])
    _assert_clean(result)
    _check_output(result.stdout, "--json" in options)


toml_number = st.sampled_from(["1", "0", "-1", "2.5", "1e999", "inf", "-inf", "nan", "9" * 400, "1e-320",
                               '"2"', "true", "[1, 2]", "[true, 1]", "[1, nan]", "{ a = 1 }",
                               "[" * 50 + "]" * 50])
toml_text = st.text(alphabet=st.sampled_from(CONTROL + list("ab x")), max_size=8).map(
    lambda s: json.dumps(s))   # a TOML basic string: JSON's escapes (\u001b) are TOML's too


@st.composite
def sheets(draw):
    lines = []
    if draw(st.booleans()):
        lines.append(f"title = {draw(toml_text | toml_number)}")
    for key in draw(st.lists(st.sampled_from(["rtol", "atol"]), max_size=2, unique=True)):
        lines.append(f"{key} = {draw(toml_number)}")
    for _ in range(draw(st.integers(0, 3))):
        lines.append("[[problem]]")
        if draw(st.booleans()):
            lines.append(f"name = {draw(toml_text | toml_number)}")
        expression = draw(st.sampled_from(['"x*y"', '"x**n"', '"log(x)"', "3"]))
        lines.append(f"expression = {expression}")
        lines.append(f"at = {{ x = {draw(toml_number)}, y = {draw(toml_number)}, n = 3 }}")
        if draw(st.booleans()):
            lines.append(f"points = {draw(toml_number)}")
        lines.append("[problem.expect]")
        for name in draw(st.lists(st.sampled_from(["x", "y", "z", "q"]), min_size=1, max_size=3,
                                  unique=True)):
            lines.append(f"{name} = {draw(toml_number | toml_text)}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(sheets(), st.sampled_from([[], ["--json"], ["--sheet-tolerance"]]))
def test_random_sheets(text, options):
    result = _run(["check", "-", "--plain", *options], input=text)
    _assert_clean(result, (0, 1, 2, 3))
    if "--json" in options and result.stdout:
        _strict(result.stdout)


@SETTINGS
@given(st.sampled_from(["f8", "f4", "i4", "u1", "?", "m8[s]", "M8[D]", "c16", "U3", "V4"]),
       st.lists(st.integers(0, 3), max_size=3), st.binary(max_size=8), st.booleans())
def test_random_npy_files(tmp_path_factory, dtype, shape, noise, corrupt):
    path = tmp_path_factory.mktemp("npy") / "v.npy"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(shape, dtype=dtype))
    data = buffer.getvalue()
    if corrupt:   # overwrite a few bytes of the header or the data
        at = len(noise) * 7 % max(1, len(data))
        data = data[:at] + noise + data[at + len(noise):]
    path.write_bytes(data)
    result = _run(["sum(v)", "--v", f"@{path}", "--json"])
    _assert_clean(result)
    if result.exit_code == 0:
        _strict(result.stdout)


@SETTINGS
@given(st.lists(st.lists(field_text, min_size=1, max_size=3), max_size=4))
@example([["0.0"], ["0.0", "1\x1f"]])   # a control character str.strip() takes for a space: was exit 70
def test_random_csv_value_files(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "v.csv"
    path.write_text("\n".join(",".join(row) for row in rows), encoding="utf-8")
    result = _run(["sum(v)", "--v", f"@{path}", "--json"])
    _assert_clean(result)
    if result.exit_code == 0:
        _strict(result.stdout)
