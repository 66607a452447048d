"""Numbers read and reduced without refusing what has a finite answer: integers beyond 64 bits inside
lists, sheets and the API read as the floats they are alone; reductions whose intermediate overflows
but whose result does not (norm, mean, std of [1e200, 1e200]) computed scaled, with their gradients."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import gradcalc
from gradcalc import compute
from gradcalc.cli import main

BIG = 2 ** 100            # beyond int64: numpy would hold it as a Python object
BIG_TEXT = str(BIG)


@pytest.mark.parametrize("value", [BIG, [BIG, 1], [[BIG, 1], [3, -2 ** 70]], (BIG, 2.5),
                                   np.array([BIG, 1], dtype=object), -BIG, 2 ** 1000])
def test_integers_beyond_64_bits_read_as_floats_in_the_api(value):
    result = compute("sum(x) * 2", {"x": value})
    expected = np.sum(np.array(value, dtype=np.float64)) * 2
    assert float(result.value) == expected
    assert np.all(np.asarray(result.gradient["x"]) == 2.0)


def test_keyword_values_beyond_64_bits():
    assert gradcalc.compute("x*y", x=BIG, y=[BIG, 3]).value.tolist() == [float(BIG) ** 2, 3.0 * BIG]


@pytest.mark.parametrize("value, message", [
    ([2 ** 1024, 1], "x[0]"), (2 ** 1024, "too large for a 64-bit float"), ([True, BIG], "x[0] is true"),
    ([1, [BIG]], "ragged"), (["1", BIG], "not all numbers"), ([BIG, None], "x[1] is null"),
])
def test_integers_beyond_a_float_and_non_numbers_are_still_refused(value, message):
    with pytest.raises(gradcalc.GradcalcError, match=message.replace("[", r"\[")):
        compute("sum(x)", {"x": value})


def test_integers_beyond_64_bits_in_a_list_on_the_command_line():
    result = CliRunner().invoke(main, ["sum(x)", "--x", f"[{BIG_TEXT}, 1]", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == float(BIG) + 1


def test_integers_beyond_64_bits_in_a_sheet(tmp_path):
    sheet = tmp_path / "big.toml"
    sheet.write_text(f'[[problem]]\nname = "big"\nexpression = "sum(x)*y"\n'
                     f'at = {{ x = [{BIG_TEXT}, 1], y = {BIG_TEXT} }}\npoints = 1\n'
                     f'[problem.expect]\ny = {BIG + 1}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sheet), "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["score"] == 1 and found["problems"][0]["expect"][0]["computed"] == float(BIG)
