"""Every `console` block in the README is run, and its output must match what is written there;
the `pycon` blocks (the Python section) are run as doctests."""

import doctest
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from gradcalc.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def console_examples():
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    for block in blocks:
        command, expected = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command:
                    yield command, "\n".join(expected)
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command:
            yield command, "\n".join(expected)


EXAMPLES = list(console_examples())


def test_readme_has_examples():
    assert len(EXAMPLES) >= 1


@pytest.mark.parametrize("command, expected", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example(command, expected):
    args = shlex.split(command)
    assert args[0] == "gradcalc", "console examples run gradcalc"
    result = CliRunner().invoke(main, args[1:])
    shown = (result.stdout + result.stderr).rstrip("\n")
    assert shown == expected.rstrip("\n")


def test_readme_python_examples_are_doctests():
    blocks = re.findall(r"```pycon\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a Python section"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, f"README pycon block {number + 1}", str(README), 0)
        assert test.examples, f"block {number + 1} has no >>> examples"
        runner.run(test, clear_globs=False)
        globs = test.globs   # later blocks use the names of earlier ones, as in one session
    outcome = runner.summarize(verbose=False)
    assert outcome.failed == 0 and outcome.attempted >= 8
