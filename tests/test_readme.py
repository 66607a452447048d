"""Every `console` block in the README is run, and its output must match what is written there."""

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
