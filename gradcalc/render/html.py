"""--html: one self-contained page that steps through the forward and the backward pass, with a quiz.

The page is a single file: the graph is Graphviz's own SVG inlined, the script and the styles are
inline, and it asks nothing of any network (no CDN, no web font), so it opens from a file:// URL or
an e-mail attachment. `page_dot` and `render_html` are pure (same Result, same text); only
`draw_svg` runs Graphviz's `dot`. Without Graphviz the page is made without its picture, and says so.

Every number the page shows is formatted here, by the same functions as the terminal tables; the
script only chooses which of them to show at each step.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from .. import xp
from ..errors import GradcalcError
from ..check import ATOL, RTOL
from ..numbers import DEFAULT_PRECISION, format_shape, format_value
from ..ops import OPS
from ..tolerance import Rule, page_terms
from .json import plain
from .picture import folded, op_symbol, inline
from .rows import SUMMARISED, definition, differentiated, edge, local_formula

ASSETS = Path(__file__).with_name("html_assets")
# A picture beyond this many arrows takes dot tens of seconds to lay out (bench/pictures.py) and
# cannot be read on a screen anyway: the page then steps through the tables alone, and says so.
MAX_PICTURE_ARROWS = 400
# Labels on the arrows make dot's layout several times slower when inputs fan out (bench/html_page.py):
# up to this many arrows a picture is first tried with them, for LABELLED_SECONDS, then without.
MAX_LABELLED_ARROWS = 250
LABELLED_SECONDS = 10
DOT_SECONDS = 20
# A page holds every node and every step as text: 4 000 nodes made 3 MB in ~4 s, so beyond this the
# page is refused (its tables would be megabytes nobody steps through) and --dot, the tables say why.
MAX_PAGE_NODES = 5000
QUIZ_ELEMENTS = 9    # a gradient is asked for in the quiz if it has at most this many numbers
# The quiz names the mistake behind a wrong number (gradcalc.diagnose) for graphs up to this size: the
# catalogue re-runs the backward pass once per slip, ~2 s for 200 nodes on a loaded 2-core machine.
DIAGNOSED_NODES = 100
MISTAKES_PER_NODE = 12


def _escape(text: str) -> str:
    return html.escape(str(text), quote=True)


def _dot_string(text: str) -> str:
    # A DOT string: backslash and quote escaped, lines joined by Graphviz's centred line break.
    lines = str(text).split("\n")
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


def shown_nodes(graph) -> list:
    """The nodes the page draws and steps through: every node but the literals folded into ops."""
    return [node for node in graph.nodes if not folded(graph, node.id)]


def _node_title(result, node) -> str:
    label = result.labels[node.id]
    if node.op is None:
        return label
    return f"{label} = {op_symbol(result, node)}"


def short(value, precision: int = DEFAULT_PRECISION) -> str:
    """A value as a box in the picture shows it: a number, a small array, or `(2,3) array`."""
    text = inline(value, precision)
    if xp.ndim(value) and len(text) > SHORT:
        return f"{format_shape(xp.shape(value))} array"
    return text


SHORT = 24   # an array written longer than this is shown by its shape in the picture


def _grad_line(result, node_id: int, precision: int) -> str:
    grad = result.grads[node_id]
    return "grad " + ("—" if grad is None else short(grad, precision))


def depth(graph) -> int:
    """The number of nodes on the longest path from an input to the output (an iterative walk)."""
    level = [1] * len(graph.nodes)
    for node in graph.nodes:   # creation order is topological
        for src in node.inputs:
            level[node.id] = max(level[node.id], level[src] + 1)
    return max(level, default=1)


DEEP = 5   # a graph deeper than this is drawn top to bottom: left to right it would be a thin strip


def program_text(graph) -> str:
    """The program as one line for the page's heading: comments dropped, statements joined by `;`."""
    lines = [line.split("#", 1)[0].strip() for line in graph.text.splitlines()]
    return "; ".join(line for line in lines if line)


def page_dot(result, precision: int = DEFAULT_PRECISION, labelled: bool = True) -> str:
    """The DOT text of the page's picture: one box per node (its label, value and gradient, each on a
    line the script shows or hides) and one arrow per use, labelled with what flows back along it.

    Each box and arrow has an SVG id (`gc_n3`, `gc_e3_0` for node 3's first input), which the
    script finds them by. Without `labelled` the arrows carry no label (the card and the table
    still show what flows back along each)."""
    graph = result.graph
    lines = [
        "digraph gradcalc {",
        f'  rankdir={"TB" if depth(graph) > DEEP else "LR"}; nodesep=0.25; ranksep=0.45; bgcolor="transparent"; pad=0.1;',
        '  node [fontname="Helvetica", fontsize=12, shape=box, style="rounded", margin="0.08,0.03"];',
        '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.6];',
    ]
    flowing = {(step.node, step.k): step.flowing for step in result.steps}
    for node in shown_nodes(graph):
        label = [_node_title(result, node), short(result.values[node.id], precision),
                 _grad_line(result, node.id, precision)]
        lines.append(f'  n{node.id} [id="gc_n{node.id}", label={_dot_string(chr(10).join(label))}];')
    for node in graph.nodes:
        for k, src in enumerate(node.inputs):
            if folded(graph, src):
                continue
            grad = flowing.get((node.id, k))
            label = "" if grad is None or not labelled else "← " + short(grad, precision)
            lines.append(f'  n{src} -> n{node.id} [id="gc_e{node.id}_{k}", label={_dot_string(label)}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def arrows(result) -> int:
    graph = result.graph
    return sum(not folded(graph, src) for node in graph.nodes for src in node.inputs)


class NoPicture(Exception):
    """Why the page has no picture of the graph (said on the page and, by the CLI, on stderr)."""


def draw_svg(dot_text: str, seconds: float = DOT_SECONDS) -> str:
    """Graphviz's SVG of the DOT text, ready to inline: no XML prologue, doctype or comments.

    Raises NoPicture when Graphviz is missing, too slow or fails."""
    program = shutil.which("dot")
    if program is None:
        raise NoPicture("Graphviz's dot program is not installed, so this page has no picture of the "
                        "graph (install Graphviz: apt-get install graphviz, brew install graphviz)")
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=seconds)
    except subprocess.TimeoutExpired:
        raise NoPicture(f"dot did not lay out the graph in {seconds:g} s, so this page has no "
                        f"picture of it; step through it in the tables") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise NoPicture(f"dot could not draw the graph ({reason[0]}), so this page has no picture")
    svg = done.stdout.decode("utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    # The title elements are the DOT names (n3), which browsers would show as tooltips.
    svg = re.sub(r"<title>[^<]*</title>\n?", "", svg)
    # Inline in HTML an <svg> is in SVG's namespace without saying so; the page names no URL at all.
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)
    return svg.replace("<svg ", '<svg role="group" aria-label="the computational graph" ', 1)


def picture(result, precision: int = DEFAULT_PRECISION) -> tuple[str | None, str | None]:
    """The page's SVG and None, or None and why there is no picture."""
    count = arrows(result)
    if count > MAX_PICTURE_ARROWS:
        return None, (f"the graph has {count} arrows, more than the {MAX_PICTURE_ARROWS} a picture is "
                      f"drawn for; step through it in the tables")
    try:
        if count <= MAX_LABELLED_ARROWS:
            try:
                return draw_svg(page_dot(result, precision), LABELLED_SECONDS), None
            except NoPicture as slow:
                if "did not lay out" not in str(slow):
                    raise
        return draw_svg(page_dot(result, precision, labelled=False)), None
    except NoPicture as reason:
        return None, str(reason)


def _cell(value, precision: int) -> str:
    """A value as the terminal tables show it: numpy's summary of a large array, its shape under it."""
    text = format_value(value, precision)
    if xp.size(value) > SUMMARISED:
        text = text.replace("...", "…") + f"\nshape {format_shape(xp.shape(value))}"
    return text


def _quiz_value(value):
    """The expected answer in the page, or None when it has too many numbers to type."""
    return plain(value) if xp.size(value) <= QUIZ_ELEMENTS else None


def quiz_mistakes(result, asked: list[int]) -> dict[int, list]:
    """For each node the quiz asks about, the numbers that the catalogue's slips made at that very
    step give (a path not added, the chain factor forgotten, σ′ as σ, …), each with the sentence
    gradcalc.diagnose says it in. The learner's earlier answers were right, so only slips at the
    node's own step matter."""
    graph = result.graph
    if not asked or len(graph.nodes) > DIAGNOSED_NODES:
        return {}
    from ..diagnose import Diagnoser, close

    diagnoser = Diagnoser(graph, result.values, asked, result.upstream)
    wanted, found = set(asked), {}
    for slip in diagnoser.slips:
        node = slip.input
        value = slip.grads[node] if node in wanted else None
        if value is None or close(value, diagnoser.correct(node), RTOL, ATOL):
            continue
        entries = found.setdefault(node, [])
        if len(entries) < MISTAKES_PER_NODE and not any(close(value, v, RTOL, ATOL) for v, _ in entries):
            entries.append((value, diagnoser.sentence(slip, result.labels[node], node, value)))
    return {node: [[plain(v), text] for v, text in entries] for node, entries in found.items()}


def _terms(rule: Rule, value) -> dict:
    """How the script judges a number typed for `value`: a single number by the rule's figures or
    decimals as well (tolerance.page_terms), an array by its rtol/atol, as check.py judges them."""
    if xp.ndim(value):
        return {"rtol": rule.rtol, "atol": rule.atol}
    return page_terms(rule, float(value))


def page_data(result, precision: int = DEFAULT_PRECISION, rule: Rule | None = None,
              rules: dict[int, Rule] | None = None) -> dict:
    """What the script steps through: the nodes in forward order, then the backward steps, all text.

    The quiz judges a typed gradient by `rule` (a sheet's problem's; by default a class's rule for
    hand-computed answers), or by the node's own of `rules` (an answer's of a teacher's copy)."""
    graph, labels = result.graph, result.labels
    sheet, rule, rules = rule is not None, rule or Rule(), rules or {}
    out = differentiated(result)
    arrays = any(xp.ndim(v) for v in result.values)
    nodes = []
    for node in shown_nodes(graph):
        value, grad = result.values[node.id], result.grads[node.id]
        nodes.append({
            "id": node.id, "label": labels[node.id], "title": _node_title(result, node),
            "computes": definition(result, node.id),
            "shape": format_shape(xp.shape(value)) if xp.ndim(value) else "",
            "value": _cell(value, precision), "valueShort": short(value, precision),
            "grad": None if grad is None else _cell(grad, precision),
            "gradShort": None if grad is None else short(grad, precision),
            "answer": None if grad is None else _quiz_value(grad),
            "input": node.op is None,
        })
    asked = [n["id"] for n in nodes if n["answer"] is not None and n["id"] != graph.output]
    mistakes = quiz_mistakes(result, asked)
    for n in nodes:
        own = rules.get(n["id"], rule)
        grad = result.grads[n["id"]]
        n["judge"] = None if n["answer"] is None else _terms(own, grad)
        n["ruleWords"] = own.sentence()
        n["mistakes"] = [[value, text, _terms(own, value)] for value, text in mistakes.get(n["id"], [])]
    steps = []
    for step in result.steps:
        node = graph.nodes[step.node]
        steps.append({
            "node": step.node, "input": step.input, "k": step.k, "edge": edge(result, step, arrays),
            "formula": local_formula(result, step, shapes=arrays),
            "rule": bool(OPS[node.op].vjp),
            "local": _cell(step.local, precision), "upstream": _cell(step.upstream, precision),
            "flowing": _cell(step.flowing, precision), "after": _cell(step.accumulated, precision),
            "flowingShort": short(step.flowing, precision),
            "afterShort": short(step.accumulated, precision),
        })
    seed = result.grads[graph.output]
    return {
        "of": out, "output": graph.output, "outputLabel": labels[graph.output],
        "seeded": result.seeded, "seed": _cell(seed, precision), "seedShort": short(seed, precision),
        "nodes": nodes, "steps": steps, "ruleWords": rule.sentence(),
        "asker": "the sheet" if sheet else "the quiz",
    }


def _script_json(data) -> str:
    # Inside <script>, "</script" or "<!--" in a label would end or confuse the element: < as \u003c.
    return json.dumps(data, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")


def _row(cells: list[tuple[str, str]], frame: int, row_class: str) -> str:
    tds = "".join(f'<td class="{kind}">{_escape(text)}</td>' for kind, text in cells)
    return f'<tr id="gc-r{frame}" class="{row_class}" data-frame="{frame}">{tds}</tr>'


def _tables(data: dict) -> str:
    """The trace as two tables, one row per step of the page; the script marks the current row."""
    of = data["of"]
    forward_rows = [_row([("name", n["label"]), ("text", n["computes"]), ("num v", n["value"])]
                         + ([("text", n["shape"] or "scalar")] if _has_arrays(data) else []),
                         frame, "fwd") for frame, n in enumerate(data["nodes"])]
    first = len(data["nodes"])
    seed_row = _row([("name", data["outputLabel"]), ("text", f"∂{of}/∂{data['outputLabel']}"
                                                     + (" (given)" if data["seeded"] else " (start)")),
                     ("num", ""), ("num", ""), ("num", ""), ("num g", data["seed"])], first, "bwd")
    backward_rows = [_row([("name", s["edge"]), ("text", s["formula"]), ("num", s["local"]),
                           ("num g", s["upstream"]), ("num g", s["flowing"]), ("num g", s["after"])],
                          first + 1 + i, "bwd") for i, s in enumerate(data["steps"])]
    shape_head = "<th scope=col>shape</th>" if _has_arrays(data) else ""
    return (
        '<table id="gc-forward"><caption>Forward pass: each node\'s value</caption>'
        f"<thead><tr><th scope=col>node</th><th scope=col>computes</th><th scope=col>value</th>"
        f"{shape_head}</tr></thead><tbody>{''.join(forward_rows)}</tbody></table>"
        f'<table id="gc-backward"><caption>Backward pass: upstream ∂{_escape(of)}/∂node × local '
        f"∂node/∂input flows into ∂{_escape(of)}/∂input</caption>"
        "<thead><tr><th scope=col>node → input</th><th scope=col>∂node/∂input</th>"
        "<th scope=col>local</th><th scope=col>upstream</th><th scope=col>upstream × local</th>"
        f"<th scope=col>∂{_escape(of)}/∂input</th></tr></thead>"
        f"<tbody>{seed_row}{''.join(backward_rows)}</tbody></table>"
    )


def _has_arrays(data: dict) -> bool:
    return any(n["shape"] for n in data["nodes"])


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


# A program read whole and this short is its own title and heading (t = x + y; z = t**2); a longer
# one, or one pasted with lines gradcalc skips (imports, prints), is named by its output.
SHORT_PROGRAM = 100


class Heading:
    """What the page calls its program: `code` for the heading (Backward pass of …), `title` for the
    tab (after `gradcalc: `), and `program`, the text shown below the heading when neither is the
    program itself (None for an expression or a short program)."""

    def __init__(self, graph, output: str):
        text = program_text(graph)
        self.program = None
        if "\n" not in graph.text.strip() and ";" not in text:     # an expression: as it always was
            self.code = text if len(text) <= 300 else text[:297] + "…"
            self.title = f"{output} = {self.code}"
        elif len(text) <= SHORT_PROGRAM and not _skipped_lines(graph):
            self.code = self.title = text        # a short program whole: t is what z = t**2 says
        else:
            lines = [line for line in graph.text.splitlines() if line.strip()]
            self.program = lines
            formula = _own_formula(graph)
            name = graph.output_name
            self.code = f"{name} = {formula}" if formula else name
            self.title = self.code if formula else f"{name}, computed by a program of {len(lines)} lines"


def _skipped_lines(graph) -> bool:
    """Whether the program has a line gradcalc did not read (an import, a print, a .backward()): one
    that no node's text touches, comments and blank lines aside."""
    import bisect

    text = graph.text
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    read = set()
    nodes = graph.nodes
    for node_id in range(len(nodes)):
        start, end = nodes.span(node_id)
        first, last = bisect.bisect_right(starts, start) - 1, bisect.bisect_right(starts, max(start, end - 1)) - 1
        read.update(range(first, last + 1))
    lines = text.split("\n")
    return any(line.split("#", 1)[0].strip() and number not in read for number, line in enumerate(lines))


def _own_formula(graph) -> str | None:
    """The output's formula as written, where it is one of the inputs alone (y = x**3 + 2*x): not
    an augmented assignment (g += 10.0 / f), one of named intermediates (z = t**2, whose t the title
    would leave unsaid) nor a function's body computing more than it says (u**2 in def f(u) for
    z = f(2*x)); None otherwise, or when longer than a title's 120 characters."""
    nodes, output = graph.nodes, graph.output
    start, end = nodes.span(output)
    formula = " ".join(graph.text[start:end].split())
    if not formula or len(formula) > 120 or _ASSIGNED.match(formula):
        return None
    stack, seen = list(nodes.input_ids(output)), set()
    while stack:        # no recursion: a pasted program may be deep
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        name = nodes.names[node_id]
        if name is not None and name not in graph.variables:
            return None
        inside = start <= nodes.starts[node_id] and nodes.ends[node_id] <= end
        if nodes.ops[node_id] is not None and not inside:   # def f(u): return u**2 with z = f(2*x)
            return None
        stack.extend(nodes.input_ids(node_id))
    return formula


_ASSIGNED = re.compile(r"[^=]*[^=!<>]=(?!=)")


def _program_block(lines: list[str] | None) -> str:
    """The program as given, folded under the heading (its first 200 lines)."""
    if not lines:
        return ""
    shown = "\n".join(line if len(line) <= 300 else line[:299] + "…" for line in lines[:200])
    more = f"\n… and {len(lines) - 200} more lines" if len(lines) > 200 else ""
    return (f'<details class="program"><summary>The program ({len(lines)} lines)</summary>'
            f'<pre>{_escape(shown + more)}</pre></details>\n')


def render_html(result, precision: int = DEFAULT_PRECISION, quiz: bool = False,
                svg: str | None = None, no_picture: str | None = None, heading: str | None = None,
                rule: Rule | None = None, rules: dict[int, Rule] | None = None) -> str:
    """The page, given the graph's SVG (`draw_svg`) or why there is none; `heading` goes above the
    program (a sheet's problem: `Problem 2: The apple shop`); the quiz judges by `rule` and `rules`
    (page_data)."""
    data = page_data(result, precision, rule, rules)
    graph, labels = result.graph, result.labels
    given = ", ".join(f"{name} = {inline(value, precision)}" for name, value in result.inputs.items())
    named = Heading(graph, labels[graph.output])
    figure = svg if svg is not None else f'<p class="note">{_escape(no_picture or "no picture")}</p>'
    total = len(data["nodes"]) + 1 + len(data["steps"])
    of = data["of"]
    # How the text was read (a statement computed for nothing, 1/2x as (1/2)·x), as the tables say it.
    notes = "".join(f'<p class="note">note: {_escape(note)}</p>\n' for note in graph.notes)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gradcalc">
<title>{_escape(heading + " — ") if heading else ""}gradcalc: {_escape(named.title)}</title>
<style>
{_asset("page.css")}
</style>
</head>
<body{' class="quiz"' if quiz else ''}>
<header>
{f'<p class="heading">{_escape(heading)}</p>' if heading else ""}
<h1>Backward pass of <code>{_escape(named.code)}</code></h1>
{_program_block(named.program)}<p class="given">{_escape(given) if given else "no inputs"}; gradients are of {_escape(of)}.</p>
{notes}</header>
<nav id="gc-controls" aria-label="step through the passes">
<button type="button" id="gc-first" aria-keyshortcuts="Home" title="first step (Home)">« First</button>
<button type="button" id="gc-prev" aria-keyshortcuts="ArrowLeft" title="previous step (←)">‹ Back</button>
<button type="button" id="gc-play" aria-keyshortcuts="Space" aria-pressed="false" title="play or pause (Space)">Play</button>
<button type="button" id="gc-next" aria-keyshortcuts="ArrowRight" title="next step (→)">Next ›</button>
<button type="button" id="gc-last" aria-keyshortcuts="End" title="last step (End)">Last »</button>
<span id="gc-counter" role="status">step 1 of {total}</span>
<label class="toggle"><input type="checkbox" id="gc-quiz"{' checked' if quiz else ''}> Quiz</label>
<label class="toggle"><input type="checkbox" id="gc-contrast"> High contrast</label>
<label class="toggle"><input type="checkbox" id="gc-fit" checked> Fit graph</label>
</nav>
<main>
<section id="gc-step" aria-live="polite" aria-label="the current step"></section>
<section id="gc-quizbox" aria-label="quiz" hidden>
<h2>Quiz: fill in each gradient, in backward order</h2>
<p id="gc-rule">Right answers: {_escape(data["ruleWords"])}.</p>
<form id="gc-quizform" autocomplete="off">
<label for="gc-answer" id="gc-prompt"></label>
<input id="gc-answer" type="text" inputmode="decimal" spellcheck="false">
<button type="submit" id="gc-check">Check</button>
<button type="button" id="gc-hint">Hint</button>
</form>
<p id="gc-feedback" role="status"></p>
<p id="gc-score"></p>
</section>
<figure id="gc-graph" class="fit"><div id="gc-picture">{figure}</div><figcaption>Click a node (or focus it and press Enter) for its
gradient as a sum over its users. Values appear on the way forward; on the way back each arrow is
labelled with what flows back along it (marked ←).</figcaption></figure>
<section id="gc-details" aria-live="polite" aria-label="the chosen node"></section>
<section id="gc-trace" aria-label="the trace">{_tables(data)}</section>
</main>
<footer><p>Made by gradcalc. Keys: ← → step, Home/End first/last, Space play/pause.</p></footer>
<script type="application/json" id="gc-data">{_script_json(data)}</script>
<script>
{_asset("page.js")}
</script>
</body>
</html>
"""


def html_page(result, precision: int = DEFAULT_PRECISION, quiz: bool = False,
              heading: str | None = None, rule: Rule | None = None,
              rules: dict[int, Rule] | None = None) -> tuple[str, str | None]:
    """The page with its picture drawn by Graphviz, and why it has no picture (None if it has one)."""
    shown = len(shown_nodes(result.graph))
    if shown > MAX_PAGE_NODES:
        raise GradcalcError(f"the graph has {shown} nodes; an --html page steps through at most "
                            f"{MAX_PAGE_NODES}", hint="the tables (--max-rows) and --json show any size")
    svg, reason = picture(result, precision)
    return render_html(result, precision, quiz, svg, reason, heading, rule, rules), reason


def sheet_pages(report, precision: int = DEFAULT_PRECISION, quiz: bool = False):
    """A page per problem of a graded sheet: (file name, page, why it has no picture or None)."""
    for graded in report.graded:
        problem = graded.problem
        # An answer judged by a rule of its own (a teacher's copy's) is quizzed by it at its node.
        own = [(answer.name, rule) for answer, rule in zip(problem.answers, graded.rules)]
        yield _problem_page(report.sheet.title, problem.number, problem.name, graded.result, graded.rule, own,
                            precision, quiz)


def class_pages(sheet, precision: int = DEFAULT_PRECISION, quiz: bool = False, rtol: float | None = None,
                atol: float | None = None):
    """A page per problem of a class sheet (classroom.ClassSheet), at the sheet's own point (for a
    point per student, the key's), each asked answer quizzed by the rule it is graded by (the
    grader's --rtol/--atol applied, as grade_class applies them): (file name, page, why no picture)."""
    from ..tolerance import overridden

    for problem in sheet.problems:
        own = [(asked.name, overridden(asked.rule, rtol, atol)) for asked in problem.asked]
        yield _problem_page(sheet.title, problem.number, problem.name, problem.result,
                            overridden(problem.rule, rtol, atol), own, precision, quiz)


def _problem_page(title: str, number: int, name: str, result, rule: Rule, own: list[tuple[str, Rule]],
                  precision: int, quiz: bool) -> tuple[str, str, str | None]:
    heading = f"Problem {number}" + ("" if name == f"problem {number}" else f": {name}")
    if title:
        heading = f"{title} — {heading}"
    graph = result.graph
    rules = {graph.node_of(answer): judged for answer, judged in own
             if answer != graph.output_name and graph.node_of(answer) is not None}
    text, reason = html_page(result, precision, quiz, heading, rule, rules)
    return f"problem-{number}.html", text, reason
