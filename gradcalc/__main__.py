"""python -m gradcalc, and the gradcalc command: Ctrl-C even while the modules load is exit 130."""

import gc
import os
import sys


def run() -> None:
    # gradcalc checks every value itself (a non-finite one is exit 3 with its node named), so numpy's
    # own RuntimeWarnings ("Mean of empty slice", "overflow encountered") would only be noise on stderr.
    if "warnings" in sys.modules:
        sys.modules["warnings"].simplefilter("ignore", RuntimeWarning)
    else:     # as -W says it: the warnings module applies it when it loads (with numpy), and a question
        sys.warnoptions.append("ignore::RuntimeWarning")   # without numpy loads neither (~0.3 ms)
    # Loading the modules makes some 10 000 long-lived objects and no garbage: the cyclic collector
    # would walk them a dozen times on the way to a plain answer (5 M instructions, a twentieth of it).
    # It stays off until the process ends (leave), as the parse and the passes pause it anyway; the
    # full command line turns it back on.
    gc.disable()
    try:
        from .cli.exits import guard
    except KeyboardInterrupt:   # before the guard itself has loaded: said as it would say it
        if sys.stderr is not None:   # None: started with stderr closed; the code still says it
            sys.stderr.write("error: interrupted\n")
        sys.exit(130)   # errors.INTERRUPTED, which may not have loaded either
    with guard():
        from .cli.quick import answer

        code = answer(sys.argv[1:])   # a plain question, without loading click
        if code is not None:
            leave(code)
        gc.enable()
        from .cli import main
    main(prog_name="gradcalc")


def leave(code: int) -> None:
    """End the process now that the answer is written and flushed. Python's own exit would first free
    every object and module one by one: 10-25 ms here (more with rich loaded) that a shell loop
    waits for and nobody needs, since the process is ending. Nothing else is pending on the quick
    path: no file open for writing, no atexit handler of gradcalc's."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:   # None: started with that stream closed (`2>&-`), nothing to flush
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)   # Python's exit reports what went wrong, as before
    os._exit(code)


if __name__ == "__main__":
    run()
