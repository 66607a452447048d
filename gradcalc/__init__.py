"""gradcalc: a gradient calculator that shows its backward pass, step by step."""

__version__ = "0.1.0"
__all__ = ["compute", "evaluate", "parse", "vectorize", "Result", "GradcalcError", "MathError",
           "__version__"]


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
    if name == "parse":
        from .parse import parse

        return parse
    raise AttributeError(name)


def __dir__() -> list[str]:
    return sorted(__all__)
