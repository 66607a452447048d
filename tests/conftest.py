import os

from hypothesis import settings

# CI runs a bounded number of examples; a longer fuzz run sets HYPOTHESIS_PROFILE=long.
settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("long", max_examples=20000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
