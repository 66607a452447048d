"""How a command ends: an error's message on stderr and its exit code, never a traceback."""

from __future__ import annotations

import os
import sys

import click

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
        click.echo(error.render(), err=True)
        ctx.exit(error.exit_code)
    ctx.exit(unexpected(error))


def unexpected(error: BaseException) -> int:
    """Say what happened in one line on stderr; the exit code for it."""
    if isinstance(error, (click.exceptions.Exit, click.ClickException, click.Abort)):
        raise error                                  # click's own ways out
    if isinstance(error, BrokenPipeError):
        _silence_stdout()   # the reader stopped early (`| head`): nothing more to say
        return EXIT_BROKEN_PIPE
    if isinstance(error, KeyboardInterrupt):
        click.echo("error: interrupted", err=True)
        return EXIT_INTERRUPTED
    if isinstance(error, OSError):   # the output could not be written: a full disk, a closed stream
        _silence_stdout()   # Python would fail again flushing it at exit
        reason = error.strerror or str(error) or type(error).__name__
        click.echo(f"error: input/output failed: {reason}\n"
                   f"hint: check the free space and that the output can be written", err=True)
        return EXIT_IO
    if isinstance(error, MemoryError):
        click.echo("error: out of memory: the input is too large for this machine\n"
                   "hint: lower the sizes, or the limits with --limit (see --help)", err=True)
        return 2
    if os.environ.get("GRADCALC_TRACEBACK"):
        raise error
    click.echo(f"error: internal error ({type(error).__name__}: {str(error)[:200]}); this is a bug "
               f"in gradcalc\nhint: please report it with the command that caused it; "
               f"GRADCALC_TRACEBACK=1 shows the traceback", err=True)
    return EXIT_INTERNAL


def _silence_stdout() -> None:
    # Python flushes stdout again at exit and would report the broken pipe a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): nothing to flush
        pass
