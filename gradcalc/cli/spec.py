"""Every option of `gradcalc` and `gradcalc check`, declared once: name, kind, default, help, group.

click's options (`command.click_options`), the `--NAME VALUE` pre-parser, the quick path's tables
(`quick.py`) and the defaults of `output.Output` are all made from these lists, so they cannot drift
apart. Plain data: importing this module loads nothing (the quick path reads it without click).
Its rows are alike by design, as a table's are (a duplicate finder pairs them by shape): each option
is written here once, and what differs between two rows is what the option is.
"""

from __future__ import annotations

# Kinds of option: what its value is, and so how each reader treats the word after it.
FLAG = "flag"            # on when given, no value
TEXT = "text"            # one value, kept as text
MANY = "many"            # a value, repeatable: a tuple of texts
COUNT = "count"          # a whole number in ASCII digits, within [low, high]
CHOICE = "choice"        # one of `choices`
TOLERANCE = "tolerance"  # a finite number ≥ 0
FILE = "file"            # a file opened for reading ('-' for stdin)

# Options click adds itself: never a variable's value, always for the full command line.
HELP = ("-h", "--help")
VERSION = "--version"


class Option:
    """One option: its names (`-q`, `--quiet`), the keyword it reaches the command as, and the rest."""

    __slots__ = ("names", "dest", "kind", "default", "help", "group", "metavar", "low", "high",
                 "choices", "what", "show_default")

    def __init__(self, names: tuple[str, ...], kind: str, help: str, *, group: str, dest: str | None = None,
                 default=None, metavar: str | None = None, low: int | None = None, high: int | None = None,
                 choices: tuple[str, ...] = (), what: str | None = None, show_default: bool | None = None):
        self.names, self.kind, self.help, self.group = names, kind, help, group
        self.dest = dest or names[-1].lstrip("-").replace("-", "_")
        self.default = False if kind == FLAG else () if kind == MANY else default
        self.metavar, self.low, self.high, self.choices, self.what = metavar, low, high, choices, what
        self.show_default = default is not None if show_default is None else show_default

    @property
    def takes_value(self) -> bool:
        return self.kind != FLAG

    def __repr__(self) -> str:
        return f"Option({'/'.join(self.names)}, {self.kind})"


_PRECISION = dict(kind=COUNT, low=1, high=17, default=10,
                  help="Significant digits shown (JSON always carries full precision).")
_JSON_NAMES = dict(names=("--json",), dest="as_json", kind=FLAG)

# The gradcalc command, in the order --help lists them; `group` is the module that reads them.
COMMAND = (
    Option(("-f", "--file"), TEXT, "Read the program from FILE ('-' for standard input).",
           group="program", metavar="FILE"),
    Option(("--var",), MANY, "A variable's value, for names that clash with an option (--var json=2).",
           group="program", metavar="NAME=VALUE"),
    Option(("--upstream",), TEXT, "∂L/∂output to start the backward pass from (default: ones), shaped "
                                  "like the output; a nested list or @file.",
           group="program", metavar="ARRAY"),
    Option(("--wrt",), MANY, "Only report the gradient with respect to NAME (repeatable).",
           group="program", metavar="NAME"),

    Option(help="Print one JSON object (full precision); on an error, {\"error\": {…}} with the message, "
                "where it is and the exit code.", group="output", **_JSON_NAMES),
    Option(("--plain",), FLAG, "Plain text tables, no colour (the default when piped).", group="output"),
    Option(("-q", "--quiet"), FLAG,
           "Print bare numbers, one per line, in a fixed order: the value, then ∂z/∂NAME for each input "
           "in the order the values were given (inputs left to their defaults after them); with --wrt "
           "only those gradients, in --wrt's order. An array is one line of nested lists. --hessian, "
           "--order, --symbolic: their results instead.", group="output"),
    Option(("--precision",), group="output", **_PRECISION),
    Option(("--max-rows",), COUNT, "Longest table shown; 0 shows every row.", group="output",
           low=0, default=200),
    Option(("--latex",), FLAG,
           "Print LaTeX to paste: the trace as tabulars, or with --symbolic the formulas (align*), "
           "--hessian the matrix (pmatrix), --order the table of orders.", group="output"),

    Option(("--hessian",), FLAG,
           "Also all second derivatives of a scalar output, by differentiating the backward pass.",
           group="higher"),
    Option(("--jacobian",), FLAG,
           "Also the Jacobian: ∂y[i]/∂x[j] for every element of the output and of each input, one reverse pass "
           "per output element (or one forward pass per input element, where there are fewer).",
           group="higher"),
    Option(("--tangent",), MANY,
           "Also forward mode along a direction: the tangent of input NAME (repeatable; 0 on the others), and the "
           "output's tangent, the Jacobian-vector product J·v (jax.jvp's).", group="higher", metavar="NAME=VALUE"),
    Option(("--order",), COUNT,
           "Also the derivatives up to dᴷz/dxᴷ with respect to the one variable (or --wrt NAME), by "
           "Taylor mode; elementwise for an array input.", group="higher", low=1, high=100, metavar="K"),
    Option(("--symbolic",), FLAG,
           "Also each derivative as a simplified formula (∂z/∂x = 2·(x + y)); with --json in gradcalc's "
           "own syntax, ready to be given back to gradcalc.", group="higher"),
    Option(("--mode",), CHOICE,
           "reverse: one backward pass for every input; forward: tangents carried beside the values, "
           "one pass per input, with a table of every node's tangent.", group="higher",
           choices=("reverse", "forward"), default="reverse"),
    Option(("--compare-modes",), FLAG, "Run both modes and count the operations each one executed.",
           group="higher"),

    Option(("--expect",), MANY,
           "Check an answer for ∂z/∂NAME (or for the value, if NAME is the output): a number, or a "
           "formula such as \"x=2*(x+y)\", also compared at random points near the given one. "
           "Repeatable; exit 1 if any is wrong.", group="checks", metavar="NAME=ANSWER"),
    Option(("--check",), FLAG,
           "Compare the backprop gradient with central differences; exit 1 if they differ, 4 if they "
           "cannot be formed here (not finite on either side of the point).",
           group="checks", dest="numerical"),
    Option(("--rtol",), TOLERANCE, "Relative tolerance of --expect and --check.", group="checks",
           default=1e-6),
    Option(("--atol",), TOLERANCE, "Absolute tolerance of --expect and --check.", group="checks",
           default=1e-12),

    Option(("--limit",), MANY,
           "Raise a size limit (repeatable): length (characters of program, default 2e6), nodes (1e6), "
           "elements (numbers per value, 1e7), total (numbers in all values, 5e7), file (bytes per "
           "file read, 1e8), hessian (rows of --hessian, 200), jacobian (passes of --jacobian, 1000).", group="limit", metavar="NAME=N"),

    Option(("--points",), FILE,
           "Value and gradient at every row of FILE ('-' for stdin): CSV with a header naming the "
           "variables (',', ';' or tabs between fields; other columns, such as an id, are carried "
           "through), or JSON lines. Writes CSV (JSON lines with --json) in row order; --precision N "
           "rounds the CSV's numbers.", group="batch", metavar="FILE", what="the points file"),
    Option(("--keep-going",), FLAG,
           "With --points: a bad row gets an error field instead of stopping the batch.", group="batch"),

    Option(("--dot",), FLAG, "Print the graph as Graphviz DOT: values above the arrows, gradients below.",
           group="pictures", dest="as_dot"),
    Option(("--render",), TEXT,
           "Draw the graph into FILE (.svg, .png or .pdf) with Graphviz's dot program.",
           group="pictures", dest="picture", metavar="FILE"),
    Option(("--mermaid",), FLAG,
           "Print the graph as a Mermaid flowchart (GitHub and most note tools draw it).",
           group="pictures"),
    Option(("--tree",), FLAG,
           "Print the graph as a tree: the output at the root, each node with value and gradient.",
           group="pictures"),
    Option(("--html",), TEXT,
           "Write one self-contained HTML page into FILE ('-' for stdout) that steps through the forward "
           "and backward pass (←/→, Space), with a quiz mode. The graph is drawn by Graphviz's dot; "
           "without it the page has the tables only.", group="pictures", dest="page", metavar="FILE"),
    Option(("--quiz",), FLAG,
           "With --html: open the page in quiz mode, the gradients hidden until the learner types each "
           "one.", group="pictures"),
)

# `gradcalc check SHEET.toml`: a homework sheet, or with --answers a whole class.
CHECK = (
    Option(help="Print the report as one JSON object (on an error, {\"error\": {…}}).", group="sheet",
           **_JSON_NAMES),
    Option(("--plain",), FLAG, "Plain text, no colour (the default when piped).", group="sheet"),
    Option(("--precision",), group="sheet", **_PRECISION),
    Option(("--rtol",), TOLERANCE, "Relative tolerance (default: the sheet's rtol, else 1e-6).",
           group="sheet"),
    Option(("--atol",), TOLERANCE, "Absolute tolerance (default: the sheet's atol, else 1e-12).",
           group="sheet"),
    Option(("--limit",), MANY,
           "Raise the size limit of a sheet (bytes, default 2e6), e.g. --limit sheet=1e7.",
           group="sheet", metavar="sheet=N"),
    Option(("--rules",), TEXT,
           "Grade the sheet as a student's hand-in by your own copy of it, TEACHER.toml: its problems "
           "(the hand-in's must be the same), the answers it asks for, its points, tolerances and "
           "follow_through; what the hand-in sets itself is not used, and said.", group="sheet",
           metavar="TEACHER.toml"),
    Option(("--student",), TEXT,
           "With --rules: whose hand-in it is, for a copy that gives each student a point of their own "
           "(ranges or choices in at): the hand-in must be at the point drawn for NAME, as --key "
           "--answers draws it.", group="sheet", metavar="NAME"),
    Option(("--teacher-sheet", "--sheet-tolerance"), FLAG,
           "The sheet is yours, not a hand-in: its own points, follow_through and tolerances apply as "
           "written (without it a sheet graded on its own cannot set them, nor loosen the default "
           "tolerance).", group="sheet", dest="teacher_sheet"),

    Option(("--answers",), TEXT,
           "Grade a class: a CSV with a student column and a PROBLEM_ID.NAME column per answer ('-' "
           "for stdin); prints the gradebook as CSV (--json: every verdict); exit 0 once graded.",
           group="classroom", metavar="ANSWERS.csv"),
    Option(("--report",), TEXT,
           "With --answers: write a Markdown feedback file per student into DIR.",
           group="classroom", metavar="DIR"),
    Option(("--items",), TEXT,
           "With --answers: write the item analysis as CSV into FILE: per problem and answer, how many "
           "students got it right, right from their own earlier values (follow-through), wrong, blank or "
           "malformed, and the most common named mistakes.", group="classroom", metavar="FILE"),
    Option(("--solutions",), FLAG,
           "With --report: show the correct value, its formula and the backward pass for every answer "
           "that is wrong.", group="classroom"),
    Option(("--format",), CHOICE,
           "With --answers: the gradebook as csv (gradcalc's, with the review column), or as Canvas's "
           "gradebook import, Moodle's CSV grade import or Gradescope's results.json (one submission) "
           "read it.", group="classroom", dest="book_format", choices=("csv", "canvas", "moodle", "gradescope"),
           default="csv", metavar="FORMAT"),

    Option(("--key",), FLAG,
           "Print the answer key: every asked answer's value and formula at the sheet's point; with "
           "--answers, each student's own (their point, where the sheet gives ranges or choices) as CSV.",
           group="key"),
    Option(("--latex",), FLAG, "With --key: the key as LaTeX to paste (an align* per problem).",
           group="key", dest="key_latex"),
    Option(("--self-test",), FLAG,
           "Test the sheet: its key must earn full marks and small changes of it none, and every "
           "student's point (with --answers, theirs; else 200 drawn) must be computable; exit 1 saying "
           "what fails.", group="key"),

    Option(("--html",), TEXT,
           "Write a page per problem into DIR (problem-1.html, …) that steps through its forward and "
           "backward pass, as gradcalc EXPR --html does; a class sheet's too (with or without --answers), "
           "its quiz judging each answer by the rule the class is graded by.", group="pages", dest="pages",
           metavar="DIR"),
    Option(("--quiz",), FLAG, "With --html: open the pages in quiz mode.", group="pages",
           dest="pages_quiz"),
)


# Options that do not go together --------------------------------------------------------------------
# Declared once per command and checked in order, before anything is computed, by
# command.refuse_conflicts, which says the first that applies. An option is named as typed; "--mode
# forward" and "--html -" name an option given with that value. "Given" means on the command line.
REFUSES = "refuses"    # none of `others` beside any of `options`
NEEDS = "needs"        # each of `options` only together with one of `others`
ALONE = "alone"        # at most one of `options`


class Conflict:
    """One rule of a conflict table, with the error it gives: `message` may use {given} (the rule's
    options that were given, joined by " and ") and {refused} (the others given, joined by `joiner`)."""

    __slots__ = ("options", "rule", "others", "hint", "message", "joiner")

    def __init__(self, options: tuple[str, ...], rule: str, others: tuple[str, ...] = (), hint: str | None = None,
                 message: str | None = None, joiner: str = ", "):
        self.options, self.rule, self.others, self.hint, self.joiner = options, rule, others, hint, joiner
        self.message = message or {REFUSES: "{given} cannot be combined with {refused}",
                                   NEEDS: "{given} needs {refused}",
                                   ALONE: "{given} each print the whole output; give one of them"}[rule]


_PICTURES = ("--dot", "--render", "--mermaid", "--tree", "--html", "--quiz")
_ON_STDOUT = ("--dot", "--mermaid", "--tree", "--html -")      # a picture that is the whole output
_CHECKS = ("--expect", "--check")
_HIGHER = ("--hessian", "--jacobian", "--tangent", "--order", "--symbolic", "--mode forward", "--compare-modes")
_LATEX_SHOWS = "--latex shows the trace, --symbolic, --hessian and --order"

COMMAND_CONFLICTS = (
    Conflict(("--latex",), REFUSES, ("--json", "-q"), "choose one form of output", joiner=" and "),
    Conflict(("--latex",), REFUSES, _PICTURES + _CHECKS + ("--points", "--jacobian", "--tangent", "--mode forward", "--compare-modes"),
             _LATEX_SHOWS),
    Conflict(("--points",), REFUSES, _CHECKS + _HIGHER + ("--upstream",) + _PICTURES,
             "a batch computes values and gradients only; run the other options on one point"),
    # A batch writes one line per point: -q and --max-rows would have nothing to leave out.
    Conflict(("--points",), REFUSES, ("-q", "--max-rows"),
             "--points writes a header and one line per point; pick columns with --wrt, or after it "
             "(cut -d, -f3)"),
    Conflict(_CHECKS, REFUSES, _HIGHER, "run them as two commands"),
    # A picture on stdout is the whole output: no room for the answers table, and checks that ran
    # unseen would only change the exit code.
    Conflict(_CHECKS, REFUSES, _ON_STDOUT,
             "run them as two commands, or draw the graph into a file with --render beside the checks"),
    Conflict(("--quiz",), NEEDS, ("--html",), "add --html FILE", message="--quiz is a mode of the --html page"),
    Conflict(("--json",) + _ON_STDOUT, ALONE),
)

CHECK_CONFLICTS = (
    Conflict(("--quiz",), NEEDS, ("--html",), "add --html DIR", message="--quiz is a mode of the --html pages"),
    Conflict(("--report", "--items", "--solutions"), NEEDS, ("--answers",),
             "gradcalc check SHEET.toml --answers ANSWERS.csv --report DIR"),
    Conflict(("--format",), NEEDS, ("--answers",), "gradcalc check SHEET.toml --answers ANSWERS.csv --format FORMAT"),
    Conflict(("--solutions",), NEEDS, ("--report", "--format gradescope"),
             message="--solutions adds to the feedback files: give --report DIR too (or --format gradescope, "
                     "whose results carry the feedback)"),
    Conflict(("--student",), NEEDS, ("--rules",), "gradcalc check HANDIN.toml --rules TEACHER.toml --student NAME",
             message="--student says whose hand-in is graded by your copy of the sheet (--rules)"),
    Conflict(("--rules",), REFUSES, ("--answers", "--key", "--self-test", "--teacher-sheet"),
             message="--rules grades one hand-in by your copy of the sheet; {refused} is another way to "
                     "use a sheet: give one of them"),
    Conflict(("--json",), REFUSES, ("--format",),
             message="--json and --format are two ways to print the gradebook: choose one"),
    Conflict(("--latex",), NEEDS, ("--key",), "add --key", message="--latex prints the answer key as LaTeX"),
    Conflict(("--key",), REFUSES, ("--self-test",), "give one of them",
             message="--key and --self-test are separate runs"),
    Conflict(("--latex",), REFUSES, ("--json",), "give one of them",
             message="--latex and --json are two forms of the key"),
    Conflict(("--key", "--self-test"), REFUSES, ("--report", "--items", "--solutions", "--format", "--html"),
             "run the key or the self-test on its own", message="{refused} goes with grading, not with {given}"),
)


def names(options: tuple[Option, ...], *, takes_value: bool | None = None) -> frozenset[str]:
    """Every name of the options (`-q`, `--quiet`, …), or only of those that do (not) take a value."""
    return frozenset(name for option in options for name in option.names
                     if takes_value is None or option.takes_value == takes_value)


def long_names(options: tuple[Option, ...]) -> list[str]:
    """The long names without their dashes (`json`, `max-rows`), as a mistyped one is matched against."""
    return [name[2:] for option in options for name in option.names if name.startswith("--")]


def by_dest(options: tuple[Option, ...]) -> dict[str, Option]:
    return {option.dest: option for option in options}
