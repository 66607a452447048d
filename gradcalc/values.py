"""A value written as text (`1.5`, `[[1, 2]]`, `@w.csv`) read into a number or nested list: one place
for the command line, answers and the API."""

from __future__ import annotations

import re

from .errors import GradcalcError
from .limits import DEFAULT, Limits
from .numbers import NUMBER, BadNumber, load_json, number_problem, read_number

# Dashes people paste for a minus: the minus sign, figure, en and em dashes, small and wide hyphen-minus.
_DASHES = str.maketrans("\u2212\u2012\u2013\u2014\ufe63\uff0d", "------")
_JSON_WORDS = r"\b(true|false|null)\b"   # compiled when a list is given (a number needs no pattern)


# Numbers as people type them that JSON does not read: 2. and .5 (Python's), pi/4, 1/3, 2π, -e.
_NOT_JSON_NUMBER = re.compile(r"[0-9]\.(?![0-9])|(?<![0-9])\.[0-9]|[A-Za-z_π/*^√(]")
# A constant written as a formula: numbers, pi, π, e, operators, parentheses and function calls; no
# brackets (a list is read element by element) and no names other than functions and constants.
_CONSTANT_EXPRESSION = re.compile(r"[-+0-9.eE πpi/*^()√a-z_]+")


def _constant_value(name: str, text: str) -> float:
    """A value written as a constant formula, read by gradcalc's own parser (never eval)."""
    from .result import compute

    try:
        found = compute(text)
    except GradcalcError as error:
        if "no value for" in error.message or "unknown" in error.message:
            raise GradcalcError(f"the value of --{name} is not a number: {text!r}",
                                hint=f"write a number or a formula of numbers, such as --{name} pi/4") from None
        raise GradcalcError(f"the value of --{name}, {text!r}: {error.message}", hint=error.hint) from None
    if found.graph.variables or getattr(found.value, "shape", ()) != ():
        raise GradcalcError(f"the value of --{name} is not a number: {text!r}",
                            hint=f"write a number or a formula of numbers, such as --{name} pi/4")
    return float(found.value)


def _load_list(name: str, text: str):
    """JSON, or where JSON fails and the list holds numbers as typed ([2., 3.], [pi/4, 1]), those."""
    import json

    try:
        return load_json(text)
    except json.JSONDecodeError:
        if '"' in text or not _NOT_JSON_NUMBER.search(text):
            raise
        return load_json(_typed_numbers(name, text))


def _typed_numbers(name: str, text: str) -> str:
    """A list with numbers JSON does not read ([2., 3.], [.5, 1], [pi/4, 1/3]) as JSON: each element
    read as a number or a constant formula."""
    def element(match):
        written = match.group().strip()
        if not written or written in ("true", "false", "null"):
            return match.group()
        if NUMBER.match(written):
            return repr(float(written))
        return repr(_constant_value(name, written))
    return re.sub(r"[^\[\],]+", element, text)


def looks_like_value(raw: str) -> bool:
    """True if `raw` is meant as a value at all: a number, a nested list or @file."""
    text = raw.strip()
    return read_number(text) is not None or text.startswith(("@", "["))


def parse_value(name: str, raw: str | None, limits: Limits = DEFAULT):
    """A value as written: a number, a JSON-style nested list, or @file (.npy, .csv) for an array."""
    if raw is None:
        raise GradcalcError(f"--{name} needs a value", hint=f"write --{name} 1.5")
    text = raw.strip()
    if NUMBER.match(text):
        problem = number_problem(text)
        if problem:
            raise GradcalcError(f"the value of --{name} is {problem}",
                                hint="numbers must be finite and below about 1.8e308")
        return float(text)
    if text.startswith("@"):
        from .arrays import read_array_file

        return read_array_file(name, text[1:], limits)
    if text.startswith("["):
        import json   # here: a number needs no json (a table or -q then imports none)

        try:
            data = _load_list(name, text)
        except BadNumber as error:
            raise GradcalcError(f"the value of --{name} is {error}",
                                hint="arrays have at most 32 axes") from None
        except json.JSONDecodeError as error:
            raise GradcalcError(f"the value of --{name} is not a valid array: {error.msg} at "
                                f"character {error.pos + 1}", (error.pos, error.pos + 1),
                                hint='write arrays as nested lists: "[[1, 2], [3, 4]]"',
                                text=text) from None
        if re.search(_JSON_WORDS, text):   # numpy would read true/false beside numbers as 1/0
            from .arrays import nested_list_problem

            problem = nested_list_problem(data, name)
            if problem:
                raise GradcalcError(problem, hint="an array holds numbers only")
        return data
    if _CONSTANT_EXPRESSION.fullmatch(text):    # pi/4, 1/3, 2π, -e, sqrt(2)/2
        return _constant_value(name, text)
    hint = f"write a number such as --{name} 1.5"
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        hint = "nan and inf are not allowed as inputs; give a finite number"
    ascii_minus = text.translate(_DASHES)
    if ascii_minus != text and NUMBER.match(ascii_minus):   # −1 pasted from a document
        hint = f"that is a typographic minus; type an ASCII '-': --{name} {ascii_minus}"
    raise GradcalcError(f"the value of --{name} is not a number: {raw!r}", hint=hint)
