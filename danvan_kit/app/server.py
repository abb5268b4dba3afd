"""Start Voilà over notebooks/ with the project's voila.json (what `danvan serve` runs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import settings
from ..settings import PROJECT_ROOT

__all__ = ["voila_command", "serve"]



def voila_command(port: int = 8866, ip: str = "127.0.0.1", notebooks: Path | None = None) -> list[str]:
    """The command line; voila.json in PROJECT_ROOT (the working directory) supplies the rest."""
    notebooks = notebooks or PROJECT_ROOT / "notebooks"
    return [sys.executable, "-m", "voila", str(notebooks), f"--port={port}", f"--Voila.ip={ip}", "--no-browser",
            "--Voila.root_dir=" + str(notebooks)]


def serve_environment(data_dir: Path) -> dict[str, str]:
    """Kernels start in notebooks/, so the data directory is passed on as an absolute path."""
    env = dict(os.environ)
    env["DANVAN_DATA_DIR"] = str(data_dir.resolve())
    env.setdefault("DANVAN_TEMPLATES", str(PROJECT_ROOT / "templates"))
    return env


def serve(port: int = 8866, ip: str = "127.0.0.1", data_dir: Path | None = None) -> None:
    """Replace this process with Voilà (Ctrl+C stops it)."""
    env = serve_environment(settings.data_dir(data_dir))
    os.chdir(PROJECT_ROOT)
    cmd = voila_command(port, ip)
    os.execvpe(cmd[0], cmd, env)
