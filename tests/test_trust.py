"""Trust at the edges: nothing gradcalc does reads or leaves files in the shared temp directory."""

import os
import pickle
import subprocess
import sys
import textwrap


class _Plant:
    """Unpickling this creates the file named by its argument: proof that a planted pickle ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _run(code, tmpdir, *args):
    env = {**os.environ, "TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir)}
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)


def test_a_syntax_error_never_unpickles_a_planted_lark_cache(tmp_path):
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    # Let Lark itself write the cache file it would look for with cache=True, under this TMPDIR ...
    make_cache = textwrap.dedent(
        """
        from lark import Lark
        from gradcalc.parse import LARK_OPTIONS, grammar_text
        Lark(grammar_text(), **LARK_OPTIONS, cache=True)
        """
    )
    assert _run(make_cache, shared).returncode == 0
    (cache_file,) = shared.iterdir()
    # ... then plant a payload behind its valid header, as another local user could.
    marker = tmp_path / "planted-code-ran"
    header = cache_file.read_bytes().split(b"\n", 1)[0]
    cache_file.write_bytes(header + b"\n" + pickle.dumps(_Plant(str(marker))))
    before = sorted(p.name for p in shared.iterdir())

    run = _run("import sys; from gradcalc.cli import main; main()", shared, "(x+", "--x", "1")

    assert run.returncode == 2, run.stderr
    assert "^" in run.stderr
    assert not marker.exists(), "a syntax error unpickled a file from the temp directory"
    assert sorted(p.name for p in shared.iterdir()) == before, "gradcalc left a file in the temp directory"


def test_nothing_of_gradcalcs_is_written_to_the_temp_directory(tmp_path):
    for args in (["(x+", "--x", "1"], ["(x+y)**2", "--x", "1", "--y", "2"], ["sin(", "--json"]):
        run = _run("from gradcalc.cli import main; main()", tmp_path, *args)
        assert run.returncode in (0, 2), run.stderr
    assert list(tmp_path.iterdir()) == []
