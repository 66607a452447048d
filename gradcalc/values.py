"""The one reader of values written as text: `1.5`, `[2., 3.]`, `[.5, 1]`, `pi/4`, `1/3`, `2π`, `-e`,
`√2`, `1e-3`, `[[1, 2], [3, 4]]`, `@w.csv`, for `--NAME`, `--points` fields and sheets' `at` values.

A number is read by its pattern; a list by a scanner here (JSON's own parser first, as the fast path);
a formula of numbers (`pi/4`) by gradcalc's parser, never by eval. What is malformed or could be
read two ways (`1,5`, `[1 2]`, `2e`) is refused with a caret under the place and the spelling to type.
"""

from __future__ import annotations

import re

from .errors import GradcalcError, MathError, not_utf8
from .limits import DEFAULT, Limits
from .numbers import NUMBER, BadNumber, load_json, number_problem, read_number

# Dashes people paste for a minus: the minus sign, figure, en and em dashes, small and wide hyphen-minus.
_DASHES = str.maketrans("\u2212\u2012\u2013\u2014\ufe63\uff0d", "------")
# The patterns of refusals below are compiled where one is needed (re keeps them once compiled): a
# plain value's reading compiles none, 1.6 M instructions of every start-up.
_JSON_WORDS = (r"\b(true|false|null)\b")
MAX_AXES = 32
# Two numbers with only spaces between: a list written without commas (numpy's print, Octave).
_SPACED_NUMBERS = (r"(?<![\w.])[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)\s+[-+]?\.?[0-9]")
# A number ending in e with no digits after it: an exponent left out, or a product with e?
_OPEN_EXPONENT = (r"(?<![\w.])((?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE])(?![\w+\-(])")
_EXAMPLES = "a number (1.5, 1e-3), a formula of numbers (pi/4, 2π, sqrt(2)/2) or a list ([2., 3.])"


def _refuse(what: str, problem: str, text: str, span: tuple[int, int] | None, hint: str) -> GradcalcError:
    return GradcalcError(f"the value of {what} {problem}", span, hint=hint, text=text if span else None)


def read_scalar(raw: str, what: str, *, whole: str | None = None, start: int = 0) -> float:
    """One number as typed: `2.`, `.5`, `1e-3`, or a formula of numbers (`pi/4`, `2π`, `-e`, `√2`).

    `whole`/`start`: the text this one is part of (a list) and where it starts, for the caret."""
    whole = raw if whole is None else whole
    text = raw.strip()
    at = start + (len(raw) - len(raw.lstrip()))
    span = (at, at + max(len(text), 1))
    if NUMBER.match(text):
        problem = number_problem(text)
        if problem:
            raise _refuse(what, f"is {problem}", whole, span, "numbers must be finite and below about 1.8e308")
        return float(text)
    if not text:
        raise _refuse(what, "is empty", whole, span, f"write {_EXAMPLES}")
    lowered = text.lower().lstrip("+-")
    if lowered in ("nan", "inf", "infinity"):
        raise _refuse(what, f"is not finite: {text!r}", whole, span,
                      "nan and inf are not allowed as inputs; give a finite number")
    if lowered in ("true", "false", "null", "none"):
        raise _refuse(what, f"is not a number: {text}", whole, span, f"write {_EXAMPLES}")
    if re.fullmatch(r"[-+]?[0-9][0-9_]*[0-9](\.[0-9_]*)?", text):   # Python's 1_000
        raise _refuse(what, f"is not a number: {text!r}", whole, span, f"write {text.replace('_', '')}")
    _refuse_ambiguous(text, what, whole, at)
    return _formula_value(text, what, whole, at)


def _refuse_ambiguous(text: str, what: str, whole: str, at: int) -> None:
    """Forms with two readings, refused with both spellings rather than guessed."""
    spaced = re.compile(_SPACED_NUMBERS).search(text)
    if spaced:
        numbers = text.split()
        raise _refuse(what, f"has numbers separated by spaces: {text!r}", whole,
                      (at + spaced.start(), at + spaced.end()),
                      f"for a list write commas: [{', '.join(numbers)}]; for a product write *")
    comma = text.find(",")
    if re.fullmatch(r"[-+]?[0-9]*,[0-9]+", text):   # 1,5: a decimal comma, or a list of two?
        whole_part, fraction = text.split(",")
        digits = whole_part.lstrip("+-")
        thousands = f"{whole_part}{fraction} for thousands, " if len(fraction) == 3 and digits else ""
        listed = f"[{whole_part}, {fraction}]" if digits else f"[{fraction}]"
        raise _refuse(what, f"has a comma: {text!r} can be read {'three' if thousands else 'two'} ways",
                      whole, (at + comma, at + comma + 1),
                      f"write {thousands}{whole_part if digits else whole_part + '0'}.{fraction} for a "
                      f"decimal comma, or {listed} for a list")
    if text.startswith("(") and text.endswith(")") and "," in text:
        raise _refuse(what, f"is a tuple: {text!r}", whole, (at, at + 1),
                      f"write a list in square brackets: [{text[1:-1].strip()}]")
    if comma >= 0 and not re.search(r"[()\[\]]", text):   # 1,5,2 or 5,: a list without its brackets
        items = [item.strip() for item in text.split(",") if item.strip()]
        raise _refuse(what, f"has a comma outside a list: {text!r}", whole, (at + comma, at + comma + 1),
                      f"write [{', '.join(items)}] for a list" + (f", or {items[0]} for the number"
                                                                   if len(items) == 1 else ""))
    exponent = re.compile(_OPEN_EXPONENT).search(text)
    if exponent:
        number = exponent.group(1)[:-1]
        raise _refuse(what, f"has {exponent.group(1)!r}, an exponent without digits or a product with e",
                      whole, (at + exponent.start(1), at + exponent.end(1)),
                      f"write {number}e0 (or {number}) for the number, or {number}*e for {number}·e")


def _formula_value(text: str, what: str, whole: str, at: int) -> float:
    """A formula of numbers, read by gradcalc's own parser (never eval): no names other than
    constants and functions, one expression, one number."""
    not_a_number = _refuse(what, f"is not a number: {text!r}", whole, (at, at + len(text)),
                           f"write {_EXAMPLES}")
    if any(mark in text for mark in ("\n", ";", "=", "[", "@")):
        raise not_a_number
    from .evaluate import forward
    from .parse import parse

    try:
        graph = parse(text)
        value = None if graph.variables or graph.defaults else forward(graph, {})[graph.output]
    except MathError as error:   # 1/0, log(0): a value that is no number, so bad input (exit 2)
        raise GradcalcError(f"the value of {what}, {text!r}: {error.message}", _shift(error.span, at),
                            hint="a value must be a finite number", text=whole) from None
    except GradcalcError as error:
        if "no value for" in error.message or "unknown" in error.message:
            raise not_a_number from None
        if error.message.startswith("unexpected character"):   # ١٢, 0x10's x: the parser says why
            not_a_number.span, not_a_number.hint = _shift(error.span, at), error.hint or not_a_number.hint
            raise not_a_number from None
        raise GradcalcError(f"the value of {what}, {text!r}: {error.message}", _shift(error.span, at),
                            hint=error.hint or f"write {_EXAMPLES}", text=whole) from None
    if value is None or getattr(value, "shape", ()) != ():   # a name (x+1), or an array
        raise not_a_number
    return float(value)


def _shift(span, at: int):
    return None if span is None else (span[0] + at, span[1] + at)


def read_list(text: str, what: str) -> list:
    """A nested list as typed, each element read by `read_scalar`: `[2., 3.]`, `[[pi, 1/2], [2., .5]]`.

    One pass with an explicit stack (no recursion, so 10 000 nested brackets cost nothing special);
    the shape is checked where the list becomes an array, as for JSON."""
    stack: list[list] = []   # the lists still open, innermost last
    result, pos, n = None, 0, len(text)
    expect_item = False    # after '[' or ',': an element or a nested list comes next
    while pos < n:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        if result is not None:
            raise _refuse(what, "has text after the list's closing ']'", text, (pos, n),
                          "a value is one list: remove what follows ']'")
        if char == "[":
            if stack and not expect_item:
                raise _refuse(what, "is missing a ',' between two lists", text, (pos, pos + 1),
                              "separate the elements with commas: [[1, 2], [3, 4]]")
            if len(stack) >= MAX_AXES:
                raise _refuse(what, f"has more than {MAX_AXES} axes", text, (pos, pos + 1),
                              f"arrays have at most {MAX_AXES} axes")
            stack.append([])
            expect_item, pos = True, pos + 1
        elif char == "]":
            if not stack:
                raise _refuse(what, "has a ']' that closes nothing", text, (pos, pos + 1),
                              "remove it, or open the list with '['")
            items = stack.pop()
            expect_item, pos = False, pos + 1
            if stack:
                stack[-1].append(items)
            else:
                result = items
        elif char == ",":
            if not stack or expect_item:
                raise _refuse(what, "has an empty element", text, (pos, pos + 1),
                              "write a number between the commas, or remove one")
            expect_item, pos = True, pos + 1
        else:
            if not stack:
                raise _refuse(what, "is not a valid array", text, (pos, pos + 1),
                              'write arrays as nested lists: "[[1, 2], [3, 4]]"')
            if not expect_item:
                raise _refuse(what, "is missing a ',' between two elements", text, (pos, pos + 1),
                              "separate the elements with commas: [1, 2]")
            end, depth = pos, 0    # an element runs to the next ',' or ']' outside parentheses
            while end < n and (depth or text[end] not in ",]["):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            stack[-1].append(read_scalar(text[pos:end], what, whole=text, start=pos))
            expect_item, pos = False, end
    if stack:
        raise _refuse(what, "is not a valid array: a '[' is not closed", text, (n, n + 1),
                      f"add {']' * len(stack)!r} at the end")
    if result is None:
        raise _refuse(what, "is empty", text, (0, 1), f"write {_EXAMPLES}")
    return result


def read_value(raw: str, what: str):
    """A number or a nested list of numbers as typed (a float, or nested lists of floats)."""
    bad_bytes = not_utf8(raw, f"the value of {what}")
    if bad_bytes is not None:      # --x $'1\xff': bytes a terminal sent in another encoding
        raise bad_bytes
    text = raw.strip()
    if NUMBER.match(text):
        return read_scalar(text, what)
    if text.startswith("["):
        import json   # here: a number needs no json (a table or -q then imports none)

        try:
            data = load_json(text)   # the fast path: JSON's own parser, in C
        except BadNumber as error:
            raise GradcalcError(f"the value of {what} is {error}", hint=f"arrays have at most {MAX_AXES} axes") from None
        except json.JSONDecodeError:
            _refuse_other_notations(raw, what)
            return read_list(raw, what)
        if re.compile(_JSON_WORDS).search(text):   # numpy would read true/false beside numbers as 1/0
            from .arrays import nested_list_problem

            problem = nested_list_problem(data, what.lstrip("-"))
            if problem:
                raise GradcalcError(problem, hint="an array holds numbers only")
        return data
    try:
        return read_scalar(raw, what)
    except GradcalcError as error:
        ascii_minus = text.translate(_DASHES)
        if ascii_minus != text and NUMBER.match(ascii_minus):   # −1 pasted from a document
            error.hint = f"that is a typographic minus; type an ASCII '-': {ascii_minus}"
        raise


def _refuse_other_notations(raw: str, what: str) -> None:
    """A matrix as Octave writes it ([1 2; 3 4]) or as NumPy prints it ([[1. 2.] [3. 4.]]): refused
    with the whole list spelled with commas, since [1 -2] would otherwise be a guess."""
    text = raw.strip()
    at = raw.index(text[0])
    semicolon = text.find(";")
    if semicolon >= 0:
        rows = [row.replace(",", " ").split() for row in text.strip("[]").split(";")]
        raise _refuse(what, "is written as Octave or MATLAB writes a matrix", raw,
                      (at + semicolon, at + semicolon + 1),
                      "write rows as lists: [" + ", ".join(f"[{', '.join(row)}]" for row in rows) + "]")
    if "," not in text and re.compile(_SPACED_NUMBERS).search(text):
        spaced = re.compile(_SPACED_NUMBERS).search(text)
        commas = re.sub(r"\]\s*\[", "], [", re.sub(r"(?<=[0-9.])\s+(?=[-+0-9.])", ", ", text))
        commas = re.sub(r"\[\s+", "[", re.sub(r"\s+\]", "]", commas))
        raise _refuse(what, "has numbers separated by spaces, as NumPy prints arrays", raw,
                      (at + spaced.start(), at + spaced.end()), f"write {commas}")


def looks_like_value(raw: str) -> bool:
    """True if `raw` is meant as a value at all: a number, a nested list or @file."""
    text = raw.strip()
    return read_number(text) is not None or text.startswith(("@", "["))


def parse_value(name: str, raw: str | None, limits: Limits = DEFAULT):
    """`--NAME VALUE`: a value as typed (`read_value`), or @file (.npy, .csv) for an array."""
    if raw is None:
        raise GradcalcError(f"--{name} needs a value", hint=f"write --{name} 1.5")
    if raw.strip().startswith("@"):
        from .arrays import read_array_file

        return read_array_file(name, raw.strip()[1:], limits)
    return read_value(raw, f"--{name}")
