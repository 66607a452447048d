"""Errors a user can cause, each carrying where in the text it happened and how to fix it."""

from __future__ import annotations

Span = tuple[int, int]


class GradcalcError(Exception):
    """Bad input: syntax, unknown name, missing or malformed value, shape mismatch (exit 2)."""

    exit_code = 2
    meaning = "bad input"   # what the exit code means, for --help's table

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None,
                 text: str | None = None):
        super().__init__(message)
        self.message, self.span, self.hint, self.text = message, span, hint, text

    def render(self, columns: int | None = None) -> str:
        """The full message a person reads: what, where (with a caret), how to fix. On a terminal
        `columns` wide, the prose wraps between words and the excerpt is cut to fit, caret and all."""
        lines = [f"error: {visible(_cut(self.message))}"]
        if self.text is not None and self.span is not None:
            lines.extend(caret(self.text, self.span, columns=columns))
        if self.hint:
            lines.append(f"hint: {visible(_cut(self.hint))}")
        text = "\n".join(lines)
        return text if columns is None else fold(text, columns)


class MathError(GradcalcError):
    """Division by zero, log of a non-positive number, overflow, any non-finite value (exit 3)."""

    exit_code = 3
    meaning = "math error"


class UnusedValue(GradcalcError):
    """A value was given for a name the program has no input of (exit 2); `name` says which.

    `unknown`: the program does not mention the name at all (so it may be a mistyped option)."""

    def __init__(self, message: str, name: str, hint: str | None = None, unknown: bool = False):
        super().__init__(message, hint=hint)
        self.name, self.unknown = name, unknown


class MissingValue(GradcalcError):
    """An input was given no value (exit 2); `names` says which, so each front end can say how."""

    def __init__(self, message: str, names: list[str], span: Span | None = None,
                 hint: str | None = None, text: str | None = None):
        super().__init__(message, span, hint, text)
        self.names = names


class CheckFailed(GradcalcError):
    """An expected answer or a numerical check did not match (exit 1)."""

    exit_code = 1
    meaning = "a check did not match"


class NotCheckable(GradcalcError):
    """--check found no finite difference quotient at the point: neither right nor wrong (exit 4)."""

    exit_code = 4
    meaning = "--check not checkable at this point"


# The ways out that are not the user's input, with the conventional codes: sysexits.h's EX_IOERR
# and EX_SOFTWARE, and 128 + the signal for a stopped pipe (SIGPIPE) and Ctrl-C (SIGINT).
OK = 0
IO_FAILED = 74
BROKEN_PIPE = 141
INTERRUPTED = 130
INTERNAL = 70


def exit_codes() -> list[tuple[int, str]]:
    """Every exit code gradcalc uses and what it means, in the order --help lists them."""
    return [(OK, "ok"), *((error.exit_code, error.meaning) for error in
                          (CheckFailed, GradcalcError, MathError, NotCheckable)),
            (IO_FAILED, "the output could not be written (disk full, standard output closed)"),
            (BROKEN_PIPE, "the reader of the output stopped (| head)"),
            (INTERRUPTED, "interrupted"), (INTERNAL, "a bug in gradcalc")]


def caret(text: str, span: Span, width: int = 100, columns: int | None = None) -> list[str]:
    """The line of `text` holding `span`, and a line of ^ under the span's columns.

    Long lines are cut to a window around the span (`width` characters, or what fits a terminal
    `columns` wide), marked with …, so the caret stays on screen and under its column.
    """
    start, end = span
    start = max(0, min(start, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end == -1:
        line_end = len(text)
    end = min(end, line_end)
    if end <= start:  # an empty span (end of input) still gets one caret
        end = start + 1
    line = _printable(text[line_start:line_end])
    line_no = text.count("\n", 0, line_start) + 1
    where = f"  line {line_no}: " if "\n" in text else "  "
    col, stop = start - line_start, end - line_start
    whole = width if columns is None else max(12, columns - len(where))
    left, right = 0, len(line)
    if cells(line) > whole:   # show a window of the line, a third of it before the span
        room = whole if columns is None else whole - 2   # on a terminal the … marks fit too
        left, right = _window(line, col, room)
    shown = ("…" if left > 0 else "") + line[left:right] + ("…" if right < len(line) else "")
    before = ("…" if left > 0 else "") + line[left:col]
    under = max(1, cells(line[col:max(col, min(stop, right))]))
    return [f"{where}{shown}", " " * (len(where) + cells(before)) + "^" * under]


def _window(line: str, col: int, room: int) -> tuple[int, int]:
    """The slice of `line` around column `col` that fills `room` cells, a third of them before it."""
    left, used = col, 0
    while left > 0 and used + cells(line[left - 1]) <= room // 3:
        left -= 1
        used += cells(line[left])
    right, used = left, 0
    while right < len(line) and used + cells(line[right]) <= room:
        used += cells(line[right])
        right += 1
    return left, max(right, min(col + 1, len(line)))


def cells(text: str) -> int:
    """How many terminal columns `text` takes: East Asian wide characters two, combining marks none."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def fold(text: str, columns: int) -> str:
    """`text` for a terminal `columns` wide: each prose line (`error: …`, `hint: …`) wrapped between
    words, its continuation under its first word; a line starting with a space (an excerpt of the
    expression, its caret) is kept as it is. A word, a number or a name is never cut."""
    import re
    import textwrap

    out = []
    for line in text.split("\n"):
        if cells(line) <= columns or line[:1].isspace():
            out.append(line)
            continue
        label = re.match(r"[a-z]+: |", line).group()
        # an option stays on the line of its value (--x 1, --var json=1): the space between is held
        held = re.sub(r"(?<!\S)(--[\w-]+) (?=[^\s-]\S{0,15}(?:\s|$))", "\\1\0", line[len(label):])
        out.extend(part.replace("\0", " ") for part in
                   textwrap.wrap(held, columns, initial_indent=label, subsequent_indent=" " * len(label),
                                 break_long_words=False, break_on_hyphens=False) or [line])
    return "\n".join(out)


def undecodable(text: str, at: int = 0) -> Span | None:
    """Where the first run of bytes that were not UTF-8 stands in `text`: Python reads a command-line
    argument's bad bytes as the lone surrogates U+DC80..U+DCFF (surrogateescape); None if there are none."""
    if text.isascii():
        return None
    start = next((k for k in range(at, len(text)) if "\udc80" <= text[k] <= "\udcff"), None)
    if start is None:
        return None
    end = start
    while end < len(text) and "\udc80" <= text[end] <= "\udcff":
        end += 1
    return start, end


def not_utf8(text: str, what: str, at: int = 0) -> GradcalcError | None:
    """The error for `what` (the expression, --x's value, an option's name) holding bytes that are not
    UTF-8: which bytes, where, and what they would be in Latin-1 (the usual other encoding)."""
    span = undecodable(text, at)
    if span is None:
        return None
    raw = bytes(ord(ch) - 0xDC00 for ch in text[span[0]:span[1]])
    shown = " ".join(f"0x{byte:02X}" for byte in raw)
    line_start = text.rfind("\n", 0, span[0]) + 1
    where = f"column {span[0] - line_start + 1}"
    if "\n" in text:
        where = f"line {text.count(chr(10), 0, line_start) + 1}, {where}"
    return GradcalcError(f"{what} is not valid UTF-8 text: byte{'s' if len(raw) > 1 else ''} {shown} at {where}",
                         span,
                         hint=f"the terminal or script passed bytes in another encoding ({shown} is "
                              f"{raw.decode('latin-1')!r} in Latin-1); give the text as UTF-8, e.g. with "
                              f"a UTF-8 locale (LANG=C.UTF-8) or iconv -f latin1 -t utf-8",
                         text=text)


_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """User text safe to print on a terminal or into CSV or Markdown: every control or format
    character (ESC, BEL, a newline inside a field, a right-to-left override) as a visible escape,
    `\\x1b`, `\\n`, `\\u202e`. A sheet's title or a points file must not set the window title,
    clear the screen or draw a fake score on the grader's terminal."""
    if text.isprintable():   # the common case, at C speed
        return text
    import unicodedata

    out = []
    for ch in text:
        if ch.isprintable() or unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        else:
            code = ord(ch)
            if 0xDC80 <= code <= 0xDCFF:      # a byte that was not UTF-8, as Python keeps it: the byte
                out.append(f"\\x{code - 0xDC00:02x}")
                continue
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
    return "".join(out)


def _cut(line: str, width: int = 1000) -> str:
    # A message quotes user text (a name, a value); a 100 000-character one would bury the message.
    # Wide enough for a message's own lists (every key a hand-in may not set, named).
    return line if len(line) <= width else line[:width - 1] + "…"


def _printable(line: str) -> str:
    # Control characters (NUL, tab) would shift or hide the caret; show them as one visible cell each.
    return "".join(ch if ch.isprintable() else "�" for ch in line)
