"""Python's indentation as tokens: a text holding a def line is read as INDENT and DEDENT around each
def's body (the grammar's `function` rule), as Python's tokenizer does, for the LALR driver and Lark alike.

Only a def opens a body; elsewhere a line indented deeper than the one before continues its level (the
lines under a `with` the pre-pass blanked, a pasted session's), as before. A body is the rest of the
header's line (def f(x): y = 2*x; return y) or the lines indented below it; it ends at the first line
indented no deeper than the def. Indentation is compared as text, so tabs and spaces may each be used
but not mixed in one body, where Python's answer would depend on the width of a tab.
"""

from __future__ import annotations

import re

from .errors import GradcalcError

# Where a def line may stand: a quick look, so a text without one is read as before and pays nothing.
_DEF_LINE = re.compile(r"(?m)(?:^|;)[ \t]*def[ \t]")
_OPENERS, _CLOSERS = frozenset({"LPAR", "LSQB", "LBRACE"}), frozenset({"RPAR", "RSQB", "RBRACE"})


class Token:
    """A token as the driver (gradcalc/lalr.py) and the Lark feed read one: its kind, text and place."""

    __slots__ = ("lastgroup", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.lastgroup, self.text, self.start, self.end = kind, text, start, end

    def __repr__(self) -> str:   # pragma: no cover - for debugging
        return f"{self.lastgroup}({self.text!r}@{self.start})"


def has_def(source: str) -> bool:
    return "def" in source and _DEF_LINE.search(source) is not None


def tokens(source: str, text: str, token_source: str, ignored: frozenset) -> list[Token]:
    """The tokens of `source` with INDENT before each def's body and DEDENT after it (both empty, at
    the body's first and after its last token), the line break before a block body left out. Lines
    are indented as in `text`, the program as written: `source` is it with what the pre-pass does not
    read blanked (a docstring, `with torch.no_grad():`, the print( of print(f(2.0))), and those lines
    start and end bodies as they do in Python."""
    lexed = [Token(match.lastgroup, match.group(), match.start(), match.end())
             for match in re.finditer(token_source, source) if match.lastgroup not in ignored]
    out: list[Token] = []
    blocks: list[tuple] = []   # per open body: its indentation (None: on the header's line), the def's, its header
    header = None              # the def whose header is being read: [DEF token, bracket depth, its line's indentation]
    waiting = None             # a header that ended its line: its body is the lines below
    line = next(iter(_lines(text, -1, lexed[0].start)), (0, ""))[1] if lexed else ""
    for i, token in enumerate(lexed):
        kind = token.lastgroup
        if kind == "_SEP" and "\n" in token.text:
            if i + 1 == len(lexed):
                if waiting is not None:
                    raise _no_body(source, waiting)
                _close(source, blocks, out, "", None)
                out.append(token)
                continue
            opened = False
            for start, line in _lines(text, token.start, lexed[i + 1].start):
                if waiting is not None:
                    if not _deeper(line, waiting[2]):
                        raise _no_body(source, waiting)
                    blocks.append((line, waiting[2], waiting))
                    out.append(Token("INDENT", "", lexed[i + 1].start, lexed[i + 1].start))
                    waiting, opened = None, True
                else:
                    _close(source, blocks, out, line, start)
            if not opened or out[-1].lastgroup != "INDENT":
                out.append(token)
            continue
        if kind == "DEF" and header is None:
            header = [token, 0, line]
        elif header is not None and kind in _OPENERS:
            header[1] += 1
        elif header is not None and kind in _CLOSERS:
            header[1] -= 1
        elif header is not None and kind == "COLON" and header[1] == 0:
            out.append(token)
            if i + 1 == len(lexed) or (lexed[i + 1].lastgroup == "_SEP" and "\n" in lexed[i + 1].text):
                waiting = (*header, token)
            else:         # def f(x): return x**2 — the body is the rest of the line
                blocks.append((None, header[2], (*header, token)))
                out.append(Token("INDENT", "", lexed[i + 1].start, lexed[i + 1].start))
            header = None
            continue
        if kind == "_SEP" and out and out[-1].lastgroup == "INDENT":
            continue      # def f(x): """A docstring."""; return …: the ; after what was blanked
        out.append(token)
    if waiting is not None:
        raise _no_body(source, waiting)
    _close(source, blocks, out, "", None)
    return out


def _lines(text: str, start: int, stop: int):
    """(start, indentation) of each line written in `text` that starts after `start` and by `stop` and
    starts a statement, as Python reads indentation: blank lines, comments and the lines inside
    brackets or a string over lines (a docstring, a print over lines the pre-pass blanked) left out."""
    at = text.find("\n", start) if start >= 0 else -1
    depth, quote = _carry(text[start:at], 0, None) if at >= 0 and start >= 0 else (0, None)
    while at < stop and (at >= 0 or start < 0):
        end = text.find("\n", at + 1)
        written = text[at + 1:end if end >= 0 else len(text)]
        code = written.lstrip(" \t")
        if code and not code.startswith("#") and not depth and quote is None:
            yield at + 1, written[:len(written) - len(code)]
        if end < 0 or end >= stop:      # the line of the token after the line break: the last
            return
        depth, quote = _carry(written, depth, quote)
        at, start = end, 0


def _carry(line: str, depth: int, quote: str | None) -> tuple[int, str | None]:
    """The brackets open and the string over lines (its quotes) still open after `line`."""
    i = 0
    while i < len(line):
        if quote is not None:
            found = line.find(quote, i)
            if found < 0:
                break
            i, quote = found + 3, None
            continue
        char = line[i]
        if char == "#":
            break
        if line.startswith(('"""', "'''"), i):
            quote, i = line[i:i + 3], i + 3
            continue
        if char in "'\"":
            found = line.find(char, i + 1)
            i = found + 1 if found >= 0 else len(line)
            continue
        depth += char in "([{"
        depth = max(0, depth - (char in ")]}"))
        i += 1
    return depth, quote


def _close(source, blocks, out, indent, line) -> None:
    """Put a DEDENT for each body the line starting at `line`, indented `indent`, is outside of (None:
    the text's end, outside of all)."""
    while blocks:
        body, outer, header = blocks[-1]
        if body is not None and line is not None:
            if indent == body or _deeper(indent, body):
                return
            if not body.startswith(indent):
                raise _mixed(line, indent)
        if out[-1].lastgroup == "INDENT":        # the body's lines were all blanked (a docstring alone)
            name = _name(source, header)
            raise GradcalcError(f"{name} returns nothing", (header[0].start, header[3].end),
                                hint=f"end {name} with return and the formula it computes")
        blocks.pop()
        end = out[-1].end
        out.append(Token("DEDENT", "", end, end))
        if body is not None and line is not None and _deeper(indent, outer) and \
                not (blocks and blocks[-1][0] is not None and indent == blocks[-1][0]):
            raise GradcalcError("this line's indentation matches no line above it", (line, line + len(indent)),
                                hint="indent a def's body lines alike, and the line after the body as the def")


def _deeper(indent: str, than: str) -> bool:
    return len(indent) > len(than) and indent.startswith(than)


def _name(source: str, header) -> str:
    return re.match(r"def[ \t]+(\w+)", source[header[0].start:]).group(1)


def _no_body(source: str, header) -> GradcalcError:
    name = _name(source, header)
    return GradcalcError(f"{name} has no body", (header[0].start, header[3].end),
                         hint="write its lines below it, indented, ending with return …")


def _mixed(line: int, indent: str) -> GradcalcError:
    return GradcalcError("this line is indented with tabs and spaces unlike the lines above it", (line, line + len(indent)),
                         hint="indent a def's body with spaces only (or tabs only)")
