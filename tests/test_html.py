"""--html: the stepping page. Its text (self-contained, escaped, the same numbers as --json), the command
line, and the page driven in a real headless browser (Debian's chromium through playwright): keys,
numbers, quiz, no console error, no network request, screenshots at 360 and 1 280 px."""

import html
import json
import math
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from gradcalc import compute
from gradcalc.render import html as page_module
from gradcalc.render.html import html_page, page_dot, render_html, shown_nodes
from helpers import APPLE_ORANGE, APPLE_ORANGE_VALUES, assert_json_error, run

CHROMIUM = "/usr/bin/chromium"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

# The four examples of issue 26: the textbook's apple and orange, a sigmoid neuron, a two-layer network
# with matrix products, and a 200-node expression (25 terms v·tanh(w·x + b), x shared by all).
NEURON = "z = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
NEURON_VALUES = ["--w0", "2", "--x0", "-1", "--w1", "-3", "--x1", "-2", "--w2", "-3"]
NETWORK = "h = tanh(X@W1 + b1); L = sum((h@W2 + b2 - t)**2)"
NETWORK_VALUES = ["--X", "[[1, 2], [0.5, -1]]", "--W1", "[[0.5, -1, 2], [1.5, 0.25, -0.5]]",
                  "--b1", "[0.1, 0, -0.1]", "--W2", "[[1], [0.5], [-1]]", "--b2", "[0.2]",
                  "--t", "[[1], [0]]"]
TERMS = 25
BIG = " + ".join(f"v{i}*tanh(w{i}*x + b{i})" for i in range(TERMS))
BIG_VALUES = ["--x", "0.5"] + [item for i in range(TERMS) for item in
                               (f"--w{i}", str(round(0.1 * (i % 7) - 0.3, 2)), f"--b{i}",
                                str(round(0.05 * i, 2)), f"--v{i}", str(round(1 - 0.03 * i, 2)))]
EXAMPLES = {
    "apple_orange": (APPLE_ORANGE, APPLE_ORANGE_VALUES),
    "neuron": (NEURON, NEURON_VALUES),
    "network": (NETWORK, NETWORK_VALUES),
    "big": (BIG, BIG_VALUES),
}


def values_of(words: list[str]) -> dict:
    return {words[i][2:]: json.loads(words[i + 1]) for i in range(0, len(words), 2)}


def test_the_200_node_example_has_200_nodes():
    assert len(compute(BIG, values_of(BIG_VALUES)).graph.nodes) == 200


# The page's text -----------------------------------------------------------------------------------

@needs_dot
@pytest.mark.parametrize("name", EXAMPLES)
def test_page_is_self_contained(name):
    program, values = EXAMPLES[name]
    result = compute(program, values_of(values))
    text, no_picture = html_page(result)
    assert no_picture is None
    assert text.count("<svg") == 1
    assert len(re.findall(r'<g id="gc_n\d+" class="node">', text)) == len(shown_nodes(result.graph))
    # Nothing that would load from elsewhere: no src or href, no CSS import, url() or @font-face.
    assert not re.search(r"""\b(src|href)\s*=|@import|url\(|@font-face|https?://""", text, re.I), \
        re.search(r"""\b(src|href)\s*=|@import|url\(|@font-face|https?://""", text, re.I)
    assert "<!DOCTYPE svg" not in text and "<?xml" not in text
    assert len(text.encode()) < 1_000_000


def test_the_page_is_pure():
    result = compute(APPLE_ORANGE, values_of(APPLE_ORANGE_VALUES))
    assert render_html(result, svg="<svg></svg>") == render_html(result, svg="<svg></svg>")
    assert page_dot(result) == page_dot(result)


def test_program_text_cannot_end_the_script_or_add_markup():
    # A comment is the only place a program's text can hold < or &: it reaches the page's heading.
    result = compute("z = x*2  # </script><script>alert(1)</script> & <b>", x=1)
    text = render_html(result, svg=None, no_picture="none")
    assert "<script>alert" not in text and "<b>" not in text
    result = compute("z = x*2\n# </script><!-- <img src=x>\n", x=1)
    page = render_html(result, svg=None, no_picture="none")
    data = re.search(r'<script type="application/json" id="gc-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data)["nodes"][0]["label"] == "x"
    assert "<img" not in page


def test_without_graphviz_the_page_says_why_and_has_the_tables(monkeypatch):
    monkeypatch.setattr(page_module.shutil, "which", lambda name: None)
    text, no_picture = html_page(compute("x*x", x=3))
    assert "Graphviz" in no_picture and "<svg" not in text
    assert html.escape(no_picture) in text and 'id="gc-backward"' in text


def test_a_graph_too_big_to_draw_is_stepped_in_the_tables():
    result = compute(" + ".join(f"x*y{i % 3}" for i in range(400)), x=1, y0=1, y1=2, y2=3)
    text, no_picture = html_page(result)
    assert "arrows" in no_picture and "<svg" not in text


def test_a_page_of_too_many_nodes_is_refused(monkeypatch):
    monkeypatch.setattr(page_module, "MAX_PAGE_NODES", 30)
    found = run(" + ".join(f"x*y{i}" for i in range(12)), "--x", "1",
                *[item for i in range(12) for item in (f"--y{i}", "2")], "--html", "-")
    assert found.exit_code == 2 and found.stdout == ""
    assert "the graph has 36 nodes; an --html page steps through at most 30" in found.stderr


# The command line ----------------------------------------------------------------------------------

@needs_dot
def test_cli_writes_the_page_and_still_shows_the_tables(tmp_path):
    target = tmp_path / "page.html"
    found = run("x*x", "--x", "3", "--plain", "--html", str(target))
    assert found.exit_code == 0, found.output
    assert "Backward pass" in found.stdout and found.stderr == ""
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")


@needs_dot
def test_cli_writes_the_page_to_stdout():
    found = run("x*x", "--x", "3", "--html", "-", "--quiz")
    assert found.exit_code == 0
    assert found.stdout.startswith("<!doctype html>") and '<body class="quiz">' in found.stdout


@pytest.mark.parametrize("args, message", [
    (["--html", "-", "--json"], "--json and --html - each print the whole output"),
    (["--html", "-", "--dot"], "--dot and --html - each print the whole output"),
    (["--quiz"], "--quiz is a mode of the --html page"),
    (["--html", ""], "--html needs a file name"),
    (["--html", "no/such/folder/page.html"], "cannot write the page"),
    (["--html", "p.html", "--latex"], "--latex cannot be combined with --html"),
])
def test_cli_refuses(args, message):
    found = run("x*x", "--x", "3", *args)
    assert found.exit_code == 2, found.output
    if "--json" in args:   # the error as one JSON object on stdout too
        assert_json_error(found)
    else:
        assert found.stdout == ""
    assert found.stderr.startswith("error: ") and message in found.stderr, found.stderr
    assert "Traceback" not in found.stderr


EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


@needs_dot
def test_check_writes_a_page_per_problem(tmp_path):
    folder = tmp_path / "pages"
    found = run("check", str(EXAMPLES_DIR / "homework.toml"), "--html", str(folder), "--plain")
    assert found.exit_code == 1   # the sheet has a wrong answer: graded as without --html
    assert "Score:" in found.stdout and f"wrote 3 pages to {folder}" in found.stderr
    pages = sorted(path.name for path in folder.iterdir())
    assert pages == ["problem-1.html", "problem-2.html", "problem-3.html"]
    text = (folder / "problem-2.html").read_text(encoding="utf-8")
    assert "Problem 2: The apple and orange shop</p>" in text and text.count("<svg") == 1


@pytest.mark.parametrize("args, message", [
    (["--quiz"], "--quiz is a mode of the --html pages"),
    (["--html", ""], "--html needs the name of a directory"),
])
def test_check_refuses(tmp_path, args, message):
    args = [str(tmp_path / "pages") if arg == "DIR" else arg for arg in args]
    found = run("check", str(EXAMPLES_DIR / "homework.toml"), *args)
    assert found.exit_code == 2 and found.stdout == "" and message in found.stderr, found.output
    assert not (tmp_path / "pages").exists()


def _page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="gc-data">(.*?)</script>', text, re.S)
                      .group(1).replace("\\u003c", "<"))


# A class sheet (answers asked by name) has no answers of its own: `check CLASS --html DIR` was refused
# with the hint to give --answers, and `--answers --html` with the hint to drop --answers (a loop).
CLASS_RULES = """title = "Week 5"
sigfigs = 3
[[problem]]
id = "neuron"
name = "A neuron"
expression = "sigmoid(w*x + b)"
at = { w = 0.5, x = 2, b = -1 }
answers = { w = { points = 1, decimals = 2 }, x = 1 }
"""


@needs_dot
def test_a_class_sheet_writes_its_quiz_pages(tmp_path):
    sheet = tmp_path / "class.toml"
    sheet.write_text(CLASS_RULES, encoding="utf-8")
    refused = run("check", str(sheet))
    assert refused.exit_code == 2 and "--html DIR" in refused.stderr   # the hint names what works
    folder = tmp_path / "pages"
    found = run("check", str(sheet), "--html", str(folder), "--quiz")
    assert found.exit_code == 0 and found.stdout == "", found.output
    assert f"wrote 1 page to {folder}" in found.stderr
    assert [path.name for path in folder.iterdir()] == ["problem-1.html"]
    text = (folder / "problem-1.html").read_text(encoding="utf-8")
    assert '<body class="quiz">' in text and "Week 5 — Problem 1: A neuron</p>" in text
    nodes = {n["label"]: n for n in _page_data(folder / "problem-1.html")["nodes"]}
    # Each answer quizzed by the rule the class is graded by: w by its own decimals, x by the sheet's sigfigs.
    assert nodes["w"]["judge"]["decimals"] == 2 and nodes["w"]["judge"]["sigfigs"] is None
    assert nodes["x"]["judge"]["sigfigs"] == 3 and nodes["x"]["judge"]["decimals"] is None
    # The grader's --rtol replaces every rule of the sheet, in the pages as in the gradebook.
    found = run("check", str(sheet), "--html", str(folder), "--rtol", "1e-3")
    judge = {n["label"]: n["judge"] for n in _page_data(folder / "problem-1.html")["nodes"]}["w"]
    assert found.exit_code == 0 and judge["rtol"] == 1e-3 and judge["decimals"] is None


@needs_dot
def test_a_class_is_graded_and_its_pages_written(tmp_path):
    folder = tmp_path / "pages"
    found = run("check", str(EXAMPLES_DIR / "class.toml"), "--answers", str(EXAMPLES_DIR / "answers.csv"),
                "--html", str(folder))
    assert found.exit_code == 0 and found.stdout.startswith("student,square,shop,neuron,total"), found.output
    assert sorted(path.name for path in folder.iterdir()) == ["problem-1.html", "problem-2.html",
                                                              "problem-3.html"]
    assert "<body>" in (folder / "problem-2.html").read_text(encoding="utf-8")   # not in quiz mode


def test_a_hand_in_that_is_a_class_sheet_is_not_paged_by_rules(tmp_path):
    # --rules grades a hand-in's answers: a class sheet handed in has none, and is refused as before.
    folder = tmp_path / "pages"
    found = run("check", str(EXAMPLES_DIR / "class.toml"), "--rules", str(EXAMPLES_DIR / "class.toml"),
                "--html", str(folder))
    assert found.exit_code == 2 and "a class sheet" in found.stderr and not folder.exists()


def test_to_html_and_explore():
    result = compute("x*x", x=3)
    assert result.to_html().startswith("<!doctype html>")
    frame = result.explore()._repr_html_()
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    assert "&lt;!doctype html&gt;" in frame and "<script" not in frame   # all of it inside srcdoc


# In a real browser -----------------------------------------------------------------------------------

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed: the page's picture needs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Opened:
    """A page opened in the browser, with its console errors and the requests it made."""

    def __init__(self, browser, path, width=1280):
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.set_default_timeout(10_000)   # a missing element fails in seconds, not in 30
        self.url = path.as_uri()
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: r.url != self.url and self.requests.append(r.url))
        # Anything but the page itself is refused, so a stray request would also show as an error.
        self.page.route("**/*", lambda route: route.continue_() if route.request.url == self.url
                        else route.abort())
        self.page.goto(self.url)

    def data(self) -> dict:
        return json.loads(self.page.inner_text("#gc-data"))

    def close(self):
        assert self.errors == [], self.errors
        assert self.requests == [], self.requests
        self.page.close()


def write_page(tmp_path, program, values, *extra) -> tuple:
    target = tmp_path / "page.html"
    found = run(program, *values, "--html", str(target), "--json", *extra)
    assert found.exit_code == 0, found.output
    return target, json.loads(found.stdout)


SHAPED = re.compile(r"^\(([\d,]*)\)\s*(.*)$", re.S)   # a picture's box: (2,3) [[…]] or (2,3) array


def same(shown: str, expected) -> bool:
    """Whether a number or nested list as the page writes it is --json's (to the 10 digits shown).
    A shape written before it must be the array's; a summarised array (…) is compared by its shape."""
    text = shown.strip()
    shaped = SHAPED.match(text)
    if shaped:
        shape = tuple(int(n) for n in shaped.group(1).split(",") if n)
        if shape != np.shape(expected):
            return False
        text = shaped.group(2)
    if "…" in text or text == "array":
        return True
    value = np.array(json.loads(" ".join(text.split())), dtype=float)
    return value.shape == np.shape(expected) and np.allclose(value, expected, rtol=1e-9, atol=1e-300)


def json_steps(page_data: dict, answer: dict) -> list[dict]:
    """--json's entry for each backward step of the page, in the page's order, with ∂out/∂input so far."""
    seen: dict[int, int] = {}
    so_far: dict[int, object] = {}
    out = []
    for step in page_data["steps"]:
        index = seen.get(step["node"], 0)
        seen[step["node"]] = index + 1
        entry = answer["nodes"][step["node"]]["local"][index]
        assert entry["input"] == step["input"]
        contribution = np.asarray(entry["contribution"], dtype=float)
        so_far[step["input"]] = so_far.get(step["input"], 0) + contribution
        out.append({**entry, "accumulated": so_far[step["input"]]})
    return out


SHOWN = """() => [document.getElementById('gc-counter').textContent,
    Array.from(document.querySelectorAll('tr[aria-current=step]')).map(r => r.id),
    Array.from(document.querySelectorAll('#gc-step .line')).map(l => [l.querySelector('.what').textContent,
                                                                       l.querySelector('.num').textContent])]"""


def card(page) -> dict[str, str]:
    """The current step's card as what → number text."""
    lines = page.eval_on_selector_all("#gc-step .line", "ls => ls.map(l => [l.querySelector('.what')"
                                      ".textContent, l.querySelector('.num').textContent])")
    return dict(lines)


@pytest.mark.parametrize("name", EXAMPLES)
def test_stepping_with_the_keys_shows_json_numbers(browser, tmp_path, name):
    program, values = EXAMPLES[name]
    path, answer = write_page(tmp_path, program, values)
    opened = Opened(browser, path)
    page, data = opened.page, opened.data()
    nodes = {node["id"]: node for node in answer["nodes"]}
    steps = json_steps(data, answer)
    forward, total = len(data["nodes"]), len(data["nodes"]) + 1 + len(data["steps"])
    page.focus("body")
    checked = 0
    for frame in range(total):
        if frame:
            page.keyboard.press("ArrowRight")
        # One call per step for what the page shows (each call to the browser costs a round trip).
        counter, current, shown = page.evaluate(SHOWN)
        assert counter == f"step {frame + 1} of {total}"
        assert current == [f"gc-r{frame}"]
        shown = dict(shown)
        if frame < forward:
            node = nodes[data["nodes"][frame]["id"]]
            assert same(shown["value "], node["value"]), (shown, node)
        elif frame > forward:
            expected = steps[frame - forward - 1]
            assert same(shown["local = "], expected["local"])
            upstream = next(v for k, v in shown.items() if k.startswith("upstream ∂"))
            assert same(upstream, expected["upstream"])
            flows = next(v for k, v in shown.items() if k in ("upstream × local = ", "flows back = "))
            assert same(flows, expected["contribution"])
            total_now = [v for k, v in shown.items() if k.startswith(("∂", "plus this"))][-1]
            total_now = total_now.split("→")[-1].replace("(its first contribution)", "")
            assert same(total_now, expected["accumulated"]), (shown, expected)
            checked += 1
    assert checked == len(data["steps"])
    # At the end every box shows its value and gradient, every table cell its number: all as --json's.
    boxes = page.eval_on_selector_all("#gc-graph g.node", "gs => gs.map(g => [g.id, "
                                      "Array.from(g.querySelectorAll('text')).map(t => t.textContent)])")
    assert len(boxes) == forward
    for box_id, texts in boxes:
        node = nodes[int(box_id.removeprefix("gc_n"))]
        assert same(texts[1], node["value"]), (texts, node)
        if node["grad"] is not None:
            assert texts[2].startswith("grad ") and same(texts[2][5:], node["grad"]), (texts, node)
    cells = page.eval_on_selector_all("#gc-forward tbody tr", "rs => rs.map(r => r.cells[2].textContent)")
    assert all(same(text, nodes[n["id"]]["value"]) for text, n in zip(cells, data["nodes"]))
    rows = page.eval_on_selector_all("#gc-backward tbody tr", "rs => rs.map(r => Array.from(r.cells)"
                                     ".slice(2).map(c => c.textContent))")
    assert same(rows[0][3], 1 if not data["seeded"] else answer["upstream"])
    for (local, upstream, contribution, accumulated), expected in zip(rows[1:], steps, strict=True):
        assert same(local, expected["local"]) and same(upstream, expected["upstream"])
        assert same(contribution, expected["contribution"])
        assert same(accumulated, expected["accumulated"])
    # Home and ← go back; End goes to the last step.
    page.keyboard.press("Home")
    assert page.inner_text("#gc-counter") == f"step 1 of {total}"
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#gc-counter") == f"step 1 of {total}"
    page.keyboard.press("End")
    assert page.inner_text("#gc-counter") == f"step {total} of {total}"
    opened.close()


def test_gradient_grows_as_contributions_add(browser, tmp_path):
    path, _ = write_page(tmp_path, "x*x", ["--x", "3"])
    opened = Opened(browser, path)
    page = opened.page
    page.focus("body")
    page.keyboard.press("End")
    assert card(page)["∂z/∂x = "] == "3 + 3 → 6"
    assert page.text_content("#gc_n0 text:nth-of-type(3)") == "grad 6"
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#gc_n0 text:nth-of-type(3)") == "grad 3"
    # Clicking the node writes the chain rule out: the sum over its two uses.
    page.click("#gc_n0")
    details = " ".join(page.inner_text("#gc-details").split())
    assert "2 uses of x" in details and details.count("= 1 × 3 = 3") == 2
    assert details.endswith("∂z/∂x = 6 (at the end of the pass)")
    page.keyboard.press("End")   # the chosen node's sum follows the steps
    assert " ".join(page.inner_text("#gc-details").split()).endswith("∂z/∂x = 6")
    opened.close()


def test_buttons_and_space_play(browser, tmp_path):
    path, _ = write_page(tmp_path, APPLE_ORANGE, APPLE_ORANGE_VALUES)
    opened = Opened(browser, path)
    page = opened.page
    page.click("#gc-next")
    page.click("#gc-next")
    assert page.inner_text("#gc-counter").startswith("step 3 of")
    page.click("#gc-prev")
    assert page.inner_text("#gc-counter").startswith("step 2 of")
    page.click("#gc-last")
    page.click("#gc-first")
    assert page.inner_text("#gc-counter").startswith("step 1 of")
    page.evaluate("document.activeElement.blur()")   # Space on a focused button presses that button
    page.keyboard.press("Space")
    assert page.get_attribute("#gc-play", "aria-pressed") == "true"
    page.wait_for_function("document.getElementById('gc-counter').textContent.startsWith('step 2 ')")
    page.keyboard.press("Space")
    assert page.get_attribute("#gc-play", "aria-pressed") == "false"
    opened.close()


def test_quiz_accepts_right_answers_and_flags_wrong_ones(browser, tmp_path):
    path, answer = write_page(tmp_path, NEURON, NEURON_VALUES, "--quiz")
    opened = Opened(browser, path)
    page = opened.page
    grads = {node["label"]: node["grad"] for node in answer["nodes"]}
    # Hidden until answered: no box shows a gradient but the output's.
    page.keyboard.press("End")
    texts = page.eval_on_selector_all("#gc-graph g.node text:nth-of-type(3)", "ts => ts.map(t => t.textContent)")
    assert texts.count("grad 1") == 1 and all(t in ("grad ?", "grad 1") for t in texts), texts
    questions = 0
    while page.is_visible("#gc-quizform"):
        assert questions < len(answer["nodes"]), "the quiz asks more questions than there are nodes"
        label = re.fullmatch(r"∂z/∂(\w+) =", page.inner_text("#gc-prompt")).group(1)
        right = grads[label]
        if questions == 0:   # a wrong answer first: flagged, with a hint, and asked again
            page.fill("#gc-answer", repr(right * 2 + 1))
            page.press("#gc-answer", "Enter")
            feedback = page.inner_text("#gc-feedback")
            assert feedback.startswith("✗") and "Hint:" in feedback
            assert page.get_attribute("#gc-answer", "aria-invalid") == "true"
            assert page.inner_text("#gc-prompt") == f"∂z/∂{label} ="
        # Typed as a learner would, to 4 significant digits (exact ones as they are).
        typed = f"{right:.4g}"
        page.fill("#gc-answer", typed)
        page.click("#gc-check")
        assert page.inner_text("#gc-feedback").startswith("✓"), (label, typed, page.inner_text("#gc-feedback"))
        shown = page.text_content(f"#gc_n{next(n['id'] for n in answer['nodes'] if n['label'] == label)} "
                                  f"text:nth-of-type(3)")
        assert shown.startswith("grad ") and math.isclose(float(shown[5:]), right, rel_tol=1e-9)
        questions += 1
    assert questions == sum(1 for n in answer["nodes"] if n["grad"] is not None and n["label"] != "z")
    assert page.inner_text("#gc-score") == f"Score: {questions - 1} of {questions} right at the first try."
    opened.close()


def test_quiz_names_the_mistake_a_wrong_number_comes_from(browser, tmp_path):
    # x*x at 3: ∂z/∂x = 6; 3 is one path of two, the slip gradcalc.diagnose calls paths-not-added.
    path, _ = write_page(tmp_path, "x*x", ["--x", "3"], "--quiz")
    opened = Opened(browser, path)
    page = opened.page
    assert page.inner_text("#gc-prompt") == "∂z/∂x ="
    page.fill("#gc-answer", "3")
    page.press("#gc-answer", "Enter")
    feedback = page.inner_text("#gc-feedback")
    assert feedback.startswith("✗ Not ∂z/∂x. 3 is what you get if the two paths into x are not added")
    page.fill("#gc-answer", "5")   # no slip gives 5: the chain-rule hint alone
    page.press("#gc-answer", "Enter")
    assert "what you get if" not in page.inner_text("#gc-feedback")
    assert "Hint: it is the sum over the 2 uses of x" in page.inner_text("#gc-feedback")
    page.fill("#gc-answer", "6")
    page.press("#gc-answer", "Enter")
    assert page.inner_text("#gc-feedback").startswith("✓")
    assert page.inner_text("#gc-score") == "Score: 0 of 1 right at the first try."
    opened.close()


def test_quiz_default_rule_takes_every_written_figure(browser, tmp_path):
    # σ′(1) = 0.196612: under the default for hand-computed answers, 0.197 and 0.1966 are right (each
    # figure a correct rounding), 0.1969 is not (right to 3 figures, wrong in its 4th), as tolerance.py judges.
    path, _ = write_page(tmp_path, "sigmoid(x)", ["--x", "1"], "--quiz")
    opened = Opened(browser, path)
    page = opened.page
    assert quiz_answer(page, "0.1969").startswith("✗")
    assert quiz_answer(page, "0.19661").startswith("✓")
    opened.close()


# A sheet's own rule (issue: the quiz judged every page by the default tolerance): σ′(1) = 0.196612 with
# two decimals, then with three significant figures; ∂z/∂x = y = 0.125 with two figures, where 0.12 and
# 0.13 are both half a unit off (exact decimals, as tolerance.py compares them, not floats).
RULED_SHEET = """
title = "Rounding"

[[problem]]
expression = "sigmoid(x)"
at = { x = 1 }
decimals = 2
[problem.expect]
x = "0.20"

[[problem]]
expression = "sigmoid(x)"
at = { x = 1 }
sigfigs = 3
[problem.expect]
x = 0.197

[[problem]]
expression = "x*y"
at = { x = 2, y = 0.125 }
sigfigs = 2
[problem.expect]
x = 0.12
y = "2.0"
"""


def quiz_answer(page, typed: str) -> str:
    page.fill("#gc-answer", typed)
    page.press("#gc-answer", "Enter")
    return page.inner_text("#gc-feedback")


def test_a_sheets_page_quizzes_by_the_sheets_rule(browser, tmp_path):
    (tmp_path / "s.toml").write_text(RULED_SHEET, encoding="utf-8")
    found = run("check", str(tmp_path / "s.toml"), "--teacher-sheet", "--plain", "--quiz", "--html",
                str(tmp_path / "pages"))
    assert found.exit_code == 0, found.output
    opened = Opened(browser, tmp_path / "pages" / "problem-1.html")
    page = opened.page
    assert "2 decimal places" in page.inner_text("#gc-rule")
    assert quiz_answer(page, "0.197").startswith("✗ Right, but written with 3 decimal places; "
                                                 "the sheet asks for 2.")
    assert quiz_answer(page, "0.2").startswith("✗ Right to 1 decimal place; the sheet asks for 2.")
    assert quiz_answer(page, "0.19").startswith("✗")
    assert quiz_answer(page, "0.20").startswith("✓")
    opened.close()

    opened = Opened(browser, tmp_path / "pages" / "problem-2.html")
    page = opened.page
    assert "3 significant figures" in page.inner_text("#gc-rule")
    assert quiz_answer(page, "0.1966").startswith("✗ Right, but written with 4 significant "
                                                  "figures; the sheet asks for 3.")
    assert quiz_answer(page, "1.97e-1").startswith("✓")
    opened.close()

    opened = Opened(browser, tmp_path / "pages" / "problem-3.html")
    page = opened.page
    typed = {"x": ["0.125", "0.12"], "y": ["2", "2.0"]}   # the first of each wrong by its figures alone
    while page.is_visible("#gc-quizform"):
        label = re.fullmatch(r"∂z/∂(\w+) =", page.inner_text("#gc-prompt")).group(1)
        wrong, right = typed.pop(label)
        assert quiz_answer(page, wrong).startswith("✗"), (label, wrong)
        assert quiz_answer(page, right).startswith("✓"), (label, right)
    assert typed == {}
    opened.close()


def test_a_plain_page_quizzes_by_the_default_for_hand_computed_answers():
    # No sheet: as a class's answers computed by hand are judged (within rtol/atol, or 3 figures or
    # more, correctly rounded), said on the page.
    data = page_module.page_data(compute("sigmoid(x)", x=1))
    assert data["ruleWords"].startswith("|answer − correct| ≤ 1e-12 + 1e-6·|correct|, or a number "
                                        "written with at least 3 significant figures")
    x = next(node for node in data["nodes"] if node["label"] == "x")
    assert x["judge"]["exact"] == str(__import__("decimal").Decimal(x["answer"]))


def test_keyboard_alone_reaches_every_control_and_every_control_is_named(browser, tmp_path):
    path, _ = write_page(tmp_path, "x*x + y", ["--x", "3", "--y", "1"])
    opened = Opened(browser, path)
    page = opened.page
    unnamed = page.evaluate("""() => Array.from(document.querySelectorAll(
        'button, input, [role=button]')).filter(e => {
          const label = e.getAttribute('aria-label') || (e.labels && e.labels.length && e.labels[0].textContent)
                        || e.textContent;
          return !label || !label.trim();
        }).map(e => e.outerHTML.slice(0, 80))""")
    assert unnamed == []
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.getAttribute('aria-label')"))
    for control in ("gc-first", "gc-prev", "gc-play", "gc-next", "gc-last", "gc-quiz", "gc-contrast"):
        assert control in reached, reached
    node = next(item for item in reached if item and item.startswith("node x:"))
    while page.evaluate("document.activeElement.getAttribute('aria-label')") != node:
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert "∂z/∂x = 6" in page.inner_text("#gc-details")
    opened.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_and_no_sideways_scrolling(browser, tmp_path, width):
    path, _ = write_page(tmp_path, APPLE_ORANGE, APPLE_ORANGE_VALUES)
    opened = Opened(browser, path, width)
    page = opened.page
    for _ in range(14):
        page.keyboard.press("ArrowRight")
    # The page itself never scrolls sideways: wide tables and pictures scroll inside their own boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot = tmp_path / f"page-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    # High contrast: a toggle that changes the colours; print shows every number.
    page.check("#gc-contrast")
    assert page.evaluate("getComputedStyle(document.body).getPropertyValue('--grad').trim()") == "#000"
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('tr.future td.num') || document.body)"
                         ".visibility") == "visible"
    opened.close()


def test_quiz_judges_an_array_answer_by_its_shape_as_check_does(browser, tmp_path):
    # [1] and [[1], [2]] broadcast to ∂L/∂b (3,) and ∂L/∂W (2, 3) but are not them (check.fits);
    # a single number stands for every element.
    path, answer = write_page(tmp_path, "L = sum(X@W + b)", ["--X", "[[1,2]]", "--W", "[[1,0,-1],[2,1,0]]",
                                                            "--b", "[0.5,0,-0.5]"], "--quiz")
    opened = Opened(browser, path)
    page = opened.page
    grads = {node["label"]: node["grad"] for node in answer["nodes"]}
    tried = set()
    while page.is_visible("#gc-quizform"):
        assert len(tried) <= len(grads), "the quiz asks more questions than there are nodes"
        label = re.match(r"∂L/∂(\w+) =", page.inner_text("#gc-prompt")).group(1)
        wrong = {"b": "[1]", "W": "[[1], [2]]"}.get(label)
        if wrong:
            page.fill("#gc-answer", wrong)
            page.press("#gc-answer", "Enter")
            assert page.inner_text("#gc-feedback").startswith("✗"), (label, page.inner_text("#gc-feedback"))
        typed = "1" if label == "b" else json.dumps(grads[label])
        page.fill("#gc-answer", typed)
        page.press("#gc-answer", "Enter")
        assert page.inner_text("#gc-feedback").startswith("✓"), (label, typed, page.inner_text("#gc-feedback"))
        tried.add(label)
    assert {"b", "W"} <= tried
    opened.close()


def test_a_pasted_programs_title_is_its_outputs_formula(tmp_path):
    # the tab's title was the whole program (import torch; x = …; print(x.grad)); now the output's formula
    import re as _re

    from click.testing import CliRunner

    from gradcalc.cli import main

    program = "import torch\nx = torch.tensor(2.0, requires_grad=True)\ny = x**3 + 2*x\ny.backward()\nprint(x.grad)\n"
    page = tmp_path / "p.html"
    assert CliRunner().invoke(main, [program, "--html", str(page)]).exit_code == 0
    assert _re.search(r"<title>([^<]*)</title>", page.read_text()).group(1) == "gradcalc: y = x**3 + 2*x"
    assert CliRunner().invoke(main, ["(x+y)**2", "--x", "1", "--y", "2", "--html", str(page)]).exit_code == 0
    assert _re.search(r"<title>([^<]*)</title>", page.read_text()).group(1) == "gradcalc: z = (x+y)**2"


def test_a_programs_heading_and_title_are_short_valid_and_say_its_names(tmp_path):
    import re as _re

    from click.testing import CliRunner

    from gradcalc.cli import main

    def page_of(program, *values):
        page = tmp_path / "p.html"
        result = CliRunner().invoke(main, [program, *values, "--html", str(page)])
        assert result.exit_code == 0, result.output
        text = page.read_text()
        return (_re.search(r"<title>([^<]*)</title>", text).group(1),
                _re.search(r"<h1>Backward pass of <code>([^<]*)</code></h1>", text).group(1), text)

    # the micrograd README's program: the heading was all of it, imports and prints; the title
    # 'gradcalc: g₂ = g += 10.0 / f', no formula
    micrograd = (
        "from micrograd.engine import Value\n\na = Value(-4.0)\nb = Value(2.0)\nc = a + b\n"
        "d = a * b + b**3\nc += c + 1\nc += 1 + c + (-a)\nd += d * 2 + (b + a).relu()\n"
        "d += 3 * d + (b - a).relu()\ne = c - d\nf = e**2\ng = f / 2.0\ng += 10.0 / f\n"
        "print(f'{g.data:.4f}')\ng.backward()\nprint(f'{a.grad:.4f}')\nprint(f'{b.grad:.4f}')\n")
    title, heading, text = page_of(micrograd)
    assert (title, heading) == ("gradcalc: g, computed by a program of 17 lines", "g")
    assert '<details class="program"><summary>The program (17 lines)</summary><pre>from micrograd' in text
    # named intermediates: the title said only z = t**2
    assert page_of("t = x + y; z = t**2", "--x", "1", "--y", "2")[:2] == \
        ("gradcalc: t = x + y; z = t**2", "t = x + y; z = t**2")
    assert page_of("y = x*2; y += 1", "--x", "1")[:2] == ("gradcalc: y = x*2; y += 1", "y = x*2; y += 1")
    # a function's body is no formula of the output: u**2 is not z = f(2*x)
    assert page_of("def f(u):\n    return u**2\nz = f(2*x)\n", "--x", "1")[:2] == \
        ("gradcalc: z, computed by a program of 3 lines", "z")
    # an expression, as it always was
    title, heading, text = page_of("(x+y)**2", "--x", "1", "--y", "2")
    assert (title, heading) == ("gradcalc: z = (x+y)**2", "(x+y)**2") and "<details" not in text
