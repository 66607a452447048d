"""python -m gradcalc, and the gradcalc command: Ctrl-C even while the modules load is exit 130."""

import sys


def run() -> None:
    try:
        from .cli.quick import answer

        code = answer(sys.argv[1:])   # a plain question, without loading click
        if code is not None:
            sys.exit(code)
        from .cli import main
    except KeyboardInterrupt:   # before main's own handler exists: no traceback either
        sys.stderr.write("error: interrupted\n")
        sys.exit(130)
    main(prog_name="gradcalc")


if __name__ == "__main__":
    run()
