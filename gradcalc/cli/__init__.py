"""The command line: options in, one engine call, one renderer, an exit code. No math here.

Every option is declared once in `spec` (name, kind, default, help, group); click's options, the
pre-parser and the quick path's tables are made from it. Each feature reads its group of options,
and the rules about combining them, in its own module:
`program` (EXPRESSION, -f, values, --upstream, --wrt, --limit), `output` (--json, --plain, -q,
--precision, --max-rows, and the one output dispatch), `higher` (--hessian, --order, --symbolic,
--mode, --compare-modes), `checks` (--expect, --check), `batch` (--points), `pictures` (--dot,
--render, --mermaid, --tree, --html), `sheet` (`gradcalc check`). `command` holds the `--NAME VALUE`
pre-parser and makes click's options from the spec, `exits` the one guard every front door ends
through, `app` the command itself. `quick` answers a plain question
without click.

Importing this package loads nothing: `main` (the click command) loads on first use, so the quick
path (`python -m gradcalc`, the `gradcalc` script) can import `cli.quick` without click.
"""


def __getattr__(name: str):
    if name == "main":
        from .app import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
