"""The README keeps its promises: two set-up commands first, every CLI command documented."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from danvan_kit.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, path + (name,))
    else:
        yield " ".join(path)


def test_the_readme_opens_with_the_two_set_up_commands():
    first_block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make serve", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^serve: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)


def test_ci_runs_the_readmes_test_command():
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)


def test_ci_runs_the_lint_command():
    assert re.search(r"^make lint$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)
    assert re.search(r"^lint: ", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)


def test_every_cli_command_is_documented_in_the_readme():
    missing = [c for c in _commands(main) if f"`danvan {c}" not in README]
    assert missing == []


def test_the_readme_command_table_matches_the_commands():
    """The table is generated from the click commands by the cog block in the README (as sqlite-utils does)."""
    section = README[README.index("## The `danvan` command"):]
    assert section.index("<!-- [[[cog") < section.index("| command | what |") < section.index("<!-- [[[end]]] -->")
    check = subprocess.run([sys.executable, "-m", "cogapp", "--check", "--diff", "README.md"],
                           cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, ("README.md's command table is out of date; regenerate it with "
                                   f"`.venv/bin/cog -r README.md`\n{check.stdout}{check.stderr}")


def test_every_benchmark_is_listed_in_the_readme():
    """Each bench/*.py is a benchmark with one command; bench/_*.py are what they share."""
    missing = [p.name for p in (ROOT / "bench").glob("[!_]*.py") if f"bench/{p.name}" not in README]
    assert missing == []
