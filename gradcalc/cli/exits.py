"""How a command ends: an error's message on stderr and its exit code, never a traceback.

Imports no click at start (the quick path ends here too); `fail` is only reached with click loaded.
"""

from __future__ import annotations

import codecs
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
    """One message on stderr, as click.echo(err=True) writes it (a line, UTF-8 even under an ASCII locale)."""
    stream = text_stream("stderr")
    stream.write(text + "\n")
    stream.flush()


def _silence_stdout() -> None:
    # Python flushes stdout again at exit and would report the broken pipe a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): nothing to flush
        pass


def text_stream(name: str):
    """sys.stdout or sys.stderr when it writes UTF-8; else click's stream, which writes UTF-8 where the
    locale says ASCII (PYTHONIOENCODING=ascii) instead of failing on ∂."""
    stream = getattr(sys, name)
    try:
        if codecs.lookup(stream.encoding).name == "utf-8":
            return stream
    except (AttributeError, LookupError, TypeError):
        pass
    import click

    return click.get_text_stream(name, errors=None)   # what click.echo writes to
