"""The --html page: size, time to make it, and its first frame in headless chromium, for issue 26's examples.

    python bench/html_page.py                       # the four examples, 5 loads each
    python bench/html_page.py --screenshots docs    # also the README's screenshots (360 and 1 280 px wide)

For each example: the page's size, the time gradcalc takes to write it (Graphviz's layout included,
median of 5), and in Debian's chromium (/usr/bin/chromium, driven by playwright) the first contentful
paint and the end of the load event (the page's script has run: step 1 is shown), median of 5 fresh
tabs. The goal (issue 26): the 200-node page under 1 MB with its first frame in under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's gradcalc

from gradcalc import compute  # noqa: E402
from gradcalc.render.html import html_page  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

APPLE_ORANGE = ("apple_price = apple*apple_num; orange_price = orange*orange_num\n"
                "all_price = apple_price + orange_price; price = all_price*tax")
TERMS = 25   # 25 terms v·tanh(w·x + b): 200 nodes, x shared by all of them (tests/test_html.py's too)
EXAMPLES = {
    "apple and orange": (APPLE_ORANGE, {"apple": 100, "apple_num": 2, "orange": 150, "orange_num": 3,
                                        "tax": 1.1}),
    "sigmoid neuron": ("z = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))",
                       {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
    "two-layer network": ("h = tanh(X@W1 + b1); L = sum((h@W2 + b2 - t)**2)",
                          {"X": [[1, 2], [0.5, -1]], "W1": [[0.5, -1, 2], [1.5, 0.25, -0.5]],
                           "b1": [0.1, 0, -0.1], "W2": [[1], [0.5], [-1]], "b2": [0.2], "t": [[1], [0]]}),
    "200 nodes": (" + ".join(f"v{i}*tanh(w{i}*x + b{i})" for i in range(TERMS)),
                  {"x": 0.5, **{f"w{i}": round(0.1 * (i % 7) - 0.3, 2) for i in range(TERMS)},
                   **{f"b{i}": round(0.05 * i, 2) for i in range(TERMS)},
                   **{f"v{i}": round(1 - 0.03 * i, 2) for i in range(TERMS)}}),
}
ROUNDS = 5


def make(program: str, values: dict) -> tuple[str, float, int]:
    """The page, the median time to make it (s), and the graph's node count."""
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = compute(program, values)
        text, no_picture = html_page(result)
        times.append(time.perf_counter() - start)
        assert no_picture is None, no_picture
    return text, statistics.median(times), len(result.graph.nodes)


def first_frame(browser, path: Path) -> tuple[float, float]:
    """First contentful paint and load event end (ms after navigation start), medians of fresh tabs."""
    paints, loads = [], []
    for _ in range(ROUNDS):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
        paints.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
        loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
        assert page.inner_text("#gc-counter").startswith("step 1 of")
        page.close()
    return statistics.median(paints), statistics.median(loads)


def screenshots(browser, path: Path, folder: Path) -> None:
    """The apple-and-orange page on its 15th step (the backward pass half done), 360 and 1 280 px wide."""
    for width in (360, 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(path.as_uri())
        for _ in range(14):
            page.keyboard.press("ArrowRight")
        target = folder / f"html_page_{width}.png"
        page.screenshot(path=str(target), full_page=width == 360)
        print(f"wrote {target}")
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", metavar="FOLDER", type=Path,
                        help="also write the README's screenshots of the apple-and-orange page there")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(__file__).resolve().parent / "results"   # git-ignored
    folder.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"{'example':18} {'nodes':>5} {'page':>9} {'make':>8} {'first paint':>12} {'loaded':>8}")
        for name, (program, values) in EXAMPLES.items():
            text, made, nodes = make(program, values)
            path = folder / ("html_" + name.replace(" ", "_") + ".html")
            path.write_text(text, encoding="utf-8")
            paint, load = first_frame(browser, path)
            print(f"{name:18} {nodes:5} {len(text.encode()) / 1024:7.0f} KB {made * 1000:5.0f} ms "
                  f"{paint:9.0f} ms {load:5.0f} ms")
            if args.screenshots and name == "apple and orange":
                screenshots(browser, path, args.screenshots)
        browser.close()


if __name__ == "__main__":
    main()
