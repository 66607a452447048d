import os

import pytest

from hypothesis import settings

# CI runs a bounded number of examples; a longer fuzz run sets HYPOTHESIS_PROFILE=long.
settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("long", max_examples=20000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def on_a_terminal(monkeypatch):
    """The command line draws rich tables, as on a terminal (CliRunner's stdout is not one)."""
    from gradcalc.cli import output

    monkeypatch.setattr(output, "use_rich", lambda plain: not plain)


def _runner_as_in_click_8_2():
    """click 8.1's CliRunner mixes stderr into stdout unless told not to, and has no `stderr` then;
    from 8.2 on it always keeps them apart, with `output` as both. The tests read `result.stderr`,
    so on 8.1 (which pyproject allows) the runner is made to capture as 8.2 does."""
    import inspect

    from click import testing

    if "mix_stderr" not in inspect.signature(testing.CliRunner.__init__).parameters:
        return
    init = testing.CliRunner.__init__

    def __init__(self, *args, mix_stderr=False, **kwargs):
        init(self, *args, mix_stderr=mix_stderr, **kwargs)

    testing.CliRunner.__init__ = __init__
    testing.Result.output = property(lambda self: self.stdout + (self.stderr if self.stderr_bytes else ""))


_runner_as_in_click_8_2()
