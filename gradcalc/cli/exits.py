"""How a command ends: an error's message on stderr and its exit code, never a traceback.

Every front door (the `gradcalc` script, the quick path, the pre-parser, click's commands) runs its
work inside `guard`, and `exit_code` is the one place an error becomes a code; the codes are named in
errors.py, on the error classes. Imports no click (the quick path ends here too). Every line gradcalc
writes goes through `write` (as UTF-8, whatever the locale says) or `say` (stderr). With --json
(`answering`), an error that ends the command before anything was written on stdout is also written
there, as one JSON object {"error": {…}}: a script that parses stdout reads why, and the code.
"""

from __future__ import annotations

import codecs
import io
import os
import sys

from ..errors import BROKEN_PIPE, INTERNAL, INTERRUPTED, IO_FAILED, GradcalcError


class guard:
    """`with guard():` around a front door's work: any error (and Ctrl-C) is said on stderr and
    becomes SystemExit with its code. click's own way out of a command (ctx.exit) passes through."""

    def __enter__(self) -> guard:
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or not isinstance(error, (Exception, KeyboardInterrupt)):
            return False
        click = sys.modules.get("click")
        if click is not None and isinstance(error, click.exceptions.Exit):
            return False
        raise SystemExit(exit_code(error)) from None


# What the exit path knows of the command being run: whether it asked for --json, and whether
# anything was written on stdout yet (then its result stands, or was cut off, and nothing is added).
_COMMAND = {"json": False, "wrote": False}


def answering(json: bool) -> None:
    """A front door starts a command: with `json` (--json was given), an error that ends it before
    anything is written on stdout is also one JSON object there."""
    _COMMAND.update(json=json, wrote=False)


def exit_code(error: BaseException) -> int:
    """Say what happened on stderr (one message, no traceback); the exit code for it. With --json
    and nothing on stdout yet, the same as one JSON object there."""
    said, code = _account(error)
    if said:
        say(said.render(stderr_columns()) if isinstance(said, GradcalcError) else said)
    if _COMMAND["json"] and not _COMMAND["wrote"] and isinstance(said, GradcalcError):
        try:
            write("stdout", json_error(said, code) + "\n")
        except (OSError, ValueError, AttributeError):   # stdout closed or full: stderr said it
            _silence_stdout()   # Python would fail again flushing it at exit
    return code


def _account(error: BaseException) -> tuple[GradcalcError | str, int]:
    """The error as gradcalc says it (a GradcalcError, or a text where nothing more could be said on
    stdout), and its exit code."""
    if isinstance(error, GradcalcError):
        return _with_var_hint(error), error.exit_code
    click = sys.modules.get("click")   # loaded if click raised it
    if click is not None and isinstance(error, click.exceptions.Abort):
        error = KeyboardInterrupt()   # click's name for Ctrl-C while it read the options
    elif click is not None and isinstance(error, click.ClickException):
        return GradcalcError(error.format_message()), error.exit_code
    if isinstance(error, BrokenPipeError):
        _silence_stdout()   # the reader stopped early (`| head`): nothing more to say
        return "", BROKEN_PIPE
    if isinstance(error, KeyboardInterrupt):
        return GradcalcError("interrupted"), INTERRUPTED
    if isinstance(error, OSError):   # the output could not be written: a full disk, a closed stream
        _silence_stdout()   # Python would fail again flushing it at exit
        reason = error.strerror or str(error) or type(error).__name__
        return (f"error: input/output failed: {reason}\n"
                f"hint: check the free space and that the output can be written"), IO_FAILED
    if isinstance(error, MemoryError):
        return GradcalcError("out of memory: the input is too large for this machine",
                             hint="lower the sizes, or the limits with --limit (see --help)"), GradcalcError.exit_code
    if os.environ.get("GRADCALC_TRACEBACK"):
        raise error
    return GradcalcError(f"internal error ({type(error).__name__}: {str(error)[:200]}); this is a bug in "
                         f"gradcalc", hint="please report it with the command that caused it; "
                                           "GRADCALC_TRACEBACK=1 shows the traceback"), INTERNAL


def json_error(error: GradcalcError, code: int) -> str:
    """--json's account of an error: {"error": {"message", "hint", "exit_code", "meaning", "line",
    "column", "length"}}, where line and column (from 1, in characters) and length say what the
    caret marks in the expression (null where the error has no place)."""
    from ..errors import exit_codes
    from ..render.json import dumps

    line = column = length = None
    if error.span is not None and error.text is not None:
        start, end = (max(0, min(at, len(error.text))) for at in error.span)
        line_start = error.text.rfind("\n", 0, start) + 1
        line, column = error.text.count("\n", 0, line_start) + 1, start - line_start + 1
        line_end = error.text.find("\n", start)
        length = max(1, min(end, len(error.text) if line_end == -1 else line_end) - start)
    return dumps({"error": {"message": error.message, "hint": error.hint, "exit_code": code,
                            "meaning": dict(exit_codes()).get(code), "line": line, "column": column,
                            "length": length}})


def exit_code_table() -> str:
    """The exit codes and their meanings, as --help lists them (read off errors.exit_codes); one
    line, which --help wraps to the terminal's width."""
    from ..errors import exit_codes

    return "Exit codes: " + ", ".join(f"{code} {meaning}" for code, meaning in exit_codes()) + "."


def _with_var_hint(error: GradcalcError) -> GradcalcError:
    # `--check VALUE` would set the option: a variable named like an option takes --var NAME=VALUE.
    if error.hint and " VALUE" in error.hint:
        from . import spec

        for name in [*spec.long_names(spec.COMMAND), *(flag[2:] for flag in (*spec.HELP, spec.VERSION)
                                                        if flag.startswith("--"))]:
            error.hint = error.hint.replace(f"--{name} VALUE", f"--var {name}=VALUE")
    return error


def say(text: str) -> None:
    """One message on stderr (a line). If stderr is closed or full, nothing can be said: the exit code
    still tells what happened, and a result already on stdout stands."""
    columns = stderr_columns()
    if columns is not None:
        from ..errors import fold

        text = fold(text, columns)
    try:
        write("stderr", text + "\n")
    except (OSError, ValueError, AttributeError):
        pass


def stderr_columns() -> int | None:
    """The width of the terminal stderr goes to (COLUMNS if set), or None when it is not a terminal:
    a message there wraps between words rather than where the terminal would cut it; a log keeps
    its lines whole."""
    stream = sys.stderr
    try:
        if stream is None or not stream.isatty():
            return None
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return None
    return max(20, width)


def _silence_stdout() -> None:
    # Python flushes stdout again at exit and would report the broken pipe a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): nothing to flush
        pass


def write(name: str, text: str) -> None:
    """Write `text` to sys.stdout or sys.stderr and flush it. Always UTF-8: a stream whose locale says
    ASCII or latin-1 (PYTHONIOENCODING, a Windows cp1252 console redirected to a file) could not
    encode ∂ or ×, so its bytes are written as UTF-8 instead, as JSON requires anyway."""
    stream = getattr(sys, name)
    if name == "stdout" and text:
        _COMMAND["wrote"] = True
    if _writes_utf8(stream) or not hasattr(stream, "buffer"):
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    # A wrapper over the same buffer, detached after (closing it would close the stream's buffer).
    utf8 = io.TextIOWrapper(stream.buffer, encoding="utf-8", errors="backslashreplace", write_through=True)
    try:
        utf8.write(text)
        utf8.flush()
    finally:
        utf8.detach()


def _writes_utf8(stream) -> bool:
    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        return False
