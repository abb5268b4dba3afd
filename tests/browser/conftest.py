"""A real Voilà server on a free port with a fresh demo store, and real Chromium driven by Playwright.

Skipped (with a reason) when /usr/bin/chromium is absent; `.ci/run` installs it.
Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VoilaServer:
    """`danvan serve` in a subprocess on a free port, over a fresh demo store."""

    def __init__(self, data: Path, *extra: str):
        if not Path(CHROMIUM).exists():
            pytest.skip("Chromium is not installed (/usr/bin/chromium); browser tests not run")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANVAN_DB_URL", "JUPYTERHUB"))}
        env.update(DANVAN_DATA_DIR=str(data), JUPYTER_CONFIG_PATH="", JUPYTER_CONFIG_DIR=str(data / "jupyter-config"))
        danvan = [sys.executable, "-m", "danvan_kit"]
        subprocess.run(danvan + ["init", "--demo"], env=env, check=True, capture_output=True, cwd=ROOT)
        self.data, self.env, self.port = data, env, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data / "voila.log"
        self._log = open(self.log, "w")
        cmd = [sys.executable, "-m", "voila"] + [a for a in _voila_args(self.port)] + list(extra)
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/voila/render/trang_chu.ipynb", timeout=30).read()
                return
            except OSError as exc:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.log.read_text()) from exc
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("Voilà did not start:\n" + self.log.read_text()[-3000:])

    def __getitem__(self, key: str):  # tests read server["base"], server["data"], …
        return getattr(self, key)

    def kernels(self) -> int:
        """Kernel processes this server runs now (pools included)."""
        import psutil

        count = 0
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:  # a kernel being shut down may be gone or a zombie by the time we look
                if child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline()):
                    count += 1
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
        return count

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def _voila_args(port: int) -> list[str]:
    from danvan_kit.app.server import voila_command

    return voila_command(port=port)[3:]  # drop "python -m voila"


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    server = VoilaServer(tmp_path_factory.mktemp("voila-data"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(voila_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(45_000)
    yield page
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


