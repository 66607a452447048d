"""The scripting contract: every example in --help runs, and every file --help and the README name
is in examples/."""

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Files the examples write, or stand for any file: not inputs that must exist.
OUTPUTS = {"gradients.csv", "graph.svg", "graph.png", "graph.pdf", "apple_orange.png", "SHEET.toml"}
FILE = re.compile(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.(?:gc|csv|jsonl|toml|npy|json)\b")


def help_examples() -> list[str]:
    lines = main.epilog.split("Examples:", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line.strip() for line in lines if line.strip().startswith("gradcalc ")]


HELP = help_examples()


def named_files(text: str) -> set[str]:
    return {Path(name).name for name in FILE.findall(text)} - OUTPUTS - {"pyproject.toml"}


def test_help_has_examples_and_names_its_files():
    assert len(HELP) >= 10
    assert {"network.gc", "w.csv", "points.csv", "homework.toml"} <= named_files(main.epilog)


@pytest.mark.parametrize("name", sorted(named_files(main.epilog) | named_files(README)))
def test_every_file_help_and_the_readme_name_is_in_examples(name):
    assert (EXAMPLES / name).is_file(), f"examples/{name} is named in --help or the README"


@pytest.mark.parametrize("example", HELP)
def test_every_help_example_runs(example, monkeypatch):
    monkeypatch.chdir(EXAMPLES)   # --help names files as a user in that folder would
    args = shlex.split(example, comments=True)
    if ">" in args:               # `… > gradients.csv`: the output is checked here instead
        args = args[:args.index(">")]
    result = CliRunner().invoke(main, args[1:])
    # The sample hand-in has wrong answers on purpose: grading it says so with exit 1.
    expected = 1 if args[1] == "check" else 0
    assert result.exit_code == expected, result.stdout + result.stderr
    assert result.stdout.strip()
    if "-q" in args:
        assert all(re.fullmatch(r"[-+0-9.e\[\], ]+", line) for line in result.stdout.splitlines())


def test_the_network_in_the_readme_runs_and_checks(monkeypatch):
    monkeypatch.chdir(EXAMPLES)
    command = re.search(r"`cd examples && (gradcalc -f net.gc[^`]*)`", README, re.S).group(1)
    result = CliRunner().invoke(main, shlex.split(command)[1:] + ["--plain"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("✓") == 6    # X, W1, b1, W2, b2, t agree with central differences
