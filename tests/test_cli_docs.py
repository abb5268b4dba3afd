"""Every danvan command documents itself: help text, help for each option, and a working example.

In the style of sqlite-utils' test_docs.py: the commands are discovered, so a
new command without an example fails here.
"""
from __future__ import annotations

import os
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


def parse_example(example: str) -> click.Context:
    """Parse `danvan …` the way click does before running a command, without running it.

    Every group on the way resolves its sub-command, and the last command parses
    its own arguments: unknown options, a value outside a choice, a wrong type or
    a missing required option raise click.UsageError. Nothing is invoked, so no
    store is needed. Returns the command's context (its .params are the values).
    """
    words = shlex.split(example.split("|")[-1])  # the example may pipe a passcode in
    assert words[0] == "danvan", example
    command, name, args, parent = main, "danvan", words[1:], None
    while True:
        ctx = command.make_context(name, args, parent=parent, resilient_parsing=False)
        if not isinstance(command, click.Group):
            return ctx
        # click 8.2 renamed Context.protected_args to _protected_args (the old name warns)
        rest = [*(ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args), *ctx.args]
        name, command, args = command.resolve_command(ctx, rest)
        parent = ctx


@pytest.fixture
def operators_folder(tmp_path, monkeypatch):
    """Where an operator runs the examples: the folders they name exist (click checks exists=True paths)."""
    for folder in ("templates", "bao-cao-excel"):
        (tmp_path / folder).mkdir()
    for name in [n for n in os.environ if n.startswith("DANVAN_")]:  # envvar defaults are parsed too
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", list(COMMANDS), ids=IDS)
def test_the_example_parses_with_the_real_options(path, operators_folder):
    example = _example(COMMANDS[path])
    try:
        ctx = parse_example(example)
    except click.UsageError as exc:
        pytest.fail(f"{example}\n  {exc.format_message()}")
    assert ctx.command_path.split()[1:len(path) + 1] == list(path)
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output or "Ví dụ" in result.output


def test_parsing_an_example_reads_its_values(operators_folder):
    ctx = parse_example("echo 'x' | danvan users create xa-an-phu --role unit --unit XA-AN-PHU --passcode-stdin")
    assert ctx.command_path == "danvan users create"
    assert ctx.params["login"] == "xa-an-phu" and ctx.params["role"] == "unit" and ctx.params["passcode_stdin"]


@pytest.mark.parametrize("example,complaint", [
    ("danvan users list --format xml", "xml"),                        # not one of the choices
    ("danvan serve --port tam-tam-sau-sau", "tam-tam-sau-sau"),       # not an integer
    ("danvan status --format csv", "--period"),                       # a required option left out
    ("danvan status --period 2026-6t --colour", "--colour"),          # no such option
    ("danvan users remove xa-an-phu", "remove"),                      # no such command
    ("danvan templates check --root ./khong-co", "khong-co"),         # the folder must exist
])
def test_a_broken_example_does_not_parse(example, complaint, operators_folder):
    with pytest.raises(click.UsageError) as caught:
        parse_example(example)
    assert complaint in caught.value.format_message()


@pytest.mark.parametrize("path", list(COMMANDS), ids=IDS)
def test_every_option_has_help_text(path):
    undocumented = [p.name for p in COMMANDS[path].params if isinstance(p, click.Option) and not p.help]
    assert undocumented == []
