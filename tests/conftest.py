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
