"""How a command ends: an error's message on stderr and its exit code, never a traceback.

Imports no click (the quick path ends here too); `fail` is only reached with click loaded. Every
line gradcalc writes goes through `write` (as UTF-8, whatever the locale says) or `say` (stderr).
"""

from __future__ import annotations

import codecs
import io
import os
import sys

from ..errors import GradcalcError

# Beyond 0-4: conventional codes for a stopped pipe (128 + SIGPIPE), Ctrl-C (128 + SIGINT), a failed
# read or write (EX_IOERR from sysexits.h) and a bug in gradcalc itself (EX_SOFTWARE).
EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_IO, EXIT_INTERNAL = 141, 130, 74, 70


def fail(ctx: click.Context, error: BaseException) -> None:
    """End the command for `error`: a GradcalcError's message and code, else `unexpected`."""
    if isinstance(error, GradcalcError):
        if error.hint:   # `--check VALUE` would set the option: a variable named check takes --var
            for option in ctx.command.params:
                for name in getattr(option, "opts", ()):
                    if name.startswith("--"):
                        error.hint = error.hint.replace(f"{name} VALUE", f"--var {name[2:]}=VALUE")
        say(error.render())
        ctx.exit(error.exit_code)
    ctx.exit(unexpected(error))


def unexpected(error: BaseException) -> int:
    """Say what happened in one line on stderr; the exit code for it."""
    click = sys.modules.get("click")   # loaded if click raised it
    if click and isinstance(error, (click.exceptions.Exit, click.ClickException, click.Abort)):
        raise error                                  # click's own ways out
    if isinstance(error, BrokenPipeError):
        _silence_stdout()   # the reader stopped early (`| head`): nothing more to say
        return EXIT_BROKEN_PIPE
    if isinstance(error, KeyboardInterrupt):
        say("error: interrupted")
        return EXIT_INTERRUPTED
    if isinstance(error, OSError):   # the output could not be written: a full disk, a closed stream
        _silence_stdout()   # Python would fail again flushing it at exit
        reason = error.strerror or str(error) or type(error).__name__
        say(f"error: input/output failed: {reason}\n"
            f"hint: check the free space and that the output can be written")
        return EXIT_IO
    if isinstance(error, MemoryError):
        say("error: out of memory: the input is too large for this machine\n"
            "hint: lower the sizes, or the limits with --limit (see --help)")
        return 2
    if os.environ.get("GRADCALC_TRACEBACK"):
        raise error
    say(f"error: internal error ({type(error).__name__}: {str(error)[:200]}); this is a bug "
        f"in gradcalc\nhint: please report it with the command that caused it; "
        f"GRADCALC_TRACEBACK=1 shows the traceback")
    return EXIT_INTERNAL


def say(text: str) -> None:
    """One message on stderr (a line). If stderr is closed or full, nothing can be said: the exit code
    still tells what happened, and a result already on stdout stands."""
    try:
        write("stderr", text + "\n")
    except (OSError, ValueError, AttributeError):
        pass


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
