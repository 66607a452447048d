"""Python's def blocks, read by the grammar: gradcalc/indent.py turns a def's indented body into INDENT
and DEDENT tokens for the LALR driver and Lark alike; what the pre-pass does not read (docstrings,
prints, `with torch.no_grad():`) is blanked before, and indentation is read in the text as written."""

import pytest
from helpers import assert_error, numeric_gradients, run

from gradcalc import compute, indent
from gradcalc.parse import _ignored, _token_source


def _kinds(source: str) -> list[str]:
    return [t.lastgroup for t in indent.tokens(source, source, _token_source(), _ignored())]


def test_a_block_body_is_bracketed_by_indent_and_dedent():
    assert _kinds("def f(x):\n    y = x\n    return y\nf(2)") == [
        "DEF", "NAME", "LPAR", "NAME", "RPAR", "COLON", "INDENT", "NAME", "EQUAL", "NAME", "_SEP",
        "RETURN", "NAME", "DEDENT", "_SEP", "NAME", "LPAR", "NUMBER", "RPAR"]


def test_a_body_on_the_header_line_ends_with_the_line():
    assert _kinds("def f(x): return x\nf(2)") == [
        "DEF", "NAME", "LPAR", "NAME", "RPAR", "COLON", "INDENT", "RETURN", "NAME", "DEDENT", "_SEP",
        "NAME", "LPAR", "NUMBER", "RPAR"]


@pytest.mark.parametrize("text, has", [("def f(x):\n  return x", True), ("  def f(x): return x", True),
                                       ("x_def + d*e*f", False), ("undef(x)", False), ("d e f", False)])
def test_only_a_text_with_a_def_line_is_read_for_indentation(text, has):
    assert indent.has_def(text) is has


@pytest.mark.parametrize("program, values, value", [
    # several statements a body, on lines and after ;
    ("def f(x):\n    a = x + 1\n    b = a * x; c = b - 1\n    return c * a", {"x": 2.0}, 15.0),
    # an expression over lines inside brackets, and after a backslash
    ("def f(x):\n    y = (x**2 +\n         3*x)\n    return y", {"x": 2.0}, 10.0),
    ("def f(x):\n    return x * \\\n        (x + 1)", {"x": 2.0}, 6.0),
    # a header over lines
    ("def f(x,\n      y):\n    return x*y\nf(x, 3.0)", {"x": 2.0}, 6.0),
    # tabs, or two spaces: any indentation used alike
    ("def f(x):\n\ty = x*3\n\treturn y*x", {"x": 2.0}, 12.0),
    ("def f(x):\n  y = x*3\n  return y*x", {"x": 2.0}, 12.0),
    # helpers calling each other, the one called defined after its caller
    ("def g(x):\n    return h(x) * 2\n\ndef h(t):\n    return t + 1\n\ng(x)", {"x": 2.0}, 6.0),
    # annotations read past, defaults kept
    ("def f(x: float, a: float = 0.5) -> jnp.ndarray:\n    return a * x**2", {"x": 2.0}, 2.0),
    ("def f(x) -> tuple[float, float]:\n    return x**2", {"x": 3.0}, 9.0),
    # a docstring, a comment, a print and a blank line inside the body; blanked lines indent nothing
    ('def f(x):\n    """Square."""\n    # why\n    print(x)\n\n    return x**2  # done\nprint(f(3.0))', {}, 9.0),
    ('def f(x): """Square."""; return x**2\nf(3.0) + 1', {}, 10.0),
    # a docstring over lines, at the margin too, and a print over lines: no line of theirs starts a statement
    ('def f(x):\n    """Square x.\n\nArgs: x (a float)\n    """\n    return x**2', {"x": 3.0}, 9.0),
    ('def f(x):\n    print("x is",\nx)\n    return x**3', {"x": 2.0}, 8.0),
    ("y = 1.5; def f(x): return x*y\nf(x)", {"x": 2.0}, 3.0),
    ("def f(x):\n    with torch.no_grad():\n        c = x * 2\n    return x * c", {"x": 3.0}, 18.0),
    # a pasted session's def, its prompts blanked
    (">>> def f(t):\n...     y = t * 2\n...     return y * t\n...\n>>> f(x)", {"x": 3.0}, 18.0),
    # a body's name is its own: y outside is another
    ("y = x + 1\ndef f(t):\n    y = t * 10\n    return y\nf(x) + y", {"x": 2.0}, 23.0),
])
def test_def_blocks_are_evaluated(program, values, value):
    found = compute(program, values)
    assert found.value == pytest.approx(value)
    numeric = numeric_gradients(program, {**found.inputs, **values})
    for name in found.inputs if "no_grad" not in program else ():
        assert found.gradient[name] == pytest.approx(numeric[name], abs=1e-6), name


@pytest.mark.parametrize("program, message, caret, hint", [
    ("def f(x):\n    y = 2*x\n  return y", "this line's indentation matches no line above it",
     "          ^^", "indent a def's body lines alike"),
    ("def f(x):\n\ty = x*2\n        return y", "indented with tabs and spaces unlike the lines above it",
     "          ^^^^^^^^", "spaces only (or tabs only)"),
    ("def f(x):\nreturn x", "f has no body", "          ^^^^^^^^^", "indented, ending with return"),
    ("def f(x):", "f has no body", "  ^^^^^^^^^", "indented, ending with return"),
    ("def f(x):\n    return\n", "return without a value", "              ^^^^^^", "return x**2"),
    ("def f(x):\n    return x\n    y = 3", "a line after return is never run", "              ^^^^^", "end f with its return"),
    ('def f(x):\n    """Only a docstring."""\ny = 2', "f returns nothing", "          ^^^^^^^^^", "end f with return"),
    ("def f(x, **kw):\n    return x", "the parameter **kw is not read", "                   ^^^^", "plain parameters"),
    # a syntax error on a body's last line: the line ends there (not "the body")
    (">>> def f(t):\n...     return t**\n...\n>>> f(x)", "unexpected end of line", "                            ^",
     "'**' needs an exponent"),
])
def test_bad_def_blocks_say_where_and_what_to_write(program, message, caret, hint):
    result = run(program, "--x", "2")
    assert_error(result, 2, message, caret)
    assert hint in result.stderr
