"""The click Command that takes `--NAME VALUE` bindings out before click parses, and option groups."""

from __future__ import annotations

import re
import sys
from typing import Callable

import click

from ..errors import IO_FAILED, GradcalcError, not_utf8
from ..names import is_name, unaccented
from ..numbers import NUMBER
from . import spec
from .exits import answering, guard, say

# else, like "--x; y", an expression; Greek names are variables too (--γ 2)
_OPTION_LIKE = re.compile(r"^--[A-Za-z_\u00b5\u0391-\u03c9\u03d1\u03d5\u03f5][A-Za-z_0-9\u00b5\u0391-\u03c9\u03d1\u03d5\u03f5\u2080-\u2089-]*$")


def option_group(*options: Callable) -> Callable:
    """One decorator applying a feature's options (sqlite-utils style), listed in --help in this order."""
    def apply(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command
    return apply


def given_on_command_line(ctx: click.Context, dest: str) -> bool:
    source = ctx.get_parameter_source(dest)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def refuse_conflicts(ctx: click.Context, options: tuple[spec.Option, ...],
                     conflicts: tuple[spec.Conflict, ...]) -> None:
    """Bad input (exit 2) for the first rule of `conflicts` (spec.py) that the command line breaks."""
    by_name = {name: option for option in options for name in option.names}

    def given(spelling: str) -> bool:
        name, _, value = spelling.partition(" ")      # "--mode forward": --mode given as forward
        dest = by_name[name].dest
        return given_on_command_line(ctx, dest) and (not value or ctx.params.get(dest) == value)

    for rule in conflicts:
        mine = [option for option in rule.options if given(option)]
        others = [option for option in rule.others if given(option)]
        if rule.rule == spec.REFUSES and mine and others:
            found = (mine, others)
        elif rule.rule == spec.NEEDS and mine and not others:
            found = (mine[:1], rule.others[:1])
        elif rule.rule == spec.ALONE and len(mine) > 1:
            found = (mine, ())
        else:
            continue
        raise GradcalcError(rule.message.format(given=" and ".join(found[0]), refused=rule.joiner.join(found[1])),
                            hint=rule.hint)


def options_for(options: tuple[spec.Option, ...], group: str) -> Callable:
    """The click options of one group of the spec, as one decorator."""
    return option_group(*(click_option(option) for option in options if option.group == group))


def click_option(option: spec.Option) -> Callable:
    """The click option declared by `option` (spec.py): the only place click's option types are chosen."""
    settings: dict = {"help": option.help, "metavar": option.metavar}
    if option.kind == spec.FLAG:
        settings["is_flag"] = True
    elif option.kind == spec.MANY:
        settings["multiple"] = True
    elif option.kind == spec.COUNT:
        settings["type"] = Count(option.low, option.high)
    elif option.kind == spec.CHOICE:
        settings["type"] = click.Choice(list(option.choices))
    elif option.kind == spec.TOLERANCE:
        settings["type"] = Tolerance()
    elif option.kind == spec.FILE:
        settings["type"] = File("rb", option.what or "the file")
    if option.kind not in (spec.FLAG, spec.MANY) and option.default is not None:
        settings["default"] = option.default
    if option.show_default:
        settings["show_default"] = True
    return click.option(*option.names, option.dest, **settings)


def own_options(command: click.Command) -> list[str]:
    """The command's own long option names, without the dashes: `json`, `max-rows`, …"""
    return [opt[2:] for param in command.params for opt in getattr(param, "opts", ())
            if opt.startswith("--")]


def asks_json(command: click.Command, argv: list[str]) -> bool:
    """Whether the command line gives the command's --json (before a `--` that ends the options), as
    soon as it starts: an error in the options themselves is then written as JSON too."""
    names = {name for param in command.params if param.name == "as_json" for name in param.opts}
    return bool(names.intersection(argv[:argv.index("--")] if "--" in argv else argv))


class OneLineErrors(click.Command):
    """A click Command whose usage errors (a bad option value, a missing argument, extra arguments)
    are gradcalc's one-line `error:` and `hint:` with exit 2, not click's four-line usage block."""

    def main(self, args=None, prog_name=None, **extra):
        # Not standalone: click hands back what it would have said or done itself (a usage error,
        # Ctrl-C as Abort, ctx.exit's code), so the one guard says it and picks the exit code.
        extra.pop("standalone_mode", None)
        answering(asks_json(self, sys.argv[1:] if args is None else list(args)))
        with guard():
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        sys.exit(code if isinstance(code, int) else 0)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise usage_error(error, ctx) from None

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:  # noqa: ARG002
        """The epilog fitted to the formatter's width: click's own would rewrap examples as prose,
        or (under \\b) leave them running past the terminal's edge."""
        if self.epilog:
            from .helptext import fit

            epilog = "\n".join(f"  {line}" if line.strip() else "" for line in self.epilog.splitlines()
                               if line != "\b")
            formatter.write("\n" + fit(epilog, formatter.width) + "\n")


_INVALID = re.compile(r"^Invalid value for '([^']+)': (.*?)\.?$", re.S)


def usage_error(error: click.UsageError, ctx: click.Context | None) -> GradcalcError:
    """click's message as gradcalc's error, and a hint pointing at the command's --help."""
    message = error.format_message()
    invalid = _INVALID.match(message)
    if invalid:   # "Invalid value for '--order': 31 is not in the range 1<=x<=30."
        message = f"{invalid.group(1)}: {invalid.group(2)}"
    message = message[:1].lower() + message[1:].rstrip(".")
    # gradcalc or gradcalc check, whatever the program was called (python -m gradcalc, a test runner)
    command = "gradcalc" + ("" if ctx is None else "".join(ctx.command_path.partition(" ")[1:]))
    hint = f"see {command} --help"
    if "unexpected extra argument" in message:
        hint = f'give the expression as one argument, in quotes: {command} "x * y" --x 1 --y 2'
    return GradcalcError(message, hint=hint)


class Command(OneLineErrors):
    """Takes `--NAME VALUE` for the expression's variables out of the arguments before click parses.

    Click only knows gradcalc's own options; every other `--name` is a variable binding. Taking them
    out first lets bindings stand anywhere (even before the expression), lets values be negative
    (`--x -1.5e-3`), and lets an expression start with a minus (`"-x**2"`). The bindings go to
    `ctx.meta["gradcalc.bindings"]` as (name, raw text or None) pairs.
    """

    # `gradcalc check SHEET.toml`: word → (whether the arguments are meant for it, its command); set
    # where the commands are put together (cli/__init__.py), so this module imports none of them.
    subcommands: dict = {}

    def main(self, args=None, prog_name=None, **extra):
        argv = sys.argv[1:] if args is None else list(args)
        answering(asks_json(self, argv))
        if sys.stdout is None:   # started with standard output closed (`>&-`): nothing could be shown
            say("error: standard output is closed, so the result cannot be written\n"
                "hint: redirect it to a file or a pipe instead of closing it")
            sys.exit(IO_FAILED)
        with guard():
            for word, (recognises, command) in self.subcommands.items():
                if argv[:1] == [word] and recognises(argv):
                    return command.main(argv[1:], f"{prog_name or 'gradcalc'} {word}", **extra)
            sheets = [arg for arg in argv[1:] if arg.endswith(".toml")]
            if argv[:1] == ["check"] and len(sheets) > 1:
                raise GradcalcError(f"gradcalc check grades one sheet at a time; {len(sheets)} were "
                                    f"given", hint=f'grade each: for s in {" ".join(sheets[:3])}'
                                                   f'{" …" if len(sheets) > 3 else ""}; do gradcalc '
                                                   f'check "$s"; done')
        return super().main(args, prog_name, **extra)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The examples, then every function with its derivative, domain and value at kinks (read
        off the table of operations, so it never disagrees with it; numpy loads only for --help)."""
        super().format_epilog(ctx, formatter)
        from ..ops import function_table_text
        from .helptext import fit

        formatter.write("\nFunctions (derivative; where defined; at kinks and ties):\n")
        formatter.write(fit(function_table_text(), formatter.width, paragraphs=False) + "\n")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = spec.names(spec.COMMAND, takes_value=True)
        flags = spec.names(spec.COMMAND, takes_value=False) | set(spec.HELP) | {spec.VERSION}
        options, positional, bindings = [], [], []
        i = 0
        while i < len(args):
            arg = args[i]
            name = arg.split("=", 1)[0]
            if name.startswith("--") and unaccented(name[2:]):   # --ŷ: the text's ŷ is the name y_hat
                name = "--" + unaccented(name[2:])
                arg = name + arg[len(arg.split("=", 1)[0]):]
            if arg == "--":
                positional += args[i + 1:]
                break
            if name in takes_value:
                options.append(arg)
                if "=" not in arg:
                    value = args[i + 1] if i + 1 < len(args) else None
                    if value is None or (value.startswith("--") and len(value) > 2):
                        raise GradcalcError(f"{arg} needs a value", hint="see gradcalc --help")
                    options.append(value)
                    i += 1
            elif name in flags and "=" in arg:   # --json=1: not a variable named json
                raise GradcalcError(f"{name} takes no value; it is on when given",
                                    hint=f"write {name} alone; to give a variable named {name[2:]} a "
                                         f"value, write --var {name[2:]}={arg.split('=', 1)[1]}")
            elif arg in flags or (arg.startswith("-") and not arg.startswith("--")
                                  and len(arg) > 1 and all(f"-{c}" in flags for c in arg[1:])):
                options.append(arg)
            elif _OPTION_LIKE.fullmatch(name):
                if not is_name(name[2:]):  # --max-row: not a variable name, so a mistyped option
                    close = closest_option(self, name[2:])
                    raise GradcalcError(f"no such option {name}", hint=f"did you mean {close}?" if close
                                        else "see gradcalc --help")
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
        if len(positional) > 1:   # click would say "unexpected extra arguments": say why instead
            _flag_given_a_value(args, flags, positional)
            _binding_without_dashes(positional)
            _one_dash_binding(positional)
            _not_utf8_binding(positional)
            _not_ascii_binding(positional)
        ctx.meta["gradcalc.bindings"] = bindings
        # A click usage error becomes a GradcalcError (OneLineErrors), whose render escapes control
        # characters in the arguments it quotes.
        return super().parse_args(ctx, options + ["--"] + positional)


def closest_option(command: click.Command, name: str) -> str | None:
    """The option of the command's own that `--name` probably meant (`--jsno` → `--json`), if any."""
    from ..names import did_you_mean

    options = own_options(command)
    if name in options:  # a value is also read for options such as --upstream
        return None
    close = did_you_mean(name, options, cutoff=0.75)
    return f"--{close}" if close else None


def _flag_given_a_value(args: list[str], flags: set[str], positional: list[str]) -> None:
    """`--json 1` beside an expression: a flag takes no value; a variable named json takes --var."""
    from ..values import looks_like_value

    for flag, value in zip(args, args[1:]):
        if flag.startswith("--") and flag in flags and value in positional and looks_like_value(value):
            name = flag[2:]
            raise GradcalcError(f"{flag} takes no value; it is on when given ({value} is left over)",
                                hint=f"to give a variable named {name} a value, write --var {name}={value}; "
                                     f"to turn {flag} on, write it alone" if is_name(name) else
                                     f"write {flag} alone")


_BARE_BINDING = re.compile(r"^([A-Za-zµ\u0391-\u03c9_][A-Za-z_0-9µ\u0391-\u03c9]*)=(.+)$")


def _binding_without_dashes(positional: list[str]) -> None:
    """`x=3` beside an expression: a variable's value written as in Python, not as an option."""
    from ..values import looks_like_value

    for arg in positional[1:]:
        match = _BARE_BINDING.match(arg)
        if match and looks_like_value(match.group(2)):
            raise GradcalcError(f"{arg}: a variable's value is given as an option",
                                hint=f"write --{match.group(1)} {match.group(2)}")


_ONE_DASH = re.compile(r"^-([A-Za-z_][A-Za-z_0-9]*)(?:=(.*))?$")


def _one_dash_binding(positional: list[str]) -> None:
    """`-x 1` or `-x=1` beside an expression: a variable's value written with one dash."""
    for i, arg in enumerate(positional):
        match = _ONE_DASH.match(arg)
        if not match:
            continue
        name, value = match.group(1), match.group(2)
        if value is None and i + 1 < len(positional):
            value = positional[i + 1]
        if value is not None and (NUMBER.match(value.strip()) or value.lstrip().startswith(("[", "@"))):
            raise GradcalcError(f"{arg if '=' in arg else f'{arg} {value}'}: a variable's value is "
                                f"given with two dashes", hint=f"write --{name} {value}")


def _not_utf8_binding(positional: list[str]) -> None:
    """`--x\xff 1`: a binding whose name holds bytes that are not UTF-8, so no name click could read."""
    for arg in positional:
        if arg.startswith("--"):
            error = not_utf8(arg.split("=", 1)[0], "the option's name")
            if error is not None:
                raise error


def _not_ascii_binding(positional: list[str]) -> None:
    """`--ж 2`: a binding whose name is not a name (ASCII or Greek letters), so not taken as one."""
    for arg in positional:
        name = arg[2:].split("=", 1)[0]
        if arg.startswith("--") and name.isidentifier() and not is_name(name):
            raise GradcalcError(f"--{name}: a variable's name uses ASCII or Greek letters, digits and _",
                                hint=f"rename {name} to such a name, in the expression and here")


class File(click.File):
    """click.File, except that a file that cannot be opened is gradcalc's own one-line error (exit 2),
    as for -f, rather than click's usage block."""

    def __init__(self, mode: str, what: str = "the file"):
        super().__init__(mode)
        self.what = what

    def convert(self, value, param, ctx):
        if value == "-" and sys.stdin is None:   # started with standard input closed (`<&-`)
            raise GradcalcError(f"cannot read {self.what} '-': standard input is closed",
                                hint="give a file, or pipe the input in")
        if isinstance(value, str) and value != "-":
            try:
                handle = open(value, self.mode)
            except (OSError, ValueError) as error:   # ValueError: a NUL byte in the path
                reason = getattr(error, "strerror", None) or str(error)
                raise GradcalcError(f"cannot read {self.what} {value!r}: {reason}",
                                    hint="check the path and the file's permissions") from None
            if ctx is not None:
                ctx.call_on_close(handle.close)
            return handle
        return super().convert(value, param, ctx)


class Tolerance(click.ParamType):
    """A tolerance: a finite number ≥ 0 (click's FloatRange lets nan and inf through)."""

    name = "float"

    def convert(self, value, param, ctx):
        from ..numbers import number_problem

        if isinstance(value, float):
            return value
        text = str(value).strip()
        problem = number_problem(text) or (None if float(text) >= 0 else "negative")
        if problem:
            self.fail(f"{value!r} is {problem}; a tolerance is a finite number ≥ 0, such as 1e-6",
                      param, ctx)
        return float(text)


class Count(click.IntRange):
    """A whole number in a range, written in ASCII digits as every number gradcalc reads (click's
    IntRange takes int(), which also reads '５' and '1_0')."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not (value.strip().isascii() and value.strip().lstrip("+-").isdigit()):
            self.fail(f"{value!r} is not a whole number written in ASCII digits", param, ctx)
        return super().convert(value, param, ctx)
