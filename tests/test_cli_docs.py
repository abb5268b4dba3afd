"""Every danvan command documents itself: help text, help for each option, and a working example.

In the style of sqlite-utils' test_docs.py: the commands are discovered, so a
new command without an example fails here.
"""
from __future__ import annotations

import re
import shlex

import click
import pytest
from click.testing import CliRunner

from danvan_kit.cli import main


def _walk(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, path + (name,))


COMMANDS = dict(_walk(main))
IDS = [" ".join(p) or "danvan" for p in COMMANDS]
EXAMPLE = re.compile(r"^(?:Example|Ví dụ):\s+(.+)$")


def _example(command: click.Command) -> str:
    lines = [ln.strip() for ln in (command.help or "").strip().splitlines() if ln.strip()]
    match = EXAMPLE.match(lines[-1]) if lines else None
    assert match, f"help of {command.name!r} must end with an 'Example: danvan …' line"
    return match.group(1)


@pytest.mark.parametrize("path", list(COMMANDS), ids=IDS)
def test_every_command_has_help_ending_with_an_example(path):
    command = COMMANDS[path]
    assert command.help and len(command.help.split()) > 5
    example = _example(command).split("|")[-1]  # the example may pipe a passcode in
    words = shlex.split(example)
    assert words[0] == "danvan"
    assert words[1:1 + len(path)] == list(path), f"the example of {' '.join(path)} runs another command"


@pytest.mark.parametrize("path", list(COMMANDS), ids=IDS)
def test_the_example_parses_with_the_real_options(path):
    words = shlex.split(_example(COMMANDS[path]).split("|")[-1])
    result = CliRunner().invoke(main, words[1:] + ["--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output or "Ví dụ" in result.output


@pytest.mark.parametrize("path", list(COMMANDS), ids=IDS)
def test_every_option_has_help_text(path):
    undocumented = [p.name for p in COMMANDS[path].params if isinstance(p, click.Option) and not p.help]
    assert undocumented == []
