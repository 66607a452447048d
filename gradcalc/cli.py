"""The command line: options in, one engine call, one renderer, an exit code. No math here."""

from __future__ import annotations

import json
import os
import re
import sys

import click

from . import __version__
from .errors import GradcalcError, UnusedValue
from .limits import DEFAULT, read_text
from .numbers import NUMBER, BadNumber, load_json, number_problem

_JSON_WORDS = re.compile(r"\b(true|false|null)\b")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")
_OPTION_LIKE = re.compile(r"^--[A-Za-z_][A-Za-z_0-9-]*$")   # else, like "--x; y", an expression


class _Command(click.Command):
    """Takes `--NAME VALUE` for the expression's variables out of the arguments before click parses.

    Click only knows gradcalc's own options; every other `--name` is a variable binding. Taking them
    out first lets bindings stand anywhere (even before the expression), lets values be negative
    (`--x -1.5e-3`), and lets an expression start with a minus (`"-x**2"`).
    """

    def main(self, args=None, prog_name=None, **extra):
        argv = sys.argv[1:] if args is None else list(args)
        try:
            if _grades_a_sheet(argv):
                return check_sheet.main(argv[1:], f"{prog_name or 'gradcalc'} check", **extra)
            return super().main(args, prog_name, **extra)
        except (Exception, KeyboardInterrupt) as error:  # raised while click read the options
            sys.exit(_unexpected(error))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value, flags = {}, set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for opt in param.opts + param.secondary_opts:
                    (flags.add(opt) if param.is_flag or param.count else takes_value.setdefault(opt, 1))
        options, positional, bindings = [], [], []
        i = 0
        while i < len(args):
            arg = args[i]
            name = arg.split("=", 1)[0]
            if arg == "--":
                positional += args[i + 1:]
                break
            if name in takes_value:
                options.append(arg)
                if "=" not in arg:
                    value = args[i + 1] if i + 1 < len(args) else None
                    if value is None or (value.startswith("--") and len(value) > 2):
                        raise click.UsageError(f"{arg} needs a value", ctx)
                    options.append(value)
                    i += 1
            elif arg in flags or (arg.startswith("-") and not arg.startswith("--")
                                  and len(arg) > 1 and all(f"-{c}" in flags for c in arg[1:])):
                options.append(arg)
            elif _OPTION_LIKE.fullmatch(name):
                if not _NAME.fullmatch(name[2:]):  # --max-row: not a variable name, so a mistyped option
                    raise click.UsageError(f"no such option {name}" + (
                        f"; did you mean {_closest_option(name[2:])}?" if _closest_option(name[2:])
                        else ""), ctx)
                if "=" in arg:
                    bindings.append((name[2:], arg.split("=", 1)[1]))
                elif i + 1 < len(args):
                    bindings.append((name[2:], args[i + 1]))
                    i += 1
                else:
                    bindings.append((name[2:], None))
            else:
                positional.append(arg)
            i += 1
        ctx.meta["gradcalc.bindings"] = bindings
        return super().parse_args(ctx, options + ["--"] + positional)


class _File(click.File):
    """click.File that also turns a path with a NUL byte (ValueError from open) into a usage error."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except ValueError as error:
            self.fail(f"{value!r}: {error}", param, ctx)


class _Tolerance(click.ParamType):
    """A tolerance: a finite number ≥ 0 (click's FloatRange lets nan and inf through)."""

    name = "float"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        text = str(value).strip()
        problem = number_problem(text) or (None if float(text) >= 0 else "negative")
        if problem:
            self.fail(f"{value!r} is {problem}; a tolerance is a finite number ≥ 0, such as 1e-6",
                      param, ctx)
        return float(text)


EPILOG = """\b
Examples:
  gradcalc "(x+y)**2" --x 1 --y 2
  gradcalc "t = x + y; z = t**2" --x 1 --y 2
  gradcalc "apple*apple_num*tax" --apple 100 --apple_num 2 --tax 1.1
  gradcalc "x**2" --x 3 --wrt x -q            # prints 6
  gradcalc "sin(x)*exp(-x)" --x 0.5 --json
  gradcalc -f network.gc --W "[[1,2],[3,4]]"
  gradcalc "(x+y)**2" --x 1 --y 2 --expect "x=2*(x+y)" --expect y=6
  gradcalc "sin(x)*y" --x 0.5 --y 2 --check
  gradcalc "X@W + b" --X "[[1,2]]" --W @w.csv --b "[0,0,0]" --upstream "[[1,0,0]]"
  gradcalc "x**2*y + y**3" --x 1 --y 2 --hessian --symbolic
  gradcalc "sin(x)" --x 0.5 --order 4           # d⁴z/dx⁴ = sin(x)
  gradcalc "x1*x2*x3" --x1 1 --x2 2 --x3 3 --compare-modes
  gradcalc "(x+y)**2" --points points.csv > gradients.csv
  gradcalc check homework.toml                  # grade a homework sheet

\b
Exit codes: 0 ok, 1 a check did not match, 2 bad input, 3 math error;
141 the reader of the output stopped (| head), 130 interrupted, 70 a bug in gradcalc.
"""


@click.command(cls=_Command, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"],
                                                               "max_content_width": 100})
@click.argument("expression", required=False)
@click.option("-f", "--file", "file", metavar="FILE",
              help="Read the program from FILE ('-' for standard input).")
@click.option("--var", "var", multiple=True, metavar="NAME=VALUE",
              help="A variable's value, for names that clash with an option (--var json=2).")
@click.option("--upstream", metavar="ARRAY",
              help="∂L/∂output to start the backward pass from (default: ones), shaped like the output;"
                   " a nested list or @file.")
@click.option("--wrt", multiple=True, metavar="NAME",
              help="Only report the gradient with respect to NAME (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (full precision).")
@click.option("--plain", is_flag=True, help="Plain text tables, no colour (the default when piped).")
@click.option("-q", "--quiet", is_flag=True,
              help="Print bare numbers, one per line: the gradients (with --wrt), else value then gradients;"
                   " an array on one line as nested lists.")
@click.option("--precision", type=click.IntRange(1, 17), default=10, show_default=True,
              help="Significant digits shown (JSON always carries full precision).")
@click.option("--max-rows", type=click.IntRange(0), default=200, show_default=True,
              help="Longest table shown; 0 shows every row.")
@click.option("--hessian", is_flag=True,
              help="Also all second derivatives of a scalar output, by differentiating the backward pass.")
@click.option("--order", type=click.IntRange(1, 30), metavar="K",
              help="Also the K-th derivative dᴷz/dxᴷ with respect to the one variable (or --wrt NAME).")
@click.option("--symbolic", is_flag=True,
              help="Also each derivative as a simplified formula (∂z/∂x = 2·(x + y)); with --json "
                   "in gradcalc's own syntax, ready to be given back to gradcalc.")
@click.option("--mode", type=click.Choice(["reverse", "forward"]), default="reverse", show_default=True,
              help="reverse: one backward pass for every input; forward: tangents carried beside the "
                   "values, one pass per input, with a table of every node's tangent.")
@click.option("--compare-modes", is_flag=True,
              help="Run both modes and count the operations each one executed.")
@click.option("--expect", multiple=True, metavar="NAME=ANSWER",
              help="Check an answer for ∂z/∂NAME (or for the value, if NAME is the output): a number, "
                   "or a formula such as \"x=2*(x+y)\", also compared at random points near the "
                   "given one. Repeatable; exit 1 if any is wrong.")
@click.option("--check", "numerical", is_flag=True,
              help="Compare the backprop gradient with central differences; exit 1 if they differ.")
@click.option("--rtol", type=_Tolerance(), default=1e-6, show_default=True,
              help="Relative tolerance of --expect and --check.")
@click.option("--atol", type=_Tolerance(), default=1e-12, show_default=True,
              help="Absolute tolerance of --expect and --check.")
@click.option("--limit", "limit", multiple=True, metavar="NAME=N",
              help="Raise a size limit (repeatable): length (characters of program, default 2e6), "
                   "nodes (1e6), elements (numbers per value, 1e7), total (numbers in all values, "
                   "5e7), file (bytes per file read, 1e8).")
@click.option("--points", type=_File("rb"), metavar="FILE",
              help="Value and gradient at every row of FILE ('-' for stdin): CSV with a header naming "
                   "the variables, or JSON lines. Writes CSV (JSON lines with --json) in row order.")
@click.option("--keep-going", is_flag=True,
              help="With --points: a bad row gets an error field instead of stopping the batch.")
@click.option("--dot", "as_dot", is_flag=True,
              help="Print the graph as Graphviz DOT: values above the arrows, gradients below.")
@click.option("--render", "picture", metavar="FILE",
              help="Draw the graph into FILE (.svg, .png or .pdf) with Graphviz's dot program.")
@click.option("--mermaid", is_flag=True,
              help="Print the graph as a Mermaid flowchart (GitHub and most note tools draw it).")
@click.option("--tree", is_flag=True,
              help="Print the graph as a tree: the output at the root, each node with value and gradient.")
@click.version_option(__version__, "--version", prog_name="gradcalc")
@click.pass_context
def main(ctx: click.Context, expression, file, var, upstream, wrt, as_json, plain, quiet, precision,
         max_rows, hessian, order, symbolic, mode, compare_modes, expect, numerical, rtol, atol, limit,
         points, keep_going, as_dot, picture, mermaid, tree):
    """Compute a value and its gradient, and show the backward pass step by step.

    EXPRESSION is a formula or a small program (`t = x + y; z = t**2`). Give each variable's value as
    --NAME VALUE. Every node's local derivative and the gradient flowing back through it are shown,
    as in a textbook computational graph.
    """
    try:
        limits = DEFAULT.with_overrides(limit)
        text = _program_text(expression, file, limits)
        values = _values(ctx.meta["gradcalc.bindings"], var, limits)
        if points is not None:
            single_point = {"--expect": expect, "--check": numerical, "--hessian": hessian,
                            "--order": order, "--symbolic": symbolic, "--mode forward": mode == "forward",
                            "--compare-modes": compare_modes, "--upstream": upstream, "--dot": as_dot,
                            "--render": picture, "--mermaid": mermaid, "--tree": tree}
            clashing = [option for option, given in single_point.items() if given]
            if clashing:
                raise GradcalcError(f"--points cannot be combined with {', '.join(clashing)}",
                                    hint="a batch computes values and gradients only; run the "
                                         "other options on one point")
            return _batch(text, points, values, wrt, as_json, keep_going, limits)
        answers = []
        beyond_one_gradient = hessian or order or symbolic or mode == "forward" or compare_modes
        if (expect or numerical) and beyond_one_gradient:
            raise GradcalcError("--expect and --check cannot be combined with --hessian, --order, "
                                "--symbolic, --mode forward or --compare-modes",
                                hint="run them as two commands")
        # A picture on stdout is the whole output (ready for dot or a Markdown file): no room for
        # the answers table, and checks that ran unseen would only change the exit code.
        pictures = [option for option, given in (("--dot", as_dot), ("--mermaid", mermaid),
                                                 ("--tree", tree)) if given]
        if (expect or numerical) and pictures:
            checking = " and ".join(option for option, given in (("--expect", expect),
                                                                 ("--check", numerical)) if given)
            raise GradcalcError(f"{checking} cannot be combined with {', '.join(pictures)}",
                                hint="run them as two commands, or draw the graph into a file "
                                     "with --render beside the checks")
        if expect or numerical:
            from .check import parse_answer

            answers = [parse_answer(spec) for spec in expect]
        from .api import compute

        seed = None if upstream is None else parse_value("upstream", upstream, limits)
        result = compute(text, values, wrt=wrt, upstream=seed, limits=limits)
        if picture:
            from .render.dot import render_file

            render_file(result, picture, precision)
        if as_dot or mermaid or tree:
            forms = {"--json": as_json, "--dot": as_dot, "--mermaid": mermaid, "--tree": tree}
            return _emit(_picture(result, forms, plain, precision, max_rows))
        if beyond_one_gradient:
            from .higher import beyond
            from .render.higher import render

            found = beyond(result, hessian_wanted=hessian, order=order, mode=mode,
                           compare_modes=compare_modes, symbolic=symbolic)
            _emit(render(result, found, as_json, _use_rich(plain), quiet, precision, max_rows))
            return
        checks = None
        if expect or numerical:
            from .check import run_checks

            checks = run_checks(result, answers, numerical, rtol, atol)
        _emit(_render(result, as_json, plain, quiet, precision, max_rows, checks))
        if checks is not None and not checks.ok:
            from .errors import CheckFailed

            raise CheckFailed(checks.summary())
    except GradcalcError as error:
        if isinstance(error, UnusedValue) and error.unknown and _closest_option(error.name):
            error = _unknown_option(error.name)
        if error.hint:   # `--check VALUE` would set the option: a variable named check takes --var
            for option in ctx.command.params:
                for name in getattr(option, "opts", ()):
                    if name.startswith("--"):
                        error.hint = error.hint.replace(f"{name} VALUE", f"--var {name[2:]}=VALUE")
        click.echo(error.render(), err=True)
        ctx.exit(error.exit_code)
    except (Exception, KeyboardInterrupt) as error:
        _last_resort(ctx, error)


# Beyond 0-3: conventional codes for a stopped pipe (128 + SIGPIPE), Ctrl-C (128 + SIGINT) and a bug
# in gradcalc itself (EX_SOFTWARE from sysexits.h).
EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_INTERNAL = 141, 130, 70


def _last_resort(ctx: click.Context, error: BaseException) -> None:
    """Whatever escaped the engine: one line and an exit code, never a traceback."""
    ctx.exit(_unexpected(error))


def _unexpected(error: BaseException) -> int:
    """Say what happened in one line on stderr; the exit code for it."""
    if isinstance(error, (click.exceptions.Exit, click.ClickException, click.Abort)):
        raise error                                  # click's own ways out
    if isinstance(error, BrokenPipeError):
        _silence_stdout()   # the reader stopped early (`| head`): nothing more to say
        return EXIT_BROKEN_PIPE
    if isinstance(error, KeyboardInterrupt):
        click.echo("error: interrupted", err=True)
        return EXIT_INTERRUPTED
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


def _emit(text: str) -> None:
    """Write a result to stdout in pieces, so a reader that stops early (`| head`) is noticed.

    One large write into a pipe whose reader has gone comes back short instead of failing, and
    Python then drops the rest silently: the broken pipe (exit 141) would go unreported.
    """
    piece = 1 << 16
    for start in range(0, len(text), piece):
        click.echo(text[start:start + piece], nl=False)


def _silence_stdout() -> None:
    # Python flushes stdout again at exit and would report the broken pipe a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): nothing to flush
        pass


def _batch(text, stream, fixed, wrt, as_json, keep_going, limits) -> None:
    """--points: read, compute and write chunk by chunk, so output starts before the input ends."""
    import contextlib

    from .batch import open_points, run
    from .parse import parse
    from .render import batch as out

    graph = parse(text, limits)
    points = open_points(stream, graph, fixed, tuple(wrt))
    names = list(wrt or graph.variables)
    # The header goes out with the first rows, so an error in the first chunk leaves stdout empty.
    header = "" if as_json else out.csv_header(points.columns, graph.output_name, names, keep_going)
    bar = contextlib.nullcontext()
    if sys.stderr.isatty():
        from .render.progress import ProgressBar

        bar = ProgressBar(_size(stream))
    rows = 0
    with bar:
        for chunk in run(points, graph, fixed, tuple(wrt), keep_going):
            if not len(chunk):   # the rows before a bad first row: none
                continue
            click.echo(header + (out.jsonl_chunk(chunk, points.columns, points.format) if as_json else
                                 out.csv_chunk(chunk, points.columns, points.format, keep_going)), nl=False)
            header = ""
            rows += len(chunk)
            if hasattr(bar, "update"):
                bar.update(chunk.consumed, rows)
    click.echo(header, nl=False)   # a file with a header and no rows: just the header


def _size(stream) -> int | None:
    try:
        status = os.fstat(stream.fileno())
    except (OSError, AttributeError, ValueError):
        return None
    import stat

    return status.st_size if stat.S_ISREG(status.st_mode) else None


SHEET_EPILOG = """\b
A sheet is TOML; each [[problem]] has an expression, a point and the answers to check:
  title = "Backpropagation, week 3"
  [[problem]]
  name = "Square of a sum"
  expression = "(x+y)**2"
  at = { x = 1, y = 2 }
  points = 2
  [problem.expect]
  x = "2*(x+y)"      # a formula: also compared at 5 random points near the given one
  y = 6              # a number: compared at the given point
  z = 9              # the output's own name: its value

\b
Exit codes: 0 every answer right, 1 some answer wrong or malformed (the rest are graded), 2 a
malformed sheet (TOML, an expression, a point, points), 3 a math error.
"""


@click.command(epilog=SHEET_EPILOG, context_settings={"help_option_names": ["-h", "--help"],
                                                      "max_content_width": 100})
@click.argument("sheet", metavar="SHEET.toml")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--plain", is_flag=True, help="Plain text, no colour (the default when piped).")
@click.option("--precision", type=click.IntRange(1, 17), default=10, show_default=True,
              help="Significant digits shown (JSON always carries full precision).")
@click.option("--rtol", type=_Tolerance(), default=None,
              help="Relative tolerance (default: the sheet's rtol, else 1e-6).")
@click.option("--atol", type=_Tolerance(), default=None,
              help="Absolute tolerance (default: the sheet's atol, else 1e-12).")
@click.option("--sheet-tolerance", is_flag=True,
              help="Let the sheet's own rtol/atol be looser than the defaults (for a sheet you wrote; "
                   "without it a hand-in cannot loosen the tolerance its answers are graded with).")
@click.pass_context
def check_sheet(ctx: click.Context, sheet, as_json, plain, precision, rtol, atol, sheet_tolerance):
    """Grade a homework sheet: every problem's answers, a report and a score; exit 1 if any is wrong."""
    try:
        from .sheet import grade, load_sheet

        source = "standard input" if sheet == "-" else sheet
        report = grade(load_sheet(read_text(sheet, "the sheet"), source), rtol, atol,
                       sheet_tolerance=sheet_tolerance)
        if as_json:
            from .render.json import dumps
            from .render.sheet import to_dict

            click.echo(dumps(to_dict(report)))
        elif _use_rich(plain):
            from rich.console import Console

            from .render.sheet import render_rich

            Console().print(render_rich(report, precision))
        else:
            from .render.sheet import render_plain

            click.echo(render_plain(report, precision), nl=False)
        if not report.ok:
            from .errors import CheckFailed

            right, count = report.answers
            wrong = count - right
            malformed = sum(v.answer.malformed is not None for g in report.graded for v in g.verdicts)
            raise CheckFailed(f"{wrong} of {count} answers {'is' if wrong == 1 else 'are'} wrong"
                              + (f" ({malformed} malformed)" if malformed else ""))
    except GradcalcError as error:
        click.echo(error.render(), err=True)
        ctx.exit(error.exit_code)
    except (Exception, KeyboardInterrupt) as error:
        _last_resort(ctx, error)


def _grades_a_sheet(argv: list[str]) -> bool:
    """`gradcalc check [OPTIONS] SHEET.toml [OPTIONS]` grades a homework sheet. "check" could also be
    an expression (a variable named check): only `check` followed by nothing but the grader's own
    options and at most one file dispatches, so `check --var check=3` stays an expression."""
    if not argv or argv[0] != "check":
        return False
    options = [param for param in check_sheet.params if isinstance(param, click.Option)]
    flags = {opt for param in options if param.is_flag for opt in param.opts} | {"-h", "--help"}
    takes_value = {opt for param in options if not param.is_flag for opt in param.opts}
    files, i = 0, 1
    while i < len(argv):
        arg = argv[i]
        if arg.split("=", 1)[0] in takes_value:
            i += "=" not in arg   # skip the option's value
        elif arg == "-" or not arg.startswith("-"):
            files += 1
        elif arg not in flags:
            return False
        i += 1
    return files <= 1


def _program_text(expression: str | None, file: str | None, limits) -> str:
    if file is not None and expression is not None:
        raise GradcalcError("give the expression either as an argument or with -f, not both")
    if file is not None:
        return read_text(file, "the program file", limits)
    if expression is None:
        raise GradcalcError("no expression given", hint='try: gradcalc "(x+y)**2" --x 1 --y 2')
    return expression


def _closest_option(name: str) -> str | None:
    """The option of gradcalc's own that `--name` probably meant (`--jsno` → `--json`), if any."""
    import difflib

    options = [opt[2:] for param in main.params for opt in getattr(param, "opts", ())
               if opt.startswith("--")]
    if name in options:  # parse_value also reads the values of options such as --upstream
        return None
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f"--{close[0]}" if close else None


def _unknown_option(name: str) -> GradcalcError:
    return GradcalcError(f"unknown option --{name}", hint=f"did you mean {_closest_option(name)}? "
                         f"(--{name} VALUE would give a value to a variable {name})")


def parse_value(name: str, raw: str | None, limits=DEFAULT):
    """A command-line value: a number, a JSON-style nested list, or @file (.npy, .csv) for an array."""
    if raw is None:
        if _closest_option(name):
            raise _unknown_option(name)
        raise GradcalcError(f"--{name} needs a value", hint=f"write --{name} 1.5")
    text = raw.strip()
    if NUMBER.match(text):
        problem = number_problem(text)
        if problem:
            raise GradcalcError(f"the value of --{name} is {problem}",
                                hint="numbers must be finite and below about 1.8e308")
        return float(text)
    if text.startswith("@"):
        from .arrays import read_array_file

        return read_array_file(name, text[1:], limits)
    if text.startswith("["):
        try:
            data = load_json(text)
        except BadNumber as error:
            raise GradcalcError(f"the value of --{name} is {error}",
                                hint="arrays have at most 32 axes") from None
        except json.JSONDecodeError as error:
            raise GradcalcError(f"the value of --{name} is not a valid array: {error.msg} at "
                                f"character {error.pos + 1}", (error.pos, error.pos + 1),
                                hint='write arrays as nested lists: "[[1, 2], [3, 4]]"',
                                text=text) from None
        if _JSON_WORDS.search(text):   # numpy would read true/false beside numbers as 1/0
            from .arrays import nested_list_problem

            problem = nested_list_problem(data, name)
            if problem:
                raise GradcalcError(problem, hint="an array holds numbers only")
        return data
    if _closest_option(name):
        raise _unknown_option(name)
    hint = f"write a number such as --{name} 1.5"
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        hint = "nan and inf are not allowed as inputs; give a finite number"
    raise GradcalcError(f"the value of --{name} is not a number: {raw!r}", hint=hint)


def _values(bindings, var_options, limits=DEFAULT) -> dict:
    values = {}
    pairs = list(bindings)
    for item in var_options:
        if "=" not in item:
            raise GradcalcError(f"--var needs NAME=VALUE, got {item!r}", hint="write --var json=2")
        pairs.append(tuple(item.split("=", 1)))
    for name, raw in pairs:
        if not _NAME.match(name):
            raise GradcalcError(f"--var {name}={raw}: {name!r} is not a variable name",
                                hint="names start with a letter or _, then letters, digits or _")
        if name in values:
            raise GradcalcError(f"--{name} is given twice")
        values[name] = parse_value(name, raw, limits)
    return values


def _use_rich(plain: bool) -> bool:
    if plain or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _picture(result, forms: dict, plain, precision, max_rows) -> str:
    """--dot, --mermaid or --tree (drawn with rich on a terminal, plain text when piped)."""
    given = [option for option, wanted in forms.items() if wanted]
    if len(given) > 1:
        raise GradcalcError(f"{' and '.join(given)} each print the whole output; give one of them")
    if forms["--dot"]:
        from .render.dot import render_dot

        return render_dot(result, precision)
    if forms["--mermaid"]:
        from .render.mermaid import render_mermaid

        return render_mermaid(result, precision)
    if _use_rich(plain):
        from rich.console import Console

        from .render.tree import render_tree_rich

        console = Console()
        with console.capture() as capture:
            console.print(render_tree_rich(result, precision, max_rows))
        return capture.get()
    from .render.tree import render_tree_plain

    return render_tree_plain(result, precision, max_rows)


def _render(result, as_json, plain, quiet, precision, max_rows, checks=None) -> str:
    if as_json:
        from .render.json import render_json

        if checks is None:
            return render_json(result)
        from .render.check import to_dict as checks_dict
        from .render.json import dumps, to_dict

        return dumps({**to_dict(result), **checks_dict(checks)}) + "\n"
    if quiet:
        from .numbers import format_line

        numbers = list(result.gradient.values())
        if not result.wrt:
            numbers.insert(0, result.value)
        return "".join(format_line(n, precision) + "\n" for n in numbers)
    if _use_rich(plain):
        from rich.console import Console

        from .render.rich import render_result

        # No :emoji: codes in gradcalc's text: skipping the lookup spares importing rich's emoji table.
        console = Console(emoji=False)
        with console.capture() as capture:
            console.print(render_result(result, precision, max_rows))
            if checks is not None:
                from .render.check import render_rich

                console.print(render_rich(checks, precision))
        return capture.get()
    from .render.plain import render_plain

    text = render_plain(result, precision, max_rows)
    if checks is not None:
        from .render.check import render_plain as render_checks

        text += render_checks(checks, precision)
    return text
