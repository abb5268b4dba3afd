"""Start Voilà over notebooks/ with the project's voila.json (what `danvan serve` runs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import settings
from ..settings import PROJECT_ROOT

__all__ = ["voila_command", "serve", "hub_address", "lab_command", "lab", "compile_package", "voila_environment",
           "JUPYTER_DATA"]

# Where Voilà finds our page template (`danvan`, named in voila.json): app/jupyter_data/voila/templates.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter_data"

HUB_DOOR = "danvan_kit.app.hub_door.HubIdentityProvider"


def voila_command(port: int = 8866, ip: str = "127.0.0.1", notebooks: Path | None = None,
                  base_url: str = "/", preheat: bool = True, hub: bool = False) -> list[str]:
    """The command line; voila.json in PROJECT_ROOT (the working directory) supplies the rest.

    `hub`: the door is the hub's login (app/hub_door.py) instead of the app's login page."""
    notebooks = notebooks or PROJECT_ROOT / "notebooks"
    cmd = [sys.executable, "-m", "voila", str(notebooks), f"--port={port}", f"--Voila.ip={ip}", "--no-browser",
           "--Voila.root_dir=" + str(notebooks)]
    if base_url != "/":  # behind JupyterHub's proxy, which keeps the prefix: pages are served and linked there
        cmd += [f"--Voila.base_url={base_url}", f"--Voila.server_url={base_url}"]
    if not preheat:
        cmd.append("--VoilaConfiguration.preheat_kernel=False")
    if hub:
        cmd.append(f"--Voila.identity_provider_class={HUB_DOOR}")
    return cmd


def hub_address(environ: dict[str, str] | None = None) -> tuple[str, int, str]:
    """(ip, port, base URL) JupyterHub gives a single-user server in its environment.

    JupyterHub (≥ 2) passes them only as JUPYTERHUB_SERVICE_URL (http://127.0.0.1:<port>/user/<name>/)
    and JUPYTERHUB_SERVICE_PREFIX (/user/<name>/), never on the command line.
    """
    from urllib.parse import urlsplit

    env = os.environ if environ is None else environ
    url = env.get("JUPYTERHUB_SERVICE_URL", "")
    if not url:
        raise RuntimeError("--hub: JUPYTERHUB_SERVICE_URL is not set (run as JupyterHub's single-user command)")
    parts = urlsplit(url)
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX") or parts.path or "/"
    return parts.hostname or "127.0.0.1", parts.port or 8888, prefix if prefix.endswith("/") else prefix + "/"


def compile_package() -> None:
    """Write the package's bytecode (only what is out of date), so that each page's kernel loads it.

    Where Python may not cache bytecode itself (PYTHONDONTWRITEBYTECODE, common in containers, or a
    fresh checkout run once), every kernel compiled each of our modules anew: about 1 MB more memory
    per kernel and slower first pages (measured with bench/form_load.py). A folder we may not write
    to (an installed package) already has its bytecode from the installer.
    """
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1]), quiet=2)


def voila_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` with our Jupyter data folder first on JUPYTER_PATH, where Voilà looks for the `danvan`
    template voila.json names (every way of starting our Voilà goes through here)."""
    paths = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(JUPYTER_DATA)]
    return {**env, "JUPYTER_PATH": os.pathsep.join([str(JUPYTER_DATA), *paths])}


def serve_environment(data_dir: Path) -> dict[str, str]:
    """Kernels start in notebooks/, so the data directory is passed on as an absolute path."""
    env = voila_environment(dict(os.environ))
    env["DANVAN_DATA_DIR"] = str(data_dir.resolve())
    env.setdefault("DANVAN_TEMPLATES", str(PROJECT_ROOT / "templates"))
    return env


def serve(port: int = 8866, ip: str = "127.0.0.1", data_dir: Path | None = None, hub: bool = False) -> None:
    """Replace this process with Voilà (Ctrl+C stops it).

    `hub`: as JupyterHub's single-user command: the address and base URL come from the hub,
    the hub's login is the door (its OAuth and the store session it opened), and no kernel is
    preheated (each user has a server of their own; seven pooled kernels per user would hold
    about 1 GB each).
    """
    env = serve_environment(settings.data_dir(data_dir))
    compile_package()
    os.chdir(PROJECT_ROOT)
    if hub:
        ip, port, base_url = hub_address()
        cmd = voila_command(port, ip, base_url=base_url, preheat=False, hub=True)
    else:
        cmd = voila_command(port, ip)
    os.execvpe(cmd[0], cmd, env)


def lab_command(port: int = 8888, ip: str = "127.0.0.1", allow_root: bool = False) -> list[str]:
    """JupyterLab over analysis/ (analysts' notebooks; Voilà never serves that folder)."""
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={PROJECT_ROOT / 'analysis'}",
            f"--ServerApp.port={port}", f"--ServerApp.ip={ip}", "--no-browser",
            *(["--allow-root"] if allow_root else [])]


def lab(port: int = 8888, ip: str = "127.0.0.1", data_dir: Path | None = None, db_url: str | None = None,
        allow_root: bool = False) -> None:
    """Replace this process with JupyterLab whose kernels read the same store as the app."""
    env = serve_environment(settings.data_dir(data_dir))
    if db_url:
        env["DANVAN_DB_URL"] = db_url
    os.chdir(PROJECT_ROOT)
    cmd = lab_command(port, ip, allow_root)
    os.execvpe(cmd[0], cmd, env)
