"""The shipped LALR tables (gradcalc/_lalr_tables.py) are what the installed Lark builds from the grammar
(tools/generate_tables.py writes them).

The generator reads Lark's private attributes (parse_table, rule_builders), which a new Lark may
change: pyproject bounds lark to the versions CI runs this test on (.ci/run: the newest release
and .ci/lowest.txt's)."""

import ast
import importlib.util
from pathlib import Path

import gradcalc

GENERATOR = Path(__file__).resolve().parent.parent / "tools" / "generate_tables.py"


def _generator():
    """tools/generate_tables.py, which is not part of the package (it is not shipped)."""
    spec = importlib.util.spec_from_file_location("generate_tables", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_installed_lark_builds_the_shipped_tables(tmp_path):
    fresh = tmp_path / "tables.py"
    _generator().generate_tables(str(fresh))
    shipped = Path(gradcalc.__file__).with_name("_lalr_tables.py").read_text(encoding="utf-8")
    # The first line names the Lark version that wrote the file; everything after it must agree.
    assert fresh.read_text(encoding="utf-8").split("\n", 1)[1] == shipped.split("\n", 1)[1]


def test_the_package_never_imports_the_generator():
    # The generator reads Lark's internals and belongs to the source tree, not to the installation.
    package = Path(gradcalc.__file__).parent
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            assert not any(name.split(".")[0] in ("tools", "generate_tables", "lark") for name in names
                           if path.name != "parse.py"), (path.name, names)


def test_the_tokenizer_reads_the_tokens_lark_reads():
    # The shipped alternation puts the common terminals first where no terminal before them in
    # Lark's order can start with the same character, and makes groups inside a terminal
    # non-capturing: every text must still be cut into the same tokens as with Lark's order.
    import random
    import re

    from gradcalc import _lalr_tables
    from gradcalc.lalr import Tokenizer
    from gradcalc.parse import _lark_terminals

    lark_order, _ = _lark_terminals()
    ours = re.compile(f"(?P<__SKIPPED>{_lalr_tables.SKIP})|{_lalr_tables.TERMINALS}|(?P<unmatched>[\\s\\S])")
    theirs = re.compile(f"(?P<__SKIPPED>{_lalr_tables.SKIP})|{lark_order}")
    pieces = [*"abefilmnpstxyzFT_019.+-*/@^=<>!()[]{},:;#\n\t \\$'\"−–×·÷∗⋅≤≥≠√π²³⁻¹µσ₁\r\f",
              "np.", "lambda", "lambda x:", "else", "if", "**", "==", "+=", ".T", ".sum(", "1e-3", ".5",
              "def f(", "return", "->", " -> float:"]
    # the driver's TOKENS: a token, its kind the empty group after it, then what is skipped; and its
    # tokenizer, which reads a text of ASCII characters only by ASCII_TOKENS (about a third of these)
    driver, skip = re.compile(_lalr_tables.TOKENS), re.compile(f"(?:{_lalr_tables.SKIP})*+")
    tokenizer = Tokenizer(_lalr_tables)

    def read(matches) -> list:
        return [(m.lastgroup, text[m.start():m.end(m.lastgroup)]) for m in matches if m.lastgroup]

    draw = random.Random(27)
    for _ in range(20_000):
        text = "".join(draw.choice(pieces) for _ in range(draw.randint(1, 10)))
        expected = [(m.lastgroup, m.group()) for m in theirs.finditer(text)]
        assert [(m.lastgroup, m.group()) for m in ours.finditer(text)] == expected, text
        tokens = [token for token in expected if token[0] != "__SKIPPED"]
        assert read(driver.finditer(text, skip.match(text).end())) == tokens, text
        assert read(tokenizer.finditer(text)) == tokens, text


def test_the_ascii_tokens_leave_out_only_what_an_ascii_text_cannot_hold():
    ascii = _generator()._ascii
    assert ascii(r"(?:\+|\-|−|–)") == r"(?:\+|\-)"                                # alternatives
    assert ascii("[A-Za-z_µΑ-ορ-ω][A-Za-z_0-9µ₀-₉]*") == "[A-Za-z_][A-Za-z_0-9]*"   # a class's members
    assert ascii("[ -é]") == r"[ -\x7f]"                                          # a range's ASCII part
    assert ascii("⁻?[⁰¹²³]+") is None and ascii("π") is None                      # nothing to match
    assert ascii("⁻?[0-9]+") == "[0-9]+"                                          # an optional part
    assert ascii("x(?!√)") == "x" and ascii("x(?=√)|y") == "y"                    # lookaheads
    for pattern in (r"[^\W\d]\w*", r"a(?=[ \t]*:)|b", "(?:a|b)*+c", r"[^\n]", r"\{x\}{2,3}"):
        assert ascii(pattern) == pattern
