"""gradcalc: a gradient calculator that shows its backward pass, step by step."""

__version__ = "0.1.0"
__all__ = ["compute", "evaluate", "parse", "vectorize", "Result", "GradcalcError", "MathError",
           "__version__"]

import sys
import types   # both already loaded by Python itself: nothing of gradcalc's is imported here

def __getattr__(name: str):
    # Keep `import gradcalc` light (no numpy, no lark) until the engine is actually used, and import
    # nothing at all before the `gradcalc` script's guard is in place (Ctrl-C then is exit 130).
    if name in ("GradcalcError", "MathError"):
        from . import errors

        return getattr(errors, name)
    if name in ("compute", "evaluate", "Result"):
        from . import api

        return getattr(api, name)
    if name == "vectorize":
        from .vectorized import vectorize

        return vectorize
    raise AttributeError(name)


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """gradcalc.parse is the function, always: Python sets a package's attribute to each submodule
    it loads, so once the engine imported gradcalc/parse.py, gradcalc.parse was that module and
    `gradcalc.parse(text)` said 'module' object is not callable. The module stays in sys.modules."""

    @property
    def parse(self):
        from .api import speaks_api
        from .parse import parse

        return speaks_api(parse)

    @parse.setter
    def parse(self, module) -> None:
        pass   # the import system placing the submodule here: gradcalc.parse stays the function


sys.modules[__name__].__class__ = _Package
