"""--help's examples, exit codes and function list, fitted to the width click's formatter has.

The epilog is written with one example or one entry a line; `fit` wraps it for the screen: prose
between words, an example's comment onto its own line above it when the two do not fit, and a
command too long for the line split between its shell words with ` \\`, so it still pastes and runs.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

_COMMENTED = re.compile(r"^(.*?)(?:\s{2,}# (.*))?$")


def examples_folder() -> Path | None:
    """Where the files the examples name (network.gc, w.csv, homework.toml, …) are: the package's
    copy in an installed wheel, the repository's examples/ in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "examples", package.parent / "examples"):
        if (folder / "homework.toml").is_file():
            return folder
    return None


def fit(text: str, width: int, paragraphs: bool = True) -> str:
    """`text` (an epilog: prose, and examples indented deeper) wrapped to `width` columns. With
    `paragraphs`, prose lines of one indent run together, up to a line ending in ':'; without,
    each line is an entry of its own (the function list)."""
    out: list[str] = []
    for indent, body, code in _blocks(text, paragraphs):
        if not body:
            out.append("")
        elif code and len(indent + body) <= width:   # as written, comments aligned
            out.append(indent + body)
        elif code:
            line, comment = _COMMENTED.match(body).groups()
            out += _example(line, comment, indent, width)
        else:
            out += textwrap.wrap(body, width, initial_indent=indent, subsequent_indent=indent + "    ",
                                 break_long_words=False, break_on_hyphens=False)
    return "\n".join(out)


def _blocks(text: str, paragraphs: bool) -> list[tuple[str, str, bool]]:
    """(indent, text, whether it is an example or code) for each paragraph or line of `text`: a line
    indented deeper than the first line of its block (after a blank line) is code, kept as a line."""
    blocks: list[tuple[str, str, bool]] = []
    base, joinable = None, False
    for line in text.splitlines():
        body = line.lstrip()
        indent = line[:len(line) - len(body)]
        if not body:
            blocks.append(("", "", False))
            base, joinable = None, False
            continue
        base = indent if base is None else base
        code = len(indent) > len(base) or body.startswith("gradcalc ")
        if paragraphs and joinable and not code and indent == blocks[-1][0]:
            blocks[-1] = (indent, blocks[-1][1] + " " + body, False)
        else:
            blocks.append((indent, body, code))
        joinable = not code and not body.endswith(":")
    return blocks


def _example(command: str, comment: str | None, indent: str, width: int) -> list[str]:
    """One example: `command   # comment` on one line if it fits, else the comment above it."""
    if comment is None:
        return _command(command, indent, width)
    together = f"{indent}{command}   # {comment}"
    if len(together) <= width:
        return [together]
    lines = textwrap.wrap(comment, width, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ",
                          break_long_words=False, break_on_hyphens=False)
    return lines + _command(command, indent, width)


def _command(command: str, indent: str, width: int) -> list[str]:
    """A command on one line, or split between its shell words with ` \\` (continued 4 further in)."""
    if len(indent) + len(command) <= width or not command.startswith("gradcalc "):
        return [indent + command]
    words = _shell_words(command)
    lines, line = [], indent
    for word in words:
        if line.strip() and len(line) + 1 + len(word) + 2 > width:
            lines.append(line + " \\")
            line = indent + "    " + word
        else:
            line = f"{line} {word}" if line.strip() else line + word
    return [*lines, line]


def _shell_words(command: str) -> list[str]:
    """The command's words as written, quotes kept, an option with its value: where a line may break."""
    words, rest = [], command.strip()
    while rest:
        end = _written_end(rest)
        word = rest[:end]
        if words and (not word.startswith("-") and words[-1].startswith("-") and " " not in words[-1]
                      or words[-1] == ">"):
            words[-1] += " " + word   # an option stays with its value, `>` with its file
        else:
            words.append(word)
        rest = rest[end:].lstrip()
    return words


def _written_end(text: str) -> int:
    """Where the first shell word of `text` ends, quotes included."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch.isspace():
            return i
    return len(text)
