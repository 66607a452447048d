"""--help's examples, exit codes and function list, fitted to the width click's formatter has.

The epilog is written with one example or one entry a line; `fit` wraps it for the screen: prose
between words, an example's comment onto its own line above it when the two do not fit, and a
command too long for the line split between its shell words with ` \\`, so it still pastes and runs.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

_EXAMPLE = re.compile(r"^(gradcalc .*?)(?:\s{2,}# (.*))?$")


def examples_folder() -> Path | None:
    """Where the files the examples name (network.gc, w.csv, homework.toml, …) are: the package's
    copy in an installed wheel, the repository's examples/ in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "examples", package.parent / "examples"):
        if (folder / "homework.toml").is_file():
            return folder
    return None


def fit(text: str, width: int) -> str:
    """`text` (lines of the epilog, each indented) wrapped to `width` columns."""
    out: list[str] = []
    for line in text.splitlines():
        body = line.lstrip()
        indent = line[:len(line) - len(body)]
        example = _EXAMPLE.match(body)
        if not body:
            out.append("")
        elif example:
            out += _example(example.group(1), example.group(2), indent, width)
        else:
            out += textwrap.wrap(body, width, initial_indent=indent, subsequent_indent=indent + "    ",
                                 break_long_words=False, break_on_hyphens=False)
    return "\n".join(out)


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
    if len(indent) + len(command) <= width:
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
